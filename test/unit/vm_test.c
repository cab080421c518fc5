/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the kernel's virtual memory (kernel/vm.c) on the fake pmm
 * (test/fake/pmm_fake.c) and shared/lib/pagetable.c, compiled once per
 * architecture's <arch/pte.h> like pagetable_test.
 *
 * The MMU hooks of arch.h that vm.c calls are faked here, recording what they
 * were asked (the fake port, test/fake/arch_fake.c, does not have them yet; move
 * them there when it does). The boot info describes a small machine whose
 * memory map lives in the fake pmm's arena, as the kernel's lives in the HHDM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arch/pte.h>
#include <kosh/bootinfo.h>
#include <kosh/pagetable.h>

#include "arch.h"
#include "pmm.h"
#include "vm.h"

#define PAGE 4096ull
#define MIB  (1ull << 20)
#define GIB  (1ull << 30)

#if defined(KOSH_TEST_ARCH_X86_64)
#define FEATURES (PT_FEAT_NX | PT_FEAT_1G | PT_FEAT_PAT_WC)
#define HHDM     KOSH_HHDM_BASE_X86_64
#elif defined(KOSH_TEST_ARCH_AARCH64)
#define FEATURES 0u
#define HHDM     KOSH_HHDM_BASE_AARCH64
#else
#error "define KOSH_TEST_ARCH_X86_64 or KOSH_TEST_ARCH_AARCH64"
#endif

#define IMAGE_VIRT KOSH_KERNEL_VIRT_BASE
#define IMAGE_PHYS 0x1234000ull

#include "pmm_fake.h"

/* vm_init's linker symbols; only vm_init_image is called here. */
char __kernel_text_start[1], __kernel_text_end[1];
char __kernel_rodata_start[1], __kernel_rodata_end[1];
char __kernel_data_start[1], __kernel_data_end[1];

/* ---- the MMU hooks ---- */

static struct {
	unsigned switches;
	uint64_t root_lo, root_hi;
	unsigned flushes;
	uint64_t flush_va, flush_size;
} mmu;

uint32_t arch_mmu_features(void)
{
	return FEATURES;
}

void arch_mmu_switch_kernel(uint64_t root_lo, uint64_t root_hi)
{
	mmu.switches++;
	mmu.root_lo = root_lo;
	mmu.root_hi = root_hi;
}

void arch_tlb_flush_range(uint64_t va, uint64_t size)
{
	if (!size)
		return;
	mmu.flushes++;
	mmu.flush_va = va;
	mmu.flush_size = size;
}

/* Host tests run one CPU: the shoot-down is the local flush. */
void smp_tlb_flush(uint64_t va, uint64_t size)
{
	arch_tlb_flush_range(va, size);
}

/* ---- the machine ---- */

static struct kosh_bootinfo bi;
static uint64_t map_page;

static const struct kosh_mem_range machine_map[] = {
	{ 0x1000, 0x9e000, KOSH_MEM_USABLE, 0 },
	{ 0x100000, 0x1134000, KOSH_MEM_USABLE, 0 },
	{ IMAGE_PHYS, 0x10000, KOSH_MEM_KERNEL, 0 },
	{ 0x1244000, 0x3edbc000, KOSH_MEM_USABLE, 0 },
	{ 0xfe000000, 0x1000, KOSH_MEM_MMIO, 0 },
	{ 0xffc00000, 0x400000, KOSH_MEM_RESERVED, 0 },
	{ 0x100000000, 2 * GIB, KOSH_MEM_USABLE, 0 },
	{ 0x180000000, 2 * MIB, KOSH_MEM_RESERVED, 0 },
};

static const struct vm_image image = {
	IMAGE_VIRT, IMAGE_VIRT + 0x4000,          /* text: 4 pages */
	IMAGE_VIRT + 0x4000, IMAGE_VIRT + 0x6000, /* rodata */
	IMAGE_VIRT + 0x6000, IMAGE_VIRT + 0xa000, /* data and bss */
};

