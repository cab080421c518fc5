/* SPDX-License-Identifier: MIT */
/*
 * Port I/O, for drivers given an I/O-port range (ioport_create, then
 * ioport_enable in the driver's own process): x86-64 has it, AArch64 does not
 * (ARCH_HAS_PORT_IO 0 there, and no functions).
 */
#ifndef ARCH_USER_PIO_H
#define ARCH_USER_PIO_H

#include <stdint.h>

#define ARCH_HAS_PORT_IO 1

static inline uint8_t arch_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void arch_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

#endif
