/* SPDX-License-Identifier: MIT */
/*
 * sleep seconds...: waits for the sum of its arguments, each a decimal number
 * of seconds ("2", "0.25", ".5"), at most a day in all.
 */
#include <errno.h>
#include <time.h>

#include "util.h"

#define USAGE  "seconds..."
#define MAX_NS (86400ull * 1000000000ull)

/* "12.345" -> ns; -1 if it is not a plain decimal number or too big. */
static long long parse_seconds(const char *s)
{
	unsigned long long whole = 0, frac = 0, scale = 100000000ull;
	int digits = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > MAX_NS / 1000000000ull)
			return -1;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			frac += (unsigned)(*s - '0') * scale;
			scale /= 10;
		}
	}
	if (*s != '\0' || digits == 0)
		return -1;
	return (long long)(whole * 1000000000ull + frac);
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "sleep", "", USAGE, flags);
	unsigned long long total = 0;
	if (i == argc)
		util_usage(USAGE, "missing operand");
	for (; i < argc; i++) {
		long long ns = parse_seconds(argv[i]);
		if (ns < 0 || total + (unsigned long long)ns > MAX_NS)
			util_usage(USAGE, "invalid time interval '%s'", argv[i]);
		total += (unsigned long long)ns;
	}
	struct timespec left = {.tv_sec = (time_t)(total / 1000000000ull),
				.tv_nsec = (long)(total % 1000000000ull)};
	while (nanosleep(&left, &left) < 0) {
		if (errno != EINTR) {
			util_error("nanosleep", errno);
			return UTIL_FAIL;
		}
	}
	return 0;
}
