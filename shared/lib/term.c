/* SPDX-License-Identifier: MIT */
/*
 * The terminal model (see <kosh/term.h> and docs/term.md).
 *
 * The parser is a subset of the DEC ANSI parser state machine (the one xterm and
 * the VT500 series follow): every byte moves it by one transition, with a fixed
 * amount of state, so no input can make it loop, grow or index out of range. C0
 * controls act even inside a sequence; ESC abandons a sequence and starts the
 * next; CAN and SUB abandon it; a byte of 0x80 or above abandons it and is read
 * again as text. A sequence with too many or too large parameters is read to its
 * end and dropped ("invalid").
 *
 * The cursor is always inside the grid: a glyph written into the last column
 * leaves it there with wrap_pending set, and the wrap happens when the next
 * glyph comes (VT100's deferred wrap), so a full-width line followed by CR LF
 * does not leave an empty line behind. Any cursor movement cancels the wrap.
 */
#include <kosh/string.h>
#include <kosh/term.h>

enum state {
	STATE_GROUND,
	STATE_ESCAPE,
	STATE_ESCAPE_INTERMEDIATE,
	STATE_CSI,
	STATE_STRING, /* OSC, DCS, SOS, PM, APC: skipped up to BEL or ST */
};

#define CAN 0x18
#define SUB 0x1a
#define ESC 0x1b
#define DEL 0x7f

