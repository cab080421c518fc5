/* SPDX-License-Identifier: MIT */
/*
 * System-register access for the AArch64 port: sysreg_read/sysreg_write by name,
 * with the GICv3 CPU-interface registers spelt as their S3_* encodings (Arm GIC
 * architecture specification, "AArch64 System register descriptions of the CPU
 * interface"), which every assembler accepts whatever it knows about the GIC.
 */
#ifndef ARCH_AARCH64_SYSREG_H
#define ARCH_AARCH64_SYSREG_H

#include <stdint.h>

#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1   S3_0_C12_C11_5

#define SYSREG_NAME(r) #r
#define SYSREG_STR(r)  SYSREG_NAME(r) /* expands r first (the ICC_* names) */

#define sysreg_read(r)                                                   \
	({                                                               \
		uint64_t sysreg_v_;                                      \
		__asm__ volatile("mrs %0, " SYSREG_STR(r) : "=r"(sysreg_v_)); \
		sysreg_v_;                                               \
	})

#define sysreg_write(r, v) \
	__asm__ volatile("msr " SYSREG_STR(r) ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

#endif