static void make_bootinfo(void)
{
	memset(&bi, 0, sizeof(bi));
	map_page = pmm_alloc(0, PMM_ZERO);
	assert_true(map_page != 0);
	memcpy(phys_to_virt(map_page), machine_map, sizeof(machine_map));
	bi.magic = KOSH_BOOTINFO_MAGIC;
	bi.hhdm_base = HHDM;
	bi.kernel_phys = IMAGE_PHYS;
	bi.kernel_virt = IMAGE_VIRT;
	bi.kernel_size = 0x10000;
	bi.mem_map = map_page;
	bi.mem_map_count = sizeof(machine_map) / sizeof(machine_map[0]);
	bi.fb.phys = 0x80000000;
	bi.fb.size = 1280 * 800 * 4;
}

static int setup(void **state)
{
	memset(&mmu, 0, sizeof(mmu));
	pmm_fake_init(4096);
	make_bootinfo();
	return vm_init_image(&bi, &image) == PT_OK ? 0 : -1;
}

static int teardown(void **state)
{
	vm_stack_purge(); /* freed stacks wait for a batched shoot-down */
	pagetable_destroy(&vm_kernel_space()->pt, 0);
	assert_int_equal(pmm_free(map_page, 0), 0);
	assert_int_equal(pmm_fake.in_use, 0);
	assert_int_equal(pmm_fake.bad_frees, 0);
	pmm_fake_fini();
	return 0;
}

static void expect_kernel(uint64_t va, uint64_t pa, uint32_t flags, uint64_t size)
{
	uint64_t got_pa = 0, got_size = 0;
	uint32_t got_flags = 0;
	assert_int_equal(vm_query(vm_kernel_space(), va, &got_pa, &got_flags, &got_size), PT_OK);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags);
	if (size)
		assert_int_equal(got_size, size);
}

static uint32_t kernel_flags(uint32_t flags)
{
	return flags | PT_GLOBAL;
}

/* The raw leaf entry for va in a table, found the way the MMU would. */
static uint64_t *raw_leaf(const struct pagetable *pt, uint64_t va)
{
	uint64_t table = (va >> 63) ? pt->root_hi : pt->root_lo;
	for (int level = 0; level < PT_LEVELS; level++) {
		uint64_t *e = (uint64_t *)phys_to_virt(table) + ((va >> (39 - 9 * level)) & 511);
		if (!pte_present(*e) || !pte_is_table(*e, level))
			return pte_present(*e) ? e : NULL;
		table = pte_phys(*e, level);
	}
	return NULL;
}

/* ---- vm_init ---- */

static void test_vm_init_switches_to_own_tables(void **state)
{
	struct pagetable *pt = &vm_kernel_space()->pt;
	assert_int_equal(mmu.switches, 1);
	assert_int_equal(mmu.root_lo, pt->root_lo);
	assert_int_equal(mmu.root_hi, pt->root_hi);
	/* The lower half is empty, and no longer the kernel space's to touch. */
	assert_int_equal(pagetable_query(pt, 0x1000, NULL, NULL, NULL), PT_E_NOT_MAPPED);
	assert_int_equal(vm_query(vm_kernel_space(), 0x1000, NULL, NULL, NULL), PT_E_RANGE);
}

