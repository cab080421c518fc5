/* SPDX-License-Identifier: MIT */
/*
 * What the portable loader asks of its architecture (arch-<arch>/loader/).
 * A missing hook is a link error.
 */
#ifndef LOADER_ARCH_H
#define LOADER_ARCH_H

#include <efi.h>
#include <stdint.h>

struct kosh_bootinfo;

/* enum kosh_arch, EM_* machine, HHDM base and a name, for this loader's architecture. */
uint32_t arch_id(void);
uint16_t arch_elf_machine(void);
uint64_t arch_hhdm_base(void);
const char *arch_name(void);
const char *arch_kernel_file(void); /* default kernel file name */

/* The boot counter (TSC / CNTVCT) and its frequency (may use bs->Stall). */
uint64_t arch_ticks(void);
uint64_t arch_ticks_per_second(EFI_BOOT_SERVICES *bs);

/*
 * Called once before the page tables are built: probe what the CPU offers them
 * (x86-64: NX, 1 GiB pages) and return it as PT_FEAT_* (kosh/pagetable.h). The
 * entry encoding itself is <arch/pte.h>, shared with the kernel.
 */
uint32_t arch_pt_probe(void);

/* [start, end) of the trampoline code that runs while the tables are switched. */
void arch_trampoline_range(uint64_t *start, uint64_t *end);

/* Flags for the boot info (e.g. KOSH_BOOT_ENTERED_EL2). */
uint32_t arch_boot_flags(void);

/*
 * After ExitBootServices: mask interrupts (done by the caller first), make the
 * written memory visible as the architecture requires, switch to the new tables
 * and jump to entry(bootinfo). Never returns.
 */
__attribute__((noreturn)) void arch_handoff(uint64_t root_lo, uint64_t root_hi, uint64_t entry,
					    uint64_t bootinfo_virt, const uint64_t *flush,
					    uint32_t flush_count);

void arch_interrupts_off(void);

#endif
