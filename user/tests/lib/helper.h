/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the in-OS tests: start a program of bin/tests/helpers/ as a child
 * process with its own small quota, a copy of our log handle and the handles
 * the test names, and wait for it. Failures to start are checks (the test
 * ends with "# FAIL …").
 */
#ifndef KOSH_TEST_HELPER_H
#define KOSH_TEST_HELPER_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/spawn.h>

#define TEST_SECOND       1000000000ull
#define TEST_MS           1000000ull
#define TEST_HELPER_QUOTA (2ull << 20)

/*
 * Start bin/tests/helpers/<helper> as process name with argv { path, args… }
 * (argc entries of args), the handles extra (count of them) besides "log" and
 * "quota"; out gets the child's process and thread handles.
 */
void test_spawn(const char *helper, const char *name, const char *const *args, uint32_t argc,
		const struct kosh_spawn_handle *extra, uint32_t count, struct kosh_child *out);

/* Wait up to timeout ns for child to end; its exit status. Closes its handles. */
uint64_t test_wait(struct kosh_child *child, uint64_t timeout);

/* test_spawn with one argument and no extra handles, then test_wait (10 s): the status. */
uint64_t test_run(const char *helper, const char *name, const char *arg);

/* The number of online CPUs (probed with thread_set_affinity on our own thread). */
uint32_t test_cpu_count(void);

#endif
