/* SPDX-License-Identifier: MIT */
/*
 * Process, time and signal calls of the system layer (<kosh/posix.h>).
 *
 * Time: every clock is Kosh's monotonic clock (clock_get) but the CPU-time
 * clocks, which are process_info's CPU time (one thread: the process's is the
 * thread's); CLOCK_REALTIME (and time(), gettimeofday) is the monotonic clock
 * plus an offset taken once, on first use, from time:///now (the RTC driver,
 * docs/system.md "Time"): one OPEN and READ through the start page's "vfs"
 * namespace. Without a "vfs" handle, or if that fails (no time:// scheme, a
 * clock the driver cannot read: EIO), the offset is 0 for the rest of the
 * process, so REALTIME counts from boot as it did before there was a wall
 * clock. Sleeping is a wait with a timeout on a notification of our own that
 * nothing signals.
 *
 * Identity: the process id is the kernel's (process_info on our own process
 * handle); there are no users (every id is 0) and no parent id (1). Signals do
 * not exist: handlers and masks are accepted and never used; a signal sent to
 * ourselves ends the process with status 128 + the signal, as an unhandled
 * one would; to others it is ENOSYS. One thread: clone is ENOSYS.
 */
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/posix.h>
#include <kosh/runtime.h>
#include <kosh/start.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/linux.h>

#define NSEC	       1000000000ll
#define CLOCK_REALTIME 0
#define CLOCK_PROCESS_CPUTIME 2
#define CLOCK_THREAD_CPUTIME  3
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME  1

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* ---- time ---- */

/* REALTIME minus the monotonic clock, in ns: asked of time:///now once (0: none). */
static uint64_t realtime_offset(void)
{
	static int asked;
	static uint64_t offset;
	if (!asked) {
		asked = 1;
		offset = kosh_file_realtime_offset(kosh_vfs());
	}
	return offset;
}

/* A clock other than the CPU-time ones: the offset is asked before the clock is read. */
static uint64_t clock_ns(long clock)
{
	uint64_t offset = clock == CLOCK_REALTIME ? realtime_offset() : 0;
	return (uint64_t)kosh_clock_get() + offset;
}

/* CPU time of the process (its one thread's too): process_info, or 0 if refused. */
static uint64_t cpu_ns(void)
{
	struct kosh_process_info info;
	if (kosh_process_info(kosh_self()->process, (uint64_t)(uintptr_t)&info) < 0)
		return 0;
	return info.cpu_ns;
}

long posix_sys_clock_gettime(const long a[6])
{
	if (a[0] < CLOCK_REALTIME || a[0] > CLOCK_BOOTTIME)
		return -LINUX_EINVAL;
	uint64_t ns = a[0] == CLOCK_PROCESS_CPUTIME || a[0] == CLOCK_THREAD_CPUTIME
			      ? cpu_ns()
			      : clock_ns(a[0]);
	struct linux_timespec *ts = (struct linux_timespec *)a[1];
	ts->tv_sec = (int64_t)(ns / NSEC);
	ts->tv_nsec = (int64_t)(ns % NSEC);
	return 0;
}

long posix_sys_clock_getres(const long a[6])
{
	if (a[0] < CLOCK_REALTIME || a[0] > CLOCK_BOOTTIME)
		return -LINUX_EINVAL;
	if (a[1])
		*(struct linux_timespec *)a[1] = (struct linux_timespec){ 0, 1 };
	return 0;
}

long posix_sys_gettimeofday(const long a[6])
{
	if (a[0]) {
		uint64_t ns = clock_ns(CLOCK_REALTIME);
		*(struct linux_timeval *)a[0] =
			(struct linux_timeval){ (int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000) };
	}
	return 0;
}

