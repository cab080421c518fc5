/* SPDX-License-Identifier: MIT */
/*
 * Scan code set 1 to text, US layout (<kosh/keymap.h>). Ctrl with a letter gives
 * its control code (Ctrl-C 0x03), Enter a '\r' and Backspace a DEL (0x7f),
 * as a serial terminal sends them, so the console's line discipline sees
 * the same bytes from either.
 */
#include <kosh/keymap.h>

#include <stddef.h>

#define SC_ESC	     0x01
#define SC_BACKSPACE 0x0e
#define SC_TAB	     0x0f
#define SC_ENTER     0x1c
#define SC_CTRL	     0x1d
#define SC_LSHIFT    0x2a
#define SC_RSHIFT    0x36
#define SC_CAPS	     0x3a
#define SC_UP	     0x48
#define SC_LEFT	     0x4b
#define SC_RIGHT     0x4d
#define SC_DOWN	     0x50
#define BREAK	     0x80

/* Make codes 0x00-0x39 without and with Shift; 0: types nothing. */
static const char plain[0x3a] = {
	[0x02] = '1', [0x03] = '2', [0x04] = '3',  [0x05] = '4', [0x06] = '5', [0x07] = '6',
	[0x08] = '7', [0x09] = '8', [0x0a] = '9',  [0x0b] = '0', [0x0c] = '-', [0x0d] = '=',
	[0x10] = 'q', [0x11] = 'w', [0x12] = 'e',  [0x13] = 'r', [0x14] = 't', [0x15] = 'y',
	[0x16] = 'u', [0x17] = 'i', [0x18] = 'o',  [0x19] = 'p', [0x1a] = '[', [0x1b] = ']',
	[0x1e] = 'a', [0x1f] = 's', [0x20] = 'd',  [0x21] = 'f', [0x22] = 'g', [0x23] = 'h',
	[0x24] = 'j', [0x25] = 'k', [0x26] = 'l',  [0x27] = ';', [0x28] = '\'', [0x29] = '`',
	[0x2b] = '\\', [0x2c] = 'z', [0x2d] = 'x', [0x2e] = 'c', [0x2f] = 'v', [0x30] = 'b',
	[0x31] = 'n', [0x32] = 'm', [0x33] = ',',  [0x34] = '.', [0x35] = '/', [0x37] = '*',
	[0x39] = ' ',
};

static const char shifted[0x3a] = {
	[0x02] = '!', [0x03] = '@', [0x04] = '#',  [0x05] = '$', [0x06] = '%', [0x07] = '^',
	[0x08] = '&', [0x09] = '*', [0x0a] = '(',  [0x0b] = ')', [0x0c] = '_', [0x0d] = '+',
	[0x10] = 'Q', [0x11] = 'W', [0x12] = 'E',  [0x13] = 'R', [0x14] = 'T', [0x15] = 'Y',
	[0x16] = 'U', [0x17] = 'I', [0x18] = 'O',  [0x19] = 'P', [0x1a] = '{', [0x1b] = '}',
	[0x1e] = 'A', [0x1f] = 'S', [0x20] = 'D',  [0x21] = 'F', [0x22] = 'G', [0x23] = 'H',
	[0x24] = 'J', [0x25] = 'K', [0x26] = 'L',  [0x27] = ':', [0x28] = '"', [0x29] = '~',
	[0x2b] = '|', [0x2c] = 'Z', [0x2d] = 'X',  [0x2e] = 'C', [0x2f] = 'V', [0x30] = 'B',
	[0x31] = 'N', [0x32] = 'M', [0x33] = '<',  [0x34] = '>', [0x35] = '?', [0x37] = '*',
	[0x39] = ' ',
};

void kosh_keymap_init(struct kosh_keymap *k)
{
	*k = (struct kosh_keymap){ 0 };
}

/* An extended key (after 0xE0): arrows, right Ctrl, keypad Enter. */
static uint32_t extended(struct kosh_keymap *k, uint8_t code, uint8_t *out)
{
	uint8_t make = code & (uint8_t)~BREAK;
	int up = code & BREAK;
	const char *arrow = NULL;
	switch (make) {
	case SC_CTRL: /* right Ctrl */
		k->ctrl = up ? k->ctrl & ~2u : k->ctrl | 2u;
		return 0;
	case SC_LSHIFT: /* fake Shifts around some extended keys: not a key */
	case SC_RSHIFT:
		return 0;
	case SC_ENTER: /* keypad Enter */
		if (up)
			return 0;
		out[0] = '\r';
		return 1;
	case SC_UP:
		arrow = "A";
		break;
	case SC_DOWN:
		arrow = "B";
		break;
	case SC_RIGHT:
		arrow = "C";
		break;
	case SC_LEFT:
		arrow = "D";
		break;
	default:
		return 0;
	}
	if (up)
		return 0;
	out[0] = 0x1b;
	out[1] = '[';
	out[2] = (uint8_t)arrow[0];
	return 3;
}

