/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the text of init's svc:// (user/servers/init/svctext.c): the
 * exact table `svc list` prints and the lines of `svc show NAME`, for every
 * state, services of the other architecture left out, and output cut to the
 * buffer without running past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "svctext.h"

static struct kosh_service svcs[4];
static struct service_run runs[4];
static const uint8_t order[4] = {0, 2, 1, 3};

static void setup_runs(void)
{
	static const char *names[] = {"logd", "pl011", "uart16550", "sh"};
	memset(svcs, 0, sizeof(svcs));
	memset(runs, 0, sizeof(runs));
	for (int i = 0; i < 4; i++) {
		strcpy(svcs[i].name, names[i]);
		strcpy(svcs[i].binary, "initfs:///sbin/x");
		runs[i].svc = &svcs[i];
		runs[i].here = i != 1; /* pl011: the other architecture */
	}
	runs[0].sup.state = INIT_STATE_RUNNING;
	runs[0].pid = 3;
	runs[2].sup.state = INIT_STATE_WAITING;
	runs[2].pid = 8; /* not shown: not running */
	runs[2].sup.restarts = 2;
	strcpy(runs[2].last_exit, "page fault");
	runs[3].sup.state = INIT_STATE_FAILED;
	strcpy(runs[3].last_exit, "exit 1");
	strcpy(runs[3].last_error, "stdin: console://: no such file or directory");
}

static void test_init_svc_list(void **state)
{
	char buf[1024];
	setup_runs();
	uint32_t n = svc_text_list(runs, order, 4, buf, sizeof(buf));
	assert_string_equal(buf,
			    "NAME                STATE                  PID RESTARTS  LAST EXIT\n"
			    "logd                running                  3        0  -\n"
			    "uart16550           waiting to restart       -        2  page fault\n"
			    "sh                  failed                   -        0  exit 1\n");
	assert_int_equal(n, strlen(buf));
}

static void test_init_svc_one(void **state)
{
	char buf[512];
	setup_runs();
	svc_text_one(&runs[0], buf, sizeof(buf));
	assert_string_equal(buf, "name logd\nstate running\npid 3\nrestarts 0\nlast-exit -\n"
				 "binary initfs:///sbin/x\n");
	svc_text_one(&runs[2], buf, sizeof(buf));
	assert_string_equal(buf, "name uart16550\nstate waiting to restart\npid 0\nrestarts 2\n"
				 "last-exit page fault\nbinary initfs:///sbin/x\n");
	uint32_t n = svc_text_one(&runs[3], buf, sizeof(buf));
	assert_string_equal(buf, "name sh\nstate failed\npid 0\nrestarts 0\nlast-exit exit 1\n"
				 "binary initfs:///sbin/x\n"
				 "last-error stdin: console://: no such file or directory\n");
	assert_int_equal(n, strlen(buf));
}

static void test_init_svc_text_is_cut_to_the_buffer(void **state)
{
	char buf[80];
	setup_runs();
	memset(buf, 'x', sizeof(buf));
	/* The header is 62 bytes; the first line does not fit in what is left. */
	uint32_t n = svc_text_list(runs, order, 4, buf, 70);
	assert_int_equal(n, 69);
	assert_int_equal(buf[69], '\0');
	assert_int_equal(buf[70], 'x'); /* nothing written past size */
	n = svc_text_one(&runs[3], buf, 20);
	assert_int_equal(n, 19);
	assert_int_equal(strlen(buf), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_svc_list),
	    cmocka_unit_test(test_init_svc_one),
	    cmocka_unit_test(test_init_svc_text_is_cut_to_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
