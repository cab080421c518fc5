/* SPDX-License-Identifier: MIT */
/*
 * The EL1 exception vector table (AArch64): 16 entries of 128 bytes. Each saves
 * x0/x1, puts its index in x0 and joins the common path, which saves the rest
 * of a struct trap_frame (arch/trap.h) and calls trap_entry(index, frame), then
 * restores everything and returns (trap_return).
 *
 * From EL0 (entries 8-15) the frame lands at the very top of the running
 * thread's kernel stack: while a thread runs at EL0, SP_EL1 is its stack top,
 * because the way out (trap_return, which arch_return_to_user also takes) pops
 * the frame that sat there. The frame's sp is then SP_EL0, restored on the way
 * back whenever the frame returns to EL0 (SPSR.M[4:0] == 0, EL0t).
 */
#define FRAME_SIZE (36 * 8)
#define FRAME_SP   248
#define FRAME_SPSR 264

	.text
.macro VENTRY index
	.balign 128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\index
	b	trap_common
.endm

	.balign 2048
	.globl trap_vectors
trap_vectors:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	VENTRY \i
	.endr

trap_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	cmp	x0, #8			/* entries 8-15: from EL0, which has its own sp */
	b.lo	1f
	mrs	x1, sp_el0
	b	2f
1:	add	x1, sp, #FRAME_SIZE
2:	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #256]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #272]
	mov	x1, sp
	mov	x29, xzr		/* frame chain starts at the trap (trap_frame_fp) */
	bl	trap_entry

/* Restore the frame at sp and return through it (to EL1 or EL0). */
	.globl trap_return
trap_return:
	msr	daifset, #0xf		/* ELR/SPSR must survive until eret */
	ldp	x1, x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	tst	x2, #0x1f		/* SPSR.M[4:0] == 0: back to EL0t */
	b.ne	3f
	ldr	x1, [sp, #FRAME_SP]
	msr	sp_el0, x1
3:	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret
	dsb	nsh			/* no straight-line speculation past eret */
	isb

/* arch_return_to_user(f = x0): the frame at the top of this thread's stack. */
	.globl arch_return_to_user
arch_return_to_user:
	mov	sp, x0
	b	trap_return
