/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 port's types that generic structures embed (kernel/thread.h):
 * struct arch_context, a thread's kernel registers while it is switched out
 * (context.S saves and loads it), and struct arch_thread, its user-visible
 * state kept outside the trap frame: the FP/SIMD registers and TPIDR_EL0
 * (context.S again, from arch_thread_switch). Generic code never looks inside.
 */
#ifndef ARCH_AARCH64_TYPES_H
#define ARCH_AARCH64_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096u

/* The AAPCS64 callee-saved registers, the return address and the stack pointer. */
struct arch_context {
	uint64_t x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
	uint64_t x29; /* frame pointer */
	uint64_t x30; /* where arch_context_switch returns to */
	uint64_t sp;
	uint64_t pad; /* keeps the size a multiple of 16 */
};
_Static_assert(offsetof(struct arch_context, x19) == 0, "arch_context layout (context.S)");
_Static_assert(offsetof(struct arch_context, x29) == 80, "arch_context layout (context.S)");
_Static_assert(offsetof(struct arch_context, sp) == 96, "arch_context layout (context.S)");
_Static_assert(sizeof(struct arch_context) == 112, "arch_context layout (context.S)");

/*
 * FP/SIMD q0..q31, FPCR, FPSR and TPIDR_EL0 (EL0's thread pointer, which EL0
 * writes itself). TPIDRRO_EL0 is not used: it stays 0 on every CPU.
 */
struct arch_thread {
	_Alignas(16) uint8_t q[32][16];
	uint64_t fpcr;
	uint64_t fpsr;
	uint64_t tpidr_el0;
	uint64_t pad;
};
_Static_assert(offsetof(struct arch_thread, q) == 0, "arch_thread layout (context.S)");
_Static_assert(offsetof(struct arch_thread, fpcr) == 512, "arch_thread layout (context.S)");
_Static_assert(offsetof(struct arch_thread, fpsr) == 520, "arch_thread layout (context.S)");
_Static_assert(offsetof(struct arch_thread, tpidr_el0) == 528, "arch_thread layout (context.S)");
_Static_assert(sizeof(struct arch_thread) == 544, "arch_thread layout (context.S)");

#endif