static void test_vm_init_maps_image_by_section(void **state)
{
	expect_kernel(IMAGE_VIRT, IMAGE_PHYS, kernel_flags(PT_EXEC), PAGE);
	expect_kernel(IMAGE_VIRT + 0x3fff, IMAGE_PHYS + 0x3fff, kernel_flags(PT_EXEC), PAGE);
	expect_kernel(IMAGE_VIRT + 0x4000, IMAGE_PHYS + 0x4000, kernel_flags(0), PAGE);
	expect_kernel(IMAGE_VIRT + 0x6000, IMAGE_PHYS + 0x6000, kernel_flags(PT_WRITE), PAGE);
	expect_kernel(IMAGE_VIRT + 0x9fff, IMAGE_PHYS + 0x9fff, kernel_flags(PT_WRITE), PAGE);
	assert_int_equal(vm_query(vm_kernel_space(), IMAGE_VIRT + 0xa000, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
}

static void test_vm_init_maps_hhdm_as_the_loader(void **state)
{
	uint32_t ram = kernel_flags(PT_WRITE), mmio = kernel_flags(PT_WRITE | PT_DEVICE);
	expect_kernel(HHDM + 0x1000, 0x1000, ram, 0);
	expect_kernel(HHDM + 0x200000, 0x200000, ram, 0);
	expect_kernel(HHDM + IMAGE_PHYS, IMAGE_PHYS, ram, 0); /* the image's RAM, not executable */
	expect_kernel(HHDM + 0x3fffffff, 0x3fffffff, ram, 0);
	expect_kernel(HHDM + 0xfe000000, 0xfe000000, mmio, PAGE);
	expect_kernel(HHDM + 0x80000000, 0x80000000, kernel_flags(PT_WRITE | PT_WC), 0);
	expect_kernel(HHDM + 0x803e7fff, 0x803e7fff, kernel_flags(PT_WRITE | PT_WC), 0);
	/* The rest of the low 4 GiB is device memory, reserved ranges included. */
	expect_kernel(HHDM, 0, mmio, PAGE);
	expect_kernel(HHDM + 0xa0000, 0xa0000, mmio, PAGE);
	expect_kernel(HHDM + 0xc0000000, 0xc0000000, mmio, 0);
	expect_kernel(HHDM + 0xffc00000, 0xffc00000, mmio, 0);
	/* RAM above 4 GiB in 1 GiB pages; reserved memory there is not mapped. */
	expect_kernel(HHDM + 0x100000000, 0x100000000, ram, GIB);
	expect_kernel(HHDM + 0x17fffffff, 0x17fffffff, ram, GIB);
	assert_int_equal(vm_query(vm_kernel_space(), HHDM + 0x180000000, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
}

static void test_vm_init_fails_cleanly(void **state)
{
	struct vm_image bad = image;
	unsigned before = pmm_fake.in_use;
	pagetable_destroy(&vm_kernel_space()->pt, 0);
	unsigned empty = pmm_fake.in_use;
	assert_true(empty < before);
	mmu.switches = 0;
	bad.text_end = IMAGE_VIRT + 0x20000; /* past the image */
	assert_int_equal(vm_init_image(&bi, &bad), PT_E_RANGE);
	assert_int_equal(pmm_fake.in_use, empty);
	pmm_fake.fail_after = 6; /* x86-64: in pagetable_share_upper; AArch64: in the HHDM */
	assert_int_equal(vm_init_image(&bi, &image), PT_E_NOMEM);
	assert_int_equal(pmm_fake.in_use, empty);
	assert_int_equal(mmu.switches, 0);
	pmm_fake.fail_after = -1;
	assert_int_equal(vm_init_image(&bi, &image), PT_OK);
	assert_int_equal(pmm_fake.in_use, before);
}

/* ---- W^X ---- */

static void test_vm_scan_wx_clean(void **state)
{
	uint64_t exec = 0;
	assert_int_equal(vm_scan_wx(NULL, &exec), 0);
	assert_int_equal(exec, 4); /* the text section */
}

static void test_vm_scan_wx_finds_planted_leaf(void **state)
{
	uint64_t *leaf = raw_leaf(&vm_kernel_space()->pt, IMAGE_VIRT + 0x1000);
	assert_non_null(leaf);
	uint64_t saved = *leaf;
#ifdef KOSH_TEST_ARCH_X86_64
	*leaf |= PTE_RW; /* writable, and still without XD */
#else
	*leaf &= ~PTE_AP_RO; /* writable, and still without PXN */
#endif
	uint64_t exec = 0;
	assert_int_equal(vm_scan_wx(NULL, &exec), 1);
	assert_int_equal(exec, 4);
	/* A writable data page made executable counts too. */
	uint64_t *data = raw_leaf(&vm_kernel_space()->pt, IMAGE_VIRT + 0x7000);
	assert_non_null(data);
#ifdef KOSH_TEST_ARCH_X86_64
	*data &= ~PTE_NX;
#else
	*data &= ~PTE_PXN;
#endif
	assert_int_equal(vm_scan_wx(NULL, &exec), 2);
	assert_int_equal(exec, 5);
	*leaf = saved;
	*data = pte_leaf(pte_phys(*data, 3), 3, PT_WRITE | PT_GLOBAL, FEATURES);
	assert_int_equal(vm_scan_wx(NULL, NULL), 0);
}

static void test_vm_map_refuses_wx(void **state)
{
	assert_int_equal(vm_map(vm_kernel_space(), 0xffffffffa0000000ull, 0x100000, PAGE,
				PT_WRITE | PT_EXEC),
			 PT_E_WX);
	assert_int_equal(vm_protect(vm_kernel_space(), IMAGE_VIRT, PAGE, PT_WRITE | PT_EXEC),
			 PT_E_WX);
	expect_kernel(IMAGE_VIRT, IMAGE_PHYS, kernel_flags(PT_EXEC), PAGE);
}

/* ---- stacks ---- */

static void test_vm_stack_guard_pages(void **state)
{
	unsigned before = pmm_fake.in_use;
	uint64_t a = vm_stack_alloc(16 * 1024), b = vm_stack_alloc(5000);
	assert_true(a > VM_STACK_BASE && a <= VM_STACK_BASE + VM_STACK_SLOTS * VM_STACK_SLOT);
	assert_true(b > VM_STACK_BASE && b != a);
	uint32_t flags = 0;
	for (uint64_t va = a - 16 * 1024; va < a; va += PAGE) {
		assert_int_equal(vm_query(vm_kernel_space(), va, NULL, &flags, NULL), PT_OK);
		assert_int_equal(flags, kernel_flags(PT_WRITE));
	}
	/* The page below each stack is its guard; 5000 bytes round up to two pages. */
	assert_int_equal(vm_query(vm_kernel_space(), a - 16 * 1024 - PAGE, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
	assert_int_equal(vm_query(vm_kernel_space(), b - 2 * PAGE, NULL, NULL, NULL), PT_OK);
	assert_int_equal(vm_query(vm_kernel_space(), b - 3 * PAGE, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
	/* The memory is zeroed and reachable through the direct map. */
	uint64_t pa = 0;
	assert_int_equal(vm_query(vm_kernel_space(), a - PAGE, &pa, NULL, NULL), PT_OK);
	assert_int_equal(((uint8_t *)phys_to_virt(pa))[100], 0);
	assert_int_equal(vm_stack_free(a), PT_OK);
	assert_int_equal(vm_stack_free(a), PT_E_RANGE);
	assert_int_equal(vm_stack_free(b + PAGE), PT_E_RANGE);
	assert_int_equal(vm_stack_free(b), PT_OK);
	assert_int_equal(vm_query(vm_kernel_space(), a - PAGE, NULL, NULL, NULL), PT_E_NOT_MAPPED);
	/* Unmapped at once, given back at the batched shoot-down. */
	assert_true(pmm_fake.in_use > before);
	uint64_t shootdowns = mmu.flushes;
	vm_stack_purge();
	assert_int_equal(pmm_fake.in_use, before);
	assert_true(mmu.flushes > shootdowns);
}

static void test_vm_stack_limits_and_failure(void **state)
{
	unsigned before = pmm_fake.in_use;
	assert_int_equal(vm_stack_alloc(0), 0);
	assert_int_equal(vm_stack_alloc(VM_STACK_MAX + 1), 0);
	pmm_fake.fail_after = 3; /* runs out in the middle of the stack */
	assert_int_equal(vm_stack_alloc(64 * 1024), 0);
	pmm_fake.fail_after = -1;
	assert_int_equal(pmm_fake.in_use, before); /* a failed allocation purges at once */
	uint64_t top = vm_stack_alloc(VM_STACK_MAX);
	assert_int_equal(top, VM_STACK_BASE + VM_STACK_SLOT); /* the slot came back */
	assert_int_equal(vm_query(vm_kernel_space(), top - VM_STACK_SLOT, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
	assert_int_equal(vm_stack_free(top), PT_OK);
	vm_stack_purge();
	assert_int_equal(pmm_fake.in_use, before);
}

/* ---- user spaces ---- */

static void test_vm_user_space_refuses_kernel_addresses(void **state)
{
	struct vm_space s;
	assert_int_equal(vm_space_create(&s), PT_OK);
	assert_int_equal(vm_map(&s, HHDM, 0x100000, PAGE, PT_WRITE), PT_E_RANGE);
	assert_int_equal(vm_map(&s, IMAGE_VIRT, 0x100000, PAGE, 0), PT_E_RANGE);
	assert_int_equal(vm_unmap(&s, IMAGE_VIRT, PAGE), PT_E_RANGE);
	assert_int_equal(vm_protect(&s, IMAGE_VIRT, PAGE, 0), PT_E_RANGE);
	assert_int_equal(vm_query(&s, IMAGE_VIRT, NULL, NULL, NULL), PT_E_RANGE);
	/* Ranges that start low but reach into the hole or beyond are refused too. */
	assert_int_equal(vm_map(&s, PTE_LOWER_END - PAGE, 0x100000, 2 * PAGE, 0), PT_E_RANGE);
	assert_int_equal(vm_map(&s, 0x400000, 0, PAGE, PT_GLOBAL), PT_E_INVAL);
	/* The kernel space refuses user addresses and user pages. */
	assert_int_equal(vm_map(vm_kernel_space(), 0x400000, 0, PAGE, 0), PT_E_RANGE);
	assert_int_equal(vm_map(vm_kernel_space(), 0xffffffffa0000000ull, 0, PAGE, PT_USER),
			 PT_E_INVAL);
	/* Kernel pages are still there, unchanged, in the shared half. */
	uint64_t pa = 0;
	uint32_t flags = 0;
	assert_int_equal(pagetable_query(&s.pt, IMAGE_VIRT, &pa, &flags, NULL), PT_OK);
	assert_int_equal(pa, IMAGE_PHYS);
	assert_int_equal(flags, kernel_flags(PT_EXEC));
	vm_space_destroy(&s);
}

static void test_vm_user_space_maps_user_pages(void **state)
{
	struct vm_space s;
	unsigned before = pmm_fake.in_use;
	assert_int_equal(vm_space_create(&s), PT_OK);
	assert_int_equal(vm_map(&s, 0x400000, 0x10000000, 4 * PAGE, PT_WRITE), PT_OK);
	assert_int_equal(vm_map(&s, 0x800000, 0x20000000, PAGE, PT_EXEC), PT_OK);
	uint32_t flags = 0;
	assert_int_equal(vm_query(&s, 0x401000, NULL, &flags, NULL), PT_OK);
	assert_int_equal(flags, PT_USER | PT_WRITE);
	uint64_t exec = 0;
	assert_int_equal(vm_scan_wx(&s, &exec), 0);
	assert_int_equal(exec, 1); /* the user half only */
	assert_int_equal(vm_protect(&s, 0x400000, PAGE, 0), PT_OK);
	assert_int_equal(vm_query(&s, 0x400000, NULL, &flags, NULL), PT_OK);
	assert_int_equal(flags, PT_USER);
	unsigned flushes = mmu.flushes;
	assert_int_equal(vm_unmap(&s, 0x401000, 2 * PAGE), PT_OK);
	assert_int_equal(mmu.flushes, flushes + 1);
	assert_int_equal(mmu.flush_va, 0x401000);
	assert_int_equal(mmu.flush_size, 2 * PAGE);
	/* A kernel mapping made now shows in the user space too. */
	uint64_t top = vm_stack_alloc(PAGE);
	assert_int_equal(pagetable_query(&s.pt, top - PAGE, NULL, NULL, NULL), PT_OK);
	assert_int_equal(vm_stack_free(top), PT_OK);
	/* The user space is not the kernel's: nothing of it shows there. */
	assert_int_equal(pagetable_query(&vm_kernel_space()->pt, 0x800000, NULL, NULL, NULL),
			 PT_E_NOT_MAPPED);
	vm_space_destroy(&s);
	vm_stack_purge();
	assert_int_equal(pmm_fake.in_use, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vm_init_switches_to_own_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_init_maps_image_by_section, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_init_maps_hhdm_as_the_loader, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_init_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_scan_wx_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_scan_wx_finds_planted_leaf, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_map_refuses_wx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_stack_guard_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_stack_limits_and_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_user_space_refuses_kernel_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vm_user_space_maps_user_pages, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
