/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the terminal model (shared/lib/term.c): the effect of each
 * control and sequence on the grid and the cursor, deferred wrap, scrolling and
 * its dirty marks, UTF-8 decoding, colours, replies, and malformed input. Most
 * cases use a 10x4 screen, small enough that whole rows can be compared as text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/term.h>

#define COLS 10
#define ROWS 4

#define INDEX(n) KOSH_TERM_COLOUR_INDEX(n)
#define RGB(v)	 KOSH_TERM_COLOUR_RGB24(v)

struct scroll_call {
	uint32_t top, bottom;
	int32_t n;
};

struct fixture {
	struct kosh_term t;
	struct kosh_term_cell cells[80 * 24];
	struct scroll_call scrolls[64];
	uint32_t scroll_count;
	char reply[256];
	size_t reply_len;
};

static void on_scroll(void *ctx, uint32_t top, uint32_t bottom, int32_t n)
{
	struct fixture *f = ctx;

	assert_true(f->scroll_count < 64);
	f->scrolls[f->scroll_count++] = (struct scroll_call){top, bottom, n};
}

static void on_reply(void *ctx, const char *bytes, size_t len)
{
	struct fixture *f = ctx;

	assert_true(f->reply_len + len < sizeof(f->reply));
	memcpy(f->reply + f->reply_len, bytes, len);
	f->reply_len += len;
	f->reply[f->reply_len] = '\0';
}

static struct fixture *make(uint32_t cols, uint32_t rows, int with_scroll)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kosh_term_ops ops = {.reply = on_reply, .ctx = f};

	assert_non_null(f);
	if (with_scroll)
		ops.scroll = on_scroll;
	assert_int_equal(kosh_term_init(&f->t, f->cells, cols, rows, &ops), 0);
	return f;
}

static int setup(void **state)
{
	*state = make(COLS, ROWS, 1);
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void put(struct fixture *f, const char *s)
{
	kosh_term_write(&f->t, s, strlen(s));
}

/* Row as ASCII text, '?' for anything else, trailing blanks kept. */
static const char *row_text(const struct fixture *f, uint32_t row)
{
	static char buf[KOSH_TERM_COLS_MAX + 1];
	uint32_t col;

	for (col = 0; col < f->t.cols; col++) {
		uint32_t ch = kosh_term_cell(&f->t, col, row)->ch;

		buf[col] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[col] = '\0';
	return buf;
}

static void assert_rows(const struct fixture *f, const char *const *rows)
{
	for (uint32_t r = 0; r < f->t.rows; r++)
		assert_string_equal(row_text(f, r), rows[r]);
}

static void assert_cursor(const struct fixture *f, uint32_t x, uint32_t y)
{
	assert_int_equal(f->t.x, x);
	assert_int_equal(f->t.y, y);
}

static uint32_t ch_at(const struct fixture *f, uint32_t col, uint32_t row)
{
	return kosh_term_cell(&f->t, col, row)->ch;
}

/* ---- set-up and plain text ---- */

static void test_term_init_checks_sizes(void **state)
{
	static struct kosh_term_cell cells[4];
	struct kosh_term t;

	(void)state;
	assert_int_equal(kosh_term_init(&t, NULL, 2, 2, NULL), -1);
	assert_int_equal(kosh_term_init(&t, cells, 0, 2, NULL), -1);
	assert_int_equal(kosh_term_init(&t, cells, 2, 0, NULL), -1);
	assert_int_equal(kosh_term_init(&t, cells, KOSH_TERM_COLS_MAX + 1, 1, NULL), -1);
	assert_int_equal(kosh_term_init(&t, cells, 1, KOSH_TERM_ROWS_MAX + 1, NULL), -1);
	assert_int_equal(kosh_term_init(&t, cells, 2, 2, NULL), 0);
	assert_null(kosh_term_cell(&t, 2, 0));
	assert_null(kosh_term_cell(&t, 0, 2));
	assert_false(kosh_term_row_dirty(&t, 2));
}

static void test_term_init_blank(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"          ", "          ", "          ", "          "};

	assert_rows(f, rows);
	assert_cursor(f, 0, 0);
	assert_int_equal(f->t.modes, KOSH_TERM_MODE_CURSOR | KOSH_TERM_MODE_AUTOWRAP);
	for (uint32_t r = 0; r < ROWS; r++)
		assert_true(kosh_term_row_dirty(&f->t, r));
	kosh_term_clean(&f->t);
	for (uint32_t r = 0; r < ROWS; r++)
		assert_false(kosh_term_row_dirty(&f->t, r));
	assert_int_equal(kosh_term_cell(&f->t, 3, 2)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(kosh_term_cell(&f->t, 3, 2)->attr, 0);
}

static void test_term_text_and_controls(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"abXd      ", "ef        ", "          ", "          "};

	kosh_term_clean(&f->t);
	put(f, "abc\bX\ad\n\ref");
	/* LF alone keeps the column, CR returns; BS steps back; BEL does nothing. */
	assert_rows(f, rows);
	assert_cursor(f, 2, 1);
	assert_true(kosh_term_row_dirty(&f->t, 0));
	assert_true(kosh_term_row_dirty(&f->t, 1));
	assert_false(kosh_term_row_dirty(&f->t, 2));
	put(f, "\r\b\b");
	assert_cursor(f, 0, 1);
	kosh_term_write(&f->t, "\x0e\x0f\x00\x7f", 4);
	assert_cursor(f, 0, 1);
}

static void test_term_newline_mode(void **state)
{
	struct fixture *f = *state;

	put(f, "ab\nc");
	assert_cursor(f, 3, 1);
	put(f, "\033[20hd\ne");
	assert_cursor(f, 1, 2);
	assert_int_equal(ch_at(f, 0, 2), 'e');
	put(f, "\033[20l\n");
	assert_cursor(f, 1, 3);
}

static void test_term_tabs(void **state)
{
	struct fixture *f = make(20, 2, 1);

	put(f, "\t");
	assert_cursor(f, 8, 0);
	put(f, "abc\t");
	assert_cursor(f, 16, 0);
	put(f, "\t");
	assert_cursor(f, 19, 0); /* stops at the last column */
	put(f, "\t");
	assert_cursor(f, 19, 0);
	put(f, "\033[Z");
	assert_cursor(f, 16, 0);
	put(f, "\033[2Z");
	assert_cursor(f, 0, 0);
	put(f, "\033[2I");
	assert_cursor(f, 16, 0);
	/* A tab cancels a pending wrap: the next glyph overwrites the last column. */
	put(f, "\033[1;20HX\tY");
	assert_cursor(f, 19, 0);
	assert_int_equal(ch_at(f, 19, 0), 'Y');
	free(f);
}

/* ---- wrap ---- */

static void test_term_deferred_wrap(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"0123456789", "next      ", "          ", "          "};

	put(f, "0123456789");
	assert_cursor(f, 9, 0);
	assert_true(f->t.wrap_pending);
	put(f, "\r\nnext");
	assert_rows(f, rows);
	assert_cursor(f, 4, 1);
}

static void test_term_wraps_on_next_glyph(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"0123456789", "ab        ", "          ", "          "};

	put(f, "0123456789ab");
	assert_rows(f, rows);
	assert_cursor(f, 2, 1);
}

static void test_term_movement_cancels_wrap(void **state)
{
	struct fixture *f = *state;

	put(f, "0123456789\bX");
	assert_int_equal(ch_at(f, 8, 0), 'X');
	assert_cursor(f, 9, 0);
	put(f, "\033[1;10HY\033[1CZ");
	assert_int_equal(ch_at(f, 9, 0), 'Z');
	assert_cursor(f, 9, 0);
	assert_int_equal(ch_at(f, 0, 1), ' ');
}

static void test_term_autowrap_off(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[?7l0123456789abc");
	assert_string_equal(row_text(f, 0), "012345678c");
	assert_cursor(f, 9, 0);
	put(f, "\033[?7hd");
	assert_string_equal(row_text(f, 1), "d         ");
}

/* ---- scrolling ---- */

static void test_term_scrolls_at_bottom(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"two       ", "three     ", "four      ", "five      "};

	put(f, "one\r\ntwo\r\nthree\r\nfour");
	assert_int_equal(f->scroll_count, 0);
	kosh_term_clean(&f->t);
	put(f, "\r\nfive");
	assert_rows(f, rows);
	assert_cursor(f, 4, 3);
	assert_int_equal(f->scroll_count, 1);
	assert_int_equal(f->scrolls[0].top, 0);
	assert_int_equal(f->scrolls[0].bottom, 3);
	assert_int_equal(f->scrolls[0].n, 1);
	/* The pixels moved with the callback: only the new bottom row is dirty. */
	assert_false(kosh_term_row_dirty(&f->t, 0));
	assert_false(kosh_term_row_dirty(&f->t, 2));
	assert_true(kosh_term_row_dirty(&f->t, 3));
}

