/* SPDX-License-Identifier: MIT */
/*
 * arch_copy_user(dst = rdi, src = rsi, len = rdx) -> eax 0, or -1 after a fault.
 * The one instruction that touches user memory is copy_user_insn; a page fault
 * there resumes at copy_user_fault (traps.c asks arch_copy_user_fixup).
 */
	.text
	.globl arch_copy_user
arch_copy_user:
	mov	%rdx, %rcx
	.globl copy_user_insn
copy_user_insn:
	rep movsb
	xor	%eax, %eax
	ret
	.globl copy_user_fault
copy_user_fault:
	mov	$-1, %eax
	ret
