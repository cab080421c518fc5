/* SPDX-License-Identifier: MIT */
/*
 * Switching kernel contexts and moving FP/SIMD state (AArch64). The layouts are
 * struct arch_context and struct arch_thread of <arch/types.h>, asserted there.
 *
 * The kernel is built -mgeneral-regs-only and never touches q0..q31, FPCR or
 * FPSR: they hold the running thread's user values for as long as it is on the
 * CPU, in the kernel too, and only aarch64_fp_save / aarch64_fp_load (called by
 * arch_thread_switch) move them. Hence the .arch_extension lines: the command
 * line turns the FP and SIMD instructions off for everything else.
 */
	.arch_extension fp
	.arch_extension simd

#define CTX_SP 96
#define FP_CONTROL 512 /* fpcr, fpsr */

	.text
/*
 * arch_context_switch(from = x0, to = x1): save x19-x30 and sp into from (unless
 * it is NULL), load to's, and return on to's stack to where it switched out
 * (or to context_start, the first time).
 */
	.globl arch_context_switch
arch_context_switch:
	cbz	x0, 1f
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]
1:	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x9, [x1, #CTX_SP]
	mov	sp, x9
	ret

/* A new context's first code (arch_context_init): fn = x19, arg = x20; fn never returns. */
	.globl aarch64_context_start
aarch64_context_start:
	mov	x0, x20
	mov	x29, xzr		/* the backtrace ends here */
	mov	x30, xzr
	blr	x19
	brk	#0

/* aarch64_fp_save(struct arch_thread *t = x0): q0..q31, FPCR, FPSR into t. */
	.globl aarch64_fp_save
aarch64_fp_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpcr
	mrs	x2, fpsr
	add	x0, x0, #FP_CONTROL
	stp	x1, x2, [x0]
	ret

/* aarch64_fp_load(const struct arch_thread *t = x0): every FP/SIMD register from t. */
	.globl aarch64_fp_load
aarch64_fp_load:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	add	x0, x0, #FP_CONTROL
	ldp	x1, x2, [x0]
	msr	fpcr, x1
	msr	fpsr, x2
	ret
