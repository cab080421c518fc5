/* SPDX-License-Identifier: MIT */
/*
 * pl011: the Arm PL011 serial driver (AArch64; docs/console.md). Its registers
 * are the MMIO frame init gives as "mmio0" (QEMU virt: the page at 0x9000000,
 * which the kernel hands the root task for its console UART), mapped as device
 * memory; its interrupt is "irq<N>" (QEMU virt: SPI 1, INTID 33). The UART is
 * used as the firmware set it up (115200 8N1 on QEMU virt): only the
 * interrupt mask is changed, and the enable bits if firmware left them off.
 * The loop is serial_server.c's; with the argument "loopback" (tests)
 * written bytes come back as received ones.
 */
#include <stdint.h>

#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "serial_server.h"

/* Registers, as 32-bit word indices. */
#define REG_DR	 (0x00 / 4)
#define REG_FR	 (0x18 / 4)
#define REG_CR	 (0x30 / 4)
#define REG_IMSC (0x38 / 4)
#define REG_ICR	 (0x44 / 4)

#define FR_RXFE	   0x10
#define FR_TXFF	   0x20
#define CR_UARTEN  0x001
#define CR_TXE	   0x100
#define CR_RXE	   0x200
#define INT_RX	   0x10 /* receive (FIFO at its level) */
#define INT_RT	   0x40 /* receive time-out (bytes below the level wait too long) */
#define INT_ALL	   0x7ff
#define SPIN_LIMIT 1000000

struct uart {
	volatile uint32_t *regs;
};

static int uart_start(void *ctx)
{
	struct uart *u = ctx;
	uint32_t cr = u->regs[REG_CR];
	if ((cr & (CR_UARTEN | CR_TXE | CR_RXE)) != (CR_UARTEN | CR_TXE | CR_RXE))
		u->regs[REG_CR] = cr | CR_UARTEN | CR_TXE | CR_RXE;
	u->regs[REG_ICR] = INT_ALL;
	u->regs[REG_IMSC] = INT_RX | INT_RT;
	return 0;
}

static int uart_rx(void *ctx, uint8_t *c)
{
	struct uart *u = ctx;
	if (u->regs[REG_FR] & FR_RXFE)
		return 0;
	*c = (uint8_t)u->regs[REG_DR]; /* the error bits above the byte are dropped */
	return 1;
}

static int uart_tx(void *ctx, uint8_t c)
{
	struct uart *u = ctx;
	for (int i = 0; u->regs[REG_FR] & FR_TXFF; i++)
		if (i == SPIN_LIMIT)
			return 0;
	u->regs[REG_DR] = c;
	return 1;
}

static void uart_irq_clear(void *ctx)
{
	struct uart *u = ctx;
	u->regs[REG_ICR] = INT_RX | INT_RT;
}

int main(int argc, char **argv)
{
	static struct uart u;
	uint64_t size = 0;
	int loopback = argc > 1 && strcmp(argv[1], "loopback") == 0;
	if (argc > 2 || (argc == 2 && !loopback)) {
		kosh_printf("usage: pl011 [loopback]");
		return 2;
	}
	kosh_handle_t frame = kosh_start_handle("mmio0", &size);
	kosh_err_t err = KOSH_E_NOT_FOUND;
	if (frame && size && size < KOSH_PAGE_SIZE)
		frame = 0; /* init says how big it is: not the PL011's page */
	if (frame)
		u.regs = kosh_frame_map(frame, 0, KOSH_PAGE_SIZE,
					KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!u.regs) {
		kosh_printf("cannot map the PL011's registers (mmio0): %s", kosh_strerror(err));
		return 2;
	}
	struct serial_chip chip = {
		.name = "PL011",
		.ctx = &u,
		.baud = 0, /* the firmware's; the reference clock is not known here */
		.loopback = loopback,
		.start = uart_start,
		.rx = uart_rx,
		.tx = uart_tx,
		.irq_clear = uart_irq_clear,
	};
	return serial_server_run(&chip);
}
