/* SPDX-License-Identifier: MIT */
/*
 * The EL1 exception vector table (AArch64): 16 entries of 128 bytes. Every entry
 * passes its index to trap_report(), which prints the syndrome and halts. Full
 * exception handling comes with the machine layer.
 */
	.text
.macro VECTOR index
	.balign 128
	mov	x0, #\index
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	trap_common
.endm

	.balign 2048
	.globl trap_vectors
trap_vectors:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	VECTOR \i
	.endr

trap_common:
	mov	x4, sp
	and	x4, x4, #~15
	mov	sp, x4
	bl	trap_report
1:	wfi
	b	1b