/* The 16 basic colours, as the VGA text mode shows them. */
static const uint32_t basic_rgb[16] = {
    0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
    0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

static const uint8_t cube_level[6] = {0, 95, 135, 175, 215, 255};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- the grid ---- */

static struct kosh_term_cell *cell_at(struct kosh_term *t, uint32_t col, uint32_t row)
{
	return &t->cells[(size_t)row * t->cols + col];
}

static void mark_dirty(struct kosh_term *t, uint32_t row)
{
	t->dirty[row / 32] |= 1u << (row % 32);
}

static void mark_rows_dirty(struct kosh_term *t, uint32_t first, uint32_t last)
{
	for (uint32_t row = first; row <= last; row++)
		mark_dirty(t, row);
}

/* An erased cell keeps the pen's background (as xterm and the Linux console do). */
static struct kosh_term_cell blank_cell(const struct kosh_term *t)
{
	return (struct kosh_term_cell){
	    .ch = ' ', .fg = KOSH_TERM_COLOUR_DEFAULT, .bg = t->pen.bg, .attr = 0};
}

/* Blanks columns first..last (inclusive, first <= last < cols) of row. */
static void erase_cells(struct kosh_term *t, uint32_t row, uint32_t first, uint32_t last)
{
	struct kosh_term_cell blank = blank_cell(t);

	for (uint32_t col = first; col <= last; col++)
		*cell_at(t, col, row) = blank;
	mark_dirty(t, row);
}

static void erase_rows(struct kosh_term *t, uint32_t first, uint32_t last)
{
	for (uint32_t row = first; row <= last; row++)
		erase_cells(t, row, 0, t->cols - 1);
}

static int row_is_dirty(const struct kosh_term *t, uint32_t row)
{
	return (t->dirty[row / 32] >> (row % 32)) & 1;
}

/* Row to takes the dirty mark of row from. */
static void copy_dirty(struct kosh_term *t, uint32_t to, uint32_t from)
{
	if (row_is_dirty(t, from))
		mark_dirty(t, to);
	else
		t->dirty[to / 32] &= ~(1u << (to % 32));
}

/* The dirty marks of rows top..bottom follow their rows count up (n > 0) or down. */
static void move_dirty(struct kosh_term *t, uint32_t top, uint32_t bottom, int32_t n)
{
	uint32_t count = n > 0 ? (uint32_t)n : (uint32_t)-n;

	if (n > 0) {
		for (uint32_t row = top; row + count <= bottom; row++)
			copy_dirty(t, row, row + count);
	} else {
		/* row >= top + count >= 1, so row-- never wraps. */
		for (uint32_t row = bottom; row >= top + count; row--)
			copy_dirty(t, row, row - count);
	}
}

/*
 * Moves rows top..bottom up by n (n > 0) or down by -n, blanking the rows
 * uncovered. |n| is at least 1 and at most the height of the region.
 */
static void scroll_rows(struct kosh_term *t, uint32_t top, uint32_t bottom, int32_t n)
{
	uint32_t height = bottom - top + 1;
	uint32_t count = n > 0 ? (uint32_t)n : (uint32_t)-n;
	size_t row_size = (size_t)t->cols * sizeof(struct kosh_term_cell);

	if (count < height) {
		uint32_t from = n > 0 ? top + count : top, to = n > 0 ? top : top + count;

		memmove(cell_at(t, 0, to), cell_at(t, 0, from), (height - count) * row_size);
	}
	if (t->ops.scroll && count < height)
		move_dirty(t, top, bottom, n);
	else
		mark_rows_dirty(t, top, bottom);
	if (n > 0)
		erase_rows(t, bottom - count + 1, bottom);
	else
		erase_rows(t, top, top + count - 1);
	if (t->ops.scroll)
		t->ops.scroll(t->ops.ctx, top, bottom, n > 0 ? (int32_t)count : -(int32_t)count);
}

/* Scrolls the region by n rows (n != 0), clamped to its height. */
static void scroll_region(struct kosh_term *t, uint32_t top, uint32_t bottom, int64_t n)
{
	int64_t height = bottom - top + 1;

	if (n > height)
		n = height;
	if (n < -height)
		n = -height;
	if (n)
		scroll_rows(t, top, bottom, (int32_t)n);
}

/* ---- the cursor ---- */

static void move_to(struct kosh_term *t, uint32_t x, uint32_t y)
{
	t->x = min_u32(x, t->cols - 1);
	t->y = min_u32(y, t->rows - 1);
	t->wrap_pending = 0;
}

/* The rows the cursor may reach: the scroll region in origin mode, else all. */
static uint32_t first_row(const struct kosh_term *t)
{
	return (t->modes & KOSH_TERM_MODE_ORIGIN) ? t->top : 0;
}

static uint32_t last_row(const struct kosh_term *t)
{
	return (t->modes & KOSH_TERM_MODE_ORIGIN) ? t->bottom : t->rows - 1;
}

/* CUP: row and col count from 0, row from the top of the region in origin mode. */
static void move_to_origin(struct kosh_term *t, uint32_t col, uint32_t row)
{
	move_to(t, col, min_u32(first_row(t) + min_u32(row, t->rows), last_row(t)));
}

/* LF, IND: down one row, scrolling at the bottom of the region. */
static void line_feed(struct kosh_term *t)
{
	t->wrap_pending = 0;
	if (t->y == t->bottom)
		scroll_region(t, t->top, t->bottom, 1);
	else if (t->y + 1 < t->rows)
		t->y++;
}

/* RI: up one row, scrolling down at the top of the region. */
static void reverse_index(struct kosh_term *t)
{
	t->wrap_pending = 0;
	if (t->y == t->top)
		scroll_region(t, t->top, t->bottom, -1);
	else if (t->y > 0)
		t->y--;
}

/* CUU/CUD: up or down n rows, stopping at the region's margin if inside it. */
static void move_rows(struct kosh_term *t, int64_t n)
{
	int64_t y = (int64_t)t->y + n;
	int64_t low = t->y >= t->top ? t->top : 0;
	int64_t high = t->y <= t->bottom ? t->bottom : t->rows - 1;

	move_to(t, t->x, (uint32_t)(y < low ? low : y > high ? high : y));
}

static void move_cols(struct kosh_term *t, int64_t n)
{
	int64_t x = (int64_t)t->x + n;

	move_to(t, (uint32_t)(x < 0 ? 0 : x > t->cols - 1 ? t->cols - 1 : x), t->y);
}

/* HT, CHT, CBT: n tab stops forward (n > 0) or back, stops every 8 columns. */
static void tab(struct kosh_term *t, int64_t n)
{
	int64_t x = t->x;

	for (; n > 0 && x < t->cols - 1; n--)
		x = (x / KOSH_TERM_TAB_WIDTH + 1) * KOSH_TERM_TAB_WIDTH;
	for (; n < 0 && x > 0; n++)
		x = (x - 1) / KOSH_TERM_TAB_WIDTH * KOSH_TERM_TAB_WIDTH;
	move_cols(t, x - t->x);
}

static void save_cursor(struct kosh_term *t)
{
	t->saved = (struct kosh_term_saved){
	    .x = t->x,
	    .y = t->y,
	    .pen = t->pen,
	    .origin = t->modes & KOSH_TERM_MODE_ORIGIN,
	    .wrap_pending = t->wrap_pending,
	};
}

static void restore_cursor(struct kosh_term *t)
{
	t->modes = (t->modes & ~KOSH_TERM_MODE_ORIGIN) | t->saved.origin;
	t->pen = t->saved.pen;
	move_to(t, t->saved.x, t->saved.y);
	t->wrap_pending = t->saved.wrap_pending && t->x == t->cols - 1;
}

/* ---- text ---- */

static void put_glyph(struct kosh_term *t, uint32_t ch)
{
	if (t->wrap_pending && (t->modes & KOSH_TERM_MODE_AUTOWRAP)) {
		t->x = 0;
		line_feed(t);
	}
	*cell_at(t, t->x, t->y) = (struct kosh_term_cell){
	    .ch = ch, .fg = t->pen.fg, .bg = t->pen.bg, .attr = t->pen.attr};
	mark_dirty(t, t->y);
	if (t->x + 1 < t->cols) {
		t->x++;
		t->wrap_pending = 0;
	} else {
		t->wrap_pending = 1;
	}
}

/* C1 controls (U+0080..U+009F) arrive only as UTF-8 here and are not obeyed. */
static void put_codepoint(struct kosh_term *t, uint32_t ch)
{
	if (ch >= 0x80 && ch < 0xa0)
		return;
	put_glyph(t, ch);
}

static void execute(struct kosh_term *t, uint8_t c)
{
	switch (c) {
	case '\b':
		move_cols(t, -1);
		break;
	case '\t':
		tab(t, 1);
		break;
	case '\n':
	case '\v':
	case '\f':
		if (t->modes & KOSH_TERM_MODE_NEWLINE)
			t->x = 0;
		line_feed(t);
		break;
	case '\r':
		move_to(t, 0, t->y);
		break;
	default: /* BEL, SO, SI, NUL … */
		break;
	}
}

/* ---- UTF-8 (Unicode 15, table 3-7: no overlong forms, surrogates or > U+10FFFF) ---- */

static void utf8_start(struct kosh_term *t, uint8_t c)
{
	t->utf8_low = 0x80;
	t->utf8_high = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		t->utf8_need = 1;
		t->utf8_cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		t->utf8_need = 2;
		t->utf8_cp = c & 0x0f;
		if (c == 0xe0)
			t->utf8_low = 0xa0;
		else if (c == 0xed)
			t->utf8_high = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		t->utf8_need = 3;
		t->utf8_cp = c & 0x07;
		if (c == 0xf0)
			t->utf8_low = 0x90;
		else if (c == 0xf4)
			t->utf8_high = 0x8f;
	} else {
		put_codepoint(t, KOSH_TERM_REPLACEMENT); /* 0x80..0xc1, 0xf5..0xff */
	}
}

