/* SPDX-License-Identifier: MIT */
/*
 * Host tests of capability tables and object references (kernel/cap.c) on the
 * fake port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cap.h"

#define SLOTS 8

static struct cap_slot slots[SLOTS];
static struct cap_table table;
static int released;

static void count_release(struct kobject *o)
{
	released++;
}

static int setup(void **state)
{
	memset(slots, 0, sizeof(slots));
	released = 0;
	return cap_table_init(&table, slots, SLOTS) == KOSH_OK ? 0 : -1;
}

static kosh_handle_t insert(struct kobject *o, uint32_t type, uint32_t rights)
{
	kosh_handle_t h;
	kobject_init(o, type, count_release);
	assert_int_equal(cap_insert(&table, o, rights, 0, &h), KOSH_OK);
	return h;
}

static void test_cap_stale_handle_after_reuse_is_refused(void **state)
{
	struct kobject a, b, *got;
	kosh_handle_t ha = insert(&a, KOSH_OBJ_ENDPOINT, KOSH_RIGHTS_ALL);
	assert_int_equal(cap_close(&table, ha), KOSH_OK);
	kosh_handle_t hb = insert(&b, KOSH_OBJ_ENDPOINT, KOSH_RIGHTS_ALL);
	assert_int_equal(KOSH_HANDLE_SLOT(ha), KOSH_HANDLE_SLOT(hb)); /* the slot was reused */
	assert_int_not_equal(ha, hb);
	assert_int_equal(cap_get(&table, ha, KOSH_OBJ_NONE, 0, &got, NULL), KOSH_E_BAD_HANDLE);
	assert_int_equal(cap_close(&table, ha), KOSH_E_BAD_HANDLE);
	assert_int_equal(cap_get(&table, hb, KOSH_OBJ_NONE, 0, &got, NULL), KOSH_OK);
	assert_ptr_equal(got, &b);
	kobject_put(got);
}

static void test_cap_forged_handles_are_refused(void **state)
{
	struct kobject a, *got;
	kosh_handle_t h = insert(&a, KOSH_OBJ_FRAME, KOSH_RIGHT_READ);
	kosh_handle_t forged[] = {
		0,                                          /* handle 0 */
		h & ((1u << KOSH_HANDLE_SLOT_BITS) - 1) ? h + (1u << KOSH_HANDLE_SLOT_BITS) : 1, /* gen */
		SLOTS,                                      /* past the table */
		0xffffffffu,
		KOSH_HANDLE_SLOT(h) + 1,                    /* a free slot */
	};
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++)
		assert_int_equal(cap_get(&table, forged[i], KOSH_OBJ_NONE, 0, &got, NULL),
				 KOSH_E_BAD_HANDLE);
}

static void test_cap_reserved_slot_is_invisible_until_published(void **state)
{
	struct kobject a, *got;
	uint32_t slot;
	kobject_init(&a, KOSH_OBJ_THREAD, count_release);
	assert_int_equal(cap_reserve(&table, &slot), KOSH_OK);
	kosh_handle_t h = cap_reserved_handle(&table, slot);
	assert_int_equal(cap_get(&table, h, KOSH_OBJ_NONE, 0, &got, NULL), KOSH_E_BAD_HANDLE);
	cap_publish(&table, slot, &a, KOSH_RIGHT_MANAGE, 7);
	uint64_t badge = 0;
	assert_int_equal(cap_get(&table, h, KOSH_OBJ_THREAD, KOSH_RIGHT_MANAGE, &got, &badge),
			 KOSH_OK);
	assert_int_equal(badge, 7);
	kobject_put(got);
	uint32_t other;
	assert_int_equal(cap_reserve(&table, &other), KOSH_OK);
	cap_unreserve(&table, other);
	assert_int_equal(table.used, 1);
}

/* Every type × right cell: a lookup succeeds only with the type and a right held. */
static void test_cap_lookup_matrix(void **state)
{
	for (uint32_t held = 0; held < KOSH_OBJ_COUNT; held++) {
		for (uint32_t bit = 0; bit < 9; bit++) {
			struct kobject o, *got;
			setup(state);
			kosh_handle_t h = insert(&o, held, KOSH_RIGHTS_ALL & ~(1u << bit));
			for (uint32_t want = 1; want < KOSH_OBJ_COUNT; want++) {
				kosh_err_t e = cap_get(&table, h, want, 1u << bit, &got, NULL);
				assert_int_equal(e, want != held ? KOSH_E_WRONG_TYPE : KOSH_E_ACCESS_DENIED);
				uint32_t other = (1u << ((bit + 1) % 9));
				e = cap_get(&table, h, want, other, &got, NULL);
				assert_int_equal(e, want != held ? KOSH_E_WRONG_TYPE : KOSH_OK);
				if (!e)
					kobject_put(got);
			}
			assert_int_equal(cap_close(&table, h), KOSH_OK);
		}
	}
}

