/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the shared page-table code (shared/lib/pagetable.c), compiled
 * twice: with arch-x86_64/include (KOSH_TEST_ARCH_X86_64) and with
 * arch-aarch64/include (KOSH_TEST_ARCH_AARCH64), so each architecture's
 * <arch/pte.h> is exercised by the same cases.
 *
 * Table pages come from an arena whose "physical" addresses are offsets from a
 * non-zero base; the arena counts pages in use, detects double frees and can be
 * told to fail. Entries are checked bit by bit against the manuals, and a
 * random sequence of map/unmap/protect is checked page by page against a model,
 * with every change covered by a flush and no empty table left behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arch/pte.h>
#include <kosh/pagetable.h>

#define PAGE 4096ull
#define MIB  (1ull << 20)
#define GIB  (1ull << 30)
#define SZ_2M (2 * MIB)

#define ARENA_PAGES 4096
#define ARENA_BASE  0x7f000000ull /* "physical" address of the arena's first page */

#if defined(KOSH_TEST_ARCH_X86_64)
#define FEATURES (PT_FEAT_NX | PT_FEAT_1G | PT_FEAT_PAT_WC)
#define UPPER    0xffff800000000000ull
#elif defined(KOSH_TEST_ARCH_AARCH64)
#define FEATURES 0u
#define UPPER    0xffff000000000000ull
#else
#error "define KOSH_TEST_ARCH_X86_64 or KOSH_TEST_ARCH_AARCH64"
#endif

/* ---- the arena ---- */

struct arena {
	uint8_t *mem;
	uint8_t used[ARENA_PAGES];
	unsigned in_use;
	long fail_after; /* allocations left before they fail; -1: never */
};

static struct arena arena;

static uint64_t arena_alloc(void *ctx)
{
	struct arena *a = ctx;
	if (a->fail_after == 0)
		return 0;
	if (a->fail_after > 0)
		a->fail_after--;
	for (unsigned i = 0; i < ARENA_PAGES; i++) {
		if (!a->used[i]) {
			a->used[i] = 1;
			a->in_use++;
			memset(a->mem + i * PAGE, 0, PAGE);
			return ARENA_BASE + i * PAGE;
		}
	}
	return 0;
}

static unsigned arena_index(uint64_t phys)
{
	assert_true(phys >= ARENA_BASE && phys < ARENA_BASE + ARENA_PAGES * PAGE);
	assert_int_equal(phys % PAGE, 0);
	return (unsigned)((phys - ARENA_BASE) / PAGE);
}

static void arena_free(void *ctx, uint64_t phys)
{
	struct arena *a = ctx;
	unsigned i = arena_index(phys);
	assert_true(a->used[i]); /* no double free */
	a->used[i] = 0;
	a->in_use--;
	memset(a->mem + i * PAGE, 0x5a, PAGE); /* a use after free reads garbage */
}

static void *arena_virt(void *ctx, uint64_t phys)
{
	struct arena *a = ctx;
	return a->mem + (uint64_t)arena_index(phys) * PAGE;
}

static const struct pt_alloc arena_pages = { arena_alloc, arena_free, arena_virt, &arena };

/* ---- the flush recorder ---- */

#define FLUSH_MAX 65536

struct flush_log {
	unsigned count;
	uint64_t va[FLUSH_MAX], size[FLUSH_MAX];
};

static struct flush_log flushes;

static void record_flush(void *ctx, uint64_t va, uint64_t size)
{
	struct flush_log *l = ctx;
	assert_true(l->count < FLUSH_MAX);
	l->va[l->count] = va;
	l->size[l->count] = size;
	l->count++;
}

/* 1 if a flush since the log was cleared covers the page at va. */
static int flushed(uint64_t va)
{
	for (unsigned i = 0; i < flushes.count; i++)
		if (flushes.size[i] && va - flushes.va[i] <= flushes.size[i] - 1)
			return 1;
	return 0;
}

static void expect_flush(unsigned i, uint64_t va, uint64_t size)
{
	assert_true(i < flushes.count);
	assert_int_equal(flushes.va[i], va);
	assert_int_equal(flushes.size[i], size);
}

/* ---- fixture ---- */

static struct pagetable pt;
static unsigned roots; /* table pages right after init */

static int setup(void **state)
{
	memset(arena.used, 0, sizeof(arena.used));
	arena.in_use = 0;
	arena.fail_after = -1;
	memset(&flushes, 0, sizeof(flushes));
	if (pagetable_init(&pt, &arena_pages, FEATURES))
		return -1;
	pt.flush = record_flush;
	pt.flush_ctx = &flushes;
	roots = arena.in_use;
	return 0;
}

static int teardown(void **state)
{
	pagetable_destroy(&pt, 0);
	assert_int_equal(arena.in_use, 0);
	return 0;
}

/* The raw entry at level for va, or NULL if a level above has no table. */
static uint64_t *raw_entry(const struct pagetable *p, uint64_t va, int level)
{
	uint64_t table = (va >> 63) ? p->root_hi : p->root_lo;
	for (int l = 0;; l++) {
		uint64_t *e = (uint64_t *)arena_virt(&arena, table) + ((va >> (39 - 9 * l)) & 511);
		if (l == level)
			return e;
		if (!pte_is_table(*e, l))
			return NULL;
		table = pte_phys(*e, l);
	}
}

/* The level of the leaf mapping va, or -1. */
static int leaf_level(uint64_t va)
{
	for (int l = 0; l < PT_LEVELS; l++) {
		uint64_t *e = raw_entry(&pt, va, l);
		if (!e || !pte_present(*e))
			return -1;
		if (!pte_is_table(*e, l))
			return l;
	}
	return -1;
}

/* What a leaf mapped with flags decodes to: Arm has no global bit of its own. */
static uint32_t decoded(uint32_t flags)
{
#ifdef KOSH_TEST_ARCH_AARCH64
	flags &= ~PT_GLOBAL;
	if (!(flags & PT_USER))
		flags |= PT_GLOBAL;
#endif
	return flags & PT_ATTR_MASK;
}

