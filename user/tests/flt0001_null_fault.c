/* SPDX-License-Identifier: MIT */
/*
 * FLT0001: a process that touches memory it may not is stopped by the kernel
 * and its exit status says so: KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE, for a read
 * and a write through NULL, a write to read-only data and a jump into data
 * (never executable). The faulting program is bin/tests/helpers/fault, spawned
 * from the initfs with its own small quota; the test process itself carries on.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"

#define HELPER       "bin/tests/helpers/fault"
#define HELPER_QUOTA (2ull << 20)
#define SECOND       1000000000ull

static void expect_fault(const struct kosh_tar_entry *helper, const char *mode)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, HELPER_QUOTA));
	struct kosh_spawn_handle give[] = {
		{ "klog", self->log, 0, 0 },
		{ "quota", q, KOSH_GIVE_MOVE, HELPER_QUOTA },
	};
	const char *argv[] = { HELPER, mode };
	struct kosh_spawn s = {
		.name = "expected-fault", .image = helper->data, .image_size = helper->size,
		.argv = argv, .argc = 2, .handles = give, .handle_count = 2, .quota = q,
	};
	struct kosh_child child;
	CHECK_EQ(kosh_spawn(&s, &child), KOSH_OK);
	uint64_t status = 0;
	CHECK_EQ(kosh_wait(child.process, 10 * SECOND, &status), KOSH_OK);
	if (status != (KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE))
		check_note("%s: exit status 0x%llx", mode, (unsigned long long)status);
	CHECK_EQ(status, KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE);
	/* Waiting again gives the same status at once. */
	CHECK_EQ(kosh_wait(child.process, 0, &status), KOSH_OK);
	CHECK_EQ(status, KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE);
	CHECK_EQ(kosh_handle_close(child.thread), KOSH_OK);
	CHECK_EQ(kosh_handle_close(child.process), KOSH_OK);
}

int main(int argc, char **argv)
{
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry helper;
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, HELPER, &helper), KOSH_TAR_OK);
	expect_fault(&helper, "null-read");
	expect_fault(&helper, "null-write");
	expect_fault(&helper, "rodata-write");
	expect_fault(&helper, "exec-data");
	return 0;
}
