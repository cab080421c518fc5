/* SPDX-License-Identifier: MIT */
/*
 * Host tests of frames (kernel/frame.c) and of the frame and quota system calls
 * (kernel/sys_memory.c, kernel/sys_quota.c), on the fake pmm and the kernel's
 * vm.c (test/fake/mem_fake.c builds a small machine). Handlers run for a fake
 * thread whose process has a real capability table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kheap_fake.h"
#include "frame.h"
#include "mem_fake.h"
#include "pmm.h"
#include "process.h"
#include "quota.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

#define PAGE 4096ull
#define MIB  (1ull << 20)
#define FRAME_COST(pages) ((pages) * PAGE + sizeof(struct frame))

#include "pmm_fake.h"

static struct quota root;
static struct cap_slot slots[64];
static struct process proc;
static struct thread self;

static int setup(void **state)
{
	if (mem_fake_machine_init(4096))
		return -1;
	quota_init_root(&root, 4 * MIB);
	memset(slots, 0, sizeof(slots));
	memset(&proc, 0, sizeof(proc));
	memset(&self, 0, sizeof(self));
	if (cap_table_init(&proc.caps, slots, 64))
		return -1;
	strcpy(proc.name, "tester");
	self.proc = &proc;
	return 0;
}

static int teardown(void **state)
{
	cap_table_clear(&proc.caps);
	assert_int_equal(root.used, 0);
	assert_int_equal(root.obj.refs, 1);
	return mem_fake_machine_fini();
}

/* A handle in the fake process's table for o, with rights (o gets a reference). */
static kosh_handle_t give(struct kobject *o, uint32_t rights)
{
	kosh_handle_t h;
	kobject_get(o);
	assert_int_equal(cap_insert(&proc.caps, o, rights, 0, &h), KOSH_OK);
	return h;
}

static int64_t call(int64_t (*handler)(struct thread *, uint64_t *), uint64_t a0, uint64_t a1,
		    uint64_t a2)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { a0, a1, a2 };
	return handler(&self, r);
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* ---- frames ---- */

static void test_frame_ram_charges_and_uncharges_exactly(void **state)
{
	struct frame *f;
	unsigned pages_before = pmm_fake.in_use;
	assert_int_equal(frame_create_ram(&root, 3 * PAGE - 100, 0, &f), KOSH_OK);
	assert_int_equal(f->obj.type, KOSH_OBJ_FRAME);
	assert_int_equal(f->size, 3 * PAGE);          /* page-rounded */
	assert_int_equal(f->order, 2);                /* a block of 4 pages */
	assert_int_equal(f->phys % (4 * PAGE), 0);
	assert_int_equal(root.used, FRAME_COST(4));   /* the whole block and the object */
	assert_int_equal(root.obj.refs, 2);           /* the frame holds its quota */
	assert_int_equal(pmm_fake.in_use, pages_before + 4);
	assert_true(all_zero(phys_to_virt(f->phys), 4 * PAGE));
	kobject_put(&f->obj);
	assert_int_equal(root.used, 0);
	assert_int_equal(root.obj.refs, 1);
	assert_int_equal(pmm_fake.in_use, pages_before);
}

static void test_frame_ram_quota_exhaustion_changes_nothing(void **state)
{
	struct frame *f = NULL;
	unsigned pages_before = pmm_fake.in_use;
	uint64_t allocs = kheap_fake.kmallocs;
	quota_init_root(&root, FRAME_COST(4) - 1);
	assert_int_equal(frame_create_ram(&root, 4 * PAGE, 0, &f), KOSH_E_NO_MEMORY);
	assert_null(f);
	assert_int_equal(root.used, 0);
	assert_int_equal(pmm_fake.in_use, pages_before);
	assert_int_equal(kheap_fake.kmallocs, allocs);
	quota_init_root(&root, FRAME_COST(4));
	assert_int_equal(frame_create_ram(&root, 4 * PAGE, 0, &f), KOSH_OK);
	assert_int_equal(root.used, root.limit);
	kobject_put(&f->obj);
}

static void test_frame_ram_allocation_failure_uncharges(void **state)
{
	struct frame *f;
	unsigned pages_before = pmm_fake.in_use;
	pmm_fake.fail_after = 0;
	assert_int_equal(frame_create_ram(&root, PAGE, 0, &f), KOSH_E_NO_MEMORY);
	pmm_fake.fail_after = -1;
	assert_int_equal(root.used, 0);
	kheap_fake.fail_after = 0;
	assert_int_equal(frame_create_ram(&root, PAGE, 0, &f), KOSH_E_NO_MEMORY);
	kheap_fake.fail_after = -1;
	assert_int_equal(root.used, 0);
	assert_int_equal(root.obj.refs, 1);
	assert_int_equal(pmm_fake.in_use, pages_before);
}