static void expect_mapped(uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	uint64_t got_pa = 0, got_size = 0;
	uint32_t got_flags = 0;
	assert_int_equal(pagetable_query(&pt, va, &got_pa, &got_flags, &got_size), PT_OK);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, decoded(flags));
	assert_int_equal(got_size, page_size);
}

static void expect_unmapped(uint64_t va)
{
	assert_int_equal(pagetable_query(&pt, va, NULL, NULL, NULL), PT_E_NOT_MAPPED);
}

/* ---- mapping and page sizes ---- */

static void test_pagetable_init_roots(void **state)
{
	assert_int_equal(pt.tables, pte_split_roots() ? 2 : 1);
	assert_int_equal(arena.in_use, pt.tables);
	if (pte_split_roots())
		assert_true(pt.root_lo != pt.root_hi);
	else
		assert_int_equal(pt.root_lo, pt.root_hi);
}

static void check_round_trip(uint64_t va, uint64_t pa, uint64_t size, uint64_t page,
			     uint32_t flags)
{
	assert_int_equal(pagetable_map(&pt, va, pa, size, flags), PT_OK);
	for (uint64_t off = 0; off < size; off += size / 8)
		expect_mapped(va + off + 0x123, pa + off + 0x123, flags, page);
	expect_mapped(va + size - 1, pa + size - 1, flags, page);
	expect_unmapped(va + size);
	assert_int_equal(pagetable_unmap(&pt, va, size), PT_OK);
	expect_unmapped(va);
	assert_int_equal(arena.in_use, roots);
}

static void test_pagetable_round_trip_every_size(void **state)
{
	static const uint32_t flag_sets[] = {
		0, PT_WRITE, PT_EXEC, PT_WRITE | PT_GLOBAL, PT_EXEC | PT_GLOBAL, PT_USER,
		PT_USER | PT_WRITE, PT_USER | PT_EXEC, PT_WRITE | PT_DEVICE, PT_WRITE | PT_WC,
		PT_DEVICE | PT_GLOBAL | PT_WRITE,
	};
	for (unsigned i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		check_round_trip(0x40000000, 0x123456000, 16 * PAGE, PAGE, flag_sets[i]);
		check_round_trip(0x40200000, 0x80000000, 4 * SZ_2M, SZ_2M, flag_sets[i]);
		check_round_trip(2 * GIB, 5 * GIB, 2 * GIB, GIB, flag_sets[i]);
		check_round_trip(UPPER + 3 * GIB, 7 * GIB, GIB, GIB, flag_sets[i]);
		check_round_trip(0xfffffffff0000000ull, 0x10000000, 8 * SZ_2M, SZ_2M,
				 flag_sets[i]);
	}
}

static void test_pagetable_large_pages_exactly_when_aligned(void **state)
{
	/* 1 GiB: one level-1 table under the root, the leaf in it. */
	assert_int_equal(pagetable_map(&pt, GIB, 2 * GIB, GIB, PT_WRITE), PT_OK);
	assert_int_equal(arena.in_use, roots + 1);
	assert_int_equal(leaf_level(GIB), 1);
	/* 2 MiB, 2 MiB-aligned on both sides: one more level-2 table. */
	assert_int_equal(pagetable_map(&pt, 4 * GIB, 6 * MIB, SZ_2M, PT_WRITE), PT_OK);
	assert_int_equal(arena.in_use, roots + 2);
	assert_int_equal(leaf_level(4 * GIB), 2);
	/* Same size, physical address only 4 KiB-aligned: 512 pages in a level-3 table. */
	assert_int_equal(pagetable_map(&pt, 4 * GIB + SZ_2M, 6 * MIB + PAGE, SZ_2M, 0), PT_OK);
	assert_int_equal(arena.in_use, roots + 3);
	expect_mapped(4 * GIB + SZ_2M + 5 * PAGE, 6 * MIB + 6 * PAGE, 0, PAGE);
	/* A range from 4 KiB before a 2 MiB boundary to 4 KiB after the next one. */
	uint64_t va = 6 * GIB + SZ_2M - PAGE, pa = 8 * GIB + SZ_2M - PAGE;
	assert_int_equal(pagetable_map(&pt, va, pa, SZ_2M + 2 * PAGE, PT_WRITE), PT_OK);
	assert_int_equal(arena.in_use, roots + 3 + 3); /* L2, two L3 on the ends */
	expect_mapped(va, pa, PT_WRITE, PAGE);
	expect_mapped(va + PAGE, pa + PAGE, PT_WRITE, SZ_2M);
	expect_mapped(va + PAGE + SZ_2M, pa + PAGE + SZ_2M, PT_WRITE, PAGE);
	/* 1 GiB whose physical address is only 2 MiB-aligned: 512 blocks of 2 MiB. */
	assert_int_equal(pagetable_map(&pt, 9 * GIB, 3 * GIB + SZ_2M, GIB, 0), PT_OK);
	expect_mapped(9 * GIB + 3 * SZ_2M, 3 * GIB + 4 * SZ_2M, 0, SZ_2M);
}

static void test_pagetable_1g_only_with_feature(void **state)
{
	pagetable_destroy(&pt, 0);
	assert_int_equal(pagetable_init(&pt, &arena_pages, FEATURES & ~PT_FEAT_1G), PT_OK);
	assert_int_equal(pagetable_map(&pt, GIB, GIB, GIB, PT_WRITE), PT_OK);
#ifdef KOSH_TEST_ARCH_X86_64
	assert_int_equal(pte_min_leaf_level(0), 2);
	expect_mapped(GIB, GIB, PT_WRITE, SZ_2M);
	assert_int_equal(pt.tables, 3); /* root, L1, L2 */
#else
	expect_mapped(GIB, GIB, PT_WRITE, GIB); /* level-1 blocks need no feature */
	assert_int_equal(pt.tables, 3);         /* two roots, L1 */
#endif
}

struct walk_log {
	unsigned n;
	struct {
		uint64_t va, pa, size;
		uint32_t flags;
	} leaf[8];
};

