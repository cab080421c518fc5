/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the slab caches and kmalloc (kernel/kheap.c) on the buddy
 * allocator (kernel/pmm.c) and the fake port. Fake physical memory is one
 * lazily backed mapping for physical [0, FAKE_PHYS_END); every test starts
 * pmm and the heap over.
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
#include "kheap.h"
#include "klog.h"
#include "pmm.h"

#define PAGE          4096ull
#define MIB           0x100000ull
#define GIB           0x40000000ull
#define FAKE_PHYS_END (4 * GIB + 64 * MIB)
#define U             KOSH_MEM_USABLE
#define CLASSES       8
#define MAX_LIVE      2000

static uint8_t *mem; /* fake physical address 0 */

static const struct kosh_mem_range heap_map[] = {
	{ 0x0, 0x9f000, U, 0 },
	{ MIB, 63 * MIB, U, 0 },
	{ 4 * GIB, 64 * MIB, U, 0 },
};

static const struct kosh_mem_range tiny_map[] = {
	{ MIB, 2 * MIB, U, 0 },
};

#define N(map) ((uint32_t)(sizeof(map) / sizeof((map)[0])))

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

static void start(const struct kosh_mem_range *map, uint32_t count)
{
	assert_int_equal(pmm_init(map, count, (uint64_t)(uintptr_t)mem), 0);
	assert_int_equal(kheap_init(), 0);
}

static int setup(void **state)
{
	start(heap_map, N(heap_map));
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(pmm_check(), 0);
	assert_int_equal(arch_fake.irq_enabled, 1);
	return madvise(mem, FAKE_PHYS_END, MADV_DONTNEED);
}

static struct pmm_stats pmm_now(void)
{
	struct pmm_stats s;
	pmm_get_stats(&s);
	return s;
}

static uint64_t pmm_free_pages(void)
{
	struct pmm_stats s = pmm_now();
	return s.free_pages[0] + s.free_pages[1] + s.free_pages[2];
}

static struct slab_stats cache_stats(struct slab_cache *c)
{
	struct slab_stats st;
	slab_get_stats(c, &st);
	return st;
}