static void test_frame_ram_refuses_bad_arguments(void **state)
{
	struct frame *f;
	assert_int_equal(frame_create_ram(&root, 0, 0, &f), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(frame_create_ram(&root, PAGE, 2, &f), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(frame_create_ram(&root, FRAME_MAX_SIZE + 1, 0, &f), KOSH_E_TOO_BIG);
	assert_int_equal(frame_create_ram(&root, UINT64_MAX, 0, &f), KOSH_E_TOO_BIG);
	assert_int_equal(root.used, 0);
}

static void test_frame_ram_low32_flag_accepted(void **state)
{
	struct frame *f;
	assert_int_equal(frame_create_ram(&root, PAGE, KOSH_FRAME_LOW32, &f), KOSH_OK);
	kobject_put(&f->obj);
}

static void test_frame_phys_is_never_freed_nor_charged(void **state)
{
	struct frame *f;
	uint64_t frees = pmm_fake.frees;
	assert_int_equal(frame_create_phys(0xfe000000, 2 * PAGE, FRAME_CACHE_DEVICE, &f), KOSH_OK);
	assert_int_equal(f->flags & FRAME_RAM, 0);
	assert_null(f->quota);
	kobject_put(&f->obj);
	assert_int_equal(pmm_fake.frees, frees);
	assert_int_equal(pmm_fake.bad_frees, 0);
	assert_int_equal(frame_create_phys(0xfe000800, PAGE, 0, &f), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(frame_create_phys(0xfe000000, 100, 0, &f), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(frame_create_phys(0xfe000000, 0, 0, &f), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(frame_create_phys(UINT64_MAX & ~(PAGE - 1), 2 * PAGE, 0, &f),
			 KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(frame_create_phys(0xfe000000, PAGE, 3, &f), KOSH_E_INVALID_ARGUMENT);
}

static void test_frame_memory_types_reach_the_page_tables(void **state)
{
	struct frame *dev, *wc;
	struct space *s;
	uint64_t pa;
	uint32_t flags;
	assert_int_equal(space_create(&root, &s), KOSH_OK);
	assert_int_equal(frame_create_phys(0xfe000000, PAGE, FRAME_CACHE_DEVICE, &dev), KOSH_OK);
	assert_int_equal(frame_create_phys(0x80000000, PAGE, FRAME_CACHE_WC, &wc), KOSH_OK);
	assert_int_equal(space_map(s, dev, 0, 0x10000, PAGE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE),
			 KOSH_OK);
	assert_int_equal(space_map(s, wc, 0, 0x20000, PAGE, KOSH_RIGHT_READ), KOSH_OK);
	assert_int_equal(vm_query(&s->vm, 0x10000, &pa, &flags, NULL), PT_OK);
	assert_int_equal(pa, 0xfe000000);
	assert_true(flags & PT_DEVICE);
	assert_true(flags & PT_WRITE);
	assert_true(flags & PT_USER);
	assert_int_equal(vm_query(&s->vm, 0x20000, &pa, &flags, NULL), PT_OK);
	assert_true(flags & PT_WC);
	assert_false(flags & (PT_WRITE | PT_DEVICE));
	kobject_put(&dev->obj);
	kobject_put(&wc->obj);
	kobject_put(&s->obj);
}

static void test_frame_destroy_unmaps_from_every_space(void **state)
{
	struct space *a, *b;
	struct frame *f, *other;
	assert_int_equal(space_create(&root, &a), KOSH_OK);
	assert_int_equal(space_create(&root, &b), KOSH_OK);
	uint64_t spaces_only = root.used;
	assert_int_equal(frame_create_ram(&root, 4 * PAGE, 0, &f), KOSH_OK);
	assert_int_equal(frame_create_ram(&root, PAGE, 0, &other), KOSH_OK);
	uint32_t rw = KOSH_RIGHT_READ | KOSH_RIGHT_WRITE;
	assert_int_equal(space_map(a, f, 0, 0x400000, 4 * PAGE, rw), KOSH_OK);
	assert_int_equal(space_map(a, f, PAGE, 0x800000, PAGE, KOSH_RIGHT_READ), KOSH_OK);
	assert_int_equal(space_map(b, f, 2 * PAGE, 0x1000, 2 * PAGE, rw), KOSH_OK);
	assert_int_equal(space_map(b, other, 0, 0x10000, PAGE, rw), KOSH_OK);
	assert_int_equal(frame_mapping_count(f), 3);
	mem_fake_load_elsewhere(a); /* a runs on another CPU, b nowhere */
	uint64_t flushes = mem_fake.tlb_flushes;

	kobject_put(&f->obj);
	assert_true(mem_fake.tlb_flushes >= flushes + 2); /* a's two mappings left every TLB */
	mem_fake_load_elsewhere(NULL);
	assert_int_equal(a->count, 0);
	assert_int_equal(b->count, 1);
	assert_int_equal(vm_query(&a->vm, 0x400000, NULL, NULL, NULL), PT_E_NOT_MAPPED);
	assert_int_equal(vm_query(&a->vm, 0x800000, NULL, NULL, NULL), PT_E_NOT_MAPPED);
	assert_int_equal(vm_query(&b->vm, 0x1000, NULL, NULL, NULL), PT_E_NOT_MAPPED);
	assert_int_equal(vm_query(&b->vm, 0x10000, NULL, NULL, NULL), PT_OK);
	assert_null(space_find(a, 0x400000));

	kobject_put(&other->obj);
	assert_int_equal(b->count, 0);
	assert_int_equal(root.used, spaces_only); /* frames, records and their tables all back */
	kobject_put(&a->obj);
	kobject_put(&b->obj);
}

/* ---- frame_create ---- */

static void test_sys_frame_create_gives_a_handle_with_rights(void **state)
{
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE);
	int64_t h = call(sys_frame_create, q, 2 * PAGE, 0);
	assert_true(h > 0);
	uint32_t type, rights;
	uint64_t badge;
	assert_int_equal(cap_info(&proc.caps, (kosh_handle_t)h, &type, &rights, &badge), KOSH_OK);
	assert_int_equal(type, KOSH_OBJ_FRAME);
	assert_int_equal(rights, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_EXECUTE |
					 KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER |
					 KOSH_RIGHT_DUPLICATE | KOSH_RIGHT_MANAGE);
	assert_int_equal(root.used, FRAME_COST(2));
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)h), KOSH_OK);
	assert_int_equal(root.used, 0);
}

static void test_sys_frame_create_refusals(void **state)
{
	kosh_handle_t read_only = give(&root.obj, KOSH_RIGHT_READ);
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE);
	uint32_t used = proc.caps.used;
	assert_int_equal(call(sys_frame_create, read_only, PAGE, 0), KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_frame_create, 12345, PAGE, 0), KOSH_E_BAD_HANDLE);
	assert_int_equal(call(sys_frame_create, (1ull << 32) | q, PAGE, 0), KOSH_E_BAD_HANDLE);
	assert_int_equal(call(sys_frame_create, q, PAGE, 1ull << 32), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(call(sys_frame_create, q, 0, 0), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(call(sys_frame_create, q, 8 * MIB, 0), KOSH_E_NO_MEMORY);
	int64_t f = call(sys_frame_create, q, PAGE, 0);
	assert_true(f > 0);
	assert_int_equal(call(sys_frame_create, (uint64_t)f, PAGE, 0), KOSH_E_WRONG_TYPE);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)f), KOSH_OK);
	assert_int_equal(proc.caps.used, used);
	assert_int_equal(root.used, 0);
}

/* ---- frame_phys ---- */

static void test_sys_frame_phys_answers_the_frames_address_to_its_manager_only(void **state)
{
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE);
	int64_t h = call(sys_frame_create, q, 2 * PAGE, 0);
	assert_true(h > 0);
	struct kobject *o;
	assert_int_equal(cap_get(&proc.caps, (kosh_handle_t)h, KOSH_OBJ_FRAME, 0, &o, NULL), KOSH_OK);
	uint64_t phys = frame_from(o)->phys;
	kobject_put(o);
	assert_int_equal(call(sys_frame_phys, h, 0, 0), (int64_t)phys);
	kosh_handle_t no_manage;
	assert_int_equal(cap_dup(&proc.caps, (kosh_handle_t)h, KOSH_RIGHT_READ | KOSH_RIGHT_MAP, 0,
				 &no_manage),
			 KOSH_OK);
	assert_int_equal(call(sys_frame_phys, no_manage, 0, 0), KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_frame_phys, q, 0, 0), KOSH_E_WRONG_TYPE);
	assert_int_equal(call(sys_frame_phys, 12345, 0, 0), KOSH_E_BAD_HANDLE);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)no_manage), KOSH_OK);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)h), KOSH_OK);
	assert_int_equal(root.used, 0);
}

static void test_sys_frame_create_full_table_gives_everything_back(void **state)
{
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE);
	while (proc.caps.used < proc.caps.capacity - 1)
		give(&root.obj, KOSH_RIGHT_READ);
	unsigned pages = pmm_fake.in_use;
	assert_int_equal(call(sys_frame_create, q, PAGE, 0), KOSH_E_NO_SLOTS);
	assert_int_equal(root.used, 0);
	assert_int_equal(pmm_fake.in_use, pages);
}

