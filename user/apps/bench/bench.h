/* SPDX-License-Identifier: MIT */
/*
 * What bin/bench and bin/bench-server share: the counter readable from user
 * mode, and the messages between the two. See bench.c and docs/performance.md.
 */
#ifndef KOSH_BENCH_H
#define KOSH_BENCH_H

#include <stdint.h>

/* Labels of the messages bench sends the server; any other label is echoed back as it came. */
#define BENCH_LABEL_ECHO 0x42
#define BENCH_LABEL_QUIT 0x43
#define BENCH_LABEL_STAMP 0x44 /* echoed with the server's counter at the receive in word 0 */

/*
 * The free-running counter, read in user mode: x86-64 rdtsc (user mode may, as
 * long as the kernel leaves CR4.TSD clear), AArch64 CNTVCT_EL0 (user mode may
 * once the kernel sets CNTKCTL_EL1.EL0VCTEN). The fence / isb keeps earlier
 * instructions from drifting past the read on real hardware.
 */
static inline uint64_t bench_counter(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;
	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
#elif defined(__aarch64__)
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
#else
#error "bench: no user-mode counter for this architecture"
#endif
}

#endif
