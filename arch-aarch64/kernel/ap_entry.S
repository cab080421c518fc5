/* SPDX-License-Identifier: MIT */
/*
 * Where a secondary CPU starts (PSCI CPU_ON, arch-aarch64/kernel/smp.c): at the
 * physical address of ap_entry, MMU and caches off, at EL2 or EL1, with x0 = the
 * physical address of its struct ap_boot.
 *
 * It drops to EL1 and switches the MMU on exactly as the loader's trampoline
 * does for the boot CPU (<arch/el2.S>), with TTBR0 = an identity map of this
 * page and TTBR1 = the kernel half, then jumps to its kernel address, puts the
 * kernel's empty lower half in TTBR0, and calls smp_ap_main(cpu) on its stack
 * with TPIDR_EL1 = cpu. Every value comes from struct ap_boot, read into
 * registers while the MMU is off (aligned loads: Device memory then), because
 * only this page is mapped once it is on. Nothing is written to memory before
 * the MMU and caches are on.
 */
#include "../include/arch/el2.S"

#define AP_BOOT_TTBR0_IDMAP  0
#define AP_BOOT_TCR          16
#define AP_BOOT_ENTRY        32
#define AP_BOOT_CPU          48

	.section .text.ap_entry, "ax"
	.balign 4096
	.globl ap_entry_start
ap_entry_start:
	.globl ap_entry
ap_entry:
	msr	daifset, #0xf
	mov	x19, x0
	mov	x10, #EL2_SCTLR_MMU_BITS
	el2_drop_to_el1 1f, x9, x10
1:	el1_mmu_off x9, x10
	ldp	x20, x21, [x19, #AP_BOOT_TTBR0_IDMAP]	/* identity map, kernel half */
	ldp	x22, x23, [x19, #AP_BOOT_TCR]		/* TCR, kernel lower half */
	ldp	x24, x25, [x19, #AP_BOOT_ENTRY]		/* ap_continue, stack top */
	ldr	x26, [x19, #AP_BOOT_CPU]		/* struct cpu * */
	el1_mmu_on x9, x22, x20, x21
	br	x24
	.globl ap_entry_end
ap_entry_end:

	.text
	.globl ap_continue
ap_continue:
	msr	ttbr0_el1, x23
	isb
	tlbi	vmalle1				/* the identity map's entries */
	dsb	nsh
	isb
	msr	spsel, #1
	mov	sp, x25
	msr	tpidr_el1, x26
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x26
	bl	smp_ap_main
2:	wfi
	b	2b