static struct slab_cache *kmalloc_cache(unsigned cls)
{
	struct slab_cache *c = slab_cache_at(cls);
	char name[32];
	snprintf(name, sizeof(name), "kmalloc-%u", 16u << cls);
	assert_non_null(c);
	assert_string_equal(cache_stats(c).name, name);
	return c;
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

static void expect_no_log(uint64_t seq)
{
	struct klog_record r;
	assert_int_equal(klog_read(seq, &r), 0);
}

/* kfree(p) refused: one warning naming p and why, no change but the refusal count. */
static void expect_kfree_refused(void *p, const char *why)
{
	char addr[32];
	struct kheap_stats h0, h1;
	struct pmm_stats p0 = pmm_now(), p1;
	struct slab_stats before[CLASSES], after;
	for (unsigned i = 0; i < CLASSES; i++)
		before[i] = cache_stats(kmalloc_cache(i));
	kheap_get_stats(&h0);
	uint64_t seq = klog_next_seq();
	snprintf(addr, sizeof(addr), "0x%016llx", (unsigned long long)(uintptr_t)p); /* kosh's %p */
	kfree(p);
	expect_warning(seq, addr, why);
	kheap_get_stats(&h1);
	assert_int_equal(h1.refused_frees, h0.refused_frees + 1);
	h1.refused_frees--;
	assert_memory_equal(&h0, &h1, sizeof(h0));
	p1 = pmm_now();
	assert_memory_equal(&p0, &p1, sizeof(p0));
	for (unsigned i = 0; i < CLASSES; i++) {
		after = cache_stats(kmalloc_cache(i));
		before[i].refused_frees = after.refused_frees; /* kfree counts in kheap_stats... */
		assert_memory_equal(&before[i], &after, sizeof(after));
	}
}

static size_t usable(size_t size)
{
	if (size > KMALLOC_SLAB_MAX)
		return (size + PAGE - 1) & ~(PAGE - 1);
	size_t c = 16;
	while (c < size)
		c *= 2;
	return c;
}

static unsigned class_of(size_t size)
{
	unsigned cls = 0;
	while ((16u << cls) < size)
		cls++;
	return cls;
}

static void test_kheap_caches_are_enumerable(void **state)
{
	assert_int_equal(slab_cache_count(), CLASSES);
	for (unsigned i = 0; i < CLASSES; i++) {
		struct slab_stats st = cache_stats(kmalloc_cache(i));
		uint64_t bytes = PAGE << st.slab_order;
		assert_int_equal(st.object_size, 16u << i);
		assert_true(st.objects_per_slab > 1);
		assert_true((bytes - (uint64_t)st.objects_per_slab * st.object_size) * 16 <= bytes);
		assert_int_equal(st.slabs, 0);
	}
	struct slab_cache *c = slab_cache_create("thing", 40, 0);
	assert_non_null(c);
	assert_int_equal(slab_cache_count(), CLASSES + 1);
	assert_ptr_equal(slab_cache_at(CLASSES), c);
	assert_null(slab_cache_at(CLASSES + 1));
	assert_string_equal(cache_stats(c).name, "thing");
}

static void test_kheap_kmalloc_sizes_and_alignment(void **state)
{
	static uint8_t *p[1200];
	static size_t sz[1200];
	size_t n = 0;
	uint64_t free0 = pmm_free_pages();
	for (size_t size = 1; size <= 9000; size += 1 + size / 8) {
		sz[n] = size;
		p[n] = kmalloc(size);
		assert_non_null(p[n]);
		assert_int_equal((uintptr_t)p[n] % KHEAP_MIN_ALIGN, 0);
		if (size > KMALLOC_SLAB_MAX)
			assert_int_equal((uintptr_t)p[n] % PAGE, 0);
		memset(p[n], (int)n, usable(size));
		n++;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < usable(sz[i]); j++)
			assert_int_equal(p[i][j], (uint8_t)i); /* nothing overlapped */
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	assert_int_equal(pmm_free_pages() + kheap_shrink(), free0);
}

static void test_kheap_kmalloc_zero_and_huge_sizes(void **state)
{
	assert_null(kmalloc(0));
	assert_null(kzalloc(0));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc((PAGE << PMM_MAX_ORDER) + 1));
	assert_null(kmalloc(64 * MIB)); /* bigger than any free block */
}

static void test_kheap_large_allocations_use_whole_blocks(void **state)
{
	static const struct {
		size_t size;
		unsigned order;
	} cases[] = { { 2049, 0 }, { 4096, 0 }, { 4097, 1 }, { 3 * PAGE, 2 }, { MIB, 8 },
		      { MIB + 1, 9 } };
	uint64_t free0 = pmm_free_pages();
	void *p[6];
	uint64_t pages = 0;
	for (int i = 0; i < 6; i++) {
		struct pmm_block b;
		p[i] = kmalloc(cases[i].size);
		assert_non_null(p[i]);
		assert_int_equal(pmm_find_block(virt_to_phys(p[i]), &b), 0);
		assert_int_equal(b.phys, virt_to_phys(p[i]));
		assert_int_equal(b.order, cases[i].order);
		assert_int_equal(b.tag, PMM_TAG_KMALLOC);
		memset(p[i], 0x5a, cases[i].size);
		pages += 1ull << cases[i].order;
	}
	struct kheap_stats h;
	kheap_get_stats(&h);
	assert_int_equal(h.large_in_use, 6);
	assert_int_equal(h.large_pages, pages);
	assert_int_equal(pmm_free_pages(), free0 - pages);
	for (int i = 0; i < 6; i++)
		kfree(p[i]);
	kheap_get_stats(&h);
	assert_int_equal(h.large_in_use, 0);
	assert_int_equal(h.large_pages, 0);
	assert_int_equal(h.large_allocs, 6);
	assert_int_equal(h.large_frees, 6);
	assert_int_equal(pmm_free_pages(), free0);
	for (unsigned i = 0; i < CLASSES; i++)
		assert_int_equal(cache_stats(kmalloc_cache(i)).slabs, 0);
}

