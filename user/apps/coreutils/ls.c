/* SPDX-License-Identifier: MIT */
/*
 * ls [-l] [-a] [path...]: the entries of each directory (sorted, one a line;
 * names starting with '.' only with -a), or the name of each file. -l adds the
 * type and permissions, the size in bytes. Several paths: each directory under
 * a "path:" heading. Default: the working directory.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define USAGE "[-la] [path...]"

static unsigned char flags[128];

static char type_char(mode_t mode)
{
	if (S_ISDIR(mode))
		return 'd';
	if (S_ISCHR(mode))
		return 'c';
	if (S_ISFIFO(mode))
		return 'p';
	if (S_ISREG(mode))
		return '-';
	return '?';
}

/* One line: the name, or with -l "drwxr-xr-x   1234 name". */
static void show(const char *name, const struct stat *st)
{
	if (!flags['l'] || !st) {
		printf("%s\n", name);
		return;
	}
	static const char rwx[] = "rwxrwxrwx";
	char mode[11];
	mode[0] = type_char(st->st_mode);
	for (int i = 0; i < 9; i++)
		mode[i + 1] = st->st_mode & (0400 >> i) ? rwx[i] : '-';
	mode[10] = '\0';
	printf("%s %10llu %s\n", mode, (unsigned long long)st->st_size, name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of directory path into *out (malloc'd); their count, or -1 with errno. */
static long read_names(const char *path, char ***out)
{
	DIR *d = opendir(path);
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	if (!d)
		return -1;
	errno = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && !flags['a'])
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			char **more = realloc(names, cap * sizeof(*names));
			if (!more)
				goto fail;
			names = more;
		}
		if (!(names[count] = strdup(e->d_name)))
			goto fail;
		count++;
	}
	if (errno)
		goto fail;
	closedir(d);
	qsort(names, count, sizeof(*names), by_name);
	*out = names;
	return (long)count;
fail:;
	int err = errno ? errno : ENOMEM;
	while (count)
		free(names[--count]);
	free(names);
	closedir(d);
	errno = err;
	return -1;
}

static int list_dir(const char *path)
{
	char **names;
	char full[PATH_MAX];
	long n = read_names(path, &names);
	int status = 0;
	if (n < 0) {
		util_error(path, errno);
		return UTIL_FAIL;
	}
	for (long i = 0; i < n; i++) {
		struct stat st;
		int have = 0;
		if (flags['l']) {
			if (util_join(full, sizeof(full), path, names[i]) == 0 &&
			    stat(full, &st) == 0)
				have = 1;
			else {
				util_error(names[i], errno);
				status = UTIL_FAIL;
			}
		}
		show(names[i], have ? &st : NULL);
		free(names[i]);
	}
	free(names);
	return status;
}

int main(int argc, char **argv)
{
	int i = util_options(argc, argv, "ls", "la1", USAGE, flags);
	int status = 0, many = argc - i > 1;
	char *here[] = {".", NULL};
	char **paths = i == argc ? here : argv + i;
	for (; *paths; paths++) {
		struct stat st;
		if (stat(*paths, &st) < 0) {
			util_error(*paths, errno);
			status = UTIL_FAIL;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			show(*paths, &st);
			continue;
		}
		if (many)
			printf("%s:\n", *paths);
		status |= list_dir(*paths);
	}
	if (fflush(stdout) != 0) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return status;
}
