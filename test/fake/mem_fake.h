/* SPDX-License-Identifier: MIT */
/*
 * What the memory-object fakes (mem_fake.c) record: the MMU and TLB hooks
 * kernel/vm.c and kernel/space.c call, and a counting kmalloc. For the tests of
 * frames, address spaces and their system calls (test/unit/kernel_obj.cmake).
 */
#ifndef TEST_MEM_FAKE_H
#define TEST_MEM_FAKE_H

#include <stdint.h>

struct mem_fake {
	uint64_t tlb_flushes;         /* smp_tlb_flush calls with a non-empty range */
	uint64_t flush_va, flush_size; /* the last one */
	uint64_t user_switches;       /* arch_mmu_switch_user calls */
	uint64_t icache_syncs;        /* arch_sync_icache calls */
	uint64_t local_flushes;       /* arch_tlb_flush_range calls with a size (this CPU only) */
	uint64_t user_root;           /* the last root given */
};

extern struct mem_fake mem_fake;

/* Start over: counters zeroed, nothing set to fail. */
void mem_fake_reset(void);

/*
 * Make a second fake CPU (index 1) run space s (NULL: leave it), as
 * space_activate would there; the tests run as CPU 0.
 */
struct space;
void mem_fake_load_elsewhere(struct space *s);

/*
 * A small machine: the fake pmm with pages pages, and the kernel's tables built
 * on it (vm_init_image), so user spaces can be made. 0, or -1.
 */
int mem_fake_machine_init(unsigned pages);

/* Free the kernel's tables and the pmm; -1 if pages or heap objects leaked. */
int mem_fake_machine_fini(void);

#endif