static void test_kheap_kzalloc_zeroes(void **state)
{
	uint8_t *p = kmalloc(200);
	memset(p, 0xee, 200);
	kfree(p);
	uint8_t *q = kzalloc(200);
	assert_ptr_equal(q, p); /* the same object came back... */
	for (int i = 0; i < 200; i++)
		assert_int_equal(q[i], 0); /* ...zeroed */
	kfree(q);
	p = kmalloc(3 * PAGE);
	memset(p, 0xee, 3 * PAGE);
	kfree(p);
	q = kzalloc(3 * PAGE);
	for (uint64_t i = 0; i < 4 * PAGE; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
}

static void test_kheap_kfree_null_is_a_no_op(void **state)
{
	struct slab_cache *c = slab_cache_create("nulls", 32, 0);
	struct kheap_stats h0, h1;
	kheap_get_stats(&h0);
	struct pmm_stats p0 = pmm_now(), p1;
	uint64_t seq = klog_next_seq();
	kfree(NULL);
	slab_free(c, NULL);
	expect_no_log(seq);
	kheap_get_stats(&h1);
	assert_memory_equal(&h0, &h1, sizeof(h0));
	p1 = pmm_now();
	assert_memory_equal(&p0, &p1, sizeof(p0));
	assert_int_equal(cache_stats(c).refused_frees, 0);
}

static void test_kheap_kfree_refuses_double_free(void **state)
{
	uint8_t *a = kmalloc(64), *b = kmalloc(64);
	kfree(a);
	expect_kfree_refused(a, "already free (double free)"); /* its slab is still in use */
	kfree(b);
	expect_kfree_refused(b, "already free (double free)"); /* its slab is the kept empty one */
	assert_int_equal(kheap_shrink(), 1);
	expect_kfree_refused(b, "not in allocated memory"); /* its slab went back to pmm */
	uint8_t *big = kmalloc(5 * PAGE);
	kfree(big);
	expect_kfree_refused(big, "not in allocated memory");
}

static void test_kheap_kfree_refuses_interior_pointers(void **state)
{
	uint8_t *a = kmalloc(64), *big = kmalloc(3 * PAGE);
	expect_kfree_refused(a + 16, "not the start of an object");
	expect_kfree_refused(a + 1, "not the start of an object");
	expect_kfree_refused(a - 8, "not the start of an object"); /* the slab header */
	expect_kfree_refused(big + PAGE, "inside a large allocation, not its start");
	expect_kfree_refused(big + 16, "inside a large allocation, not its start");
	kfree(a);
	kfree(big);
	struct slab_stats st = cache_stats(kmalloc_cache(class_of(64)));
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(st.frees, 1);
}

static void test_kheap_kfree_refuses_foreign_pointers(void **state)
{
	int local;
	uint64_t page = pmm_alloc(0, 0);
	struct slab_cache *c = slab_cache_create("mine", 48, 0);
	void *obj = slab_alloc(c);
	expect_kfree_refused(&local, "not in allocated memory");
	expect_kfree_refused(phys_to_virt(page), "not from kmalloc");
	expect_kfree_refused(phys_to_virt(page + 2 * PAGE), "not in allocated memory");
	expect_kfree_refused(phys_to_virt(0xa0000), "not in allocated memory");
	expect_kfree_refused(obj, "an object of cache mine, not from kmalloc");
	assert_int_equal(cache_stats(c).objects_in_use, 1);
	slab_free(c, obj);
	assert_int_equal(cache_stats(c).objects_in_use, 0);
	assert_int_equal(pmm_free(page, 0), 0);
}

/* slab_free(c, obj) refused: one warning, nothing changed in c but its refusal count. */
static void expect_slab_free_refused(struct slab_cache *c, void *obj, const char *why)
{
	struct slab_stats before = cache_stats(c), after;
	struct pmm_stats p0 = pmm_now(), p1;
	uint64_t seq = klog_next_seq();
	slab_free(c, obj);
	expect_warning(seq, why, NULL);
	after = cache_stats(c);
	assert_int_equal(after.refused_frees, before.refused_frees + 1);
	before.refused_frees++;
	assert_memory_equal(&before, &after, sizeof(after));
	p1 = pmm_now();
	assert_memory_equal(&p0, &p1, sizeof(p0));
}

static void test_kheap_slab_free_refuses_wrong_cache(void **state)
{
	struct slab_cache *a = slab_cache_create("cache-a", 48, 0);
	struct slab_cache *b = slab_cache_create("cache-b", 48, 0);
	void *x = slab_alloc(a), *y = slab_alloc(b);
	void *k = kmalloc(48);
	struct slab_stats a0 = cache_stats(a);
	expect_slab_free_refused(b, x, "slab_free(cache-b");
	expect_slab_free_refused(b, x, "an object of cache cache-a");
	expect_slab_free_refused(a, k, "an object of cache kmalloc-64");
	struct slab_stats a1 = cache_stats(a);
	a0.refused_frees = a1.refused_frees;
	assert_memory_equal(&a0, &a1, sizeof(a0)); /* the owner of x saw nothing */
	slab_free(a, x);
	slab_free(b, y);
	kfree(k);
	assert_int_equal(cache_stats(a).objects_in_use, 0);
	assert_int_equal(cache_stats(b).objects_in_use, 0);
}

static void test_kheap_slab_free_refuses_bad_objects(void **state)
{
	struct slab_cache *c = slab_cache_create("objs", 100, 32);
	uint8_t *x = slab_alloc(c), *y = slab_alloc(c);
	struct slab_stats st = cache_stats(c);
	assert_int_equal(st.object_size, 128);
	assert_int_equal(st.align, 32);
	assert_int_equal((uintptr_t)x % 32, 0);
	expect_slab_free_refused(c, x + 32, "not the start of an object");
	uint8_t *past = x + st.objects_per_slab * 128ull; /* the slab has room for no more */
	expect_slab_free_refused(c, past, "past the slab's last object");
	slab_free(c, x);
	expect_slab_free_refused(c, x, "already free (double free)");
	int local;
	expect_slab_free_refused(c, &local, "not in allocated memory");
	void *page = phys_to_virt(pmm_alloc(0, 0));
	expect_slab_free_refused(c, page, "not in a slab");
	assert_int_equal(pmm_free(virt_to_phys(page), 0), 0);
	slab_free(c, y);
	st = cache_stats(c);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(st.allocs, 2);
	assert_int_equal(st.frees, 2);
}

static void test_kheap_slab_cache_create_refuses_bad_arguments(void **state)
{
	uint64_t seq = klog_next_seq();
	assert_null(slab_cache_create("zero", 0, 0));
	expect_warning(seq, "cannot make cache zero", NULL);
	assert_null(slab_cache_create("odd", 64, 24));
	assert_null(slab_cache_create("huge-align", 64, 2 * PAGE));
	assert_null(slab_cache_create("huge", 40000, 0));
	struct slab_cache *c = slab_cache_create("a-name-longer-than-the-field-holds", 64, PAGE);
	assert_non_null(c);
	struct slab_stats st = cache_stats(c);
	assert_int_equal(strlen(st.name), SLAB_NAME_MAX - 1);
	assert_int_equal(st.object_size, PAGE);
	void *o = slab_alloc(c);
	assert_int_equal((uintptr_t)o % PAGE, 0);
	slab_free(c, o);
	while (slab_cache_count() < SLAB_MAX_CACHES)
		assert_non_null(slab_cache_create("filler", 32, 0));
	seq = klog_next_seq();
	assert_null(slab_cache_create("one-too-many", 32, 0));
	expect_warning(seq, "one-too-many", NULL);
}

static void test_kheap_keeps_one_empty_slab(void **state)
{
	struct slab_cache *c = slab_cache_create("keep", 200, 0);
	struct slab_stats st = cache_stats(c);
	uint32_t per = st.objects_per_slab;
	uint64_t slab_pages = 1ull << st.slab_order;
	uint64_t free0 = pmm_free_pages();
	static void *obj[4096];
	for (uint32_t i = 0; i < 3 * per; i++)
		obj[i] = slab_alloc(c);
	st = cache_stats(c);
	assert_int_equal(st.slabs, 3);
	assert_int_equal(st.pages, 3 * slab_pages);
	assert_int_equal(pmm_free_pages(), free0 - 3 * slab_pages);
	for (uint32_t i = 0; i < 3 * per; i++)
		slab_free(c, obj[i]);
	st = cache_stats(c);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(st.slabs, 1);
	assert_int_equal(st.empty_slabs, 1);
	assert_int_equal(pmm_free_pages(), free0 - slab_pages);
	void *again = slab_alloc(c); /* reuses the kept slab */
	assert_int_equal(pmm_free_pages(), free0 - slab_pages);
	slab_free(c, again);
	assert_int_equal(slab_cache_shrink(c), slab_pages);
	assert_int_equal(slab_cache_shrink(c), 0);
	assert_int_equal(cache_stats(c).slabs, 0);
	assert_int_equal(pmm_free_pages(), free0);
}

static void test_kheap_exhaustion_returns_null_and_recovers(void **state)
{
	start(tiny_map, N(tiny_map));
	struct pmm_stats s0 = pmm_now();
	static void *p[4096];
	size_t n = 0;
	while ((p[n] = kmalloc(1000)))
		assert_true(++n < 4096);
	struct slab_stats st = cache_stats(kmalloc_cache(class_of(1000)));
	assert_int_equal(st.alloc_failures, 1);
	assert_int_equal(st.objects_in_use, n);
	assert_null(kmalloc(3 * PAGE));
	for (size_t i = 0; i < n; i += 2)
		kfree(p[i]);
	p[0] = kmalloc(1000);
	assert_non_null(p[0]);
	kfree(p[0]);
	for (size_t i = 1; i < n; i += 2)
		kfree(p[i]);
	assert_true(kheap_shrink() > 0);
	struct pmm_stats s1 = pmm_now();
	assert_memory_equal(&s0, &s1, sizeof(s0));
}

/* The random run's record of the live allocations. */
struct obj {
	uint8_t *p;
	size_t size;
	uint32_t id;
	int zeroed;
};

struct model {
	struct obj live[MAX_LIVE];
	size_t n;
	uint32_t next_id;
	uint64_t in_use[CLASSES], allocs[CLASSES], frees[CLASSES];
	uint64_t large_in_use, large_pages;
};

static size_t random_size(void)
{
	uint64_t r = rnd();
	if (r % 100 < 70)
		return 1 + (r >> 8) % 256;
	if (r % 100 < 92)
		return 257 + (r >> 8) % (KMALLOC_SLAB_MAX - 256);
	return KMALLOC_SLAB_MAX + 1 + (r >> 8) % 40000;
}

static uint64_t large_pages(size_t size)
{
	uint64_t pages = (size + PAGE - 1) / PAGE, block = 1;
	while (block < pages)
		block *= 2;
	return block;
}

static void fill(const struct obj *o, int check)
{
	for (size_t i = 0; i < o->size; i++) {
		uint8_t v = (uint8_t)(o->id * 131 + i);
		if (check)
			assert_int_equal(o->p[i], v);
		else
			o->p[i] = v;
	}
}

static void check_no_overlap(const struct model *m, const uint8_t *p, size_t size)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct obj *o = &m->live[i];
		assert_false(p < o->p + usable(o->size) && o->p < p + size);
	}
}

