/* SPDX-License-Identifier: MIT */
/*
 * For the assembly files only (traps.S, syscall_entry.S): the offsets of
 * struct trap_frame (arch/trap.h; context.c asserts them) and the macros that
 * push and pop its general registers, in the frame's order.
 */
#ifndef ARCH_X86_64_FRAME_H
#define ARCH_X86_64_FRAME_H

#define TF_R15    0
#define TF_R12    24
#define TF_R11    32
#define TF_RCX    96
#define TF_RAX    112
#define TF_VECTOR 120
#define TF_ERROR  128
#define TF_RIP    136
#define TF_CS     144
#define TF_RFLAGS 152
#define TF_RSP    160
#define TF_SS     168
#define TF_SIZE   176

#ifdef __ASSEMBLER__

/* Push rax .. r15 below the vector and error code: the frame is then at rsp. */
.macro PUSH_REGS
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

/* Pop them again: rsp then points at the vector field. */
.macro POP_REGS
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
.endm

#endif /* __ASSEMBLER__ */

#endif
