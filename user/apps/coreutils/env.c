/* SPDX-License-Identifier: MIT */
/*
 * env [NAME=value...]: the environment, one NAME=value a line, with the given
 * assignments applied first. Running a command under a changed environment is
 * the shell's job (NAME=value command), so a word that is no assignment is an
 * error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

extern char **environ;

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "env", "", "[NAME=value...]", flags);
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i])
			util_usage(
			    "[NAME=value...]",
			    "'%s': not NAME=value (run commands with NAME=value command in sh)",
			    argv[i]);
		/* The arguments are in the read-only start page: the name is copied out. */
		char *name = strndup(argv[i], (size_t)(eq - argv[i]));
		if (!name || setenv(name, eq + 1, 1) < 0) {
			util_error(argv[i], name ? errno : ENOMEM);
			return UTIL_FAIL;
		}
		free(name);
	}
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	if (fflush(stdout) != 0) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return 0;
}
