/* SPDX-License-Identifier: MIT */
/*
 * free: the system's memory from proc:///meminfo (procd: the root quota's
 * limit, use and what is left), in KiB.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MEMINFO_URI "proc:///meminfo"

/* The number after "key:" in text, or -1. */
static long long value(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	size_t klen = strlen(key);
	if (!p || p[klen] != ':')
		return -1;
	return strtoll(p + klen + 1, NULL, 10);
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "free", "", "", flags);
	if (i != argc)
		util_usage("", "extra operand '%s'", argv[i]);
	char *text = util_read_file(MEMINFO_URI, 4096, NULL);
	if (!text) {
		util_error(MEMINFO_URI, errno);
		return UTIL_FAIL;
	}
	long long total = value(text, "total_kib"), used = value(text, "used_kib"),
		  avail = value(text, "free_kib");
	free(text);
	if (total < 0 || used < 0 || avail < 0) {
		util_say("%s: not in the expected form", MEMINFO_URI);
		return UTIL_FAIL;
	}
	printf("%-8s %12s %12s %12s\n", "", "total", "used", "free");
	printf("%-8s %12lld %12lld %12lld\n", "KiB:", total, used, avail);
	if (fflush(stdout) != 0) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return 0;
}
