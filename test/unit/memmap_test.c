/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the UEFI memory map conversion (shared/lib/memmap.c).
 *
 * Maps are built descriptor by descriptor with the descriptor size under test,
 * and the bytes between descriptors are filled with garbage, so a conversion that
 * stepped by sizeof would read nonsense. Besides hand-checked cases, random maps
 * are compared page by page against a brute-force reference of the same rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/memmap.h>

#define PAGE     KOSH_PAGE_SIZE
#define MIB      (1024 * 1024ull)
#define DESC_MAX 64
#define OUT_MAX  128

struct efi_map {
	uint8_t buf[DESC_MAX * 64];
	uint64_t size;
	uint64_t desc_size;
};

/* An expected output range. */
struct want {
	uint64_t base;
	uint64_t size;
	uint32_t type;
};

static void map_init(struct efi_map *m, uint64_t desc_size)
{
	memset(m->buf, 0xa5, sizeof(m->buf));
	m->size = 0;
	m->desc_size = desc_size;
}

static void map_add(struct efi_map *m, uint32_t type, uint64_t phys, uint64_t pages)
{
	struct kosh_efi_memory_descriptor d = { type, 0, phys, 0, pages, 0xf };
	assert_true(m->size + m->desc_size <= sizeof(m->buf));
	memcpy(m->buf + m->size, &d, sizeof(d));
	m->size += m->desc_size;
}

static enum kosh_memmap_error convert(const struct efi_map *m,
				      const struct kosh_memmap_overlay *overlays, uint32_t n,
				      struct kosh_mem_range *out, uint32_t capacity,
				      uint32_t *count)
{
	return kosh_memmap_convert(m->buf, m->size, m->desc_size, overlays, n, out, capacity,
				   count);
}

/* Sorted, page-aligned, non-empty, disjoint, merged, with known types. */
static void assert_well_formed(const struct kosh_mem_range *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		assert_true(r[i].size > 0);
		assert_int_equal(r[i].base % PAGE, 0);
		assert_int_equal(r[i].size % PAGE, 0);
		assert_true(r[i].type >= KOSH_MEM_USABLE && r[i].type < KOSH_MEM_TYPE_COUNT);
		assert_true(r[i].base <= UINT64_MAX - r[i].size);
		if (i == 0)
			continue;
		uint64_t prev_end = r[i - 1].base + r[i - 1].size;
		assert_true(prev_end <= r[i].base);
		assert_false(prev_end == r[i].base && r[i - 1].type == r[i].type);
	}
}

static void assert_ranges(const struct kosh_mem_range *r, uint32_t n, const struct want *w,
			  uint32_t wn)
{
	assert_well_formed(r, n);
	if (n != wn) {
		for (uint32_t i = 0; i < n; i++)
			print_message("  got [%#llx, +%#llx) %s\n", (unsigned long long)r[i].base,
				      (unsigned long long)r[i].size,
				      kosh_memmap_type_name(r[i].type));
		fail_msg("%u ranges, wanted %u", n, wn);
	}
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(r[i].base, w[i].base);
		assert_int_equal(r[i].size, w[i].size);
		assert_string_equal(kosh_memmap_type_name(r[i].type),
				    kosh_memmap_type_name(w[i].type));
		assert_int_equal(r[i].reserved, 0);
	}
}

#define ASSERT_RANGES(r, n, ...)                                                   \
	do {                                                                       \
		const struct want w_[] = { __VA_ARGS__ };                          \
		assert_ranges((r), (n), w_, (uint32_t)(sizeof(w_) / sizeof(w_[0]))); \
	} while (0)

static void test_memmap_maps_efi_types(void **state)
{
	static const uint32_t expect[16] = {
		KOSH_MEM_RESERVED,       KOSH_MEM_LOADER_RECLAIM, KOSH_MEM_LOADER_RECLAIM,
		KOSH_MEM_USABLE,         KOSH_MEM_USABLE,         KOSH_MEM_FW_CODE,
		KOSH_MEM_FW_DATA,        KOSH_MEM_USABLE,         KOSH_MEM_RESERVED,
		KOSH_MEM_ACPI_RECLAIM,   KOSH_MEM_ACPI_NVS,       KOSH_MEM_MMIO,
		KOSH_MEM_MMIO,           KOSH_MEM_RESERVED,       KOSH_MEM_RESERVED,
		KOSH_MEM_RESERVED,
	};
	for (uint32_t t = 0; t < 16; t++)
		assert_int_equal(kosh_memmap_type_from_efi(t), expect[t]);
	static const uint32_t odd[] = { 16, 0x6fffffff, 0x70000000, 0x7fffffff, 0x80000000,
					0x80000005, UINT32_MAX };
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		assert_int_equal(kosh_memmap_type_from_efi(odd[i]), KOSH_MEM_RESERVED);
}

