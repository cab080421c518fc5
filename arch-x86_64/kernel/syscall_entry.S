/* SPDX-License-Identifier: MIT */
/*
 * The syscall instruction's entry (IA32_LSTAR, set by cpu.c). The CPU arrives
 * here in ring 0 with RIP in rcx, RFLAGS in r11, IF/DF/TF/AC/NT cleared
 * (SFMASK), and everything else the user's: rsp and GS included. So: swapgs,
 * park the user rsp in this CPU's X86_CPU_USER_RSP word, take the running
 * thread's kernel stack top from its X86_CPU_KSTACK word (arch_thread_switch
 * keeps it equal to TSS.rsp0), and build a full struct trap_frame there, as an
 * interrupt from user mode would (vector TRAP_VECTOR_SYSCALL, error 0, CS and
 * SS the user selectors). Then syscall_handle(f), kernel_exit_to_user(f), and
 * back through x86_user_exit (traps.S): sysretq when it is safe, else iretq.
 * Interrupts stay masked throughout; NMIs in the window before swapgs are
 * handled by traps.S's GS check.
 */
#include "cpu_x86.h"
#include "frame.h"

	.text
	.balign 16
	.globl x86_syscall_entry
x86_syscall_entry:
	swapgs
	mov	%rsp, %gs:X86_GS_USER_RSP
	mov	%gs:X86_GS_KSTACK, %rsp
	push	$X86_USER_DS		/* ss */
	push	%gs:X86_GS_USER_RSP	/* rsp */
	push	%r11			/* rflags */
	push	$X86_USER_CS		/* cs */
	push	%rcx			/* rip */
	push	$0			/* error */
	push	$0x100			/* vector: TRAP_VECTOR_SYSCALL */
	cld
	PUSH_REGS
	xor	%ebp, %ebp		/* backtraces end here */
	mov	%rsp, %rdi
	call	syscall_handle
	mov	%rsp, %rdi
	call	kernel_exit_to_user
	jmp	x86_user_exit
