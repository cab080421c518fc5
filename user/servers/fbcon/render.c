/* SPDX-License-Identifier: MIT */
/*
 * The framebuffer console's renderer (see render.h): terminal cells to pixels
 * in a shadow buffer, changed text rows to the framebuffer.
 */
#include "render.h"

#include <kosh/bootinfo.h>
#include <kosh/font.h>
#include <kosh/string.h>

#define UNDERLINE_ROW (KOSH_FONT_BASELINE + 2) /* below the descenders' bowls */
#define STRIKE_ROW    8			       /* through the x-height */
#define BRIGHT_WHITE  0xffffffu

static void mark(struct render *r, uint32_t row)
{
	r->flush[row / 32] |= 1u << (row % 32);
}

static int marked(const struct render *r, uint32_t row)
{
	return (r->flush[row / 32] >> (row % 32)) & 1;
}

/* ---- the pixel format ---- */

/* 1 if mask is one run of set bits. */
static int contiguous(uint32_t mask)
{
	while (mask && !(mask & 1))
		mask >>= 1;
	return mask && !(mask & (mask + 1));
}

static struct render_channel channel(uint32_t mask)
{
	struct render_channel c = {0, 0};
	while (!(mask & 1)) {
		mask >>= 1;
		c.shift++;
	}
	while (mask & 1) {
		mask >>= 1;
		c.bits++;
	}
	return c;
}

static uint32_t channel_value(struct render_channel c, uint32_t v)
{
	v = c.bits < 8 ? v >> (8 - c.bits) : v << (c.bits - 8);
	return v << c.shift;
}

uint32_t render_pixel(const struct render *r, uint32_t rgb)
{
	return channel_value(r->red, (rgb >> 16) & 0xff) |
	       channel_value(r->green, (rgb >> 8) & 0xff) | channel_value(r->blue, rgb & 0xff);
}

const char *render_refusal(const struct kosh_framebuffer *fb)
{
	uint32_t r = fb->red_mask, g = fb->green_mask, b = fb->blue_mask;
	if (fb->bpp != 32)
		return "not 32 bits per pixel";
	if (!contiguous(r) || !contiguous(g) || !contiguous(b))
		return "a colour mask is empty or not one run of bits";
	if ((r & g) || (r & b) || (g & b))
		return "colour masks overlap";
	if (fb->width < KOSH_FONT_WIDTH || fb->height < KOSH_FONT_HEIGHT)
		return "smaller than one character";
	if (fb->pitch % 4 || fb->pitch < (uint64_t)fb->width * 4)
		return "a scan line's pitch is not whole pixels or shorter than the line";
	if (fb->size < (uint64_t)fb->pitch * fb->height)
		return "smaller than its lines";
	return NULL;
}

void render_grid(uint32_t width, uint32_t height, uint32_t *cols, uint32_t *rows)
{
	*cols = width / KOSH_FONT_WIDTH;
	*rows = height / KOSH_FONT_HEIGHT;
	if (*cols > KOSH_TERM_COLS_MAX)
		*cols = KOSH_TERM_COLS_MAX;
	if (*rows > KOSH_TERM_ROWS_MAX)
		*rows = KOSH_TERM_ROWS_MAX;
}

void render_init(struct render *r, const struct kosh_framebuffer *fb, uint32_t *shadow)
{
	memset(r, 0, sizeof(*r));
	r->shadow = shadow;
	r->width = fb->width;
	r->height = fb->height;
	render_grid(fb->width, fb->height, &r->cols, &r->rows);
	r->red = channel(fb->red_mask);
	r->green = channel(fb->green_mask);
	r->blue = channel(fb->blue_mask);
	uint32_t bg = render_pixel(r, RENDER_DEFAULT_BG);
	for (size_t i = 0; i < (size_t)r->width * r->height; i++)
		shadow[i] = bg;
	r->flush_all = 1;
}

/* ---- colours ---- */

static uint32_t dimmed(uint32_t rgb)
{
	return ((rgb >> 1) & 0x7f7f7f) + ((rgb >> 2) & 0x3f3f3f); /* three quarters */
}

void render_cell_colours(const struct kosh_term_cell *c, uint32_t *fg, uint32_t *bg)
{
	uint32_t f = c->fg;
	if (c->attr & KOSH_TERM_ATTR_BOLD && KOSH_TERM_COLOUR_KIND(f) == KOSH_TERM_COLOUR_INDEXED &&
	    (f & 0xff) < 8)
		f += 8; /* bold basic colours are the bright ones, as on the Linux console */
	*fg = kosh_term_rgb(f, RENDER_DEFAULT_FG);
	if (c->attr & KOSH_TERM_ATTR_BOLD && KOSH_TERM_COLOUR_KIND(f) == KOSH_TERM_COLOUR_DEFAULT)
		*fg = BRIGHT_WHITE;
	*bg = kosh_term_rgb(c->bg, RENDER_DEFAULT_BG);
	if (c->attr & KOSH_TERM_ATTR_DIM)
		*fg = dimmed(*fg);
	if (c->attr & KOSH_TERM_ATTR_REVERSE) {
		uint32_t t = *fg;
		*fg = *bg;
		*bg = t;
	}
	if (c->attr & KOSH_TERM_ATTR_HIDDEN)
		*fg = *bg;
}

