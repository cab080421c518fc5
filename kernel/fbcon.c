/* SPDX-License-Identifier: MIT */
/*
 * The framebuffer text console: glyphs of the shared font (<kosh/font.h>) drawn
 * into a linear 32-bit framebuffer of any size, pitch and channel order.
 *
 * Once a userspace console (sbin/fbcon) holds the framebuffer (log_console,
 * sys_log.c), nothing is drawn until it is back, or until a panic, whose report
 * must be seen whatever holds the screen. The screen then holds someone else's
 * drawing, so the console starts again on a cleared screen at the top left.
 *
 * Invariants: nothing is drawn outside width x height; the cursor is hidden
 * (cursor_xor == 0) while text is drawn or the cursor moves, and shown again
 * before a public call returns. Scrolling moves whole scan lines with one
 * memmove, so the padding after each line travels with it but is never drawn.
 */
#include <kosh/bootinfo.h>
#include <kosh/font.h>
#include <kosh/string.h>

#include "fbcon.h"
#include "panic.h"

#define FBCON_TAB_WIDTH 8

/* Whether a userspace process holds the framebuffer (fbcon_set_given), or NULL. */
static int (*fb_given)(void);

static uint32_t *scan_line(const struct fbcon *con, uint32_t line)
{
	return (uint32_t *)(con->pixels + (size_t)line * con->pitch);
}

/* The pixels of row r (0..KOSH_FONT_HEIGHT-1) of text cell (col, row). */
static uint32_t *cell_line(const struct fbcon *con, uint32_t col, uint32_t row, uint32_t r)
{
	return scan_line(con, row * KOSH_FONT_HEIGHT + r) + col * KOSH_FONT_WIDTH;
}

/* Paints scan lines first..first+count-1 across the whole width in background. */
static void clear_lines(struct fbcon *con, uint32_t first, uint32_t count)
{
	for (uint32_t line = first; line < first + count; line++) {
		uint32_t *p = scan_line(con, line);

		for (uint32_t i = 0; i < con->width; i++)
			p[i] = con->bg;
	}
}

static void draw_glyph(struct fbcon *con, uint32_t col, uint32_t row, const uint8_t *glyph)
{
	for (uint32_t r = 0; r < KOSH_FONT_HEIGHT; r++) {
		uint32_t *p = cell_line(con, col, row, r);
		uint32_t bits = glyph[r];

		for (uint32_t c = 0; c < KOSH_FONT_WIDTH; c++)
			p[c] = (bits & (0x80u >> c)) ? con->fg : con->bg;
	}
}

static void invert_cell(struct fbcon *con, uint32_t col, uint32_t row, uint32_t value)
{
	for (uint32_t r = 0; r < KOSH_FONT_HEIGHT; r++) {
		uint32_t *p = cell_line(con, col, row, r);

		for (uint32_t c = 0; c < KOSH_FONT_WIDTH; c++)
			p[c] ^= value;
	}
}

/* The cell the cursor stands on: the last column while a wrap is pending. */
static uint32_t cursor_col(const struct fbcon *con)
{
	return con->x < con->cols ? con->x : con->cols - 1;
}

/* XOR with fg ^ bg swaps the two colours, so hiding needs no copy of the cell. */
static void show_cursor(struct fbcon *con)
{
	con->cursor_xor = con->fg ^ con->bg;
	invert_cell(con, cursor_col(con), con->y, con->cursor_xor);
}

static void hide_cursor(struct fbcon *con)
{
	if (!con->cursor_xor)
		return;
	invert_cell(con, cursor_col(con), con->y, con->cursor_xor);
	con->cursor_xor = 0;
}

static void scroll(struct fbcon *con)
{
	size_t row_bytes = (size_t)KOSH_FONT_HEIGHT * con->pitch;

	memmove(con->pixels, con->pixels + row_bytes, (con->rows - 1) * row_bytes);
	clear_lines(con, (con->rows - 1) * KOSH_FONT_HEIGHT, KOSH_FONT_HEIGHT);
}

static void new_line(struct fbcon *con)
{
	con->x = 0;
	if (con->y + 1 < con->rows)
		con->y++;
	else
		scroll(con);
}

/* Wrapping waits for the next glyph, so a line of exactly cols glyphs and a
 * '\n' do not leave an empty line behind. */
static void put_glyph(struct fbcon *con, char c)
{
	if (con->x == con->cols)
		new_line(con);
	draw_glyph(con, con->x, con->y, kosh_font_glyph((unsigned char)c));
	con->x++;
}

static void put_tab(struct fbcon *con)
{
	uint32_t stop = (con->x / FBCON_TAB_WIDTH + 1) * FBCON_TAB_WIDTH;

	con->x = stop < con->cols ? stop : con->cols;
}

