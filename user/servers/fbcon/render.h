/* SPDX-License-Identifier: MIT */
/*
 * The framebuffer console's renderer: draws the cells of a terminal model
 * (<kosh/term.h>) with the shared 8x16 font (<kosh/font.h>) into a shadow
 * buffer in RAM, then copies only the scan lines that changed to the
 * framebuffer, which is write-combining memory: written in long runs, never
 * read. Pure C over caller memory, so the same code runs in sbin/fbcon, in the
 * host tests and in the host tool that draws the screens the QEMU test expects.
 *
 * The text area is cols x rows cells in the top-left corner; the rest of the
 * screen stays background. Colours: the 16 basic ones as the VGA text mode
 * shows them (bold turns 0..7 into 8..15 and the default foreground into bright
 * white), the 256-colour palette and RGB through kosh_term_rgb; reverse swaps,
 * hidden draws the background, dim darkens, underline and strike-through draw
 * a line; the cursor is the cell drawn in reversed colours.
 *
 * Invariants: the shadow holds exactly what the terminal's cells, plus the
 * cursor where it was last drawn, look like; every text row that differs from
 * what the framebuffer shows is marked in flush.
 */
#ifndef FBCON_RENDER_H
#define FBCON_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/term.h>

struct kosh_framebuffer;

#define RENDER_DEFAULT_FG 0xaaaaaau /* 0xRRGGBB: palette 7, as term.c's */
#define RENDER_DEFAULT_BG 0x000000u

/* Where one colour channel lies in a pixel. */
struct render_channel {
	uint8_t shift, bits;
};

struct render {
	uint32_t *shadow;	/* width * height pixels, row after row */
	uint32_t width, height; /* pixels */
	uint32_t cols, rows;	/* text cells */
	struct render_channel red, green, blue;
	uint32_t cursor_x, cursor_y; /* where the cursor is drawn, if cursor_drawn */
	int cursor_drawn;
	uint32_t flush[KOSH_TERM_ROWS_MAX / 32]; /* text rows to copy out */
	int flush_all;				 /* the whole screen (the area past the text too) */
};

/*
 * Why framebuffer fb cannot be drawn on (a sentence for the log), or NULL: it
 * must be 32 bits per pixel with three non-empty, contiguous, disjoint colour
 * masks, at least one cell, a pitch of whole pixels that holds a line, and a
 * size that holds every line.
 */
const char *render_refusal(const struct kosh_framebuffer *fb);

/* The text grid a framebuffer of width x height pixels holds, within the terminal's maxima. */
void render_grid(uint32_t width, uint32_t height, uint32_t *cols, uint32_t *rows);

/*
 * Starts a renderer of the accepted framebuffer fb over shadow (fb->width *
 * fb->height pixels), cleared to the background; the whole screen is to be
 * flushed.
 */
void render_init(struct render *r, const struct kosh_framebuffer *fb, uint32_t *shadow);

/* Takes the cursor out of the shadow: call before the terminal changes. */
void render_hide_cursor(struct render *r, const struct kosh_term *t);

/* Text rows top..bottom moved up by n (down by -n): kosh_term_ops.scroll's contract. */
void render_scroll(struct render *r, uint32_t top, uint32_t bottom, int32_t n);

/* Draws the rows the terminal marks dirty (and cleans them), then the cursor. */
void render_update(struct render *r, struct kosh_term *t);

/*
 * Copies what changed to the framebuffer at fb (pitch bytes a scan line) and
 * forgets it. How many text rows went out (rows + 1 for the whole screen).
 */
uint32_t render_flush(struct render *r, void *fb, uint32_t pitch);

/* The pixel value of 0xRRGGBB in this framebuffer's format. */
uint32_t render_pixel(const struct render *r, uint32_t rgb);

/* The 0xRRGGBB a cell's foreground and background are drawn in (cursor aside). */
void render_cell_colours(const struct kosh_term_cell *c, uint32_t *fg, uint32_t *bg);

#endif
