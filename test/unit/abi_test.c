/* SPDX-License-Identifier: MIT */
/*
 * The ABI tables (the .def files of shared/include/kosh) expand consistently: every system
 * call numbered once, with a name and a handler-side object and right that exist;
 * every error with a text; rights one bit each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/abi.h>

static void test_abi_syscalls_numbered_once_and_named(void **state)
{
	for (uint32_t n = 0; n < KOSH_SYSCALL_COUNT; n++) {
		assert_non_null(kosh_syscall_name(n));
		assert_true(kosh_syscall_args(n) >= 0 && kosh_syscall_args(n) <= KOSH_SYSCALL_ARGS_MAX);
		for (uint32_t m = 0; m < n; m++)
			assert_string_not_equal(kosh_syscall_name(n), kosh_syscall_name(m));
	}
	assert_null(kosh_syscall_name(KOSH_SYSCALL_COUNT));
	assert_int_equal(kosh_syscall_args(KOSH_SYSCALL_COUNT), -1);
	assert_string_equal(kosh_syscall_name(KOSH_SYS_endpoint_call), "endpoint_call");
}

static void test_abi_syscall_objects_and_rights_exist(void **state)
{
	int rows = 0;
#define KOSH_SYSCALL(number, name, args, object, right, text)              \
	assert_non_null(kosh_object_name(KOSH_OBJ_##object));              \
	assert_int_equal((right) & ((right) - 1), 0); /* one right or none */ \
	assert_int_equal((right) & ~KOSH_RIGHTS_ALL, 0);                   \
	assert_true(strlen(text) > 0);                                     \
	rows++;
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
	assert_int_equal(rows, KOSH_SYSCALL_COUNT);
}

static void test_abi_errors_have_texts(void **state)
{
	assert_int_equal(KOSH_OK, 0);
	assert_string_equal(kosh_strerror(KOSH_OK), "success");
	for (int e = -1; e > -20; e--)
		assert_string_not_equal(kosh_strerror(e), "unknown error");
	assert_string_equal(kosh_strerror(-1000), "unknown error");
	assert_string_equal(kosh_strerror(1), "unknown error");
}

static void test_abi_rights_are_single_bits(void **state)
{
	uint32_t seen = 0, count = 0;
#define KOSH_RIGHT(name, bit, text)                                      \
	assert_int_equal(KOSH_RIGHT_##name & (KOSH_RIGHT_##name - 1), 0); \
	assert_int_equal(seen & KOSH_RIGHT_##name, 0);                    \
	seen |= KOSH_RIGHT_##name;                                        \
	count++;
#include <kosh/rights.def>
#undef KOSH_RIGHT
	assert_int_equal(seen, KOSH_RIGHTS_ALL);
	assert_int_equal(count, 9);
}

static void test_abi_handles_split_slot_and_generation(void **state)
{
	kosh_handle_t h = (5u << KOSH_HANDLE_SLOT_BITS) | 1234u;
	assert_int_equal(KOSH_HANDLE_SLOT(h), 1234);
	assert_int_equal(KOSH_HANDLE_GEN(h), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_syscalls_numbered_once_and_named),
		cmocka_unit_test(test_abi_syscall_objects_and_rights_exist),
		cmocka_unit_test(test_abi_errors_have_texts),
		cmocka_unit_test(test_abi_rights_are_single_bits),
		cmocka_unit_test(test_abi_handles_split_slot_and_generation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
