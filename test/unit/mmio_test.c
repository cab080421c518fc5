/* SPDX-License-Identifier: MIT */
/*
 * Host tests of device memory for drivers (kernel/mmio.c) and of mmio_create
 * (kernel/sys_memory.c): the range rules against a fake memory map with every
 * kind of RAM range, MMIO, reserved ranges and holes; the kernel's own devices
 * from a platform description (APIC, HPET, GIC parts, GICv2m frames); and the
 * handler's rights, quota charge and refusals, for a fake thread whose process
 * has a real capability table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "mem_fake.h"
#include "mmio.h"
#include "platform.h"
#include "process.h"
#include "quota.h"
#include "syscall.h"
#include "thread.h"

#define PAGE 4096ull
#define MIB  (1ull << 20)
#define GIB  (1ull << 30)

/* A PC-like map: every RAM type once, a reserved hole under 1 MiB, ECAM as MMIO, flash. */
static const struct kosh_mem_range map[] = {
	{ 0x00000000, 0x9f000, KOSH_MEM_USABLE, 0 },
	{ 0x0009f000, 0x61000, KOSH_MEM_RESERVED, 0 },
	{ 0x00100000, MIB, KOSH_MEM_KERNEL, 0 },
	{ 0x00200000, MIB, KOSH_MEM_INITFS, 0 },
	{ 0x00300000, PAGE, KOSH_MEM_BOOTINFO, 0 },
	{ 0x00301000, MIB - PAGE, KOSH_MEM_LOADER_RECLAIM, 0 },
	{ 0x00400000, MIB, KOSH_MEM_FW_CODE, 0 },
	{ 0x00500000, MIB, KOSH_MEM_FW_DATA, 0 },
	{ 0x00600000, MIB, KOSH_MEM_ACPI_RECLAIM, 0 },
	{ 0x00700000, MIB, KOSH_MEM_ACPI_NVS, 0 },
	{ 0x00800000, 0x80000000 - 0x00800000, KOSH_MEM_USABLE, 0 },
	/* hole 0x80000000 .. 0xb0000000: PCI BARs */
	{ 0xb0000000, 0x10000000, KOSH_MEM_MMIO, 0 },
	/* hole 0xc0000000 .. 0xffc00000: more BARs, the APICs and the HPET */
	{ 0xffc00000, 0x400000, KOSH_MEM_RESERVED, 0 },
	{ 0x100000000ull, GIB, KOSH_MEM_USABLE, 0 },
};
#define MAP_COUNT (sizeof(map) / sizeof(map[0]))
#define PHYS_BITS 40

static kosh_err_t check(uint64_t phys, uint64_t size, uint64_t cache)
{
	uint32_t frame_cache = 0xdead;
	kosh_err_t e = mmio_check(phys, size, cache, &frame_cache);
	if (!e)
		assert_int_equal(frame_cache,
				 cache == KOSH_MMIO_WC ? FRAME_CACHE_WC : FRAME_CACHE_DEVICE);
	return e;
}

static int setup_map(void **state)
{
	mmio_init(map, MAP_COUNT, PHYS_BITS);
	return 0;
}

