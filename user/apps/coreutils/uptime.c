/* SPDX-License-Identifier: MIT */
/*
 * uptime: how long the system has been running, from the monotonic clock
 * (which starts with the kernel): "up 0:01:23 (83.456 s)".
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

int main(int argc, char **argv)
{
	unsigned char flags[128];
	struct timespec t;
	int i = util_options(argc, argv, "uptime", "", "", flags);
	if (i != argc)
		util_usage("", "extra operand '%s'", argv[i]);
	if (clock_gettime(CLOCK_MONOTONIC, &t) < 0) {
		util_error("clock_gettime", errno);
		return UTIL_FAIL;
	}
	long long s = (long long)t.tv_sec;
	printf("up %lld:%02lld:%02lld (%lld.%03ld s)\n", s / 3600, s / 60 % 60, s % 60, s,
	       t.tv_nsec / 1000000);
	return 0;
}
