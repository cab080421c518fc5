/* SPDX-License-Identifier: MIT */
/*
 * The host tests' page allocator (test/fake/pmm_fake.c): kernel/pmm.h over an
 * arena whose "physical" addresses start at PMM_FAKE_BASE, with counters and
 * a failure switch the tests read and set.
 */
#ifndef TEST_PMM_FAKE_H
#define TEST_PMM_FAKE_H

#include <stdint.h>

#define PMM_FAKE_BASE 0x100000000ull

struct pmm_fake {
	uint8_t *mem;
	uint8_t *used;
	unsigned pages;
	unsigned in_use;
	uint64_t allocs, frees, bad_frees;
	long fail_after; /* allocations left before they fail; -1: never */
};
extern struct pmm_fake pmm_fake;

/* Start over with an arena of pages; release it. */
void pmm_fake_init(unsigned pages);
void pmm_fake_fini(void);

#endif
