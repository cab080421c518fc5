/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the scheduler's run queues (kernel/runqueue.c): priority order,
 * round robin within a priority, removal, and a randomized run against a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runqueue.h"

static struct runqueue rq;

static int setup(void **state)
{
	runqueue_init(&rq);
	return 0;
}

static void test_runqueue_highest_priority_first(void **state)
{
	struct run_entry e[4] = { { .priority = 3 }, { .priority = 63 }, { .priority = 0 },
				  { .priority = 40 } };
	for (int i = 0; i < 4; i++)
		runqueue_push(&rq, &e[i], 0);
	assert_int_equal(runqueue_top_priority(&rq), 63);
	assert_ptr_equal(runqueue_pop(&rq), &e[1]);
	assert_ptr_equal(runqueue_pop(&rq), &e[3]);
	assert_ptr_equal(runqueue_pop(&rq), &e[0]);
	assert_ptr_equal(runqueue_pop(&rq), &e[2]);
	assert_null(runqueue_pop(&rq));
	assert_int_equal(runqueue_top_priority(&rq), -1);
	assert_int_equal(rq.count, 0);
}

static void test_runqueue_round_robin_within_a_priority(void **state)
{
	struct run_entry e[3] = { { .priority = 10 }, { .priority = 10 }, { .priority = 10 } };
	for (int i = 0; i < 3; i++)
		runqueue_push(&rq, &e[i], 0);
	for (int round = 0; round < 6; round++) {
		struct run_entry *r = runqueue_pop(&rq);
		assert_ptr_equal(r, &e[round % 3]);
		runqueue_push(&rq, r, 0); /* slice over: to the back */
	}
	struct run_entry *r = runqueue_pop(&rq);
	runqueue_push(&rq, r, 1); /* preempted before its slice ended: keeps its turn */
	assert_ptr_equal(runqueue_pop(&rq), r);
}

static void test_runqueue_remove_keeps_bitmap_right(void **state)
{
	struct run_entry a = { .priority = 5 }, b = { .priority = 5 }, c = { .priority = 9 };
	runqueue_push(&rq, &a, 0);
	runqueue_push(&rq, &b, 0);
	runqueue_push(&rq, &c, 0);
	runqueue_remove(&rq, &c);
	assert_int_equal(runqueue_top_priority(&rq), 5);
	assert_false(c.queued);
	runqueue_remove(&rq, &a);
	assert_int_equal(runqueue_top_priority(&rq), 5);
	runqueue_remove(&rq, &b);
	assert_int_equal(runqueue_top_priority(&rq), -1);
	assert_int_equal(rq.nonempty, 0);
}

/* Random pushes, pops and removals checked against a simple array model. */
static void test_runqueue_random_against_model(void **state)
{
	enum { N = 256 };
	static struct run_entry e[N];
	static uint64_t order[N]; /* model: time each entry was queued (0: not queued) */
	uint64_t now = 1, seed = 0x9e3779b97f4a7c15ull;
	memset(e, 0, sizeof(e));
	memset(order, 0, sizeof(order));
	for (int i = 0; i < N; i++)
		e[i].priority = (uint8_t)(i % SCHED_PRIORITIES);
	for (int step = 0; step < 100000; step++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		int i = (int)((seed >> 33) % N), op = (int)((seed >> 20) % 3);
		if (op == 0 && !order[i]) {
			runqueue_push(&rq, &e[i], 0);
			order[i] = now++;
		} else if (op == 1 && order[i]) {
			runqueue_remove(&rq, &e[i]);
			order[i] = 0;
		} else if (op == 2) {
			int best = -1;
			for (int j = 0; j < N; j++) {
				if (order[j] && (best < 0 || e[j].priority > e[best].priority ||
						 (e[j].priority == e[best].priority && order[j] < order[best])))
					best = j;
			}
			struct run_entry *got = runqueue_pop(&rq);
			assert_ptr_equal(got, best < 0 ? NULL : &e[best]);
			if (best >= 0)
				order[best] = 0;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_runqueue_highest_priority_first, setup),
		cmocka_unit_test_setup(test_runqueue_round_robin_within_a_priority, setup),
		cmocka_unit_test_setup(test_runqueue_remove_keeps_bitmap_right, setup),
		cmocka_unit_test_setup(test_runqueue_random_against_model, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
