/* SPDX-License-Identifier: MIT */
/*
 * Host tests of address spaces (kernel/space.c) and of the space and log system
 * calls (kernel/sys_memory.c, kernel/sys_log.c), on the fake pmm and the
 * kernel's vm.c (test/fake/mem_fake.c builds a small machine). Each mapping
 * operation is checked against the page tables (vm_query) and the records, and
 * every refusal against "nothing changed": records, tables, quota.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kheap_fake.h"
#include "arch.h"
#include "frame.h"
#include "klog.h"
#include "mem_fake.h"
#include "pmm.h"
#include "process.h"
#include "quota.h"
#include "space.h"
#include "sys_log.h"
#include "syscall.h"
#include "thread.h"

#define PAGE 4096ull
#define MIB  (1ull << 20)
#define R    KOSH_RIGHT_READ
#define RW   (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE)
#define RX   (KOSH_RIGHT_READ | KOSH_RIGHT_EXECUTE)
#define RWX  (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_EXECUTE)

#include "pmm_fake.h"

static struct quota root;
static struct cap_slot slots[64];
static struct process proc;
static struct thread self;
static struct space *s;
static struct frame *f; /* 16 pages */

static int setup(void **state)
{
	if (mem_fake_machine_init(4096))
		return -1;
	quota_init_root(&root, 8 * MIB);
	memset(slots, 0, sizeof(slots));
	memset(&proc, 0, sizeof(proc));
	memset(&self, 0, sizeof(self));
	if (cap_table_init(&proc.caps, slots, 64))
		return -1;
	strcpy(proc.name, "tester");
	self.proc = &proc;
	if (space_create(&root, &s) || frame_create_ram(&root, 16 * PAGE, 0, &f))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	cap_table_clear(&proc.caps);
	if (s)
		kobject_put(&s->obj);
	if (f)
		kobject_put(&f->obj);
	assert_int_equal(root.used, 0);
	assert_int_equal(root.obj.refs, 1);
	return mem_fake_machine_fini();
}

static kosh_handle_t give(struct kobject *o, uint32_t rights)
{
	kosh_handle_t h;
	kobject_get(o);
	assert_int_equal(cap_insert(&proc.caps, o, rights, 0, &h), KOSH_OK);
	return h;
}

static int64_t call(int64_t (*handler)(struct thread *, uint64_t *), uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { a0, a1, a2, a3, a4, a5 };
	return handler(&self, r);
}

/* va is mapped to frame page `page` of f with flags containing want (and W/X as want says). */
static void expect_page(uint64_t va, uint64_t page, uint32_t want)
{
	uint64_t pa;
	uint32_t flags;
	assert_int_equal(vm_query(&s->vm, va, &pa, &flags, NULL), PT_OK);
	assert_int_equal(pa, f->phys + page * PAGE);
	assert_int_equal(flags & (PT_WRITE | PT_EXEC), want);
	assert_true(flags & PT_USER);
}

static void expect_unmapped(uint64_t va)
{
	assert_int_equal(vm_query(&s->vm, va, NULL, NULL, NULL), PT_E_NOT_MAPPED);
}

/* The i-th mapping of s, in address order. */
static const struct mapping *nth(unsigned i)
{
	list_for_each(pos, &s->mappings) {
		if (!i--)
			return list_entry(pos, struct mapping, space_link);
	}
	return NULL;
}

static void expect_mapping(unsigned i, uint64_t va, uint64_t size, uint64_t offset,
			   uint32_t rights)
{
	const struct mapping *m = nth(i);
	assert_non_null(m);
	assert_int_equal(m->va, va);
	assert_int_equal(m->size, size);
	assert_int_equal(m->offset, offset);
	assert_int_equal(m->rights, rights);
	assert_ptr_equal(m->frame, f);
}

/* ---- the object ---- */

static void test_space_create_charges_object_and_root(void **state)
{
	struct space *t;
	uint64_t before = root.used;
	assert_int_equal(space_create(&root, &t), KOSH_OK);
	assert_int_equal(t->obj.type, KOSH_OBJ_SPACE);
	assert_int_equal(root.used - before, sizeof(struct space) + PAGE);
	assert_int_equal(t->vm.pt.tables, 1);
	kobject_put(&t->obj);
	assert_int_equal(root.used, before);
}

