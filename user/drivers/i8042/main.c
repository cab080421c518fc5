/* SPDX-License-Identifier: MIT */
/*
 * i8042: the PS/2 keyboard of PCs (x86-64 only; docs/console.md). The
 * controller's data port 0x60 ("ioport0") and status/command port 0x64
 * ("ioport1"), IRQ 1. It is a "chip" of the serial drivers' loop
 * (serial_server.c) that only receives: it serves the serial protocol on the
 * "kbd" endpoint, READ giving typed text (<kosh/keymap.h> turns scan codes into it),
 * WRITE refused.
 *
 * The controller stays as the firmware left it (OVMF turns translation on, so
 * the keyboard's bytes arrive as scan code set 1); start only makes sure the
 * keyboard's port is enabled, its interrupt on and translation on, and drains
 * what the firmware left in the output buffer. Bytes from the second (mouse)
 * port are dropped.
 */
#include <stdint.h>

#include <kosh/keymap.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/pio.h>

#include "serial_server.h"

#define PORT_DATA   0x60
#define PORT_STATUS 0x64 /* read: status; write: command */

#define STATUS_OUT_FULL 0x01 /* a byte waits at PORT_DATA */
#define STATUS_IN_FULL	0x02 /* the controller has not taken the last write yet */
#define STATUS_AUX	0x20 /* the waiting byte is from the mouse port */

#define CMD_READ_CONFIG	 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_ENABLE_KBD	 0xae

#define CONFIG_KBD_IRQ	     0x01
#define CONFIG_KBD_CLOCK_OFF 0x10
#define CONFIG_TRANSLATE     0x40

#define SPIN_LIMIT  100000
#define DRAIN_LIMIT 64	/* bytes thrown away at start at most */
#define RX_LIMIT    256 /* controller bytes looked at per rx call at most */
#define QUEUE_SIZE  16u /* power of two */

struct kbd {
	struct kosh_keymap map;
	uint8_t queue[QUEUE_SIZE]; /* text not handed out yet */
	uint32_t head, len;
};

static int wait_input_empty(void)
{
	for (int i = 0; i < SPIN_LIMIT; i++)
		if (!(arch_inb(PORT_STATUS) & STATUS_IN_FULL))
			return 0;
	return -1;
}

static int wait_output_full(void)
{
	for (int i = 0; i < SPIN_LIMIT; i++)
		if (arch_inb(PORT_STATUS) & STATUS_OUT_FULL)
			return 0;
	return -1;
}

static int command(uint8_t cmd)
{
	if (wait_input_empty())
		return -1;
	arch_outb(PORT_STATUS, cmd);
	return 0;
}

static void drain(void)
{
	for (int i = 0; i < DRAIN_LIMIT && (arch_inb(PORT_STATUS) & STATUS_OUT_FULL); i++)
		(void)arch_inb(PORT_DATA);
}

static int kbd_start(void *ctx)
{
	struct kbd *k = ctx;
	kosh_keymap_init(&k->map);
	/* An empty bus reads 0xff: no controller. */
	if (arch_inb(PORT_STATUS) == 0xff)
		return -1;
	drain();
	if (command(CMD_READ_CONFIG) || wait_output_full())
		return -1;
	uint8_t config = arch_inb(PORT_DATA);
	uint8_t want = (uint8_t)((config | CONFIG_KBD_IRQ | CONFIG_TRANSLATE) &
				 ~CONFIG_KBD_CLOCK_OFF);
	if (want != config) {
		if (command(CMD_WRITE_CONFIG) || wait_input_empty())
			return -1;
		arch_outb(PORT_DATA, want);
	}
	if (command(CMD_ENABLE_KBD))
		return -1;
	drain();
	kosh_printf("controller configuration 0x%x%s", config,
		    want != config ? ", keyboard interrupt and translation turned on" : "");
	return 0;
}

/* The next byte of text: from the queue, else from the controller through the keymap. */
static int kbd_rx(void *ctx, uint8_t *c)
{
	struct kbd *k = ctx;
	for (int i = 0; !k->len && i < RX_LIMIT; i++) {
		uint8_t status = arch_inb(PORT_STATUS);
		if (!(status & STATUS_OUT_FULL))
			break;
		uint8_t code = arch_inb(PORT_DATA);
		if (status & STATUS_AUX)
			continue; /* the mouse's */
		uint8_t text[KOSH_KEYMAP_OUT_MAX];
		uint32_t n = kosh_keymap_feed(&k->map, code, text);
		for (uint32_t j = 0; j < n && k->len < QUEUE_SIZE; j++)
			k->queue[(k->head + k->len++) % QUEUE_SIZE] = text[j];
	}
	if (!k->len)
		return 0;
	*c = k->queue[k->head];
	k->head = (k->head + 1) % QUEUE_SIZE;
	k->len--;
	return 1;
}

int main(int argc, char **argv)
{
	static struct kbd k;
	(void)argv;
	if (argc > 1) {
		kosh_printf("usage: i8042 (no arguments)");
		return 2;
	}
	static const char *const names[] = { "ioport0", "ioport1" };
	for (int i = 0; i < 2; i++) {
		kosh_handle_t ports = kosh_start_handle(names[i], NULL);
		kosh_err_t err = ports ? (kosh_err_t)kosh_ioport_enable(ports) : KOSH_E_NOT_FOUND;
		if (err) {
			kosh_printf("cannot open the controller's ports (%s): %s", names[i],
				    kosh_strerror(err));
			return 2;
		}
	}
	struct serial_chip chip = {
		.name = "PS/2 keyboard",
		.endpoint = "kbd",
		.ctx = &k,
		.start = kbd_start,
		.rx = kbd_rx,
	};
	return serial_server_run(&chip);
}
