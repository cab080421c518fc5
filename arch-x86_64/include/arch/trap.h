/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 trap frame, as traps.S builds it on the stack: the general
 * registers it pushes, then the vector and error code (a dummy where the CPU
 * pushes none), then what the CPU pushed. syscall_entry.S builds the same
 * frame for a system call, with vector TRAP_VECTOR_SYSCALL (no real vector),
 * error 0 and rip/rflags taken from rcx/r11. A frame from user mode always
 * sits at the top of the thread's kernel stack (TSS.rsp0 and the syscall
 * stack are that top, 16-byte aligned, so both land at the same place).
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout (traps.S)");

/* The vector field of a frame built by the syscall instruction's entry. */
#define TRAP_VECTOR_SYSCALL 0x100

static inline uint64_t trap_frame_pc(const struct trap_frame *f)
{
	return f->rip;
}

static inline uint64_t trap_frame_fp(const struct trap_frame *f)
{
	return f->rbp;
}

/* 1 if f was taken from user mode (CS's requested privilege level 3). */
static inline int trap_frame_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

/* The system-call number (rax). */
static inline uint64_t trap_frame_sysnr(const struct trap_frame *f)
{
	return f->rax;
}

/* Argument register i, 0 .. 6: rdi rsi rdx r10 r8 r9 r12 (kosh/abi.h). */
static inline uint64_t *trap_frame_sysarg(struct trap_frame *f, unsigned i)
{
	switch (i) {
	case 0:
		return &f->rdi;
	case 1:
		return &f->rsi;
	case 2:
		return &f->rdx;
	case 3:
		return &f->r10;
	case 4:
		return &f->r8;
	case 5:
		return &f->r9;
	default:
		return &f->r12;
	}
}

/* The result register (rax). */
static inline uint64_t *trap_frame_sysret(struct trap_frame *f)
{
	return &f->rax;
}

#endif