static void test_memmap_type_names(void **state)
{
	static const char *const names[KOSH_MEM_TYPE_COUNT] = {
		"unknown", "usable",  "reserved", "acpi-reclaim", "acpi-nvs", "mmio",
		"fw-code", "fw-data", "loader",   "kernel",       "initfs",   "bootinfo",
	};
	for (uint32_t t = 0; t < KOSH_MEM_TYPE_COUNT; t++)
		assert_string_equal(kosh_memmap_type_name(t), names[t]);
	assert_string_equal(kosh_memmap_type_name(KOSH_MEM_TYPE_COUNT), "unknown");
	assert_string_equal(kosh_memmap_type_name(UINT32_MAX), "unknown");
}

static void test_memmap_steps_by_descriptor_size(void **state)
{
	static const uint64_t sizes[] = { 40, 48, 56, 128 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct efi_map m;
		struct kosh_mem_range out[OUT_MAX];
		uint32_t n = 99;
		map_init(&m, sizes[i]);
		map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 160);
		map_add(&m, KOSH_EFI_RESERVED, 160 * PAGE, 96);
		map_add(&m, KOSH_EFI_ACPI_NVS, 1 * MIB, 16);
		assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
		ASSERT_RANGES(out, n, { 0, 160 * PAGE, KOSH_MEM_USABLE },
			      { 160 * PAGE, 96 * PAGE, KOSH_MEM_RESERVED },
			      { 1 * MIB, 16 * PAGE, KOSH_MEM_ACPI_NVS });
	}
}

static void test_memmap_sorts_unsorted_input(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_ACPI_RECLAIM, 0x7f000000, 16);
	map_add(&m, KOSH_EFI_MMIO, 0xfec00000, 1);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x100000, 256);
	map_add(&m, KOSH_EFI_RUNTIME_SERVICES_CODE, 0x7e000000, 8);
	assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x100000, 256 * PAGE, KOSH_MEM_USABLE },
		      { 0x7e000000, 8 * PAGE, KOSH_MEM_FW_CODE },
		      { 0x7f000000, 16 * PAGE, KOSH_MEM_ACPI_RECLAIM },
		      { 0xfec00000, PAGE, KOSH_MEM_MMIO });
}

static void test_memmap_merges_adjacent_ranges_of_one_type(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_BOOT_SERVICES_DATA, 0x200000, 16);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x100000, 256);
	map_add(&m, KOSH_EFI_BOOT_SERVICES_CODE, 0x210000, 16);
	map_add(&m, KOSH_EFI_LOADER_CODE, 0x220000, 4);
	map_add(&m, KOSH_EFI_LOADER_DATA, 0x224000, 4);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x300000, 1); /* after a hole: not merged */
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x228000, 2);
	assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x100000, 0x120000, KOSH_MEM_USABLE },
		      { 0x220000, 8 * PAGE, KOSH_MEM_LOADER_RECLAIM },
		      { 0x228000, 2 * PAGE, KOSH_MEM_USABLE },
		      { 0x300000, PAGE, KOSH_MEM_USABLE });
}

static void test_memmap_stronger_type_splits_weaker_range(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 16);
	map_add(&m, KOSH_EFI_RESERVED, 4 * PAGE, 4);
	assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0, 4 * PAGE, KOSH_MEM_USABLE },
		      { 4 * PAGE, 4 * PAGE, KOSH_MEM_RESERVED },
		      { 8 * PAGE, 8 * PAGE, KOSH_MEM_USABLE });
}

/* EFI types in increasing strength, one per Kosh type. */
static const uint32_t by_strength[] = {
	KOSH_EFI_CONVENTIONAL, KOSH_EFI_LOADER_DATA, KOSH_EFI_ACPI_RECLAIM,
	KOSH_EFI_RUNTIME_SERVICES_DATA, KOSH_EFI_ACPI_NVS, KOSH_EFI_MMIO, KOSH_EFI_RESERVED,
};