/* A byte of 0x80 or above in the ground state. */
static void utf8_byte(struct kosh_term *t, uint8_t c)
{
	if (!t->utf8_need) {
		utf8_start(t, c);
		return;
	}
	if (c < t->utf8_low || c > t->utf8_high) {
		/* The sequence so far is one maximal subpart: one U+FFFD, then c anew. */
		t->utf8_need = 0;
		put_codepoint(t, KOSH_TERM_REPLACEMENT);
		utf8_start(t, c);
		return;
	}
	t->utf8_cp = t->utf8_cp << 6 | (c & 0x3f);
	t->utf8_low = 0x80;
	t->utf8_high = 0xbf;
	if (--t->utf8_need == 0)
		put_codepoint(t, t->utf8_cp);
}

/* An ASCII byte cuts short any sequence in progress. */
static void utf8_interrupt(struct kosh_term *t)
{
	if (t->utf8_need) {
		t->utf8_need = 0;
		put_codepoint(t, KOSH_TERM_REPLACEMENT);
	}
}

/* ---- replies ---- */

static size_t format_u32(char *out, uint32_t v)
{
	char digits[10];
	size_t n = 0, len = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[len++] = digits[--n];
	return len;
}

static void reply(struct kosh_term *t, const char *bytes, size_t len)
{
	if (t->ops.reply)
		t->ops.reply(t->ops.ctx, bytes, len);
}

/* DSR 6: CSI row ; col R, 1-based, the row relative to the region in origin mode. */
static void report_cursor(struct kosh_term *t)
{
	char buf[32];
	size_t len = 0;

	buf[len++] = ESC;
	buf[len++] = '[';
	/* A cursor DECRC put above a region set since counts as its first row. */
	len += format_u32(buf + len, t->y > first_row(t) ? t->y - first_row(t) + 1 : 1);
	buf[len++] = ';';
	len += format_u32(buf + len, t->x + 1);
	buf[len++] = 'R';
	reply(t, buf, len);
}

/* ---- control sequences ---- */

/* Parameter i, or def when absent or 0 (ECMA-48: 0 means the default). */
static uint32_t param(const struct kosh_term *t, uint32_t i, uint32_t def)
{
	return i < t->param_count && t->params[i] ? t->params[i] : def;
}

/* ED */
static void erase_display(struct kosh_term *t, uint32_t mode)
{
	switch (mode) {
	case 0:
		erase_cells(t, t->y, t->x, t->cols - 1);
		if (t->y + 1 < t->rows)
			erase_rows(t, t->y + 1, t->rows - 1);
		break;
	case 1:
		if (t->y > 0)
			erase_rows(t, 0, t->y - 1);
		erase_cells(t, t->y, 0, t->x);
		break;
	case 2:
		erase_rows(t, 0, t->rows - 1);
		break;
	default: /* 3 (the scroll-back, which there is none of) and unknown modes */
		return;
	}
	t->wrap_pending = 0;
}

/* EL */
static void erase_line(struct kosh_term *t, uint32_t mode)
{
	switch (mode) {
	case 0:
		erase_cells(t, t->y, t->x, t->cols - 1);
		break;
	case 1:
		erase_cells(t, t->y, 0, t->x);
		break;
	case 2:
		erase_cells(t, t->y, 0, t->cols - 1);
		break;
	default:
		return;
	}
	t->wrap_pending = 0;
}

/* ICH (n > 0) and DCH (n < 0): shift the rest of the line right or left. */
static void shift_cells(struct kosh_term *t, int64_t n)
{
	uint32_t room = t->cols - t->x;
	uint32_t count = (uint32_t)min_u32(n > 0 ? (uint32_t)n : (uint32_t)-n, room);
	struct kosh_term_cell *here = cell_at(t, t->x, t->y);

	if (count < room) {
		if (n > 0)
			memmove(here + count, here, (room - count) * sizeof(*here));
		else
			memmove(here, here + count, (room - count) * sizeof(*here));
	}
	if (n > 0)
		erase_cells(t, t->y, t->x, t->x + count - 1);
	else
		erase_cells(t, t->y, t->cols - count, t->cols - 1);
	t->wrap_pending = 0;
}

/* IL (n > 0) and DL (n < 0): only inside the scroll region; the cursor goes to column 0. */
static void shift_lines(struct kosh_term *t, int64_t n)
{
	if (t->y < t->top || t->y > t->bottom)
		return;
	scroll_region(t, t->y, t->bottom, -n);
	move_to(t, 0, t->y);
}

/* DECSTBM */
static void set_region(struct kosh_term *t)
{
	uint32_t top = param(t, 0, 1) - 1;
	uint32_t bottom = min_u32(param(t, 1, t->rows), t->rows) - 1;

	if (top >= bottom)
		return;
	t->top = top;
	t->bottom = bottom;
	move_to_origin(t, 0, 0);
}

static uint32_t mode_bit(const struct kosh_term *t, uint32_t mode)
{
	if (t->private_marker == '?') {
		switch (mode) {
		case 6:
			return KOSH_TERM_MODE_ORIGIN;
		case 7:
			return KOSH_TERM_MODE_AUTOWRAP;
		case 25:
			return KOSH_TERM_MODE_CURSOR;
		}
		return 0;
	}
	return mode == 20 ? KOSH_TERM_MODE_NEWLINE : 0;
}

/* SM and RM: each parameter names a mode; unknown ones are ignored. */
static void set_modes(struct kosh_term *t, int on)
{
	for (uint32_t i = 0; i < t->param_count; i++) {
		uint32_t bit = mode_bit(t, t->params[i]);

		if (on)
			t->modes |= bit;
		else
			t->modes &= ~bit;
		if (bit == KOSH_TERM_MODE_ORIGIN)
			move_to_origin(t, 0, 0);
	}
}

