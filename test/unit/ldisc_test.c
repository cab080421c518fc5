/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the console's line discipline (user/servers/console/ldisc.c):
 * every key of cooked mode, UTF-8 erasing, the line cap, Ctrl-C and Ctrl-D,
 * raw mode, mode changes, and output translation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/proto/vfs.h>

#include "ldisc.h"

#define COOKED (KOSH_VFS_TTY_ECHO | KOSH_VFS_TTY_CANON)

static struct ldisc ld;
static struct ldisc_echo echo_buf;
static uint32_t events; /* LDISC_* bits of the last type() */

/* Type the bytes of s (len of them); the echo accumulates in echo_buf. */
static void type_n(const char *s, size_t len)
{
	events = 0;
	for (size_t i = 0; i < len; i++) {
		assert_true(sizeof(echo_buf.buf) - echo_buf.len >= LDISC_ECHO_MAX);
		events |= ldisc_input(&ld, (uint8_t)s[i], &echo_buf);
	}
}

static void type(const char *s)
{
	type_n(s, strlen(s));
}

/* The echo so far, as a string; then forgotten. */
static const char *echoed(void)
{
	static char out[sizeof(echo_buf.buf) + 1];
	memcpy(out, echo_buf.buf, echo_buf.len);
	out[echo_buf.len] = 0;
	echo_buf.len = 0;
	return out;
}

/* One READ of at most want bytes: its text; NULL if it would wait; "" at end of file. */
static const char *read_up_to(uint32_t want)
{
	static char out[LDISC_QUEUE_MAX + 1];
	int32_t n = ldisc_peek(&ld, (uint8_t *)out, want);
	if (n < 0)
		return NULL;
	ldisc_consume(&ld, (uint32_t)n);
	out[n] = 0;
	return out;
}

static const char *read_line(void)
{
	return read_up_to(4096);
}

static int setup(void **state)
{
	ldisc_init(&ld, COOKED);
	echo_buf.len = 0;
	return 0;
}

static void test_ldisc_line_is_echoed_and_read_on_enter(void **state)
{
	type("ls -l");
	assert_string_equal(echoed(), "ls -l");
	assert_false(ldisc_readable(&ld));
	assert_null(read_line());
	type("\r");
	assert_true(events & LDISC_READY);
	assert_string_equal(echoed(), "\r\n");
	assert_string_equal(read_line(), "ls -l\n");
	assert_null(read_line());
}

static void test_ldisc_lf_and_crlf_are_one_enter(void **state)
{
	type("a\nb\r\nc\r\r");
	assert_string_equal(echoed(), "a\r\nb\r\nc\r\n\r\n");
	assert_string_equal(read_line(), "a\n");
	assert_string_equal(read_line(), "b\n");
	assert_string_equal(read_line(), "c\n");
	assert_string_equal(read_line(), "\n"); /* the second CR is an empty line */
	assert_null(read_line());
	type("\n"); /* still the CR's Enter */
	assert_null(read_line());
	type("\n"); /* a LF after anything but a CR is an Enter of its own */
	assert_string_equal(read_line(), "\n");
}

static void test_ldisc_backspace_and_del_erase_one_character(void **state)
{
	type("abc\b");
	assert_string_equal(echoed(), "abc\b \b");
	type("\x7f"
	     "d\r");
	assert_string_equal(echoed(), "\b \bd\r\n");
	assert_string_equal(read_line(), "ad\n");
	type("\b\x7f"); /* nothing to erase: nothing echoed */
	assert_string_equal(echoed(), "");
}

static void test_ldisc_backspace_erases_a_whole_utf8_character(void **state)
{
	/* é (2 bytes), € (3 bytes), 𝄞 (4 bytes): each erased by one backspace. */
	type("x\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e");
	echoed();
	type("\x7f");
	assert_string_equal(echoed(), "\b \b");
	type("\r");
	assert_string_equal(read_line(), "x\xc3\xa9\xe2\x82\xac\n");
	type("\xe2\x82\xac\x7f\x7f\xc3\xa9\x7f\x7fy\r");
	assert_string_equal(read_line(), "y\n");
	/* A broken sequence goes byte by byte. */
	type("a\x82\x83\x7f\r");
	assert_string_equal(read_line(), "a\x82\n");
}

static void test_ldisc_control_characters_echo_as_caret_and_erase_wide(void **state)
{
	type("\x1b[A");
	assert_string_equal(echoed(), "^[[A");
	type("\b\b\b"); /* A, [, then ESC, two columns wide */
	assert_string_equal(echoed(), "\b \b\b \b\b \b\b \b");
	type("\t\r");
	assert_string_equal(echoed(), "\t\r\n");
	assert_string_equal(read_line(), "\t\n");
}

static void test_ldisc_ctrl_u_kills_the_line(void **state)
{
	type("abc\xc3\xa9");
	echoed();
	type("\x15");
	assert_string_equal(echoed(), "\b \b\b \b\b \b\b \b");
	assert_false(ldisc_readable(&ld));
	type("ok\r");
	assert_string_equal(read_line(), "ok\n");
}

