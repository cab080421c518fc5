/* SPDX-License-Identifier: MIT */
/*
 * AArch64: Armv8.5's RNDR would be the source, but whether the CPU has it is
 * told by ID_AA64ISAR0_EL1.RNDR, which EL0 cannot read here (the kernel does
 * not trap and emulate ID-register reads, as Linux does), and executing RNDR
 * on a CPU without it is an undefined-instruction fault. So there is no CPU
 * source: virtio-rng without a device answers ENODEV and says why.
 */
#include "cpu_random.h"

int cpu_random_probe(const char **why)
{
	*why = "no CPU random source on AArch64 (RNDR's ID register is not readable at EL0)";
	return -1;
}

int cpu_random_fill(void *buf, uint32_t len)
{
	(void)buf, (void)len;
	return -1;
}
