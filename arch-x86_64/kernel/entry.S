/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry (x86-64). The loader's trampoline jumps here on the kernel's page
 * tables with interrupts masked and the boot info in rdi; the stack is still the
 * firmware's, which is no longer mapped, so a stack comes first.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	call	kmain
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign 16
boot_stack:
	.space	65536
boot_stack_top:
