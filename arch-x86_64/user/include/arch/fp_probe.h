/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS test of FPU isolation (FPU0001): load all 16 XMM registers
 * from in, make a system call (yield) while they hold those values, and store
 * them to out. Nothing in between is compiled code that could use them.
 */
#ifndef ARCH_FP_PROBE_H
#define ARCH_FP_PROBE_H

#include <stdint.h>

#define ARCH_FP_REGS 16
#define ARCH_FP_REG_BYTES 16

static inline void arch_fp_yield_roundtrip(const uint8_t in[ARCH_FP_REGS][ARCH_FP_REG_BYTES],
					   uint8_t out[ARCH_FP_REGS][ARCH_FP_REG_BYTES])
{
	__asm__ volatile(
		"movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
		"movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
		"movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
		"movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7\n\t"
		"movdqu 128(%0), %%xmm8\n\tmovdqu 144(%0), %%xmm9\n\t"
		"movdqu 160(%0), %%xmm10\n\tmovdqu 176(%0), %%xmm11\n\t"
		"movdqu 192(%0), %%xmm12\n\tmovdqu 208(%0), %%xmm13\n\t"
		"movdqu 224(%0), %%xmm14\n\tmovdqu 240(%0), %%xmm15\n\t"
		"xor %%eax, %%eax\n\t" /* KOSH_SYS_yield */
		"syscall\n\t"
		"movdqu %%xmm0, 0(%1)\n\tmovdqu %%xmm1, 16(%1)\n\t"
		"movdqu %%xmm2, 32(%1)\n\tmovdqu %%xmm3, 48(%1)\n\t"
		"movdqu %%xmm4, 64(%1)\n\tmovdqu %%xmm5, 80(%1)\n\t"
		"movdqu %%xmm6, 96(%1)\n\tmovdqu %%xmm7, 112(%1)\n\t"
		"movdqu %%xmm8, 128(%1)\n\tmovdqu %%xmm9, 144(%1)\n\t"
		"movdqu %%xmm10, 160(%1)\n\tmovdqu %%xmm11, 176(%1)\n\t"
		"movdqu %%xmm12, 192(%1)\n\tmovdqu %%xmm13, 208(%1)\n\t"
		"movdqu %%xmm14, 224(%1)\n\tmovdqu %%xmm15, 240(%1)"
		:
		: "r"(in), "r"(out)
		: "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		  "xmm15");
}

#endif
