/* SPDX-License-Identifier: MIT */
/* Helpers of the in-OS tests (helper.h). */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define HELPER_DIR  "bin/tests/helpers/"
#define HELPER_ARGS 8

void test_spawn(const char *helper, const char *name, const char *const *args, uint32_t argc,
		const struct kosh_spawn_handle *extra, uint32_t count, struct kosh_child *out)
{
	const struct kosh_self *self = kosh_self();
	char path[64];
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry e;
	size_t dir = strlen(HELPER_DIR), len = strlen(helper);
	CHECK(dir + len < sizeof(path) && argc < HELPER_ARGS && count + 2 <= KOSH_SPAWN_HANDLES_MAX);
	memcpy(path, HELPER_DIR, dir);
	memcpy(path + dir, helper, len + 1);
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, path, &e), KOSH_TAR_OK);
	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, TEST_HELPER_QUOTA));
	struct kosh_spawn_handle give[KOSH_SPAWN_HANDLES_MAX] = {
		{ "log", self->log, 0, 0 },
		{ "quota", q, KOSH_GIVE_MOVE, TEST_HELPER_QUOTA },
	};
	for (uint32_t i = 0; i < count; i++)
		give[2 + i] = extra[i];
	const char *argv[HELPER_ARGS + 1] = { path };
	for (uint32_t i = 0; i < argc; i++)
		argv[1 + i] = args[i];
	struct kosh_spawn s = {
		.name = name, .image = e.data, .image_size = e.size, .argv = argv, .argc = argc + 1,
		.handles = give, .handle_count = count + 2, .quota = q,
	};
	CHECK_EQ(kosh_spawn(&s, out), KOSH_OK);
}

uint64_t test_wait(struct kosh_child *child, uint64_t timeout)
{
	uint64_t status = 0;
	CHECK_EQ(kosh_wait(child->process, timeout, &status), KOSH_OK);
	CHECK_EQ(kosh_handle_close(child->thread), KOSH_OK);
	CHECK_EQ(kosh_handle_close(child->process), KOSH_OK);
	return status;
}

uint64_t test_run(const char *helper, const char *name, const char *arg)
{
	struct kosh_child child;
	test_spawn(helper, name, &arg, arg ? 1 : 0, NULL, 0, &child);
	return test_wait(&child, 10 * TEST_SECOND);
}

uint32_t test_cpu_count(void)
{
	kosh_handle_t self = kosh_self()->thread;
	uint32_t n = 0;
	while (n < 64 && kosh_thread_set_affinity(self, 1ull << n) == KOSH_OK)
		n++;
	CHECK(n > 0);
	CHECK_EQ(kosh_thread_set_affinity(self, n == 64 ? ~0ull : (1ull << n) - 1), KOSH_OK);
	return n;
}