/* SGR 38 and 48: ";5;n" or ";2;r;g;b" after params[*i]. Returns 0 if malformed. */
static int extended_colour(const struct kosh_term *t, uint32_t *i, uint32_t *out)
{
	const uint32_t *p = t->params;
	uint32_t at = *i;

	if (at + 2 < t->param_count && p[at + 1] == 5 && p[at + 2] <= 255) {
		*out = KOSH_TERM_COLOUR_INDEX(p[at + 2]);
		*i = at + 2;
		return 1;
	}
	if (at + 4 < t->param_count && p[at + 1] == 2 && p[at + 2] <= 255 && p[at + 3] <= 255 &&
	    p[at + 4] <= 255) {
		*out = KOSH_TERM_COLOUR_RGB24(p[at + 2] << 16 | p[at + 3] << 8 | p[at + 4]);
		*i = at + 4;
		return 1;
	}
	return 0;
}

/* SGR codes that set (1..9) or clear (21..29) one attribute: bit per code. */
static const uint8_t attr_of_code[10] = {
    0,
    KOSH_TERM_ATTR_BOLD,
    KOSH_TERM_ATTR_DIM,
    KOSH_TERM_ATTR_ITALIC,
    KOSH_TERM_ATTR_UNDERLINE,
    KOSH_TERM_ATTR_BLINK,
    KOSH_TERM_ATTR_BLINK, /* 6: rapid blink */
    KOSH_TERM_ATTR_REVERSE,
    KOSH_TERM_ATTR_HIDDEN,
    KOSH_TERM_ATTR_STRIKE,
};

/* One SGR code other than 38/48. */
static void sgr_code(struct kosh_term *t, uint32_t code)
{
	struct kosh_term_pen *pen = &t->pen;

	if (code == 0)
		*pen = (struct kosh_term_pen){0};
	else if (code < 10)
		pen->attr |= attr_of_code[code];
	else if (code == 22)
		pen->attr &= ~(KOSH_TERM_ATTR_BOLD | KOSH_TERM_ATTR_DIM);
	else if (code > 22 && code < 30)
		pen->attr &= ~attr_of_code[code - 20];
	else if (code >= 30 && code <= 37)
		pen->fg = KOSH_TERM_COLOUR_INDEX(code - 30);
	else if (code == 39)
		pen->fg = KOSH_TERM_COLOUR_DEFAULT;
	else if (code >= 40 && code <= 47)
		pen->bg = KOSH_TERM_COLOUR_INDEX(code - 40);
	else if (code == 49)
		pen->bg = KOSH_TERM_COLOUR_DEFAULT;
	else if (code >= 90 && code <= 97)
		pen->fg = KOSH_TERM_COLOUR_INDEX(code - 90 + 8);
	else if (code >= 100 && code <= 107)
		pen->bg = KOSH_TERM_COLOUR_INDEX(code - 100 + 8);
	/* everything else (fonts, frames, 21 double underline …) is ignored */
}

static void select_graphic(struct kosh_term *t)
{
	if (t->param_count == 0) {
		sgr_code(t, 0);
		return;
	}
	for (uint32_t i = 0; i < t->param_count; i++) {
		uint32_t code = t->params[i];

		if (code == 38 || code == 48) {
			uint32_t colour;

			/* A malformed colour leaves the rest unreadable: stop there. */
			if (!extended_colour(t, &i, &colour))
				return;
			if (code == 38)
				t->pen.fg = colour;
			else
				t->pen.bg = colour;
			continue;
		}
		sgr_code(t, code);
	}
}

static void device_status(struct kosh_term *t)
{
	static const char ok[] = {ESC, '[', '0', 'n'};

	if (t->private_marker)
		return;
	if (param(t, 0, 0) == 5)
		reply(t, ok, sizeof(ok));
	else if (param(t, 0, 0) == 6)
		report_cursor(t);
}

/* DA: "a VT102". */
static void device_attributes(struct kosh_term *t)
{
	static const char vt102[] = {ESC, '[', '?', '6', 'c'};

	if (!t->private_marker && param(t, 0, 0) == 0)
		reply(t, vt102, sizeof(vt102));
}

/* The final bytes of sequences that take a '?' (or any private marker). */
static void csi_private(struct kosh_term *t, uint8_t final)
{
	if (final == 'h' || final == 'l')
		set_modes(t, final == 'h');
	else if (final == 'n')
		device_status(t);
	else if (final == 'c')
		device_attributes(t);
}