static void test_ldisc_ctrl_c_drops_the_line_and_interrupts(void **state)
{
	type("rm -rf");
	echoed();
	type("\x03");
	assert_int_equal(events, LDISC_INTR);
	assert_string_equal(echoed(), "^C\r\n");
	assert_false(ldisc_readable(&ld));
	type("\r");
	assert_string_equal(read_line(), "\n");
	/* Lines already entered stay queued. */
	type("kept\rtyped\x03");
	assert_string_equal(read_line(), "kept\n");
	assert_null(read_line());
}

static void test_ldisc_ctrl_d_at_line_start_is_end_of_file(void **state)
{
	type("\x04");
	assert_true(events & LDISC_READY);
	assert_string_equal(echoed(), "");
	assert_true(ldisc_readable(&ld));
	assert_string_equal(read_line(), ""); /* READ returns 0 */
	assert_null(read_line());	      /* once */
	type("\x04\x04");
	assert_string_equal(read_line(), "");
	assert_string_equal(read_line(), "");
	assert_null(read_line());
}

static void test_ldisc_ctrl_d_mid_line_sends_it_without_newline(void **state)
{
	type("abc\x04");
	assert_true(events & LDISC_READY);
	assert_string_equal(read_line(), "abc");
	assert_null(read_line());
	type("def\x04\x04");
	assert_string_equal(read_line(), "def");
	assert_string_equal(read_line(), ""); /* then the end of file */
}

static void test_ldisc_reads_stop_at_line_ends_and_take_partial_lines(void **state)
{
	type("first\rsecond\r");
	assert_string_equal(read_up_to(3), "fir");
	assert_string_equal(read_up_to(100), "st\n");
	assert_string_equal(read_up_to(100), "second\n");
	type("x\r\x04");
	assert_string_equal(read_up_to(100), "x\n");
	assert_string_equal(read_up_to(100), "");
}

static void test_ldisc_overlong_line_is_refused_with_a_bell(void **state)
{
	char big[LDISC_LINE_MAX + 10];
	memset(big, 'a', sizeof(big));
	type_n(big, LDISC_LINE_MAX - 1);
	assert_int_equal(events & LDISC_BELL, 0);
	echoed();
	type("b");
	assert_int_equal(events, LDISC_BELL);
	assert_string_equal(echoed(), "\a");
	type("\r");
	const char *line = read_line();
	assert_int_equal(strlen(line), LDISC_LINE_MAX);
	assert_int_equal(line[LDISC_LINE_MAX - 1], '\n');
	assert_int_equal(line[LDISC_LINE_MAX - 2], 'a');
}

static void test_ldisc_utf8_character_that_does_not_fit_is_refused_whole(void **state)
{
	char big[LDISC_LINE_MAX];
	memset(big, 'a', sizeof(big));
	type_n(big, LDISC_LINE_MAX - 3); /* room for 2 more bytes */
	echoed();
	type("\xe2\x82\xac"); /* 3 bytes: none of them taken */
	assert_string_equal(echoed(), "\a\a\a");
	type("\xc3\xa9\r"); /* 2 bytes fit */
	const char *line = read_line();
	assert_int_equal(strlen(line), LDISC_LINE_MAX);
	assert_memory_equal(line + LDISC_LINE_MAX - 3, "\xc3\xa9\n", 3);
}

static void test_ldisc_full_queue_keeps_the_line_and_rings(void **state)
{
	char line[LDISC_LINE_MAX];
	memset(line, 'q', sizeof(line));
	for (uint32_t i = 0; i < LDISC_QUEUE_MAX / LDISC_LINE_MAX; i++) {
		type_n(line, LDISC_LINE_MAX - 1);
		type("\r");
		assert_true(events & LDISC_READY);
	}
	echoed();
	type("z\r");
	assert_true(events & LDISC_BELL);
	assert_false(events & LDISC_READY);
	assert_int_equal(strlen(read_line()), LDISC_LINE_MAX); /* room again */
	type("\r");
	assert_true(events & LDISC_READY);
	for (int i = 0; i < 3; i++)
		read_line();
	assert_string_equal(read_line(), "z\n");
}

static void test_ldisc_too_many_lines_ring(void **state)
{
	for (uint32_t i = 0; i < LDISC_CHUNKS_MAX; i++)
		type("\r");
	type("\x04");
	assert_int_equal(events, LDISC_BELL);
	read_line();
	type("\x04");
	assert_true(events & LDISC_READY);
}

static void test_ldisc_no_echo_mode_echoes_nothing_but_bells(void **state)
{
	ldisc_set_mode(&ld, KOSH_VFS_TTY_CANON);
	type("secret\b\x15pw\x03x\r");
	assert_string_equal(echoed(), "");
	assert_string_equal(read_line(), "x\n");
}

