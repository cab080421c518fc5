/* SPDX-License-Identifier: MIT */
/*
 * printf over the kernel log (<kosh/log.h>): format into a buffer on the
 * stack with shared/lib/fmt.c, then write it line by line with log_write.
 */
#include <stdint.h>

#include <kosh/fmt.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

void kosh_log_line(const char *text, size_t len)
{
	if (len > KOSH_LOG_LINE_MAX)
		len = KOSH_LOG_LINE_MAX;
	kosh_handle_t log = kosh_self()->log;
	if (log)
		kosh_log_write(log, (uint64_t)(uintptr_t)text, len);
	else
		kosh_debug_print((uint64_t)(uintptr_t)text, len);
}

int kosh_vprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = kosh_vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			kosh_log_line(buf + start, i - start);
			start = i + 1;
		}
	}
	if (start < len)
		kosh_log_line(buf + start, len - start);
	return n;
}

int kosh_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
