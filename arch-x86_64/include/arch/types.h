/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 port's types that generic structures embed (kernel/thread.h,
 * kernel/cpu.h): struct arch_context, a thread's kernel registers while it is
 * switched out (the callee-saved ones sit on its own stack, context.S keeps
 * only the stack pointer here), and struct arch_thread, its user-visible state
 * kept outside the trap frame: the FXSAVE image of the x87/SSE registers and
 * the FS and GS bases (context.c, from arch_thread_switch). Generic code never
 * looks inside.
 */
#ifndef ARCH_X86_64_TYPES_H
#define ARCH_X86_64_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096u

/* The saved kernel stack pointer; rbx rbp r12-r15 and the return address lie at it. */
struct arch_context {
	uint64_t rsp;
};
_Static_assert(offsetof(struct arch_context, rsp) == 0, "arch_context layout (context.S)");

/* FXSAVE64 area (16-byte aligned), then IA32_FS_BASE and the user's IA32_GS_BASE. */
struct arch_thread {
	_Alignas(16) uint8_t fxsave[512];
	uint64_t fs_base;
	uint64_t gs_base;
};
_Static_assert(offsetof(struct arch_thread, fxsave) == 0, "fxsave64 needs 16-byte alignment");
_Static_assert(_Alignof(struct arch_thread) == 16, "fxsave64 needs 16-byte alignment");

#endif
