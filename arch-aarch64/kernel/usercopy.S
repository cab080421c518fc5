/* SPDX-License-Identifier: MIT */
/*
 * arch_copy_user(dst = x0, src = x1, len = x2) -> w0 0, or -1 after a fault.
 * Sixteen bytes at a time (ldp/stp: normal memory takes unaligned pairs),
 * then the tail byte by byte. Every instruction between arch_copy_user and
 * copy_user_fault may touch user memory; an abort there resumes at
 * copy_user_fault (traps.c asks arch_copy_user_fixup).
 */
	.text
	.globl arch_copy_user
arch_copy_user:
	cmp	x2, #16
	b.lo	2f
1:	ldp	x3, x4, [x1], #16
	stp	x3, x4, [x0], #16
	sub	x2, x2, #16
	cmp	x2, #16
	b.hs	1b
2:	cbz	x2, 4f
3:	ldrb	w3, [x1], #1
	strb	w3, [x0], #1
	subs	x2, x2, #1
	b.ne	3b
4:	mov	w0, #0
	ret
	.globl copy_user_fault
copy_user_fault:
	mov	w0, #-1
	ret