static void test_memmap_more_restrictive_type_wins_overlaps(void **state)
{
	size_t count = sizeof(by_strength) / sizeof(by_strength[0]);
	for (size_t weak = 0; weak < count; weak++) {
		for (size_t strong = weak + 1; strong < count; strong++) {
			for (int order = 0; order < 2; order++) {
				struct efi_map m;
				struct kosh_mem_range out[OUT_MAX];
				uint32_t n;
				uint32_t a = by_strength[order ? strong : weak];
				uint32_t b = by_strength[order ? weak : strong];
				map_init(&m, 40);
				map_add(&m, a, 0x10000, 8);
				map_add(&m, b, 0x10000, 8);
				assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n),
						 KOSH_MEMMAP_OK);
				ASSERT_RANGES(out, n,
					      { 0x10000, 8 * PAGE,
						kosh_memmap_type_from_efi(by_strength[strong]) });
			}
		}
	}
}

static void test_memmap_fw_code_data_tie_is_deterministic(void **state)
{
	for (int order = 0; order < 2; order++) {
		struct efi_map m;
		struct kosh_mem_range out[OUT_MAX];
		uint32_t n;
		map_init(&m, 48);
		map_add(&m, order ? KOSH_EFI_RUNTIME_SERVICES_DATA : KOSH_EFI_RUNTIME_SERVICES_CODE,
			0x10000, 4);
		map_add(&m, order ? KOSH_EFI_RUNTIME_SERVICES_CODE : KOSH_EFI_RUNTIME_SERVICES_DATA,
			0x10000, 4);
		assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
		/* Equal strength: the same type wins whatever the order. */
		ASSERT_RANGES(out, n, { 0x10000, 4 * PAGE, KOSH_MEM_FW_CODE });
	}
}

static void test_memmap_overlays_split_a_range(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	const struct kosh_memmap_overlay ov[] = {
		{ 0x1000000, 0x200000, KOSH_MEM_KERNEL },
		{ 0x1400000, 0x100000, KOSH_MEM_INITFS },
		{ 0x1500000, 0x1000, KOSH_MEM_BOOTINFO },
	};
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 0x100);
	map_add(&m, KOSH_EFI_LOADER_DATA, 0x1000000, 0x1000); /* 16 MiB.. 32 MiB */
	assert_int_equal(convert(&m, ov, 3, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0, 0x100000, KOSH_MEM_USABLE },
		      { 0x1000000, 0x200000, KOSH_MEM_KERNEL },
		      { 0x1200000, 0x200000, KOSH_MEM_LOADER_RECLAIM },
		      { 0x1400000, 0x100000, KOSH_MEM_INITFS },
		      { 0x1500000, 0x1000, KOSH_MEM_BOOTINFO },
		      { 0x1501000, 0xaff000, KOSH_MEM_LOADER_RECLAIM });
}

static void test_memmap_overlays_beat_every_firmware_type(void **state)
{
	for (size_t i = 0; i < sizeof(by_strength) / sizeof(by_strength[0]); i++) {
		struct efi_map m;
		struct kosh_mem_range out[OUT_MAX];
		uint32_t n;
		const struct kosh_memmap_overlay ov = { 0x20000, 0x2000, KOSH_MEM_BOOTINFO };
		map_init(&m, 48);
		map_add(&m, by_strength[i], 0x20000, 2);
		assert_int_equal(convert(&m, &ov, 1, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
		ASSERT_RANGES(out, n, { 0x20000, 0x2000, KOSH_MEM_BOOTINFO });
	}
}

static void test_memmap_later_overlay_wins(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	const struct kosh_memmap_overlay ov[] = {
		{ 0x10000, 0x4000, KOSH_MEM_KERNEL },
		{ 0x12000, 0x4000, KOSH_MEM_INITFS },
		{ 0x30000, 0x1000, KOSH_MEM_BOOTINFO }, /* over a hole in the firmware map */
		{ 0x31000, 0x1000, KOSH_MEM_BOOTINFO }, /* merged with the previous one */
	};
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x10000, 16);
	assert_int_equal(convert(&m, ov, 4, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x10000, 0x2000, KOSH_MEM_KERNEL },
		      { 0x12000, 0x4000, KOSH_MEM_INITFS },
		      { 0x16000, 0xa000, KOSH_MEM_USABLE },
		      { 0x30000, 0x2000, KOSH_MEM_BOOTINFO });
}

static void test_memmap_overlay_with_bad_type_is_reserved(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	const struct kosh_memmap_overlay ov[] = {
		{ 0x10000, 0x1000, 0 },
		{ 0x11000, 0x1000, KOSH_MEM_TYPE_COUNT },
		{ 0x18000, 0, KOSH_MEM_KERNEL }, /* empty: ignored */
	};
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x10000, 16);
	assert_int_equal(convert(&m, ov, 3, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x10000, 0x2000, KOSH_MEM_RESERVED },
		      { 0x12000, 0xe000, KOSH_MEM_USABLE });
}

