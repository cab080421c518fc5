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
#include <kosh/thread.h>

#define TEST_SECOND       1000000000ull
#define TEST_MS           1000000ull
#define TEST_HELPER_QUOTA (2ull << 20)

/*
 * Start bin/tests/helpers/<helper> as process name with argv { path, args… }
 * (argc entries of args), the handles extra (count of them) besides "klog" and
 * "quota"; out gets the child's process and thread handles.
 */
void test_spawn(const char *helper, const char *name, const char *const *args, uint32_t argc,
		const struct kosh_spawn_handle *extra, uint32_t count, struct kosh_child *out);

/* test_spawn for any program of the initfs: path such as "sbin/drivers/rtc". */
void test_spawn_program(const char *path, const char *name, const char *const *args,
			uint32_t argc, const struct kosh_spawn_handle *extra, uint32_t count,
			struct kosh_child *out);

/* Wait ms milliseconds (on a notification nothing signals). */
void test_sleep_ms(uint64_t ms);

/*
 * A server of the initfs, sbin/<name>, for the tests that build a little system
 * of their own: a quota of quota bytes, "klog", "quota", and a copy of ep with
 * rights (and transfer) as the handle epname.
 */
void test_start_server(const char *name, const char *epname, kosh_handle_t ep, uint32_t rights,
		       uint64_t quota, const char *const *args, uint32_t argc,
		       struct kosh_child *out);

/* Wait up to timeout ns for child to end; its exit status. Closes its handles. */
uint64_t test_wait(struct kosh_child *child, uint64_t timeout);

/* test_spawn with one argument and no extra handles, then test_wait (10 s): the status. */
uint64_t test_run(const char *helper, const char *name, const char *arg);

/* The number of online CPUs (probed with thread_set_affinity on our own thread). */
uint32_t test_cpu_count(void);

/*
 * What the next new handle of this process will be: the lowest free slot of the
 * table with its generation (found by duplicating h, which needs the duplicate
 * right, and closing the copy). Nothing else of the process may make or close
 * handles until test_table_unchanged.
 */
kosh_handle_t test_table_mark(kosh_handle_t h);

/*
 * Check that the table is as mark found it — no handle was added, and no slot
 * left reserved, since — by making the next handle, which must take exactly
 * the marked value ("# FAIL … what" otherwise). Returns the next mark.
 */
kosh_handle_t test_table_unchanged(kosh_handle_t h, kosh_handle_t mark, const char *what);

/* The bytes charged to quota q. */
uint64_t test_quota_used(kosh_handle_t q);

/*
 * Start t (made by kosh_thread_prepare) as kosh_thread_launch does, but with
 * ipc_buffer as its IPC buffer instead of t->ipc: for tests of bad buffers.
 * thread_start's result.
 */
int64_t test_thread_launch_ipc(struct kosh_thread *t, uint64_t ipc_buffer);

#endif
