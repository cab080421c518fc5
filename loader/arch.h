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

/* Page-table attributes the loader asks for; the architecture encodes them. */
#define PT_WRITE  (1u << 0)
#define PT_EXEC   (1u << 1)
#define PT_DEVICE (1u << 2) /* device memory: uncached, never speculated */
#define PT_WC     (1u << 3) /* write-combining (framebuffer) */

#define PT_LEVELS 4 /* level 0 is the root; level 3 maps 4 KiB pages */

/* enum kosh_arch, EM_* machine, HHDM base and a name, for this loader's architecture. */
uint32_t arch_id(void);
uint16_t arch_elf_machine(void);
uint64_t arch_hhdm_base(void);
const char *arch_name(void);
const char *arch_kernel_file(void); /* default kernel file name */

/* The boot counter (TSC / CNTVCT) and its frequency (may use bs->Stall). */
uint64_t arch_ticks(void);
uint64_t arch_ticks_per_second(EFI_BOOT_SERVICES *bs);

/* Called once before page tables are built: probe features (NX, 1 GiB pages…). */
void arch_pt_probe(void);
/* The lowest level at which a leaf (block) may be placed: 1 (1 GiB) or 2 (2 MiB). */
int arch_pt_min_leaf_level(void);
/* 1 if the lower and upper halves use separate roots (AArch64 TTBR0/TTBR1). */
int arch_pt_split_roots(void);
uint64_t arch_pte_table(uint64_t table_phys);
uint64_t arch_pte_leaf(uint64_t phys, int level, uint32_t attr);
int arch_pte_is_table(uint64_t pte, int level); /* a pointer to a next-level table */
int arch_pte_present(uint64_t pte);
uint64_t arch_pte_phys(uint64_t pte);

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