/* Wait ns nanoseconds: on a notification nothing signals, else by yielding. */
static long sleep_ns(uint64_t ns)
{
	static kosh_handle_t timer;
	uint64_t bits;
	if (!timer && kosh_self()->quota) {
		int64_t h = kosh_notification_create(kosh_self()->quota);
		if (h > 0)
			timer = (kosh_handle_t)h;
	}
	if (timer) {
		kosh_err_t err = kosh_notify_wait(timer, ns, &bits);
		if (err == KOSH_E_TIMED_OUT || err == KOSH_OK)
			return 0;
	}
	uint64_t end = (uint64_t)kosh_clock_get() + ns;
	while ((uint64_t)kosh_clock_get() < end)
		kosh_yield();
	return 0;
}

static long timespec_ns(const struct linux_timespec *ts, uint64_t *ns)
{
	if (!ts)
		return -LINUX_EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC)
		return -LINUX_EINVAL;
	*ns = ts->tv_sec > (int64_t)(UINT64_MAX / NSEC) - 1 ? UINT64_MAX - 1
							     : (uint64_t)ts->tv_sec * NSEC + (uint64_t)ts->tv_nsec;
	return 0;
}

long posix_sys_nanosleep(const long a[6])
{
	uint64_t ns;
	long err = timespec_ns((const struct linux_timespec *)a[0], &ns);
	if (err)
		return err;
	if (a[1])
		*(struct linux_timespec *)a[1] = (struct linux_timespec){ 0, 0 };
	return sleep_ns(ns);
}

long posix_sys_clock_nanosleep(const long a[6])
{
	uint64_t ns;
	if (a[0] < CLOCK_REALTIME || a[0] > CLOCK_BOOTTIME)
		return -LINUX_EINVAL;
	long err = timespec_ns((const struct linux_timespec *)a[2], &ns);
	if (err)
		return err;
	if (a[1] & TIMER_ABSTIME) {
		uint64_t now = clock_ns(a[0]);
		ns = ns > now ? ns - now : 0;
	} else if (a[3]) {
		*(struct linux_timespec *)a[3] = (struct linux_timespec){ 0, 0 };
	}
	return sleep_ns(ns);
}

long posix_sys_sched_yield(const long a[6])
{
	(void)a;
	kosh_yield();
	return 0;
}

/* ---- identity ---- */

long posix_sys_getpid(const long a[6])
{
	static long pid;
	struct kosh_process_info info;
	(void)a;
	if (!pid) {
		if (kosh_process_info(kosh_self()->process, (uint64_t)(uintptr_t)&info) == 0 && info.id &&
		    info.id < (1ull << 31))
			pid = (long)info.id;
		else
			pid = 1; /* not allowed to ask: still one stable number */
	}
	return pid;
}

long posix_sys_gettid(const long a[6])
{
	return posix_sys_getpid(a); /* one thread */
}

long posix_sys_set_tid_address(const long a[6])
{
	return posix_sys_getpid(a);
}

long posix_sys_getppid(const long a[6])
{
	(void)a;
	return 1;
}

long posix_sys_getuid(const long a[6])
{
	(void)a;
	return 0;
}

long posix_sys_geteuid(const long a[6])
{
	return posix_sys_getuid(a);
}

long posix_sys_getgid(const long a[6])
{
	return posix_sys_getuid(a);
}

long posix_sys_getegid(const long a[6])
{
	return posix_sys_getuid(a);
}

#define UTS_LEN 65

struct linux_utsname {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN], version[UTS_LEN],
		machine[UTS_LEN], domainname[UTS_LEN];
};

long posix_sys_uname(const long a[6])
{
	struct linux_utsname *u = (struct linux_utsname *)a[0];
	if (!u)
		return -LINUX_EFAULT;
	memset(u, 0, sizeof(*u));
	strlcpy(u->sysname, "Kosh", UTS_LEN);
	strlcpy(u->nodename, "kosh", UTS_LEN);
	strlcpy(u->release, KOSH_VERSION, UTS_LEN);
	strlcpy(u->version, "Kosh " KOSH_VERSION, UTS_LEN);
	strlcpy(u->machine, ARCH_LINUX_MACHINE, UTS_LEN);
	strlcpy(u->domainname, "(none)", UTS_LEN);
	return 0;
}

