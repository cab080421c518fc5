/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 system-call instruction for userspace (<kosh/abi.h> "Registers"):
 * number in x8, arguments in x0 .. x6, `svc #0`; the result comes back in x0
 * and further results in x1 .. x6. The kernel keeps every other register.
 */
#ifndef ARCH_USER_SYSCALL_H
#define ARCH_USER_SYSCALL_H

#include <stdint.h>

/* Make system call nr with arguments r[0 .. 6]; r[1 .. 6] receive results 1 .. 6. */
static inline int64_t arch_syscall(uint64_t nr, uint64_t r[7])
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = r[0];
	register uint64_t x1 __asm__("x1") = r[1];
	register uint64_t x2 __asm__("x2") = r[2];
	register uint64_t x3 __asm__("x3") = r[3];
	register uint64_t x4 __asm__("x4") = r[4];
	register uint64_t x5 __asm__("x5") = r[5];
	register uint64_t x6 __asm__("x6") = r[6];
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
			 : "r"(x8)
			 : "memory");
	r[1] = x1;
	r[2] = x2;
	r[3] = x3;
	r[4] = x4;
	r[5] = x5;
	r[6] = x6;
	return (int64_t)x0;
}

#endif
