/* SPDX-License-Identifier: MIT */
/*
 * uart16550: the serial driver of PCs (x86-64 only; docs/console.md). The
 * 16550 at COM1 (I/O ports 0x3f8-0x3ff, ISA IRQ 4; another base as the first
 * argument) through the I/O-port range init gives as "ioport0". The kernel
 * set the port to 115200 8N1 with FIFOs at boot and may still write to it
 * until log_console, so the divisor latch (which shares the data register's
 * address) is never touched here. The loop is serial_server.c's; with the
 * argument "loopback" (tests) written bytes come back as received ones.
 */
#include <stdint.h>

#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/pio.h>

#include "serial_server.h"

#define COM1 0x3f8

#define REG_DATA 0 /* RBR / THR */
#define REG_IER	 1
#define REG_IIR	 2 /* read: IIR; write: FCR */
#define REG_MCR	 4
#define REG_LSR	 5
#define REG_MSR	 6
#define REG_SCR	 7

#define IER_RX	   0x01 /* received data (and the FIFO's time-out) */
#define FCR_FIFO   0x01 /* FIFOs on, receive trigger at 1 byte, nothing cleared */
#define MCR_DTR	   0x01
#define MCR_RTS	   0x02
#define MCR_OUT2   0x08 /* gates the chip's interrupt to the PIC / IOAPIC on PCs */
#define LSR_DR	   0x01
#define LSR_THRE   0x20
#define SPIN_LIMIT 1000000

struct uart {
	uint16_t base;
};

static int uart_start(void *ctx)
{
	struct uart *u = ctx;
	/* The scratch register: a 16450 or better answers, an empty bus reads 0xff. */
	arch_outb(u->base + REG_SCR, 0x5a);
	if (arch_inb(u->base + REG_SCR) != 0x5a)
		return -1;
	arch_outb(u->base + REG_IIR, FCR_FIFO);
	arch_outb(u->base + REG_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	arch_outb(u->base + REG_IER, IER_RX);
	(void)arch_inb(u->base + REG_LSR);
	(void)arch_inb(u->base + REG_IIR);
	(void)arch_inb(u->base + REG_MSR);
	return 0;
}

static int uart_rx(void *ctx, uint8_t *c)
{
	struct uart *u = ctx;
	if (!(arch_inb(u->base + REG_LSR) & LSR_DR))
		return 0;
	*c = arch_inb(u->base + REG_DATA);
	return 1;
}

static int uart_tx(void *ctx, uint8_t c)
{
	struct uart *u = ctx;
	for (int i = 0; !(arch_inb(u->base + REG_LSR) & LSR_THRE); i++)
		if (i == SPIN_LIMIT)
			return 0;
	arch_outb(u->base + REG_DATA, c);
	return 1;
}

/* Reading IIR and MSR lets go of what the chip latched besides received data. */
static void uart_irq_clear(void *ctx)
{
	struct uart *u = ctx;
	(void)arch_inb(u->base + REG_IIR);
	(void)arch_inb(u->base + REG_MSR);
}

/* "0x2f8" or "760": a port base below 0xfff8; 0 if it is not one. */
static uint16_t parse_base(const char *s)
{
	uint32_t v = 0, radix = 10;
	if (s[0] == '0' && s[1] == 'x') {
		radix = 16;
		s += 2;
	}
	if (!*s)
		return 0;
	for (; *s; s++) {
		uint32_t d = *s >= '0' && *s <= '9'   ? (uint32_t)(*s - '0')
			     : *s >= 'a' && *s <= 'f' ? (uint32_t)(*s - 'a' + 10)
						      : 99;
		if (d >= radix || v > 0xfff8)
			return 0;
		v = v * radix + d;
	}
	return v < 0xfff8 ? (uint16_t)v : 0;
}

int main(int argc, char **argv)
{
	static struct uart u = { COM1 };
	int loopback = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "loopback") == 0) {
			loopback = 1;
		} else if (!(u.base = parse_base(argv[i]))) {
			kosh_printf("usage: uart16550 [port base] [loopback]; '%s' is neither",
				    argv[i]);
			return 2;
		}
	}
	kosh_handle_t ports = kosh_start_handle("ioport0", NULL);
	kosh_err_t err = ports ? (kosh_err_t)kosh_ioport_enable(ports) : KOSH_E_NOT_FOUND;
	if (err) {
		kosh_printf("cannot open the ports at 0x%x (ioport0): %s", u.base,
			    kosh_strerror(err));
		return 2;
	}
	struct serial_chip chip = {
		.name = "16550",
		.ctx = &u,
		.baud = 115200, /* what the kernel programmed */
		.loopback = loopback,
		.start = uart_start,
		.rx = uart_rx,
		.tx = uart_tx,
		.irq_clear = uart_irq_clear,
	};
	return serial_server_run(&chip);
}
