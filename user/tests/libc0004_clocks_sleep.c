/* SPDX-License-Identifier: MIT */
#define _BSD_SOURCE /* syscall(), usleep() … */
/*
 * LIBC0004: time through musl. clock_gettime (MONOTONIC, REALTIME, BOOTTIME)
 * gives the kernel's clock and never goes back; the CPU-time clocks (and
 * clock()) grow while the test computes and not while it sleeps; nanosleep, clock_nanosleep
 * (relative and absolute) and usleep wait at least what was asked and not
 * absurdly longer; bad times are EINVAL; time() and gettimeofday agree with
 * CLOCK_REALTIME (without a vfs handle, as here, REALTIME is the monotonic clock).
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <kosh/syscall.h>

#include "check.h"

#define MS 1000000ll

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000ll + t->tv_nsec;
}

static long long now(clockid_t clock)
{
	struct timespec t;
	CHECK_EQ(clock_gettime(clock, &t), 0);
	CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
	return ns_of(&t);
}

/* Run a sleep of ms milliseconds and check how long it took. */
#define CHECK_SLEEP(call, ms)                                                   \
	do {                                                                    \
		long long t0_ = now(CLOCK_MONOTONIC);                           \
		CHECK_EQ(call, 0);                                              \
		long long took_ = now(CLOCK_MONOTONIC) - t0_;                   \
		if (took_ < (ms) * MS || took_ > (ms) * MS + 2000 * MS)         \
			check_fail(__FILE_NAME__, __LINE__, "%s took %lld us", #call, \
				   took_ / 1000);                               \
	} while (0)

int main(int argc, char **argv)
{
	long long k0 = (long long)kosh_clock_get();
	long long m0 = now(CLOCK_MONOTONIC);
	CHECK(m0 >= k0);
	CHECK(m0 - k0 < 1000 * MS);
	long long last = m0;
	for (int i = 0; i < 100; i++) {
		long long t = now(CLOCK_MONOTONIC);
		CHECK(t >= last);
		last = t;
	}
	CHECK(now(CLOCK_REALTIME) >= m0);
	/* CPU time: grows while we compute, not while we sleep; clock() follows it. */
	long long c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	volatile unsigned long spin = 0;
	while (now(CLOCK_PROCESS_CPUTIME_ID) - c0 < 5 * MS)
		spin++;
	CHECK(clock() > 0);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec nap = { 0, 30 * MS };
	CHECK_EQ(nanosleep(&nap, NULL), 0);
	CHECK(now(CLOCK_PROCESS_CPUTIME_ID) - c0 < 20 * MS);
	CHECK(now(CLOCK_THREAD_CPUTIME_ID) > 0);
	CHECK(now(CLOCK_BOOTTIME) >= m0);

	struct timespec res;
	CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0);

	struct timespec ts = { 0, 20 * MS };
	CHECK_SLEEP(nanosleep(&ts, NULL), 20);
	CHECK_SLEEP(clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL), 20);
	struct timespec until;
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &until), 0);
	until.tv_nsec += 30 * MS;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	long long t0 = now(CLOCK_MONOTONIC);
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL), 0);
	CHECK(now(CLOCK_MONOTONIC) >= ns_of(&until));
	CHECK(now(CLOCK_MONOTONIC) - t0 < 2000 * MS);
	CHECK_SLEEP(usleep(10000), 10);
	struct timespec zero = { 0, 0 };
	CHECK_SLEEP(nanosleep(&zero, NULL), 0);

	struct timespec bad = { 0, 1000000000 };
	CHECK_EQ(nanosleep(&bad, NULL), -1);
	CHECK_EQ(errno, EINVAL);
	struct timespec negative = { -1, 0 };
	CHECK_EQ(nanosleep(&negative, NULL), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(clock_gettime((clockid_t)99, &ts), -1);
	CHECK_EQ(errno, EINVAL);

	time_t t = time(NULL);
	struct timeval tv;
	CHECK_EQ(gettimeofday(&tv, NULL), 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK(tv.tv_sec - t <= 1 && tv.tv_sec >= t);
	return 0;
}