#define RLIMIT_STACK  3
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0ull)

long posix_sys_prlimit64(const long a[6])
{
	uint64_t *old = (uint64_t *)a[3];
	if (a[0] && a[0] != posix_sys_getpid(a))
		return -LINUX_ESRCH;
	if (a[2])
		return -LINUX_EPERM; /* limits are fixed */
	if (!old)
		return 0;
	old[0] = old[1] = RLIM_INFINITY;
	if (a[1] == RLIMIT_NOFILE)
		old[0] = old[1] = POSIX_FDS_MAX;
	else if (a[1] == RLIMIT_STACK && kosh_self()->start)
		old[0] = old[1] = kosh_self()->start->stack_size;
	return 0;
}

/* ---- ending ---- */

__attribute__((noreturn)) static void end_process(uint64_t status)
{
	posix_log_flush();
	posix_fd_close_all(); /* servers learn that our files are gone (pipes: end of file) */
	kosh_terminate(status);
}

long posix_sys_exit_group(const long a[6])
{
	end_process((uint64_t)a[0] & 0xff);
}

/* One thread: the thread's exit is the process's. */
long posix_sys_exit(const long a[6])
{
	end_process((uint64_t)a[0] & 0xff);
}

static long signal_self(long sig)
{
	if (sig < 0 || sig > 64)
		return -LINUX_EINVAL;
	if (sig == 0)
		return 0;
	kosh_printf("killed by signal %ld\n", sig);
	end_process(128 + (uint64_t)sig);
}

long posix_sys_kill(const long a[6])
{
	if (a[0] == posix_sys_getpid(a) || a[0] == 0)
		return signal_self(a[1]);
	return -LINUX_ENOSYS;
}

long posix_sys_tkill(const long a[6])
{
	if (a[0] != posix_sys_gettid(a))
		return -LINUX_ESRCH;
	return signal_self(a[1]);
}

long posix_sys_tgkill(const long a[6])
{
	if (a[0] != posix_sys_getpid(a) || a[1] != posix_sys_gettid(a))
		return -LINUX_ESRCH;
	return signal_self(a[2]);
}

/* ---- signals: accepted, never delivered ---- */

long posix_sys_rt_sigaction(const long a[6])
{
	if (a[0] < 1 || a[0] > 64)
		return -LINUX_EINVAL;
	if (a[2])
		memset((void *)a[2], 0, 32); /* the kernel's sigaction: handler SIG_DFL, no flags */
	return 0;
}

long posix_sys_rt_sigprocmask(const long a[6])
{
	if (a[2])
		memset((void *)a[2], 0, a[3] > 0 && a[3] <= 128 ? (size_t)a[3] : 8);
	return 0;
}

long posix_sys_sigaltstack(const long a[6])
{
	if (a[1])
		memset((void *)a[1], 0, 24);
	return 0;
}

/* ---- threads ---- */

#define ARCH_SET_FS 0x1002
#define FUTEX_WAIT  0
#define FUTEX_WAKE  1

long posix_sys_arch_prctl(const long a[6])
{
	if (a[0] != ARCH_SET_FS)
		return -LINUX_EINVAL;
	return kosh_thread_set_tls(kosh_self()->thread, (uint64_t)a[1]) < 0 ? -LINUX_EPERM : 0;
}

/* One thread: nobody can wake a waiter, so a wait on an unchanged word fails at once. */
long posix_sys_futex(const long a[6])
{
	switch (a[1] & 127) {
	case FUTEX_WAIT:
		return *(volatile int *)a[0] != (int)a[2] ? -LINUX_EAGAIN : -LINUX_ETIMEDOUT;
	case FUTEX_WAKE:
		return 0;
	default:
		return -LINUX_ENOSYS;
	}
}
