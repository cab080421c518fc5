/* SPDX-License-Identifier: MIT */
/*
 * The free-running counter read in user mode, for timing (bin/bench): the TSC,
 * which user mode may read as long as the kernel leaves CR4.TSD clear. The
 * fence keeps earlier instructions from drifting past the read on hardware.
 */
#ifndef ARCH_COUNTER_H
#define ARCH_COUNTER_H

#include <stdint.h>

#define ARCH_COUNTER_NAME "TSC (rdtsc)"

static inline uint64_t arch_counter(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

/* Its frequency as the architecture tells user mode: x86-64 does not (measure it). */
static inline uint64_t arch_counter_hz(void)
{
	return 0;
}

#endif