static int collect(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	struct walk_log *log = ctx;
	if (log->n < 8) {
		log->leaf[log->n].va = va;
		log->leaf[log->n].pa = pa;
		log->leaf[log->n].size = size;
		log->leaf[log->n].flags = flags;
	}
	log->n++;
	return 0;
}

static int stop_early(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	return 7;
}

static void test_pagetable_walk(void **state)
{
	struct walk_log log = { 0 };
	assert_int_equal(pagetable_map(&pt, GIB - PAGE, 0x1000000, PAGE, PT_WRITE), PT_OK);
	assert_int_equal(pagetable_map(&pt, GIB, 0x40000000, GIB, 0), PT_OK);
	assert_int_equal(pagetable_map(&pt, UPPER, 0x200000, SZ_2M, PT_EXEC), PT_OK);
	assert_int_equal(pagetable_walk_all(&pt, collect, &log), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.leaf[0].va, GIB - PAGE);
	assert_int_equal(log.leaf[0].pa, 0x1000000);
	assert_int_equal(log.leaf[0].flags, decoded(PT_WRITE));
	assert_int_equal(log.leaf[1].va, GIB);
	assert_int_equal(log.leaf[1].size, GIB);
	assert_int_equal(log.leaf[2].va, UPPER);
	assert_int_equal(log.leaf[2].pa, 0x200000);
	assert_int_equal(log.leaf[2].flags, decoded(PT_EXEC));
	/* A range meeting part of the 1 GiB page reports the whole leaf. */
	log.n = 0;
	assert_int_equal(pagetable_walk(&pt, GIB + 5 * PAGE, PAGE, collect, &log), 0);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.leaf[0].va, GIB);
	assert_int_equal(log.leaf[0].size, GIB);
	/* A non-zero return stops the walk and is passed on. */
	assert_int_equal(pagetable_walk_all(&pt, stop_early, NULL), 7);
}

/* ---- splitting ---- */

static void test_pagetable_unmap_splits_1g(void **state)
{
	uint64_t va = 3 * GIB, pa = 10 * GIB, hole = va + 300 * MIB + 5 * PAGE;
	uint32_t flags = PT_WRITE | PT_GLOBAL;
	assert_int_equal(pagetable_map(&pt, va, pa, GIB, flags), PT_OK);
	flushes.count = 0;
	assert_int_equal(pagetable_unmap(&pt, hole, PAGE), PT_OK);
	expect_unmapped(hole);
	expect_mapped(hole - PAGE, pa + (hole - va) - PAGE, flags, PAGE);
	expect_mapped(hole + PAGE, pa + (hole - va) + PAGE, flags, PAGE);
	expect_mapped(va, pa, flags, SZ_2M);
	expect_mapped(va + GIB - 1, pa + GIB - 1, flags, SZ_2M);
	assert_int_equal(arena.in_use, roots + 1 + 2); /* L1 + the two split tables */
	/* The split 1 GiB page, the split 2 MiB page, then the page itself. */
	assert_int_equal(flushes.count, 3);
	expect_flush(0, va, GIB);
	expect_flush(1, hole & ~(SZ_2M - 1), SZ_2M);
	expect_flush(2, hole, PAGE);
	/* Filling the hole again and unmapping everything frees the split tables. */
	assert_int_equal(pagetable_map(&pt, hole, pa + (hole - va), PAGE, flags), PT_OK);
	assert_int_equal(pagetable_unmap(&pt, va, GIB), PT_OK);
	assert_int_equal(arena.in_use, roots);
}

static void test_pagetable_unmap_splits_2m(void **state)
{
	uint64_t va = UPPER + 8 * MIB, pa = 64 * MIB;
	uint32_t flags = PT_WRITE | PT_DEVICE;
	assert_int_equal(pagetable_map(&pt, va, pa, 2 * SZ_2M, flags), PT_OK);
	/* Unmap 1 MiB straddling the boundary between the two 2 MiB pages. */
	assert_int_equal(pagetable_unmap(&pt, va + SZ_2M - 512 * 1024, MIB), PT_OK);
	expect_unmapped(va + SZ_2M - PAGE);
	expect_unmapped(va + SZ_2M);
	expect_unmapped(va + SZ_2M + 512 * 1024 - PAGE);
	expect_mapped(va, pa, flags, PAGE);
	expect_mapped(va + SZ_2M - 512 * 1024 - PAGE, pa + SZ_2M - 512 * 1024 - PAGE, flags, PAGE);
	expect_mapped(va + SZ_2M + 512 * 1024, pa + SZ_2M + 512 * 1024, flags, PAGE);
	expect_mapped(va + 2 * SZ_2M - PAGE, pa + 2 * SZ_2M - PAGE, flags, PAGE);
}

static void test_pagetable_protect_splits(void **state)
{
	uint64_t va = GIB, pa = 2 * GIB;
	assert_int_equal(pagetable_map(&pt, va, pa, GIB, PT_WRITE), PT_OK);
	flushes.count = 0;
	assert_int_equal(pagetable_protect(&pt, va + 8 * MIB + PAGE, 2 * PAGE, PT_EXEC), PT_OK);
	expect_mapped(va + 8 * MIB, pa + 8 * MIB, PT_WRITE, PAGE);
	expect_mapped(va + 8 * MIB + PAGE, pa + 8 * MIB + PAGE, PT_EXEC, PAGE);
	expect_mapped(va + 8 * MIB + 2 * PAGE, pa + 8 * MIB + 2 * PAGE, PT_EXEC, PAGE);
	expect_mapped(va + 8 * MIB + 3 * PAGE, pa + 8 * MIB + 3 * PAGE, PT_WRITE, PAGE);
	expect_mapped(va + 10 * MIB, pa + 10 * MIB, PT_WRITE, SZ_2M);
	assert_int_equal(flushes.count, 3);
	expect_flush(2, va + 8 * MIB + PAGE, 2 * PAGE);
	/* A whole 2 MiB page changes in place, without splitting. */
	unsigned tables = arena.in_use;
	assert_int_equal(pagetable_protect(&pt, va + 10 * MIB, SZ_2M, 0), PT_OK);
	expect_mapped(va + 10 * MIB + PAGE, pa + 10 * MIB + PAGE, 0, SZ_2M);
	assert_int_equal(arena.in_use, tables);
	/* Nothing changes unless the whole range is mapped. */
	assert_int_equal(pagetable_protect(&pt, va + GIB - PAGE, 2 * PAGE, 0),
			 PT_E_NOT_MAPPED);
	expect_mapped(va + GIB - PAGE, pa + GIB - PAGE, PT_WRITE, SZ_2M);
	assert_int_equal(pagetable_protect(&pt, va, PAGE, PT_WRITE | PT_EXEC), PT_E_WX);
	assert_int_equal(pagetable_protect(&pt, va, PAGE, PT_SKIP_MAPPED), PT_E_INVAL);
}