static void test_mmio_holes_mmio_and_reserved_ranges_are_device_memory(void **state)
{
	assert_int_equal(check(0x80000000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check(0x80000000, 0x30000000, KOSH_MMIO_WC), KOSH_OK);
	assert_int_equal(check(0xb0000000, 0x10000000, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check(0x0009f000, 0x61000, KOSH_MMIO_UNCACHED), KOSH_OK); /* VGA, ROMs */
	assert_int_equal(check(0xffc00000, 0x400000, KOSH_MMIO_UNCACHED), KOSH_OK);
	/* Across a hole and an MMIO range, and up to the end of the address width. */
	assert_int_equal(check(0xa0000000, 0x20000000, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check((1ull << PHYS_BITS) - PAGE, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check(0x140000000ull, 16 * GIB, KOSH_MMIO_WC), KOSH_OK);
}

static void test_mmio_every_kind_of_ram_is_refused(void **state)
{
	for (size_t i = 0; i < MAP_COUNT; i++) {
		const struct kosh_mem_range *r = &map[i];
		if (r->type == KOSH_MEM_MMIO || r->type == KOSH_MEM_RESERVED)
			continue;
		/* Its first page, its last page, and a range that only just reaches into it. */
		assert_int_equal(check(r->base, PAGE, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
		assert_int_equal(check(r->base + r->size - PAGE, PAGE, KOSH_MMIO_WC),
				 KOSH_E_ACCESS_DENIED);
		assert_int_equal(check(r->base + r->size - PAGE, 0x1000000, KOSH_MMIO_UNCACHED),
				 KOSH_E_ACCESS_DENIED);
		if (r->base >= PAGE)
			assert_int_equal(check(r->base - PAGE, 2 * PAGE, KOSH_MMIO_UNCACHED),
					 KOSH_E_ACCESS_DENIED);
	}
	/* A device range covering RAM entirely, and one from a hole into RAM above 4 GiB. */
	assert_int_equal(check(0, 0x100000000ull, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
	assert_int_equal(check(0xc0000000, 0x40001000, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
	assert_int_equal(check(0x7ffff000, 2 * PAGE, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
}

static void test_mmio_bad_arguments(void **state)
{
	assert_int_equal(check(0x80000800, PAGE, KOSH_MMIO_UNCACHED), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(check(0x80000000, 100, KOSH_MMIO_UNCACHED), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(check(0x80000000, 0, KOSH_MMIO_UNCACHED), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(check(0x80000000, PAGE, 2), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(check(0x80000000, PAGE, 1ull << 32), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(check(0x80000000, PAGE, UINT64_MAX), KOSH_E_INVALID_ARGUMENT);
	/* Alignment and cache are checked before the range: an unaligned RAM address is invalid. */
	assert_int_equal(check(0x800, PAGE, KOSH_MMIO_UNCACHED), KOSH_E_INVALID_ARGUMENT);
}

static void test_mmio_ranges_past_the_address_width_or_wrapping(void **state)
{
	uint64_t top = 1ull << PHYS_BITS;
	assert_int_equal(check(top, PAGE, KOSH_MMIO_UNCACHED), KOSH_E_OUT_OF_RANGE);
	assert_int_equal(check(top - PAGE, 2 * PAGE, KOSH_MMIO_UNCACHED), KOSH_E_OUT_OF_RANGE);
	assert_int_equal(check(0x80000000, top, KOSH_MMIO_UNCACHED), KOSH_E_OUT_OF_RANGE);
	assert_int_equal(check(UINT64_MAX & ~(PAGE - 1), PAGE, KOSH_MMIO_UNCACHED),
			 KOSH_E_OUT_OF_RANGE); /* ends exactly at 2^64 */
	assert_int_equal(check(UINT64_MAX & ~(PAGE - 1), 2 * PAGE, KOSH_MMIO_UNCACHED),
			 KOSH_E_OUT_OF_RANGE);
	assert_int_equal(check(0x80000000, UINT64_MAX & ~(PAGE - 1), KOSH_MMIO_UNCACHED),
			 KOSH_E_OUT_OF_RANGE);
	/* Without a known width only wrapping is refused. */
	mmio_init(map, MAP_COUNT, 0);
	assert_int_equal(check(1ull << 60, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check(UINT64_MAX & ~(PAGE - 1), PAGE, KOSH_MMIO_UNCACHED),
			 KOSH_E_OUT_OF_RANGE);
}

static void test_mmio_the_apic_and_hpet_of_the_kernel_are_refused(void **state)
{
	static struct platform p;
	memset(&p, 0, sizeof(p));
	p.ic = PLATFORM_IC_APIC;
	p.apic.lapic_base = 0xfee00000;
	p.apic.ioapics[0].base = 0xfec00000;
	p.apic.ioapics[1].base = 0xfec01000;
	p.apic.ioapic_count = 2;
	p.timers.hpet_base = 0xfed00000;
	mmio_reserve_platform(&p);
	const uint64_t kernels[] = { 0xfee00000, 0xfec00000, 0xfec01000, 0xfed00000 };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(check(kernels[i], PAGE, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
		assert_int_equal(check(kernels[i] - MIB, 2 * MIB, KOSH_MMIO_UNCACHED),
				 KOSH_E_ACCESS_DENIED);
	}
	/* Their neighbours stay device memory (the HPET's next page, the I/O APICs' gap). */
	assert_int_equal(check(0xfed01000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check(0xfec02000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	assert_int_equal(check(0xfee01000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	/* mmio_init forgets them. */
	mmio_init(map, MAP_COUNT, PHYS_BITS);
	assert_int_equal(check(0xfee00000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
}

static void test_mmio_every_gic_part_is_refused(void **state)
{
	static struct platform p;
	memset(&p, 0, sizeof(p));
	mmio_init(NULL, 0, 48); /* QEMU virt: no memory map entry for any device */
	p.ic = PLATFORM_IC_GICV3;
	p.gic.gicd = 0x08000000;
	p.gic.gicc = 0x08010000;
	p.gic.gich = 0x08030000;
	p.gic.gicv = 0x08040000;
	p.gic.gicr[0] = (struct fw_range){ 0x080a0000, 0xf60000 };
	p.gic.gicr_count = 1;
	p.gic.its[0] = 0x08080000;
	p.gic.its_count = 1;
	p.gic.v2m[0] = (struct fw_v2m){ 0x08020000, 80, 64 };
	p.gic.v2m_count = 1;
	p.cpus[0].gicr_base = 0x20000000;
	p.cpu_count = 1;
	mmio_reserve_platform(&p);
	const uint64_t kernels[] = { 0x08000000, 0x0800f000, 0x08010000, 0x08011000, 0x08020000,
				     0x08030000, 0x08040000, 0x08080000, 0x0809f000, 0x080a0000,
				     0x08fff000, 0x20000000, 0x2003f000 };
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		assert_int_equal(check(kernels[i], PAGE, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
	assert_int_equal(check(0x08012000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK); /* past GICC */
	assert_int_equal(check(0x08021000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK); /* past v2m */
	assert_int_equal(check(0x09000000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK); /* the PL011 */
	assert_int_equal(check(0x4010000000ull, 256 * MIB, KOSH_MMIO_UNCACHED), KOSH_OK); /* ECAM */
	assert_int_equal(check(0x20040000, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	/* A reservation reaching past 2^64 is cut at the top, not wrapped to 0. */
	mmio_reserve(UINT64_MAX & ~(PAGE - 1), 2 * PAGE);
	assert_int_equal(check(0, PAGE, KOSH_MMIO_UNCACHED), KOSH_OK);
	mmio_init(map, MAP_COUNT, PHYS_BITS);
}

static void test_mmio_reservations_beyond_the_table_are_dropped_not_overflowed(void **state)
{
	for (uint64_t i = 0; i < MMIO_RESERVED_MAX + 8; i++)
		mmio_reserve(0x80000000 + i * PAGE, PAGE);
	assert_int_equal(check(0x80000000, PAGE, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
	assert_int_equal(check(0x80000000 + (MMIO_RESERVED_MAX - 1) * PAGE, PAGE,
			       KOSH_MMIO_UNCACHED),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(check(0x80000000 + MMIO_RESERVED_MAX * PAGE, PAGE, KOSH_MMIO_UNCACHED),
			 KOSH_OK);
	mmio_init(map, MAP_COUNT, PHYS_BITS);
}

static void test_mmio_pieces_cut_out_the_kernels_devices(void **state)
{
	uint64_t at, stop;
	/* Nothing reserved: the whole range. */
	at = 0xfec00000;
	assert_int_equal(mmio_next_piece(&at, 0xff000000), 0xff000000);
	assert_int_equal(at, 0xfec00000);
	/* A PC's 0xfec00000-0xff000000: I/O APIC, HPET, LAPIC (and the TPM between). */
	mmio_reserve(0xfee00000, PAGE);
	mmio_reserve(0xfec00000, PAGE);
	mmio_reserve(0xfed00000, PAGE);
	mmio_reserve(0xfed01000, PAGE); /* adjacent reservations: one gap, not an empty piece */
	const uint64_t want[][2] = { { 0xfec01000, 0xfed00000 },
				     { 0xfed02000, 0xfee00000 },
				     { 0xfee01000, 0xff000000 } };
	at = 0xfec00000;
	for (int i = 0; i < 3; i++) {
		stop = mmio_next_piece(&at, 0xff000000);
		assert_int_equal(at, want[i][0]);
		assert_int_equal(stop, want[i][1]);
		at = stop;
	}
	assert_int_equal(mmio_next_piece(&at, 0xff000000), 0);
	assert_int_equal(at, 0xff000000);
	/* A range entirely inside a reservation has no piece. */
	at = 0xfee00000;
	assert_int_equal(mmio_next_piece(&at, 0xfee01000), 0);
	mmio_init(map, MAP_COUNT, PHYS_BITS);
}

/* ---- mmio_create ---- */

static struct quota root;
static struct cap_slot slots[64];
static struct process proc;
static struct thread self;

static int setup_sys(void **state)
{
	if (mem_fake_machine_init(4096))
		return -1;
	mmio_init(map, MAP_COUNT, PHYS_BITS);
	quota_init_root(&root, 4 * MIB);
	memset(slots, 0, sizeof(slots));
	memset(&proc, 0, sizeof(proc));
	memset(&self, 0, sizeof(self));
	if (cap_table_init(&proc.caps, slots, 64))
		return -1;
	proc.quota = &root;
	self.proc = &proc;
	return 0;
}

static int teardown_sys(void **state)
{
	cap_table_clear(&proc.caps);
	assert_int_equal(root.used, 0);
	return mem_fake_machine_fini();
}

static kosh_handle_t give(struct kobject *o, uint32_t rights)
{
	kosh_handle_t h;
	assert_int_equal(cap_insert(&proc.caps, o, rights, 0, &h), KOSH_OK);
	return h;
}

static int64_t create(kosh_handle_t ctl, uint64_t phys, uint64_t size, uint64_t cache)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { ctl, phys, size, cache };
	return sys_mmio_create(&self, r);
}

static void test_sys_mmio_create_gives_a_device_frame_without_execute_or_manage(void **state)
{
	kosh_handle_t ctl = give(mmio_control_object(), KOSH_RIGHTS_ALL);
	int64_t h = create(ctl, 0x80000000, 4 * PAGE, KOSH_MMIO_UNCACHED);
	assert_true(h > 0);
	struct kobject *o;
	uint32_t rights = 0;
	assert_int_equal(cap_get(&proc.caps, (kosh_handle_t)h, KOSH_OBJ_FRAME, 0, &o, NULL),
			 KOSH_OK);
	for (uint32_t i = 0; i < 64; i++)
		if (slots[i].obj == o)
			rights = slots[i].rights;
	assert_int_equal(rights, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_MAP |
					 KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE);
	struct frame *f = frame_from(o);
	assert_int_equal(f->phys, 0x80000000);
	assert_int_equal(f->size, 4 * PAGE);
	assert_int_equal(f->cache, FRAME_CACHE_DEVICE);
	assert_int_equal(f->flags & FRAME_RAM, 0);
	assert_int_equal(root.used, sizeof(struct frame)); /* the object, not the memory */
	kobject_put(o);
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { (uint64_t)h };
	assert_int_equal(sys_frame_phys(&self, r), KOSH_E_ACCESS_DENIED);
	int64_t wc = create(ctl, 0xb0000000, PAGE, KOSH_MMIO_WC);
	assert_true(wc > 0);
	assert_int_equal(cap_get(&proc.caps, (kosh_handle_t)wc, KOSH_OBJ_FRAME, 0, &o, NULL),
			 KOSH_OK);
	assert_int_equal(frame_from(o)->cache, FRAME_CACHE_WC);
	kobject_put(o);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)h), KOSH_OK);
	assert_int_equal(cap_close(&proc.caps, (kosh_handle_t)wc), KOSH_OK);
	assert_int_equal(root.used, 0);
}

static void test_sys_mmio_create_refusals_create_and_charge_nothing(void **state)
{
	kosh_handle_t ctl = give(mmio_control_object(), KOSH_RIGHTS_ALL);
	kosh_handle_t weak = give(mmio_control_object(), KOSH_RIGHTS_ALL & ~KOSH_RIGHT_MANAGE);
	kosh_handle_t q = give(&root.obj, KOSH_RIGHTS_ALL);
	kobject_get(&root.obj);
	assert_int_equal(create(ctl, 0x00800000, PAGE, KOSH_MMIO_UNCACHED), KOSH_E_ACCESS_DENIED);
	assert_int_equal(create(ctl, 0x00100000, PAGE, KOSH_MMIO_WC), KOSH_E_ACCESS_DENIED);
	assert_int_equal(create(ctl, 0x80000000, 0, KOSH_MMIO_UNCACHED), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(create(ctl, 0x80000000, PAGE, 7), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(create(ctl, 1ull << PHYS_BITS, PAGE, 0), KOSH_E_OUT_OF_RANGE);
	assert_int_equal(create(weak, 0x80000000, PAGE, 0), KOSH_E_ACCESS_DENIED);
	assert_int_equal(create(q, 0x80000000, PAGE, 0), KOSH_E_WRONG_TYPE);
	assert_int_equal(create(12345, 0x80000000, PAGE, 0), KOSH_E_BAD_HANDLE);
	assert_int_equal(root.used, 0);
	/* A quota too small for the object: nothing made. */
	static struct quota tiny;
	quota_init_root(&tiny, sizeof(struct frame) - 1);
	proc.quota = &tiny;
	assert_int_equal(create(ctl, 0x80000000, PAGE, 0), KOSH_E_NO_MEMORY);
	assert_int_equal(tiny.used, 0);
	proc.quota = &root;
	for (uint32_t i = 0; i < 64; i++)
		if (slots[i].obj)
			assert_int_not_equal(slots[i].obj->type, KOSH_OBJ_FRAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mmio_holes_mmio_and_reserved_ranges_are_device_memory,
				       setup_map),
		cmocka_unit_test_setup(test_mmio_every_kind_of_ram_is_refused, setup_map),
		cmocka_unit_test_setup(test_mmio_bad_arguments, setup_map),
		cmocka_unit_test_setup(test_mmio_ranges_past_the_address_width_or_wrapping,
				       setup_map),
		cmocka_unit_test_setup(test_mmio_the_apic_and_hpet_of_the_kernel_are_refused,
				       setup_map),
		cmocka_unit_test_setup(test_mmio_every_gic_part_is_refused, setup_map),
		cmocka_unit_test_setup(test_mmio_reservations_beyond_the_table_are_dropped_not_overflowed,
				       setup_map),
		cmocka_unit_test_setup(test_mmio_pieces_cut_out_the_kernels_devices, setup_map),
		cmocka_unit_test_setup_teardown(
			test_sys_mmio_create_gives_a_device_frame_without_execute_or_manage,
			setup_sys, teardown_sys),
		cmocka_unit_test_setup_teardown(test_sys_mmio_create_refusals_create_and_charge_nothing,
						setup_sys, teardown_sys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