static void model_count(struct model *m, size_t size, int delta)
{
	if (size > KMALLOC_SLAB_MAX) {
		m->large_in_use += delta;
		m->large_pages += delta * large_pages(size);
		return;
	}
	unsigned cls = class_of(size);
	m->in_use[cls] += delta;
	if (delta > 0)
		m->allocs[cls]++;
	else
		m->frees[cls]++;
}

static void random_alloc(struct model *m)
{
	struct obj o = { NULL, random_size(), m->next_id++, (int)(rnd() % 4 == 0) };
	o.p = o.zeroed ? kzalloc(o.size) : kmalloc(o.size);
	assert_non_null(o.p);
	assert_int_equal((uintptr_t)o.p % KHEAP_MIN_ALIGN, 0);
	check_no_overlap(m, o.p, usable(o.size));
	for (size_t i = 0; o.zeroed && i < o.size; i++)
		assert_int_equal(o.p[i], 0);
	fill(&o, 0);
	model_count(m, o.size, 1);
	m->live[m->n++] = o;
}

static void random_free(struct model *m)
{
	size_t i = rnd() % m->n;
	struct obj o = m->live[i];
	m->live[i] = m->live[--m->n];
	fill(&o, 1);
	kfree(o.p);
	model_count(m, o.size, -1);
}

