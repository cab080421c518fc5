/* SPDX-License-Identifier: MIT */
/*
 * Cache maintenance (arch.h). Code written through the data side (the HHDM)
 * reaches instruction fetches only after the data cache is cleaned to the
 * point of unification and the instruction cache is invalidated (Arm ARM
 * B2.4.4, "Concurrent modification and execution of instructions"). The line
 * sizes come from CTR_EL0; the whole instruction cache is invalidated (inner
 * shareable), which is also right for VIPT-aliasing instruction caches.
 */
#include "arch.h"

void arch_sync_icache(uint64_t kva, uint64_t size)
{
	uint64_t ctr;
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	uint64_t line = 4ull << ((ctr >> 16) & 0xf); /* DminLine: log2 of words */
	for (uint64_t a = kva & ~(line - 1); a < kva + size; a += line)
		__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb ish; ic ialluis; dsb ish; isb" ::: "memory");
}
