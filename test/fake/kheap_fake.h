/* SPDX-License-Identifier: MIT */
/*
 * kernel/kheap.h's kmalloc / kzalloc / kfree for host tests, on the host heap
 * (test/fake/kheap_fake.c): counted, never zeroed by kmalloc (a caller that
 * relies on it sees garbage), and able to fail on demand.
 */
#ifndef TEST_KHEAP_FAKE_H
#define TEST_KHEAP_FAKE_H

#include <stdint.h>

struct kheap_fake {
	uint64_t kmallocs, kfrees; /* successful kmalloc / kzalloc, and kfree of non-NULL */
	long fail_after;           /* allocations left before they fail; -1: never */
};
extern struct kheap_fake kheap_fake;

/* Counters to zero, no failure planned. */
void kheap_fake_reset(void);

#endif
