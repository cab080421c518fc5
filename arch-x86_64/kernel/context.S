/* SPDX-License-Identifier: MIT */
/*
 * Kernel context switch (x86-64). A switched-out context is its stack: the
 * SysV callee-saved registers rbx rbp r12-r15 pushed, under them the return
 * address, and struct arch_context holds only the stack pointer. A fresh
 * context (arch_context_init, context.c) gets the same picture, with
 * x86_context_start as the return address, fn in r12 and arg in r13.
 * Interrupts are masked on both sides, so RFLAGS needs no saving.
 */
	.text

/* void arch_context_switch(struct arch_context *from = rdi, struct arch_context *to = rsi) */
	.globl arch_context_switch
arch_context_switch:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	test	%rdi, %rdi
	jz	1f		/* from == NULL: the old context is dropped */
	mov	%rsp, (%rdi)
1:	mov	(%rsi), %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

/* The first switch into a context lands here with rsp 16-byte aligned and rbp 0. */
	.globl x86_context_start
x86_context_start:
	mov	%r13, %rdi
	call	*%r12
	ud2			/* fn never returns */

/* void arch_return_to_user(struct trap_frame *f = rdi): the common exit of traps.S. */
	.globl arch_return_to_user
arch_return_to_user:
	mov	%rdi, %rsp
	jmp	x86_user_exit
