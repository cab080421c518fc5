/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 system-call instruction for userspace (<kosh/abi.h> "Registers"):
 * number in rax, arguments in rdi rsi rdx r10 r8 r9 r12, `syscall`; the result
 * comes back in rax and further results in rsi rdx r10 r8 r9 r12. `syscall`
 * itself overwrites rcx and r11; the kernel keeps every other register.
 */
#ifndef ARCH_USER_SYSCALL_H
#define ARCH_USER_SYSCALL_H

#include <stdint.h>

/* Make system call nr with arguments r[0 .. 6]; r[1 .. 6] receive results 1 .. 6. */
static inline int64_t arch_syscall(uint64_t nr, uint64_t r[7])
{
	register uint64_t rax __asm__("rax") = nr;
	register uint64_t rdi __asm__("rdi") = r[0];
	register uint64_t rsi __asm__("rsi") = r[1];
	register uint64_t rdx __asm__("rdx") = r[2];
	register uint64_t r10 __asm__("r10") = r[3];
	register uint64_t r8 __asm__("r8") = r[4];
	register uint64_t r9 __asm__("r9") = r[5];
	register uint64_t r12 __asm__("r12") = r[6];
	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9), "+r"(r12)
			 :
			 : "rcx", "r11", "memory");
	r[1] = rsi;
	r[2] = rdx;
	r[3] = r10;
	r[4] = r8;
	r[5] = r9;
	r[6] = r12;
	return (int64_t)rax;
}

#endif
