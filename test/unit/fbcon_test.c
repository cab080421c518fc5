/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/fbcon.c and the shared font (shared/lib/font.c). The console draws into a
 * malloc'd framebuffer of 100x50 pixels (12x3 cells, two spare scan lines) with
 * a 432-byte pitch and red in the low byte, so the checks catch mixed-up
 * channels and pitch arithmetic. Bytes the console must never write (the line
 * padding and a guard area after the buffer) are filled with a canary.
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

#include "arch_fake.h"
#include "fbcon.h"

#define WIDTH  100
#define HEIGHT 50
#define PITCH  432 /* 108 pixels: 8 of padding per line */
#define COLS   12
#define ROWS   3
#define SIZE   (PITCH * HEIGHT)
#define GUARD  256
#define CANARY 0xa5

/* Pixels in the RGBX layout the tests use. */
#define DEFAULT_FG_PX 0x00c0c0c0u
#define DEFAULT_BG_PX 0x00000000u
#define FG_RGB        0x123456u
#define BG_RGB        0x9abcdeu
#define FG_PX         0x00563412u
#define BG_PX         0x00debc9au

static const uint8_t solid[KOSH_FONT_HEIGHT] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

struct screen {
	uint8_t *buf;
	struct kosh_framebuffer fb;
	struct fbcon con;
};

static int setup(void **state)
{
	struct screen *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->buf = malloc(SIZE + GUARD);
	assert_non_null(s->buf);
	memset(s->buf, CANARY, SIZE + GUARD);
	s->fb = (struct kosh_framebuffer){
		.phys = 0x80000000,
		.size = SIZE,
		.width = WIDTH,
		.height = HEIGHT,
		.pitch = PITCH,
		.bpp = 32,
		.red_mask = 0x000000ff,
		.green_mask = 0x0000ff00,
		.blue_mask = 0x00ff0000,
		.reserved_mask = 0xff000000,
	};
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct screen *s = *state;

	free(s->buf);
	free(s);
	return 0;
}

static void start(struct screen *s)
{
	fbcon_init(&s->con, s->buf, &s->fb);
	assert_int_equal(s->con.cols, COLS);
	assert_int_equal(s->con.rows, ROWS);
}

static void put(struct screen *s, const char *text)
{
	fbcon_write(&s->con, text, strlen(text));
}

static uint32_t pixel(const struct screen *s, uint32_t x, uint32_t y)
{
	uint32_t v;

	memcpy(&v, s->buf + (size_t)y * PITCH + (size_t)x * 4, sizeof(v));
	return v;
}

/* Cell (col, row) shows glyph in colours fg and bg. */
static void assert_cell(const struct screen *s, uint32_t col, uint32_t row,
			const uint8_t *glyph, uint32_t fg, uint32_t bg)
{
	for (uint32_t r = 0; r < KOSH_FONT_HEIGHT; r++) {
		for (uint32_t c = 0; c < KOSH_FONT_WIDTH; c++) {
			uint32_t want = (glyph[r] & (0x80 >> c)) ? fg : bg;

			assert_int_equal(pixel(s, col * KOSH_FONT_WIDTH + c, row * KOSH_FONT_HEIGHT + r),
					 want);
		}
	}
}

static void assert_char(const struct screen *s, uint32_t col, uint32_t row, char c)
{
	assert_cell(s, col, row, kosh_font_glyph(c), DEFAULT_FG_PX, DEFAULT_BG_PX);
}

/* The cursor inverts the cell it stands on. */
static void assert_cursor_on(const struct screen *s, uint32_t col, uint32_t row, char c)
{
	assert_cell(s, col, row, kosh_font_glyph(c), DEFAULT_BG_PX, DEFAULT_FG_PX);
}

static void assert_padding_untouched(const struct screen *s)
{
	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t i = WIDTH * 4; i < PITCH; i++)
			assert_int_equal(s->buf[(size_t)y * PITCH + i], CANARY);
	for (uint32_t i = SIZE; i < SIZE + GUARD; i++)
		assert_int_equal(s->buf[i], CANARY);
}

static void assert_all_canary(const struct screen *s)
{
	for (uint32_t i = 0; i < SIZE + GUARD; i++)
		assert_int_equal(s->buf[i], CANARY);
}

static int glyph_last_row(const uint8_t *glyph)
{
	int last = -1;

	for (int r = 0; r < KOSH_FONT_HEIGHT; r++)
		if (glyph[r])
			last = r;
	return last;
}

static void test_fbcon_init_clears_to_background(void **state)
{
	struct screen *s = *state;

	start(s);
	for (uint32_t y = 0; y < HEIGHT; y++) {
		for (uint32_t x = 0; x < WIDTH; x++) {
			if (x < KOSH_FONT_WIDTH && y < KOSH_FONT_HEIGHT)
				continue; /* the cursor */
			assert_int_equal(pixel(s, x, y), DEFAULT_BG_PX);
		}
	}
	assert_cell(s, 0, 0, solid, DEFAULT_FG_PX, DEFAULT_BG_PX);
	assert_padding_untouched(s);
}

static void test_fbcon_glyph_drawn_through_masks(void **state)
{
	struct screen *s = *state;

	start(s);
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	put(s, "Kg");
	assert_cell(s, 0, 0, kosh_font_glyph('K'), FG_PX, BG_PX);
	assert_cell(s, 1, 0, kosh_font_glyph('g'), FG_PX, BG_PX);
}

static void test_fbcon_bgrx_masks(void **state)
{
	struct screen *s = *state;

	s->fb.red_mask = 0x00ff0000;
	s->fb.blue_mask = 0x000000ff;
	start(s);
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	put(s, "x");
	assert_cell(s, 0, 0, kosh_font_glyph('x'), 0x00123456, 0x009abcde);
}

static void test_fbcon_zero_masks_mean_bgrx(void **state)
{
	struct screen *s = *state;

	s->fb.red_mask = s->fb.green_mask = s->fb.blue_mask = s->fb.reserved_mask = 0;
	start(s);
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	put(s, "x");
	assert_cell(s, 0, 0, kosh_font_glyph('x'), 0x00123456, 0x009abcde);
}

static void test_fbcon_channels_of_any_width(void **state)
{
	struct screen *s = *state;

	s->fb.red_mask = 0x3ff00000; /* 10 bits */
	s->fb.green_mask = 0x000007e0; /* 6 bits */
	s->fb.blue_mask = 0x0000001f; /* 5 bits */
	start(s);
	fbcon_set_colour(&s->con, 0xff8040, 0x010204);
	put(s, "#");
	assert_cell(s, 0, 0, kosh_font_glyph('#'), (0x3fcu << 20) | (0x20u << 5) | 0x08u,
		    (0x004u << 20) | (0x00u << 5) | 0x00u);
}

static void test_fbcon_never_writes_outside_visible_area(void **state)
{
	struct screen *s = *state;

	start(s);
	for (int i = 0; i < 40; i++)
		put(s, "The quick brown fox\tjumps\bover\r\nthe lazy dog.\x80\x01\n");
	fbcon_set_colour(&s->con, 0xffffff, 0xffffff);
	put(s, "0123456789abcdefghijklmnopqrstuvwxyz\n\n\n\n");
	assert_padding_untouched(s);
}

static void test_fbcon_wraps_at_right_edge(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "ABCDEFGHIJKLM");
	assert_char(s, 0, 0, 'A');
	assert_char(s, 11, 0, 'L');
	assert_char(s, 0, 1, 'M');
	assert_cell(s, 1, 1, solid, DEFAULT_FG_PX, DEFAULT_BG_PX);
}

static void test_fbcon_full_line_then_newline_leaves_no_empty_line(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "abcdefghijkl");
	assert_cursor_on(s, 11, 0, 'l'); /* waiting to wrap */
	put(s, "\nm");
	assert_char(s, 11, 0, 'l');
	assert_char(s, 0, 1, 'm');
}

