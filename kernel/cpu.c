/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU array (see cpu.h). Entries are claimed in bring-up order by the
 * boot CPU only, so a counter is all the bookkeeping needed.
 */
#include "cpu.h"

#include "arch.h"

struct cpu cpus[MAX_CPUS];
static uint32_t count;

struct cpu *this_cpu(void)
{
	return &cpus[arch_cpu_index()];
}

uint32_t cpu_count(void)
{
	return __atomic_load_n(&count, __ATOMIC_ACQUIRE);
}

struct cpu *cpu_add(uint64_t hwid)
{
	if (count == MAX_CPUS)
		return 0;
	struct cpu *c = &cpus[count];
	c->index = count;
	c->hwid = hwid;
	__atomic_store_n(&count, count + 1, __ATOMIC_RELEASE);
	return c;
}
