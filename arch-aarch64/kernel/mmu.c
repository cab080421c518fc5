/* SPDX-License-Identifier: MIT */
/*
 * AArch64 MMU hooks for kernel/vm.c: the switch to the kernel's tables (TTBR1
 * for the kernel half, an empty TTBR0) and TLB invalidation, inner shareable so
 * that every CPU drops the entries.
 *
 * MAIR_EL1 and TCR_EL1 stay as the loader's trampoline set them (the MAIR
 * indices of <arch/pte.h>, 48-bit halves, 4 KiB granules, write-back inner-
 * shareable walks), so table memory written through the direct map needs no
 * cache maintenance, only a dsb before the walker may read it.
 */
#include "arch.h"

/* Above this many pages one full invalidation is cheaper than one for each. */
#define FLUSH_ALL_PAGES 64

/* Nothing to probe: XN, level-1 blocks and the MAIR indices are always there. */
uint32_t arch_mmu_features(void)
{
	return 0;
}

/*
 * TTBR1 is replaced while this code runs from it. That is sound because the new
 * tables map the kernel image exactly as the loader's did (same pages, same
 * sizes, same attributes: both map each section with the largest pages alignment
 * allows), so between the write and the invalidation no address this code
 * touches can hit two conflicting TLB entries; the sequence uses no memory but
 * its own instructions. ASID 0; the kernel's leaves are global.
 */
void arch_mmu_switch_kernel(uint64_t root_lo, uint64_t root_hi)
{
	__asm__ volatile("dsb ishst\n\t"
			 "msr ttbr0_el1, %0\n\t"
			 "msr ttbr1_el1, %1\n\t"
			 "isb\n\t"
			 "tlbi vmalle1is\n\t"
			 "dsb ish\n\t"
			 "isb"
			 :
			 : "r"(root_lo), "r"(root_hi)
			 : "memory");
}

/* tlbi vaae1is: any ASID, every level (the walk caches too), VA[55:12] in bits 43:0. */
static void flush_page(uint64_t page_number)
{
	uint64_t operand = page_number & ((1ull << 44) - 1);
	__asm__ volatile("tlbi vaae1is, %0" ::"r"(operand) : "memory");
}

void arch_tlb_flush_range(uint64_t va, uint64_t size)
{
	uint64_t pages = (size >> 12) + ((size & 4095) != 0);
	__asm__ volatile("dsb ishst" ::: "memory");
	if (pages > FLUSH_ALL_PAGES)
		__asm__ volatile("tlbi vmalle1is" ::: "memory");
	else
		for (uint64_t i = 0; i < pages; i++)
			flush_page((va >> 12) + i);
	if (pages)
		__asm__ volatile("dsb ish" ::: "memory");
	__asm__ volatile("isb" ::: "memory");
}

/* TLBI ... IS is broadcast to every CPU in the inner-shareable domain. */
int arch_tlb_flush_is_broadcast(void)
{
	return 1;
}

uint64_t arch_user_top(void)
{
	return 1ull << 48;
}

extern char copy_user_fault[];

uint64_t arch_copy_user_fixup(uint64_t pc)
{
	uint64_t start = (uint64_t)(uintptr_t)arch_copy_user, end = (uint64_t)(uintptr_t)copy_user_fault;
	return pc >= start && pc < end ? end : 0; /* the copy loops: every access may fault */
}
