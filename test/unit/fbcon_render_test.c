/* SPDX-License-Identifier: MIT */
/*
 * Host tests of sbin/fbcon's renderer (user/servers/fbcon/render.c) over the
 * terminal model (shared/lib/term.c) and the shared font. The framebuffer is
 * 100x50 pixels (12x3 cells) with a 432-byte pitch and red in the low byte, in
 * memory filled with a canary, so mixed-up channels, pitch arithmetic and
 * writes past a line or the end show. The central check: whatever bytes come,
 * in whatever pieces, drawing incrementally (dirty rows, scrolls moved in the
 * shadow, the cursor hidden and redrawn) gives the very pixels a renderer
 * drawing the final cells from scratch gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/bootinfo.h>
#include <kosh/font.h>
#include <kosh/term.h>

#include "render.h"

#define WIDTH  100
#define HEIGHT 50
#define PITCH  432
#define COLS   12
#define ROWS   3
#define SIZE   (PITCH * HEIGHT)
#define CANARY 0xa5

struct screen {
	struct kosh_framebuffer fb;
	uint32_t shadow[WIDTH * HEIGHT];
	uint8_t fb_mem[SIZE + 256];
	struct kosh_term_cell cells[COLS * ROWS];
	struct kosh_term term;
	struct render r;
};

static void on_scroll(void *ctx, uint32_t top, uint32_t bottom, int32_t n)
{
	render_scroll(&((struct screen *)ctx)->r, top, bottom, n);
}

static struct kosh_framebuffer test_fb(void)
{
	return (struct kosh_framebuffer){.phys = 0x80000000,
					 .size = SIZE,
					 .width = WIDTH,
					 .height = HEIGHT,
					 .pitch = PITCH,
					 .bpp = 32,
					 .red_mask = 0x000000ff,
					 .green_mask = 0x0000ff00,
					 .blue_mask = 0x00ff0000,
					 .reserved_mask = 0xff000000};
}

static int setup(void **state)
{
	struct screen *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->fb = test_fb();
	memset(s->fb_mem, CANARY, sizeof(s->fb_mem));
	assert_null(render_refusal(&s->fb));
	render_init(&s->r, &s->fb, s->shadow);
	const struct kosh_term_ops ops = {.scroll = on_scroll, .ctx = s};
	assert_int_equal(kosh_term_init(&s->term, s->cells, COLS, ROWS, &ops), 0);
	assert_int_equal(s->r.cols, COLS);
	assert_int_equal(s->r.rows, ROWS);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* As fbcon does for a WRITE and the flush after it. */
static uint32_t put(struct screen *s, const char *bytes, size_t len)
{
	render_hide_cursor(&s->r, &s->term);
	kosh_term_write(&s->term, bytes, len);
	render_update(&s->r, &s->term);
	return render_flush(&s->r, s->fb_mem, PITCH);
}

static uint32_t puts_(struct screen *s, const char *text)
{
	return put(s, text, strlen(text));
}

static uint32_t fb_pixel(const struct screen *s, uint32_t x, uint32_t y)
{
	uint32_t v;
	memcpy(&v, s->fb_mem + (size_t)y * PITCH + (size_t)x * 4, 4);
	return v;
}

/* 0xRRGGBB in the test's layout (red in the low byte). */
static uint32_t px(uint32_t rgb)
{
	return ((rgb >> 16) & 0xff) | (rgb & 0xff00) | ((rgb & 0xff) << 16);
}

static void assert_cell(const struct screen *s, uint32_t col, uint32_t row, uint32_t ch,
			uint32_t fg_rgb, uint32_t bg_rgb)
{
	const uint8_t *g = kosh_font_glyph(ch);
	for (uint32_t y = 0; y < KOSH_FONT_HEIGHT; y++)
		for (uint32_t x = 0; x < KOSH_FONT_WIDTH; x++)
			assert_int_equal(fb_pixel(s, col * 8 + x, row * 16 + y),
					 px(g[y] & (0x80 >> x) ? fg_rgb : bg_rgb));
}

static void assert_padding_untouched(const struct screen *s)
{
	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t i = WIDTH * 4; i < PITCH; i++)
			assert_int_equal(s->fb_mem[(size_t)y * PITCH + i], CANARY);
	for (uint32_t i = SIZE; i < sizeof(s->fb_mem); i++)
		assert_int_equal(s->fb_mem[i], CANARY);
}

