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
	char path[64];
	size_t dir = strlen(HELPER_DIR), len = strlen(helper);
	CHECK(dir + len < sizeof(path));
	memcpy(path, HELPER_DIR, dir);
	memcpy(path + dir, helper, len + 1);
	test_spawn_program(path, name, args, argc, extra, count, out);
}

/* test_spawn_program with a quota of quota bytes. */
static void spawn_program(const char *path, const char *name, uint64_t quota,
			  const char *const *args, uint32_t argc,
			  const struct kosh_spawn_handle *extra, uint32_t count,
			  struct kosh_child *out)
{
	const struct kosh_self *self = kosh_self();
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry e;
	CHECK(argc < HELPER_ARGS && count + 2 <= KOSH_SPAWN_HANDLES_MAX);
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, path, &e), KOSH_TAR_OK);
	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, quota));
	struct kosh_spawn_handle give[KOSH_SPAWN_HANDLES_MAX] = {
		{ "klog", self->log, 0, 0 },
		{ "quota", q, KOSH_GIVE_MOVE, quota },
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

void test_spawn_program(const char *path, const char *name, const char *const *args,
			uint32_t argc, const struct kosh_spawn_handle *extra, uint32_t count,
			struct kosh_child *out)
{
	spawn_program(path, name, TEST_HELPER_QUOTA, args, argc, extra, count, out);
}

void test_sleep_ms(uint64_t ms)
{
	static kosh_handle_t timer;
	uint64_t bits;
	if (!timer)
		timer = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	CHECK_ERR(kosh_notify_wait(timer, ms * TEST_MS, &bits), KOSH_E_TIMED_OUT);
}

void test_start_server(const char *name, const char *epname, kosh_handle_t ep, uint32_t rights,
		       uint64_t quota, const char *const *args, uint32_t argc,
		       struct kosh_child *out)
{
	char path[32] = "sbin/";
	size_t len = strlen(name);
	CHECK(len < sizeof(path) - 5);
	memcpy(path + 5, name, len + 1);
	kosh_handle_t h =
		(kosh_handle_t)CHECK_OK(kosh_handle_dup(ep, rights | KOSH_RIGHT_TRANSFER, 0));
	const struct kosh_spawn_handle give = { epname, h, KOSH_GIVE_MOVE, 0 };
	spawn_program(path, name, quota, args, argc, &give, 1, out);
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

kosh_handle_t test_table_mark(kosh_handle_t h)
{
	for (;;) {
		kosh_handle_t d = (kosh_handle_t)CHECK_OK(kosh_handle_dup(h, 0, 0));
		CHECK_EQ(kosh_handle_close(d), KOSH_OK);
		/* The slot's next generation; a slot at its last generation is retired. */
		if (KOSH_HANDLE_GEN(d) != KOSH_HANDLE_GEN(~0u))
			return d + (1u << KOSH_HANDLE_SLOT_BITS);
	}
}

kosh_handle_t test_table_unchanged(kosh_handle_t h, kosh_handle_t mark, const char *what)
{
	kosh_handle_t d = (kosh_handle_t)CHECK_OK(kosh_handle_dup(h, 0, 0));
	CHECK_EQ(kosh_handle_close(d), KOSH_OK);
	if (d != mark)
		check_fail(__FILE_NAME__, __LINE__,
			   "%s: the table changed (a new handle is 0x%x, expected 0x%x)", what, d,
			   mark);
	return test_table_mark(h);
}

uint64_t test_quota_used(kosh_handle_t q)
{
	struct kosh_quota_info info;
	CHECK_EQ(kosh_quota_info(q, (uint64_t)(uintptr_t)&info), KOSH_OK);
	return info.used;
}

/* crt0's entry of runtime threads (kosh_thread_prepare left its record at the stack top). */
extern char kosh_thread_trampoline[];

int64_t test_thread_launch_ipc(struct kosh_thread *t, uint64_t ipc_buffer)
{
	uint64_t top = (uint64_t)(uintptr_t)t->stack + t->stack_size;
	return kosh_thread_start(t->handle, (uint64_t)(uintptr_t)kosh_thread_trampoline, top - 16,
				 top - 16, ipc_buffer);
}