static void test_memmap_skips_empty_descriptors(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_RESERVED, UINT64_MAX, 0);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x10000, 1);
	map_add(&m, KOSH_EFI_MMIO, 0x10800, 0); /* unaligned too */
	assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x10000, PAGE, KOSH_MEM_USABLE });
}

static void test_memmap_rounds_unaligned_ranges(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x10800, 3);  /* [0x10800, 0x13800): inward */
	map_add(&m, KOSH_EFI_ACPI_NVS, 0x20800, 1);      /* [0x20800, 0x21800): outward */
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x30001, 1);  /* inward to nothing */
	assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x11000, 0x2000, KOSH_MEM_USABLE },
		      { 0x20000, 0x2000, KOSH_MEM_ACPI_NVS });
}

static void test_memmap_rejects_bad_descriptor_size(void **state)
{
	static const uint64_t bad[] = { 0, 8, 32, 39, 41, 44, 47, 52, UINT64_MAX };
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n = 99;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum kosh_memmap_error err =
			kosh_memmap_convert(m.buf, m.size, bad[i], NULL, 0, out, OUT_MAX, &n);
		assert_int_equal(err, KOSH_MEMMAP_E_DESC_SIZE);
		assert_int_equal(n, 0);
	}
}

static void test_memmap_rejects_bad_map_size(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n = 99;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 1);
	map_add(&m, KOSH_EFI_CONVENTIONAL, PAGE, 1);
	assert_int_equal(kosh_memmap_convert(m.buf, 95, 48, NULL, 0, out, OUT_MAX, &n),
			 KOSH_MEMMAP_E_MAP_SIZE);
	assert_int_equal(n, 0);
	assert_int_equal(kosh_memmap_convert(m.buf, 80, 40, NULL, 0, out, OUT_MAX, &n),
			 KOSH_MEMMAP_OK); /* the same bytes as two 40-byte descriptors */
	assert_int_equal(kosh_memmap_convert(m.buf, 48 + 40, 48, NULL, 0, out, OUT_MAX, &n),
			 KOSH_MEMMAP_E_MAP_SIZE);
}

static void test_memmap_rejects_wrapping_ranges(void **state)
{
	static const struct {
		uint64_t phys, pages;
	} bad[] = {
		{ UINT64_MAX - PAGE + 1, 1 },             /* ends exactly at 2^64 */
		{ UINT64_MAX - 10 * PAGE + 1, 100 },
		{ 0, UINT64_MAX / PAGE + 1 },             /* pages * 4096 overflows */
		{ 0x1000, UINT64_MAX },
		{ 1ull << 63, 1ull << 51 },               /* 2^63 + 2^63 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct efi_map m;
		struct kosh_mem_range out[OUT_MAX];
		uint32_t n = 99;
		map_init(&m, 48);
		map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 16);
		map_add(&m, KOSH_EFI_RESERVED, bad[i].phys, bad[i].pages);
		assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_E_RANGE);
		assert_int_equal(n, 0);
	}
}

static void test_memmap_rejects_wrapping_overlay(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n = 99;
	const struct kosh_memmap_overlay ov = { UINT64_MAX - PAGE + 1, 2 * PAGE, KOSH_MEM_KERNEL };
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 16);
	assert_int_equal(convert(&m, &ov, 1, out, OUT_MAX, &n), KOSH_MEMMAP_E_RANGE);
	assert_int_equal(n, 0);
}

static void test_memmap_keeps_ranges_at_address_space_edges(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_MMIO, UINT64_MAX - 2 * PAGE + 1, 1); /* the page below the last */
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 1);
	assert_int_equal(convert(&m, NULL, 0, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0, PAGE, KOSH_MEM_USABLE },
		      { UINT64_MAX - 2 * PAGE + 1, PAGE, KOSH_MEM_MMIO });
}

