/* SPDX-License-Identifier: MIT */
/*
 * The boot UART drivers. The 16550 is programmed for 115200 8N1 with FIFOs (the
 * firmware may have left it in any state); the PL011 is used as the firmware set
 * it up. Every wait for the transmitter is bounded.
 */
#include "uart.h"

#include "arch.h"
#include "fw.h"

#define SPIN_LIMIT 100000

#define UART_THR 0 /* 16550 registers, in units of stride */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20

#define PL011_DR 0x00
#define PL011_FR 0x18
#define FR_TXFF  0x20

static uint8_t ns_read(struct uart *u, unsigned reg)
{
	if (u->space == 1)
		return arch_port_in8((uint16_t)(u->base + reg));
	return *(volatile uint8_t *)(uintptr_t)(u->base + reg * u->stride);
}

static void ns_write(struct uart *u, unsigned reg, uint8_t v)
{
	if (u->space == 1)
		arch_port_out8((uint16_t)(u->base + reg), v);
	else
		*(volatile uint8_t *)(uintptr_t)(u->base + reg * u->stride) = v;
}

static void ns_init(struct uart *u)
{
	ns_write(u, UART_IER, 0x00);
	ns_write(u, UART_LCR, 0x80); /* DLAB: divisor 1 = 115200 baud */
	ns_write(u, UART_THR, 0x01);
	ns_write(u, UART_IER, 0x00);
	ns_write(u, UART_LCR, 0x03); /* 8N1 */
	ns_write(u, UART_FCR, 0x07); /* FIFOs on and cleared */
	ns_write(u, UART_MCR, 0x03); /* DTR, RTS */
}

static void ns_putc(struct uart *u, char c)
{
	for (int i = 0; i < SPIN_LIMIT && !(ns_read(u, UART_LSR) & LSR_THRE); i++)
		;
	ns_write(u, UART_THR, (uint8_t)c);
}

static void pl011_putc(struct uart *u, char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(u->base + PL011_FR);
	for (int i = 0; i < SPIN_LIMIT && (*fr & FR_TXFF); i++)
		;
	*(volatile uint32_t *)(uintptr_t)(u->base + PL011_DR) = (uint8_t)c;
}

int uart_init(struct uart *u, const struct fw_uart *fw, uint64_t hhdm)
{
	u->type = 0;
	if (fw->type != FW_UART_16550 && fw->type != FW_UART_PL011)
		return -1;
	u->type = fw->type;
	u->space = fw->space;
	u->base = fw->space == 1 ? fw->base : hhdm + fw->base;
	u->stride = 1u << (fw->reg_shift & 3);
	if (u->type == FW_UART_16550)
		ns_init(u);
	return 0;
}

static void uart_putc(struct uart *u, char c)
{
	if (u->type == FW_UART_16550)
		ns_putc(u, c);
	else if (u->type == FW_UART_PL011)
		pl011_putc(u, c);
}

void uart_write(struct uart *u, const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(u, '\r');
		uart_putc(u, s[i]);
	}
}
