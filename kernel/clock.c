/* SPDX-License-Identifier: MIT */
/*
 * The monotonic clock (see clock.h). The conversion splits ticks into whole
 * seconds and a remainder so ticks * 10^9 never overflows.
 */
#include "clock.h"

#include "arch.h"

static uint64_t freq, zero;

void clock_init(uint64_t hz, uint64_t zero_ticks)
{
	zero = zero_ticks;
	freq = hz;
}

uint64_t clock_hz(void)
{
	return freq;
}

uint64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	if (!hz)
		return 0;
	return ticks / hz * 1000000000ull + ticks % hz * 1000000000ull / hz;
}

uint64_t clock_ns(void)
{
	uint64_t now = arch_ticks();
	return now > zero ? clock_ticks_to_ns(now - zero, freq) : 0;
}
