/* SPDX-License-Identifier: MIT */
/*
 * Host tests for init's supervision decisions (user/servers/init/policy.c):
 * exit statuses decoded, restart policies, the back-off schedule (doubling up
 * to the cap, reset after 30 s of uptime), the states `svc list` shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/abi.h>

#include "policy.h"

#define MS 1000000ull
#define S  (1000 * MS)

static struct kosh_service service(enum kosh_service_restart restart, uint32_t initial,
				   uint32_t cap)
{
	struct kosh_service s;
	memset(&s, 0, sizeof(s));
	s.restart = restart;
	s.backoff_initial_ms = initial;
	s.backoff_max_ms = cap;
	return s;
}

static void test_init_policy_describes_exits(void **state)
{
	static const struct {
		uint64_t status;
		const char *text;
	} cases[] = {
	    {0, "exit 0"},
	    {3, "exit 3"},
	    {0xffffffffu, "exit 4294967295"},
	    {KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE, "page fault"},
	    {KOSH_EXIT_FAULTED | KOSH_FAULT_UNDEFINED, "undefined instruction"},
	    {KOSH_EXIT_FAULTED | KOSH_FAULT_OTHER, "other fault"},
	    {KOSH_EXIT_FAULTED | 99, "unknown fault"},
	    {KOSH_EXIT_FAULTED, "unknown fault"},
	    {KOSH_EXIT_KILLED, "killed"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		init_exit_describe(cases[i].status, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	init_exit_describe(KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE, buf, 5);
	assert_string_equal(buf, "page");
}

static void test_init_policy_restart_decisions(void **state)
{
	const uint64_t fault = KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE;
	assert_true(init_should_restart(KOSH_SERVICE_RESTART_ALWAYS, 0));
	assert_true(init_should_restart(KOSH_SERVICE_RESTART_ALWAYS, 3));
	assert_true(init_should_restart(KOSH_SERVICE_RESTART_ALWAYS, fault));
	assert_false(init_should_restart(KOSH_SERVICE_RESTART_ON_FAILURE, 0));
	assert_true(init_should_restart(KOSH_SERVICE_RESTART_ON_FAILURE, 1));
	assert_true(init_should_restart(KOSH_SERVICE_RESTART_ON_FAILURE, fault));
	assert_true(init_should_restart(KOSH_SERVICE_RESTART_ON_FAILURE, KOSH_EXIT_KILLED));
	assert_false(init_should_restart(KOSH_SERVICE_RESTART_NEVER, 0));
	assert_false(init_should_restart(KOSH_SERVICE_RESTART_NEVER, fault));
	assert_false(init_exit_failed(0));
	assert_true(init_exit_failed(KOSH_EXIT_KILLED));
}

static void test_init_policy_backoff_doubles_to_the_cap(void **state)
{
	struct kosh_service svc = service(KOSH_SERVICE_RESTART_ALWAYS, 100, 1000);
	struct init_supervision s = {0};
	static const int64_t want[] = {100, 200, 400, 800, 1000, 1000, 1000};
	uint64_t now = 5 * S;
	init_started(&s, now);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		now += 10 * MS; /* crashes at once */
		assert_int_equal(init_exited(&s, &svc, 1, now), want[i]);
		assert_int_equal(s.state, INIT_STATE_WAITING);
		assert_int_equal(s.restart_at_ns, now + (uint64_t)want[i] * MS);
		assert_false(init_restart_due(&s, now + (uint64_t)want[i] * MS - 1));
		assert_true(init_restart_due(&s, now + (uint64_t)want[i] * MS));
		now += (uint64_t)want[i] * MS;
		init_started(&s, now);
		assert_int_equal(s.state, INIT_STATE_RUNNING);
	}
	assert_int_equal(s.starts, 8);
	assert_int_equal(s.restarts, 7);
	assert_int_equal(s.last_status, 1);
}

static void test_init_policy_backoff_resets_after_30s(void **state)
{
	struct kosh_service svc = service(KOSH_SERVICE_RESTART_ALWAYS, 500, 5000);
	struct init_supervision s = {0};
	init_started(&s, 0);
	assert_int_equal(init_exited(&s, &svc, 1, 1 * S), 500);
	init_started(&s, 2 * S);
	assert_int_equal(init_exited(&s, &svc, 1, 3 * S), 1000);
	init_started(&s, 4 * S);
	/* 30 s less a nanosecond: still a loop. */
	assert_int_equal(init_exited(&s, &svc, 1, 34 * S - 1), 2000);
	init_started(&s, 40 * S);
	/* 30 s exactly: back to the initial delay. */
	assert_int_equal(init_exited(&s, &svc, 1, 70 * S), 500);
	init_started(&s, 71 * S);
	assert_int_equal(init_exited(&s, &svc, 1, 72 * S), 1000);
}