static void test_pagetable_protect_memory_type(void **state)
{
	uint64_t va = UPPER + GIB;
	assert_int_equal(pagetable_map(&pt, va, GIB, SZ_2M + 4 * PAGE, PT_WRITE), PT_OK);
	flushes.count = 0;
	assert_int_equal(pagetable_protect(&pt, va, SZ_2M + 4 * PAGE, PT_WRITE | PT_DEVICE),
			 PT_OK);
	expect_mapped(va, GIB, PT_WRITE | PT_DEVICE, SZ_2M);
	expect_mapped(va + SZ_2M + 3 * PAGE, GIB + SZ_2M + 3 * PAGE, PT_WRITE | PT_DEVICE, PAGE);
	/* One flush drops the old entries; with break-before-make the new ones come after. */
	expect_flush(0, va, SZ_2M + 4 * PAGE);
	if (pte_break_before_make()) {
		assert_int_equal(flushes.count, 2);
		expect_flush(1, va, 0);
	} else {
		assert_int_equal(flushes.count, 1);
	}
}

/* ---- freeing ---- */

static void test_pagetable_unmap_frees_empty_tables(void **state)
{
	assert_int_equal(pagetable_map(&pt, PAGE, 0x100000, 3 * PAGE, PT_WRITE), PT_OK);
	assert_int_equal(pagetable_map(&pt, 0x7fffffe00000ull, 0x200000, SZ_2M, 0), PT_OK);
	assert_int_equal(pagetable_map(&pt, UPPER + 5 * GIB + PAGE, 0x100000, PAGE, 0), PT_OK);
	assert_int_equal(pagetable_map(&pt, 0xffffffff80000000ull, 0x300000, 7 * PAGE, PT_EXEC),
			 PT_OK);
	assert_true(arena.in_use > roots + 8);
	assert_int_equal(pagetable_unmap(&pt, 2 * PAGE, PAGE), PT_OK);
	assert_int_equal(pagetable_unmap(&pt, PAGE, 16 * GIB), PT_OK);
	assert_int_equal(pagetable_unmap(&pt, 0x7fffffe00000ull, SZ_2M), PT_OK);
	assert_int_equal(pagetable_unmap(&pt, UPPER, 8 * GIB), PT_OK);
	assert_true(arena.in_use > roots);
	assert_int_equal(pagetable_unmap(&pt, 0xffffffff80000000ull, GIB), PT_OK);
	assert_int_equal(arena.in_use, roots);
	assert_int_equal(pt.tables, roots);
}

static void test_pagetable_flush_covers_freed_tables(void **state)
{
	uint64_t va = UPPER + 513 * GIB + 7 * SZ_2M + 3 * PAGE; /* alone under its root entry */
	assert_int_equal(pagetable_map(&pt, va, 0x5000, PAGE, PT_WRITE), PT_OK);
	assert_int_equal(flushes.count, 1);
	expect_flush(0, va, 0); /* entries added: only a barrier */
	flushes.count = 0;
	assert_int_equal(pagetable_unmap(&pt, va, PAGE), PT_OK);
	/* One flush over the span of the level-1 table freed with the others. */
	assert_int_equal(flushes.count, 1);
	expect_flush(0, va & ~((1ull << 39) - 1), 1ull << 39);
	assert_int_equal(arena.in_use, roots);
}

static void test_pagetable_destroy_frees_everything(void **state)
{
	assert_int_equal(pagetable_map(&pt, 0, 0x100000, 100 * PAGE, PT_WRITE), PT_OK);
	assert_int_equal(pagetable_map(&pt, UPPER, 0x100000, 100 * PAGE, PT_WRITE), PT_OK);
	pagetable_destroy(&pt, 0);
	assert_int_equal(arena.in_use, 0);
	assert_int_equal(pt.tables, 0);
	assert_int_equal(pagetable_init(&pt, &arena_pages, FEATURES), PT_OK);
}

static void test_pagetable_destroy_lower_only(void **state)
{
	assert_int_equal(pagetable_map(&pt, 0x400000, 0x100000, 100 * PAGE, PT_WRITE), PT_OK);
	assert_int_equal(pagetable_map(&pt, UPPER, 0x100000, 100 * PAGE, PT_WRITE), PT_OK);
	unsigned upper = pte_split_roots() ? 3 + 1 : 3; /* L1, L2, L3 (and the root) */
	pagetable_destroy(&pt, 1);
	assert_int_equal(arena.in_use, upper + (pte_split_roots() ? 0 : 1));
	expect_mapped(UPPER + PAGE, 0x101000, PT_WRITE, PAGE);
}

/* ---- refusals ---- */