/* The cursor-movement and editing sequences: one parameter, a count n >= 1. */
static void cuu(struct kosh_term *t, int64_t n)
{
	move_rows(t, -n);
}

static void cud(struct kosh_term *t, int64_t n)
{
	move_rows(t, n);
}

static void cuf(struct kosh_term *t, int64_t n)
{
	move_cols(t, n);
}

static void cub(struct kosh_term *t, int64_t n)
{
	move_cols(t, -n);
}

static void cnl(struct kosh_term *t, int64_t n)
{
	move_rows(t, n);
	move_to(t, 0, t->y);
}

static void cpl(struct kosh_term *t, int64_t n)
{
	move_rows(t, -n);
	move_to(t, 0, t->y);
}

static void cha(struct kosh_term *t, int64_t n)
{
	move_to(t, (uint32_t)n - 1, t->y);
}

static void vpa(struct kosh_term *t, int64_t n)
{
	move_to_origin(t, t->x, (uint32_t)n - 1);
}

static void cht(struct kosh_term *t, int64_t n)
{
	tab(t, n);
}

static void cbt(struct kosh_term *t, int64_t n)
{
	tab(t, -n);
}

static void ich(struct kosh_term *t, int64_t n)
{
	shift_cells(t, n);
}

static void dch(struct kosh_term *t, int64_t n)
{
	shift_cells(t, -n);
}

static void ech(struct kosh_term *t, int64_t n)
{
	erase_cells(t, t->y, t->x, min_u32(t->x + (uint32_t)n - 1, t->cols - 1));
	t->wrap_pending = 0;
}

static void il(struct kosh_term *t, int64_t n)
{
	shift_lines(t, n);
}

static void dl(struct kosh_term *t, int64_t n)
{
	shift_lines(t, -n);
}

static void su(struct kosh_term *t, int64_t n)
{
	scroll_region(t, t->top, t->bottom, n);
}

static void sd(struct kosh_term *t, int64_t n)
{
	scroll_region(t, t->top, t->bottom, -n);
}

/* Indexed by the final byte - 0x40. */
static void (*const count_ops[0x3f])(struct kosh_term *, int64_t) = {
    ['A' - 0x40] = cuu, ['B' - 0x40] = cud, ['C' - 0x40] = cuf, ['D' - 0x40] = cub,
    ['E' - 0x40] = cnl, ['F' - 0x40] = cpl, ['G' - 0x40] = cha, ['`' - 0x40] = cha,
    ['a' - 0x40] = cuf, ['d' - 0x40] = vpa, ['e' - 0x40] = cud, ['I' - 0x40] = cht,
    ['Z' - 0x40] = cbt, ['@' - 0x40] = ich, ['P' - 0x40] = dch, ['X' - 0x40] = ech,
    ['L' - 0x40] = il,	['M' - 0x40] = dl,  ['S' - 0x40] = su,	['T' - 0x40] = sd,
};

static void cup(struct kosh_term *t)
{
	move_to_origin(t, param(t, 1, 1) - 1, param(t, 0, 1) - 1);
}

static void ed(struct kosh_term *t)
{
	erase_display(t, param(t, 0, 0));
}

static void el(struct kosh_term *t)
{
	erase_line(t, param(t, 0, 0));
}

static void sm(struct kosh_term *t)
{
	set_modes(t, 1);
}

static void rm(struct kosh_term *t)
{
	set_modes(t, 0);
}

/* The other sequences, by final byte - 0x40; a final in neither table is dropped. */
static void (*const plain_ops[0x3f])(struct kosh_term *) = {
    ['H' - 0x40] = cup,
    ['f' - 0x40] = cup,
    ['J' - 0x40] = ed,
    ['K' - 0x40] = el,
    ['m' - 0x40] = select_graphic,
    ['h' - 0x40] = sm,
    ['l' - 0x40] = rm,
    ['n' - 0x40] = device_status,
    ['c' - 0x40] = device_attributes,
    ['r' - 0x40] = set_region,
    ['s' - 0x40] = save_cursor,
    ['u' - 0x40] = restore_cursor,
};