static void test_memmap_reports_full_output(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[4];
	uint32_t n = 99;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0, 1);
	map_add(&m, KOSH_EFI_RESERVED, PAGE, 1);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 2 * PAGE, 1);
	assert_int_equal(convert(&m, NULL, 0, out, 2, &n), KOSH_MEMMAP_E_FULL);
	assert_int_equal(n, 0);
	assert_int_equal(convert(&m, NULL, 0, out, 0, &n), KOSH_MEMMAP_E_FULL);
	assert_int_equal(convert(&m, NULL, 0, out, 3, &n), KOSH_MEMMAP_OK);
	assert_int_equal(n, 3);
	/* Merging needs no extra slot. */
	map_init(&m, 48);
	for (int i = 0; i < 20; i++)
		map_add(&m, KOSH_EFI_CONVENTIONAL, (uint64_t)i * PAGE, 1);
	assert_int_equal(convert(&m, NULL, 0, out, 1, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0, 20 * PAGE, KOSH_MEM_USABLE });
}

static void test_memmap_handles_empty_map(void **state)
{
	struct kosh_mem_range out[1];
	uint32_t n = 99;
	assert_int_equal(kosh_memmap_convert(NULL, 0, 48, NULL, 0, out, 0, &n), KOSH_MEMMAP_OK);
	assert_int_equal(n, 0);
	const struct kosh_memmap_overlay ov = { 0x5000, 0x1000, KOSH_MEM_KERNEL };
	assert_int_equal(kosh_memmap_convert(NULL, 0, 48, &ov, 1, out, 1, &n), KOSH_MEMMAP_OK);
	ASSERT_RANGES(out, n, { 0x5000, 0x1000, KOSH_MEM_KERNEL });
}

