/* SPDX-License-Identifier: MIT */
/*
 * svc list: init's services, one line each (name, state, pid, restarts, last
 * exit), from svc:///list. svc show NAME: one service's details, from
 * svc:///NAME. (init serves svc://; docs/services.md.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define USAGE "list | show NAME"

static int cat(const char *uri)
{
	int read_side = 0;
	int fd = open(uri, O_RDONLY);
	if (fd < 0) {
		util_error(uri, errno);
		return UTIL_FAIL;
	}
	int err = util_copy_fd(fd, 1, &read_side);
	int saved = errno;
	close(fd);
	if (err < 0) {
		util_error(read_side ? uri : "write error", saved);
		return UTIL_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	char uri[128];
	int i = util_options(argc, argv, "svc", "", USAGE, flags);
	if (i == argc)
		util_usage(USAGE, "missing command");
	if (strcmp(argv[i], "list") == 0 && i + 1 == argc)
		return cat("svc:///list");
	if (strcmp(argv[i], "show") == 0 && i + 2 == argc) {
		const char *name = argv[i + 1];
		if (!name[0] || strchr(name, '/') || strcmp(name, "list") == 0 || strlen(name) > 64)
			util_usage(USAGE, "'%s': not a service name", name);
		snprintf(uri, sizeof(uri), "svc:///%s", name);
		return cat(uri);
	}
	util_usage(USAGE, "unknown command '%s'", argv[i]);
}