uint32_t kosh_keymap_feed(struct kosh_keymap *k, uint8_t code, uint8_t out[KOSH_KEYMAP_OUT_MAX])
{
	if (k->e1) { /* Pause: E1 1D 45 E1 9D C5, all swallowed */
		k->e1--;
		return 0;
	}
	if (code == 0xe1) {
		k->e0 = 0;
		k->e1 = 2; /* the two bytes after each 0xE1 */
		return 0;
	}
	if (code == 0xe0) {
		k->e0 = 1; /* a stray second 0xE0 just stays a prefix */
		return 0;
	}
	if (k->e0) {
		k->e0 = 0;
		return extended(k, code, out);
	}
	uint8_t make = code & (uint8_t)~BREAK;
	int up = code & BREAK;
	switch (make) {
	case SC_LSHIFT:
		k->shift = up ? k->shift & ~1u : k->shift | 1u;
		return 0;
	case SC_RSHIFT:
		k->shift = up ? k->shift & ~2u : k->shift | 2u;
		return 0;
	case SC_CTRL:
		k->ctrl = up ? k->ctrl & ~1u : k->ctrl | 1u;
		return 0;
	case SC_CAPS:
		if (!up)
			k->caps ^= 1;
		return 0;
	}
	if (up)
		return 0;
	switch (make) {
	case SC_ESC:
		out[0] = 0x1b;
		return 1;
	case SC_BACKSPACE:
		out[0] = 0x7f;
		return 1;
	case SC_TAB:
		out[0] = '\t';
		return 1;
	case SC_ENTER:
		out[0] = '\r';
		return 1;
	}
	if (make >= sizeof(plain) || !plain[make])
		return 0;
	char c = plain[make];
	int letter = c >= 'a' && c <= 'z';
	if (k->ctrl) {
		if (!letter)
			return 0;
		out[0] = (uint8_t)(c - 'a' + 1);
		return 1;
	}
	int upper = k->shift ? 1 : 0;
	if (letter && k->caps)
		upper ^= 1;
	out[0] = (uint8_t)(upper ? shifted[make] : c);
	return 1;
}

/* evdev codes (Linux input-event-codes.h) of the extended keys, and their set 1 make codes. */
static const struct {
	uint16_t evdev;
	uint8_t set1;
} extended_keys[] = {
	{ 96, 0x1c },  /* KEY_KPENTER */
	{ 97, 0x1d },  /* KEY_RIGHTCTRL */
	{ 98, 0x35 },  /* KEY_KPSLASH */
	{ 100, 0x38 }, /* KEY_RIGHTALT */
	{ 102, 0x47 }, /* KEY_HOME */
	{ 103, 0x48 }, /* KEY_UP */
	{ 104, 0x49 }, /* KEY_PAGEUP */
	{ 105, 0x4b }, /* KEY_LEFT */
	{ 106, 0x4d }, /* KEY_RIGHT */
	{ 107, 0x4f }, /* KEY_END */
	{ 108, 0x50 }, /* KEY_DOWN */
	{ 109, 0x51 }, /* KEY_PAGEDOWN */
	{ 110, 0x52 }, /* KEY_INSERT */
	{ 111, 0x53 }, /* KEY_DELETE */
};

#define EVDEV_SET1_LAST 88 /* KEY_F12: codes 1 .. 88 are set 1's make codes */

uint32_t kosh_keymap_evdev(struct kosh_keymap *k, uint16_t code, uint32_t value,
			   uint8_t out[KOSH_KEYMAP_OUT_MAX])
{
	uint8_t up = value == 0 ? BREAK : 0; /* 1 pressed and 2 repeated both type */
	if (value > 2)
		return 0;
	if (code >= 1 && code <= EVDEV_SET1_LAST)
		return kosh_keymap_feed(k, (uint8_t)(code | up), out);
	for (size_t i = 0; i < sizeof(extended_keys) / sizeof(extended_keys[0]); i++) {
		if (extended_keys[i].evdev != code)
			continue;
		(void)kosh_keymap_feed(k, 0xe0, out); /* a prefix: types nothing */
		return kosh_keymap_feed(k, (uint8_t)(extended_keys[i].set1 | up), out);
	}
	return 0;
}