static void test_term_dirty_marks_move_with_rows(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[4;1H");
	kosh_term_clean(&f->t);
	put(f, "\033[2;1Hx\033[4;1H\n");
	/* Row 1 was dirty and is now row 0; row 3 is new. */
	assert_true(kosh_term_row_dirty(&f->t, 0));
	assert_false(kosh_term_row_dirty(&f->t, 1));
	assert_false(kosh_term_row_dirty(&f->t, 2));
	assert_true(kosh_term_row_dirty(&f->t, 3));
	/* And down: row 0 is new, row 1 was row 0 (dirty), rows 2 and 3 were clean. */
	put(f, "\033[H");
	kosh_term_clean(&f->t);
	put(f, "y\033M");
	assert_true(kosh_term_row_dirty(&f->t, 0));
	assert_true(kosh_term_row_dirty(&f->t, 1));
	assert_false(kosh_term_row_dirty(&f->t, 2));
	assert_false(kosh_term_row_dirty(&f->t, 3));
	assert_int_equal(ch_at(f, 0, 1), 'y');
}

static void test_term_scroll_without_callback_marks_all(void **state)
{
	struct fixture *f = make(COLS, ROWS, 0);

	put(f, "\033[4;1H");
	kosh_term_clean(&f->t);
	put(f, "\n");
	for (uint32_t r = 0; r < ROWS; r++)
		assert_true(kosh_term_row_dirty(&f->t, r));
	free(f);
}

static void test_term_scroll_keeps_pen_background(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[4;1H\033[44m\n");
	for (uint32_t c = 0; c < COLS; c++) {
		assert_int_equal(kosh_term_cell(&f->t, c, 3)->bg, INDEX(4));
		assert_int_equal(kosh_term_cell(&f->t, c, 2)->bg, KOSH_TERM_COLOUR_DEFAULT);
	}
}

static void test_term_scroll_up_down_sequences(void **state)
{
	struct fixture *f = *state;
	const char *up[] = {"c         ", "d         ", "          ", "          "};
	const char *down[] = {"          ", "c         ", "d         ", "          "};

	put(f, "a\r\nb\r\nc\r\nd\033[2S");
	assert_rows(f, up);
	assert_cursor(f, 1, 3);
	put(f, "\033[T");
	assert_rows(f, down);
	put(f, "\033[99S");
	assert_string_equal(row_text(f, 1), "          ");
	assert_int_equal(f->scroll_count, 3);
	assert_int_equal(f->scrolls[1].n, -1);
	assert_int_equal(f->scrolls[2].n, 4); /* clamped to the region */
	put(f, "\033[99T");
	assert_int_equal(f->scrolls[3].n, -4);
}

static void test_term_index_and_reverse_index(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"          ", "top       ", "          ", "          "};

	put(f, "top\033M");
	assert_rows(f, rows);
	assert_cursor(f, 3, 0);
	put(f, "\033D\033D");
	assert_cursor(f, 3, 2);
	put(f, "\033E");
	assert_cursor(f, 0, 3);
}

/* ---- cursor movement ---- */

static void test_term_cursor_movement(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[3;5H");
	assert_cursor(f, 4, 2);
	put(f, "\033[A");
	assert_cursor(f, 4, 1);
	put(f, "\033[2B");
	assert_cursor(f, 4, 3);
	put(f, "\033[3C");
	assert_cursor(f, 7, 3);
	put(f, "\033[0D"); /* 0 means 1 */
	assert_cursor(f, 6, 3);
	put(f, "\033[2F");
	assert_cursor(f, 0, 1);
	put(f, "\033[5G\033[E");
	assert_cursor(f, 0, 2);
	put(f, "\033[7G");
	assert_cursor(f, 6, 2);
	put(f, "\033[1d");
	assert_cursor(f, 6, 0);
	put(f, "\033[2;3f");
	assert_cursor(f, 2, 1);
	put(f, "\033[H");
	assert_cursor(f, 0, 0);
	put(f, "\033[;4H");
	assert_cursor(f, 3, 0);
	put(f, "\033[2a\033[e");
	assert_cursor(f, 5, 1);
	put(f, "\033[3`");
	assert_cursor(f, 2, 1);
}

static void test_term_movement_clamped(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[99;99H");
	assert_cursor(f, 9, 3);
	put(f, "\033[65535A");
	assert_cursor(f, 9, 0);
	put(f, "\033[65535D");
	assert_cursor(f, 0, 0);
	put(f, "\033[65535B\033[65535C");
	assert_cursor(f, 9, 3);
	put(f, "\033[0;0H");
	assert_cursor(f, 0, 0);
	put(f, "\033[65535G\033[65535d");
	assert_cursor(f, 9, 3);
}

static void test_term_save_restore_cursor(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[2;3H\033[1;31m\0337\033[H\033[0m\0338x");
	assert_cursor(f, 3, 1);
	assert_int_equal(kosh_term_cell(&f->t, 2, 1)->fg, INDEX(1));
	assert_int_equal(kosh_term_cell(&f->t, 2, 1)->attr, KOSH_TERM_ATTR_BOLD);
	put(f, "\033[4;8H\033[s\033[1;1H\033[u");
	assert_cursor(f, 7, 3);
	/* Restoring with nothing saved goes home with the default pen. */
	kosh_term_reset(&f->t);
	put(f, "\033[3;3H\033[7m\0338");
	assert_cursor(f, 0, 0);
	assert_int_equal(f->t.pen.attr, 0);
}

static void test_term_cursor_visibility(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[?25l");
	assert_false(f->t.modes & KOSH_TERM_MODE_CURSOR);
	put(f, "\033[?25h");
	assert_true(f->t.modes & KOSH_TERM_MODE_CURSOR);
	put(f, "\033[25l"); /* without '?' it is another mode */
	assert_true(f->t.modes & KOSH_TERM_MODE_CURSOR);
	put(f, "\033[?1;25;1049l"); /* several at once, unknown ones ignored */
	assert_false(f->t.modes & KOSH_TERM_MODE_CURSOR);
}

/* ---- erase and edit ---- */

static void fill(struct fixture *f)
{
	put(f, "\033[Habcdefghij\r\nklmnopqrst\r\nuvwxyzABCD\r\nEFGHIJKLMN\033[2;5H");
}

static void test_term_erase_display(void **state)
{
	struct fixture *f = *state;
	const char *below[] = {"abcdefghij", "klmn      ", "          ", "          "};
	const char *above[] = {"          ", "     pqrst", "uvwxyzABCD", "EFGHIJKLMN"};

	fill(f);
	put(f, "\033[J");
	assert_rows(f, below);
	assert_cursor(f, 4, 1);
	fill(f);
	put(f, "\033[1J");
	assert_rows(f, above);
	fill(f);
	put(f, "\033[3J"); /* no scroll-back: nothing */
	assert_string_equal(row_text(f, 0), "abcdefghij");
	put(f, "\033[2J");
	for (uint32_t r = 0; r < ROWS; r++)
		assert_string_equal(row_text(f, r), "          ");
	assert_cursor(f, 4, 1);
}

static void test_term_erase_line(void **state)
{
	struct fixture *f = *state;

	fill(f);
	put(f, "\033[K");
	assert_string_equal(row_text(f, 1), "klmn      ");
	fill(f);
	put(f, "\033[1K");
	assert_string_equal(row_text(f, 1), "     pqrst");
	fill(f);
	put(f, "\033[2K");
	assert_string_equal(row_text(f, 1), "          ");
	assert_string_equal(row_text(f, 0), "abcdefghij");
	assert_cursor(f, 4, 1);
	fill(f);
	put(f, "\033[41m\033[3X");
	assert_string_equal(row_text(f, 1), "klmn   rst");
	assert_int_equal(kosh_term_cell(&f->t, 5, 1)->bg, INDEX(1));
	assert_int_equal(kosh_term_cell(&f->t, 7, 1)->bg, KOSH_TERM_COLOUR_DEFAULT);
}

static void test_term_insert_delete_chars(void **state)
{
	struct fixture *f = *state;

	fill(f);
	put(f, "\033[2@");
	assert_string_equal(row_text(f, 1), "klmn  opqr");
	put(f, "\033[3P");
	assert_string_equal(row_text(f, 1), "klmnpqr   ");
	put(f, "\033[99P");
	assert_string_equal(row_text(f, 1), "klmn      ");
	fill(f);
	put(f, "\033[99@");
	assert_string_equal(row_text(f, 1), "klmn      ");
}

static void test_term_insert_delete_lines(void **state)
{
	struct fixture *f = *state;
	const char *ins[] = {"abcdefghij", "          ", "klmnopqrst", "uvwxyzABCD"};
	const char *del[] = {"abcdefghij", "uvwxyzABCD", "EFGHIJKLMN", "          "};

	fill(f);
	put(f, "\033[L");
	assert_rows(f, ins);
	assert_cursor(f, 0, 1);
	fill(f);
	put(f, "\033[M");
	assert_rows(f, del);
}

static void test_term_clear(void **state)
{
	struct fixture *f = *state;

	fill(f);
	put(f, "\033[H\033[2J");
	for (uint32_t r = 0; r < ROWS; r++)
		assert_string_equal(row_text(f, r), "          ");
	assert_cursor(f, 0, 0);
}

/* ---- colours and attributes ---- */

static const struct kosh_term_cell *last_cell(const struct fixture *f)
{
	return kosh_term_cell(&f->t, f->t.x - 1, f->t.y);
}

static void test_term_sgr_attributes(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[1;4;7ma");
	assert_int_equal(last_cell(f)->attr,
			 KOSH_TERM_ATTR_BOLD | KOSH_TERM_ATTR_UNDERLINE | KOSH_TERM_ATTR_REVERSE);
	put(f, "\033[22mb");
	assert_int_equal(last_cell(f)->attr, KOSH_TERM_ATTR_UNDERLINE | KOSH_TERM_ATTR_REVERSE);
	put(f, "\033[24mc");
	assert_int_equal(last_cell(f)->attr, KOSH_TERM_ATTR_REVERSE);
	put(f, "\033[27md");
	assert_int_equal(last_cell(f)->attr, 0);
	put(f, "\033[2;3;5;8;9me");
	assert_int_equal(last_cell(f)->attr, KOSH_TERM_ATTR_DIM | KOSH_TERM_ATTR_ITALIC |
						 KOSH_TERM_ATTR_BLINK | KOSH_TERM_ATTR_HIDDEN |
						 KOSH_TERM_ATTR_STRIKE);
	put(f, "\033[1;31;42mf\033[mg");
	assert_int_equal(last_cell(f)->attr, 0);
	assert_int_equal(last_cell(f)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(last_cell(f)->bg, KOSH_TERM_COLOUR_DEFAULT);
	put(f, "\033[1m\033[;mh"); /* empty parameters are 0 */
	assert_int_equal(last_cell(f)->attr, 0);
}

static void test_term_sgr_basic_colours(void **state)
{
	struct fixture *f = *state;

	for (uint32_t i = 0; i < 8; i++) {
		char seq[32];

		snprintf(seq, sizeof(seq), "\033[%u;%u;%u;%umx", 30 + i, 47 - i, 90 + i, 100 + i);
		put(f, seq);
		assert_int_equal(last_cell(f)->fg, INDEX(8 + i));
		assert_int_equal(last_cell(f)->bg, INDEX(8 + i));
		snprintf(seq, sizeof(seq), "\033[%u;%umx", 30 + i, 47 - i);
		put(f, seq);
		assert_int_equal(last_cell(f)->fg, INDEX(i));
		assert_int_equal(last_cell(f)->bg, INDEX(7 - i));
		put(f, "\r");
	}
	put(f, "\033[39mx");
	assert_int_equal(last_cell(f)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(last_cell(f)->bg, INDEX(0));
	put(f, "\033[49mx");
	assert_int_equal(last_cell(f)->bg, KOSH_TERM_COLOUR_DEFAULT);
}

static void test_term_sgr_extended_colours(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[38;5;196;48;5;21mx");
	assert_int_equal(last_cell(f)->fg, INDEX(196));
	assert_int_equal(last_cell(f)->bg, INDEX(21));
	put(f, "\033[38;2;1;2;3;48;2;255;128;0;1mx");
	assert_int_equal(last_cell(f)->fg, RGB(0x010203));
	assert_int_equal(last_cell(f)->bg, RGB(0xff8000));
	assert_int_equal(last_cell(f)->attr, KOSH_TERM_ATTR_BOLD);
	/* Out of range or cut short: the rest of the sequence is not read. */
	put(f, "\033[0;38;5;256;1mx");
	assert_int_equal(last_cell(f)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(last_cell(f)->attr, 0);
	put(f, "\033[38;2;1;2m\033[48;5mx\033[38;7;1mx");
	assert_int_equal(last_cell(f)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(last_cell(f)->bg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(last_cell(f)->attr, 0);
	put(f, "\033[38:5:1mx"); /* sub-parameters: dropped */
	assert_int_equal(last_cell(f)->fg, KOSH_TERM_COLOUR_DEFAULT);
}

static void test_term_colour_helpers(void **state)
{
	(void)state;
	assert_int_equal(kosh_term_rgb(KOSH_TERM_COLOUR_DEFAULT, 0xc0c0c0), 0xc0c0c0);
	assert_int_equal(kosh_term_rgb(INDEX(1), 0), 0xaa0000);
	assert_int_equal(kosh_term_rgb(INDEX(15), 0), 0xffffff);
	assert_int_equal(kosh_term_rgb(INDEX(16), 0), 0x000000);
	assert_int_equal(kosh_term_rgb(INDEX(196), 0), 0xff0000);
	assert_int_equal(kosh_term_rgb(INDEX(231), 0), 0xffffff);
	assert_int_equal(kosh_term_rgb(INDEX(232), 0), 0x080808);
	assert_int_equal(kosh_term_rgb(INDEX(255), 0), 0xeeeeee);
	assert_int_equal(kosh_term_rgb(RGB(0x123456), 0), 0x123456);
	assert_int_equal(kosh_term_nearest16(KOSH_TERM_COLOUR_DEFAULT), KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(kosh_term_nearest16(INDEX(3)), INDEX(3));
	assert_int_equal(kosh_term_nearest16(INDEX(196)), INDEX(1));
	assert_int_equal(kosh_term_nearest16(INDEX(203)), INDEX(9));
	assert_int_equal(kosh_term_nearest16(INDEX(16)), INDEX(0));
	assert_int_equal(kosh_term_nearest16(RGB(0x0000a0)), INDEX(4));
	assert_int_equal(kosh_term_nearest16(RGB(0xf0f0f0)), INDEX(15));
}

/* ---- replies ---- */

static void test_term_status_reports(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[3;7H\033[6n");
	assert_string_equal(f->reply, "\033[3;7R");
	f->reply_len = 0;
	put(f, "\033[5n\033[c\033[0c\033[>c\033[?6n\033[7n");
	assert_string_equal(f->reply, "\033[0n\033[?6c\033[?6c");
	f->reply_len = 0;
	put(f, "\033[99;99H\033[6n");
	assert_string_equal(f->reply, "\033[4;10R");
}

static void test_term_no_reply_callback(void **state)
{
	static struct kosh_term_cell cells[4];
	struct kosh_term t;

	(void)state;
	assert_int_equal(kosh_term_init(&t, cells, 2, 2, NULL), 0);
	kosh_term_write(&t, "\033[6n\033[c\n\n\n", 10);
	assert_int_equal(t.y, 1);
}

/* ---- scroll regions ---- */

static void test_term_scroll_region(void **state)
{
	struct fixture *f = *state;
	const char *rows[] = {"abcdefghij", "uvwxyzABCD", "new       ", "EFGHIJKLMN"};

	fill(f);
	put(f, "\033[2;3r");
	assert_cursor(f, 0, 0); /* DECSTBM homes the cursor */
	assert_int_equal(f->t.top, 1);
	assert_int_equal(f->t.bottom, 2);
	put(f, "\033[3;1H\nnew");
	assert_rows(f, rows);
	assert_int_equal(f->scroll_count, 1);
	assert_int_equal(f->scrolls[0].top, 1);
	assert_int_equal(f->scrolls[0].bottom, 2);
	/* Below the region, LF stops at the last row without scrolling. */
	put(f, "\033[4;1H\n\n");
	assert_cursor(f, 0, 3);
	assert_int_equal(f->scroll_count, 1);
	/* CUD from inside stops at the bottom margin. */
	put(f, "\033[2;1H\033[9B");
	assert_cursor(f, 0, 2);
	put(f, "\033[9A");
	assert_cursor(f, 0, 1);
	/* RI at the top margin scrolls the region down. */
	put(f, "\033M");
	assert_string_equal(row_text(f, 1), "          ");
	assert_string_equal(row_text(f, 2), "uvwxyzABCD");
	assert_string_equal(row_text(f, 3), "EFGHIJKLMN");
}

static void test_term_scroll_region_invalid(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[3;3r");
	assert_int_equal(f->t.top, 0);
	assert_int_equal(f->t.bottom, 3);
	put(f, "\033[4;2r\033[9;99r");
	assert_int_equal(f->t.bottom, 3);
	put(f, "\033[2;99r");
	assert_int_equal(f->t.top, 1);
	assert_int_equal(f->t.bottom, 3);
	put(f, "\033[r");
	assert_int_equal(f->t.top, 0);
	assert_int_equal(f->t.bottom, 3);
}

static void test_term_origin_mode(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[2;3r\033[?6h");
	assert_cursor(f, 0, 1);
	put(f, "\033[2;2H");
	assert_cursor(f, 1, 2);
	put(f, "\033[9;1H");
	assert_cursor(f, 0, 2);
	put(f, "\033[6n");
	assert_string_equal(f->reply, "\033[2;1R");
	put(f, "\033[?6l");
	assert_cursor(f, 0, 0);
}

/* ---- malformed input ---- */

static void test_term_too_many_params_dropped(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;3;2Hx");
	assert_cursor(f, 1, 0);
	put(f, "\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mx"); /* 16 are fine */
	assert_int_equal(last_cell(f)->attr, KOSH_TERM_ATTR_BOLD);
}

static void test_term_overflowing_number_dropped(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[2;65536Hx");
	assert_cursor(f, 1, 0);
	put(f, "\033[99999999999999999999999999999999999999Cx");
	assert_cursor(f, 2, 0);
	put(f, "\033[65535Cx");
	assert_cursor(f, 9, 0);
}

static void test_term_unknown_and_odd_sequences(void **state)
{
	struct fixture *f = *state;

	/* Unknown finals, intermediates, markers in the wrong place: dropped. */
	put(f, "\033[5yA\033[2 qB\033[1?HC\033[?1;2$pD\033[=5hE");
	assert_string_equal(row_text(f, 0), "ABCDE     ");
	/* Character sets and keypad modes are ignored. */
	put(f, "\033[ 1q\033[  q\033[5K\033[9J\033(B\033)0\033#8\033=\033>F");
	assert_string_equal(row_text(f, 0), "ABCDEF    ");
	assert_cursor(f, 6, 0);
}

static void test_term_escape_restarts_sequence(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[3;\033[2;4Hx");
	assert_cursor(f, 4, 1);
	assert_int_equal(ch_at(f, 3, 1), 'x');
	put(f, "\033[31\030y"); /* CAN abandons it */
	assert_int_equal(last_cell(f)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(last_cell(f)->ch, 'y');
	put(f, "\033[31\032z\033\030w");
	assert_int_equal(last_cell(f)->ch, 'w');
}

static void test_term_controls_inside_sequence(void **state)
{
	struct fixture *f = *state;

	put(f, "abc\033[\r2Cx");
	assert_string_equal(row_text(f, 0), "abx       ");
	put(f, "\033\n[1mx");
	assert_int_equal(last_cell(f)->attr, KOSH_TERM_ATTR_BOLD);
	assert_cursor(f, 4, 1);
}

static void test_term_high_byte_ends_sequence(void **state)
{
	struct fixture *f = *state;

	put(f, "\033[3\xc3\xa9x");
	assert_int_equal(ch_at(f, 0, 0), 0xe9);
	assert_int_equal(ch_at(f, 1, 0), 'x');
}

static void test_term_strings_skipped(void **state)
{
	struct fixture *f = *state;

	put(f, "\033]0;title \xc3\xa9\aA\033]2;t\033\\B\033Pq#0;1\033\\C\033_apc\030D");
	assert_string_equal(row_text(f, 0), "ABCD      ");
	assert_int_equal(last_cell(f)->attr, 0);
	/* ESC then something else ends the string and starts a sequence. */
	put(f, "\033]x\033[2GE");
	assert_int_equal(ch_at(f, 1, 0), 'E');
}

static void test_term_split_writes(void **state)
{
	struct fixture *f = *state;
	const char *s = "\033[2;3H\033[38;2;10;20;30m\xe2\x82\xac!";

	for (size_t i = 0; s[i]; i++)
		kosh_term_write(&f->t, &s[i], 1);
	assert_int_equal(ch_at(f, 2, 1), 0x20ac);
	assert_int_equal(kosh_term_cell(&f->t, 2, 1)->fg, RGB(0x0a141e));
	assert_int_equal(ch_at(f, 3, 1), '!');
	assert_cursor(f, 4, 1);
}

/* ---- UTF-8 ---- */

static void expect_codepoints(const char *input, const uint32_t *want, size_t count)
{
	struct fixture *f = make(40, 1, 1);

	put(f, input);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(ch_at(f, (uint32_t)i, 0), want[i]);
	assert_int_equal(f->t.x, count);
	free(f);
}

#define EXPECT(input, ...)                                                                         \
	do {                                                                                       \
		const uint32_t want[] = {__VA_ARGS__};                                             \
		expect_codepoints(input, want, sizeof(want) / sizeof(want[0]));                    \
	} while (0)

#define R KOSH_TERM_REPLACEMENT

static void test_term_utf8_valid(void **state)
{
	(void)state;
	EXPECT("a\xc2\xa0\xc3\xa9\xdf\xbf", 'a', 0xa0, 0xe9, 0x7ff);
	EXPECT("\xe0\xa0\x80\xe2\x82\xac\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd", 0x800, 0x20ac,
	       0xd7ff, 0xe000, 0xfffd);
	EXPECT("\xf0\x90\x80\x80\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 0x10000, 0x1f600, 0x10ffff);
}

static void test_term_utf8_overlong(void **state)
{
	(void)state;
	EXPECT("\xc0\xaf"
	       "a",
	       R, R, 'a');
	EXPECT("\xc1\xbf", R, R);
	EXPECT("\xe0\x80\xaf", R, R, R);
	EXPECT("\xe0\x9f\xbf", R, R, R);
	EXPECT("\xf0\x80\x80\xaf", R, R, R, R);
	EXPECT("\xf0\x8f\xbf\xbf", R, R, R, R);
}

static void test_term_utf8_surrogates_and_range(void **state)
{
	(void)state;
	EXPECT("\xed\xa0\x80", R, R, R);
	EXPECT("\xed\xbf\xbf"
	       "b",
	       R, R, R, 'b');
	EXPECT("\xf4\x90\x80\x80", R, R, R, R);
	EXPECT("\xf5\x80\x80\x80", R, R, R, R);
	EXPECT("\xfe\xff", R, R);
}

static void test_term_utf8_truncated(void **state)
{
	(void)state;
	/* An incomplete sequence is one U+FFFD; the byte that cut it is read anew. */
	EXPECT("\xe2\x82"
	       "a",
	       R, 'a');
	EXPECT("\xf0\x9f\x98\xe2\x82\xac", R, 0x20ac);
	EXPECT("\xc3\xc3\xa9", R, 0xe9);
	EXPECT("\x80\xbf"
	       "c",
	       R, R, 'c');
	EXPECT("\xe2\x82\r"
	       "d",
	       'd'); /* U+FFFD at column 0, then CR, then 'd' over it */
}

static void test_term_utf8_cut_by_escape(void **state)
{
	struct fixture *f = *state;

	put(f, "\xe2\x82\033[1mx");
	assert_int_equal(ch_at(f, 0, 0), R);
	assert_int_equal(ch_at(f, 1, 0), 'x');
	assert_int_equal(kosh_term_cell(&f->t, 1, 0)->attr, KOSH_TERM_ATTR_BOLD);
}

static void test_term_utf8_c1_not_shown(void **state)
{
	(void)state;
	EXPECT("a\xc2\x80\xc2\x9b"
	       "b",
	       'a', 'b');
}

static void test_term_utf8_end_of_input(void **state)
{
	struct fixture *f = *state;
	const char bytes[] = {'a', (char)0xe2, (char)0x82};

	/* Nothing is read past len; the sequence waits for the next write. */
	kosh_term_write(&f->t, bytes, sizeof(bytes));
	assert_cursor(f, 1, 0);
	kosh_term_write(&f->t, "\xac", 1);
	assert_int_equal(ch_at(f, 1, 0), 0x20ac);
	kosh_term_write(&f->t, NULL, 0);
	assert_cursor(f, 2, 0);
}

/* ---- whole screens ---- */

static void test_term_ls_screenful(void **state)
{
	struct fixture *f = make(80, 24, 1);
	char line[128];

	(void)state;
	put(f, "total 120\r\n");
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line),
			 "\033[0m-rw-r--r-- 1 root root %6d Nov 22 07:%02d \033[01;32mfile%02d.txt"
			 "\033[0m\r\n",
			 1000 * i + 17, i, i);
		put(f, line);
	}
	put(f, "$ ");
	/* 32 lines on 24 rows: the first 9 scrolled away. */
	assert_int_equal(f->scroll_count, 8);
	assert_memory_equal(row_text(f, 0),
			    "-rw-r--r-- 1 root root   7017 Nov 22 07:07 file07.txt ", 54);
	assert_memory_equal(row_text(f, 22),
			    "-rw-r--r-- 1 root root  29017 Nov 22 07:29 file29.txt", 53);
	assert_memory_equal(row_text(f, 23), "$                ", 17);
	assert_cursor(f, 2, 23);
	assert_int_equal(kosh_term_cell(&f->t, 43, 22)->fg, INDEX(2));
	assert_int_equal(kosh_term_cell(&f->t, 43, 22)->attr, KOSH_TERM_ATTR_BOLD);
	assert_int_equal(kosh_term_cell(&f->t, 42, 22)->fg, KOSH_TERM_COLOUR_DEFAULT);
	assert_int_equal(kosh_term_cell(&f->t, 1, 23)->attr, 0);
	free(f);
}

static void test_term_one_by_one(void **state)
{
	struct fixture *f = make(1, 1, 1);

	(void)state;
	put(f, "a");
	assert_int_equal(ch_at(f, 0, 0), 'a');
	assert_true(f->t.wrap_pending);
	put(f, "b");
	assert_int_equal(ch_at(f, 0, 0), 'b');
	assert_int_equal(f->scroll_count, 1);
	put(f, "\t\b\033[5;5H\033[9A\033[2;1r\033[L\033[M\033[2@\033[P\033M\033D\n");
	assert_cursor(f, 0, 0);
	assert_int_equal(f->t.top, 0);
	assert_int_equal(f->t.bottom, 0);
	put(f, "\033[6n");
	assert_string_equal(f->reply, "\033[1;1R");
	free(f);
}

static void test_term_reset(void **state)
{
	struct fixture *f = *state;

	fill(f);
	put(f, "\033[2;3r\033[?25l\033[?7l\033[31m\033c");
	assert_cursor(f, 0, 0);
	assert_string_equal(row_text(f, 0), "          ");
	assert_int_equal(f->t.modes, KOSH_TERM_MODE_CURSOR | KOSH_TERM_MODE_AUTOWRAP);
	assert_int_equal(f->t.bottom, ROWS - 1);
	assert_int_equal(f->t.pen.fg, KOSH_TERM_COLOUR_DEFAULT);
}

/* ---- invariants on random input ---- */

static void check_invariants(const struct kosh_term *t)
{
	assert_true(t->x < t->cols && t->y < t->rows);
	assert_true(t->top <= t->bottom && t->bottom < t->rows);
	for (uint32_t i = 0; i < t->cols * t->rows; i++) {
		const struct kosh_term_cell *c = &t->cells[i];

		assert_true(c->ch >= 0xa0 || (c->ch >= 0x20 && c->ch < 0x7f));
		assert_true(c->ch <= 0x10ffff && (c->ch < 0xd800 || c->ch > 0xdfff));
		assert_true(c->attr <= KOSH_TERM_ATTR_ALL);
		assert_true(KOSH_TERM_COLOUR_KIND(c->fg) <= KOSH_TERM_COLOUR_RGB);
		assert_true(KOSH_TERM_COLOUR_KIND(c->bg) <= KOSH_TERM_COLOUR_RGB);
		assert_true((c->fg >> 26) == 0 && (c->bg >> 26) == 0);
	}
}

/* Random bytes biased towards the interesting ones, from a fixed seed. */
static void test_term_random_bytes_keep_invariants(void **state)
{
	static const char alphabet[] =
	    "\033[];?0123456789;;mHJKABCDrsu78hlnM\r\n\b\t\xc3\xa9\xe2\xf0";
	uint32_t seed = 12345;
	uint32_t sizes[][2] = {{7, 3}, {1, 1}, {1, 5}, {30, 1}};

	(void)state;
	for (size_t s = 0; s < 4; s++) {
		struct fixture *f = make(sizes[s][0], sizes[s][1], s % 2);

		for (int round = 0; round < 2000; round++) {
			uint8_t buf[64];

			for (size_t i = 0; i < sizeof(buf); i++) {
				seed = seed * 1103515245u + 12345u;
				buf[i] =
				    (seed >> 16) & 1
					? (uint8_t)(seed >> 8)
					: (uint8_t)alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
			}
			f->reply_len = 0;
			f->scroll_count = 0;
			kosh_term_write(&f->t, buf, sizeof(buf));
			check_invariants(&f->t);
		}
		free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_term_init_checks_sizes),
	    cmocka_unit_test_setup_teardown(test_term_init_blank, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_text_and_controls, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_newline_mode, setup, teardown),
	    cmocka_unit_test(test_term_tabs),
	    cmocka_unit_test_setup_teardown(test_term_deferred_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_wraps_on_next_glyph, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_movement_cancels_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_autowrap_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_scrolls_at_bottom, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_dirty_marks_move_with_rows, setup, teardown),
	    cmocka_unit_test(test_term_scroll_without_callback_marks_all),
	    cmocka_unit_test_setup_teardown(test_term_scroll_keeps_pen_background, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_scroll_up_down_sequences, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_index_and_reverse_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_cursor_movement, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_movement_clamped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_save_restore_cursor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_cursor_visibility, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_erase_display, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_erase_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_insert_delete_chars, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_insert_delete_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_clear, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_sgr_attributes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_sgr_basic_colours, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_sgr_extended_colours, setup, teardown),
	    cmocka_unit_test(test_term_colour_helpers),
	    cmocka_unit_test_setup_teardown(test_term_status_reports, setup, teardown),
	    cmocka_unit_test(test_term_no_reply_callback),
	    cmocka_unit_test_setup_teardown(test_term_scroll_region, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_scroll_region_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_origin_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_too_many_params_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_overflowing_number_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_unknown_and_odd_sequences, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_escape_restarts_sequence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_controls_inside_sequence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_high_byte_ends_sequence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_strings_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_term_split_writes, setup, teardown),
	    cmocka_unit_test(test_term_utf8_valid),
	    cmocka_unit_test(test_term_utf8_overlong),
	    cmocka_unit_test(test_term_utf8_surrogates_and_range),
	    cmocka_unit_test(test_term_utf8_truncated),
	    cmocka_unit_test_setup_teardown(test_term_utf8_cut_by_escape, setup, teardown),
	    cmocka_unit_test(test_term_utf8_c1_not_shown),
	    cmocka_unit_test_setup_teardown(test_term_utf8_end_of_input, setup, teardown),
	    cmocka_unit_test(test_term_ls_screenful),
	    cmocka_unit_test(test_term_one_by_one),
	    cmocka_unit_test_setup_teardown(test_term_reset, setup, teardown),
	    cmocka_unit_test(test_term_random_bytes_keep_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