static void test_fbcon_newline_starts_next_row(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "AB\nC");
	assert_char(s, 0, 0, 'A');
	assert_char(s, 1, 0, 'B');
	assert_char(s, 0, 1, 'C');
	assert_cell(s, 1, 1, solid, DEFAULT_FG_PX, DEFAULT_BG_PX);
}

static void test_fbcon_carriage_return_goes_to_column_0(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "AB\rC\n");
	assert_char(s, 0, 0, 'C');
	assert_char(s, 1, 0, 'B');
}

static void test_fbcon_tab_goes_to_next_multiple_of_8(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "A\tB\n");
	assert_char(s, 0, 0, 'A');
	for (uint32_t col = 1; col < 8; col++)
		assert_char(s, col, 0, ' ');
	assert_char(s, 8, 0, 'B');

	put(s, "123456789\tJ"); /* the stop after column 9 is past the edge */
	assert_char(s, 8, 1, '9');
	assert_char(s, 0, 2, 'J');
}

static void test_fbcon_backspace_moves_back_without_erasing(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "AB\b");
	assert_cursor_on(s, 1, 0, 'B');
	put(s, "C\b\b\b\b");
	assert_cursor_on(s, 0, 0, 'A'); /* stops at column 0 */
	put(s, "D");
	assert_char(s, 0, 0, 'D');
	assert_cursor_on(s, 1, 0, 'C');
}

static void test_fbcon_cursor_follows_and_is_erased(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "A");
	assert_char(s, 0, 0, 'A');
	assert_cell(s, 1, 0, solid, DEFAULT_FG_PX, DEFAULT_BG_PX);
	put(s, "\n");
	assert_char(s, 1, 0, ' ');
	assert_cell(s, 0, 1, solid, DEFAULT_FG_PX, DEFAULT_BG_PX);
}

static void test_fbcon_set_colour_keeps_cell_under_cursor(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "A\b");
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	assert_cell(s, 0, 0, kosh_font_glyph('A'), DEFAULT_FG_PX ^ FG_PX ^ BG_PX,
		    DEFAULT_BG_PX ^ FG_PX ^ BG_PX);
	put(s, "\n");
	assert_char(s, 0, 0, 'A');
}

static void test_fbcon_scrolls_up_and_clears_last_row(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "AAAA\nBBBB\nCCCC");
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	put(s, "\nD");
	for (uint32_t col = 0; col < 4; col++) {
		assert_char(s, col, 0, 'B');
		assert_char(s, col, 1, 'C');
	}
	assert_cell(s, 0, 2, kosh_font_glyph('D'), FG_PX, BG_PX);
	for (uint32_t col = 2; col < COLS; col++)
		assert_cell(s, col, 2, kosh_font_glyph(' '), FG_PX, BG_PX);
	for (uint32_t y = ROWS * KOSH_FONT_HEIGHT - KOSH_FONT_HEIGHT; y < ROWS * KOSH_FONT_HEIGHT; y++)
		for (uint32_t x = COLS * KOSH_FONT_WIDTH; x < WIDTH; x++)
			assert_int_equal(pixel(s, x, y), BG_PX);
	for (uint32_t y = ROWS * KOSH_FONT_HEIGHT; y < HEIGHT; y++)
		for (uint32_t x = 0; x < WIDTH; x++)
			assert_int_equal(pixel(s, x, y), DEFAULT_BG_PX);
	assert_padding_untouched(s);
}

static void assert_refused(struct screen *s)
{
	fbcon_init(&s->con, s->buf, &s->fb);
	assert_int_equal(s->con.cols, 0);
	put(s, "hello\n\t\b\r\x80");
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	assert_all_canary(s);
}

static void test_fbcon_rejects_bpp_24(void **state)
{
	struct screen *s = *state;

	s->fb.bpp = 24;
	assert_refused(s);
}

