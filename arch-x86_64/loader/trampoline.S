/* SPDX-License-Identifier: MIT */
/*
 * The switch to the kernel's page tables (x86-64, Microsoft x64 calling
 * convention: rcx = CR3, rdx = kernel entry, r8 = boot info). This page is
 * identity-mapped in the new tables, so execution continues across the CR3 load.
 * Interrupts are already masked.
 */
	.text
	.balign 4096
	.globl kosh_trampoline_start
kosh_trampoline_start:
	.globl kosh_trampoline
kosh_trampoline:
	mov	%rcx, %cr3
	mov	%r8, %rdi	/* the kernel is SysV: first argument in rdi */
	xor	%ebp, %ebp	/* end of the frame-pointer chain */
	jmp	*%rdx
	.globl kosh_trampoline_end
kosh_trampoline_end:
