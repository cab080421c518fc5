/* SPDX-License-Identifier: MIT */
/*
 * fbrender: draws a screen on the host exactly as sbin/fbcon draws it (the
 * same terminal model, renderer and font: shared/lib/term.c,
 * user/servers/fbcon/render.c, shared/lib/font.c), so a test can compare a
 * QEMU screendump with what the screen must show (test/qemu/fbtest.py).
 *
 *   fbrender WIDTH HEIGHT < bytes > screen.ppm
 *
 * The bytes on standard input are terminal output (text, CR LF, escape
 * sequences); the screen is written as a binary PPM (P6) of WIDTH x HEIGHT
 * pixels. The framebuffer it draws into is 32-bit XRGB, like OVMF's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kosh/bootinfo.h>
#include <kosh/term.h>

#include "render.h"

#define MAX_SIDE 8192u

static struct render render;

static void on_scroll(void *ctx, uint32_t top, uint32_t bottom, int32_t n)
{
	render_scroll(&render, top, bottom, n);
}

static int parse_side(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == 0 || *end != 0 || v < 16 || v > MAX_SIDE)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int write_ppm(const uint32_t *pixels, uint32_t width, uint32_t height)
{
	printf("P6\n%u %u\n255\n", width, height);
	for (size_t i = 0; i < (size_t)width * height; i++) {
		uint8_t rgb[3] = {(uint8_t)(pixels[i] >> 16), (uint8_t)(pixels[i] >> 8),
				  (uint8_t)pixels[i]};
		if (fwrite(rgb, 1, 3, stdout) != 3)
			return -1;
	}
	return fflush(stdout);
}

int main(int argc, char **argv)
{
	struct kosh_framebuffer fb = {.phys = 1,
				      .bpp = 32,
				      .red_mask = 0xff0000,
				      .green_mask = 0x00ff00,
				      .blue_mask = 0x0000ff};
	if (argc != 3 || parse_side(argv[1], &fb.width) || parse_side(argv[2], &fb.height)) {
		fprintf(stderr,
			"usage: fbrender WIDTH HEIGHT < bytes > screen.ppm "
			"(sides 16 to %u)\n",
			MAX_SIDE);
		return 2;
	}
	fb.pitch = fb.width * 4;
	fb.size = (uint64_t)fb.pitch * fb.height;
	uint32_t cols, rows;
	render_grid(fb.width, fb.height, &cols, &rows);
	uint32_t *shadow = malloc(fb.size), *screen = malloc(fb.size);
	struct kosh_term_cell *cells = calloc((size_t)cols * rows, sizeof(*cells));
	static struct kosh_term term;
	const struct kosh_term_ops ops = {.scroll = on_scroll};
	if (!shadow || !screen || !cells) {
		fprintf(stderr, "fbrender: out of memory\n");
		return 1;
	}
	render_init(&render, &fb, shadow);
	if (kosh_term_init(&term, cells, cols, rows, &ops)) {
		fprintf(stderr, "fbrender: a %ux%u grid is refused\n", cols, rows);
		return 1;
	}
	/* As fbcon does: the cursor out of the way, the output in, then the drawing. */
	char buf[4096];
	size_t n;
	render_update(&render, &term);
	render_hide_cursor(&render, &term);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		kosh_term_write(&term, buf, n);
	render_update(&render, &term);
	render_flush(&render, screen, fb.pitch);
	if (write_ppm(screen, fb.width, fb.height)) {
		fprintf(stderr, "fbrender: cannot write the image\n");
		return 1;
	}
	return 0;
}
