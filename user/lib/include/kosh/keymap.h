/* SPDX-License-Identifier: MIT */
/*
 * The keyboards' keymap: scan code set 1 bytes in, text bytes out, US layout,
 * for the PS/2 keyboard (user/drivers/i8042) and, through
 * kosh_keymap_evdev, virtio-input (user/drivers/virtio-input), whose evdev
 * key codes are set 1's make codes for the keys both have. Pure: no
 * hardware, tested on the host (test/unit/keymap_test.c).
 *
 * Set 1 is what the i8042 hands over with translation on (as firmware leaves
 * it): one byte per make code, the same with bit 7 set for the break code,
 * 0xE0 before the extended keys (arrows, right Ctrl, keypad Enter), and the
 * Pause key's 0xE1 sequence, which has no break code.
 */
#ifndef KOSH_USER_KEYMAP_H
#define KOSH_USER_KEYMAP_H

#include <stdint.h>

#define KOSH_KEYMAP_OUT_MAX 3 /* the longest text of one key: ESC [ A */

struct kosh_keymap {
	uint8_t e0;	/* the last byte was 0xE0 */
	uint8_t e1;	/* bytes of a Pause sequence still to swallow */
	uint8_t shift;	/* bit 0: left Shift down, bit 1: right Shift down */
	uint8_t ctrl;	/* bit 0: left Ctrl down, bit 1: right Ctrl down */
	uint8_t caps;	/* Caps Lock on */
};

void kosh_keymap_init(struct kosh_keymap *k);

/*
 * One byte from the controller: the text it makes, into out (room for
 * KOSH_KEYMAP_OUT_MAX), and how many bytes that is — 0 for a prefix, a release,
 * a modifier or a key that types nothing.
 */
uint32_t kosh_keymap_feed(struct kosh_keymap *k, uint8_t code, uint8_t out[KOSH_KEYMAP_OUT_MAX]);

/*
 * One evdev key event (EV_KEY: code, value 0 released, 1 pressed, 2 repeated)
 * as kosh_keymap_feed would take the same key's set 1 bytes: the text it
 * makes into out and how many bytes. Codes 1 .. 88 are set 1's make codes;
 * the extended keys (arrows, right Ctrl, keypad Enter …) go in with 0xE0; a
 * key set 1 has no code for types nothing.
 */
uint32_t kosh_keymap_evdev(struct kosh_keymap *k, uint16_t code, uint32_t value,
			   uint8_t out[KOSH_KEYMAP_OUT_MAX]);

#endif