static void test_space_create_quota_exhaustion_changes_nothing(void **state)
{
	struct quota small;
	struct space *t = NULL;
	unsigned pages = pmm_fake.in_use;
	quota_init_root(&small, sizeof(struct space) + PAGE - 1);
	assert_int_equal(space_create(&small, &t), KOSH_E_NO_MEMORY);
	assert_null(t);
	assert_int_equal(small.used, 0);
	assert_int_equal(pmm_fake.in_use, pages);
	pmm_fake.fail_after = 0;
	assert_int_equal(space_create(&root, &t), KOSH_E_NO_MEMORY);
	pmm_fake.fail_after = -1;
	kheap_fake.fail_after = 0;
	assert_int_equal(space_create(&root, &t), KOSH_E_NO_MEMORY);
	kheap_fake.fail_after = -1;
	assert_int_equal(pmm_fake.in_use, pages);
}

static void test_space_map_sets_translations_and_charges(void **state)
{
	uint64_t before = root.used;
	assert_int_equal(space_map(s, f, 0, 0x400000, 4 * PAGE, RW), KOSH_OK);
	assert_int_equal(space_map(s, f, 8 * PAGE, 0x500000, 2 * PAGE, RX), KOSH_OK);
	assert_int_equal(space_map(s, f, 4 * PAGE, 0x300000, PAGE, R), KOSH_OK);
	expect_page(0x400000, 0, PT_WRITE);
	expect_page(0x403000, 3, PT_WRITE);
	expect_page(0x501000, 9, PT_EXEC);
	expect_page(0x300000, 4, 0);
	expect_unmapped(0x404000);
	assert_int_equal(s->count, 3);
	expect_mapping(0, 0x300000, PAGE, 4 * PAGE, R); /* sorted by address */
	expect_mapping(1, 0x400000, 4 * PAGE, 0, RW);
	expect_mapping(2, 0x500000, 2 * PAGE, 8 * PAGE, RX);
	assert_int_equal(frame_mapping_count(f), 3);
	assert_ptr_equal(space_find(s, 0x402fff), nth(1));
	assert_null(space_find(s, 0x404000));
	/* Three records and the tables under them (the root was charged already). */
	assert_int_equal(root.used - before,
			 3 * sizeof(struct mapping) + (s->vm.pt.tables - 1) * PAGE);
}

static void test_space_map_refusals_change_nothing(void **state)
{
	assert_int_equal(space_map(s, f, 0, 0x400000, 4 * PAGE, RW), KOSH_OK);
	uint64_t used = root.used, tables = s->vm.pt.tables;
	struct { uint64_t offset, va, size; uint32_t rights; kosh_err_t err; } bad[] = {
		{ 0, 0x100000, PAGE, RWX, KOSH_E_INVALID_ARGUMENT },        /* W+X */
		{ 0, 0x100000, PAGE, KOSH_RIGHT_WRITE, KOSH_E_INVALID_ARGUMENT }, /* no READ */
		{ 0, 0x100000, PAGE, R | KOSH_RIGHT_MAP, KOSH_E_INVALID_ARGUMENT },
		{ 0, 0x100800, PAGE, R, KOSH_E_INVALID_ARGUMENT },          /* misaligned va */
		{ 0x800, 0x100000, PAGE, R, KOSH_E_INVALID_ARGUMENT },      /* misaligned offset */
		{ 0, 0x100000, 100, R, KOSH_E_INVALID_ARGUMENT },           /* misaligned size */
		{ 0, 0x100000, 0, R, KOSH_E_INVALID_ARGUMENT },             /* empty */
		{ 0, 0x100000, 17 * PAGE, R, KOSH_E_OUT_OF_RANGE },         /* past the frame */
		{ 15 * PAGE, 0x100000, 2 * PAGE, R, KOSH_E_OUT_OF_RANGE },
		{ 17 * PAGE, 0x100000, PAGE, R, KOSH_E_OUT_OF_RANGE },
		{ UINT64_MAX & ~(PAGE - 1), 0x100000, 2 * PAGE, R, KOSH_E_OUT_OF_RANGE },
		{ 0, 0xffff800000000000ull, PAGE, R, KOSH_E_OUT_OF_RANGE }, /* kernel half */
		{ 0, 0xffffffff80000000ull, PAGE, R, KOSH_E_OUT_OF_RANGE },
		{ 0, arch_user_top() - PAGE, 2 * PAGE, R, KOSH_E_OUT_OF_RANGE }, /* crosses the top */
		{ 0, UINT64_MAX & ~(PAGE - 1), 2 * PAGE, R, KOSH_E_OUT_OF_RANGE }, /* wraps */
		{ 0, 0x400000, PAGE, R, KOSH_E_ALREADY_EXISTS },            /* overlap */
		{ 0, 0x3ff000, 2 * PAGE, R, KOSH_E_ALREADY_EXISTS },
		{ 0, 0x403000, 2 * PAGE, R, KOSH_E_ALREADY_EXISTS },
		{ 0, 0x3fe000, 8 * PAGE, R, KOSH_E_ALREADY_EXISTS },        /* around */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kosh_err_t err = space_map(s, f, bad[i].offset, bad[i].va, bad[i].size, bad[i].rights);
		if (err != bad[i].err)
			fail_msg("case %u: %d, expected %d", i, err, bad[i].err);
	}
	assert_int_equal(s->count, 1);
	assert_int_equal(frame_mapping_count(f), 1);
	assert_int_equal(root.used, used);
	assert_int_equal(s->vm.pt.tables, tables);
	/* Right next to it on both sides is fine. */
	assert_int_equal(space_map(s, f, 0, 0x3ff000, PAGE, R), KOSH_OK);
	assert_int_equal(space_map(s, f, 0, 0x404000, PAGE, R), KOSH_OK);
}

