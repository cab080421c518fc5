/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS tests that need a real interrupt source (IRQ0001) or know the
 * test machine's lines (RGT0001, NUM0001): on AArch64 the PL031 RTC of QEMU
 * virt (SPI INTID 34, MMIO 0x09010000), its match interrupt raised by setting
 * the match register to the counter, through the MMIO frame bootstrap passes
 * every test as "mmio<i>". Both ports have the same names; the test reads the
 * same on both.
 */
#ifndef ARCH_TEST_DEVICE_H
#define ARCH_TEST_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/page.h>
#include <kosh/runtime.h>

#include <arch/pio.h>

#define ARCH_TEST_IRQ_LINE        34 /* the PL031's SPI */
#define ARCH_TEST_IRQ_LINE_ABSENT 5  /* an SGI: not a line irq_create can route */
#define ARCH_TEST_DEVICE_PERIODIC 0  /* one interrupt per start */

#define ARCH_TEST_RTC_PHYS 0x09010000ull
#define ARCH_TEST_RTC_DR   0
#define ARCH_TEST_RTC_MR   1
#define ARCH_TEST_RTC_IMSC 4
#define ARCH_TEST_RTC_RIS  5
#define ARCH_TEST_RTC_ICR  7

/* The RTC's registers, once mapped (one test per process uses them). */
static inline volatile uint32_t **arch_test_rtc(void)
{
	static volatile uint32_t *rtc;
	return &rtc;
}

/* Find the MMIO frame that covers the PL031 and map it; NULL, or what went wrong. */
static inline const char *arch_test_device_setup(void)
{
	char name[16] = "mmio0";
	uint64_t base = 0;
	kosh_handle_t frame = 0;
	for (unsigned i = 0; i < 10 && !frame; i++) {
		name[4] = (char)('0' + i);
		kosh_handle_t h = kosh_start_handle(name, &base);
		if (h && base <= ARCH_TEST_RTC_PHYS && ARCH_TEST_RTC_PHYS - base < (64ull << 20))
			frame = h;
	}
	if (!frame)
		return "no MMIO frame covers the PL031 at 0x09010000";
	kosh_err_t err;
	volatile uint32_t *rtc = kosh_frame_map(frame, ARCH_TEST_RTC_PHYS - base, KOSH_PAGE_SIZE,
						KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!rtc)
		return "mapping the PL031 failed";
	*arch_test_rtc() = rtc;
	rtc[ARCH_TEST_RTC_IMSC] = 0;
	rtc[ARCH_TEST_RTC_ICR] = 1;
	return NULL;
}

/* What the device is and how the test reaches it, for a note. */
static inline const char *arch_test_device_name(void)
{
	return "the PL031 RTC through its MMIO frame";
}

/* The match register set to the counter raises the interrupt at once (QEMU's PL031). */
static inline void arch_test_device_start(void)
{
	volatile uint32_t *rtc = *arch_test_rtc();
	rtc[ARCH_TEST_RTC_IMSC] = 1;
	for (;;) {
		uint32_t now = rtc[ARCH_TEST_RTC_DR];
		rtc[ARCH_TEST_RTC_MR] = now;
		if (rtc[ARCH_TEST_RTC_DR] == now)
			break; /* no second boundary in between */
	}
}

/* After an interrupt: 1 if the device says it raised it; clears it. */
static inline int arch_test_device_clear(void)
{
	volatile uint32_t *rtc = *arch_test_rtc();
	int raised = (rtc[ARCH_TEST_RTC_RIS] & 1) == 1;
	rtc[ARCH_TEST_RTC_ICR] = 1;
	return raised;
}

static inline void arch_test_device_stop(void)
{
	volatile uint32_t *rtc = *arch_test_rtc();
	rtc[ARCH_TEST_RTC_IMSC] = 0;
	rtc[ARCH_TEST_RTC_ICR] = 1;
}

/* MSI0001: the test machine's ECAM (QEMU virt's high ECAM). */
#define ARCH_TEST_ECAM_BASE 0x4010000000ull

/* MSI0001: 1 if m is what irq_create_msi gives here: MSI_SETSPI_NS of a GICv2m frame, an SPI. */
static inline int arch_test_msi_plausible(const struct kosh_msi *m)
{
	return (m->address & 0xfff) == 0x040 && m->data >= 32 && m->data < 1020;
}

#endif
