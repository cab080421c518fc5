/* SPDX-License-Identifier: MIT */
/*
 * The monotonic clock (see clock.h). The conversion splits ticks into whole
 * seconds and a remainder so ticks * 10^9 never overflows. Set-up happens on
 * the boot CPU before any other starts, so the three words need no lock.
 */
#include "clock.h"

#include "arch.h"

static uint64_t freq, zero, base_ns; /* time is base_ns + (ticks - zero) / freq */

void clock_init(uint64_t hz, uint64_t zero_ticks)
{
	zero = zero_ticks;
	freq = hz;
	base_ns = 0;
}

void clock_set_hz(uint64_t hz)
{
	uint64_t now = arch_ticks();
	base_ns = now > zero ? base_ns + clock_ticks_to_ns(now - zero, freq) : base_ns;
	zero = now > zero ? now : zero;
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

uint64_t clock_ticks(void)
{
	return arch_ticks();
}

uint64_t clock_ticks_ns(uint64_t ticks)
{
	return clock_ticks_to_ns(ticks, freq);
}

uint64_t clock_ns(void)
{
	uint64_t now = arch_ticks();
	return base_ns + (now > zero ? clock_ticks_to_ns(now - zero, freq) : 0);
}