static void test_space_map_cap_rights_limit(void **state)
{
	assert_int_equal(space_map_cap(s, f, 0, 0x1000, PAGE, RW, R | KOSH_RIGHT_MAP),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(space_map_cap(s, f, 0, 0x1000, PAGE, R, R | KOSH_RIGHT_MAP), KOSH_OK);
	assert_int_equal(nth(0)->max_rights, R);
	assert_int_equal(space_protect(s, 0x1000, PAGE, RW), KOSH_E_ACCESS_DENIED);
	assert_int_equal(space_protect(s, 0x1000, PAGE, RX), KOSH_E_ACCESS_DENIED);
	expect_page(0x1000, 0, 0);
}

static void test_space_map_quota_exhaustion_changes_nothing(void **state)
{
	struct quota small;
	struct space *t;
	/* Room for the object, the root and one record, but no table under the root. */
	quota_init_root(&small, sizeof(struct space) + PAGE + sizeof(struct mapping));
	assert_int_equal(space_create(&small, &t), KOSH_OK);
	assert_int_equal(space_map(t, f, 0, 0x400000, PAGE, R), KOSH_E_NO_MEMORY);
	assert_int_equal(small.used, sizeof(struct space) + PAGE);
	assert_int_equal(t->count, 0);
	assert_int_equal(t->vm.pt.tables, 1);
	assert_int_equal(frame_mapping_count(f), 0);
	assert_int_equal(vm_query(&t->vm, 0x400000, NULL, NULL, NULL), PT_E_NOT_MAPPED);
	/* Room for the tables or the record, not both. */
	quota_init_root(&small, sizeof(struct space) + 4 * PAGE);
	kobject_put(&t->obj);
	assert_int_equal(space_create(&small, &t), KOSH_OK);
	assert_int_equal(space_map(t, f, 0, 0x400000, PAGE, R), KOSH_E_NO_MEMORY);
	assert_int_equal(small.used, sizeof(struct space) + PAGE);
	kobject_put(&t->obj);
	assert_int_equal(small.used, 0);
}

/* ---- unmap ---- */

static void test_space_unmap_splits_mappings(void **state)
{
	uint64_t base = root.used;
	assert_int_equal(space_map(s, f, 0, 0x400000, 8 * PAGE, RW), KOSH_OK);
	mem_fake_load_elsewhere(s); /* another CPU runs it: its TLB must hear */
	uint64_t flushes = mem_fake.tlb_flushes;
	/* A hole in the middle: two mappings. */
	assert_int_equal(space_unmap(s, 0x402000, 2 * PAGE), KOSH_OK);
	assert_true(mem_fake.tlb_flushes > flushes);
	mem_fake_load_elsewhere(NULL);
	assert_int_equal(s->count, 2);
	expect_mapping(0, 0x400000, 2 * PAGE, 0, RW);
	expect_mapping(1, 0x404000, 4 * PAGE, 4 * PAGE, RW);
	expect_page(0x401000, 1, PT_WRITE);
	expect_unmapped(0x402000);
	expect_unmapped(0x403000);
	expect_page(0x404000, 4, PT_WRITE);
	assert_int_equal(frame_mapping_count(f), 2);
	/* The head of one and the tail of another need no hole-free span between them... */
	assert_int_equal(space_unmap(s, 0x401000, 4 * PAGE), KOSH_E_NOT_FOUND);
	assert_int_equal(s->count, 2);
	expect_page(0x401000, 1, PT_WRITE);
	/* ...but a covered span may cut the end of one and the start of the next. */
	assert_int_equal(space_map(s, f, 2 * PAGE, 0x402000, 2 * PAGE, R), KOSH_OK);
	assert_int_equal(space_unmap(s, 0x401000, 4 * PAGE), KOSH_OK);
	assert_int_equal(s->count, 2);
	expect_mapping(0, 0x400000, PAGE, 0, RW);
	expect_mapping(1, 0x405000, 3 * PAGE, 5 * PAGE, RW);
	expect_page(0x405000, 5, PT_WRITE);
	expect_unmapped(0x404000);
	/* Everything: no record, no table left but the root. */
	assert_int_equal(space_unmap(s, 0x405000, 3 * PAGE), KOSH_OK);
	assert_int_equal(space_unmap(s, 0x400000, PAGE), KOSH_OK);
	assert_int_equal(s->count, 0);
	assert_int_equal(frame_mapping_count(f), 0);
	assert_int_equal(s->vm.pt.tables, 1);
	assert_int_equal(root.used, base);
}

static void test_space_unmap_refusals_change_nothing(void **state)
{
	assert_int_equal(space_map(s, f, 0, 0x400000, 4 * PAGE, RW), KOSH_OK);
	uint64_t used = root.used;
	assert_int_equal(space_unmap(s, 0x3ff000, 2 * PAGE), KOSH_E_NOT_FOUND);
	assert_int_equal(space_unmap(s, 0x403000, 2 * PAGE), KOSH_E_NOT_FOUND);
	assert_int_equal(space_unmap(s, 0x500000, PAGE), KOSH_E_NOT_FOUND);
	assert_int_equal(space_unmap(s, 0x400800, PAGE), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(space_unmap(s, 0x400000, 0), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(space_unmap(s, 0xffff800000000000ull, PAGE), KOSH_E_OUT_OF_RANGE);
	assert_int_equal(space_unmap(s, UINT64_MAX & ~(PAGE - 1), 2 * PAGE), KOSH_E_OUT_OF_RANGE);
	/* A split needs a record: without quota for it, nothing happens. */
	struct quota *q = s->quota;
	uint64_t limit = q->limit;
	q->limit = q->used;
	assert_int_equal(space_unmap(s, 0x401000, PAGE), KOSH_E_NO_MEMORY);
	q->limit = limit;
	assert_int_equal(s->count, 1);
	assert_int_equal(root.used, used);
	for (unsigned i = 0; i < 4; i++)
		expect_page(0x400000 + i * PAGE, i, PT_WRITE);
	/* Cutting an end needs none. */
	q->limit = q->used;
	assert_int_equal(space_unmap(s, 0x403000, PAGE), KOSH_OK);
	q->limit = limit;
}

static void test_space_unmap_splits_large_pages(void **state)
{
	struct frame *big;
	uint64_t pa, size;
	assert_int_equal(frame_create_ram(&root, 2 * MIB, 0, &big), KOSH_OK);
	assert_int_equal(big->phys % (2 * MIB), 0);
	assert_int_equal(space_map(s, big, 0, 0x40000000, 2 * MIB, RW), KOSH_OK);
	assert_int_equal(vm_query(&s->vm, 0x40000000, &pa, NULL, &size), PT_OK);
	assert_int_equal(size, 2 * MIB);
	uint64_t used = root.used;
	/* The split needs a table page: the pmm has none to give, nothing changes. */
	pmm_fake.fail_after = 0;
	assert_int_equal(space_unmap(s, 0x40001000, PAGE), KOSH_E_NO_MEMORY);
	pmm_fake.fail_after = -1;
	assert_int_equal(root.used, used);
	assert_int_equal(s->count, 1);
	assert_int_equal(vm_query(&s->vm, 0x40001000, &pa, NULL, &size), PT_OK);
	assert_int_equal(size, 2 * MIB);
	/* Now it works, and destroying the frame removes both halves. */
	assert_int_equal(space_unmap(s, 0x40001000, PAGE), KOSH_OK);
	assert_int_equal(s->count, 2);
	assert_int_equal(vm_query(&s->vm, 0x40002000, &pa, NULL, &size), PT_OK);
	assert_int_equal(pa, big->phys + 2 * PAGE);
	assert_int_equal(size, PAGE);
	kobject_put(&big->obj);
	assert_int_equal(s->count, 0);
	assert_int_equal(s->vm.pt.tables, 1);
}

/* A space's TLB entries live only where it is loaded: flush there, and only there. */
static void test_space_flush_reaches_only_cpus_running_it(void **state)
{
	assert_int_equal(space_map(s, f, 0, 0x400000, 4 * PAGE, RW), KOSH_OK);
	uint64_t all = mem_fake.tlb_flushes, local = mem_fake.local_flushes;
	assert_int_equal(space_unmap(s, 0x400000, PAGE), KOSH_OK); /* loaded nowhere */
	assert_int_equal(mem_fake.tlb_flushes, all);
	assert_int_equal(mem_fake.local_flushes, local);
	space_activate(s); /* loaded here only: this CPU's TLB */
	assert_int_equal(space_unmap(s, 0x401000, PAGE), KOSH_OK);
	assert_int_equal(mem_fake.tlb_flushes, all);
	assert_int_equal(mem_fake.local_flushes, local + 1);
	mem_fake_load_elsewhere(s); /* and on another CPU: every CPU */
	assert_int_equal(space_protect(s, 0x402000, PAGE, R), KOSH_OK);
	assert_int_equal(mem_fake.tlb_flushes, all + 1);
	mem_fake_load_elsewhere(NULL);
	space_activate(NULL);
}

/* ---- protect ---- */

static void test_space_protect_splits_mappings(void **state)
{
	assert_int_equal(space_map(s, f, 0, 0x400000, 8 * PAGE, RW), KOSH_OK);
	mem_fake_load_elsewhere(s);
	uint64_t flushes = mem_fake.tlb_flushes;
	assert_int_equal(space_protect(s, 0x402000, 2 * PAGE, R), KOSH_OK);
	assert_true(mem_fake.tlb_flushes > flushes);
	mem_fake_load_elsewhere(NULL);
	assert_int_equal(s->count, 3);
	expect_mapping(0, 0x400000, 2 * PAGE, 0, RW);
	expect_mapping(1, 0x402000, 2 * PAGE, 2 * PAGE, R);
	expect_mapping(2, 0x404000, 4 * PAGE, 4 * PAGE, RW);
	expect_page(0x401000, 1, PT_WRITE);
	expect_page(0x402000, 2, 0);
	expect_page(0x403000, 3, 0);
	expect_page(0x404000, 4, PT_WRITE);
	assert_int_equal(frame_mapping_count(f), 3);
	/* Across three mappings, cutting the outer two. */
	assert_int_equal(space_protect(s, 0x401000, 5 * PAGE, RX), KOSH_OK);
	assert_int_equal(s->count, 5);
	expect_mapping(0, 0x400000, PAGE, 0, RW);
	expect_mapping(1, 0x401000, PAGE, PAGE, RX);
	expect_mapping(2, 0x402000, 2 * PAGE, 2 * PAGE, RX);
	expect_mapping(3, 0x404000, 2 * PAGE, 4 * PAGE, RX);
	expect_mapping(4, 0x406000, 2 * PAGE, 6 * PAGE, RW);
	for (unsigned i = 1; i < 6; i++)
		expect_page(0x400000 + i * PAGE, i, PT_EXEC);
	expect_page(0x406000, 6, PT_WRITE);
	/* Whole mappings: no split. */
	assert_int_equal(space_protect(s, 0x400000, 8 * PAGE, R), KOSH_OK);
	assert_int_equal(s->count, 5);
	for (unsigned i = 0; i < 8; i++)
		expect_page(0x400000 + i * PAGE, i, 0);
}

static void test_space_protect_refusals_change_nothing(void **state)
{
	assert_int_equal(space_map(s, f, 0, 0x400000, 4 * PAGE, RW), KOSH_OK);
	assert_int_equal(space_map(s, f, 8 * PAGE, 0x405000, 2 * PAGE, RW), KOSH_OK);
	uint64_t used = root.used;
	assert_int_equal(space_protect(s, 0x400000, PAGE, RWX), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(space_protect(s, 0x400000, PAGE, KOSH_RIGHT_WRITE),
			 KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(space_protect(s, 0x400000, 0, R), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(space_protect(s, 0x400100, PAGE, R), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(space_protect(s, 0x403000, 3 * PAGE, R), KOSH_E_NOT_FOUND); /* hole */
	assert_int_equal(space_protect(s, 0xffff800000000000ull, PAGE, R), KOSH_E_OUT_OF_RANGE);
	struct quota *q = s->quota;
	uint64_t limit = q->limit;
	q->limit = q->used;
	assert_int_equal(space_protect(s, 0x401000, PAGE, R), KOSH_E_NO_MEMORY);
	q->limit = limit;
	assert_int_equal(s->count, 2);
	assert_int_equal(root.used, used);
	for (unsigned i = 0; i < 4; i++)
		expect_page(0x400000 + i * PAGE, i, PT_WRITE);
}

static void test_space_protect_failure_restores_earlier_mappings(void **state)
{
	struct frame *big;
	assert_int_equal(frame_create_ram(&root, 2 * MIB, 0, &big), KOSH_OK);
	/* A small mapping, then a 2 MiB page right after it. */
	assert_int_equal(space_map(s, f, 0, 0x401ff000 - 0x1000, 2 * PAGE, RW), KOSH_OK);
	assert_int_equal(space_map(s, big, 0, 0x40200000, 2 * MIB, RW), KOSH_OK);
	/* Cutting into the large page needs a table; the pmm refuses it. */
	pmm_fake.fail_after = 0;
	assert_int_equal(space_protect(s, 0x401fe000, 3 * PAGE, R), KOSH_E_NO_MEMORY);
	pmm_fake.fail_after = -1;
	expect_page(0x401fe000, 0, PT_WRITE);
	expect_page(0x401ff000, 1, PT_WRITE);
	assert_int_equal(s->count, 2);
	assert_int_equal(space_protect(s, 0x401fe000, 3 * PAGE, R), KOSH_OK);
	assert_int_equal(s->count, 3);
	uint32_t flags;
	assert_int_equal(vm_query(&s->vm, 0x40200000, NULL, &flags, NULL), PT_OK);
	assert_false(flags & PT_WRITE);
	assert_int_equal(vm_query(&s->vm, 0x40201000, NULL, &flags, NULL), PT_OK);
	assert_true(flags & PT_WRITE);
	kobject_put(&big->obj);
}

/* ---- lifetime ---- */

static void test_space_destroy_detaches_from_frames(void **state)
{
	struct space *t;
	uint64_t before = root.used;
	assert_int_equal(space_create(&root, &t), KOSH_OK);
	assert_int_equal(space_map(t, f, 0, 0x1000, 4 * PAGE, RW), KOSH_OK);
	assert_int_equal(space_map(t, f, 0, 0x7f0000000000ull, PAGE, R), KOSH_OK);
	assert_int_equal(space_map(s, f, 0, 0x1000, PAGE, R), KOSH_OK);
	assert_int_equal(frame_mapping_count(f), 3);
	kobject_put(&t->obj);
	assert_int_equal(frame_mapping_count(f), 1);
	assert_int_equal(root.used - before,
			 sizeof(struct mapping) + (s->vm.pt.tables - 1) * PAGE);
	expect_page(0x1000, 0, 0);
}

static void test_space_activate_switches_roots(void **state)
{
	struct space *t;
	assert_int_equal(space_create(&root, &t), KOSH_OK);
	space_activate(t);
	assert_int_equal(mem_fake.user_root, t->vm.pt.root_lo);
	uint64_t switches = mem_fake.user_switches;
	space_activate(t); /* the same space: the TLB is kept */
	assert_int_equal(mem_fake.user_switches, switches);
	space_activate(s);
	assert_int_equal(mem_fake.user_root, s->vm.pt.root_lo);
	space_activate(NULL);
	assert_int_equal(mem_fake.user_root, 0);
	/* Destroying the space this CPU runs on leaves it first. */
	space_activate(t);
	kobject_put(&t->obj);
	assert_int_equal(mem_fake.user_root, 0);
}

/* ---- the handlers ---- */

static void test_sys_space_create_and_map(void **state)
{
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE);
	int64_t sp = call(sys_space_create, q, 0, 0, 0, 0, 0);
	assert_true(sp > 0);
	uint32_t type, rights;
	uint64_t badge;
	assert_int_equal(cap_info(&proc.caps, (kosh_handle_t)sp, &type, &rights, &badge), KOSH_OK);
	assert_int_equal(type, KOSH_OBJ_SPACE);
	assert_int_equal(rights, KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE |
					 KOSH_RIGHT_MANAGE);
	int64_t fr = call(sys_frame_create, q, 4 * PAGE, 0, 0, 0, 0);
	assert_true(fr > 0);
	assert_int_equal(call(sys_space_map, sp, fr, 0, 0x10000, 4 * PAGE, RW), KOSH_OK);
	assert_int_equal(call(sys_space_protect, sp, 0x11000, PAGE, RX, 0, 0), KOSH_OK);
	assert_int_equal(call(sys_space_unmap, sp, 0x10000, 2 * PAGE, 0, 0, 0), KOSH_OK);
	assert_int_equal(call(sys_space_unmap, sp, 0x10000, PAGE, 0, 0, 0), KOSH_E_NOT_FOUND);
	assert_int_equal(call(sys_space_map, sp, fr, 0, 0x10000, PAGE, RWX), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(call(sys_space_map, sp, fr, 0, 0x10000, PAGE, R | KOSH_RIGHT_MAP),
			 KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(call(sys_space_map, fr, fr, 0, 0x10000, PAGE, R), KOSH_E_WRONG_TYPE);
	assert_int_equal(call(sys_space_map, sp, sp, 0, 0x10000, PAGE, R), KOSH_E_WRONG_TYPE);
	/* Closing both handles destroys both objects; everything is given back. */
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)fr), KOSH_OK);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)sp), KOSH_OK);
}

static void test_sys_space_map_frame_rights(void **state)
{
	kosh_handle_t sp = give(&s->obj, KOSH_RIGHT_MAP);
	kosh_handle_t no_map = give(&f->obj, RWX);
	kosh_handle_t read_only = give(&f->obj, R | KOSH_RIGHT_MAP);
	kosh_handle_t full = give(&f->obj, RWX | KOSH_RIGHT_MAP);
	kosh_handle_t sp_no_map = give(&s->obj, KOSH_RIGHT_MANAGE);
	uint64_t used = root.used;
	assert_int_equal(call(sys_space_map, sp, no_map, 0, 0x10000, PAGE, R), KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_space_map, sp, read_only, 0, 0x10000, PAGE, RW),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_space_map, sp, read_only, 0, 0x10000, PAGE, RX),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_space_map, sp_no_map, full, 0, 0x10000, PAGE, R),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(s->count, 0);
	assert_int_equal(root.used, used);
	/* Read-only from a read-only cap, and protect can never make it writable. */
	assert_int_equal(call(sys_space_map, sp, read_only, 0, 0x10000, 2 * PAGE, R), KOSH_OK);
	assert_int_equal(call(sys_space_protect, sp, 0x10000, PAGE, RW, 0, 0), KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_space_protect, sp, 0x10000, PAGE, R | (1u << 8), 0, 0),
			 KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(call(sys_space_protect, sp_no_map, 0x10000, PAGE, R, 0, 0),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_space_unmap, sp_no_map, 0x10000, PAGE, 0, 0, 0),
			 KOSH_E_ACCESS_DENIED);
	expect_page(0x10000, 0, 0);
	/* A full cap's mapping may go read-only and back to writable. */
	assert_int_equal(call(sys_space_map, sp, full, 0, 0x20000, PAGE, RW), KOSH_OK);
	assert_int_equal(call(sys_space_protect, sp, 0x20000, PAGE, R, 0, 0), KOSH_OK);
	assert_int_equal(call(sys_space_protect, sp, 0x20000, PAGE, RW, 0, 0), KOSH_OK);
	assert_int_equal(call(sys_space_protect, sp, 0x20000, PAGE, RX, 0, 0), KOSH_OK);
	/* Both together: the read-only one limits the range. */
	assert_int_equal(call(sys_space_map, sp, full, 2 * PAGE, 0x12000, PAGE, RW), KOSH_OK);
	assert_int_equal(call(sys_space_protect, sp, 0x10000, 3 * PAGE, RW, 0, 0),
			 KOSH_E_ACCESS_DENIED);
	expect_page(0x12000, 2, PT_WRITE);
}