static void check_model(const struct model *m)
{
	struct kheap_stats h;
	for (unsigned i = 0; i < CLASSES; i++) {
		struct slab_stats st = cache_stats(kmalloc_cache(i));
		assert_int_equal(st.objects_in_use, m->in_use[i]);
		assert_int_equal(st.allocs, m->allocs[i]);
		assert_int_equal(st.frees, m->frees[i]);
		assert_true(st.slabs * st.objects_per_slab >= st.objects_in_use);
		assert_true(st.empty_slabs <= 1);
		assert_int_equal(st.pages, st.slabs << st.slab_order);
		assert_int_equal(st.refused_frees, 0);
	}
	kheap_get_stats(&h);
	assert_int_equal(h.large_in_use, m->large_in_use);
	assert_int_equal(h.large_pages, m->large_pages);
	assert_int_equal(h.refused_frees, 0);
	assert_int_equal(pmm_check(), 0);
}

/* After everything is freed: each kmalloc cache holds at most its one kept empty slab. */
static uint64_t kept_pages(void)
{
	uint64_t pages = 0;
	for (unsigned i = 0; i < CLASSES; i++) {
		struct slab_stats st = cache_stats(kmalloc_cache(i));
		assert_int_equal(st.objects_in_use, 0);
		assert_true(st.slabs <= 1);
		assert_int_equal(st.empty_slabs, st.slabs);
		pages += st.pages;
	}
	return pages;
}

