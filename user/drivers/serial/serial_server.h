/* SPDX-License-Identifier: MIT */
/*
 * The loop every serial driver runs (docs/console.md): it serves the serial
 * protocol (<kosh/proto/serial.h>) on its endpoint ("serial", or the chip's
 * own name for it, such as the keyboard's "kbd"), takes the chip's
 * interrupt through "irq<N>" and "irq-notify", buffers received bytes, answers
 * waiting READs, and takes the UART from the kernel's log ("klog-console",
 * log_console) once the chip is ready. A driver supplies only its chip.
 */
#ifndef SERIAL_SERVER_H
#define SERIAL_SERVER_H

#include <stdint.h>

#define SERIAL_RX_BUFFER 4096u /* received bytes kept until a READ takes them */

/* One UART (or a device that only receives, such as the PS/2 keyboard). ctx is the
 * driver's own. */
struct serial_chip {
	const char *name;     /* for log lines: "16550", "PL011" */
	const char *endpoint; /* the start handle served: NULL for "serial" */
	void *ctx;
	uint32_t baud; /* as set up (0: unknown) */
	int loopback;  /* tests: what is written is received, nothing reaches the line */
	/* Receive interrupts on (and stale interrupts cleared); 0, or -1 if the chip does not
	 * answer. */
	int (*start)(void *ctx);
	/* One received byte into *c: 1, or 0 when the receive FIFO is empty. */
	int (*rx)(void *ctx, uint8_t *c);
	/* Send one byte when the transmitter takes it: 1, or 0 if it stayed busy past a bound.
	 * NULL for a chip that only receives: a WRITE then answers KOSH_SERIAL_ENOSYS. */
	int (*tx)(void *ctx, uint8_t c);
	/* After an interrupt was handled: clear what the chip latched (may be NULL). */
	void (*irq_clear)(void *ctx);
};

/*
 * Serve forever with chip: returns only when the set-up fails or the
 * endpoint is gone, with the status the program should exit with.
 */
int serial_server_run(struct serial_chip *chip);

#endif