/* ---- quota_create, quota_info ---- */

static void test_sys_quota_create_carves_a_child(void **state)
{
	struct kosh_quota_info info;
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE | KOSH_RIGHT_READ);
	int64_t child = call(sys_quota_create, q, 64 * PAGE, 0);
	assert_true(child > 0);
	assert_int_equal(root.used, 64 * PAGE + sizeof(struct quota));

	assert_int_equal(call(sys_quota_info, (uint64_t)child, (uintptr_t)&info, 0), KOSH_OK);
	assert_int_equal(info.limit, 64 * PAGE);
	assert_int_equal(info.used, 0);

	/* The child pays for its frames; the parent sees only the child's limit. */
	int64_t f = call(sys_frame_create, (uint64_t)child, 2 * PAGE, 0);
	assert_true(f > 0);
	assert_int_equal(call(sys_quota_info, (uint64_t)child, (uintptr_t)&info, 0), KOSH_OK);
	assert_int_equal(info.used, FRAME_COST(2));
	assert_int_equal(call(sys_quota_info, q, (uintptr_t)&info, 0), KOSH_OK);
	assert_int_equal(info.used, 64 * PAGE + sizeof(struct quota));
	assert_int_equal(call(sys_frame_create, (uint64_t)child, 64 * PAGE, 0), KOSH_E_NO_MEMORY);

	/* Closing the child's handle keeps it while the frame lives; then all goes back. */
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)child), KOSH_OK);
	assert_int_equal(root.used, 64 * PAGE + sizeof(struct quota));
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)f), KOSH_OK);
	assert_int_equal(root.used, 0);
	assert_int_equal(root.obj.refs, 2); /* the handle q */
}

static void test_sys_quota_create_refusals(void **state)
{
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_MANAGE | KOSH_RIGHT_READ);
	kosh_handle_t read_only = give(&root.obj, KOSH_RIGHT_READ);
	assert_int_equal(call(sys_quota_create, read_only, PAGE, 0), KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_quota_create, q, root.limit, 0), KOSH_E_NO_MEMORY);
	assert_int_equal(root.used, 0);
	/* A grandchild holds its parent: closing the child's handle first is fine. */
	int64_t child = call(sys_quota_create, q, 16 * PAGE, 0);
	assert_true(child > 0);
	int64_t grandchild = call(sys_quota_create, (uint64_t)child, 4 * PAGE, 0);
	assert_true(grandchild > 0);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)child), KOSH_OK);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)grandchild), KOSH_OK);
	assert_int_equal(root.used, 0);
}

static void test_sys_quota_info_checks_rights_and_pointer(void **state)
{
	struct kosh_quota_info info;
	kosh_handle_t manage_only = give(&root.obj, KOSH_RIGHT_MANAGE);
	kosh_handle_t q = give(&root.obj, KOSH_RIGHT_READ);
	assert_int_equal(call(sys_quota_info, manage_only, (uintptr_t)&info, 0),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(call(sys_quota_info, q, 0xffff800000001000ull, 0), KOSH_E_BAD_ADDRESS);
	assert_int_equal(call(sys_quota_info, q, (uintptr_t)&info, 0), KOSH_OK);
	assert_int_equal(info.limit, 4 * MIB);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_frame_ram_charges_and_uncharges_exactly),
		T(test_frame_ram_quota_exhaustion_changes_nothing),
		T(test_frame_ram_allocation_failure_uncharges),
		T(test_frame_ram_refuses_bad_arguments),
		T(test_frame_ram_low32_flag_accepted),
		T(test_frame_phys_is_never_freed_nor_charged),
		T(test_frame_memory_types_reach_the_page_tables),
		T(test_frame_destroy_unmaps_from_every_space),
		T(test_sys_frame_create_gives_a_handle_with_rights),
		T(test_sys_frame_create_refusals),
		T(test_sys_frame_create_full_table_gives_everything_back),
		T(test_sys_frame_phys_answers_the_frames_address_to_its_manager_only),
		T(test_sys_quota_create_carves_a_child),
		T(test_sys_quota_create_refusals),
		T(test_sys_quota_info_checks_rights_and_pointer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
