/* SPDX-License-Identifier: MIT */
/*
 * A text console on a linear 32-bit framebuffer, drawn with the shared font
 * (<kosh/font.h>).
 *
 * The text area is cols x rows cells of KOSH_FONT_WIDTH x KOSH_FONT_HEIGHT
 * pixels in the top-left corner; pixels right of and below it are cleared once
 * and never drawn again. A console whose framebuffer fails the checks of fbcon_init() has
 * cols == 0 and ignores every call. While the cursor is shown its cell is
 * inverted, so it can be hidden again without knowing what lies beneath.
 * While a userspace process holds the framebuffer (fbcon_set_given), every
 * console draws nothing but a panic's lines.
 */
#ifndef KERNEL_FBCON_H
#define KERNEL_FBCON_H

#include <stddef.h>
#include <stdint.h>

struct kosh_framebuffer;

#define FBCON_DEFAULT_FG 0xc0c0c0 /* 0xRRGGBB */
#define FBCON_DEFAULT_BG 0x000000

/* Where one colour channel lies in a pixel. */
struct fbcon_channel {
	uint8_t shift; /* position of its lowest bit */
	uint8_t bits;  /* its width; 0 when the pixel has no such channel */
};

struct fbcon {
	uint8_t *pixels;
	uint32_t width;  /* pixels */
	uint32_t height; /* pixels */
	uint32_t pitch;  /* bytes from one scan line to the next */
	struct fbcon_channel red, green, blue;
	uint32_t cols, rows; /* text cells; cols == 0 marks a refused framebuffer */
	uint32_t x, y;       /* cursor cell; x == cols means "wrap before the next glyph" */
	uint32_t fg, bg;     /* pixel values */
	uint32_t cursor_xor; /* what the shown cursor XORed into its cell; 0 if hidden */
	int away;	     /* the framebuffer was given away: clear it when it comes back */
};

/*
 * Takes over the framebuffer fb, mapped at pixels: checks its geometry, derives
 * the channel positions from its masks and clears it to FBCON_DEFAULT_BG.
 */
void fbcon_init(struct fbcon *con, void *pixels, const struct kosh_framebuffer *fb);

/* Draws len bytes of s at the cursor; understands \n, \r, \t and \b. */
void fbcon_write(struct fbcon *con, const char *s, size_t len);

/*
 * given() says whether a userspace process holds the framebuffer now (asked
 * before each write; NULL: never). While it does, consoles draw only during a
 * panic; the first write after it stops clears the screen and starts at the
 * top left. Safe from any context, as given must be.
 */
void fbcon_set_given(int (*given)(void));

/* Sets the colours, as 0xRRGGBB, of everything drawn from now on. */
void fbcon_set_colour(struct fbcon *con, uint32_t fg_rgb, uint32_t bg_rgb);

#endif
