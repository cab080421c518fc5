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
	IPI_TLB = 2,  /* invalidate the TLB range of the shoot-down in progress */
	IPI_CALL = 3, /* run the function smp_call left in this CPU's struct cpu */
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

/*
 * Run fn(arg) on CPU c from its IPI handler and wait (at most 1 s) until it has
 * run. 0, or -1 when c is not online or did not answer. Not from an interrupt.
 */
int smp_call(struct cpu *c, void (*fn)(void *arg), void *arg);

/*
 * Invalidate [va, va + size) in the TLB of every CPU: locally, then on every
 * other online CPU by IPI where the architecture's invalidation is not already
 * broadcast (AArch64's TLBI ... IS is; x86-64's invlpg is not). Waits (bounded)
 * for every CPU to have done it. The flush hook of every address space.
 */
void smp_tlb_flush(uint64_t va, uint64_t size);

/* For a panic: stop every other CPU (best effort, never waits long). */
void smp_stop_others(void);

/* Nanoseconds from kmain to the last CPU online (0 before smp_start_all). */
uint64_t smp_bringup_ns(void);

#endif
