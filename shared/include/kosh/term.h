/* SPDX-License-Identifier: MIT */
/*
 * A terminal model: a grid of character cells over caller memory, a cursor, and
 * a parser for the byte stream programs write to a terminal (UTF-8 text, C0
 * controls, ECMA-48 / VT100 escape and control sequences; docs/term.md lists
 * what is understood). It draws nothing: a renderer reads the cells and redraws
 * the rows marked dirty.
 *
 * Invariants after every call: x < cols, y < rows, top <= bottom < rows, and
 * every cell holds a printable Unicode scalar value (never a control or a
 * surrogate), colours of a valid kind and attributes within KOSH_TERM_ATTR_ALL.
 * Any byte sequence is accepted; what is not understood is dropped.
 */
#ifndef KOSH_TERM_H
#define KOSH_TERM_H

#include <stddef.h>
#include <stdint.h>

#define KOSH_TERM_COLS_MAX    512
#define KOSH_TERM_ROWS_MAX    256
#define KOSH_TERM_PARAMS_MAX  16    /* parameters of one control sequence */
#define KOSH_TERM_PARAM_MAX   65535 /* a larger parameter voids its sequence */
#define KOSH_TERM_TAB_WIDTH   8
#define KOSH_TERM_REPLACEMENT 0xfffdu /* stands for every malformed UTF-8 sequence */

/*
 * A colour is one of three kinds, in bits 24..25: the default (foreground or
 * background, as the renderer chooses), an index into the xterm 256-colour
 * palette (0..7 normal, 8..15 bright, 16..231 a 6x6x6 cube, 232..255 greys), or
 * a 24-bit RGB value.
 */
#define KOSH_TERM_COLOUR_DEFAULT    0x00000000u
#define KOSH_TERM_COLOUR_INDEXED    0x01000000u
#define KOSH_TERM_COLOUR_RGB	    0x02000000u
#define KOSH_TERM_COLOUR_KIND(c)    ((c)&0x03000000u)
#define KOSH_TERM_COLOUR_INDEX(n)   (KOSH_TERM_COLOUR_INDEXED | ((uint32_t)(n)&0xffu))
#define KOSH_TERM_COLOUR_RGB24(rgb) (KOSH_TERM_COLOUR_RGB | ((uint32_t)(rgb)&0xffffffu))

/* Cell attributes (SGR). The renderer decides how each looks, if at all. */
#define KOSH_TERM_ATTR_BOLD	 (1u << 0)
#define KOSH_TERM_ATTR_DIM	 (1u << 1)
#define KOSH_TERM_ATTR_ITALIC	 (1u << 2)
#define KOSH_TERM_ATTR_UNDERLINE (1u << 3)
#define KOSH_TERM_ATTR_BLINK	 (1u << 4)
#define KOSH_TERM_ATTR_REVERSE	 (1u << 5) /* swap fg and bg when drawing */
#define KOSH_TERM_ATTR_HIDDEN	 (1u << 6)
#define KOSH_TERM_ATTR_STRIKE	 (1u << 7)
#define KOSH_TERM_ATTR_ALL	 0xffu

/* Bits of kosh_term.modes. */
#define KOSH_TERM_MODE_CURSOR	(1u << 0) /* cursor shown (DECTCEM, CSI ?25 h/l) */
#define KOSH_TERM_MODE_AUTOWRAP (1u << 1) /* wrap at the right margin (DECAWM, CSI ?7 h/l) */
#define KOSH_TERM_MODE_ORIGIN	(1u << 2) /* rows count from the scroll region (DECOM, ?6) */
#define KOSH_TERM_MODE_NEWLINE	(1u << 3) /* LF, VT and FF also return (LNM, CSI 20 h/l) */

struct kosh_term_cell {
	uint32_t ch; /* Unicode scalar value; ' ' when empty */
	uint32_t fg; /* KOSH_TERM_COLOUR_* */
	uint32_t bg;
	uint32_t attr; /* KOSH_TERM_ATTR_* */
};
_Static_assert(sizeof(struct kosh_term_cell) == 16, "a cell is four words");

