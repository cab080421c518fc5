/* SPDX-License-Identifier: MIT */
/*
 * I/O-port permissions for user mode (x86-64). IOPL stays 0, so every in/out
 * at CPL 3 is checked against the I/O bitmap in the CPU's TSS (cpu.c: 8 KiB
 * after the TSS, then a 0xff byte). A process that was given ports owns a
 * bitmap of its own (struct process.ioport_bitmap); arch_thread_switch copies
 * the next thread's into this CPU's TSS, or all ones for none.
 *
 * The copy is skipped when this CPU already holds that bitmap (its pointer in
 * the X86_CPU_IOMAP word) at the current generation. Every change through
 * arch_ioport_bitmap_set bumps one global generation and reloads the copy of
 * the calling CPU at once if it holds that bitmap or its running thread uses it; another CPU running a
 * thread of the same process keeps its older copy until its next switch,
 * which sees the new generation and copies again. (A process's other threads
 * may use ports for one time slice longer, or gain them one later; the kernel
 * may IPI those CPUs if that ever matters.) The generation also keeps a new
 * bitmap at the address of a freed one from being taken for it, as long as
 * its ports are set through arch_ioport_bitmap_set.
 */
#include "arch.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "thread.h"

#include <kosh/string.h>

#define PORTS 65536u
_Static_assert(ARCH_IOPORT_BITMAP_BYTES * 8 == PORTS, "one bit a port");

static uint64_t generation = 1;

static void load(struct cpu *c, const uint8_t *bitmap, uint64_t gen)
{
	uint8_t *iomap = x86_tss_iomap();
	if (bitmap)
		memcpy(iomap, bitmap, ARCH_IOPORT_BITMAP_BYTES);
	else
		memset(iomap, 0xff, ARCH_IOPORT_BITMAP_BYTES);
	c->arch_data[X86_CPU_IOMAP] = (uint64_t)(uintptr_t)bitmap;
	c->arch_data[X86_CPU_IOMAP_GEN] = gen;
}

void x86_ioport_switch(const uint8_t *bitmap)
{
	struct cpu *c = this_cpu();
	uint64_t gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
	if (c->arch_data[X86_CPU_IOMAP] == (uint64_t)(uintptr_t)bitmap &&
	    (!bitmap || c->arch_data[X86_CPU_IOMAP_GEN] == gen))
		return;
	load(c, bitmap, gen);
}

int arch_ioport_bitmap_set(uint8_t *bitmap, uint32_t base, uint32_t count, int allow)
{
	if (!bitmap || count == 0 || base >= PORTS || count > PORTS - base)
		return -1;
	for (uint32_t p = base; p < base + count; p++) {
		if (allow)
			bitmap[p / 8] &= (uint8_t)~(1u << (p % 8));
		else
			bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
	}
	uint64_t gen = __atomic_add_fetch(&generation, 1, __ATOMIC_ACQ_REL);
	uint64_t flags = arch_irq_save();
	struct cpu *c = this_cpu();
	/* This CPU's copy, or the running thread's bitmap (its first one, just made). */
	if (c->arch_data[X86_CPU_IOMAP] == (uint64_t)(uintptr_t)bitmap ||
	    (c->current && thread_ioport_bitmap(c->current) == bitmap))
		load(c, bitmap, gen);
	arch_irq_restore(flags);
	return 0;
}

int arch_has_ioports(void)
{
	return 1;
}
