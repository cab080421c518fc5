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
 * bootstrap gives every test "irq_control" and these. The device is the
 * port's (<arch/test_device.h>); this file reads the same on both.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include <arch/test_device.h>

#include "check.h"
#include "helper.h"

#define BITS   0x6
#define ROUNDS 3

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ctl = kosh_start_handle("irq_control", NULL);
	CHECK(ctl != 0);
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	kosh_handle_t ioports = kosh_start_handle("ioport_control", NULL);
	CHECK_EQ(ioports != 0, ARCH_HAS_PORT_IO);
	if (ioports)
		CHECK_ERR(kosh_ioport_create(ioports, 0xfffe, 4), KOSH_E_OUT_OF_RANGE);
	const char *why = arch_test_device_setup();
	if (why)
		check_fail(__FILE_NAME__, __LINE__, "device: %s", why);
	check_note("using %s", arch_test_device_name());
	CHECK_ERR(kosh_irq_create(ctl, ARCH_TEST_IRQ_LINE, n, 0), KOSH_E_INVALID_ARGUMENT);
	kosh_handle_t irq =
		(kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, ARCH_TEST_IRQ_LINE, n, BITS));
	CHECK_ERR(kosh_irq_create(ctl, ARCH_TEST_IRQ_LINE, n, BITS), KOSH_E_BUSY);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);
	int64_t t0 = kosh_clock_get();
	for (int round = 0; round < ROUNDS; round++) {
		if (round == 0 || !ARCH_TEST_DEVICE_PERIODIC)
			arch_test_device_start();
		CHECK_EQ(kosh_notify_wait(n, 2 * TEST_SECOND, &bits), KOSH_OK);
		CHECK_EQ(bits, BITS);
		CHECK(arch_test_device_clear());
		/* Masked until acknowledged: nothing more arrives. */
		CHECK_ERR(kosh_notify_wait(n, 40 * TEST_MS, &bits), KOSH_E_TIMED_OUT);
		CHECK_EQ(kosh_irq_ack(irq), KOSH_OK);
	}
	check_note("%d interrupts on line %d in %lld ms", ROUNDS, ARCH_TEST_IRQ_LINE,
		   (long long)(kosh_clock_get() - t0) / 1000000);
	arch_test_device_stop();
	CHECK_EQ(kosh_handle_close(irq), KOSH_OK);
	/* The line is free again. */
	irq = (kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, ARCH_TEST_IRQ_LINE, n, BITS));
	CHECK_EQ(kosh_handle_close(irq), KOSH_OK);
	kosh_notify_poll(n, &bits);
	return 0;
}
