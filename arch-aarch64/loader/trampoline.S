/* SPDX-License-Identifier: MIT */
/*
 * The switch to the kernel's translation tables (AArch64). Arguments:
 * x0 = TTBR0 (identity map of this page), x1 = TTBR1 (kernel half), x2 = kernel
 * entry, x3 = boot info (the kernel's x0), x4 = TCR_EL1.
 *
 * At EL2 (QEMU virtualization=on, boards without VHE, or with VHE: HCR_EL2.E2H
 * is cleared here), the EL2 MMU is switched off, EL1 is configured to run the
 * kernel untrapped (AArch64, timers, FP, GICv3 system registers) and entered with
 * DAIF masked. At EL1 the firmware's MMU is switched off, then ours on. This page
 * is identity-mapped in both, and was cleaned to the point of coherency.
 */
#define SCTLR_MMU_BITS 0x1005          /* I | C | M */
#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_EL1_ON   0x30d0180d      /* RES1 | I | SA | C | M; A, WXN, EE clear */

	.text
	.balign 4096
	.globl kosh_trampoline_start
kosh_trampoline_start:
	.globl kosh_trampoline
kosh_trampoline:
	msr	daifset, #0xf
	mov	x10, #SCTLR_MMU_BITS
	mrs	x9, CurrentEL
	ubfx	x9, x9, #2, #2
	cmp	x9, #2
	b.ne	el1

	mrs	x9, sctlr_el2
	bic	x9, x9, x10
	msr	sctlr_el2, x9
	isb
	mov	x9, #(1 << 31)			/* HCR_EL2: RW; E2H, TGE, traps clear */
	msr	hcr_el2, x9
	isb
	mrs	x9, cnthctl_el2
	orr	x9, x9, #3			/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x9
	msr	cntvoff_el2, xzr
	mov	x9, #0x33ff			/* CPTR_EL2: no FP/SIMD traps */
	msr	cptr_el2, x9
	msr	hstr_el2, xzr
	mrs	x9, id_aa64pfr0_el1
	ubfx	x9, x9, #24, #4			/* GIC system-register interface? */
	cbz	x9, 1f
	mrs	x9, S3_4_C12_C9_5		/* ICC_SRE_EL2 */
	orr	x9, x9, #0x1			/* SRE */
	orr	x9, x9, #0x8			/* Enable: EL1 may use it */
	msr	S3_4_C12_C9_5, x9
	isb
1:	msr	vttbr_el2, xzr
	mov	x9, #(SCTLR_EL1_RES1 & 0xffff)
	movk	x9, #(SCTLR_EL1_RES1 >> 16), lsl #16
	msr	sctlr_el1, x9
	mov	x9, #0x3c5			/* EL1h, DAIF masked */
	msr	spsr_el2, x9
	adr	x9, el1
	msr	elr_el2, x9
	eret

el1:
	mrs	x9, sctlr_el1
	bic	x9, x9, x10
	msr	sctlr_el1, x9
	isb
	ic	iallu
	tlbi	vmalle1
	dsb	nsh
	isb
	mov	x9, #0xff04			/* MAIR: 0 Device-nGnRE, 1 Normal WB, */
	movk	x9, #0x44, lsl #16		/*       2 Normal non-cacheable */
	msr	mair_el1, x9
	msr	tcr_el1, x4
	msr	ttbr0_el1, x0
	msr	ttbr1_el1, x1
	mov	x9, #(3 << 20)			/* CPACR_EL1.FPEN: no FP traps */
	msr	cpacr_el1, x9
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mov	x9, #(SCTLR_EL1_ON & 0xffff)
	movk	x9, #(SCTLR_EL1_ON >> 16), lsl #16
	msr	sctlr_el1, x9
	isb
	mov	x0, x3
	mov	x29, xzr
	mov	x30, xzr
	br	x2
	.globl kosh_trampoline_end
kosh_trampoline_end:
