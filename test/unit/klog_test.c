/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the kernel log ring (kernel/klog.c) on the fake port, whose
 * counter advances by one tick per read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arch_fake.h"
#include "clock.h"
#include "klog.h"

static char sunk[4096];
static size_t sunk_len;

static void sink(const char *line, size_t len)
{
	assert_true(sunk_len + len < sizeof(sunk));
	memcpy(sunk + sunk_len, line, len);
	sunk_len += len;
	sunk[sunk_len] = 0;
}

static void test_klog_records_in_order_with_cpu_and_level(void **state)
{
	struct klog_record r;
	uint64_t first = klog_next_seq();
	arch_fake.cpu_index = 3;
	klog_warn("disk %d is %s", 2, "slow");
	arch_fake.cpu_index = 0;
	klog_info("second\n");
	assert_int_equal(klog_read(first, &r), 1);
	assert_int_equal(r.seq, first);
	assert_int_equal(r.cpu, 3);
	assert_int_equal(r.level, KLOG_WARN);
	assert_string_equal(r.text, "disk 2 is slow");
	assert_int_equal(klog_read(first + 1, &r), 1);
	assert_string_equal(r.text, "second"); /* the trailing newline is not kept */
	assert_int_equal(klog_read(first + 2, &r), 0);
}

static void test_klog_timestamps_are_monotonic(void **state)
{
	struct klog_record a, b;
	clock_init(1000, 0); /* 1 kHz: each tick is 1 ms */
	uint64_t s = klog_next_seq();
	klog_info("a");
	klog_info("b");
	assert_int_equal(klog_read(s, &a), 1);
	assert_int_equal(klog_read(s + 1, &b), 1);
	assert_true(b.time_ns > a.time_ns);
	assert_int_equal((b.time_ns - a.time_ns) % 1000000, 0);
}

static void test_klog_skips_overwritten_records(void **state)
{
	struct klog_record r;
	uint64_t s = klog_next_seq();
	for (int i = 0; i < 1000; i++)
		klog_info("line %d", i);
	assert_int_equal(klog_read(s, &r), 1);
	assert_true(r.seq > s); /* the oldest were overwritten: a gap, not stale data */
	char want[32];
	snprintf(want, sizeof(want), "line %d", (int)(r.seq - s));
	assert_string_equal(r.text, want);
	assert_int_equal(klog_read(s + 999, &r), 1);
	assert_string_equal(r.text, "line 999");
}

static void test_klog_truncates_long_lines(void **state)
{
	struct klog_record r;
	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	uint64_t s = klog_next_seq();
	klog_info("%s", big);
	assert_int_equal(klog_read(s, &r), 1);
	assert_int_equal(strlen(r.text), sizeof(r.text) - 1);
}

static void test_klog_sink_gets_prefixed_lines(void **state)
{
	clock_init(1000000, 0);
	arch_fake.ticks = 2500000 - 1; /* the next read is 2.5 s */
	arch_fake.cpu_index = 1;
	sunk_len = 0;
	klog_set_sink(sink);
	klog_info("hello %s", "world");
	klog_set_sink(NULL);
	arch_fake.cpu_index = 0;
	assert_string_equal(sunk, "[    2.500000 c1] hello world\n");
	assert_int_equal(arch_fake.irq_enabled, 1); /* interrupts restored */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_klog_records_in_order_with_cpu_and_level),
		cmocka_unit_test(test_klog_timestamps_are_monotonic),
		cmocka_unit_test(test_klog_skips_overwritten_records),
		cmocka_unit_test(test_klog_truncates_long_lines),
		cmocka_unit_test(test_klog_sink_gets_prefixed_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
