/* SPDX-License-Identifier: MIT */
/*
 * x86-64 MMU hooks for kernel/vm.c: what the kernel's tables may use, the switch
 * to them, and TLB invalidation.
 *
 * The kernel's tables use NX (EFER.NXE) and 1 GiB pages when CPUID offers them,
 * global pages (CR4.PGE) for the kernel half, and write-combining through PAT
 * entry 1 (PWT alone), which the switch reprograms from its reset value WT. No
 * mapping uses PAT entry 1 before the switch (the loader's tables use entries 0
 * and 3), so nothing cached under the old type needs flushing. Every CPU must
 * switch through arch_mmu_switch_kernel so that its PAT, EFER and CR4 agree.
 */
#include "arch.h"
#include "vm.h"

#include <kosh/pagetable.h>

#define MSR_EFER   0xc0000080u
#define EFER_NXE   (1ull << 11)
#define MSR_PAT    0x277u
#define PAT_WC     0x01ull
#define PAT_ENTRY1 (0xffull << 8)
#define CR4_PGE    (1ull << 7)

/* Above this many pages one full flush is cheaper than invlpg for each. */
#define FLUSH_ALL_PAGES 64

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"a"((uint32_t)value), "d"((uint32_t)(value >> 32)), "c"(msr)
			 : "memory");
}

static uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

/* Every TLB entry, global ones included: toggling CR4.PGE drops them all. */
static void flush_all(void)
{
	uint64_t cr4 = read_cr4();
	write_cr4(cr4 & ~CR4_PGE);
	write_cr4(cr4 | CR4_PGE);
}

uint32_t arch_mmu_features(void)
{
	uint32_t a, b, c, d, f = 0;
	cpuid(1, &a, &b, &c, &d);
	if ((d >> 16) & 1) /* PAT */
		f |= PT_FEAT_PAT_WC;
	cpuid(0x80000000u, &a, &b, &c, &d);
	if (a < 0x80000001u)
		return f;
	cpuid(0x80000001u, &a, &b, &c, &d);
	if ((d >> 20) & 1)
		f |= PT_FEAT_NX;
	if ((d >> 26) & 1)
		f |= PT_FEAT_1G;
	return f;
}

/* One root holds both halves on x86-64: root_lo == root_hi. */
void arch_mmu_switch_kernel(uint64_t root_lo, uint64_t root_hi)
{
	uint32_t f = arch_mmu_features();
	if (f & PT_FEAT_NX)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (f & PT_FEAT_PAT_WC)
		wrmsr(MSR_PAT, (rdmsr(MSR_PAT) & ~PAT_ENTRY1) | PAT_WC << 8);
	__asm__ volatile("mov %0, %%cr3" ::"r"(root_hi) : "memory");
	flush_all(); /* also turns global pages on */
}

/*
 * One root holds both halves, so a user space's root is its whole CR3 (its
 * upper entries are the kernel's); 0 goes back to the kernel's own root, whose
 * lower half is empty. Writing CR3 (no PCIDs) drops every non-global TLB
 * entry, which is all the lower half has; the same root is not written again.
 */
void arch_mmu_switch_user(uint64_t root)
{
	uint64_t cr3;
	if (!root)
		root = vm_kernel_space()->pt.root_hi;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	if (cr3 != root)
		__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}

/* The walker is coherent with stores: added entries (size 0) need nothing. */
void arch_tlb_flush_range(uint64_t va, uint64_t size)
{
	uint64_t pages = (size >> 12) + ((size & 4095) != 0);
	if (!size)
		return;
	if (pages > FLUSH_ALL_PAGES) {
		flush_all();
		return;
	}
	for (uint64_t i = 0; i < pages; i++)
		__asm__ volatile("invlpg (%0)" ::"r"(va + i * 4096) : "memory");
}

/* invlpg and CR3 reloads reach this CPU only: other CPUs need IPIs. */
int arch_tlb_flush_is_broadcast(void)
{
	return 0;
}

uint64_t arch_user_top(void)
{
	return 1ull << 47;
}

extern char copy_user_fault[];

uint64_t arch_copy_user_fixup(uint64_t pc)
{
	uint64_t start = (uint64_t)(uintptr_t)arch_copy_user, end = (uint64_t)(uintptr_t)copy_user_fault;
	return pc >= start && pc < end ? end : 0; /* both rep moves may fault */
}