/* ---- the log ---- */

static struct kosh_log_record record;

static void test_sys_log_write_and_read(void **state)
{
	kosh_handle_t log = give(log_object(), KOSH_RIGHT_READ | KOSH_RIGHT_WRITE);
	kobject_put(log_object()); /* give took its own reference */
	uint64_t seq = klog_next_seq();
	const char text[] = "hello\x1b[2J\tworld\xff\n";
	assert_int_equal(call(sys_log_write, log, (uintptr_t)text, sizeof(text) - 1, 0, 0, 0),
			 KOSH_OK);
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { log, seq, (uintptr_t)&record, sizeof(record) };
	int64_t n = sys_log_read(&self, r);
	assert_int_equal(n, offsetof(struct kosh_log_record, text) + record.len + 1);
	assert_int_equal(record.seq, seq);
	assert_int_equal(r[1], seq + 1);
	assert_int_equal(record.level, KLOG_INFO);
	assert_string_equal(record.text, "tester: hello?[2J?world?");
	assert_int_equal(record.len, strlen(record.text));
	/* Nothing newer yet. */
	r[1] = seq + 1;
	assert_int_equal(sys_log_read(&self, r), KOSH_E_WOULD_BLOCK);
	klog_warn("kernel line");
	assert_int_equal(sys_log_read(&self, r), offsetof(struct kosh_log_record, text) + 12);
	assert_int_equal(record.level, KLOG_WARN);
	assert_string_equal(record.text, "kernel line");
	assert_int_equal(r[1], seq + 2);
}

