/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 trap frame, as traps.S builds it on the stack: x0..x30, the
 * interrupted stack pointer (SP_EL0 for an entry from EL0, which the way back
 * to EL0 restores), ELR, SPSR, ESR and FAR. For a user thread it sits at the
 * very top of its kernel stack (kernel/include/arch.h). The system-call
 * registers are those of <kosh/abi.h>: number in x8, arguments x0..x6, result
 * x0, further results x1..x6.
 */
#ifndef ARCH_AARCH64_TRAP_H
#define ARCH_AARCH64_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr, spsr, esr, far;
};
_Static_assert(sizeof(struct trap_frame) == 36 * 8, "trap frame layout (traps.S)");

/* SPSR.M[4:0]: the execution state, exception level and stack it came from. */
#define SPSR_M_MASK 0x1fu
#define SPSR_M_EL0T 0x0u

static inline uint64_t trap_frame_pc(const struct trap_frame *f)
{
	return f->elr;
}

static inline uint64_t trap_frame_fp(const struct trap_frame *f)
{
	return f->x[29];
}

/* 1 if f was taken from EL0 (AArch64 EL0t). */
static inline int trap_frame_from_user(const struct trap_frame *f)
{
	return (f->spsr & SPSR_M_MASK) == SPSR_M_EL0T;
}

/* The system-call number (x8). */
static inline uint64_t trap_frame_sysnr(const struct trap_frame *f)
{
	return f->x[8];
}

/* Argument register i (x0 .. x6); results 1 .. 6 are written back to the same places. */
static inline uint64_t *trap_frame_sysarg(struct trap_frame *f, unsigned i)
{
	return &f->x[i];
}

/* The result register (x0). */
static inline uint64_t *trap_frame_sysret(struct trap_frame *f)
{
	return &f->x[0];
}

#endif
