/* SPDX-License-Identifier: MIT */
/*
 * dmesg: the system log (log://, served by logd: the kernel's lines and every
 * server's, with their times) to standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "util.h"

#define LOG_URI "log://"

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int read_side = 0;
	int i = util_options(argc, argv, "dmesg", "", "", flags);
	if (i != argc)
		util_usage("", "extra operand '%s'", argv[i]);
	int fd = open(LOG_URI, O_RDONLY);
	if (fd < 0) {
		util_error(LOG_URI, errno);
		return UTIL_FAIL;
	}
	if (util_copy_fd(fd, 1, &read_side) < 0) {
		util_error(read_side ? LOG_URI : "write error", errno);
		close(fd);
		return UTIL_FAIL;
	}
	close(fd);
	return 0;
}
