/* SPDX-License-Identifier: MIT */
/*
 * kernel/pmm.h for host tests: pages from an arena whose "physical" addresses
 * start at PMM_FAKE_BASE (not 0, so a physical address is never mistaken for a
 * pointer or for failure). The direct map is the arena itself. It counts pages
 * in use, refuses double frees and frees of foreign addresses, and can be told
 * to fail after a number of allocations; tests reach its state through
 * pmm_fake.h.
 */
#include "pmm.h"
#include "pmm_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmm_fake pmm_fake;

void pmm_fake_init(unsigned pages)
{
	pmm_fake_fini();
	pmm_fake.mem = aligned_alloc(PMM_PAGE_SIZE, pages * PMM_PAGE_SIZE);
	pmm_fake.used = calloc(pages, 1);
	pmm_fake.pages = pages;
	pmm_fake.fail_after = -1;
}

void pmm_fake_fini(void)
{
	free(pmm_fake.mem);
	free(pmm_fake.used);
	memset(&pmm_fake, 0, sizeof(pmm_fake));
}

/* A free, naturally aligned run of 2^order pages, or -1. */
static long find_run(unsigned order)
{
	unsigned n = 1u << order;
	for (unsigned i = 0; i + n <= pmm_fake.pages; i += n) {
		unsigned j = 0;
		while (j < n && !pmm_fake.used[i + j])
			j++;
		if (j == n)
			return (long)i;
	}
	return -1;
}

uint64_t pmm_alloc(unsigned order, unsigned flags)
{
	if (pmm_fake.fail_after == 0)
		return 0;
	if (pmm_fake.fail_after > 0)
		pmm_fake.fail_after--;
	long i = find_run(order);
	if (i < 0)
		return 0;
	memset(pmm_fake.used + i, 1, 1u << order);
	pmm_fake.in_use += 1u << order;
	pmm_fake.allocs++;
	/* Not zeroed unless asked: a caller relying on it would see garbage. */
	memset(pmm_fake.mem + i * PMM_PAGE_SIZE, (flags & PMM_ZERO) ? 0 : 0xa5,
	       (PMM_PAGE_SIZE << order));
	return PMM_FAKE_BASE + (uint64_t)i * PMM_PAGE_SIZE;
}

int pmm_free(uint64_t phys, unsigned order)
{
	uint64_t i = (phys - PMM_FAKE_BASE) / PMM_PAGE_SIZE;
	unsigned n = 1u << order;
	if (phys < PMM_FAKE_BASE || phys % PMM_PAGE_SIZE || i + n > pmm_fake.pages)
		goto bad;
	for (unsigned j = 0; j < n; j++)
		if (!pmm_fake.used[i + j])
			goto bad;
	memset(pmm_fake.used + i, 0, n);
	memset(pmm_fake.mem + i * PMM_PAGE_SIZE, 0x5a, PMM_PAGE_SIZE << order);
	pmm_fake.in_use -= n;
	pmm_fake.frees++;
	return 0;
bad:
	fprintf(stderr, "pmm_fake: bad free of 0x%llx order %u\n", (unsigned long long)phys, order);
	pmm_fake.bad_frees++;
	return -1;
}

void *phys_to_virt(uint64_t phys)
{
	if (phys < PMM_FAKE_BASE || phys >= PMM_FAKE_BASE + pmm_fake.pages * PMM_PAGE_SIZE) {
		fprintf(stderr, "pmm_fake: phys_to_virt(0x%llx) outside the arena\n",
			(unsigned long long)phys);
		abort();
	}
	return pmm_fake.mem + (phys - PMM_FAKE_BASE);
}

uint64_t virt_to_phys(const void *virt)
{
	const uint8_t *p = virt;
	if (p < pmm_fake.mem || p >= pmm_fake.mem + pmm_fake.pages * PMM_PAGE_SIZE) {
		fprintf(stderr, "pmm_fake: virt_to_phys(%p) outside the arena\n", virt);
		abort();
	}
	return PMM_FAKE_BASE + (uint64_t)(p - pmm_fake.mem);
}
