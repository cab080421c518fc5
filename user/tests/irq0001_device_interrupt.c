/* SPDX-License-Identifier: MIT */
/*
 * IRQ0001: a real device interrupt reaches userspace. irq_create binds the
 * line to a notification; each interrupt signals the bits asked for, then
 * the line stays masked — no further signal — until irq_ack; a bound line is
 * busy for a second binding and free again once its handle is closed.
 *   x86-64: the PIT (ISA IRQ 0) as a 10 ms rate generator, programmed through
 *     an I/O-port range (ioport_create + ioport_enable from "ioport_control").
 *   AArch64: the PL031 RTC of QEMU virt (SPI INTID 34, MMIO 0x09010000), its
 *     match interrupt raised by setting the match register to the counter,
 *     through the MMIO frame bootstrap passes as "mmio<i>".
 * bootstrap gives every test "irq_control" and these.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"
#include "helper.h"

#define BITS   0x6
#define ROUNDS 3

#if defined(__x86_64__)
#define LINE 0

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static void device_setup(void)
{
	kosh_handle_t ctl = kosh_start_handle("ioport_control", NULL);
	CHECK(ctl != 0);
	CHECK_ERR(kosh_ioport_create(ctl, 0xfffe, 4), KOSH_E_OUT_OF_RANGE);
	kosh_handle_t io = (kosh_handle_t)CHECK_OK(kosh_ioport_create(ctl, 0x40, 4));
	CHECK_EQ(kosh_ioport_enable(io), KOSH_OK);
	/* The ports are ours from here on, without waiting for a context switch. */
	check_note("using ports 0x40-0x43 right after ioport_enable");
}

/* Channel 0, low then high byte, mode 2 (rate generator): every 10 ms. */
static void device_start(void)
{
	uint16_t count = 11932;
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)count);
	outb(0x40, (uint8_t)(count >> 8));
}

static void device_clear(void)
{
}

/* Mode 0 without a count: the counter waits and the output stays low. */
static void device_stop(void)
{
	outb(0x43, 0x30);
}
#else
#define LINE      34
#define RTC_PHYS  0x09010000ull
#define RTC_DR    0
#define RTC_MR    1
#define RTC_IMSC  4
#define RTC_RIS   5
#define RTC_ICR   7

static volatile uint32_t *rtc;

static void device_setup(void)
{
	char name[16] = "mmio0";
	uint64_t base = 0;
	kosh_handle_t frame = 0;
	for (unsigned i = 0; i < 10 && !frame; i++) {
		name[4] = (char)('0' + i);
		kosh_handle_t h = kosh_start_handle(name, &base);
		if (h && base <= RTC_PHYS && RTC_PHYS - base < (64ull << 20))
			frame = h;
	}
	if (!frame)
		check_fail(__FILE_NAME__, __LINE__, "no MMIO frame covers the PL031 at 0x%llx",
			   (unsigned long long)RTC_PHYS);
	kosh_err_t err;
	rtc = kosh_frame_map(frame, RTC_PHYS - base, KOSH_PAGE_SIZE,
			     KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!rtc)
		check_fail(__FILE_NAME__, __LINE__, "mapping the PL031: %s", kosh_strerror(err));
	rtc[RTC_IMSC] = 0;
	rtc[RTC_ICR] = 1;
}

/* The match register set to the counter raises the interrupt at once (QEMU's PL031). */
static void device_start(void)
{
	rtc[RTC_IMSC] = 1;
	for (;;) {
		uint32_t now = rtc[RTC_DR];
		rtc[RTC_MR] = now;
		if (rtc[RTC_DR] == now)
			break; /* no second boundary in between */
	}
}

static void device_clear(void)
{
	CHECK_EQ(rtc[RTC_RIS] & 1, 1);
	rtc[RTC_ICR] = 1;
}

static void device_stop(void)
{
	rtc[RTC_IMSC] = 0;
	rtc[RTC_ICR] = 1;
}
#endif

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ctl = kosh_start_handle("irq_control", NULL);
	CHECK(ctl != 0);
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	device_setup();
	CHECK_ERR(kosh_irq_create(ctl, LINE, n, 0), KOSH_E_INVALID_ARGUMENT);
	kosh_handle_t irq = (kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, LINE, n, BITS));
	CHECK_ERR(kosh_irq_create(ctl, LINE, n, BITS), KOSH_E_BUSY);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);
	int64_t t0 = kosh_clock_get();
	for (int round = 0; round < ROUNDS; round++) {
		if (round == 0 || LINE != 0)
			device_start();
		CHECK_EQ(kosh_notify_wait(n, 2 * TEST_SECOND, &bits), KOSH_OK);
		CHECK_EQ(bits, BITS);
		device_clear();
		/* Masked until acknowledged: nothing more arrives. */
		CHECK_ERR(kosh_notify_wait(n, 40 * TEST_MS, &bits), KOSH_E_TIMED_OUT);
		CHECK_EQ(kosh_irq_ack(irq), KOSH_OK);
	}
	check_note("%d interrupts on line %d in %lld ms", ROUNDS, LINE,
		   (long long)(kosh_clock_get() - t0) / 1000000);
	device_stop();
	CHECK_EQ(kosh_handle_close(irq), KOSH_OK);
	/* The line is free again. */
	irq = (kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, LINE, n, BITS));
	CHECK_EQ(kosh_handle_close(irq), KOSH_OK);
	kosh_notify_poll(n, &bits);
	return 0;
}