static void test_fbcon_rejects_pitch_too_small(void **state)
{
	struct screen *s = *state;

	s->fb.pitch = WIDTH * 4 - 4;
	assert_refused(s);
}

static void test_fbcon_rejects_unaligned_pitch(void **state)
{
	struct screen *s = *state;

	s->fb.pitch = PITCH - 1;
	assert_refused(s);
}

static void test_fbcon_rejects_size_too_small(void **state)
{
	struct screen *s = *state;

	s->fb.size = SIZE - 1;
	assert_refused(s);
}

static void test_fbcon_rejects_zero_sizes(void **state)
{
	struct screen *s = *state;

	s->fb.width = 0;
	assert_refused(s);
	s->fb.width = WIDTH;
	s->fb.height = 0;
	assert_refused(s);
}

static void test_fbcon_replacement_glyph_for_0x80_and_0x01(void **state)
{
	struct screen *s = *state;
	const uint8_t *box = kosh_font_glyph((char)0x80);

	assert_ptr_equal(kosh_font_glyph((char)0x01), box);
	assert_ptr_equal(kosh_font_glyph((char)0x7f), box);
	assert_ptr_equal(kosh_font_glyph((char)0xff), box);
	assert_int_not_equal(glyph_last_row(box), -1);
	for (int i = 0; i < KOSH_FONT_GLYPH_COUNT; i++)
		assert_memory_not_equal(kosh_font_glyphs[i], box, KOSH_FONT_HEIGHT);

	start(s);
	put(s, "\x80\x01\x7f\n");
	for (uint32_t col = 0; col < 3; col++)
		assert_cell(s, col, 0, box, DEFAULT_FG_PX, DEFAULT_BG_PX);
}

static void test_fbcon_every_glyph_but_space_has_ink(void **state)
{
	(void)state;
	for (int c = KOSH_FONT_FIRST; c <= KOSH_FONT_LAST; c++) {
		int last = glyph_last_row(kosh_font_glyph((char)c));

		if (c == ' ')
			assert_int_equal(last, -1);
		else
			assert_int_not_equal(last, -1);
	}
}

static void test_fbcon_glyphs_are_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < KOSH_FONT_GLYPH_COUNT; i++)
		for (int j = i + 1; j < KOSH_FONT_GLYPH_COUNT; j++)
			assert_memory_not_equal(kosh_font_glyphs[i], kosh_font_glyphs[j], KOSH_FONT_HEIGHT);
}

static void test_fbcon_descenders_go_below_baseline(void **state)
{
	int base = glyph_last_row(kosh_font_glyph('a'));

	(void)state;
	assert_int_equal(base, KOSH_FONT_BASELINE);
	for (const char *c = "gjpqy"; *c; c++)
		assert_true(glyph_last_row(kosh_font_glyph(*c)) > base);
	for (const char *c = "abcdefhiklmnorstuvwxzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789"; *c; c++)
		assert_int_equal(glyph_last_row(kosh_font_glyph(*c)), base);
}

static void test_fbcon_glyphs_leave_right_column_blank(void **state)
{
	(void)state;
	for (int c = KOSH_FONT_FIRST; c <= KOSH_FONT_LAST; c++) {
		if (c == '_')
			continue; /* joins with its neighbours on purpose */
		for (int r = 0; r < KOSH_FONT_HEIGHT; r++)
			assert_int_equal(kosh_font_glyph((char)c)[r] & 0x01, 0);
	}
}

/* Whether "userspace" holds the framebuffer, for fbcon_set_given. */
static int given_now;

static int given(void)
{
	return given_now;
}

static void test_fbcon_given_away_draws_nothing(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "A");
	given_now = 1;
	fbcon_set_given(given);
	memset(s->buf, 0x11, SIZE); /* what the holder drew */
	put(s, "BC\n");
	fbcon_set_colour(&s->con, FG_RGB, BG_RGB);
	for (uint32_t i = 0; i < SIZE; i++)
		assert_int_equal(s->buf[i], 0x11);
	fbcon_set_given(NULL);
	given_now = 0;
}

