/* SPDX-License-Identifier: MIT */
/*
 * A small freestanding formatter: %s %c %d %i %u %x %X %p %% with the length
 * modifiers l, ll, z, the flags '-' and '0', and a field width. Output is always
 * NUL-terminated and truncated to fit.
 */
#ifndef KOSH_FMT_H
#define KOSH_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Returns the length the full output would have had (as C99 vsnprintf). */
int kosh_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kosh_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
