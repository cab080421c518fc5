/* SPDX-License-Identifier: MIT */
/*
 * The file copy of cp and mv (copy.h).
 */
#include "copy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int copy_target(char *out, size_t size, const char *source, const char *dest)
{
	char base[NAME_MAX + 1];
	if (!util_is_dir(dest)) {
		if (strlen(dest) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(out, dest);
		return 0;
	}
	util_basename(base, sizeof(base), source);
	return util_join(out, size, dest, base);
}

int copy_file(const char *from, const char *to)
{
	struct stat src, dst;
	int read_side = 0;
	if (stat(from, &src) < 0) {
		util_error(from, errno);
		return UTIL_FAIL;
	}
	if (S_ISDIR(src.st_mode)) {
		util_say("%s: is a directory (not copied)", from);
		return UTIL_FAIL;
	}
	if (stat(to, &dst) == 0 && dst.st_ino == src.st_ino && dst.st_dev == src.st_dev) {
		util_say("'%s' and '%s' are the same file", from, to);
		return UTIL_FAIL;
	}
	int in = open(from, O_RDONLY);
	if (in < 0) {
		util_error(from, errno);
		return UTIL_FAIL;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		util_error(to, errno);
		close(in);
		return UTIL_FAIL;
	}
	int err = util_copy_fd(in, out, &read_side);
	int saved = errno;
	close(in);
	if (close(out) < 0 && !err) {
		err = -1;
		saved = errno;
		read_side = 0;
	}
	if (err) {
		util_error(read_side ? from : to, saved);
		return UTIL_FAIL;
	}
	return 0;
}

int copy_main(int argc, char **argv, const char *name, int (*each)(const char *from, const char *to))
{
	unsigned char flags[128];
	char target[PATH_MAX];
	int i = util_options(argc, argv, name, "", COPY_USAGE, flags);
	int status = 0;
	if (argc - i < 2)
		util_usage(COPY_USAGE, argc == i ? "missing operands" : "missing destination after '%s'",
			   argv[argc - 1]);
	const char *dest = argv[argc - 1];
	if (argc - i > 2 && !util_is_dir(dest)) {
		util_say("%s: not a directory", dest);
		return UTIL_FAIL;
	}
	for (; i < argc - 1; i++) {
		if (copy_target(target, sizeof(target), argv[i], dest) < 0) {
			util_error(argv[i], errno);
			status = UTIL_FAIL;
			continue;
		}
		status |= each(argv[i], target);
	}
	return status;
}
