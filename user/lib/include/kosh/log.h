/* SPDX-License-Identifier: MIT */
/*
 * Output: printf over the kernel log. Every line becomes one kernel log line,
 * "<process name>: <text>" on the console. A call writes each '\n'-terminated
 * piece of its output as a line, and what follows the last '\n' as a line too:
 * there is no buffering between calls. Lines longer than KOSH_LOG_LINE_MAX
 * bytes are cut. Without a log handle the text goes to debug_print.
 */
#ifndef KOSH_USER_LOG_H
#define KOSH_USER_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include <kosh/abi.h>

#define KOSH_LOG_LINE_MAX KOSH_LOG_TEXT_MAX /* what log_write takes */

int kosh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kosh_vprintf(const char *fmt, va_list ap);

/* Write len bytes as one log line (no formatting). */
void kosh_log_line(const char *text, size_t len);

#endif
