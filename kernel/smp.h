/* SPDX-License-Identifier: MIT */
/*
 * Bringing up every CPU, and inter-processor interrupts.
 *
 * The boot CPU starts each other CPU the platform lists (arch_cpu_start) on a
 * fresh guarded kernel stack and waits, with a timeout, for it to report
 * online from smp_ap_main(). IPIs are a small portable set of kinds; the
 * architecture maps each to a vector / SGI and calls smp_ipi_handle().
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdint.h>

struct cpu;
struct platform;

enum ipi_kind {
	IPI_PING = 0, /* count it (tests, wake-ups) */
	IPI_STOP = 1, /* halt for good (panic) */
	IPI_KIND_COUNT
};

/*
 * Start every CPU of the platform other than the calling (boot) one. Returns
 * how many came online; logs each and the time it took.
 */
uint32_t smp_start_all(const struct platform *p);

/* Where a started CPU lands, on its own stack, with its struct cpu. */
__attribute__((noreturn)) void smp_ap_main(struct cpu *c);

/* Called by the architecture when an IPI of this kind arrives. */
void smp_ipi_handle(enum ipi_kind kind);

/* Send kind to every online CPU but this one. */
void smp_ipi_others(enum ipi_kind kind);

/* For a panic: stop every other CPU (best effort, never waits long). */
void smp_stop_others(void);

/* Nanoseconds from kmain to the last CPU online (0 before smp_start_all). */
uint64_t smp_bringup_ns(void);

#endif