static void put_byte(struct fbcon *con, char c)
{
	switch (c) {
	case '\n':
		new_line(con);
		break;
	case '\r':
		con->x = 0;
		break;
	case '\t':
		put_tab(con);
		break;
	case '\b':
		if (con->x > 0)
			con->x--;
		break;
	default:
		put_glyph(con, c);
		break;
	}
}

static struct fbcon_channel channel_from_mask(uint32_t mask)
{
	struct fbcon_channel ch = { 0, 0 };

	if (!mask)
		return ch;
	while (!(mask & 1)) {
		mask >>= 1;
		ch.shift++;
	}
	while (mask & 1) {
		mask >>= 1;
		ch.bits++;
	}
	return ch;
}

/* Scales an 8-bit intensity to the channel's width and moves it into place. */
static uint32_t channel_value(struct fbcon_channel ch, uint32_t value)
{
	if (!ch.bits)
		return 0;
	if (ch.bits < 8)
		value >>= 8 - ch.bits;
	else
		value <<= ch.bits - 8;
	return value << ch.shift;
}

static uint32_t pixel_from_rgb(const struct fbcon *con, uint32_t rgb)
{
	return channel_value(con->red, (rgb >> 16) & 0xff) |
	       channel_value(con->green, (rgb >> 8) & 0xff) |
	       channel_value(con->blue, rgb & 0xff);
}

/* UEFI gives masks only for PixelBitMask modes; when the loader passed none,
 * assume the blue-green-red-reserved order nearly all firmware uses. */
static void set_channels(struct fbcon *con, const struct kosh_framebuffer *fb)
{
	if (!(fb->red_mask | fb->green_mask | fb->blue_mask)) {
		con->red = channel_from_mask(0x00ff0000);
		con->green = channel_from_mask(0x0000ff00);
		con->blue = channel_from_mask(0x000000ff);
		return;
	}
	con->red = channel_from_mask(fb->red_mask);
	con->green = channel_from_mask(fb->green_mask);
	con->blue = channel_from_mask(fb->blue_mask);
}

/* The pitch must also keep every pixel 4-byte aligned. */
static int framebuffer_usable(const void *pixels, const struct kosh_framebuffer *fb)
{
	if (!pixels || fb->bpp != 32)
		return 0;
	if (fb->width < KOSH_FONT_WIDTH || fb->height < KOSH_FONT_HEIGHT)
		return 0;
	if (fb->pitch % 4 || fb->pitch < (uint64_t)fb->width * 4)
		return 0;
	return fb->size >= (uint64_t)fb->pitch * fb->height;
}

void fbcon_init(struct fbcon *con, void *pixels, const struct kosh_framebuffer *fb)
{
	*con = (struct fbcon){ 0 };
	if (!framebuffer_usable(pixels, fb))
		return;
	con->pixels = pixels;
	con->width = fb->width;
	con->height = fb->height;
	con->pitch = fb->pitch;
	set_channels(con, fb);
	con->cols = fb->width / KOSH_FONT_WIDTH;
	con->rows = fb->height / KOSH_FONT_HEIGHT;
	con->fg = pixel_from_rgb(con, FBCON_DEFAULT_FG);
	con->bg = pixel_from_rgb(con, FBCON_DEFAULT_BG);
	clear_lines(con, 0, con->height);
	show_cursor(con);
}

void fbcon_set_given(int (*given)(void))
{
	fb_given = given;
}

/* Whether the console may draw now; coming back, it clears what the holder drew. */
static int drawing(struct fbcon *con)
{
	if (fb_given && fb_given() && !panic_in_progress()) {
		con->away = 1;
		return 0;
	}
	if (con->away) {
		con->away = 0;
		con->x = 0;
		con->y = 0;
		con->cursor_xor = 0; /* the cell it inverted was drawn over */
		clear_lines(con, 0, con->height);
		show_cursor(con);
	}
	return 1;
}

void fbcon_write(struct fbcon *con, const char *s, size_t len)
{
	if (!con->cols || !drawing(con))
		return;
	hide_cursor(con);
	for (size_t i = 0; i < len; i++)
		put_byte(con, s[i]);
	show_cursor(con);
}

void fbcon_set_colour(struct fbcon *con, uint32_t fg_rgb, uint32_t bg_rgb)
{
	if (!con->cols)
		return;
	int shown = drawing(con);
	if (shown)
		hide_cursor(con);
	con->fg = pixel_from_rgb(con, fg_rgb);
	con->bg = pixel_from_rgb(con, bg_rgb);
	if (shown)
		show_cursor(con);
}