/* final is 0x40..0x7e. */
static void csi_dispatch(struct kosh_term *t, uint8_t final)
{
	if (t->invalid || t->intermediate)
		return;
	if (t->private_marker) {
		if (t->private_marker == '?' || final == 'c')
			csi_private(t, final);
	} else if (count_ops[final - 0x40]) {
		count_ops[final - 0x40](t, param(t, 0, 1));
	} else if (plain_ops[final - 0x40]) {
		plain_ops[final - 0x40](t);
	}
}

static void esc_dispatch(struct kosh_term *t, uint8_t final)
{
	switch (final) {
	case '7':
		save_cursor(t);
		break;
	case '8':
		restore_cursor(t);
		break;
	case 'D':
		line_feed(t);
		break;
	case 'E':
		move_to(t, 0, t->y);
		line_feed(t);
		break;
	case 'M':
		reverse_index(t);
		break;
	case 'c':
		kosh_term_reset(t);
		break;
	default:
		break; /* ST, keypad modes, tab stops, character sets … */
	}
}

/* ---- the state machine ---- */

static void csi_begin(struct kosh_term *t)
{
	t->state = STATE_CSI;
	t->private_marker = 0;
	t->intermediate = 0;
	t->invalid = 0;
	t->param_count = 0;
}

static void csi_digit(struct kosh_term *t, uint8_t c)
{
	uint32_t *p;

	if (t->intermediate) {
		t->invalid = 1;
		return;
	}
	if (t->param_count == 0) {
		t->param_count = 1;
		t->params[0] = 0;
	}
	p = &t->params[t->param_count - 1];
	if (*p > KOSH_TERM_PARAM_MAX)
		return; /* already invalid; keep it from overflowing */
	*p = *p * 10 + (uint32_t)(c - '0');
	if (*p > KOSH_TERM_PARAM_MAX)
		t->invalid = 1;
}

static void csi_separator(struct kosh_term *t)
{
	if (t->intermediate || t->param_count >= KOSH_TERM_PARAMS_MAX) {
		t->invalid = 1;
		return;
	}
	if (t->param_count == 0)
		t->params[t->param_count++] = 0; /* "CSI ;5H": the first is absent */
	t->params[t->param_count++] = 0;
}

static void csi_byte(struct kosh_term *t, uint8_t c)
{
	if (c >= '0' && c <= '9') {
		csi_digit(t, c);
	} else if (c == ';') {
		csi_separator(t);
	} else if (c >= '<' && c <= '?') {
		if (t->param_count || t->private_marker || t->intermediate)
			t->invalid = 1;
		else
			t->private_marker = c;
	} else if (c >= 0x20 && c <= 0x2f) {
		if (t->intermediate)
			t->invalid = 1;
		t->intermediate = c;
	} else if (c >= 0x40 && c <= 0x7e) {
		t->state = STATE_GROUND;
		csi_dispatch(t, c);
	} else {
		t->invalid = 1; /* ':' (sub-parameters) */
	}
}

static void escape_byte(struct kosh_term *t, uint8_t c)
{
	if (c == '[') {
		csi_begin(t);
	} else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
		t->state = STATE_STRING;
	} else if (c >= 0x20 && c <= 0x2f) {
		t->state = STATE_ESCAPE_INTERMEDIATE;
	} else {
		t->state = STATE_GROUND;
		esc_dispatch(t, c);
	}
}

/* Bytes 0x00..0x1f and DEL in any state but the string: they act in place. */
static void control_byte(struct kosh_term *t, uint8_t c)
{
	if (c == ESC) {
		t->state = STATE_ESCAPE;
	} else if (c == CAN || c == SUB) {
		t->state = STATE_GROUND;
	} else if (c != DEL) {
		execute(t, c);
	}
}

static void string_byte(struct kosh_term *t, uint8_t c)
{
	if (c == ESC)
		t->state = STATE_ESCAPE; /* ESC \ (ST) then ends in esc_dispatch */
	else if (c == '\a' || c == CAN || c == SUB)
		t->state = STATE_GROUND;
}

