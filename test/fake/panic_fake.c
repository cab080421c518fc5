/* SPDX-License-Identifier: MIT */
/*
 * kernel/panic.h for host tests: a panic prints its message and aborts the
 * test binary, so cmocka reports it; the in-progress flag is the fake's.
 */
#include "arch_fake.h"
#include "panic.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int panic_in_progress(void)
{
	return arch_fake.panicking;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void panic_trap(const struct trap_frame *f, const char *fmt, ...)
{
	(void)f;
	fprintf(stderr, "panic_trap: %s\n", fmt);
	abort();
}

void panic_backtrace(uint64_t pc, uint64_t fp)
{
}
