/* SPDX-License-Identifier: MIT */
/*
 * date [-u] [+FORMAT]: the time now, in UTC (there are no time zones: -u is
 * accepted and changes nothing), as "Sun Nov 22 07:40:00 UTC 2026", or as
 * strftime's FORMAT. The time is time(), CLOCK_REALTIME of the C library:
 * the RTC driver's time:///now, or the time since boot when there is none
 * (docs/system.md, "Time"). Setting the clock is not offered.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

#define USAGE "[-u] [+FORMAT]"

int main(int argc, char **argv)
{
	unsigned char flags[128];
	const char *format = "%a %b %e %H:%M:%S UTC %Y";
	int i = util_options(argc, argv, "date", "u", USAGE, flags);
	if (i < argc && argv[i][0] == '+')
		format = argv[i++] + 1;
	if (i < argc)
		util_usage(USAGE, "extra operand '%s' (setting the clock is not supported)",
			   argv[i]);
	time_t now = time(NULL);
	struct tm tm;
	if (now == (time_t)-1 || !gmtime_r(&now, &tm)) {
		util_error("cannot read the clock", errno ? errno : EOVERFLOW);
		return UTIL_FAIL;
	}
	char text[512];
	size_t n = strftime(text, sizeof(text), format, &tm);
	if (n == 0 && format[0] != '\0') {
		util_say("the format's text is too long (at most %zu bytes)", sizeof(text) - 1);
		return UTIL_FAIL;
	}
	printf("%s\n", text);
	if (fflush(stdout) != 0) {
		util_error("write error", errno);
		return UTIL_FAIL;
	}
	return 0;
}
