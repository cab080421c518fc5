/* SPDX-License-Identifier: MIT */
/*
 * The PS/2 keyboard's keymap (user/drivers/i8042): scan code set 1 bytes in,
 * text bytes out, US layout. Pure: no hardware, tested on the host
 * (test/unit/keymap_test.c).
 *
 * Set 1 is what the i8042 hands over with translation on (as firmware leaves
 * it): one byte per make code, the same with bit 7 set for the break code,
 * 0xE0 before the extended keys (arrows, right Ctrl, keypad Enter), and the
 * Pause key's 0xE1 sequence, which has no break code.
 */
#ifndef KEYMAP_H
#define KEYMAP_H

#include <stdint.h>

#define KEYMAP_OUT_MAX 3 /* the longest text of one key: ESC [ A */

struct keymap {
	uint8_t e0;	/* the last byte was 0xE0 */
	uint8_t e1;	/* bytes of a Pause sequence still to swallow */
	uint8_t shift;	/* bit 0: left Shift down, bit 1: right Shift down */
	uint8_t ctrl;	/* bit 0: left Ctrl down, bit 1: right Ctrl down */
	uint8_t caps;	/* Caps Lock on */
};

void keymap_init(struct keymap *k);

/*
 * One byte from the controller: the text it makes, into out (room for
 * KEYMAP_OUT_MAX), and how many bytes that is — 0 for a prefix, a release,
 * a modifier or a key that types nothing.
 */
uint32_t keymap_feed(struct keymap *k, uint8_t code, uint8_t out[KEYMAP_OUT_MAX]);

#endif
