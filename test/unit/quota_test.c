/* SPDX-License-Identifier: MIT */
/*
 * Host tests of memory quotas (kernel/quota.c): limits hold exactly, a failed
 * charge changes nothing, children are carved out of their parents and give
 * their limit back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "quota.h"

static void test_quota_charges_up_to_the_limit_exactly(void **state)
{
	struct quota q;
	quota_init_root(&q, 4096 * 3);
	assert_int_equal(quota_charge(&q, 4096 * 2), KOSH_OK);
	assert_int_equal(quota_charge(&q, 4096 * 2), KOSH_E_NO_MEMORY);
	assert_int_equal(q.used, 4096 * 2); /* the failed charge changed nothing */
	assert_int_equal(quota_charge(&q, 4096), KOSH_OK);
	assert_int_equal(quota_charge(&q, 1), KOSH_E_NO_MEMORY);
	quota_uncharge(&q, 4096 * 3);
	assert_int_equal(q.used, 0);
	assert_int_equal(quota_charge(&q, UINT64_MAX), KOSH_E_NO_MEMORY); /* no overflow */
}

static void test_quota_child_is_carved_from_its_parent(void **state)
{
	struct quota root, child, grandchild;
	quota_init_root(&root, 100000);
	assert_int_equal(quota_split(&root, &child, 60000), KOSH_OK);
	assert_int_equal(quota_split(&root, &grandchild, 50000), KOSH_E_NO_MEMORY);
	assert_int_equal(quota_charge(&root, 40001), KOSH_E_NO_MEMORY);
	assert_int_equal(quota_split(&child, &grandchild, 10000), KOSH_OK);
	assert_int_equal(quota_charge(&child, 50001), KOSH_E_NO_MEMORY);
	assert_int_equal(quota_charge(&grandchild, 10000), KOSH_OK);
	assert_int_equal(quota_charge(&grandchild, 1), KOSH_E_NO_MEMORY);
	/* A child holding charges cannot be dissolved; an empty one gives its limit back. */
	assert_int_equal(quota_dissolve(&grandchild), KOSH_E_BUSY);
	quota_uncharge(&grandchild, 10000);
	assert_int_equal(quota_dissolve(&grandchild), KOSH_OK);
	assert_int_equal(child.used, 0);
	assert_int_equal(quota_dissolve(&child), KOSH_OK);
	assert_int_equal(root.used, 0);
	assert_int_equal(quota_charge(&root, 100000), KOSH_OK);
}

static void test_quota_uncharge_never_underflows(void **state)
{
	struct quota q;
	quota_init_root(&q, 100);
	assert_int_equal(quota_charge(&q, 10), KOSH_OK);
	quota_uncharge(&q, 50);
	assert_int_equal(q.used, 0);
	assert_int_equal(quota_charge(&q, 100), KOSH_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quota_charges_up_to_the_limit_exactly),
		cmocka_unit_test(test_quota_child_is_carved_from_its_parent),
		cmocka_unit_test(test_quota_uncharge_never_underflows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
