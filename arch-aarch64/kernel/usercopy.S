/* SPDX-License-Identifier: MIT */
/*
 * arch_copy_user(dst = x0, src = x1, len = x2) -> w0 0, or -1 after a fault.
 * The two instructions that touch user memory are copy_user_load and
 * copy_user_store; an abort there resumes at copy_user_fault (traps.c asks
 * arch_copy_user_fixup).
 */
	.text
	.globl arch_copy_user
arch_copy_user:
	cbz	x2, 2f
	.globl copy_user_load
copy_user_load:
1:	ldrb	w3, [x1], #1
	.globl copy_user_store
copy_user_store:
	strb	w3, [x0], #1
	subs	x2, x2, #1
	b.ne	1b
2:	mov	w0, #0
	ret
	.globl copy_user_fault
copy_user_fault:
	mov	w0, #-1
	ret