/* ---- drawing ---- */

static void draw_cell(struct render *r, const struct kosh_term *t, uint32_t col, uint32_t row,
		      int cursor)
{
	const struct kosh_term_cell *c = kosh_term_cell(t, col, row);
	uint32_t fg_rgb, bg_rgb;
	render_cell_colours(c, &fg_rgb, &bg_rgb);
	uint32_t fg = render_pixel(r, fg_rgb), bg = render_pixel(r, bg_rgb);
	if (cursor) {
		uint32_t tmp = fg;
		fg = bg;
		bg = tmp;
	}
	const uint8_t *glyph = kosh_font_glyph(c->ch);
	uint32_t *p = r->shadow + (size_t)row * KOSH_FONT_HEIGHT * r->width + col * KOSH_FONT_WIDTH;
	for (uint32_t y = 0; y < KOSH_FONT_HEIGHT; y++, p += r->width) {
		uint32_t bits = glyph[y];
		if ((y == UNDERLINE_ROW && c->attr & KOSH_TERM_ATTR_UNDERLINE) ||
		    (y == STRIKE_ROW && c->attr & KOSH_TERM_ATTR_STRIKE))
			bits = 0xff;
		for (uint32_t x = 0; x < KOSH_FONT_WIDTH; x++)
			p[x] = bits & (0x80u >> x) ? fg : bg;
	}
}

void render_hide_cursor(struct render *r, const struct kosh_term *t)
{
	if (!r->cursor_drawn)
		return;
	draw_cell(r, t, r->cursor_x, r->cursor_y, 0);
	mark(r, r->cursor_y);
	r->cursor_drawn = 0;
}

void render_scroll(struct render *r, uint32_t top, uint32_t bottom, int32_t n)
{
	if (top > bottom || bottom >= r->rows || !n)
		return;
	uint32_t span = bottom - top + 1, by = (uint32_t)(n > 0 ? n : -n);
	if (by > span)
		by = span;
	size_t row_px = (size_t)KOSH_FONT_HEIGHT * r->width;
	uint32_t *region = r->shadow + top * row_px;
	if (n > 0)
		memmove(region, region + by * row_px, (span - by) * row_px * 4);
	else
		memmove(region + by * row_px, region, (span - by) * row_px * 4);
	/* The rows uncovered are dirty in the terminal and will be drawn. */
	for (uint32_t row = top; row <= bottom; row++)
		mark(r, row);
}

void render_update(struct render *r, struct kosh_term *t)
{
	for (uint32_t row = 0; row < r->rows; row++) {
		if (!kosh_term_row_dirty(t, row))
			continue;
		for (uint32_t col = 0; col < r->cols; col++)
			draw_cell(r, t, col, row, 0);
		mark(r, row);
	}
	kosh_term_clean(t);
	if (r->cursor_drawn && (r->cursor_x != t->x || r->cursor_y != t->y))
		render_hide_cursor(r, t);
	if (t->modes & KOSH_TERM_MODE_CURSOR) {
		draw_cell(r, t, t->x, t->y, 1);
		r->cursor_x = t->x;
		r->cursor_y = t->y;
		r->cursor_drawn = 1;
		mark(r, t->y);
	} else {
		render_hide_cursor(r, t);
	}
}

static void copy_lines(const struct render *r, uint8_t *fb, uint32_t pitch, uint32_t first,
		       uint32_t count)
{
	for (uint32_t y = first; y < first + count; y++)
		memcpy(fb + (size_t)y * pitch, r->shadow + (size_t)y * r->width,
		       (size_t)r->width * 4);
}

uint32_t render_flush(struct render *r, void *fb, uint32_t pitch)
{
	uint32_t rows = 0;
	if (r->flush_all) {
		copy_lines(r, fb, pitch, 0, r->height);
		rows = r->rows + 1;
	} else {
		/* Runs of marked rows go out as one copy each. */
		for (uint32_t row = 0; row < r->rows;) {
			uint32_t end = row;
			while (end < r->rows && marked(r, end))
				end++;
			if (end > row) {
				copy_lines(r, fb, pitch, row * KOSH_FONT_HEIGHT,
					   (end - row) * KOSH_FONT_HEIGHT);
				rows += end - row;
			}
			row = end + 1;
		}
	}
	r->flush_all = 0;
	memset(r->flush, 0, sizeof(r->flush));
	return rows;
}
