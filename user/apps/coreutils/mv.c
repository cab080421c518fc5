/* SPDX-License-Identifier: MIT */
/*
 * mv source dest, mv source... dir: renames. When the last operand is a
 * directory each source moves into it under its own name. Between schemes
 * (EXDEV: fs:// and another) a file is copied and then removed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "util.h"

static int move(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return 0;
	if (errno != EXDEV) {
		int err = errno;
		util_say("cannot move '%s' to '%s': %s", from, to, strerror(err));
		return UTIL_FAIL;
	}
	if (copy_file(from, to) != 0)
		return UTIL_FAIL;
	if (unlink(from) < 0) {
		util_error(from, errno);
		return UTIL_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	return copy_main(argc, argv, "mv", move);
}
