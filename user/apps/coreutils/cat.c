/* SPDX-License-Identifier: MIT */
/*
 * cat [file...]: each file (or standard input for none or "-") to standard
 * output. A file that cannot be read is reported and skipped; the status is 1
 * if any was.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int cat_one(const char *path)
{
	int read_side = 0;
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
	if (fd < 0) {
		util_error(path, errno);
		return UTIL_FAIL;
	}
	int err = util_copy_fd(fd, 1, &read_side);
	int saved = errno;
	if (fd != 0)
		close(fd);
	if (err < 0) {
		util_error(read_side ? path : "write error", saved);
		return UTIL_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "cat", "", "[file...]", flags);
	int status = 0;
	if (i == argc)
		return cat_one("-");
	for (; i < argc; i++)
		status |= cat_one(argv[i]);
	return status;
}