static void test_pagetable_overlap_refused_unless_skip(void **state)
{
	uint64_t va = 0x40000000;
	assert_int_equal(pagetable_map(&pt, va + 4 * PAGE, 0x900000, 2 * PAGE, PT_WRITE), PT_OK);
	unsigned tables = arena.in_use;
	flushes.count = 0;
	assert_int_equal(pagetable_map(&pt, va, 0x100000, 8 * PAGE, 0), PT_E_EXISTS);
	assert_int_equal(arena.in_use, tables);
	assert_int_equal(flushes.count, 0);
	expect_unmapped(va);
	/* With PT_SKIP_MAPPED the holes are filled and the mapped pages kept. */
	assert_int_equal(pagetable_map(&pt, va, 0x100000, 8 * PAGE, PT_SKIP_MAPPED), PT_OK);
	expect_mapped(va + 3 * PAGE, 0x103000, 0, PAGE);
	expect_mapped(va + 4 * PAGE, 0x900000, PT_WRITE, PAGE);
	expect_mapped(va + 5 * PAGE, 0x901000, PT_WRITE, PAGE);
	expect_mapped(va + 6 * PAGE, 0x106000, 0, PAGE);
	/* A large page is kept whole, and only smaller pages fill around it. */
	assert_int_equal(pagetable_map(&pt, 2 * GIB + SZ_2M, 0, SZ_2M, 0), PT_OK);
	assert_int_equal(pagetable_map(&pt, 2 * GIB, 4 * GIB, GIB, PT_WRITE | PT_SKIP_MAPPED),
			 PT_OK);
	expect_mapped(2 * GIB + SZ_2M + PAGE, PAGE, 0, SZ_2M);
	expect_mapped(2 * GIB + 2 * SZ_2M, 4 * GIB + 2 * SZ_2M, PT_WRITE, SZ_2M);
}

static void test_pagetable_wx_refused(void **state)
{
	assert_int_equal(pagetable_map(&pt, 0x1000, 0x1000, PAGE, PT_WRITE | PT_EXEC), PT_E_WX);
	assert_int_equal(pagetable_map(&pt, UPPER, 0, SZ_2M, PT_WRITE | PT_EXEC | PT_GLOBAL),
			 PT_E_WX);
	assert_int_equal(pagetable_map(&pt, 0, 0, PAGE, PT_USER | PT_WRITE | PT_EXEC), PT_E_WX);
	assert_int_equal(arena.in_use, roots);
	expect_unmapped(0x1000);
}

static void test_pagetable_bad_arguments(void **state)
{
	assert_int_equal(pagetable_map(&pt, 0x1001, 0, PAGE, 0), PT_E_ALIGN);
	assert_int_equal(pagetable_map(&pt, 0x1000, 0x10, PAGE, 0), PT_E_ALIGN);
	assert_int_equal(pagetable_map(&pt, 0x1000, 0, 100, 0), PT_E_ALIGN);
	assert_int_equal(pagetable_map(&pt, 0x1000, 0, 0, 0), PT_E_INVAL);
	assert_int_equal(pagetable_map(&pt, 0x1000, 0, PAGE, 1u << 8), PT_E_INVAL);
	assert_int_equal(pagetable_map(&pt, 0x1000, 0, PAGE, PT_DEVICE | PT_WC), PT_E_INVAL);
	assert_int_equal(pagetable_map(&pt, 0x1000, 0, PAGE, PT_USER | PT_GLOBAL), PT_E_INVAL);
	/* Non-canonical, across the hole, wrapping, beyond physical addresses. */
	assert_int_equal(pagetable_map(&pt, PTE_LOWER_END, 0, PAGE, 0), PT_E_RANGE);
	assert_int_equal(pagetable_map(&pt, PTE_UPPER_BASE - PAGE, 0, PAGE, 0), PT_E_RANGE);
	assert_int_equal(pagetable_map(&pt, PTE_LOWER_END - PAGE, 0, 2 * PAGE, 0), PT_E_RANGE);
	assert_int_equal(pagetable_map(&pt, 0xfffffffffffff000ull, 0, 2 * PAGE, 0), PT_E_RANGE);
	assert_int_equal(pagetable_map(&pt, 0x1000, PTE_PHYS_LIMIT - PAGE, 2 * PAGE, 0),
			 PT_E_RANGE);
	assert_int_equal(pagetable_unmap(&pt, PTE_LOWER_END, PAGE), PT_E_RANGE);
	assert_int_equal(pagetable_query(&pt, PTE_LOWER_END, NULL, NULL, NULL), PT_E_RANGE);
	assert_int_equal(arena.in_use, roots);
	/* The very top page of the address space is fine. */
	assert_int_equal(pagetable_map(&pt, 0xfffffffffffff000ull, 0, PAGE, 0), PT_OK);
	expect_mapped(0xffffffffffffffffull, 0xfff, 0, PAGE);
	assert_int_equal(pagetable_unmap(&pt, 0xfffffffffffff000ull, PAGE), PT_OK);
	assert_string_equal(pagetable_strerror(PT_E_WX), "writable and executable at once");
}

static void test_pagetable_out_of_memory_undoes(void **state)
{
	arena.fail_after = 2; /* three tables needed */
	assert_int_equal(pagetable_map(&pt, 5 * GIB + PAGE, 0, 4 * PAGE, PT_WRITE), PT_E_NOMEM);
	assert_int_equal(arena.in_use, roots);
	expect_unmapped(5 * GIB + PAGE);
	arena.fail_after = -1;
	assert_int_equal(pagetable_map(&pt, 5 * GIB, 0, GIB, PT_WRITE), PT_OK);
	/* A split that finds no page fails before anything is unmapped. */
	arena.fail_after = 1;
	assert_int_equal(pagetable_unmap(&pt, 5 * GIB + PAGE, PAGE), PT_E_NOMEM);
	expect_mapped(5 * GIB + PAGE, PAGE, PT_WRITE, SZ_2M);
	arena.fail_after = -1;
}

/* ---- encodings ---- */

static uint64_t leaf_for(uint64_t va, uint64_t pa, uint64_t size, uint32_t flags, int level)
{
	assert_int_equal(pagetable_map(&pt, va, pa, size, flags), PT_OK);
	uint64_t *e = raw_entry(&pt, va, level);
	assert_non_null(e);
	return *e;
}

#ifdef KOSH_TEST_ARCH_X86_64
/*
 * Intel SDM Vol. 3A §4.5, tables 4-16 (1 GiB PDPTE), 4-18 (2 MiB PDE), 4-19
 * (4 KiB PTE), 4-15/4-17 (table entries): P bit 0, R/W 1, U/S 2, PWT 3, PCD 4,
 * PS 7 in PDPTE/PDE leaves, G 8, address 51:12, XD 63. PAT index {PAT,PCD,PWT}:
 * 3 = UC for device, 1 = WC once the kernel reprogrammed PAT entry 1.
 */
