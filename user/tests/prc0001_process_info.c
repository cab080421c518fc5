/* SPDX-License-Identifier: MIT */
/*
 * PRC0001: process_info. Our own process reads as running, with our threads
 * and a CPU time that grows while we spin; a busy child (this program again,
 * "spin") gains CPU time while we sleep, and once killed reads as exited with
 * the status, no threads and the CPU time it had; a child that returns 5
 * ("exit") reads as exited with status 5 and its name; ids grow. The read
 * right is needed, a bad pointer is refused.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define SELF_PATH "bin/tests/PRC0001-process-info"

static void spawn_self(const char *mode, const char *name, struct kosh_child *child)
{
	const struct kosh_self *self = kosh_self();
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry e;
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, SELF_PATH, &e), KOSH_TAR_OK);
	kosh_handle_t q =
	    (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, TEST_HELPER_QUOTA));
	struct kosh_spawn_handle give[] = {
	    {"klog", self->log, 0, 0},
	    {"quota", q, KOSH_GIVE_MOVE, TEST_HELPER_QUOTA},
	};
	const char *argv[] = {SELF_PATH, mode};
	struct kosh_spawn s = {
	    .name = name,
	    .image = e.data,
	    .image_size = e.size,
	    .argv = argv,
	    .argc = 2,
	    .handles = give,
	    .handle_count = 2,
	    .quota = q,
	};
	CHECK_EQ(kosh_spawn(&s, child), KOSH_OK);
}

static void info(kosh_handle_t p, struct kosh_process_info *out)
{
	memset(out, 0xee, sizeof(*out));
	CHECK_EQ(kosh_proc_info(p, out), KOSH_OK);
	int nul = 0;
	for (size_t i = 0; i < sizeof(out->name); i++)
		nul |= out->name[i] == 0;
	CHECK(nul); /* NUL-terminated */
}

static void sleep_ns(uint64_t ns)
{
	uint64_t bits;
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	CHECK_ERR(kosh_notify_wait(n, ns, &bits), KOSH_E_TIMED_OUT);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
}

static void spin_for(uint64_t ns)
{
	uint64_t until = (uint64_t)kosh_clock_get() + ns;
	while ((uint64_t)kosh_clock_get() < until)
		;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		for (;;)
			;
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 5;

	const struct kosh_self *self = kosh_self();
	struct kosh_process_info me, me2, a, b;
	struct kosh_child busy, done;

	/* Ourselves. */
	info(self->process, &me);
	CHECK_EQ(me.state, KOSH_PROCESS_RUNNING);
	CHECK(me.threads >= 1);
	CHECK_EQ(me.exit_status, 0);
	CHECK(me.id > 0);
	CHECK(me.created_ns <= (uint64_t)kosh_clock_get());
	spin_for(20 * TEST_MS);
	info(self->process, &me2);
	CHECK_EQ(me2.id, me.id);
	CHECK(me2.cpu_ns >= me.cpu_ns + 10 * TEST_MS); /* counted while running, without a switch */

	/* A busy child gains CPU time while we sleep. */
	spawn_self("spin", "prc-busy", &busy);
	info(busy.process, &a);
	CHECK(a.id > me.id);
	CHECK_EQ(a.state, KOSH_PROCESS_RUNNING);
	CHECK_EQ(a.threads, 1);
	CHECK(strcmp(a.name, "prc-busy") == 0);
	sleep_ns(100 * TEST_MS);
	info(busy.process, &b);
	CHECK(b.cpu_ns > a.cpu_ns);
	check_note("busy child: %llu us of CPU in 100 ms",
		   (unsigned long long)(b.cpu_ns - a.cpu_ns) / 1000);
	sleep_ns(50 * TEST_MS);
	info(busy.process, &a);
	CHECK(a.cpu_ns > b.cpu_ns);

	/* Killed: exited, the status given, no threads, its CPU time kept. */
	CHECK_EQ(kosh_process_kill(busy.process, 9), KOSH_OK);
	uint64_t status;
	CHECK_EQ(kosh_wait(busy.process, 5 * TEST_SECOND, &status), KOSH_OK);
	CHECK_EQ(status, 9);
	info(busy.process, &b);
	CHECK_EQ(b.state, KOSH_PROCESS_EXITED);
	CHECK_EQ(b.exit_status, 9);
	CHECK_EQ(b.threads, 0);
	CHECK(b.cpu_ns >= a.cpu_ns);
	CHECK(strcmp(b.name, "prc-busy") == 0);

	/* "killed" as a status of its own. */
	spawn_self("spin", "prc-killed", &done);
	CHECK_EQ(kosh_process_kill(done.process, KOSH_EXIT_KILLED), KOSH_OK);
	CHECK_EQ(kosh_wait(done.process, 5 * TEST_SECOND, &status), KOSH_OK);
	CHECK_EQ(status, KOSH_EXIT_KILLED);
	CHECK_EQ(test_wait(&done, TEST_SECOND), KOSH_EXIT_KILLED);

	/* A child that returns 5. */
	spawn_self("exit", "prc-exit", &done);
	CHECK_EQ(kosh_wait(done.process, 5 * TEST_SECOND, &status), KOSH_OK);
	info(done.process, &a);
	CHECK_EQ(a.state, KOSH_PROCESS_EXITED);
	CHECK_EQ(a.exit_status, 5);
	CHECK_EQ(a.threads, 0);
	CHECK(a.id > b.id);
	CHECK(strcmp(a.name, "prc-exit") == 0);

	/* The read right; a bad pointer. */
	struct kosh_handle_info hi;
	CHECK_EQ(kosh_info(done.process, &hi), KOSH_OK);
	kosh_handle_t weak =
	    (kosh_handle_t)CHECK_OK(kosh_handle_dup(done.process, hi.rights & ~KOSH_RIGHT_READ, 0));
	CHECK_ERR(kosh_process_info(weak, (uint64_t)(uintptr_t)&a), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_process_info(done.process, 0), KOSH_E_BAD_ADDRESS);
	CHECK_ERR(kosh_process_info(self->quota, (uint64_t)(uintptr_t)&a), KOSH_E_WRONG_TYPE);
	CHECK_EQ(kosh_handle_close(weak), KOSH_OK);
	CHECK_EQ(test_wait(&done, TEST_SECOND), 5);
	CHECK_EQ(test_wait(&busy, TEST_SECOND), 9);
	return 0;
}
