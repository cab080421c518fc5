/* SPDX-License-Identifier: MIT */
/* The in-OS tests' checks (check.h): report, then end the whole process. */
#include <stdarg.h>

#include <kosh/fmt.h>
#include <kosh/log.h>
#include <kosh/runtime.h>

#include "check.h"

void check_fail(const char *file, int line, const char *fmt, ...)
{
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	kosh_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kosh_printf("# FAIL %s:%d: %s", file, line, what);
	kosh_terminate(1);
}

void check_note(const char *fmt, ...)
{
	char text[200];
	va_list ap;
	va_start(ap, fmt);
	kosh_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	kosh_printf("# %s", text);
}

const char *check_result_text(int64_t result)
{
	static char buf[96];
	if (result >= 0)
		kosh_snprintf(buf, sizeof(buf), "%lld (success)", (long long)result);
	else
		kosh_snprintf(buf, sizeof(buf), "%lld (%s)", (long long)result,
			      kosh_strerror((kosh_err_t)result));
	return buf;
}
