/* SPDX-License-Identifier: MIT */
/*
 * mkdir [-p] dir...: makes each directory. With -p the missing parents too, and
 * a directory that exists already is no error.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define USAGE "[-p] dir..."

/* Where the path proper starts: after "scheme://" in a URI. */
static size_t path_start(const char *p)
{
	const char *sep = strstr(p, "://");
	const char *slash = strchr(p, '/');
	if (sep && (!slash || sep < slash))
		return (size_t)(sep - p) + 3;
	return 0;
}

static int make(const char *path, int parents)
{
	if (mkdir(path, 0755) == 0)
		return 0;
	if (parents && errno == EEXIST && util_is_dir(path))
		return 0;
	return -1;
}

static int make_parents(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	/* Each prefix that ends before a '/' (not the root's own). */
	for (size_t i = path_start(buf) + 1; i < len; i++) {
		if (buf[i] != '/' || buf[i - 1] == '/')
			continue;
		buf[i] = '\0';
		int err = make(buf, 1);
		buf[i] = '/';
		if (err < 0)
			return -1;
	}
	return make(path, 1);
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "mkdir", "p", USAGE, flags);
	int status = 0;
	if (i == argc)
		util_usage(USAGE, "missing operand");
	for (; i < argc; i++) {
		if ((flags['p'] ? make_parents(argv[i]) : make(argv[i], 0)) < 0) {
			util_error(argv[i], errno);
			status = UTIL_FAIL;
		}
	}
	return status;
}