/* A map shaped like OVMF's on a 256 MiB x86-64 guest. */
static void test_memmap_converts_typical_firmware_map(void **state)
{
	struct efi_map m;
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n;
	map_init(&m, 48);
	map_add(&m, KOSH_EFI_BOOT_SERVICES_CODE, 0x0, 1);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x1000, 0x9f);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x100000, 0x700);
	map_add(&m, KOSH_EFI_ACPI_NVS, 0x800000, 0x8);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x808000, 0x8);
	map_add(&m, KOSH_EFI_ACPI_NVS, 0x810000, 0xf0);
	map_add(&m, KOSH_EFI_LOADER_DATA, 0x900000, 0x400);
	map_add(&m, KOSH_EFI_LOADER_CODE, 0xd00000, 0x20);
	map_add(&m, KOSH_EFI_BOOT_SERVICES_DATA, 0xd20000, 0x62e0);
	map_add(&m, KOSH_EFI_RUNTIME_SERVICES_DATA, 0x7000000, 0x100);
	map_add(&m, KOSH_EFI_RUNTIME_SERVICES_CODE, 0x7100000, 0x80);
	map_add(&m, KOSH_EFI_ACPI_RECLAIM, 0x7180000, 0x10);
	map_add(&m, KOSH_EFI_CONVENTIONAL, 0x7190000, 0x8e70);
	map_add(&m, KOSH_EFI_RESERVED, 0xb0000000, 0x10000);
	map_add(&m, KOSH_EFI_MMIO, 0xffc00000, 0x400);
	map_add(&m, 0x70000001, 0xfd00000000, 0x300000); /* an OEM type */
	const struct kosh_memmap_overlay ov[] = {
		{ 0x900000, 0x200000, KOSH_MEM_KERNEL },
		{ 0xb00000, 0x100000, KOSH_MEM_INITFS },
		{ 0xc00000, 0x4000, KOSH_MEM_BOOTINFO },
	};
	assert_int_equal(convert(&m, ov, 3, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	assert_well_formed(out, n);
	assert_int_equal(kosh_memmap_sum(out, n, 1u << KOSH_MEM_KERNEL), 0x200000);
	assert_int_equal(kosh_memmap_sum(out, n, 1u << KOSH_MEM_LOADER_RECLAIM),
			 0x400000 - 0x304000 + 0x20000);
	assert_int_equal(kosh_memmap_sum(out, n, 1u << KOSH_MEM_MMIO), 0x400000);
	assert_int_equal(kosh_memmap_sum(out, n, 1u << KOSH_MEM_RESERVED),
			 0x10000000 + 0x300000000ull);
	/* Every page the firmware reported is accounted for exactly once. */
	uint64_t total = 0;
	for (uint64_t off = 0; off < m.size; off += m.desc_size) {
		struct kosh_efi_memory_descriptor d;
		memcpy(&d, m.buf + off, sizeof(d));
		total += d.pages * PAGE;
	}
	assert_int_equal(kosh_memmap_sum(out, n, UINT32_MAX), total);
	assert_int_equal(kosh_memmap_sum(out, n, KOSH_MEM_RAM_MASK) +
				 kosh_memmap_sum(out, n, (1u << KOSH_MEM_RESERVED) |
							      (1u << KOSH_MEM_MMIO)),
			 total);
	/* Low memory: page 0 and the rest below 640 KiB merge into one usable range. */
	assert_int_equal(out[0].base, 0);
	assert_int_equal(out[0].size, 0xa0000);
	assert_int_equal(out[0].type, KOSH_MEM_USABLE);
}

static void test_memmap_sum_selects_by_type_mask(void **state)
{
	const struct kosh_mem_range map[] = {
		{ 0, 0x1000, KOSH_MEM_USABLE, 0 },
		{ 0x1000, 0x2000, KOSH_MEM_RESERVED, 0 },
		{ 0x3000, 0x4000, KOSH_MEM_USABLE, 0 },
		{ 0x7000, 0x8000, KOSH_MEM_MMIO, 0 },
		{ 0xf000, 0x1000, 40, 0 }, /* a type past the mask's bits: never counted */
	};
	assert_int_equal(kosh_memmap_sum(map, 5, 1u << KOSH_MEM_USABLE), 0x5000);
	assert_int_equal(kosh_memmap_sum(map, 5, KOSH_MEM_RAM_MASK), 0x5000);
	assert_int_equal(kosh_memmap_sum(map, 5, UINT32_MAX), 0xf000);
	assert_int_equal(kosh_memmap_sum(map, 5, 0), 0);
	assert_int_equal(kosh_memmap_sum(map, 0, UINT32_MAX), 0);
	const struct kosh_mem_range huge[] = {
		{ 0, UINT64_MAX - 10, KOSH_MEM_USABLE, 0 },
		{ 0, 100, KOSH_MEM_USABLE, 0 },
	};
	assert_int_equal(kosh_memmap_sum(huge, 2, UINT32_MAX), UINT64_MAX); /* saturates */
}

/* A deterministic xorshift generator for the random maps. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(uint64_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % bound;
}

#define REF_PAGES 48

static int ref_stronger(uint32_t a, uint32_t b)
{
	static const unsigned rank[KOSH_MEM_TYPE_COUNT] = {
		[KOSH_MEM_USABLE] = 0, [KOSH_MEM_LOADER_RECLAIM] = 1, [KOSH_MEM_ACPI_RECLAIM] = 2,
		[KOSH_MEM_FW_CODE] = 3, [KOSH_MEM_FW_DATA] = 3,       [KOSH_MEM_ACPI_NVS] = 4,
		[KOSH_MEM_MMIO] = 5,    [KOSH_MEM_RESERVED] = 6,
	};
	return rank[a] > rank[b] || (rank[a] == rank[b] && a == KOSH_MEM_FW_CODE);
}

/* The type of every page by brute force; 0 where nothing is. */
static void reference_pages(const struct efi_map *m, const struct kosh_memmap_overlay *ov,
			    uint32_t ov_count, uint32_t page_type[REF_PAGES])
{
	memset(page_type, 0, REF_PAGES * sizeof(page_type[0]));
	for (uint64_t off = 0; off < m->size; off += m->desc_size) {
		struct kosh_efi_memory_descriptor d;
		memcpy(&d, m->buf + off, sizeof(d));
		uint32_t t = kosh_memmap_type_from_efi(d.type);
		for (uint64_t p = d.phys_start / PAGE; p < d.phys_start / PAGE + d.pages; p++) {
			if (!page_type[p] || ref_stronger(t, page_type[p]))
				page_type[p] = t;
		}
	}
	for (uint32_t i = 0; i < ov_count; i++) {
		for (uint64_t p = ov[i].base / PAGE; p < (ov[i].base + ov[i].size) / PAGE; p++)
			page_type[p] = ov[i].type;
	}
}

static void check_against_reference(const struct efi_map *m,
				    const struct kosh_memmap_overlay *ov, uint32_t ov_count)
{
	struct kosh_mem_range out[OUT_MAX];
	uint32_t n, want[REF_PAGES], got[REF_PAGES] = { 0 };
	assert_int_equal(convert(m, ov, ov_count, out, OUT_MAX, &n), KOSH_MEMMAP_OK);
	assert_well_formed(out, n);
	reference_pages(m, ov, ov_count, want);
	for (uint32_t i = 0; i < n; i++) {
		for (uint64_t p = out[i].base / PAGE; p < (out[i].base + out[i].size) / PAGE; p++) {
			assert_true(p < REF_PAGES);
			got[p] = out[i].type;
		}
	}
	assert_memory_equal(got, want, sizeof(want));
}

static void test_memmap_matches_reference_on_random_maps(void **state)
{
	static const uint64_t desc_sizes[] = { 40, 48, 56 };
	for (int round = 0; round < 3000; round++) {
		struct efi_map m;
		struct kosh_memmap_overlay ov[4];
		uint32_t ov_count = (uint32_t)rng(5);
		map_init(&m, desc_sizes[rng(3)]);
		for (uint64_t i = rng(12); i > 0; i--) {
			uint64_t start = rng(REF_PAGES), pages = rng(REF_PAGES - start + 1);
			uint32_t type = rng(8) ? (uint32_t)rng(17) : 0x70000000u + (uint32_t)rng(4);
			map_add(&m, type, start * PAGE, pages);
		}
		for (uint32_t i = 0; i < ov_count; i++) {
			uint64_t start = rng(REF_PAGES), pages = rng(REF_PAGES - start + 1);
			ov[i] = (struct kosh_memmap_overlay){ start * PAGE, pages * PAGE,
							      KOSH_MEM_KERNEL + (uint32_t)rng(3) };
		}
		check_against_reference(&m, ov, ov_count);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmap_maps_efi_types),
		cmocka_unit_test(test_memmap_type_names),
		cmocka_unit_test(test_memmap_steps_by_descriptor_size),
		cmocka_unit_test(test_memmap_sorts_unsorted_input),
		cmocka_unit_test(test_memmap_merges_adjacent_ranges_of_one_type),
		cmocka_unit_test(test_memmap_stronger_type_splits_weaker_range),
		cmocka_unit_test(test_memmap_more_restrictive_type_wins_overlaps),
		cmocka_unit_test(test_memmap_fw_code_data_tie_is_deterministic),
		cmocka_unit_test(test_memmap_overlays_split_a_range),
		cmocka_unit_test(test_memmap_overlays_beat_every_firmware_type),
		cmocka_unit_test(test_memmap_later_overlay_wins),
		cmocka_unit_test(test_memmap_overlay_with_bad_type_is_reserved),
		cmocka_unit_test(test_memmap_skips_empty_descriptors),
		cmocka_unit_test(test_memmap_rounds_unaligned_ranges),
		cmocka_unit_test(test_memmap_rejects_bad_descriptor_size),
		cmocka_unit_test(test_memmap_rejects_bad_map_size),
		cmocka_unit_test(test_memmap_rejects_wrapping_ranges),
		cmocka_unit_test(test_memmap_rejects_wrapping_overlay),
		cmocka_unit_test(test_memmap_keeps_ranges_at_address_space_edges),
		cmocka_unit_test(test_memmap_reports_full_output),
		cmocka_unit_test(test_memmap_handles_empty_map),
		cmocka_unit_test(test_memmap_converts_typical_firmware_map),
		cmocka_unit_test(test_memmap_sum_selects_by_type_mask),
		cmocka_unit_test(test_memmap_matches_reference_on_random_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
