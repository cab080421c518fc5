/* SPDX-License-Identifier: MIT */
/*
 * The switch to the kernel's translation tables (AArch64). Arguments:
 * x0 = TTBR0 (identity map of this page), x1 = TTBR1 (kernel half), x2 = kernel
 * entry, x3 = boot info (the kernel's x0), x4 = TCR_EL1.
 *
 * At EL2 the CPU drops to EL1 first; at EL1 the firmware's MMU is switched off,
 * then ours on. The sequences live in <arch/el2.S>, shared with the kernel's
 * secondary-CPU entry, so every CPU enters the kernel in the same state. This
 * page is identity-mapped in both regimes and was cleaned to the point of
 * coherency (arch_handoff).
 */
#include "../include/arch/el2.S"

	.text
	.balign 4096
	.globl kosh_trampoline_start
kosh_trampoline_start:
	.globl kosh_trampoline
kosh_trampoline:
	msr	daifset, #0xf
	mov	x10, #EL2_SCTLR_MMU_BITS
	el2_drop_to_el1 el1, x9, x10
el1:
	el1_mmu_off x9, x10
	el1_mmu_on x9, x4, x0, x1
	mov	x0, x3
	mov	x29, xzr
	mov	x30, xzr
	br	x2
	.globl kosh_trampoline_end
kosh_trampoline_end:
