/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the buddy allocator (kernel/pmm.c) on the fake port.
 *
 * Fake physical memory is one lazily backed mapping (MAP_NORESERVE) standing
 * for physical [0, FAKE_PHYS_END), so a single hhdm reaches every layout,
 * including ranges below 1 MiB, across 4 GiB and above it. Only the pages the
 * allocator or a test touches take real memory. Each test calls pmm_init with
 * its own map, which starts the allocator over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "arch_fake.h"
#include "klog.h"
#include "pmm.h"

#define PAGE          4096ull
#define MIB           0x100000ull
#define GIB           0x40000000ull
#define FAKE_PHYS_END (7 * GIB + 16 * MIB)
#define U             KOSH_MEM_USABLE
#define ZONE_LOW_END  MIB
#define ZONE_DMA_END  (4 * GIB)
#define MAX_LIVE      4096

static uint8_t *mem; /* fake physical address 0 */

/* LOW, DMA32, a range across 4 GiB, and 2 GiB of NORMAL with room for the metadata. */
static const struct kosh_mem_range big_map[] = {
	{ 0x0, 0x9f000, U, 0 },
	{ 0x9f000, 0x61000, KOSH_MEM_RESERVED, 0 },
	{ MIB, 15 * MIB, U, 0 },
	{ 4 * GIB - 4 * MIB, 8 * MIB, U, 0 },
	{ 5 * GIB, 2 * GIB + 16 * MIB, U, 0 },
};

/* Little memory in every zone, so random runs hit exhaustion and zone fallback. */
static const struct kosh_mem_range small_map[] = {
	{ 0x0, 0x9f000, U, 0 },
	{ MIB, 3 * MIB, U, 0 },
	{ 4 * GIB - MIB, 3 * MIB, U, 0 },
};

/* Two ranges, one across 1 MiB and one across 4 GiB. */
static const struct kosh_mem_range cross_map[] = {
	{ 0x80000, MIB, U, 0 },
	{ 4 * GIB - MIB, 2 * MIB, U, 0 },
};

#define N(map) ((uint32_t)(sizeof(map) / sizeof((map)[0])))

/* xorshift64*: the same sequence on every host. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static int group_setup(void **state)
{
	mem = mmap(NULL, FAKE_PHYS_END, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return mem == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
	return munmap(mem, FAKE_PHYS_END);
}

/* Give back what the last test touched. */
static int test_teardown(void **state)
{
	return madvise(mem, FAKE_PHYS_END, MADV_DONTNEED);
}

static void init(const struct kosh_mem_range *map, uint32_t count)
{
	assert_int_equal(pmm_init(map, count, (uint64_t)(uintptr_t)mem), 0);
	assert_int_equal(pmm_check(), 0);
}

static struct pmm_stats stats(void)
{
	struct pmm_stats s;
	pmm_get_stats(&s);
	return s;
}

static uint64_t total(const struct pmm_stats *s)
{
	return s->total_pages[0] + s->total_pages[1] + s->total_pages[2];
}

static uint64_t free_pages(const struct pmm_stats *s)
{
	return s->free_pages[0] + s->free_pages[1] + s->free_pages[2];
}

static enum pmm_zone zone_of(uint64_t phys)
{
	if (phys < ZONE_LOW_END)
		return PMM_ZONE_LOW;
	return phys < ZONE_DMA_END ? PMM_ZONE_DMA32 : PMM_ZONE_NORMAL;
}

static void assert_stats_equal(const struct pmm_stats *a, const struct pmm_stats *b)
{
	assert_memory_equal(a, b, sizeof(*a));
}

/* Exactly one new log line since seq: a warning containing both needles. */
static void expect_warning(uint64_t seq, const char *needle, const char *needle2)
{
	struct klog_record r;
	assert_int_equal(klog_read(seq, &r), 1);
	assert_int_equal(r.seq, seq);
	assert_int_equal(r.level, KLOG_WARN);
	if (!strstr(r.text, needle) || (needle2 && !strstr(r.text, needle2)))
		fail_msg("log line \"%s\" lacks \"%s\" / \"%s\"", r.text, needle,
			 needle2 ? needle2 : "");
	assert_int_equal(klog_read(seq + 1, &r), 0);
}

static void expect_refused(uint64_t phys, unsigned order, const char *why)
{
	char addr[32];
	struct pmm_stats before = stats();
	uint64_t seq = klog_next_seq();
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)phys);
	assert_int_equal(pmm_free(phys, order), -1);
	expect_warning(seq, addr, why);
	struct pmm_stats after = stats();
	assert_stats_equal(&before, &after);
	assert_int_equal(pmm_check(), 0);
}

struct block {
	uint64_t phys;
	unsigned order;
};

/* Allocate everything, largest blocks first, into out (if not NULL); per-order counts. */
static void drain(unsigned flags, uint64_t counts[PMM_MAX_ORDER + 1], struct block *out,
		  size_t *n, size_t cap)
{
	*n = 0;
	for (unsigned o = PMM_MAX_ORDER + 1; o-- > 0;) {
		counts[o] = 0;
		uint64_t p;
		while ((p = pmm_alloc(o, flags))) {
			assert_true(*n < cap);
			out[(*n)++] = (struct block){ p, o };
			counts[o]++;
		}
	}
}

static void free_all(struct block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmm_free(b[i].phys, b[i].order), 0);
}

static void test_pmm_init_counts_pages_by_zone(void **state)
{
	init(big_map, N(big_map));
	struct pmm_stats s = stats();
	uint64_t given = 0x9f + 15 * 256 + 8 * 256 + (2 * GIB + 16 * MIB) / PAGE;
	uint64_t meta_pages = ((given - 1) * 24 + PAGE - 1) / PAGE; /* page 0 is not managed */
	assert_int_equal(s.metadata_bytes, meta_pages * PAGE);
	assert_int_equal(s.total_pages[PMM_ZONE_LOW], 0x9f - 1);
	assert_int_equal(s.total_pages[PMM_ZONE_DMA32], 15 * 256 + 4 * 256);
	/* the metadata comes off the end of the highest range: NORMAL */
	assert_int_equal(s.total_pages[PMM_ZONE_NORMAL],
			 4 * 256 + (2 * GIB + 16 * MIB) / PAGE - meta_pages);
	for (int z = 0; z < PMM_ZONE_COUNT; z++)
		assert_int_equal(s.free_pages[z], s.total_pages[z]);
	assert_int_equal(arch_fake.irq_enabled, 1);
}

static void test_pmm_init_refuses_no_usable_memory(void **state)
{
	const struct kosh_mem_range none[] = {
		{ 0x0, 0x1000, U, 0 },                       /* page 0 only: never managed */
		{ 0x1800, 0x800, U, 0 },                     /* less than a page */
		{ MIB, 64 * MIB, KOSH_MEM_RESERVED, 0 },
		{ 0x2000, 0x1000, KOSH_MEM_LOADER_RECLAIM, 0 },
	};
	assert_int_equal(pmm_init(none, N(none), (uint64_t)(uintptr_t)mem), -1);
	assert_int_equal(pmm_init(none, 0, (uint64_t)(uintptr_t)mem), -1);
	assert_int_equal(pmm_alloc(0, 0), 0);
	struct pmm_stats s = stats();
	assert_int_equal(total(&s), 0);
}

static void test_pmm_init_merges_unsorted_overlapping_ranges(void **state)
{
	const struct kosh_mem_range messy[] = {
		{ 3 * MIB, MIB, U, 0 },
		{ MIB, MIB, U, 0 },
		{ MIB + MIB / 2, MIB, U, 0 },     /* overlaps two */
		{ 2 * MIB, MIB, U, 0 },
		{ 4 * MIB, PAGE, U, 0 },          /* touches the end */
		{ 0x10000800, 0x40800, U, 0 },   /* rounded in to 64 pages at 0x10001000 */
	};
	init(messy, N(messy));
	struct pmm_stats s = stats();
	uint64_t given = 3 * 256 + 1 + 64;
	uint64_t meta = (given * 24 + PAGE - 1) / PAGE; /* 5 pages, off the 64-page range */
	assert_int_equal(s.total_pages[PMM_ZONE_DMA32], given - meta);
	/* one range [1 MiB, 4 MiB + 4 KiB): [2 MiB, 4 MiB) is one block made of three entries */
	assert_int_equal(s.free_blocks[PMM_ZONE_DMA32][9], 1);
	assert_int_equal(pmm_alloc(9, 0), 2 * MIB);
}

static void test_pmm_blocks_split_at_zone_boundaries(void **state)
{
	init(cross_map, N(cross_map));
	struct pmm_stats s = stats();
	/* [512 KiB, 1 MiB) is LOW, [1 MiB, 1.5 MiB) DMA32: an order-7 block each, not one of 8 */
	assert_int_equal(s.total_pages[PMM_ZONE_LOW], 128);
	assert_int_equal(s.free_blocks[PMM_ZONE_LOW][7], 1);
	assert_int_equal(s.free_blocks[PMM_ZONE_DMA32][7], 1);
	/* [4 GiB - 1 MiB, 4 GiB): one order-8 block; the rest above 4 GiB, less 5 metadata pages */
	assert_int_equal(s.free_blocks[PMM_ZONE_DMA32][8], 1);
	assert_int_equal(s.total_pages[PMM_ZONE_NORMAL], 256 - 5);
	assert_int_equal(s.metadata_bytes, 5 * PAGE);
	for (unsigned o = 9; o <= PMM_MAX_ORDER; o++) {
		assert_int_equal(s.free_blocks[PMM_ZONE_DMA32][o], 0);
		assert_int_equal(s.free_blocks[PMM_ZONE_LOW][o], 0);
	}
	assert_int_equal(pmm_alloc(8, PMM_LOW), 0); /* no 1 MiB block below 1 MiB */
	uint64_t p = pmm_alloc(8, 0);
	assert_int_equal(p, 4 * GIB - MIB); /* NORMAL has no order 8 left, DMA32 has */
	assert_int_equal(pmm_free(p, 8), 0);
}

static void test_pmm_prefers_normal_then_dma32_then_low(void **state)
{
	init(small_map, N(small_map));
	struct pmm_stats s = stats();
	static struct block got[4096];
	size_t n = 0;
	uint64_t p;
	assert_true(zone_of(p = pmm_alloc(0, 0)) == PMM_ZONE_NORMAL);
	assert_int_equal(pmm_free(p, 0), 0);
	assert_true(zone_of(p = pmm_alloc(0, PMM_DMA32)) == PMM_ZONE_DMA32);
	assert_int_equal(pmm_free(p, 0), 0);
	assert_true(zone_of(p = pmm_alloc(0, PMM_DMA32 | PMM_LOW)) == PMM_ZONE_LOW);
	assert_int_equal(pmm_free(p, 0), 0);
	/* without flags: all of NORMAL, then all of DMA32, then all of LOW, then nothing */
	for (int z = PMM_ZONE_NORMAL; z >= PMM_ZONE_LOW; z--) {
		for (uint64_t i = 0; i < s.total_pages[z]; i++) {
			got[n] = (struct block){ pmm_alloc(0, 0), 0 };
			assert_int_not_equal(got[n].phys, 0);
			assert_int_equal(zone_of(got[n++].phys), z);
		}
	}
	assert_int_equal(pmm_alloc(0, 0), 0);
	free_all(got, n);
	/* PMM_DMA32: DMA32, then LOW, never NORMAL */
	n = 0;
	while ((p = pmm_alloc(0, PMM_DMA32)))
		got[n++] = (struct block){ p, 0 };
	assert_int_equal(n, s.total_pages[PMM_ZONE_DMA32] + s.total_pages[PMM_ZONE_LOW]);
	assert_true(zone_of(got[n - 1].phys) == PMM_ZONE_LOW);
	assert_true(zone_of(p = pmm_alloc(0, 0)) == PMM_ZONE_NORMAL);
	assert_int_equal(pmm_free(p, 0), 0);
	free_all(got, n);
	struct pmm_stats after = stats();
	assert_memory_equal(after.free_pages, s.free_pages, sizeof(s.free_pages));
}

static void test_pmm_never_hands_out_page_zero(void **state)
{
	init(small_map, N(small_map));
	static struct block got[256];
	uint64_t counts[PMM_MAX_ORDER + 1];
	size_t n;
	drain(PMM_LOW, counts, got, &n, 256);
	uint64_t pages = 0;
	for (size_t i = 0; i < n; i++) {
		assert_true(got[i].phys >= PAGE);
		assert_true(got[i].phys + (PAGE << got[i].order) <= 0x9f000);
		pages += 1ull << got[i].order;
	}
	assert_int_equal(pages, 0x9f - 1);
	expect_refused(0, 0, "not memory the allocator manages");
	free_all(got, n);
}

static void test_pmm_zero_flag_zeroes(void **state)
{
	init(small_map, N(small_map));
	uint64_t p = pmm_alloc(4, PMM_DMA32);
	assert_int_not_equal(p, 0);
	memset(phys_to_virt(p), 0xa5, PAGE << 4);
	assert_int_equal(pmm_free(p, 4), 0);
	uint64_t q = pmm_alloc(4, PMM_DMA32 | PMM_ZERO);
	assert_int_equal(q, p); /* the same block came back... */
	const uint8_t *v = phys_to_virt(q);
	for (uint64_t i = 0; i < (PAGE << 4); i++)
		assert_int_equal(v[i], 0); /* ...zeroed */
	assert_int_equal(pmm_free(q, 4), 0);
}

static void test_pmm_refuses_double_free(void **state)
{
	init(small_map, N(small_map));
	uint64_t a = pmm_alloc(0, 0), b = pmm_alloc(0, 0);
	assert_int_equal(a ^ b, PAGE); /* buddies */
	assert_int_equal(pmm_free(a, 0), 0);
	expect_refused(a, 0, "already free"); /* a still heads a free block */
	assert_int_equal(pmm_free(b, 0), 0);
	expect_refused(a, 0, "already free"); /* now inside a merged free block */
	expect_refused(b, 0, "already free");
	expect_refused(b, 3, "already free");
}

static void test_pmm_refuses_foreign_addresses(void **state)
{
	init(small_map, N(small_map));
	expect_refused(0xa0000, 0, "not memory the allocator manages");      /* a hole */
	expect_refused(0x9f000, 0, "not memory the allocator manages");      /* just past LOW */
	expect_refused(6 * GIB, 0, "not memory the allocator manages");      /* past the end */
	expect_refused(4 * GIB + 2 * MIB - PAGE, 0, "not memory the allocator"); /* metadata */
	expect_refused(UINT64_MAX & ~(PAGE - 1), 0, "not memory the allocator manages");
}

static void test_pmm_refuses_misaligned_and_bad_orders(void **state)
{
	init(small_map, N(small_map));
	uint64_t p = pmm_alloc(2, 0);
	expect_refused(p + 0x800, 0, "not page-aligned");
	expect_refused(p + 1, 2, "not page-aligned");
	expect_refused(p, 1, "allocated with another order");
	expect_refused(p, 3, "allocated with another order");
	expect_refused(p, PMM_MAX_ORDER + 1, "order above");
	expect_refused(p, 1000, "order above");
	assert_int_equal(pmm_alloc(PMM_MAX_ORDER + 1, 0), 0);
	assert_int_equal(pmm_alloc(1000, 0), 0);
	assert_int_equal(pmm_free(p, 2), 0);
}

static void test_pmm_refuses_middle_of_block(void **state)
{
	init(small_map, N(small_map));
	uint64_t p = pmm_alloc(3, 0);
	char block[32];
	snprintf(block, sizeof(block), "block 0x%llx order 3", (unsigned long long)p);
	expect_refused(p + PAGE, 0, block);
	expect_refused(p + 2 * PAGE, 1, "not the start of its block");
	expect_refused(p + 4 * PAGE, 2, "not the start of its block");
	expect_refused(p + 7 * PAGE, 0, "not the start of its block");
	assert_int_equal(pmm_free(p, 3), 0);
}

static void test_pmm_exhaustion_returns_zero_and_recovers(void **state)
{
	init(small_map, N(small_map));
	struct pmm_stats start = stats();
	static struct block got[2048];
	size_t n = 0;
	uint64_t p;
	while ((p = pmm_alloc(0, 0)))
		got[n++] = (struct block){ p, 0 };
	assert_int_equal(n, total(&start));
	struct pmm_stats empty = stats();
	assert_int_equal(free_pages(&empty), 0);
	assert_int_equal(pmm_alloc(0, PMM_LOW), 0);
	assert_int_equal(pmm_alloc(0, PMM_DMA32 | PMM_ZERO), 0);
	assert_int_equal(pmm_free(got[n / 2].phys, 0), 0);
	p = pmm_alloc(0, 0);
	assert_int_equal(p, got[n / 2].phys);
	free_all(got, n);
	struct pmm_stats end = stats();
	assert_stats_equal(&start, &end); /* every page merged back into the same blocks */
	assert_int_equal(pmm_check(), 0);
}

static void test_pmm_gigabyte_blocks(void **state)
{
	init(big_map, N(big_map));
	uint64_t a = pmm_alloc(PMM_MAX_ORDER, 0), b = pmm_alloc(PMM_MAX_ORDER, 0);
	assert_true(a == 5 * GIB || a == 6 * GIB);
	assert_int_equal(a ^ b, 5 * GIB ^ 6 * GIB);
	assert_int_equal(pmm_alloc(PMM_MAX_ORDER, 0), 0);
	assert_int_equal(pmm_alloc(PMM_MAX_ORDER, PMM_DMA32), 0);
	assert_int_equal(pmm_free(a, PMM_MAX_ORDER), 0);
	assert_int_equal(pmm_free(b, PMM_MAX_ORDER), 0);
	struct pmm_stats s = stats();
	assert_int_equal(s.free_blocks[PMM_ZONE_NORMAL][PMM_MAX_ORDER], 2);
}

/*
 * Regression: pmm_check took two free 1 GiB blocks side by side for buddies that
 * should have merged (found booting with -m 4G on AArch64); the top order has no
 * buddy.
 */
static void test_pmm_check_accepts_adjacent_free_top_order_blocks(void **state)
{
	/* 4 GiB and 5 GiB: a pair of 1 GiB blocks that would be buddies one order up. */
	static const struct kosh_mem_range map[] = { { 4 * GIB, 3 * GIB + 16 * MIB, U, 0 } };
	assert_int_equal(pmm_init(map, 1, (uint64_t)(uintptr_t)mem), 0);
	struct pmm_stats s = stats();
	assert_true(s.free_blocks[PMM_ZONE_NORMAL][PMM_MAX_ORDER] >= 2);
	assert_int_equal(pmm_check(), 0);
}

static void test_pmm_owner_and_find_block(void **state)
{
	init(small_map, N(small_map));
	int owner;
	struct pmm_block b;
	uint64_t p = pmm_alloc(3, 0);
	assert_int_equal(pmm_find_block(p + 5 * PAGE + 123, &b), 0);
	assert_int_equal(b.phys, p);
	assert_int_equal(b.order, 3);
	assert_int_equal(b.tag, PMM_TAG_NONE);
	assert_null(b.owner);
	assert_int_equal(pmm_set_owner(p, PMM_TAG_SLAB, &owner), 0);
	assert_int_equal(pmm_find_block(p + 8 * PAGE - 1, &b), 0);
	assert_int_equal(b.tag, PMM_TAG_SLAB);
	assert_ptr_equal(b.owner, &owner);
	assert_int_equal(pmm_set_owner(p + PAGE, PMM_TAG_SLAB, &owner), -1); /* not its start */
	assert_int_equal(pmm_set_owner(p + 1, PMM_TAG_SLAB, &owner), -1);
	assert_int_equal(pmm_find_block(p + 8 * PAGE, &b), -1); /* free */
	assert_int_equal(pmm_find_block(0xa0000, &b), -1);      /* not managed */
	assert_int_equal(pmm_free(p, 3), 0);
	assert_int_equal(pmm_find_block(p, &b), -1);
	assert_int_equal(pmm_set_owner(p, PMM_TAG_SLAB, &owner), -1);
	assert_int_equal(pmm_alloc(3, 0), p);
	assert_int_equal(pmm_find_block(p, &b), 0);
	assert_int_equal(b.tag, PMM_TAG_NONE); /* a new allocation starts untagged */
	assert_null(b.owner);
	assert_int_equal(pmm_free(p, 3), 0);
}

static void test_pmm_add_range(void **state)
{
	init(small_map, N(small_map));
	struct pmm_stats s0 = stats();
	/* 4 MiB at 6 GiB: 1024 pages, 6 of them metadata */
	assert_int_equal(pmm_add_range(6 * GIB, 4 * MIB), 0);
	/* a LOW hole: 32 pages, 1 of metadata */
	assert_int_equal(pmm_add_range(0xa0000, 0x20000), 0);
	/* right after [1 MiB, 4 MiB): blocks never merge across the two ranges */
	assert_int_equal(pmm_add_range(4 * MIB, MIB), 0);
	struct pmm_stats s1 = stats();
	assert_int_equal(s1.total_pages[PMM_ZONE_NORMAL], s0.total_pages[PMM_ZONE_NORMAL] + 1018);
	assert_int_equal(s1.total_pages[PMM_ZONE_LOW], s0.total_pages[PMM_ZONE_LOW] + 31);
	assert_int_equal(s1.total_pages[PMM_ZONE_DMA32], s0.total_pages[PMM_ZONE_DMA32] + 254);
	assert_int_equal(s1.metadata_bytes, s0.metadata_bytes + 9 * PAGE);
	assert_int_equal(pmm_check(), 0);

	uint64_t seq = klog_next_seq();
	assert_int_equal(pmm_add_range(6 * GIB + 4 * MIB - PAGE, 2 * PAGE), -1);
	expect_warning(seq, "overlaps managed memory", NULL);
	assert_int_equal(pmm_add_range(2 * MIB, PAGE), -1);
	assert_int_equal(pmm_add_range(0x9e000, PAGE), -1);
	assert_int_equal(pmm_add_range(7 * GIB + 0x800, PAGE), -1);
	assert_int_equal(pmm_add_range(7 * GIB, 0), -1);
	assert_int_equal(pmm_add_range(7 * GIB, PAGE), -1); /* no room for its metadata */
	assert_int_equal(pmm_add_range(0, PAGE), -1);       /* page 0 only */
	struct pmm_stats s2 = stats();
	assert_stats_equal(&s1, &s2);

	static struct block got[4096];
	uint64_t counts[PMM_MAX_ORDER + 1];
	size_t n;
	drain(0, counts, got, &n, 4096);
	for (size_t i = 0; i < n; i++) {
		uint64_t end = got[i].phys + (PAGE << got[i].order);
		assert_false(got[i].phys < 4 * MIB && end > 4 * MIB);
	}
	free_all(got, n);
	s2 = stats();
	assert_stats_equal(&s1, &s2);
	assert_int_equal(pmm_check(), 0);
}

static void test_pmm_keeps_largest_ranges_when_too_many(void **state)
{
	struct kosh_mem_range map[100];
	for (int i = 0; i < 100; i++)
		map[i] = (struct kosh_mem_range){ (uint64_t)(i + 1) * MIB,
						  (uint64_t)(i + 1) * 2 * PAGE, U, 0 };
	uint64_t seq = klog_next_seq();
	init(map, 100);
	uint64_t kept = 0;
	for (int i = 36; i < 100; i++)
		kept += (uint64_t)(i + 1) * 2;
	struct pmm_stats s = stats();
	assert_int_equal(s.total_pages[PMM_ZONE_DMA32], kept - (kept * 24 + PAGE - 1) / PAGE);
	struct klog_record r;
	assert_int_equal(klog_read(seq, &r), 1);
	assert_int_equal(r.level, KLOG_WARN);
	assert_non_null(strstr(r.text, "more than 64 ranges"));
	uint64_t p;
	while ((p = pmm_alloc(0, 0)))
		assert_true(p >= 37 * MIB);
}

/* The random run's record of what is allocated. */
struct model {
	const struct kosh_mem_range *map;
	uint32_t count;
	uint8_t *used; /* a bit per fake page frame */
	struct block live[MAX_LIVE];
	size_t n;
	uint64_t zone_pages[PMM_ZONE_COUNT];
	uint64_t stamp;
};

static int page_used(struct model *m, uint64_t pfn)
{
	return m->used[pfn / 8] >> (pfn % 8) & 1;
}

static void mark(struct model *m, const struct block *b, int used)
{
	for (uint64_t pfn = b->phys / PAGE; pfn < b->phys / PAGE + (1ull << b->order); pfn++) {
		assert_int_equal(page_used(m, pfn), !used); /* no two live blocks overlap */
		m->used[pfn / 8] ^= (uint8_t)(1u << (pfn % 8));
	}
	m->zone_pages[zone_of(b->phys)] += used ? 1ull << b->order : -(1ull << b->order);
}

static int in_map(const struct model *m, uint64_t b, uint64_t e)
{
	for (uint32_t i = 0; i < m->count; i++) {
		const struct kosh_mem_range *r = &m->map[i];
		if (r->type == U && b >= r->base && e <= r->base + r->size)
			return 1;
	}
	return 0;
}

/* The first and last pages of a live block carry its phys, to catch overlap with the metadata. */
static void stamp(const struct block *b, int check)
{
	uint64_t *first = phys_to_virt(b->phys);
	uint64_t *last = phys_to_virt(b->phys + (PAGE << b->order) - PAGE);
	if (check) {
		assert_int_equal(*first, b->phys);
		assert_int_equal(last[1], ~b->phys);
	} else {
		*first = b->phys;
		last[1] = ~b->phys;
	}
}

static void check_zero(const struct block *b)
{
	const uint64_t *v = phys_to_virt(b->phys);
	for (uint64_t i = 0; i < (PAGE << b->order) / 8; i++)
		assert_int_equal(v[i], 0);
}

/* A failure, or an answer from a less preferred zone, means no block was free where preferred. */
static void check_choice(const struct pmm_stats *before, unsigned order, unsigned flags,
			 uint64_t phys)
{
	static const enum pmm_zone pref[3][3] = {
		{ PMM_ZONE_NORMAL, PMM_ZONE_DMA32, PMM_ZONE_LOW },
		{ PMM_ZONE_DMA32, PMM_ZONE_LOW, PMM_ZONE_COUNT },
		{ PMM_ZONE_LOW, PMM_ZONE_COUNT, PMM_ZONE_COUNT },
	};
	const enum pmm_zone *zones = pref[flags & PMM_LOW ? 2 : flags & PMM_DMA32 ? 1 : 0];
	for (int i = 0; i < 3 && zones[i] != PMM_ZONE_COUNT; i++) {
		if (phys && zones[i] == zone_of(phys))
			return;
		for (unsigned o = order; o <= PMM_MAX_ORDER; o++)
			assert_int_equal(before->free_blocks[zones[i]][o], 0);
	}
	assert_int_equal(phys, 0);
}

static void random_alloc(struct model *m, unsigned max_order)
{
	static const unsigned flag_choice[] = { 0, 0, 0, PMM_DMA32, PMM_LOW, PMM_ZERO,
						PMM_DMA32 | PMM_ZERO, PMM_LOW | PMM_DMA32 };
	uint64_t r = rnd();
	unsigned order = 7 + (r >> 8) % (max_order - 6); /* 10%: 7 .. max_order */
	if (r % 100 < 60)
		order = (r >> 8) % 3;
	else if (r % 100 < 90)
		order = 3 + (r >> 8) % 4;
	unsigned flags = flag_choice[(r >> 16) % 8];
	if (order > 10)
		flags &= ~PMM_ZERO; /* zeroing and checking 1 GiB blocks is slow to no purpose */
	struct pmm_stats before = stats();
	struct block b = { pmm_alloc(order, flags), order };
	check_choice(&before, order, flags, b.phys);
	if (!b.phys)
		return;
	uint64_t end = b.phys + (PAGE << order);
	assert_int_equal(b.phys & ((PAGE << order) - 1), 0);
	assert_true(in_map(m, b.phys, end));
	assert_int_equal(zone_of(b.phys), zone_of(end - 1)); /* never across a zone boundary */
	if (flags & PMM_LOW)
		assert_true(end <= ZONE_LOW_END);
	if (flags & PMM_DMA32)
		assert_true(end <= ZONE_DMA_END);
	if (flags & PMM_ZERO)
		check_zero(&b);
	mark(m, &b, 1);
	stamp(&b, 0);
	m->live[m->n++] = b;
}

static void random_free(struct model *m)
{
	size_t i = rnd() % m->n;
	struct block b = m->live[i];
	m->live[i] = m->live[--m->n];
	stamp(&b, 1);
	assert_int_equal(pmm_free(b.phys, b.order), 0);
	mark(m, &b, 0);
}

static void check_counts(const struct model *m, const struct pmm_stats *start)
{
	struct pmm_stats s = stats();
	for (int z = 0; z < PMM_ZONE_COUNT; z++)
		assert_int_equal(s.free_pages[z], start->free_pages[z] - m->zone_pages[z]);
	assert_int_equal(pmm_check(), 0);
}

static void random_run(const struct kosh_mem_range *map, uint32_t count, uint64_t seed, int ops,
		       unsigned max_order)
{
	static struct model m;
	static struct block drained[8192];
	uint64_t first[PMM_MAX_ORDER + 1], again[PMM_MAX_ORDER + 1];
	size_t n;
	init(map, count);
	memset(&m, 0, sizeof(m));
	m.map = map;
	m.count = count;
	m.used = calloc(FAKE_PHYS_END / PAGE / 8, 1);
	assert_non_null(m.used);
	rng_state = seed;
	struct pmm_stats start = stats();
	drain(0, first, drained, &n, 8192);
	free_all(drained, n);
	for (int op = 0; op < ops; op++) {
		if (!m.n || (m.n < MAX_LIVE && rnd() % 100 < 55))
			random_alloc(&m, max_order);
		else
			random_free(&m);
		if (op % 1000 == 999)
			check_counts(&m, &start);
	}
	while (m.n)
		random_free(&m);
	struct pmm_stats end = stats();
	assert_stats_equal(&start, &end); /* free counts and blocks by order back as they were */
	drain(0, again, drained, &n, 8192);
	assert_memory_equal(first, again, sizeof(first)); /* as many large blocks as at first */
	free_all(drained, n);
	assert_int_equal(pmm_check(), 0);
	free(m.used);
}

static void test_pmm_random_small_memory(void **state)
{
	random_run(small_map, N(small_map), 0x5eed0001, 20000, 9);
	random_run(cross_map, N(cross_map), 0x5eed0002, 20000, 8);
}

static void test_pmm_random_large_memory(void **state)
{
	random_run(big_map, N(big_map), 0x5eed0003, 20000, 12);
	random_run(big_map, N(big_map), 0x5eed0004, 5000, 18);
}

static void test_pmm_phys_virt_round_trip(void **state)
{
	init(small_map, N(small_map));
	assert_ptr_equal(phys_to_virt(0), mem);
	assert_ptr_equal(phys_to_virt(4 * GIB + 5), mem + 4 * GIB + 5);
	assert_int_equal(virt_to_phys(mem + 3 * MIB + 17), 3 * MIB + 17);
	assert_int_equal(arch_fake.irq_enabled, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, test_teardown)
	const struct CMUnitTest tests[] = {
		T(test_pmm_init_counts_pages_by_zone),
		T(test_pmm_init_refuses_no_usable_memory),
		T(test_pmm_init_merges_unsorted_overlapping_ranges),
		T(test_pmm_blocks_split_at_zone_boundaries),
		T(test_pmm_prefers_normal_then_dma32_then_low),
		T(test_pmm_never_hands_out_page_zero),
		T(test_pmm_zero_flag_zeroes),
		T(test_pmm_refuses_double_free),
		T(test_pmm_refuses_foreign_addresses),
		T(test_pmm_refuses_misaligned_and_bad_orders),
		T(test_pmm_refuses_middle_of_block),
		T(test_pmm_exhaustion_returns_zero_and_recovers),
		T(test_pmm_gigabyte_blocks),
		T(test_pmm_check_accepts_adjacent_free_top_order_blocks),
		T(test_pmm_owner_and_find_block),
		T(test_pmm_add_range),
		T(test_pmm_keeps_largest_ranges_when_too_many),
		T(test_pmm_random_small_memory),
		T(test_pmm_random_large_memory),
		T(test_pmm_phys_virt_round_trip),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