#define FG 0xaaaaaau
#define BG 0x000000u

static void test_render_refuses_formats_it_cannot_draw(void **state)
{
	struct kosh_framebuffer fb = test_fb();
	fb.bpp = 24;
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.green_mask = 0;
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.blue_mask = 0x00ff00ff; /* two runs */
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.blue_mask = 0x0000ffff; /* overlaps green */
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.width = 7;
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.height = 15;
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.pitch = 398;
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.pitch = 396; /* less than 100 pixels */
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.size = SIZE - 1;
	assert_non_null(render_refusal(&fb));
	fb = test_fb();
	fb.red_mask = 0x3ff00000, fb.green_mask = 0x000ffc00, fb.blue_mask = 0x3ff; /* 10 bits */
	assert_null(render_refusal(&fb));
}

static void test_render_grid_is_clamped_to_the_terminal_maxima(void **state)
{
	uint32_t cols, rows;
	render_grid(1280, 800, &cols, &rows);
	assert_int_equal(cols, 160);
	assert_int_equal(rows, 50);
	render_grid(8000, 6000, &cols, &rows);
	assert_int_equal(cols, KOSH_TERM_COLS_MAX);
	assert_int_equal(rows, KOSH_TERM_ROWS_MAX);
}

static void test_render_first_flush_clears_whole_screen(void **state)
{
	struct screen *s = *state;
	assert_int_equal(puts_(s, ""), ROWS + 1);
	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t x = 0; x < WIDTH; x++)
			if (!(x < 8 && y < 16)) /* the cursor's cell */
				assert_int_equal(fb_pixel(s, x, y), px(BG));
	assert_cell(s, 0, 0, ' ', BG, FG); /* the cursor: the cell reversed */
	assert_padding_untouched(s);
}

static void test_render_text_through_the_masks(void **state)
{
	struct screen *s = *state;
	puts_(s, "Kg\r\n\x1b[31mr\x1b[1mR\x1b[0m\x1b[1mW");
	assert_cell(s, 0, 0, 'K', FG, BG);
	assert_cell(s, 1, 0, 'g', FG, BG);
	assert_cell(s, 0, 1, 'r', 0xaa0000, BG);
	assert_cell(s, 1, 1, 'R', 0xff5555, BG); /* bold red is bright red */
	assert_cell(s, 2, 1, 'W', 0xffffff, BG); /* bold default is bright white */
	assert_cell(s, 3, 1, ' ', BG, FG);	 /* the cursor */
	assert_padding_untouched(s);
}

static void test_render_reverse_hidden_and_underline(void **state)
{
	struct screen *s = *state;
	puts_(s, "\x1b[7mv\x1b[0m\x1b[8mh\x1b[0m\x1b[4m_\x1b[0m\x1b[42;34mc");
	assert_cell(s, 0, 0, 'v', BG, FG);
	assert_cell(s, 1, 0, ' ', FG, BG); /* hidden: all background */
	for (uint32_t x = 0; x < 8; x++)
		assert_int_equal(fb_pixel(s, 2 * 8 + x, 14), px(FG));
	assert_cell(s, 3, 0, 'c', 0x0000aa, 0x00aa00);
}

static void test_render_cursor_moves_and_hides(void **state)
{
	struct screen *s = *state;
	puts_(s, "ab");
	assert_cell(s, 2, 0, ' ', BG, FG);
	puts_(s, "\x1b[2;5H");
	assert_cell(s, 2, 0, ' ', FG, BG);
	assert_cell(s, 4, 1, ' ', BG, FG);
	puts_(s, "\x1b[?25l");
	assert_cell(s, 4, 1, ' ', FG, BG);
	puts_(s, "\x1b[?25h\x1b[H");
	assert_cell(s, 0, 0, 'a', BG, FG);
}

static void test_render_scrolls_the_pixels(void **state)
{
	struct screen *s = *state;
	puts_(s, "AAAA\r\nBBBB\r\nCCCC");
	puts_(s, "\r\n\x1b[44mD");
	assert_cell(s, 0, 0, 'B', FG, BG);
	assert_cell(s, 3, 1, 'C', FG, BG);
	assert_cell(s, 0, 2, 'D', FG, 0x0000aa);
	assert_cell(s, 1, 2, ' ', BG, FG); /* the cursor */
	assert_cell(s, 2, 2, ' ', FG, BG); /* scrolled in before the colour changed */
	assert_padding_untouched(s);
}

