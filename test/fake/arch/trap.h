/* SPDX-License-Identifier: MIT */
/*
 * <arch/trap.h> of the fake port (test/fake/): the trap frame a host test's
 * "user thread" fills when it makes a system call (test/fake/thread_fake.c's
 * user_syscall does what a port's entry code does). The number, seven argument
 * registers and the result register are separate words here.
 */
#ifndef TEST_FAKE_ARCH_TRAP_H
#define TEST_FAKE_ARCH_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t nr;	  /* the system-call number register */
	uint64_t args[7]; /* argument registers 0 .. 6 */
	uint64_t ret;	  /* the result register */
	uint64_t pc, sp, fp;
	uint64_t from_user;
	uint64_t entered; /* the fake's: the user function has been called */
};

static inline uint64_t trap_frame_pc(const struct trap_frame *f)
{
	return f->pc;
}

static inline uint64_t trap_frame_fp(const struct trap_frame *f)
{
	return f->fp;
}

static inline int trap_frame_from_user(const struct trap_frame *f)
{
	return f->from_user != 0;
}

static inline uint64_t trap_frame_sysnr(const struct trap_frame *f)
{
	return f->nr;
}

static inline uint64_t *trap_frame_sysarg(struct trap_frame *f, unsigned i)
{
	return &f->args[i < 7 ? i : 6];
}

static inline uint64_t *trap_frame_sysret(struct trap_frame *f)
{
	return &f->ret;
}

#endif
