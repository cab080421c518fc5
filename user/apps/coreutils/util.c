/* SPDX-License-Identifier: MIT */
/*
 * What the utilities share (util.h).
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kosh/file.h>
#include <kosh/proto/vfs.h>

const char *util_name = "?";

void util_error(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", util_name, what, strerror(err));
}

void util_say(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", util_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void util_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", util_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s\n", util_name, usage);
	exit(UTIL_USAGE);
}

int util_options(int argc, char **argv, const char *name, const char *allowed, const char *usage,
		 unsigned char flags[128])
{
	int i;
	util_name = name;
	memset(flags, 0, 128);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[1] == '-')
			util_usage(usage, "unknown option '%s'", a);
		for (const char *c = a + 1; *c; c++) {
			if (*c < 0 || !strchr(allowed, *c))
				util_usage(usage, "unknown option '-%c'", *c);
			flags[(unsigned char)*c] = 1;
		}
	}
	return i;
}

int util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int util_copy_fd(int in, int out, int *read_side)
{
	static char buf[65536]; /* 64 KiB: a few large calls, as other systems' cp use */
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*read_side = 1;
			return -1;
		}
		if (n == 0)
			return 0;
		if (util_write_all(out, buf, (size_t)n) < 0) {
			*read_side = 0;
			return -1;
		}
	}
}

int util_join(char *out, size_t size, const char *dir, const char *name)
{
	size_t len = strlen(dir);
	int slash = len == 0 || dir[len - 1] != '/';
	int n = snprintf(out, size, "%s%s%s", dir, slash ? "/" : "", name);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

void util_basename(char *out, size_t size, const char *path)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t len = end - start;
	if (len >= size)
		len = size - 1;
	memcpy(out, path + start, len);
	out[len] = '\0';
}

int util_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *util_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *buf = malloc(max + 1);
	size_t used = 0;
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (used < max) {
		ssize_t n = read(fd, buf + used, max - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			free(buf);
			close(fd);
			errno = err;
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
}

int util_each_filesystem(char **paths, int count,
			 int (*fn)(const char *uri, const struct kosh_vfs_statfs *st))
{
	char uri[KOSH_VFS_PATH_MAX + 1], cwd[KOSH_VFS_PATH_MAX + 1];
	struct kosh_vfs_statfs st;
	int status = 0, s;
	uint32_t err;

	/* KOSH_VFS_E* errors are the Linux errno numbers musl uses. */
	for (int i = 0; i < count; i++) {
		err = kosh_vfs_uri_join(getcwd(cwd, sizeof(cwd)) ? cwd : "fs:///", paths[i], uri,
					sizeof(uri));
		if (err == 0)
			err = kosh_file_statfs(kosh_vfs(), uri, &st);
		if (err != 0) {
			util_error(paths[i], (int)err);
			status = UTIL_FAIL;
		} else if ((s = fn(uri, &st)) > status) {
			status = s;
		}
	}
	if (count)
		return status;
	for (uint64_t index = 0, next;; index = next) {
		int last = 0;
		err = kosh_file_mounts(kosh_vfs(), index, uri, sizeof(uri), &next, &last);
		if (err != 0) {
			util_error("the mounts", (int)err);
			return UTIL_FAIL;
		}
		/* Servers that are no filesystem (log://, proc:// …) answer ENOSYS: left out. */
		if (kosh_file_statfs(kosh_vfs(), uri, &st) == 0 && (s = fn(uri, &st)) > status)
			status = s;
		if (last)
			return status;
	}
}
