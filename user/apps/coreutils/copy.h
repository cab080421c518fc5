/* SPDX-License-Identifier: MIT */
/*
 * The file copy cp does and mv falls back on across schemes (copy.c).
 */
#ifndef COPY_H
#define COPY_H

#include <stddef.h>

/*
 * Where source goes when the last operand is dest: dest itself, or
 * dest/<basename of source> when dest is a directory. 0, or -1 with errno.
 */
int copy_target(char *out, size_t size, const char *source, const char *dest);

/*
 * Copy the regular file from to to (created or truncated, mode 0644); a
 * message and UTIL_FAIL on any error, 0 on success.
 */
int copy_file(const char *from, const char *to);

/*
 * The command line of cp and mv ("source dest | source... dir"): each(source,
 * target) for every source; usage errors exit. The status to exit with.
 */
#define COPY_USAGE "source dest | source... dir"
int copy_main(int argc, char **argv, const char *name, int (*each)(const char *from, const char *to));

#endif