static void test_cap_dup_never_grows_rights(void **state)
{
	struct kobject a, *got;
	uint32_t type, rights;
	uint64_t badge;
	kosh_handle_t h = insert(&a, KOSH_OBJ_ENDPOINT,
				 KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_DUPLICATE);
	kosh_handle_t d;
	assert_int_equal(cap_dup(&table, h, KOSH_RIGHT_READ | KOSH_RIGHT_MAP, 0, &d),
			 KOSH_E_ACCESS_DENIED);
	assert_int_equal(cap_dup(&table, h, KOSH_RIGHT_WRITE, 42, &d), KOSH_OK);
	assert_int_equal(cap_info(&table, d, &type, &rights, &badge), KOSH_OK);
	assert_int_equal(type, KOSH_OBJ_ENDPOINT);
	assert_int_equal(rights, KOSH_RIGHT_WRITE);
	assert_int_equal(badge, 42);
	/* Without DUPLICATE the copy cannot be copied again. */
	kosh_handle_t d2;
	assert_int_equal(cap_dup(&table, d, KOSH_RIGHT_WRITE, 0, &d2), KOSH_E_ACCESS_DENIED);
	/* A badge, once set, stays. */
	kosh_handle_t e;
	assert_int_equal(cap_dup(&table, h, KOSH_RIGHT_DUPLICATE, 5, &e), KOSH_OK);
	assert_int_equal(cap_dup(&table, e, 0, 9, &d2), KOSH_OK);
	assert_int_equal(cap_info(&table, d2, &type, &rights, &badge), KOSH_OK);
	assert_int_equal(badge, 5);
	assert_int_equal(cap_get(&table, d, KOSH_OBJ_ENDPOINT, KOSH_RIGHT_READ, &got, NULL),
			 KOSH_E_ACCESS_DENIED);
}

static void test_cap_last_close_releases_once(void **state)
{
	struct kobject a;
	kosh_handle_t h = insert(&a, KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_DUPLICATE), d;
	assert_int_equal(cap_dup(&table, h, 0, 0, &d), KOSH_OK);
	assert_int_equal(a.refs, 2);
	assert_int_equal(cap_close(&table, h), KOSH_OK);
	assert_int_equal(released, 0);
	assert_int_equal(cap_close(&table, d), KOSH_OK);
	assert_int_equal(released, 1);
	assert_int_equal(cap_close(&table, d), KOSH_E_BAD_HANDLE);
	assert_int_equal(released, 1);
}

static void test_cap_table_full_and_clear(void **state)
{
	struct kobject o[SLOTS];
	kosh_handle_t h;
	for (int i = 0; i < SLOTS - 1; i++)
		insert(&o[i], KOSH_OBJ_LOG, KOSH_RIGHT_READ);
	kobject_init(&o[SLOTS - 1], KOSH_OBJ_LOG, count_release);
	assert_int_equal(cap_insert(&table, &o[SLOTS - 1], 0, 0, &h), KOSH_E_NO_SLOTS);
	assert_int_equal(o[SLOTS - 1].refs, 1); /* not taken over on failure */
	cap_table_clear(&table);
	assert_int_equal(released, SLOTS - 1);
	assert_int_equal(table.used, 0);
}

static void test_cap_slot_retired_when_generation_would_wrap(void **state)
{
	struct kobject a;
	kosh_handle_t first = insert(&a, KOSH_OBJ_QUOTA, 0), h = first;
	uint32_t slot = KOSH_HANDLE_SLOT(first);
	for (uint32_t i = 0; i <= CAP_GEN_MAX; i++) { /* generations 0 .. CAP_GEN_MAX */
		assert_int_equal(cap_close(&table, h), KOSH_OK);
		h = insert(&a, KOSH_OBJ_QUOTA, 0);
		if (KOSH_HANDLE_SLOT(h) != slot)
			break;
	}
	/* Every generation of the slot was used once; then it was never handed out again. */
	assert_int_not_equal(KOSH_HANDLE_SLOT(h), slot);
	assert_int_equal(slots[slot].state, CAP_SLOT_RETIRED);
}

static void test_cap_table_init_refuses_bad_sizes(void **state)
{
	struct cap_table t;
	assert_int_equal(cap_table_init(&t, slots, 1), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(cap_table_init(&t, NULL, 8), KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(cap_table_init(&t, slots, CAP_TABLE_MAX + 1), KOSH_E_INVALID_ARGUMENT);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_cap_stale_handle_after_reuse_is_refused),
		T(test_cap_forged_handles_are_refused),
		T(test_cap_reserved_slot_is_invisible_until_published),
		T(test_cap_lookup_matrix),
		T(test_cap_dup_never_grows_rights),
		T(test_cap_last_close_releases_once),
		T(test_cap_table_full_and_clear),
		T(test_cap_slot_retired_when_generation_would_wrap),
		T(test_cap_table_init_refuses_bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
