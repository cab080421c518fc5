/* SPDX-License-Identifier: MIT */
/*
 * The free-running counter read in user mode, for timing (bin/bench):
 * CNTVCT_EL0, which EL0 may read because the kernel sets CNTKCTL_EL1.EL0VCTEN.
 * The isb keeps earlier instructions from drifting past the read on hardware.
 */
#ifndef ARCH_COUNTER_H
#define ARCH_COUNTER_H

#include <stdint.h>

#define ARCH_COUNTER_NAME "CNTVCT_EL0"

static inline uint64_t arch_counter(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

/* Its frequency as the architecture tells user mode: CNTFRQ_EL0. */
static inline uint64_t arch_counter_hz(void)
{
	uint64_t hz;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return hz;
}

#endif
