/* SPDX-License-Identifier: MIT */
/*
 * Generic-counter arithmetic (see counter.h). Whole seconds and the remainder
 * are converted apart, so no product overflows for any hz up to 2^33.
 */
#include "counter.h"

#define NS_PER_S 1000000000ull

uint64_t counter_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	uint64_t s = ns / NS_PER_S, rest = ns % NS_PER_S;
	uint64_t part = (rest * hz + NS_PER_S - 1) / NS_PER_S;
	if (hz && s > (UINT64_MAX - part) / hz)
		return UINT64_MAX;
	return s * hz + part;
}

uint64_t counter_compare_value(uint64_t now_ticks, uint64_t now_ns, uint64_t deadline_ns,
			       uint64_t hz)
{
	if (deadline_ns <= now_ns)
		return now_ticks;
	uint64_t ticks = counter_ns_to_ticks(deadline_ns - now_ns, hz);
	return ticks > UINT64_MAX - now_ticks ? UINT64_MAX : now_ticks + ticks;
}
