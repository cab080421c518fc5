/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the kernel's boot-info checks (kernel/bootinfo.c): what the
 * kernel refuses, and the memory-map invariants it verifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bootinfo.h"

static struct kosh_bootinfo good(void)
{
	struct kosh_bootinfo bi;
	memset(&bi, 0, sizeof(bi));
	bi.magic = KOSH_BOOTINFO_MAGIC;
	bi.version = KOSH_BOOTINFO_VERSION;
	bi.size = sizeof(bi);
	bi.arch = KOSH_ARCH_AARCH64;
	return bi;
}

static void test_bootinfo_accepts_current(void **state)
{
	struct kosh_bootinfo bi = good();
	char why[128] = "";
	assert_int_equal(bootinfo_check(&bi, KOSH_ARCH_AARCH64, why, sizeof(why)), 0);
}

static void test_bootinfo_refuses_bad_magic(void **state)
{
	struct kosh_bootinfo bi = good();
	char why[128];
	bi.magic ^= 1;
	assert_int_equal(bootinfo_check(&bi, KOSH_ARCH_AARCH64, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bad magic 0x4f464e4948534f4a"));
}

static void test_bootinfo_refuses_other_version(void **state)
{
	struct kosh_bootinfo bi = good();
	char why[128];
	bi.version = KOSH_BOOTINFO_VERSION + 1;
	assert_int_equal(bootinfo_check(&bi, KOSH_ARCH_AARCH64, why, sizeof(why)), -1);
	assert_string_equal(why, "version 3, this kernel understands 2");
	bi.version = 1; /* before the firmware's clock was added */
	assert_int_equal(bootinfo_check(&bi, KOSH_ARCH_AARCH64, why, sizeof(why)), -1);
	assert_string_equal(why, "version 1, this kernel understands 2");
}

static void test_bootinfo_refuses_short_size(void **state)
{
	struct kosh_bootinfo bi = good();
	char why[128];
	bi.size = sizeof(bi) - 8;
	assert_int_equal(bootinfo_check(&bi, KOSH_ARCH_AARCH64, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "size 528, expected at least 536"));
}

static void test_bootinfo_refuses_other_arch(void **state)
{
	struct kosh_bootinfo bi = good();
	char why[128];
	assert_int_equal(bootinfo_check(&bi, KOSH_ARCH_X86_64, why, sizeof(why)), -1);
	assert_string_equal(why, "written for AArch64, this kernel is x86-64");
}

static void test_bootinfo_refuses_null(void **state)
{
	char why[128];
	assert_int_equal(bootinfo_check(NULL, KOSH_ARCH_X86_64, why, sizeof(why)), -1);
}

#define R(b, s, t) { (b), (s), (t), 0 }

static void test_bootinfo_map_valid(void **state)
{
	struct kosh_mem_range map[] = {
		R(0, 0x9f000, KOSH_MEM_USABLE),
		R(0x100000, 0x100000, KOSH_MEM_KERNEL),
		R(0x200000, 0x1000, KOSH_MEM_USABLE),
	};
	char why[128];
	assert_int_equal(bootinfo_check_map(map, 3, why, sizeof(why)), 0);
}

static void test_bootinfo_map_rejects(void **state)
{
	char why[128];
	struct kosh_mem_range unsorted[] = { R(0x2000, 0x1000, 1), R(0x1000, 0x1000, 2) };
	struct kosh_mem_range overlap[] = { R(0x1000, 0x2000, 1), R(0x2000, 0x1000, 2) };
	struct kosh_mem_range unmerged[] = { R(0x1000, 0x1000, 1), R(0x2000, 0x1000, 1) };
	struct kosh_mem_range unaligned[] = { R(0x1001, 0x1000, 1) };
	struct kosh_mem_range empty[] = { R(0x1000, 0, 1) };
	struct kosh_mem_range badtype[] = { R(0x1000, 0x1000, KOSH_MEM_TYPE_COUNT) };
	struct kosh_mem_range wrap[] = { R(0xfffffffffffff000ull, 0x2000, 1) };
	assert_int_equal(bootinfo_check_map(unsorted, 2, why, sizeof(why)), -1);
	assert_int_equal(bootinfo_check_map(overlap, 2, why, sizeof(why)), -1);
	assert_int_equal(bootinfo_check_map(unmerged, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not merged"));
	assert_int_equal(bootinfo_check_map(unaligned, 1, why, sizeof(why)), -1);
	assert_int_equal(bootinfo_check_map(empty, 1, why, sizeof(why)), -1);
	assert_int_equal(bootinfo_check_map(badtype, 1, why, sizeof(why)), -1);
	assert_int_equal(bootinfo_check_map(wrap, 1, why, sizeof(why)), -1);
	assert_int_equal(bootinfo_check_map(NULL, 0, why, sizeof(why)), -1);
	assert_string_equal(why, "empty memory map");
}

static void test_bootinfo_range_type(void **state)
{
	struct kosh_mem_range map[] = {
		R(0x1000, 0x3000, KOSH_MEM_USABLE),
		R(0x4000, 0x1000, KOSH_MEM_INITFS),
	};
	assert_int_equal(bootinfo_range_type(map, 2, 0x1000, 0x3000), KOSH_MEM_USABLE);
	assert_int_equal(bootinfo_range_type(map, 2, 0x2000, 0x800), KOSH_MEM_USABLE);
	assert_int_equal(bootinfo_range_type(map, 2, 0x4000, 0x1000), KOSH_MEM_INITFS);
	/* spanning two ranges, outside, and overflowing: no single range holds it */
	assert_int_equal(bootinfo_range_type(map, 2, 0x3000, 0x2000), 0);
	assert_int_equal(bootinfo_range_type(map, 2, 0x6000, 0x10), 0);
	assert_int_equal(bootinfo_range_type(map, 2, 0x1000, UINT64_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bootinfo_accepts_current),
		cmocka_unit_test(test_bootinfo_refuses_bad_magic),
		cmocka_unit_test(test_bootinfo_refuses_other_version),
		cmocka_unit_test(test_bootinfo_refuses_short_size),
		cmocka_unit_test(test_bootinfo_refuses_other_arch),
		cmocka_unit_test(test_bootinfo_refuses_null),
		cmocka_unit_test(test_bootinfo_map_valid),
		cmocka_unit_test(test_bootinfo_map_rejects),
		cmocka_unit_test(test_bootinfo_range_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