static void test_render_flushes_only_changed_rows(void **state)
{
	struct screen *s = *state;
	puts_(s, "one\r\ntwo\r\nthree");
	memset(s->fb_mem, 0x11, SIZE); /* whatever a flush does not rewrite stays */
	assert_int_equal(puts_(s, "\x1b[1;1Hx\x1b[3;6H"), 2); /* row 0, and row 2's cursor */
	assert_cell(s, 0, 0, 'x', FG, BG);
	assert_int_equal(s->fb_mem[(size_t)16 * PITCH], 0x11); /* row 1 not copied */
	assert_cell(s, 5, 2, ' ', BG, FG);
}

static void test_render_wide_and_unknown_characters_get_the_box(void **state)
{
	struct screen *s = *state;
	puts_(s, "\xc3\xa9\xe2\x82\xac"); /* é € */
	assert_cell(s, 0, 0, 0xe9, FG, BG);
	assert_cell(s, 1, 0, 0x20ac, FG, BG);
	assert_memory_equal(kosh_font_glyph(0xe9), kosh_font_glyph(0x7f), KOSH_FONT_HEIGHT);
}

/* A second renderer that draws the final cells from scratch. */
static void assert_same_as_fresh(struct screen *s)
{
	static uint32_t shadow[WIDTH * HEIGHT];
	struct render fresh;
	render_init(&fresh, &s->fb, shadow);
	struct kosh_term copy = s->term;
	for (uint32_t i = 0; i < ROWS; i++)
		copy.dirty[i / 32] |= 1u << (i % 32);
	render_update(&fresh, &copy);
	assert_memory_equal(shadow, s->shadow, sizeof(shadow));
}

static void test_render_incremental_equals_fresh_for_random_output(void **state)
{
	struct screen *s = *state;
	static const char *pieces[] = {"a",
				       "Z",
				       "\r\n",
				       "\r",
				       "\n",
				       "\t",
				       "\b",
				       "\x1b[A",
				       "\x1b[2B",
				       "\x1b[3C",
				       "\x1b[D",
				       "\x1b[H",
				       "\x1b[2;3H",
				       "\x1b[K",
				       "\x1b[1K",
				       "\x1b[2J",
				       "\x1b[J",
				       "\x1b[L",
				       "\x1b[M",
				       "\x1b[@",
				       "\x1b[P",
				       "\x1b[S",
				       "\x1b[T",
				       "\x1b[2;3r",
				       "\x1b[r",
				       "\x1bM",
				       "\x1b[7m",
				       "\x1b[0m",
				       "\x1b[31;42m",
				       "\x1b[1m",
				       "\x1b[?25l",
				       "\x1b[?25h",
				       "\x1b[?7l",
				       "\x1b[?7h",
				       "\xc3\xa9",
				       "0123456789abcdef",
				       "\x1b[4m",
				       "\x1b[38;5;200m",
				       "\x1b[48;2;1;2;3m"};
	srand(6);
	for (int step = 0; step < 3000; step++) {
		const char *p = pieces[rand() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t len = strlen(p);
		if (rand() % 4 == 0 && len > 1) { /* split a sequence across two writes */
			size_t cut = 1 + (size_t)rand() % (len - 1);
			put(s, p, cut);
			put(s, p + cut, len - cut);
		} else {
			put(s, p, len);
		}
		assert_same_as_fresh(s);
		/* What reached the framebuffer is the shadow. */
		for (uint32_t y = 0; y < HEIGHT; y++)
			assert_memory_equal(s->fb_mem + (size_t)y * PITCH,
					    s->shadow + (size_t)y * WIDTH, WIDTH * 4);
	}
	assert_padding_untouched(s);
}

#define RENDER_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_refuses_formats_it_cannot_draw),
	    cmocka_unit_test(test_render_grid_is_clamped_to_the_terminal_maxima),
	    RENDER_TEST(test_render_first_flush_clears_whole_screen),
	    RENDER_TEST(test_render_text_through_the_masks),
	    RENDER_TEST(test_render_reverse_hidden_and_underline),
	    RENDER_TEST(test_render_cursor_moves_and_hides),
	    RENDER_TEST(test_render_scrolls_the_pixels),
	    RENDER_TEST(test_render_flushes_only_changed_rows),
	    RENDER_TEST(test_render_wide_and_unknown_characters_get_the_box),
	    RENDER_TEST(test_render_incremental_equals_fresh_for_random_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
