/* SPDX-License-Identifier: MIT */
/*
 * uname [-asnrvm]: the system's name (-s, the default), node name (-n),
 * release (-r), version (-v) and machine (-m); -a all of them. When the C
 * library cannot answer, Kosh's own values of this build are used.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "util.h"

#define USAGE "[-asnrvm]"

int main(int argc, char **argv)
{
	unsigned char flags[128];
	struct utsname u;
	int i = util_options(argc, argv, "uname", "asnrvm", USAGE, flags);
	if (i != argc)
		util_usage(USAGE, "extra operand '%s'", argv[i]);
	if (uname(&u) < 0 || u.sysname[0] == '\0') {
		memset(&u, 0, sizeof(u));
		snprintf(u.sysname, sizeof(u.sysname), "Kosh");
		snprintf(u.nodename, sizeof(u.nodename), "kosh");
		snprintf(u.release, sizeof(u.release), "%s", KOSH_VERSION);
		snprintf(u.version, sizeof(u.version), "%s", KOSH_VERSION);
		snprintf(u.machine, sizeof(u.machine), "%s", KOSH_ARCH_NAME);
	}
	const char *fields[] = {u.sysname, u.nodename, u.release, u.version, u.machine};
	const char *letters = "snrvm";
	int any = 0;
	for (int k = 0; k < 5; k++)
		any |= flags[(unsigned char)letters[k]];
	if (!any && !flags['a'])
		flags['s'] = 1;
	int first = 1;
	for (int k = 0; k < 5; k++) {
		if (!flags['a'] && !flags[(unsigned char)letters[k]])
			continue;
		printf("%s%s", first ? "" : " ", fields[k]);
		first = 0;
	}
	printf("\n");
	if (fflush(stdout) != 0) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return 0;
}
