/* SPDX-License-Identifier: MIT */
/*
 * The loader's AArch64 side: CNTVCT, the translation regime (TTBR0 for the
 * identity-mapped trampoline, TTBR1 for the kernel half; 4 KiB granule, 48-bit,
 * entries encoded by <arch/pte.h>, shared with the kernel), and the hand-off,
 * entered at EL1 or EL2 (with or without VHE).
 *
 * Cache maintenance is written as the architecture requires, not as QEMU's TCG
 * (which models no caches) forgives: everything the kernel or the table walker
 * will read is cleaned to the point of coherency before the MMU is switched off,
 * and the instruction cache is invalidated.
 */
#include "../../loader/arch.h"

#include <kosh/bootinfo.h>
#include <kosh/elf.h>
#include <kosh/pagetable.h>

extern char kosh_trampoline_start[], kosh_trampoline_end[];
__attribute__((noreturn)) void kosh_trampoline(uint64_t ttbr0, uint64_t ttbr1, uint64_t entry,
					       uint64_t arg, uint64_t tcr);

uint32_t arch_id(void) { return KOSH_ARCH_AARCH64; }
uint16_t arch_elf_machine(void) { return KOSH_EM_AARCH64; }
uint64_t arch_hhdm_base(void) { return KOSH_HHDM_BASE_AARCH64; }
const char *arch_name(void) { return "AArch64"; }
const char *arch_kernel_file(void) { return "kernel-aarch64.elf"; }

static uint64_t current_el(void)
{
	uint64_t el;
	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return (el >> 2) & 3;
}

uint32_t arch_boot_flags(void)
{
	return current_el() == 2 ? KOSH_BOOT_ENTERED_EL2 : 0;
}

uint64_t arch_ticks(void)
{
	uint64_t t;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
	return t;
}

uint64_t arch_ticks_per_second(EFI_BOOT_SERVICES *bs)
{
	uint64_t f;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

/* Blocks at level 1, XN and the MAIR indices need no probing. */
uint32_t arch_pt_probe(void)
{
	return 0;
}

void arch_trampoline_range(uint64_t *start, uint64_t *end)
{
	*start = (uint64_t)(uintptr_t)kosh_trampoline_start;
	*end = (uint64_t)(uintptr_t)kosh_trampoline_end;
}

void arch_interrupts_off(void)
{
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
}

static uint64_t dcache_line(void)
{
	uint64_t ctr;
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return 4ull << ((ctr >> 16) & 0xf); /* DminLine: log2 of words */
}

/* Clean [base, base + size) to the point of coherency. */
static void clean_to_poc(uint64_t base, uint64_t size)
{
	uint64_t line = dcache_line();
	for (uint64_t p = base & ~(line - 1); p < base + size; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
}

/* TCR_EL1: 48-bit halves, 4 KiB granules, write-back inner-shareable walks. */
static uint64_t tcr_value(void)
{
	uint64_t mmfr0;
	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	uint64_t ips = mmfr0 & 7;
	if (ips > 5)
		ips = 5; /* 48 bits is all a 4-level table can address */
	return 16ull | (1ull << 8) | (1ull << 10) | (3ull << 12) /* T0SZ, IRGN0, ORGN0, SH0 */
	       | (16ull << 16) | (1ull << 24) | (1ull << 26) | (3ull << 28) /* T1SZ… SH1 */
	       | (2ull << 30) /* TG1 = 4 KiB */ | (ips << 32);
}

void arch_handoff(uint64_t root_lo, uint64_t root_hi, uint64_t entry, uint64_t bootinfo_virt,
		  const uint64_t *flush, uint32_t flush_count)
{
	uint64_t start, end;
	for (uint32_t i = 0; i < flush_count; i++)
		clean_to_poc(flush[2 * i], flush[2 * i + 1]);
	arch_trampoline_range(&start, &end);
	clean_to_poc(start, end - start);
	__asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");
	kosh_trampoline(root_lo, root_hi, entry, bootinfo_virt, tcr_value());
}