static void test_sys_log_refusals(void **state)
{
	char big[KOSH_LOG_TEXT_MAX + 1];
	memset(big, 'a', sizeof(big));
	kosh_handle_t writer = give(log_object(), KOSH_RIGHT_WRITE);
	kosh_handle_t reader = give(log_object(), KOSH_RIGHT_READ);
	kobject_put(log_object());
	kobject_put(log_object());
	uint64_t seq = klog_next_seq();
	assert_int_equal(call(sys_log_write, writer, (uintptr_t)big, sizeof(big), 0, 0, 0),
			 KOSH_E_TOO_BIG);
	assert_int_equal(call(sys_log_write, reader, (uintptr_t)big, 4, 0, 0, 0),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_log_write, writer, 0xffff800000000000ull, 4, 0, 0, 0),
			 KOSH_E_BAD_ADDRESS);
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE);
	assert_int_equal(call(sys_log_write, q, (uintptr_t)big, 4, 0, 0, 0), KOSH_E_WRONG_TYPE);
	assert_int_equal(klog_next_seq(), seq); /* nothing was logged */
	assert_int_equal(call(sys_log_write, writer, (uintptr_t)big, KOSH_LOG_TEXT_MAX, 0, 0, 0),
			 KOSH_OK);
	assert_int_equal(call(sys_log_read, writer, seq, (uintptr_t)&record, sizeof(record), 0, 0),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_log_read, reader, seq, (uintptr_t)&record, sizeof(record) - 1,
			      0, 0),
			 KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(call(sys_log_read, reader, seq, 0xffff800000000000ull, sizeof(record), 0,
			      0),
			 KOSH_E_BAD_ADDRESS);
	assert_true(call(sys_log_read, reader, seq, (uintptr_t)&record, sizeof(record), 0, 0) > 0);
	assert_int_equal(record.len, KOSH_LOG_TEXT_MAX - 1); /* the ring's line limit */
	assert_int_equal(call(sys_debug_print, (uintptr_t)big, 4, 0, 0, 0, 0),
			 KOSH_E_NOT_SUPPORTED);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_space_create_charges_object_and_root),
		T(test_space_create_quota_exhaustion_changes_nothing),
		T(test_space_map_sets_translations_and_charges),
		T(test_space_map_refusals_change_nothing),
		T(test_space_map_cap_rights_limit),
		T(test_space_map_quota_exhaustion_changes_nothing),
		T(test_space_unmap_splits_mappings),
		T(test_space_flush_reaches_only_cpus_running_it),
		T(test_space_unmap_refusals_change_nothing),
		T(test_space_unmap_splits_large_pages),
		T(test_space_protect_splits_mappings),
		T(test_space_protect_refusals_change_nothing),
		T(test_space_protect_failure_restores_earlier_mappings),
		T(test_space_destroy_detaches_from_frames),
		T(test_space_activate_switches_roots),
		T(test_sys_space_create_and_map),
		T(test_sys_space_map_frame_rights),
		T(test_sys_log_write_and_read),
		T(test_sys_log_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
