/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the PS/2 keymap (user/lib/keymap.c): scan code
 * set 1 make and break codes, the 0xE0 prefix, Shift, Caps Lock, Ctrl, the
 * special keys, arrows, and prefixes that must not desynchronise the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/keymap.h>

static struct kosh_keymap km;
static char text[256];
static size_t text_len;

/* Feed codes; the text they make accumulates in text (NUL-terminated). */
static void feed(const uint8_t *codes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t out[KOSH_KEYMAP_OUT_MAX];
		uint32_t got = kosh_keymap_feed(&km, codes[i], out);
		assert_true(got <= KOSH_KEYMAP_OUT_MAX);
		assert_true(text_len + got < sizeof(text));
		memcpy(text + text_len, out, got);
		text_len += got;
		text[text_len] = 0;
	}
}

#define FEED(...)                                                                                  \
	do {                                                                                       \
		static const uint8_t codes_[] = { __VA_ARGS__ };                                   \
		feed(codes_, sizeof(codes_));                                                      \
	} while (0)

static int setup(void **state)
{
	(void)state;
	kosh_keymap_init(&km);
	text_len = 0;
	text[0] = 0;
	return 0;
}

/* Press and release: "echo typed" then Enter, as QEMU's sendkey sends it. */
static void test_letters_and_enter(void **state)
{
	(void)state;
	FEED(0x12, 0x92, 0x2e, 0xae, 0x23, 0xa3, 0x18, 0x98, 0x39, 0xb9, 0x14, 0x94, 0x15, 0x95,
	     0x19, 0x99, 0x12, 0x92, 0x20, 0xa0, 0x1c, 0x9c);
	assert_string_equal(text, "echo typed\r");
}

static void test_digits_and_punctuation(void **state)
{
	(void)state;
	FEED(0x02, 0x03, 0x0b, 0x0c, 0x0d, 0x1a, 0x1b, 0x27, 0x28, 0x29, 0x2b, 0x33, 0x34, 0x35);
	assert_string_equal(text, "120-=[];'`\\,./");
}

static void test_shift_both(void **state)
{
	(void)state;
	FEED(0x2a, 0x1e, 0x02, 0xaa, 0x1e);		  /* left Shift: A ! then a */
	FEED(0x36, 0x35, 0x28, 0x0d, 0xb6, 0x35);	  /* right Shift: ? " + then / */
	FEED(0x2a, 0x36, 0xaa, 0x1f, 0xb6, 0x1f);	  /* one Shift still held: S, then s */
	assert_string_equal(text, "A!a?\"+/Ss");
}

static void test_caps_lock_letters_only(void **state)
{
	(void)state;
	FEED(0x3a, 0xba, 0x1e, 0x02, 0x33); /* Caps on: A, 1, ',' */
	FEED(0x2a, 0x1e, 0x02, 0xaa);	    /* with Shift: a, ! */
	FEED(0x3a, 0xba, 0x1e);		    /* Caps off: a */
	assert_string_equal(text, "A1,a!a");
}

static void test_ctrl(void **state)
{
	(void)state;
	FEED(0x1d, 0x2e, 0xae, 0x20, 0x9d); /* left Ctrl-C, Ctrl-D */
	assert_int_equal(text_len, 2);
	assert_int_equal(text[0], 0x03);
	assert_int_equal(text[1], 0x04);
	FEED(0xe0, 0x1d, 0x1e, 0x2c, 0xe0, 0x9d, 0x1e); /* right Ctrl-A, Ctrl-Z, then a */
	assert_int_equal(text_len, 5);
	assert_int_equal(text[2], 0x01);
	assert_int_equal(text[3], 0x1a);
	assert_int_equal(text[4], 'a');
	FEED(0x1d, 0x02, 0x9d); /* Ctrl with a digit: nothing */
	assert_int_equal(text_len, 5);
}

static void test_special_keys(void **state)
{
	(void)state;
	FEED(0x0e, 0x8e, 0x0f, 0x8f, 0x01, 0x81, 0x1c, 0x9c, 0xe0, 0x1c, 0xe0, 0x9c);
	assert_int_equal(text_len, 5);
	assert_memory_equal(text, "\x7f\t\x1b\r\r", 5);
}

static void test_arrows(void **state)
{
	(void)state;
	FEED(0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0xd0, 0xe0, 0x4d, 0xe0, 0xcd, 0xe0, 0x4b,
	     0xe0, 0xcb);
	assert_string_equal(text, "\x1b[A\x1b[B\x1b[C\x1b[D");
}

