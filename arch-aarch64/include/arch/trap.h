/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 trap frame, as traps.S builds it on the stack: x0..x30, the
 * interrupted stack pointer, ELR, SPSR, ESR and FAR.
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

static inline uint64_t trap_frame_pc(const struct trap_frame *f)
{
	return f->elr;
}

static inline uint64_t trap_frame_fp(const struct trap_frame *f)
{
	return f->x[29];
}

#endif