static void test_pagetable_encoding_x86(void **state)
{
	const uint64_t P = 1, RW = 2, US = 4, PWT = 8, PCD = 16, PS = 128, G = 256;
	const uint64_t XD = 1ull << 63;
	assert_int_equal(leaf_for(0x1000, 0xabc000, PAGE, 0, 3), 0xabc000 | P | XD);
	assert_int_equal(leaf_for(0x2000, 0xabc000, PAGE, PT_WRITE, 3), 0xabc000 | P | RW | XD);
	assert_int_equal(leaf_for(0x3000, 0xabc000, PAGE, PT_EXEC, 3), 0xabc000 | P);
	assert_int_equal(leaf_for(0x4000, 0xabc000, PAGE, PT_USER | PT_WRITE, 3),
			 0xabc000 | P | RW | US | XD);
	assert_int_equal(leaf_for(0x5000, 0xabc000, PAGE, PT_GLOBAL | PT_EXEC, 3),
			 0xabc000 | P | G);
	assert_int_equal(leaf_for(0x6000, 0xabc000, PAGE, PT_DEVICE | PT_WRITE, 3),
			 0xabc000 | P | RW | PCD | PWT | XD);
	assert_int_equal(leaf_for(0x7000, 0xabc000, PAGE, PT_WC | PT_WRITE, 3),
			 0xabc000 | P | RW | PWT | XD);
	assert_int_equal(leaf_for(0x200000, 0xfffffe00000ull, SZ_2M, PT_WRITE, 2),
			 0xfffffe00000ull | P | RW | PS | XD);
	assert_int_equal(leaf_for(GIB, 0xfffc0000000ull, GIB, PT_EXEC | PT_GLOBAL, 1),
			 0xfffc0000000ull | P | PS | G);
	/* Tables: present and writable; U/S at every level above a user leaf only. */
	uint64_t *l1 = raw_entry(&pt, 0x4000, 0), *l3 = raw_entry(&pt, 0x4000, 2);
	assert_int_equal(*l1 & 0xfff, P | RW | US);
	assert_int_equal(*l3 & 0xfff, P | RW | US);
	assert_int_equal(*raw_entry(&pt, GIB, 0) & (US | XD), US); /* shared with 0x4000 */
	assert_int_equal(leaf_for(UPPER, 0x1000, PAGE, PT_WRITE, 3) & 0xfff, P | RW);
	assert_int_equal(*raw_entry(&pt, UPPER, 2) & 0xfff, P | RW);
	/* Without NX nothing is marked non-executable; without PAT_WC, WC is WB. */
	assert_int_equal(pte_leaf(0x1000, 3, PT_WRITE | PT_WC, 0), 0x1000 | P | RW);
	assert_int_equal(pte_flags(0x1000 | P | RW, 3, 0), PT_WRITE | PT_EXEC);
	/* The PAT bit (12) of a large leaf is not part of its address. */
	assert_int_equal(pte_phys(0x40000000 | (1ull << 12) | P | PS, 1), 0x40000000);
}
#endif

#ifdef KOSH_TEST_ARCH_AARCH64
/*
 * Arm ARM (DDI 0487) D8.3 VMSAv8-64 descriptors, 4 KiB granule: bits[1:0] 0b11
 * table (levels 0-2) / page (level 3), 0b01 block (levels 1-2); AttrIndx[2:0]
 * bits 4:2; AP[2:1] bits 7:6 (AP[1]: EL0 access, AP[2]: read-only); SH bits 9:8
 * (0b11 inner shareable); AF bit 10; nG bit 11; output address 47:12; PXN 53;
 * UXN 54. MAIR indices: 0 Device-nGnRE, 1 Normal WB, 2 Normal NC.
 */
static void test_pagetable_encoding_aarch64(void **state)
{
	const uint64_t VALID = 1, TABLE = 2, AF = 1 << 10, NG = 1 << 11, SH = 3 << 8;
	const uint64_t AP_EL0 = 1 << 6, AP_RO = 1 << 7, PXN = 1ull << 53, UXN = 1ull << 54;
	const uint64_t NORMAL = 1 << 2, NC = 2 << 2, DEVICE = 0;
	const uint64_t page = VALID | TABLE | AF;
	assert_int_equal(leaf_for(0x1000, 0xabc000, PAGE, 0, 3),
			 0xabc000 | page | NORMAL | SH | AP_RO | PXN | UXN);
	assert_int_equal(leaf_for(0x2000, 0xabc000, PAGE, PT_WRITE, 3),
			 0xabc000 | page | NORMAL | SH | PXN | UXN);
	assert_int_equal(leaf_for(0x3000, 0xabc000, PAGE, PT_EXEC, 3),
			 0xabc000 | page | NORMAL | SH | AP_RO | UXN);
	assert_int_equal(leaf_for(0x4000, 0xabc000, PAGE, PT_USER | PT_WRITE, 3),
			 0xabc000 | page | NORMAL | SH | AP_EL0 | NG | PXN | UXN);
	assert_int_equal(leaf_for(0x5000, 0xabc000, PAGE, PT_USER | PT_EXEC, 3),
			 0xabc000 | page | NORMAL | SH | AP_EL0 | AP_RO | NG | PXN);
	assert_int_equal(leaf_for(0x6000, 0xabc000, PAGE, PT_DEVICE | PT_WRITE, 3),
			 0xabc000 | page | DEVICE | PXN | UXN);
	assert_int_equal(leaf_for(0x7000, 0xabc000, PAGE, PT_WC | PT_WRITE, 3),
			 0xabc000 | page | NC | SH | PXN | UXN);
	assert_int_equal(leaf_for(0x8000, 0xabc000, PAGE, PT_GLOBAL, 3),
			 0xabc000 | page | NORMAL | SH | AP_RO | PXN | UXN);
	assert_int_equal(leaf_for(0x200000, 0xfffffe00000ull, SZ_2M, PT_WRITE, 2),
			 0xfffffe00000ull | VALID | AF | NORMAL | SH | PXN | UXN);
	assert_int_equal(leaf_for(GIB, 0xfffc0000000ull, GIB, PT_EXEC, 1),
			 0xfffc0000000ull | VALID | AF | NORMAL | SH | AP_RO | UXN);
	/* Tables: valid + table, no hierarchical restrictions. */
	assert_int_equal(*raw_entry(&pt, 0x4000, 0) & 0xfff, VALID | TABLE);
	assert_int_equal(*raw_entry(&pt, 0x4000, 2) >> 48, 0);
	/* Writable is never executable, even if the encoder is asked directly. */
	assert_int_equal(pte_leaf(0, 3, PT_WRITE | PT_EXEC, 0) & (PXN | UXN), PXN | UXN);
	assert_int_equal(pte_leaf(0, 3, PT_USER | PT_WRITE | PT_EXEC, 0) & (PXN | UXN), PXN | UXN);
}
#endif

