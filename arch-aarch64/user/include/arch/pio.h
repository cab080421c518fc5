/* SPDX-License-Identifier: MIT */
/*
 * Port I/O: AArch64 has none. Code that drives an I/O-port device builds that
 * part only where ARCH_HAS_PORT_IO is 1 (x86-64's <arch/pio.h>).
 */
#ifndef ARCH_USER_PIO_H
#define ARCH_USER_PIO_H

#define ARCH_HAS_PORT_IO 0

#endif
