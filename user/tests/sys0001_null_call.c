/* SPDX-License-Identifier: MIT */
/*
 * SYS0001: the calls that need no handle work. yield returns KOSH_OK again and
 * again, clock_get never goes backwards and does advance (across yields, so a
 * clock that only moves on timer ticks is found too), and a call leaves the
 * argument registers it has no result for as they were.
 */
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

#define YIELDS 1000

int main(int argc, char **argv)
{
	int64_t t0 = CHECK_OK(kosh_clock_get());
	for (int i = 0; i < YIELDS; i++)
		CHECK_EQ(kosh_yield(), KOSH_OK);
	int64_t t1 = CHECK_OK(kosh_clock_get());
	CHECK(t1 >= t0);
	check_note("%d yields in %lld us", YIELDS, (long long)(t1 - t0) / 1000);

	/* Monotonic, reading after reading. */
	int64_t prev = t1;
	for (int i = 0; i < 10000; i++) {
		int64_t t = kosh_clock_get();
		CHECK(t >= prev);
		prev = t;
	}

	/* It advances by a millisecond within a bounded number of yields. */
	int64_t now = kosh_clock_get();
	long spins = 0;
	while (now < t0 + 1000000 && spins < 10000000) {
		kosh_yield();
		now = kosh_clock_get();
		spins++;
	}
	CHECK(now >= t0 + 1000000);

	/* The argument registers come back as they went (no result in them). */
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { 1, 2, 3, 4, 5, 6, 7 };
	CHECK_EQ(kosh_syscall(KOSH_SYS_yield, r), KOSH_OK);
	for (int i = 1; i < KOSH_SYSCALL_ARGS_MAX; i++)
		CHECK_EQ(r[i], (uint64_t)i + 1);
	return 0;
}