/* What the terminal tells its owner; any member may be NULL. */
struct kosh_term_ops {
	/*
	 * Rows top..bottom (inclusive) moved up by n rows (n > 0) or down by -n,
	 * the rows uncovered being blank. Called after the cells moved; with this
	 * set the dirty marks move with their rows, so a renderer that moves its
	 * pixels the same way need only redraw dirty rows. Without it every row of
	 * the region is marked dirty.
	 */
	void (*scroll)(void *ctx, uint32_t top, uint32_t bottom, int32_t n);
	/* Bytes the terminal sends back to the program (status reports). */
	void (*reply)(void *ctx, const char *bytes, size_t len);
	void *ctx;
};

/* The pen: what newly written cells get. */
struct kosh_term_pen {
	uint32_t fg, bg, attr;
};

/* Saved by DECSC (ESC 7, CSI s), restored by DECRC (ESC 8, CSI u). */
struct kosh_term_saved {
	uint32_t x, y;
	struct kosh_term_pen pen;
	uint32_t origin; /* KOSH_TERM_MODE_ORIGIN or 0 */
	uint8_t wrap_pending;
};

/* Renderers may read every field; only kosh_term_* functions change them. */
struct kosh_term {
	struct kosh_term_cell *cells; /* rows * cols, row-major */
	uint32_t cols, rows;
	uint32_t x, y;	      /* the cursor */
	uint8_t wrap_pending; /* a glyph went into the last column: wrap before the next */
	uint32_t top, bottom; /* the scroll region, inclusive */
	uint32_t modes;	      /* KOSH_TERM_MODE_* */
	struct kosh_term_pen pen;
	struct kosh_term_saved saved;
	uint32_t dirty[KOSH_TERM_ROWS_MAX / 32];
	struct kosh_term_ops ops;

	/* The parser (private). */
	uint8_t state;
	uint8_t private_marker; /* '<' '=' '>' '?' or 0 */
	uint8_t intermediate;	/* the one 0x20..0x2f byte allowed, or 0 */
	uint8_t invalid;	/* the sequence in progress will be dropped */
	uint32_t param_count;
	uint32_t params[KOSH_TERM_PARAMS_MAX];
	uint32_t utf8_cp;	     /* UTF-8 decoder: bits so far */
	uint8_t utf8_need;	     /* continuation bytes still to come */
	uint8_t utf8_low, utf8_high; /* the range of the next byte */
};

/*
 * Starts a blank terminal of cols x rows over cells[cols * rows], cursor at
 * home, autowrap on, cursor shown, every row dirty. ops may be NULL.
 * Returns 0, or -1 (t untouched) if a size is 0 or over the maxima or cells is NULL.
 */
int kosh_term_init(struct kosh_term *t, struct kosh_term_cell *cells, uint32_t cols, uint32_t rows,
		   const struct kosh_term_ops *ops);

/* Interprets len bytes of output; sequences may be split across calls. */
void kosh_term_write(struct kosh_term *t, const void *bytes, size_t len);

/* Back to the state kosh_term_init left (RIS, ESC c), keeping size and ops. */
void kosh_term_reset(struct kosh_term *t);

/* The cell at (col, row), or NULL outside the grid. */
const struct kosh_term_cell *kosh_term_cell(const struct kosh_term *t, uint32_t col, uint32_t row);

/* Whether row changed since the last kosh_term_clean (0 outside the grid). */
int kosh_term_row_dirty(const struct kosh_term *t, uint32_t row);

/* Marks every row clean: the renderer has drawn them. */
void kosh_term_clean(struct kosh_term *t);

/* A colour as 0xRRGGBB, default_rgb standing for KOSH_TERM_COLOUR_DEFAULT. */
uint32_t kosh_term_rgb(uint32_t colour, uint32_t default_rgb);

/* The nearest of the 16 basic colours to a colour (the default stays default). */
uint32_t kosh_term_nearest16(uint32_t colour);

#endif
