/* SPDX-License-Identifier: MIT */
/*
 * Cache maintenance (arch.h): x86-64 keeps instruction fetches coherent with
 * data writes in hardware, so there is nothing to do.
 */
#include "arch.h"

void arch_sync_icache(uint64_t kva, uint64_t size)
{
	(void)kva;
	(void)size;
}
