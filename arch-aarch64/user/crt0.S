/* SPDX-License-Identifier: MIT */
/*
 * The entry of every AArch64 user program and of every thread the runtime
 * starts. The kernel enters with x0 = the start argument (the start page, or the
 * root info for the root task) and sp as the spawner set it. We end the frame
 * chain (x29 = x30 = 0), align the stack, and run the C side, which never
 * returns into here except with an exit status.
 */
	.section .text.start, "ax", %progbits

	.globl _start
	.type _start, %function
_start:
	mov x29, #0
	mov x30, #0
	mov x9, sp
	and x9, x9, #~15
	mov sp, x9
	bl kosh_runtime_start /* x0: the start argument; returns the exit status */
	bl kosh_terminate
	brk #0
	.size _start, . - _start

/* A thread made by kosh_thread_create: x0 points at its start record on its stack. */
	.globl kosh_thread_trampoline
	.type kosh_thread_trampoline, %function
kosh_thread_trampoline:
	mov x29, #0
	mov x30, #0
	mov x9, sp
	and x9, x9, #~15
	mov sp, x9
	bl kosh_thread_main /* never returns */
	brk #0
	.size kosh_thread_trampoline, . - kosh_thread_trampoline

	.section .note.GNU-stack, "", %progbits
