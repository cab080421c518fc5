/* SPDX-License-Identifier: MIT */
/*
 * What the utilities share (docs/shell.md): messages in one form,
 * "name: what: reason", option parsing that refuses what it does not know, and
 * the few path and I/O helpers several of them need. Paths are URIs
 * ("fs:///a", "initfs:///bin") or names relative to the working directory; the
 * C library resolves them.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Exit statuses: 1 for a failed operation, 2 for bad arguments. */
#define UTIL_FAIL  1
#define UTIL_USAGE 2

/* The tool's name, for messages (set by util_options or by the tool). */
extern const char *util_name;

/* "name: what: strerror(err)" on stderr. */
void util_error(const char *what, int err);

/* "name: message" on stderr (printf-style). */
void util_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "name: message", then "usage: name usage" on stderr, and exit UTIL_USAGE. */
__attribute__((noreturn)) void util_usage(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Options: single letters of allowed ("lr"), grouped or not ("-lr", "-l -r"),
 * up to "--" or the first operand. Each one seen sets flags['x']. An unknown one
 * is a usage error. Returns the index of the first operand.
 */
int util_options(int argc, char **argv, const char *name, const char *allowed, const char *usage,
		 unsigned char flags[128]);

/* Write all of buf to fd (retrying short writes): 0, or -1 with errno. */
int util_write_all(int fd, const void *buf, size_t len);

/* Copy everything from in to out: 0, or -1 with errno (*read_side 1 when reading failed). */
int util_copy_fd(int in, int out, int *read_side);

/* dir joined with name ("fs:///a" + "b" = "fs:///a/b"; "fs:///" + "b" = "fs:///b") into out. */
int util_join(char *out, size_t size, const char *dir, const char *name);

/* The last component of path ("fs:///a/b/" -> "b"), copied into out. */
void util_basename(char *out, size_t size, const char *path);

/* Whether path names a directory. */
int util_is_dir(const char *path);

struct kosh_vfs_statfs;

/*
 * For each path operand (or, with none, every mount vfsd lists whose server
 * answers STATFS: every filesystem), fn(uri, st) with its STATFS; an operand
 * is made a full URI against the working directory first, and one that
 * cannot be (or whose STATFS fails) is an error message. Returns the worst
 * status: fn's, or UTIL_FAIL.
 */
int util_each_filesystem(char **paths, int count,
			 int (*fn)(const char *uri, const struct kosh_vfs_statfs *st));

/* The whole of a (small) file as a NUL-terminated string in malloc'd memory, or NULL with errno. */
char *util_read_file(const char *path, size_t max, size_t *len);

#endif
