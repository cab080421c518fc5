/* SPDX-License-Identifier: MIT */
/*
 * Entry stubs for all 256 vectors (x86-64). Each pushes a dummy error code where
 * the CPU pushes none, then its vector; the common path saves the general
 * registers into a struct trap_frame (arch/trap.h) and calls trap_dispatch().
 * Vectors 0-31 are exceptions, 32-255 interrupts and IPIs.
 *
 * GS: in the kernel, IA32_GS_BASE always holds this CPU's struct cpu and
 * IA32_KERNEL_GS_BASE the running thread's user GS base. An entry from user
 * mode (CS RPL 3) swaps them first thing, and its exit (x86_user_exit, shared
 * with syscall_entry.S and arch_return_to_user) swaps them back as the last
 * thing before sysretq / iretq. An entry from kernel mode swaps nothing, with
 * one exception: NMI, double fault and machine check (IST stacks, not masked
 * by IF) can arrive in the few instructions of syscall_entry.S and
 * x86_user_exit where the kernel runs with the user's GS; for them the entry
 * reads IA32_GS_BASE and swaps if it is not a kernel address (user GS bases
 * are always lower-half ones), and swaps back on the way out.
 */
#include "cpu_x86.h"
#include "frame.h"

	.text
.macro STUB vec
	.balign 16
trap_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	push	$0
	.endif
	push	$\vec
	jmp	trap_common
.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	STUB \v
	.endr
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	STUB \v
	.endr
	.irp v, 64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95
	STUB \v
	.endr
	.irp v, 96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127
	STUB \v
	.endr
	.irp v, 128,129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159
	STUB \v
	.endr
	.irp v, 160,161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191
	STUB \v
	.endr
	.irp v, 192,193,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216,217,218,219,220,221,222,223
	STUB \v
	.endr
	.irp v, 224,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,254,255
	STUB \v
	.endr

trap_common:
	cld
	PUSH_REGS
	testb	$3, TF_CS(%rsp)
	jnz	trap_from_user
	xor	%ebx, %ebx		/* rbx (callee-saved): 1 if this entry swapped GS */
	cmpq	$2, TF_VECTOR(%rsp)
	je	trap_paranoid
	cmpq	$8, TF_VECTOR(%rsp)
	je	trap_paranoid
	cmpq	$18, TF_VECTOR(%rsp)
	je	trap_paranoid
trap_kernel:
	mov	%rsp, %rdi
	call	trap_dispatch
	test	%ebx, %ebx
	jz	1f
	swapgs
1:	POP_REGS
	add	$16, %rsp	/* vector and error code */
	iretq

trap_paranoid:
	mov	$X86_MSR_GS_BASE, %ecx
	rdmsr
	test	%edx, %edx	/* the high half: negative for kernel addresses */
	js	trap_kernel
	swapgs
	mov	$1, %ebx
	jmp	trap_kernel

/* From user mode: the frame is at the top of the thread's kernel stack. */
trap_from_user:
	swapgs
	xor	%ebp, %ebp	/* backtraces end here, not in user memory */
	mov	%rsp, %rdi
	call	trap_dispatch	/* ... which ends with kernel_exit_to_user(f) */
	/* fall through */

/*
 * The one way back to user mode, with rsp = the frame at the top of the
 * running thread's kernel stack, interrupts masked, GS the kernel's.
 * x86_user_return_check makes RIP canonical (faulting the thread until it
 * is) and forces CS 0x2b, SS 0x23 and an RFLAGS with IF set and IOPL 0, NT
 * clear, so no frame the kernel edited can return to ring 0 or with I/O
 * privilege. Then sysretq when it restores exactly what iretq would: RIP in
 * the user half (SYSRET with a non-canonical RCX raises #GP in ring 0 on
 * user rsp on Intel CPUs; a kernel-half RIP is left to iretq, whose user-mode
 * fetch then faults as a page fault of the thread), RCX equal to RIP and R11
 * equal to RFLAGS (true after a system call unless the kernel changed them).
 */
	.globl x86_user_exit
x86_user_exit:
	mov	%rsp, %rdi
	call	x86_user_return_check
	mov	TF_RIP(%rsp), %rcx
	cmp	TF_RCX(%rsp), %rcx
	jne	1f
	movabs	$X86_USER_TOP, %rax
	cmp	%rax, %rcx
	jae	1f
	mov	TF_RFLAGS(%rsp), %r11
	cmp	TF_R11(%rsp), %r11
	jne	1f
	POP_REGS			/* rcx = rip, r11 = rflags */
	mov	TF_RSP - TF_VECTOR(%rsp), %rsp
	swapgs
	sysretq
1:	POP_REGS
	add	$16, %rsp
	swapgs
	iretq

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	trap_\v
	.endr
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	.quad	trap_\v
	.endr
	.irp v, 64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95
	.quad	trap_\v
	.endr
	.irp v, 96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127
	.quad	trap_\v
	.endr
	.irp v, 128,129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159
	.quad	trap_\v
	.endr
	.irp v, 160,161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191
	.quad	trap_\v
	.endr
	.irp v, 192,193,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216,217,218,219,220,221,222,223
	.quad	trap_\v
	.endr
	.irp v, 224,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,254,255
	.quad	trap_\v
	.endr
