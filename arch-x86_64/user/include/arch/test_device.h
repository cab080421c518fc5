/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS tests that need a real interrupt source (IRQ0001) or know the
 * test machine's lines (RGT0001, NUM0001): on x86-64 the PIT, ISA IRQ 0,
 * programmed through an I/O-port range (ioport_create + ioport_enable from the
 * "ioport_control" handle bootstrap gives every test) as a 10 ms rate
 * generator. Both ports have the same names; the test reads the same on both.
 */
#ifndef ARCH_TEST_DEVICE_H
#define ARCH_TEST_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include <arch/pio.h>

#define ARCH_TEST_IRQ_LINE        0   /* the device's line for irq_create */
#define ARCH_TEST_IRQ_LINE_ABSENT 100 /* a GSI no IOAPIC of the test machines has */
#define ARCH_TEST_DEVICE_PERIODIC 1   /* it fires again by itself: started once */

/* Open the device to this process; NULL, or what went wrong. */
static inline const char *arch_test_device_setup(void)
{
	kosh_handle_t ctl = kosh_start_handle("ioport_control", NULL);
	if (!ctl)
		return "no ioport_control handle";
	int64_t io = kosh_ioport_create(ctl, 0x40, 4);
	if (io < 0)
		return "ioport_create(0x40, 4) failed";
	if (kosh_ioport_enable((uint64_t)io) != KOSH_OK)
		return "ioport_enable failed";
	return NULL;
}

/* What the device is and how the test reaches it, for a note. */
static inline const char *arch_test_device_name(void)
{
	/* The ports are ours from here on, without waiting for a context switch. */
	return "the PIT through ports 0x40-0x43 right after ioport_enable";
}

/* Channel 0, low then high byte, mode 2 (rate generator): every 10 ms. */
static inline void arch_test_device_start(void)
{
	uint16_t count = 11932;
	arch_outb(0x43, 0x34);
	arch_outb(0x40, (uint8_t)count);
	arch_outb(0x40, (uint8_t)(count >> 8));
}

/* After an interrupt: 1 if the device says it raised it (the PIT cannot tell: 1). */
static inline int arch_test_device_clear(void)
{
	return 1;
}

/* Mode 0 without a count: the counter waits and the output stays low. */
static inline void arch_test_device_stop(void)
{
	arch_outb(0x43, 0x30);
}

/* MSI0001: the test machine's ECAM (q35's PCIEXBAR as OVMF sets it). */
#define ARCH_TEST_ECAM_BASE 0xb0000000ull

/* MSI0001: 1 if m is what irq_create_msi gives here: a local APIC vector of the MSI pool. */
static inline int arch_test_msi_plausible(const struct kosh_msi *m)
{
	return (m->address & 0xfff00fffull) == 0xfee00000ull && /* physical destination, no RH */
	       m->data >= 0xa0 && m->data <= 0xdf;		 /* fixed, edge: just the vector */
}

#endif
