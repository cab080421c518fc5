/* SPDX-License-Identifier: MIT */
/*
 * The system layer under musl (DESIGN.md §8): every system call musl makes
 * arrives here, through user/lib/musl/syscall_arch.h, with the Linux
 * number of the architecture and its arguments, and returns what Linux would:
 * the result, or -errno. None is implemented yet: each returns -ENOSYS and is
 * logged the first time its number is seen.
 */
#include <stdint.h>

#include <kosh/log.h>

#define LINUX_ENOSYS 38 /* the Linux value, the same on both architectures */

/* Numbers seen so far; Linux's are below 512 on both architectures. */
#define SEEN_MAX 512
static uint64_t seen[SEEN_MAX / 64];

long __kosh_linux_syscall(long n, long a, long b, long c, long d, long e, long f);

static void unsupported(long n)
{
	if (n >= 0 && n < SEEN_MAX) {
		uint64_t bit = 1ull << (n % 64);
		if (__atomic_fetch_or(&seen[n / 64], bit, __ATOMIC_RELAXED) & bit)
			return;
	}
	kosh_printf("linux system call %ld is not supported (ENOSYS)\n", n);
}

long __kosh_linux_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	unsupported(n);
	return -LINUX_ENOSYS;
}