static void test_ldisc_raw_mode_passes_every_byte(void **state)
{
	ldisc_set_mode(&ld, KOSH_VFS_TTY_ECHO);
	type("a");
	assert_true(events & LDISC_READY);
	assert_string_equal(echoed(), "a");
	type("\r\x03\x04\x7f");
	assert_false(events & LDISC_INTR);
	assert_string_equal(read_line(), "a\r\x03\x04\x7f");
	assert_null(read_line());
	assert_string_equal(echoed(), "\r\x03\x04\x7f"); /* as they came */
	type("xyz");
	assert_string_equal(read_up_to(2), "xy");
	assert_string_equal(read_up_to(2), "z");
	ldisc_set_mode(&ld, 0);
	type("q");
	assert_string_equal(echoed(), "xyz"); /* nothing more without ECHO */
	assert_string_equal(read_line(), "q");
}

static void test_ldisc_raw_mode_fills_the_queue_then_rings(void **state)
{
	ldisc_set_mode(&ld, 0);
	char big[LDISC_QUEUE_MAX];
	memset(big, 'r', sizeof(big));
	type_n(big, sizeof(big));
	assert_int_equal(events & LDISC_BELL, 0);
	type("s");
	assert_int_equal(events, LDISC_BELL);
	assert_int_equal(strlen(read_line()), LDISC_QUEUE_MAX);
	type("t");
	assert_string_equal(read_line(), "t");
}

static void test_ldisc_mode_changes_keep_what_was_typed(void **state)
{
	type("half");
	ldisc_set_mode(&ld, 0); /* cooked to raw: the partial line is readable */
	assert_string_equal(read_line(), "half");
	type("raw");
	ldisc_set_mode(&ld, COOKED); /* raw bytes queued stay one chunk */
	assert_string_equal(read_line(), "raw");
	type("\x04");
	ldisc_set_mode(&ld, 0); /* an end of file met by a raw read */
	type("k");
	assert_string_equal(read_line(), "k");
	assert_null(read_line());
}

static void test_ldisc_output_turns_newlines_into_crlf(void **state)
{
	uint8_t out[16];
	uint32_t taken;
	uint32_t n = ldisc_output((const uint8_t *)"a\nb\n\n", 5, out, sizeof(out), &taken);
	assert_int_equal(taken, 5);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "a\r\nb\r\n\r\n", 8);
	/* Cut where the output is full, never in the middle of CR LF. */
	n = ldisc_output((const uint8_t *)"ab\ncd", 5, out, 3, &taken);
	assert_int_equal(n, 2);
	assert_int_equal(taken, 2);
	n = ldisc_output((const uint8_t *)"\ncd", 3, out, 3, &taken);
	assert_int_equal(n, 3);
	assert_int_equal(taken, 2);
	assert_memory_equal(out, "\r\nc", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ldisc_line_is_echoed_and_read_on_enter, setup),
	    cmocka_unit_test_setup(test_ldisc_lf_and_crlf_are_one_enter, setup),
	    cmocka_unit_test_setup(test_ldisc_backspace_and_del_erase_one_character, setup),
	    cmocka_unit_test_setup(test_ldisc_backspace_erases_a_whole_utf8_character, setup),
	    cmocka_unit_test_setup(test_ldisc_control_characters_echo_as_caret_and_erase_wide,
				   setup),
	    cmocka_unit_test_setup(test_ldisc_ctrl_u_kills_the_line, setup),
	    cmocka_unit_test_setup(test_ldisc_ctrl_c_drops_the_line_and_interrupts, setup),
	    cmocka_unit_test_setup(test_ldisc_ctrl_d_at_line_start_is_end_of_file, setup),
	    cmocka_unit_test_setup(test_ldisc_ctrl_d_mid_line_sends_it_without_newline, setup),
	    cmocka_unit_test_setup(test_ldisc_reads_stop_at_line_ends_and_take_partial_lines,
				   setup),
	    cmocka_unit_test_setup(test_ldisc_overlong_line_is_refused_with_a_bell, setup),
	    cmocka_unit_test_setup(test_ldisc_utf8_character_that_does_not_fit_is_refused_whole,
				   setup),
	    cmocka_unit_test_setup(test_ldisc_full_queue_keeps_the_line_and_rings, setup),
	    cmocka_unit_test_setup(test_ldisc_too_many_lines_ring, setup),
	    cmocka_unit_test_setup(test_ldisc_no_echo_mode_echoes_nothing_but_bells, setup),
	    cmocka_unit_test_setup(test_ldisc_raw_mode_passes_every_byte, setup),
	    cmocka_unit_test_setup(test_ldisc_raw_mode_fills_the_queue_then_rings, setup),
	    cmocka_unit_test_setup(test_ldisc_mode_changes_keep_what_was_typed, setup),
	    cmocka_unit_test_setup(test_ldisc_output_turns_newlines_into_crlf, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
