/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 trap frame, as traps.S builds it on the stack: the general
 * registers it pushes, then the vector and error code (a dummy where the CPU
 * pushes none), then what the CPU pushed.
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

static inline uint64_t trap_frame_pc(const struct trap_frame *f)
{
	return f->rip;
}

static inline uint64_t trap_frame_fp(const struct trap_frame *f)
{
	return f->rbp;
}

#endif
