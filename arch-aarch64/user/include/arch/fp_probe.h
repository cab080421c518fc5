/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS test of FP/SIMD isolation (FPU0001): load all 32 vector
 * registers from in, make a system call (yield) while they hold those values,
 * and store them to out. Nothing in between is compiled code that could use them.
 */
#ifndef ARCH_FP_PROBE_H
#define ARCH_FP_PROBE_H

#include <stdint.h>

#define ARCH_FP_REGS 32
#define ARCH_FP_REG_BYTES 16

static inline void arch_fp_yield_roundtrip(const uint8_t in[ARCH_FP_REGS][ARCH_FP_REG_BYTES],
					   uint8_t out[ARCH_FP_REGS][ARCH_FP_REG_BYTES])
{
	register const void *src __asm__("x9") = in;
	register void *dst __asm__("x10") = out;
	__asm__ volatile(
		"ldp q0, q1, [x9, #0]\n\tldp q2, q3, [x9, #32]\n\t"
		"ldp q4, q5, [x9, #64]\n\tldp q6, q7, [x9, #96]\n\t"
		"ldp q8, q9, [x9, #128]\n\tldp q10, q11, [x9, #160]\n\t"
		"ldp q12, q13, [x9, #192]\n\tldp q14, q15, [x9, #224]\n\t"
		"ldp q16, q17, [x9, #256]\n\tldp q18, q19, [x9, #288]\n\t"
		"ldp q20, q21, [x9, #320]\n\tldp q22, q23, [x9, #352]\n\t"
		"ldp q24, q25, [x9, #384]\n\tldp q26, q27, [x9, #416]\n\t"
		"ldp q28, q29, [x9, #448]\n\tldp q30, q31, [x9, #480]\n\t"
		"mov x8, #0\n\t" /* KOSH_SYS_yield */
		"svc #0\n\t"
		"stp q0, q1, [x10, #0]\n\tstp q2, q3, [x10, #32]\n\t"
		"stp q4, q5, [x10, #64]\n\tstp q6, q7, [x10, #96]\n\t"
		"stp q8, q9, [x10, #128]\n\tstp q10, q11, [x10, #160]\n\t"
		"stp q12, q13, [x10, #192]\n\tstp q14, q15, [x10, #224]\n\t"
		"stp q16, q17, [x10, #256]\n\tstp q18, q19, [x10, #288]\n\t"
		"stp q20, q21, [x10, #320]\n\tstp q22, q23, [x10, #352]\n\t"
		"stp q24, q25, [x10, #384]\n\tstp q26, q27, [x10, #416]\n\t"
		"stp q28, q29, [x10, #448]\n\tstp q30, q31, [x10, #480]"
		: "+r"(src), "+r"(dst)
		:
		: "x0", "x8", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
		  "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21",
		  "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
}

#endif
