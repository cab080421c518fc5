/* SPDX-License-Identifier: MIT */
/*
 * echo [-n] [word...]: the words, separated by single spaces, and a newline
 * unless -n is given first. No escapes are interpreted. The output goes out in
 * one write when it fits the buffer, so a pipe's reader sees the line whole.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char buf[16384];
static size_t used;

static int emit(const char *s, size_t len)
{
	if (used + len > sizeof(buf)) {
		if (util_write_all(1, buf, used) < 0)
			return -1;
		used = 0;
	}
	if (len > sizeof(buf))
		return util_write_all(1, s, len);
	memcpy(buf + used, s, len);
	used += len;
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1, newline = 1, err = 0;
	util_name = "echo";
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		newline = 0;
		i++;
	}
	for (int first = i; i < argc && !err; i++) {
		if (i > first)
			err = emit(" ", 1);
		if (!err)
			err = emit(argv[i], strlen(argv[i]));
	}
	if (!err && newline)
		err = emit("\n", 1);
	if (!err)
		err = util_write_all(1, buf, used);
	if (err) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return 0;
}
