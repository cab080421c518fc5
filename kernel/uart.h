/* SPDX-License-Identifier: MIT */
/*
 * Polled output on the boot UART: a 16550 (I/O ports or MMIO) or an Arm PL011.
 */
#ifndef KERNEL_UART_H
#define KERNEL_UART_H

#include <stdint.h>

struct fw_uart;

struct uart {
	uint32_t type;  /* enum fw_uart_type; 0 when there is none */
	uint8_t space;  /* 0 memory, 1 I/O port */
	uint64_t base;  /* port number, or virtual address of the registers */
	uint32_t stride; /* bytes between 16550 registers */
};

/* Take over the UART fw describes; MMIO is reached at hhdm + base. 0, or -1 if unsupported. */
int uart_init(struct uart *u, const struct fw_uart *fw, uint64_t hhdm);

/* Write len bytes, '\n' as CRLF. Bounded waits: a stuck UART drops output, never hangs. */
void uart_write(struct uart *u, const char *s, uint64_t len);

#endif
