/* SPDX-License-Identifier: MIT */
/*
 * The loader's x86-64 side: TSC, what the page tables may use, and the hand-off.
 *
 * NX is used only when CPUID says the CPU has it (EFER.NXE is set just before
 * the switch); 1 GiB pages only when CPUID offers them. The entries themselves
 * are encoded by <arch/pte.h>, shared with the kernel. The firmware's GDT/IDT
 * stay loaded until the kernel installs its own, first thing.
 */
#include "../../loader/arch.h"

#include <kosh/bootinfo.h>
#include <kosh/elf.h>
#include <kosh/pagetable.h>

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1u << 11)

static int has_nx, has_1g;

extern char kosh_trampoline_start[], kosh_trampoline_end[];
__attribute__((noreturn)) void kosh_trampoline(uint64_t cr3, uint64_t entry, uint64_t arg);

uint32_t arch_id(void) { return KOSH_ARCH_X86_64; }
uint16_t arch_elf_machine(void) { return KOSH_EM_X86_64; }
uint64_t arch_hhdm_base(void) { return KOSH_HHDM_BASE_X86_64; }
const char *arch_name(void) { return "x86-64"; }
const char *arch_kernel_file(void) { return "kernel-x86_64.elf"; }
uint32_t arch_boot_flags(void) { return 0; }

uint64_t arch_ticks(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The TSC measured against the firmware's Stall() over 50 ms. */
uint64_t arch_ticks_per_second(EFI_BOOT_SERVICES *bs)
{
	uint64_t t0 = arch_ticks();
	bs->Stall(50000);
	return (arch_ticks() - t0) * 20;
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

uint32_t arch_pt_probe(void)
{
	uint32_t a, b, c, d;
	cpuid(0x80000000u, &a, &b, &c, &d);
	if (a >= 0x80000001u) {
		cpuid(0x80000001u, &a, &b, &c, &d);
		has_nx = (d >> 20) & 1;
		has_1g = (d >> 26) & 1;
	}
	/* WC stays with the firmware's MTRRs: the loader leaves the PAT as it is. */
	return (has_nx ? PT_FEAT_NX : 0) | (has_1g ? PT_FEAT_1G : 0);
}

void arch_trampoline_range(uint64_t *start, uint64_t *end)
{
	*start = (uint64_t)(uintptr_t)kosh_trampoline_start;
	*end = (uint64_t)(uintptr_t)kosh_trampoline_end;
}

void arch_interrupts_off(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static void enable_nx(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_EFER));
	lo |= EFER_NXE;
	__asm__ volatile("wrmsr" ::"a"(lo), "d"(hi), "c"(MSR_EFER));
}

/* x86 caches are coherent with instruction fetch and table walks: nothing to flush. */
void arch_handoff(uint64_t root_lo, uint64_t root_hi, uint64_t entry, uint64_t bootinfo_virt,
		  const uint64_t *flush, uint32_t flush_count)
{
	if (has_nx)
		enable_nx();
	kosh_trampoline(root_lo, entry, bootinfo_virt);
}