static void feed(struct kosh_term *t, uint8_t c)
{
	if (t->state == STATE_STRING) {
		string_byte(t, c);
		return;
	}
	if (c >= 0x80) {
		/* Text cuts short any sequence: read it again as text. */
		t->state = STATE_GROUND;
		utf8_byte(t, c);
		return;
	}
	if (t->state == STATE_GROUND)
		utf8_interrupt(t);
	if (c < 0x20 || c == DEL) {
		control_byte(t, c);
		return;
	}
	switch (t->state) {
	case STATE_GROUND:
		put_glyph(t, c);
		break;
	case STATE_ESCAPE:
		escape_byte(t, c);
		break;
	case STATE_ESCAPE_INTERMEDIATE:
		if (c >= 0x30)
			t->state = STATE_GROUND; /* character sets, DECALN …: ignored */
		break;
	default:
		csi_byte(t, c);
		break;
	}
}

/* ---- the interface ---- */

static void reset(struct kosh_term *t)
{
	t->pen = (struct kosh_term_pen){0};
	t->modes = KOSH_TERM_MODE_CURSOR | KOSH_TERM_MODE_AUTOWRAP;
	t->top = 0;
	t->bottom = t->rows - 1;
	t->state = STATE_GROUND;
	t->utf8_need = 0;
	move_to(t, 0, 0);
	save_cursor(t);
	erase_rows(t, 0, t->rows - 1);
}

int kosh_term_init(struct kosh_term *t, struct kosh_term_cell *cells, uint32_t cols, uint32_t rows,
		   const struct kosh_term_ops *ops)
{
	if (!cells || !cols || !rows || cols > KOSH_TERM_COLS_MAX || rows > KOSH_TERM_ROWS_MAX)
		return -1;
	*t = (struct kosh_term){.cells = cells, .cols = cols, .rows = rows};
	if (ops)
		t->ops = *ops;
	reset(t);
	return 0;
}

void kosh_term_write(struct kosh_term *t, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;

	for (size_t i = 0; i < len; i++)
		feed(t, p[i]);
}

void kosh_term_reset(struct kosh_term *t)
{
	reset(t);
}

const struct kosh_term_cell *kosh_term_cell(const struct kosh_term *t, uint32_t col, uint32_t row)
{
	if (col >= t->cols || row >= t->rows)
		return NULL;
	return &t->cells[(size_t)row * t->cols + col];
}

int kosh_term_row_dirty(const struct kosh_term *t, uint32_t row)
{
	return row < t->rows && row_is_dirty(t, row);
}

void kosh_term_clean(struct kosh_term *t)
{
	memset(t->dirty, 0, sizeof(t->dirty));
}

/* The xterm palette: 16 basic colours, a 6x6x6 cube, 24 greys. */
static uint32_t palette_rgb(uint32_t index)
{
	uint32_t grey;

	if (index < 16)
		return basic_rgb[index];
	if (index < 232) {
		index -= 16;
		return (uint32_t)cube_level[index / 36] << 16 |
		       (uint32_t)cube_level[index / 6 % 6] << 8 | cube_level[index % 6];
	}
	grey = 8 + (index - 232) * 10;
	return grey << 16 | grey << 8 | grey;
}

uint32_t kosh_term_rgb(uint32_t colour, uint32_t default_rgb)
{
	switch (KOSH_TERM_COLOUR_KIND(colour)) {
	case KOSH_TERM_COLOUR_INDEXED:
		return palette_rgb(colour & 0xff);
	case KOSH_TERM_COLOUR_RGB:
		return colour & 0xffffff;
	default:
		return default_rgb & 0xffffff;
	}
}

static uint32_t distance(uint32_t a, uint32_t b)
{
	uint32_t d = 0;

	for (int shift = 0; shift <= 16; shift += 8) {
		int32_t c = (int32_t)((a >> shift) & 0xff) - (int32_t)((b >> shift) & 0xff);

		d += (uint32_t)(c * c);
	}
	return d;
}

uint32_t kosh_term_nearest16(uint32_t colour)
{
	uint32_t rgb, best = 0;

	if (KOSH_TERM_COLOUR_KIND(colour) == KOSH_TERM_COLOUR_DEFAULT)
		return KOSH_TERM_COLOUR_DEFAULT;
	if (KOSH_TERM_COLOUR_KIND(colour) == KOSH_TERM_COLOUR_INDEXED && (colour & 0xff) < 16)
		return colour;
	rgb = kosh_term_rgb(colour, 0);
	for (uint32_t i = 1; i < 16; i++)
		if (distance(rgb, basic_rgb[i]) < distance(rgb, basic_rgb[best]))
			best = i;
	return KOSH_TERM_COLOUR_INDEX(best);
}