static void test_fbcon_taken_back_clears_and_starts_at_top(void **state)
{
	struct screen *s = *state;

	start(s);
	put(s, "AAAA\nBBBB\nCC");
	given_now = 1;
	fbcon_set_given(given);
	put(s, "lost");
	memset(s->buf, 0x11, SIZE);
	given_now = 0; /* the holder died */
	put(s, "Z");
	assert_char(s, 0, 0, 'Z');
	assert_cursor_on(s, 1, 0, ' ');
	for (uint32_t col = 2; col < COLS; col++)
		assert_char(s, col, 0, ' ');
	for (uint32_t row = 1; row < ROWS; row++)
		for (uint32_t col = 0; col < COLS; col++)
			assert_char(s, col, row, ' ');
	fbcon_set_given(NULL);
}

static void test_fbcon_panic_draws_while_given_away(void **state)
{
	struct screen *s = *state;

	start(s);
	given_now = 1;
	fbcon_set_given(given);
	put(s, "x");
	memset(s->buf, 0x11, SIZE);
	arch_fake.panicking = 1;
	put(s, "P");
	arch_fake.panicking = 0;
	assert_char(s, 0, 0, 'P');
	assert_cursor_on(s, 1, 0, ' ');
	assert_char(s, 0, 1, ' ');
	put(s, "q"); /* no panic any more (a test can end one): given away again */
	assert_cursor_on(s, 1, 0, ' ');
	fbcon_set_given(NULL);
	given_now = 0;
}

#define FBCON_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FBCON_TEST(test_fbcon_init_clears_to_background),
		FBCON_TEST(test_fbcon_glyph_drawn_through_masks),
		FBCON_TEST(test_fbcon_bgrx_masks),
		FBCON_TEST(test_fbcon_zero_masks_mean_bgrx),
		FBCON_TEST(test_fbcon_channels_of_any_width),
		FBCON_TEST(test_fbcon_never_writes_outside_visible_area),
		FBCON_TEST(test_fbcon_wraps_at_right_edge),
		FBCON_TEST(test_fbcon_full_line_then_newline_leaves_no_empty_line),
		FBCON_TEST(test_fbcon_newline_starts_next_row),
		FBCON_TEST(test_fbcon_carriage_return_goes_to_column_0),
		FBCON_TEST(test_fbcon_tab_goes_to_next_multiple_of_8),
		FBCON_TEST(test_fbcon_backspace_moves_back_without_erasing),
		FBCON_TEST(test_fbcon_cursor_follows_and_is_erased),
		FBCON_TEST(test_fbcon_set_colour_keeps_cell_under_cursor),
		FBCON_TEST(test_fbcon_scrolls_up_and_clears_last_row),
		FBCON_TEST(test_fbcon_rejects_bpp_24),
		FBCON_TEST(test_fbcon_rejects_pitch_too_small),
		FBCON_TEST(test_fbcon_rejects_unaligned_pitch),
		FBCON_TEST(test_fbcon_rejects_size_too_small),
		FBCON_TEST(test_fbcon_rejects_zero_sizes),
		FBCON_TEST(test_fbcon_replacement_glyph_for_0x80_and_0x01),
		FBCON_TEST(test_fbcon_every_glyph_but_space_has_ink),
		FBCON_TEST(test_fbcon_glyphs_are_distinct),
		FBCON_TEST(test_fbcon_descenders_go_below_baseline),
		FBCON_TEST(test_fbcon_glyphs_leave_right_column_blank),
		FBCON_TEST(test_fbcon_given_away_draws_nothing),
		FBCON_TEST(test_fbcon_taken_back_clears_and_starts_at_top),
		FBCON_TEST(test_fbcon_panic_draws_while_given_away),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
