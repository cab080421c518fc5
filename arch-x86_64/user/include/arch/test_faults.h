/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS tests of user faults (FLT0002 and its helper
 * bin/tests/helpers/probe): the faults that need an instruction of their own,
 * one function per mode, and the kind each gives on x86-64. The portable ones
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
	__asm__ volatile("ud2");
}

/* RFLAGS.AC only matters with CR0.AM: the access does not fault and comes back. */
static inline void arch_test_fault_misaligned(void)
{
	uint64_t buf[2] = { 0, 0 }, v;
	__asm__ volatile("pushf; orl $0x40000, (%%rsp); popf; movq 1(%1), %0; pushf; "
			 "andl $~0x40000, (%%rsp); popf"
			 : "=r"(v) : "r"(buf) : "memory", "cc");
}

static inline void arch_test_fault_breakpoint(void)
{
	__asm__ volatile("int3");
}

/* Port I/O without an I/O-port range. */
static inline void arch_test_fault_ioport(void)
{
	__asm__ volatile("outb %%al, $0x80" ::"a"(0));
}

static inline void arch_test_fault_privileged(void)
{
	__asm__ volatile("hlt");
}

static inline void arch_test_fault_divide(void)
{
	uint64_t zero = 0, q;
	__asm__ volatile("xor %%edx, %%edx; div %1" : "=a"(q) : "r"(zero), "a"(1ull) : "rdx");
}

static const struct arch_test_fault arch_test_faults[] = {
	{ "undefined", KOSH_FAULT_UNDEFINED, arch_test_fault_undefined },
	{ "misaligned", 0, arch_test_fault_misaligned },
	{ "breakpoint", KOSH_FAULT_BREAKPOINT, arch_test_fault_breakpoint },
	{ "ioport", KOSH_FAULT_PROTECTION, arch_test_fault_ioport },
	{ "privileged", KOSH_FAULT_PROTECTION, arch_test_fault_privileged },
	{ "divide", KOSH_FAULT_ARITHMETIC, arch_test_fault_divide },
};
#define ARCH_TEST_FAULT_COUNT (sizeof(arch_test_faults) / sizeof(arch_test_faults[0]))

#endif
