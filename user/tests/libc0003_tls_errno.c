/* SPDX-License-Identifier: MIT */
/*
 * LIBC0003: musl's start-up set up thread-local storage: _Thread_local
 * variables start with their initial values (.tdata) and zeroes (.tbss) and
 * keep what is stored in them; errno (thread-local in musl) is set by failing
 * calls and can be cleared; the thread pointer is the one musl gave the kernel
 * (pthread_self is derived from it). The test then runs itself as a child
 * with arguments and an environment (start protocol v2): the child finds them
 * in argv, environ and getenv, and its working directory from PWD.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/start.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define SELF "bin/tests/LIBC0003-tls-errno"

static _Thread_local int counter = 41;
static _Thread_local long table[64];
static _Thread_local char name[16] = "tls";
extern char **environ;

static int *counter_address(void)
{
	return &counter;
}

/* The child: what the parent gave. */
static int child(int argc, char **argv)
{
	char cwd[32];
	CHECK_EQ(argc, 3);
	CHECK_EQ(strcmp(argv[2], "second argument"), 0);
	CHECK(argv[3] == NULL);
	CHECK_EQ(strcmp(getenv("KOSH_TEST"), "value with spaces"), 0);
	CHECK_EQ(strcmp(getenv("EMPTY"), ""), 0);
	CHECK(getenv("KOSH") == NULL);
	int n = 0;
	while (environ[n])
		n++;
	CHECK_EQ(n, 3);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_EQ(strcmp(cwd, "/home/user"), 0);
	CHECK_EQ(counter, 41);
	return 7;
}

/* Run ourselves with arguments and an environment; the child ends with 7. */
static void run_child(void)
{
	const struct kosh_self *self = kosh_self();
	const void *initfs;
	uint64_t size, status;
	struct kosh_tar_entry e;
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, SELF, &e), KOSH_TAR_OK);
	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, 2u << 20));
	const char *argv[] = { SELF, "--child", "second argument" };
	const char *envp[] = { "KOSH_TEST=value with spaces", "EMPTY=", "PWD=/home/./user/" };
	struct kosh_spawn_handle give[] = {
		{ "klog", self->log, 0, 0 },
		{ "quota", q, KOSH_GIVE_MOVE, 2u << 20 },
	};
	struct kosh_spawn s = {
		.name = "LIBC0003-child", .image = e.data, .image_size = e.size, .argv = argv,
		.argc = 3, .envp = envp, .envc = 3, .handles = give, .handle_count = 2, .quota = q,
	};
	struct kosh_child c;

	/* Refused before anything is made: too many strings, a NULL one, too many bytes. */
	static char big[KOSH_START_SIZE];
	static const char *many[KOSH_START_ENV_MAX + 1];
	memset(big, 'x', sizeof big - 1);
	for (int i = 0; i <= KOSH_START_ENV_MAX; i++)
		many[i] = "A=1";
	const char *with_null[] = { "A=1", NULL };
	const char *too_big[] = { big };
	struct kosh_spawn bad = s;
	bad.handle_count = 1; /* the moved quota stays ours */
	bad.envp = many, bad.envc = KOSH_START_ENV_MAX + 1;
	CHECK_EQ(kosh_spawn(&bad, &c), KOSH_E_INVALID_ARGUMENT);
	bad.envp = with_null, bad.envc = 2;
	CHECK_EQ(kosh_spawn(&bad, &c), KOSH_E_INVALID_ARGUMENT);
	bad.envp = too_big, bad.envc = 1;
	CHECK_EQ(kosh_spawn(&bad, &c), KOSH_E_TOO_BIG);
	bad.envp = many, bad.envc = KOSH_START_ENV_MAX;
	bad.argv = many, bad.argc = KOSH_START_ARGS_MAX + 1;
	CHECK_EQ(kosh_spawn(&bad, &c), KOSH_E_INVALID_ARGUMENT);

	CHECK_EQ(kosh_spawn(&s, &c), KOSH_OK);
	status = test_wait(&c, 10 * TEST_SECOND);
	CHECK_EQ(status, 7);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return child(argc, argv);
	CHECK_EQ(counter, 41);
	CHECK_EQ(strcmp(name, "tls"), 0);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(table[i], 0);
	counter++;
	table[63] = -7;
	name[3] = '!';
	CHECK_EQ(*counter_address(), 42);
	CHECK_EQ(table[63], -7);
	CHECK_EQ(strcmp(name, "tls!"), 0);

	/* The TLS block lies right by the thread's descriptor, which pthread_self gives. */
	uintptr_t self = (uintptr_t)pthread_self();
	uintptr_t var = (uintptr_t)counter_address();
	CHECK(self != 0);
	CHECK(var - self < 4096 || self - var < 4096);

	errno = 0;
	CHECK_EQ(close(-1), -1);
	CHECK_EQ(errno, EBADF);
	CHECK_EQ(write(77, "x", 1), -1);
	CHECK_EQ(errno, EBADF);
	errno = 0;
	CHECK_EQ(errno, 0);
	CHECK_EQ(strcmp(strerror(ENOENT), "No such file or directory"), 0);

	CHECK(argc >= 1);
	CHECK(argv[argc] == NULL);
	CHECK(environ != NULL);
	CHECK(getenv("KOSH_NO_SUCH_VARIABLE") == NULL);
	run_child();
	return 0;
}
