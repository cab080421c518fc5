/* SPDX-License-Identifier: MIT */
/*
 * The entry of every x86-64 user program and of every thread the runtime starts.
 * The kernel enters with rdi = the start argument (the start page, or the root
 * info for the root task) and rsp as the spawner set it. We end the frame chain
 * (rbp = 0), align the stack as a call expects, and run the C side, which never
 * returns into here except with an exit status.
 */
	.section .text.start, "ax", @progbits

	.globl _start
	.type _start, @function
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call kosh_runtime_start /* rdi: the start argument; returns the exit status */
	mov %rax, %rdi
	call kosh_terminate
	ud2
	.size _start, . - _start

/* A thread made by kosh_thread_create: rdi points at its start record on its stack. */
	.globl kosh_thread_trampoline
	.type kosh_thread_trampoline, @function
kosh_thread_trampoline:
	xor %ebp, %ebp
	and $-16, %rsp
	call kosh_thread_main /* never returns */
	ud2
	.size kosh_thread_trampoline, . - kosh_thread_trampoline

	.section .note.GNU-stack, "", @progbits