static void test_releases_and_unknown_give_nothing(void **state)
{
	(void)state;
	for (unsigned code = 0x80; code < 0x100; code++) {
		if (code == 0xe0 || code == 0xe1)
			continue;
		uint8_t c = (uint8_t)code;
		feed(&c, 1);
	}
	FEED(0x3b, 0x44, 0x57, 0x58, 0x7f, 0x00); /* F1, F10, F11, F12, unused codes */
	FEED(0xe0, 0x5b, 0xe0, 0xdb, 0xe0, 0x47, 0xe0, 0x35); /* Windows, Home, keypad / */
	assert_int_equal(text_len, 0);
	FEED(0x1e);
	assert_string_equal(text, "a");
}

static void test_prefixes_do_not_desync(void **state)
{
	(void)state;
	FEED(0xe0, 0xe0, 0x48);					/* a stray 0xE0: still Up */
	FEED(0x1e);						/* a plain key after it */
	FEED(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);		/* Pause: nothing */
	FEED(0x1f);						/* s */
	FEED(0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa);	/* fake Shift around Up */
	FEED(0x20);						/* d, not D */
	assert_string_equal(text, "\x1b[Aa" "s" "\x1b[A" "d");
	/* Modifiers survive a Pause in the middle. */
	FEED(0x2a, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x21, 0xaa, 0x21);
	assert_string_equal(text, "\x1b[Aa" "s" "\x1b[A" "d" "Ff");
}

/* evdev events (virtio-input): code, value pairs. */
static void ev(const uint32_t *pairs, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint8_t out[KOSH_KEYMAP_OUT_MAX];
		uint32_t got = kosh_keymap_evdev(&km, (uint16_t)pairs[i], pairs[i + 1], out);
		assert_true(got <= KOSH_KEYMAP_OUT_MAX);
		assert_true(text_len + got < sizeof(text));
		memcpy(text + text_len, out, got);
		text_len += got;
		text[text_len] = 0;
	}
}

#define EV(...)                                                                                    \
	do {                                                                                       \
		static const uint32_t pairs_[] = { __VA_ARGS__ };                                  \
		ev(pairs_, sizeof(pairs_) / sizeof(pairs_[0]));                                    \
	} while (0)

/* KEY_L 38, KEY_S 31, KEY_ENTER 28, KEY_LEFTSHIFT 42, KEY_CAPSLOCK 58, KEY_LEFTCTRL 29. */
static void test_evdev_line_and_modifiers(void **state)
{
	(void)state;
	EV(38, 1, 38, 0, 31, 1, 31, 0, 28, 1, 28, 0);	     /* l s Enter */
	EV(42, 1, 38, 1, 38, 0, 42, 0, 38, 1, 38, 0);	     /* Shift-l, l */
	EV(58, 1, 58, 0, 31, 1, 31, 0, 2, 1, 2, 0, 58, 1, 58, 0); /* Caps: S, 1 */
	EV(29, 1, 46, 1, 46, 0, 29, 0);			     /* Ctrl-C */
	EV(97, 1, 46, 1, 46, 0, 97, 0);			     /* right Ctrl-C */
	assert_int_equal(text_len, 9);
	assert_memory_equal(text, "ls\rLlS1\x03\x03", 9);
}

static void test_evdev_extended_repeat_and_unknown(void **state)
{
	(void)state;
	EV(103, 1, 103, 0, 108, 1, 108, 0, 106, 1, 106, 0, 105, 1, 105, 0); /* arrows */
	EV(96, 1, 96, 0);						     /* keypad Enter */
	EV(30, 1, 30, 2, 30, 2, 30, 0);					     /* a, repeated twice */
	EV(30, 3, 30, 0xffffffff, 0, 1, 89, 1, 183, 1, 0x110, 1, 0xffff, 1); /* nothing */
	EV(102, 1, 102, 0, 111, 1, 111, 0, 100, 1, 100, 0);		     /* Home, Delete, AltGr */
	EV(31, 1, 31, 0);						     /* s: not desynchronised */
	assert_string_equal(text, "\x1b[A\x1b[B\x1b[C\x1b[D\raaas");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_letters_and_enter, setup),
	    cmocka_unit_test_setup(test_digits_and_punctuation, setup),
	    cmocka_unit_test_setup(test_shift_both, setup),
	    cmocka_unit_test_setup(test_caps_lock_letters_only, setup),
	    cmocka_unit_test_setup(test_ctrl, setup),
	    cmocka_unit_test_setup(test_special_keys, setup),
	    cmocka_unit_test_setup(test_arrows, setup),
	    cmocka_unit_test_setup(test_releases_and_unknown_give_nothing, setup),
	    cmocka_unit_test_setup(test_prefixes_do_not_desync, setup),
	    cmocka_unit_test_setup(test_evdev_line_and_modifiers, setup),
	    cmocka_unit_test_setup(test_evdev_extended_repeat_and_unknown, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
