/* SPDX-License-Identifier: MIT */
/*
 * APIC encodings and timing arithmetic (see apic.h). Everything is integer
 * arithmetic (the kernel has no floating point); products go through 128 bits
 * so calibration and deadline conversions never overflow on the way.
 */
#include "apic.h"

/* IOAPIC redirection entry: destination APIC id in bits 63:56 (physical mode). */
#define REDIRECTION_DEST_SHIFT 56

struct fw_irq apic_isa_irq(const struct platform_iso *isos, uint32_t count, uint8_t irq)
{
	struct fw_irq r = { irq, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS };
	for (uint32_t i = 0; i < count; i++) {
		if (isos[i].bus == 0 && isos[i].source == irq) {
			r = isos[i].gsi;
			break;
		}
	}
	if (r.trigger == FW_TRIGGER_CONFORMS)
		r.trigger = FW_TRIGGER_EDGE;
	if (r.polarity == FW_POLARITY_CONFORMS)
		r.polarity = FW_POLARITY_HIGH;
	return r;
}

uint64_t apic_redirection(const struct fw_irq *irq, uint8_t vector, uint8_t dest, int masked)
{
	uint64_t e = vector | APIC_DELIVERY_FIXED; /* physical destination mode: bit 11 clear */
	if (irq->polarity == FW_POLARITY_LOW)
		e |= APIC_ACTIVE_LOW;
	if (irq->trigger == FW_TRIGGER_LEVEL)
		e |= APIC_TRIGGER_LEVEL;
	if (masked)
		e |= APIC_MASKED;
	return e | (uint64_t)dest << REDIRECTION_DEST_SHIFT;
}

uint32_t apic_icr_low(uint32_t delivery, uint8_t vector)
{
	/* Edge-triggered, asserted, physical destination, no shorthand. */
	return delivery | APIC_LEVEL_ASSERT | vector;
}

uint64_t apic_mul_div(uint64_t a, uint64_t b, uint64_t c, int round_up)
{
	if (!c)
		return UINT64_MAX;
	unsigned __int128 p = (unsigned __int128)a * b;
	if (!(uint64_t)(p >> 64)) {
		uint64_t lo = (uint64_t)p;
		return lo / c + (round_up && lo % c);
	}
	/* Long division, one bit at a time: rare (huge products) and exact. */
	unsigned __int128 q = 0, r = 0;
	for (int bit = 127; bit >= 0; bit--) {
		r = r << 1 | (uint64_t)((p >> bit) & 1);
		if (r >= c) {
			r -= c;
			q |= (unsigned __int128)1 << bit;
		}
	}
	if (round_up && r)
		q++;
	return q >> 64 ? UINT64_MAX : (uint64_t)q;
}

uint64_t apic_rate_hz(uint64_t count, uint64_t ref_ticks, uint64_t ref_period_fs)
{
	uint64_t fs = apic_mul_div(ref_ticks, ref_period_fs, 1, 0);
	if (!fs || fs == UINT64_MAX)
		return 0;
	return apic_mul_div(count, APIC_FS_PER_SECOND, fs, 0);
}

uint64_t apic_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return apic_mul_div(ns, hz, APIC_NS_PER_SECOND, 1);
}

uint64_t apic_counter_delta(uint64_t then, uint64_t now, unsigned bits)
{
	uint64_t mask = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
	return (now - then) & mask;
}
