/* SPDX-License-Identifier: MIT */
#define _BSD_SOURCE /* syscall(), usleep() … */
/*
 * LIBC0001: musl, the C library, links into a Kosh program and works there
 * (cmake/KoshMusl.cmake). Its string functions, snprintf and qsort give the
 * right results; a system call musl makes (getpid) reaches Kosh's system layer
 * (user/lib/linux_syscall.c) and gets the kernel's process id; a number the
 * layer does not know is ENOSYS, with errno set (musl's start-up ran: TLS,
 * errno), logged once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kosh/log.h>

#include "check.h"

#define LINUX_ENOSYS  38
#define LINUX_UNKNOWN 500 /* no system call has this number on either architecture */

static int by_value(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char buf[128];
	int n = snprintf(buf, sizeof buf, "%s %d %05x %-4s| %.3f %c %lld", "musl", -42, 0xbeef,
			 "ab", 3.14159, 'z', -1234567890123ll);
	kosh_printf("snprintf: \"%s\"\n", buf);
	CHECK_EQ(strcmp(buf, "musl -42 0beef ab  | 3.142 z -1234567890123"), 0);
	CHECK_EQ(n, strlen(buf));
	/* Cut to the buffer, with the full length returned. */
	char small[8];
	CHECK_EQ(snprintf(small, sizeof small, "%s", "0123456789"), 10);
	CHECK_EQ(strcmp(small, "0123456"), 0);

	CHECK_EQ(strlen(""), 0);
	CHECK(strcmp("abc", "abd") < 0);
	CHECK(strcmp("b", "a") > 0);
	CHECK_EQ(strncmp("kosh-os", "kosh-xx", 5), 0);

	int v[] = { 9, -3, 7, 0, 42, 7, -100, 5 };
	int sorted[] = { -100, -3, 0, 5, 7, 7, 9, 42 };
	int w[8];
	memcpy(w, v, sizeof v);
	CHECK_EQ(memcmp(w, v, sizeof v), 0);
	qsort(w, 8, sizeof w[0], by_value);
	CHECK_EQ(memcmp(w, sorted, sizeof sorted), 0);
	kosh_printf("qsort: %d %d %d %d %d %d %d %d\n", w[0], w[1], w[2], w[3], w[4], w[5], w[6],
		    w[7]);

	/* musl's getpid is a bare system call: the system layer answers with the kernel's id. */
	pid_t pid = getpid();
	CHECK(pid > 0);
	CHECK_EQ(getpid(), pid);
	/* An unknown number: -1 and ENOSYS, logged once only. */
	errno = 0;
	CHECK_EQ(syscall(LINUX_UNKNOWN), -1);
	CHECK_EQ(errno, LINUX_ENOSYS);
	CHECK_EQ(syscall(LINUX_UNKNOWN), -1);
	return 0;
}
