/* SPDX-License-Identifier: MIT */
/*
 * Entering Kosh's EL1 translation regime, as assembler macros: the drop from EL2
 * to EL1 and the switch of EL1's MMU to Kosh's tables. Two callers include this
 * file: the loader's hand-off (arch-aarch64/loader/trampoline.S) on the boot CPU
 * and the kernel's secondary-CPU entry (arch-aarch64/kernel/ap_entry.S), so every
 * CPU reaches the kernel with the same system registers.
 *
 * The macros run with the MMU off or about to be switched off, from a page that
 * is identity-mapped in the tables being installed; they use only the registers
 * named in their arguments, read no memory and write none.
 *
 * At EL2 (QEMU virtualization=on, boards without VHE, or with VHE: HCR_EL2.E2H is
 * cleared here), the EL2 MMU goes off and EL1 is made AArch64 and untrapped:
 * HCR_EL2.RW, both EL1 timers and the counter open (CNTHCTL_EL2.EL1PCTEN/EL1PCEN,
 * CNTVOFF_EL2 = 0 so the virtual counter equals the physical one on every CPU),
 * no FP/SIMD traps, the GICv3 system-register interface enabled for EL1, no
 * stage 2, and the ids EL1 reads (MIDR, MPIDR) the real ones: VPIDR_EL2 and
 * VMPIDR_EL2 reset to UNKNOWN values, and MPIDR is how the GIC and PSCI name a
 * CPU. Then eret to EL1 with DAIF masked.
 */
#ifndef ARCH_AARCH64_EL2_S
#define ARCH_AARCH64_EL2_S

#define EL2_SCTLR_MMU_BITS 0x1005     /* I | C | M */
#define EL2_SCTLR_EL1_RES1 0x30d00800
#define EL2_SCTLR_EL1_ON   0x30d0180d /* RES1 | I | SA | C | M; A, WXN, EE clear */
#define EL2_HCR_RW         (1 << 31)  /* EL1 is AArch64; E2H, TGE and every trap clear */
#define EL2_SPSR_EL1H      0x3c5      /* EL1h, DAIF masked */

/* mov a 32-bit constant into \reg (two instructions). */
.macro el2_mov32 reg, value
	mov	\reg, #((\value) & 0xffff)
	movk	\reg, #((\value) >> 16), lsl #16
.endm

/*
 * At EL2: configure EL1 as above and eret to \el1 with DAIF masked. At EL1:
 * branch to \el1. \tmp is clobbered; \mmu holds EL2_SCTLR_MMU_BITS.
 */
.macro el2_drop_to_el1 el1, tmp, mmu
	mrs	\tmp, CurrentEL
	ubfx	\tmp, \tmp, #2, #2
	cmp	\tmp, #2
	b.ne	\el1
	mrs	\tmp, sctlr_el2
	bic	\tmp, \tmp, \mmu
	msr	sctlr_el2, \tmp
	isb
	mov	\tmp, #EL2_HCR_RW
	msr	hcr_el2, \tmp
	isb
	mrs	\tmp, midr_el1
	msr	vpidr_el2, \tmp
	mrs	\tmp, mpidr_el1
	msr	vmpidr_el2, \tmp
	mrs	\tmp, cnthctl_el2
	orr	\tmp, \tmp, #3			/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, \tmp
	msr	cntvoff_el2, xzr
	mov	\tmp, #0x33ff			/* CPTR_EL2: no FP/SIMD traps */
	msr	cptr_el2, \tmp
	msr	hstr_el2, xzr
	mrs	\tmp, id_aa64pfr0_el1
	ubfx	\tmp, \tmp, #24, #4		/* GIC system-register interface? */
	cbz	\tmp, 8f
	mrs	\tmp, S3_4_C12_C9_5		/* ICC_SRE_EL2 */
	orr	\tmp, \tmp, #0x1		/* SRE */
	orr	\tmp, \tmp, #0x8		/* Enable: EL1 may use it */
	msr	S3_4_C12_C9_5, \tmp
	isb
8:	msr	vttbr_el2, xzr
	el2_mov32 \tmp, EL2_SCTLR_EL1_RES1
	msr	sctlr_el1, \tmp
	mov	\tmp, #EL2_SPSR_EL1H
	msr	spsr_el2, \tmp
	adr	\tmp, \el1
	msr	elr_el2, \tmp
	eret
.endm

/*
 * At EL1: switch the MMU and caches off (whoever ran before may have left them
 * on) and drop this CPU's stale instruction-cache and TLB entries.
 */
.macro el1_mmu_off tmp, mmu
	mrs	\tmp, sctlr_el1
	bic	\tmp, \tmp, \mmu
	msr	sctlr_el1, \tmp
	isb
	ic	iallu
	tlbi	vmalle1
	dsb	nsh
	isb
.endm

/*
 * At EL1 with the MMU off: install Kosh's regime and switch the MMU and caches
 * on. MAIR: 0 Device-nGnRE, 1 Normal write-back, 2 Normal non-cacheable (the
 * indices of <arch/pte.h>); TCR, TTBR0 and TTBR1 from registers; no FP traps.
 */
.macro el1_mmu_on tmp, tcr, ttbr0, ttbr1
	mov	\tmp, #0xff04
	movk	\tmp, #0x44, lsl #16
	msr	mair_el1, \tmp
	msr	tcr_el1, \tcr
	msr	ttbr0_el1, \ttbr0
	msr	ttbr1_el1, \ttbr1
	mov	\tmp, #(3 << 20)		/* CPACR_EL1.FPEN: no FP traps */
	msr	cpacr_el1, \tmp
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	el2_mov32 \tmp, EL2_SCTLR_EL1_ON
	msr	sctlr_el1, \tmp
	isb
.endm

#endif
