/* SPDX-License-Identifier: MIT */
/*
 * arch_copy_user(dst = rdi, src = rsi, len = rdx) -> eax 0, or -1 after a fault.
 * Eight bytes at a time, then the tail. Every instruction between
 * arch_copy_user and copy_user_fault may touch user memory; a page fault there
 * resumes at copy_user_fault (traps.c asks arch_copy_user_fixup).
 */
	.text
	.globl arch_copy_user
arch_copy_user:
	mov	%rdx, %rcx
	shr	$3, %rcx
	rep movsq
	mov	%rdx, %rcx
	and	$7, %rcx
	rep movsb
	xor	%eax, %eax
	ret
	.globl copy_user_fault
copy_user_fault:
	mov	$-1, %eax
	ret
