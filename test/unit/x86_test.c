/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the x86-64 port's pure pieces (arch-x86_64/kernel/apic.c): ISA
 * IRQs through interrupt source overrides, IOAPIC redirection entries and ICR
 * words, and the calibration and deadline arithmetic, checked against exact
 * 128-bit reference arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "apic.h"

#define E FW_TRIGGER_EDGE
#define L FW_TRIGGER_LEVEL
#define HI FW_POLARITY_HIGH
#define LO FW_POLARITY_LOW

/* QEMU q35's MADT (test/unit/data): IRQ 0 on GSI 2, the PCI-ish ones level-triggered. */
static const struct platform_iso qemu_isos[] = {
	{ 0, 0, { 2, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS } },
	{ 0, 5, { 5, L, HI } },
	{ 0, 9, { 9, L, HI } },
	{ 0, 10, { 10, L, HI } },
	{ 0, 11, { 11, L, HI } },
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_x86_isa_irq_without_override_is_its_own_gsi(void **state)
{
	struct fw_irq r = apic_isa_irq(qemu_isos, 5, 4);
	assert_int_equal(r.intid, 4);
	assert_int_equal(r.trigger, E);
	assert_int_equal(r.polarity, HI);
	r = apic_isa_irq(NULL, 0, 0);
	assert_int_equal(r.intid, 0);
}

static void test_x86_isa_irq_follows_its_override(void **state)
{
	struct fw_irq r = apic_isa_irq(qemu_isos, 5, 0);
	assert_int_equal(r.intid, 2);
	assert_int_equal(r.trigger, E); /* conforms: ISA's edge, active high */
	assert_int_equal(r.polarity, HI);
	r = apic_isa_irq(qemu_isos, 5, 9);
	assert_int_equal(r.intid, 9);
	assert_int_equal(r.trigger, L);
	assert_int_equal(r.polarity, HI);
}

static void test_x86_isa_irq_ignores_other_buses_and_fills_half_overrides(void **state)
{
	const struct platform_iso isos[] = {
		{ 1, 3, { 40, L, LO } },                     /* not ISA */
		{ 0, 3, { 17, FW_TRIGGER_CONFORMS, LO } },   /* polarity only */
		{ 0, 7, { 7, L, FW_POLARITY_CONFORMS } },    /* trigger only */
	};
	struct fw_irq r = apic_isa_irq(isos, 3, 3);
	assert_int_equal(r.intid, 17);
	assert_int_equal(r.trigger, E);
	assert_int_equal(r.polarity, LO);
	r = apic_isa_irq(isos, 3, 7);
	assert_int_equal(r.trigger, L);
	assert_int_equal(r.polarity, HI);
}

static void test_x86_redirection_entry_encoding(void **state)
{
	struct fw_irq edge = { 2, E, HI }, level_low = { 16, L, LO }, conforms = { 1, 0, 0 };
	assert_int_equal(apic_redirection(&edge, 0xe0, 0, 0), 0xe0);
	assert_int_equal(apic_redirection(&edge, 0x30, 3, 0), 0x0300000000000030ull);
	/* bit 13 active low, bit 15 level, bit 16 masked; destination in 63:56 */
	assert_int_equal(apic_redirection(&level_low, 0x41, 0xff, 1), 0xff0000000001a041ull);
	assert_int_equal(apic_redirection(&conforms, 0x31, 1, 0), 0x0100000000000031ull);
}

static void test_x86_icr_words(void **state)
{
	assert_int_equal(apic_icr_low(APIC_DELIVERY_INIT, 0), 0x4500);
	assert_int_equal(apic_icr_low(APIC_DELIVERY_STARTUP, 0x9a), 0x469a);
	assert_int_equal(apic_icr_low(APIC_DELIVERY_FIXED, 0xf1), 0x40f1);
}

static uint64_t reference_mul_div(uint64_t a, uint64_t b, uint64_t c, int up)
{
	unsigned __int128 p = (unsigned __int128)a * b, q = p / c;
	if (up && p % c)
		q++;
	return q >> 64 ? UINT64_MAX : (uint64_t)q;
}

static void test_x86_mul_div_matches_128_bit_arithmetic(void **state)
{
	assert_int_equal(apic_mul_div(10, 3, 4, 0), 7);
	assert_int_equal(apic_mul_div(10, 3, 4, 1), 8);
	assert_int_equal(apic_mul_div(1, 1, 0, 0), UINT64_MAX);
	assert_int_equal(apic_mul_div(UINT64_MAX, UINT64_MAX, 1, 0), UINT64_MAX);
	assert_int_equal(apic_mul_div(UINT64_MAX, UINT64_MAX, UINT64_MAX, 0), UINT64_MAX);
	for (int i = 0; i < 20000; i++) {
		uint64_t a = rnd() >> (rnd() % 64), b = rnd() >> (rnd() % 64);
		uint64_t c = (rnd() >> (rnd() % 64)) | 1;
		int up = i & 1;
		assert_int_equal(apic_mul_div(a, b, c, up), reference_mul_div(a, b, c, up));
	}
}

static void test_x86_rate_from_hpet_and_pm_timer_windows(void **state)
{
	/* QEMU's HPET: 100 MHz (10^7 fs). 20 ms = 2,000,000 ticks; 52,000,000 TSC ticks. */
	assert_int_equal(apic_rate_hz(52000000, 2000000, 10000000), 2600000000ull);
	/* The PM timer: 71591 ticks of 279365115 fs is 20.0000 ms. */
	uint64_t hz = apic_rate_hz(52000000, 71591, 279365115);
	assert_true(hz > 2599900000ull && hz < 2600100000ull);
	assert_int_equal(apic_rate_hz(1000, 0, 10000000), 0);
	assert_int_equal(apic_rate_hz(1000, 10, 0), 0);
}

/* A deadline converted to ticks is never early, and never a whole tick late. */
static void test_x86_ns_to_ticks_rounds_up(void **state)
{
	assert_int_equal(apic_ns_to_ticks(1, 62500000), 1);
	assert_int_equal(apic_ns_to_ticks(16, 62500000), 1);
	assert_int_equal(apic_ns_to_ticks(17, 62500000), 2);
	assert_int_equal(apic_ns_to_ticks(0, 62500000), 0);
	for (int i = 0; i < 20000; i++) {
		uint64_t ns = rnd() >> (rnd() % 64), hz = (rnd() % 20000000000ull) + 1;
		uint64_t t = apic_ns_to_ticks(ns, hz);
		unsigned __int128 covered = (unsigned __int128)t * 1000000000ull;
		if (reference_mul_div(ns, hz, 1000000000ull, 1) == UINT64_MAX) {
			assert_int_equal(t, UINT64_MAX); /* saturates: "as late as can be" */
			continue;
		}
		assert_true(covered >= (unsigned __int128)ns * hz);
		assert_true(t == 0 || covered - 1000000000ull < (unsigned __int128)ns * hz);
	}
}

static void test_x86_counter_delta_across_a_wrap(void **state)
{
	assert_int_equal(apic_counter_delta(0xfffff0, 0x000010, 24), 0x20);
	assert_int_equal(apic_counter_delta(0x10, 0x30, 24), 0x20);
	assert_int_equal(apic_counter_delta(0xfffffff0u, 0x10, 32), 0x20);
	assert_int_equal(apic_counter_delta(UINT64_MAX, 1, 64), 2);
	/* A 32-bit HPET read through a 64-bit access: the high half is ignored. */
	assert_int_equal(apic_counter_delta(0x00000000fffffffeull, 0x0000000000000001ull, 32), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_isa_irq_without_override_is_its_own_gsi),
		cmocka_unit_test(test_x86_isa_irq_follows_its_override),
		cmocka_unit_test(test_x86_isa_irq_ignores_other_buses_and_fills_half_overrides),
		cmocka_unit_test(test_x86_redirection_entry_encoding),
		cmocka_unit_test(test_x86_icr_words),
		cmocka_unit_test(test_x86_mul_div_matches_128_bit_arithmetic),
		cmocka_unit_test(test_x86_rate_from_hpet_and_pm_timer_windows),
		cmocka_unit_test(test_x86_ns_to_ticks_rounds_up),
		cmocka_unit_test(test_x86_counter_delta_across_a_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