static void test_init_policy_cap_equal_to_initial_and_large_values(void **state)
{
	struct kosh_service svc = service(KOSH_SERVICE_RESTART_ALWAYS, 2000, 2000);
	struct kosh_service big = service(KOSH_SERVICE_RESTART_ALWAYS, KOSH_SERVICES_BACKOFF_MAX_MS,
					  KOSH_SERVICES_BACKOFF_MAX_MS);
	struct init_supervision s = {0};
	for (int i = 0; i < 4; i++) {
		init_started(&s, 0);
		assert_int_equal(init_exited(&s, &svc, 0, 1), 2000);
	}
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 4; i++) {
		init_started(&s, 0);
		assert_int_equal(init_exited(&s, &big, 0, 1), KOSH_SERVICES_BACKOFF_MAX_MS);
	}
}

static void test_init_policy_stops_per_policy(void **state)
{
	struct kosh_service on_failure = service(KOSH_SERVICE_RESTART_ON_FAILURE, 100, 1000);
	struct kosh_service never = service(KOSH_SERVICE_RESTART_NEVER, 100, 1000);
	struct init_supervision s = {0};
	init_started(&s, 0);
	assert_int_equal(init_exited(&s, &on_failure, 0, S), -1);
	assert_int_equal(s.state, INIT_STATE_STOPPED);
	assert_false(init_restart_due(&s, UINT64_MAX));
	memset(&s, 0, sizeof(s));
	init_started(&s, 0);
	assert_int_equal(init_exited(&s, &on_failure, KOSH_EXIT_KILLED, S), 100);
	memset(&s, 0, sizeof(s));
	init_started(&s, 0);
	assert_int_equal(init_exited(&s, &never, KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE, S), -1);
	assert_int_equal(s.state, INIT_STATE_FAILED);
	assert_int_equal(s.last_status, KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE);
	assert_int_equal(s.exited, 1);
	memset(&s, 0, sizeof(s));
	init_started(&s, 0);
	assert_int_equal(init_exited(&s, &never, 0, S), -1);
	assert_int_equal(s.state, INIT_STATE_STOPPED);
}

static void test_init_policy_start_failures_back_off(void **state)
{
	struct kosh_service svc = service(KOSH_SERVICE_RESTART_ON_FAILURE, 100, 300);
	struct kosh_service never = service(KOSH_SERVICE_RESTART_NEVER, 100, 300);
	struct init_supervision s = {0};
	assert_int_equal(init_start_failed(&s, &svc, 0, 0), 100);
	assert_int_equal(s.state, INIT_STATE_WAITING);
	assert_int_equal(init_start_failed(&s, &svc, 0, 0), 200);
	assert_int_equal(init_start_failed(&s, &svc, 0, 0), 300);
	assert_int_equal(s.starts, 0);
	init_started(&s, 0);
	assert_int_equal(s.restarts, 0); /* the first start that worked */
	memset(&s, 0, sizeof(s));
	assert_int_equal(init_start_failed(&s, &never, 0, 0), -1);
	assert_int_equal(s.state, INIT_STATE_FAILED);
	/* No binary: no point in trying again, whatever the policy. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(init_start_failed(&s, &svc, 0, 1), -1);
	assert_int_equal(s.state, INIT_STATE_FAILED);
}

static void test_init_policy_state_names(void **state)
{
	assert_string_equal(init_state_name(INIT_STATE_IDLE), "not started");
	assert_string_equal(init_state_name(INIT_STATE_RUNNING), "running");
	assert_string_equal(init_state_name(INIT_STATE_WAITING), "waiting to restart");
	assert_string_equal(init_state_name(INIT_STATE_STOPPED), "stopped");
	assert_string_equal(init_state_name(INIT_STATE_FAILED), "failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_policy_describes_exits),
	    cmocka_unit_test(test_init_policy_restart_decisions),
	    cmocka_unit_test(test_init_policy_backoff_doubles_to_the_cap),
	    cmocka_unit_test(test_init_policy_backoff_resets_after_30s),
	    cmocka_unit_test(test_init_policy_cap_equal_to_initial_and_large_values),
	    cmocka_unit_test(test_init_policy_stops_per_policy),
	    cmocka_unit_test(test_init_policy_start_failures_back_off),
	    cmocka_unit_test(test_init_policy_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
