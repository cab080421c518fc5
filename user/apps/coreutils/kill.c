/* SPDX-License-Identifier: MIT */
/*
 * kill pid...: ends each process, by writing "kill" to proc:///<pid>/ctl
 * (procd). A signal option (-9, -KILL, -s KILL) is accepted and has no other
 * meaning: Kosh has one way to end a process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define USAGE "[-9] pid..."

/* A decimal process id, 1 .. 2^31 - 1, or -1. */
static long parse_pid(const char *s)
{
	long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 214748364)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > 0 ? v : -1;
}

static int kill_one(const char *arg)
{
	char path[64];
	long pid = parse_pid(arg);
	if (pid < 0) {
		util_say("%s: not a process id", arg);
		return UTIL_FAIL;
	}
	snprintf(path, sizeof(path), "proc:///%ld/ctl", pid);
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			util_say("%ld: no such process", pid);
		else
			util_error(arg, errno);
		return UTIL_FAIL;
	}
	int err = util_write_all(fd, "kill", 4);
	int saved = errno;
	close(fd);
	if (err < 0) {
		util_error(arg, saved);
		return UTIL_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	util_name = "kill";
	/* A signal: -9, -KILL, -TERM, -s NAME. */
	if (i < argc && strcmp(argv[i], "-s") == 0)
		i += 2;
	else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0)
		i++;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		util_usage(USAGE, "missing process id");
	for (; i < argc; i++)
		status |= kill_one(argv[i]);
	return status;
}
