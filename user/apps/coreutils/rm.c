/* SPDX-License-Identifier: MIT */
/*
 * rm [-r] [-f] path...: removes each file. -r removes a directory with
 * everything in it (without -r a directory is refused, as everywhere); -f says
 * nothing about paths that do not exist.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define USAGE	  "[-rf] path..."
#define DEPTH_MAX 32

static unsigned char flags[128];

static int remove_path(const char *path, int depth);

/* Everything in directory path, then path itself. */
static int remove_tree(const char *path, int depth)
{
	char child[PATH_MAX];
	int status = 0;
	if (depth >= DEPTH_MAX) {
		util_say("%s: directories nested too deeply", path);
		return UTIL_FAIL;
	}
	/* Entries are read again after each round of removals, not while removing. */
	for (;;) {
		DIR *d = opendir(path);
		struct dirent *e;
		int removed = 0;
		if (!d) {
			util_error(path, errno);
			return UTIL_FAIL;
		}
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (util_join(child, sizeof(child), path, e->d_name) < 0) {
				util_error(e->d_name, errno);
				status = UTIL_FAIL;
				continue;
			}
			if (remove_path(child, depth + 1) == 0)
				removed++;
			else
				status = UTIL_FAIL;
		}
		closedir(d);
		if (!removed || status)
			break;
	}
	if (status)
		return status;
	if (rmdir(path) < 0) {
		util_error(path, errno);
		return UTIL_FAIL;
	}
	return 0;
}

static int remove_path(const char *path, int depth)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT && flags['f'])
			return 0;
		util_error(path, errno);
		return UTIL_FAIL;
	}
	if (S_ISDIR(st.st_mode)) {
		if (flags['r'])
			return remove_tree(path, depth);
		util_say("%s: is a directory (use -r)", path);
		return UTIL_FAIL;
	}
	if (unlink(path) < 0) {
		util_error(path, errno);
		return UTIL_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i = util_options(argc, argv, "rm", "rRf", USAGE, flags);
	int status = 0;
	flags['r'] |= flags['R'];
	if (i == argc && !flags['f'])
		util_usage(USAGE, "missing operand");
	for (; i < argc; i++)
		status |= remove_path(argv[i], 0);
	return status;
}
