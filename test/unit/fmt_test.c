/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the freestanding formatter (shared/lib/fmt.c).
 *
 * Where kosh_snprintf and the C library agree on a conversion, the host's
 * snprintf is the oracle; %p, unknown conversions and truncation are checked
 * against literal expectations.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/fmt.h>

/* Calls kosh_vsnprintf without the printf format check, for odd formats. */
static int fmt_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Formats with both kosh_snprintf and the host's snprintf and compares. */
#define SAME_AS_LIBC(...)                                                            \
	do {                                                                         \
		char kosh_[128], libc_[128];                                         \
		int kn_ = kosh_snprintf(kosh_, sizeof(kosh_), __VA_ARGS__);          \
		int ln_ = snprintf(libc_, sizeof(libc_), __VA_ARGS__);               \
		assert_string_equal(kosh_, libc_);                                   \
		assert_int_equal(kn_, ln_);                                          \
	} while (0)

static void test_fmt_formats_decimal(void **state)
{
	SAME_AS_LIBC("%d", 0);
	SAME_AS_LIBC("%d", 42);
	SAME_AS_LIBC("%d", -42);
	SAME_AS_LIBC("%i", -7);
	SAME_AS_LIBC("%d", INT_MAX);
	SAME_AS_LIBC("%d", INT_MIN);
	SAME_AS_LIBC("%u", 3000000000u);
	SAME_AS_LIBC("%u", UINT_MAX);
	SAME_AS_LIBC("%ld", LONG_MIN);
	SAME_AS_LIBC("%lld", LLONG_MIN);
	SAME_AS_LIBC("%lld", LLONG_MAX);
	SAME_AS_LIBC("%llu", ULLONG_MAX);
	SAME_AS_LIBC("%lu", ULONG_MAX);
	SAME_AS_LIBC("%zu", (size_t)SIZE_MAX);
	SAME_AS_LIBC("%zu", sizeof(long double));
}

static void test_fmt_formats_hex(void **state)
{
	SAME_AS_LIBC("%x", 0u);
	SAME_AS_LIBC("%x", 0xdeadbeefu);
	SAME_AS_LIBC("%X", 0xdeadbeefu);
	SAME_AS_LIBC("%lx", 0xffffffff80000000ul);
	SAME_AS_LIBC("%llx", 0x0123456789abcdefull);
	SAME_AS_LIBC("%llX", ULLONG_MAX);
	SAME_AS_LIBC("%zx", (size_t)0x1000);
	SAME_AS_LIBC("%016llx", 0xabcull);
}

static void test_fmt_pads_to_width(void **state)
{
	SAME_AS_LIBC("[%5d]", 42);
	SAME_AS_LIBC("[%-5d]", 42);
	SAME_AS_LIBC("[%05d]", 42);
	SAME_AS_LIBC("[%05d]", -42);
	SAME_AS_LIBC("[%5d]", -42);
	SAME_AS_LIBC("[%-5d]", -42);
	SAME_AS_LIBC("[%2d]", 12345);
	SAME_AS_LIBC("[%08x]", 0xbeefu);
	SAME_AS_LIBC("[%-8x]", 0xbeefu);
	SAME_AS_LIBC("[%8s]", "abc");
	SAME_AS_LIBC("[%-8s]", "abc");
	SAME_AS_LIBC("[%2s]", "abcdef");
	SAME_AS_LIBC("[%20llu]", 18446744073709551615ull);
}

static void test_fmt_formats_strings_and_chars(void **state)
{
	SAME_AS_LIBC("%s", "");
	SAME_AS_LIBC("%s=%s", "key", "value");
	SAME_AS_LIBC("%c%c%c", 'k', 'o', 's');
	SAME_AS_LIBC("100%%");
	SAME_AS_LIBC("plain text");
	SAME_AS_LIBC("%s: %s", "kernel-x86_64.elf", "not an ELF file (bad magic)");
	char buf[16];
	assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%s", (const char *)NULL), 6);
	assert_string_equal(buf, "(null)");
}

static void test_fmt_formats_pointers(void **state)
{
	char buf[32];
	assert_int_equal(kosh_snprintf(buf, sizeof(buf), "%p", (void *)0x1234), 18);
	assert_string_equal(buf, "0x0000000000001234");
	assert_int_equal(kosh_snprintf(buf, sizeof(buf), "%p", (void *)0), 18);
	assert_string_equal(buf, "0x0000000000000000");
	kosh_snprintf(buf, sizeof(buf), "%p", (void *)UINTPTR_MAX);
	assert_string_equal(buf, "0xffffffffffffffff");
}

static void test_fmt_truncation_returns_full_length(void **state)
{
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kosh_snprintf(buf, 5, "hello %s", "world"), 11);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'x'); /* nothing written past size */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kosh_snprintf(buf, 1, "%d", 12345), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kosh_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(kosh_snprintf(NULL, 0, "%llu", ULLONG_MAX), 20);
	assert_int_equal(kosh_snprintf(buf, 8, "%08x", 0x1234u), 8);
	assert_string_equal(buf, "0000123");
	assert_int_equal(kosh_snprintf(buf, 6, "%-10s|", "ab"), 11);
	assert_string_equal(buf, "ab   ");
}

static void test_fmt_always_terminates(void **state)
{
	char buf[64];
	for (size_t size = 1; size <= sizeof(buf); size++) {
		memset(buf, 'x', sizeof(buf));
		int n = kosh_snprintf(buf, size, "%s-%d-%x", "kosh", -12345, 0xabcdefu);
		assert_int_equal(n, 18);
		size_t len = strlen(buf);
		assert_true(len < size);
		assert_int_equal(len, (size_t)n < size ? (size_t)n : size - 1);
		assert_memory_equal(buf, "kosh--12345-abcdef", len);
	}
}

static void test_fmt_prints_unknown_conversions_verbatim(void **state)
{
	char buf[16];
	assert_int_equal(fmt_unchecked(buf, sizeof(buf), "a%qb"), 3);
	assert_string_equal(buf, "aqb");
	assert_int_equal(fmt_unchecked(buf, sizeof(buf), "end%"), 3);
	assert_string_equal(buf, "end");
}

static int via_va_list(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_fmt_vsnprintf_reads_mixed_arguments(void **state)
{
	char buf[128];
	int n = via_va_list(buf, sizeof(buf), "%s %d %lu %llx %zu %c %u", "args", -1, 2ul, 3ull,
			    (size_t)4, '5', 6u);
	assert_string_equal(buf, "args -1 2 3 4 5 6");
	assert_int_equal(n, 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_formats_decimal),
		cmocka_unit_test(test_fmt_formats_hex),
		cmocka_unit_test(test_fmt_pads_to_width),
		cmocka_unit_test(test_fmt_formats_strings_and_chars),
		cmocka_unit_test(test_fmt_formats_pointers),
		cmocka_unit_test(test_fmt_truncation_returns_full_length),
		cmocka_unit_test(test_fmt_always_terminates),
		cmocka_unit_test(test_fmt_prints_unknown_conversions_verbatim),
		cmocka_unit_test(test_fmt_vsnprintf_reads_mixed_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