static void random_run(uint64_t seed, int ops)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	start(heap_map, N(heap_map));
	rng_state = seed;
	struct pmm_stats s0 = pmm_now();
	uint64_t free0 = pmm_free_pages();
	for (int op = 0; op < ops; op++) {
		if (!m.n || (m.n < MAX_LIVE && rnd() % 100 < 55))
			random_alloc(&m);
		else
			random_free(&m);
		if (op % 1000 == 999)
			check_model(&m);
	}
	while (m.n)
		random_free(&m);
	check_model(&m);
	uint64_t kept = kept_pages();
	assert_true(kept > 0);
	assert_int_equal(pmm_free_pages(), free0 - kept);
	assert_int_equal(kheap_shrink(), kept);
	struct pmm_stats s1 = pmm_now();
	assert_memory_equal(&s0, &s1, sizeof(s0)); /* and merged back into the same blocks */
}

static void test_kheap_random_kmalloc_kfree(void **state)
{
	random_run(0x6ea90001, 30000);
	random_run(0x6ea90002, 30000);
}

static void test_kheap_random_small_memory(void **state)
{
	/* pmm runs out now and then: kmalloc must fail cleanly and the heap stay consistent */
	start(tiny_map, N(tiny_map));
	rng_state = 0x6ea90003;
	static void *p[MAX_LIVE];
	size_t n = 0, failures = 0;
	uint64_t free0 = pmm_free_pages();
	for (int op = 0; op < 20000; op++) {
		if (n && (n == MAX_LIVE || rnd() % 100 >= 60)) {
			size_t i = rnd() % n;
			kfree(p[i]);
			p[i] = p[--n];
		} else if ((p[n] = kmalloc(random_size()))) {
			n++;
		} else {
			failures++;
		}
	}
	assert_true(failures > 0);
	while (n)
		kfree(p[--n]);
	kheap_shrink();
	assert_int_equal(pmm_free_pages(), free0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_kheap_caches_are_enumerable),
		T(test_kheap_kmalloc_sizes_and_alignment),
		T(test_kheap_kmalloc_zero_and_huge_sizes),
		T(test_kheap_large_allocations_use_whole_blocks),
		T(test_kheap_kzalloc_zeroes),
		T(test_kheap_kfree_null_is_a_no_op),
		T(test_kheap_kfree_refuses_double_free),
		T(test_kheap_kfree_refuses_interior_pointers),
		T(test_kheap_kfree_refuses_foreign_pointers),
		T(test_kheap_slab_free_refuses_wrong_cache),
		T(test_kheap_slab_free_refuses_bad_objects),
		T(test_kheap_slab_cache_create_refuses_bad_arguments),
		T(test_kheap_keeps_one_empty_slab),
		T(test_kheap_exhaustion_returns_null_and_recovers),
		T(test_kheap_random_kmalloc_kfree),
		T(test_kheap_random_small_memory),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
