/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS tests of user faults (FLT0002 and its helper
 * bin/tests/helpers/probe): the faults that need an instruction of their own,
 * one function per mode, and the kind each gives on AArch64. The portable ones
 * (NULL read, write to rodata, execution of data, a bad system-call number)
 * are plain C in probe.c. Both ports list the same modes in the same order.
 */
#ifndef ARCH_TEST_FAULTS_H
#define ARCH_TEST_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>

struct arch_test_fault {
	const char *mode;      /* probe's argument */
	uint32_t kind;         /* the KOSH_FAULT_* that stops the process; 0: no such fault here */
	void (*provoke)(void); /* returns if nothing stopped it; NULL: not on this architecture */
};

static inline void arch_test_fault_undefined(void)
{
	__asm__ volatile("udf #0");
}

/* Exclusive loads must be aligned whatever SCTLR_EL1.A says. */
static inline void arch_test_fault_misaligned(void)
{
	uint64_t buf[2] = { 0, 0 }, v;
	__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"((uint8_t *)buf + 1) : "memory");
}

static inline void arch_test_fault_breakpoint(void)
{
	__asm__ volatile("brk #0x7");
}

/* SCTLR_EL1.UMA is clear: masking interrupts is undefined at EL0. */
static inline void arch_test_fault_privileged(void)
{
	__asm__ volatile("msr daifset, #2");
}

/* No I/O ports; integer division by zero gives 0 without a trap. */
static const struct arch_test_fault arch_test_faults[] = {
	{ "undefined", KOSH_FAULT_UNDEFINED, arch_test_fault_undefined },
	{ "misaligned", KOSH_FAULT_ALIGNMENT, arch_test_fault_misaligned },
	{ "breakpoint", KOSH_FAULT_BREAKPOINT, arch_test_fault_breakpoint },
	{ "ioport", 0, NULL },
	{ "privileged", KOSH_FAULT_UNDEFINED, arch_test_fault_privileged },
	{ "divide", 0, NULL },
};
#define ARCH_TEST_FAULT_COUNT (sizeof(arch_test_faults) / sizeof(arch_test_faults[0]))

#endif