/* Upper-half addresses go to root_hi: TTBR1 on AArch64, entries 256-511 on x86. */
static void test_pagetable_split_roots(void **state)
{
	uint64_t *lo = arena_virt(&arena, pt.root_lo), *hi = arena_virt(&arena, pt.root_hi);
	assert_int_equal(pagetable_map(&pt, UPPER + PAGE, 0x1000, PAGE, 0), PT_OK);
	assert_int_equal(pagetable_map(&pt, 0xffffffff80000000ull, 0x1000, PAGE, 0), PT_OK);
	if (pte_split_roots()) {
		for (unsigned i = 0; i < 512; i++)
			assert_false(pte_present(lo[i]));
		assert_true(pte_present(hi[0]));   /* 0xffff000000000000: index 0 */
		assert_true(pte_present(hi[511]));
	} else {
		for (unsigned i = 0; i < 256; i++)
			assert_false(pte_present(lo[i]));
		assert_true(pte_present(hi[256])); /* 0xffff800000000000: index 256 */
		assert_true(pte_present(hi[511]));
	}
	assert_int_equal(pagetable_map(&pt, 0x1000, 0x2000, PAGE, 0), PT_OK);
	assert_true(pte_present(lo[0]));
	expect_mapped(UPPER + PAGE, 0x1000, 0, PAGE);
	expect_mapped(0x1000, 0x2000, 0, PAGE);
}

/* ---- user address spaces ---- */

static void test_pagetable_user_shares_upper(void **state)
{
	struct pagetable user;
	assert_int_equal(pagetable_share_upper(&pt), PT_OK);
	unsigned kernel_tables = arena.in_use;
	assert_int_equal(kernel_tables, roots + (pte_split_roots() ? 0 : 256));
	assert_int_equal(pagetable_init_user(&user, &pt), PT_OK);
	assert_int_equal(arena.in_use, kernel_tables + 1);
	/* A kernel mapping made after the user space exists is visible in it. */
	assert_int_equal(pagetable_map(&pt, UPPER + 77 * GIB, 0x3000, PAGE, PT_WRITE), PT_OK);
	uint64_t pa = 0;
	assert_int_equal(pagetable_query(&user, UPPER + 77 * GIB, &pa, NULL, NULL), PT_OK);
	assert_int_equal(pa, 0x3000);
	/* The user space may not change the kernel half, only its own. */
	assert_int_equal(pagetable_map(&user, UPPER, 0, PAGE, 0), PT_E_RANGE);
	assert_int_equal(pagetable_unmap(&user, UPPER + 77 * GIB, PAGE), PT_E_RANGE);
	assert_int_equal(pagetable_map(&user, 0x400000, 0x5000, 2 * PAGE, PT_USER | PT_WRITE),
			 PT_OK);
	expect_unmapped(0x400000); /* not in the kernel's lower half */
	/* Unmapping the kernel page keeps the shared (pinned) tables. */
	unsigned before = arena.in_use;
	assert_int_equal(pagetable_unmap(&pt, UPPER + 77 * GIB, PAGE), PT_OK);
	/* Its L2 and L3; with split roots the root is what is shared, so its L1 goes too. */
	assert_int_equal(arena.in_use, before - (pte_split_roots() ? 3 : 2));
	assert_int_equal(pagetable_query(&user, UPPER + 77 * GIB, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
	pagetable_destroy(&user, 1);
	assert_int_equal(arena.in_use, kernel_tables);
	assert_int_equal(user.tables, 0);
}

/* ---- a random sequence against a page-granular model ---- */

#define WIN_BASE  (1ull << 39) /* a level-0 entry of its own */
#define WIN_SIZE  (2 * GIB)
#define WIN_PAGES (WIN_SIZE / PAGE)
#define NO_PAGE   0xffu

static uint64_t model_pa[WIN_PAGES];
static uint8_t model_flags[WIN_PAGES];

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t random_flags(void)
{
	static const uint32_t valid[] = {
		0, PT_WRITE, PT_EXEC, PT_WRITE | PT_GLOBAL, PT_EXEC | PT_GLOBAL, PT_USER,
		PT_USER | PT_WRITE, PT_USER | PT_EXEC, PT_DEVICE | PT_WRITE, PT_WC | PT_WRITE,
		PT_WC, PT_DEVICE | PT_GLOBAL,
	};
	return valid[rnd() % (sizeof(valid) / sizeof(valid[0]))];
}

/* A range in the window, aligned to a random page size, sometimes offset. */
static void random_range(uint64_t *va, uint64_t *size, uint64_t *gran)
{
	uint64_t r = rnd() % 100;
	*gran = r < 50 ? PAGE : r < 85 ? SZ_2M : GIB;
	uint64_t units = *gran == PAGE ? 1 + rnd() % 64 : *gran == SZ_2M ? 1 + rnd() % 8 : 1;
	*size = units * *gran;
	uint64_t off = (rnd() % (WIN_SIZE / *gran)) * *gran;
	if (*gran != PAGE && rnd() % 3 == 0)
		off += (rnd() % 512) * PAGE; /* cuts through large pages */
	if (off + *size > WIN_SIZE)
		off = WIN_SIZE - *size;
	*va = WIN_BASE + off;
}

static int model_any_mapped(uint64_t first, uint64_t n, int want_all)
{
	for (uint64_t i = first; i < first + n; i++)
		if ((model_flags[i] != NO_PAGE) != want_all)
			return !want_all;
	return want_all;
}

/* Apply one random operation to the table and to the model; pages it changed get set. */
static void random_step(uint8_t *changed)
{
	uint64_t va, size, gran, first, n;
	random_range(&va, &size, &gran);
	first = (va - WIN_BASE) / PAGE;
	n = size / PAGE;
	uint32_t flags = random_flags();
	uint64_t op = rnd() % 10;
	flushes.count = 0;
	if (op < 4) {
		uint64_t pa = (rnd() % 4 == 0) ? (rnd() % (1ull << 24)) * PAGE
					      : (rnd() % 64) * GIB + (va & (GIB - 1));
		int skip = rnd() % 2;
		int busy = model_any_mapped(first, n, 0);
		int err = pagetable_map(&pt, va, pa, size, flags | (skip ? PT_SKIP_MAPPED : 0));
		assert_int_equal(err, busy && !skip ? PT_E_EXISTS : PT_OK);
		for (uint64_t i = 0; i < n && !err; i++) {
			if (model_flags[first + i] == NO_PAGE) {
				model_flags[first + i] = (uint8_t)decoded(flags);
				model_pa[first + i] = pa + i * PAGE;
			}
		}
	} else if (op < 7) {
		assert_int_equal(pagetable_unmap(&pt, va, size), PT_OK);
		for (uint64_t i = 0; i < n; i++) {
			changed[first + i] = model_flags[first + i] != NO_PAGE;
			model_flags[first + i] = NO_PAGE;
		}
	} else {
		int all = model_any_mapped(first, n, 1);
		int err = pagetable_protect(&pt, va, size, flags);
		assert_int_equal(err, all ? PT_OK : PT_E_NOT_MAPPED);
		for (uint64_t i = 0; i < n && !err; i++) {
			changed[first + i] = model_flags[first + i] != decoded(flags);
			model_flags[first + i] = (uint8_t)decoded(flags);
		}
	}
}

struct model_check {
	uint64_t pages;
};

static int check_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	struct model_check *c = ctx;
	uint64_t first = (va - WIN_BASE) / PAGE;
	assert_true(va >= WIN_BASE && va + size <= WIN_BASE + WIN_SIZE);
	for (uint64_t i = 0; i < size / PAGE; i++) {
		if (model_flags[first + i] != flags || model_pa[first + i] != pa + i * PAGE) {
			fail_msg("page 0x%llx: table says pa 0x%llx flags 0x%x, model 0x%llx 0x%x",
				 (unsigned long long)(va + i * PAGE),
				 (unsigned long long)(pa + i * PAGE), flags,
				 (unsigned long long)model_pa[first + i], model_flags[first + i]);
		}
	}
	c->pages += size / PAGE;
	return 0;
}

/* Tables reachable below an entry; any empty one (an unmap should have freed it) fails. */
static uint64_t count_tables(uint64_t table, int level)
{
	const uint64_t *t = arena_virt(&arena, table);
	uint64_t count = 1, present = 0;
	for (unsigned i = 0; i < 512; i++) {
		present += pte_present(t[i]) != 0;
		if (pte_is_table(t[i], level))
			count += count_tables(pte_phys(t[i], level), level + 1);
	}
	if (level > 0)
		assert_true(present > 0);
	return count;
}

static void check_model(void)
{
	struct model_check c = { 0 };
	uint64_t mapped = 0;
	assert_int_equal(pagetable_walk(&pt, WIN_BASE, WIN_SIZE, check_leaf, &c), 0);
	for (uint64_t i = 0; i < WIN_PAGES; i++)
		mapped += model_flags[i] != NO_PAGE;
	assert_int_equal(c.pages, mapped);
	uint64_t tables = count_tables(pt.root_lo, 0);
	if (pte_split_roots())
		tables += count_tables(pt.root_hi, 0);
	assert_int_equal(tables, pt.tables);
	assert_int_equal(tables, arena.in_use);
}

static void run_random(uint64_t seed, unsigned steps)
{
	static uint8_t changed[WIN_PAGES];
	rng_state = seed;
	memset(model_flags, NO_PAGE, sizeof(model_flags));
	for (unsigned s = 0; s < steps; s++) {
		memset(changed, 0, sizeof(changed));
		random_step(changed);
		for (uint64_t i = 0; i < WIN_PAGES; i++)
			if (changed[i] && !flushed(WIN_BASE + i * PAGE))
				fail_msg("seed %llu step %u: page %llu changed without a flush",
					 (unsigned long long)seed, s, (unsigned long long)i);
		check_model();
	}
	assert_int_equal(pagetable_unmap(&pt, WIN_BASE, WIN_SIZE), PT_OK);
	assert_int_equal(arena.in_use, roots);
}

static void test_pagetable_random_against_model(void **state)
{
	static const uint64_t seeds[] = { 0x9e3779b97f4a7c15ull, 1, 0xdeadbeefcafef00dull, 42 };
	for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		run_random(seeds[i], 250);
}

int main(void)
{
	arena.mem = aligned_alloc(PAGE, ARENA_PAGES * PAGE);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pagetable_init_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_round_trip_every_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_large_pages_exactly_when_aligned,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_1g_only_with_feature, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_unmap_splits_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_unmap_splits_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_protect_splits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_protect_memory_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_unmap_frees_empty_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_flush_covers_freed_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_destroy_frees_everything, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_destroy_lower_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_overlap_refused_unless_skip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_wx_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_out_of_memory_undoes, setup,
						teardown),
#ifdef KOSH_TEST_ARCH_X86_64
		cmocka_unit_test_setup_teardown(test_pagetable_encoding_x86, setup, teardown),
#else
		cmocka_unit_test_setup_teardown(test_pagetable_encoding_aarch64, setup, teardown),
#endif
		cmocka_unit_test_setup_teardown(test_pagetable_split_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_user_shares_upper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagetable_random_against_model, setup,
						teardown),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	free(arena.mem);
	return failed;
}
