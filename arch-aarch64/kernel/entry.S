/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry (AArch64, EL1). The loader's trampoline branches here with the
 * MMU on (our tables), DAIF masked and the boot info in x0.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	adrp	x9, boot_stack_top
	add	x9, x9, :lo12:boot_stack_top
	mov	sp, x9
	mov	x29, xzr
	mov	x30, xzr
	bl	kmain
1:	wfi
	b	1b

	.section .bss
	.balign 16
boot_stack:
	.space	65536
boot_stack_top:
