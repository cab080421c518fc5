/* SPDX-License-Identifier: MIT */
/*
 * The system layer under musl (DESIGN.md §8, docs/userspace.md): every system
 * call musl makes arrives here, through user/lib/musl/syscall_arch.h, with the
 * Linux number of the architecture and its arguments, and returns what Linux
 * would: the result, or -errno. The number becomes the layer's own call
 * (<arch/linux.h> knows this architecture's numbers, <kosh/posix.h> the
 * calls), whose handler in user/lib/posix/ does the work on Kosh IPC. A call
 * without a handler returns -ENOSYS and is logged the first time its number is
 * seen; nothing here ends the program.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/log.h>
#include <kosh/posix.h>

#include <arch/linux.h>

/* Linux number -> the layer's call (0: none). */
static const uint8_t call_of[ARCH_LINUX_SYSCALL_MAX] = {
#define CALL_OF(name, number) [number] = POSIX_CALL_##name,
	ARCH_LINUX_SYSCALLS(CALL_OF)
#undef CALL_OF
};
_Static_assert(POSIX_CALL_COUNT <= 256, "calls fit call_of");

static const char *const call_names[POSIX_CALL_COUNT] = {
#define CALL_NAME(name) [POSIX_CALL_##name] = #name,
	POSIX_CALLS(CALL_NAME)
#undef CALL_NAME
};

/* The handled calls; the others are ENOSYS (clone, fork, execve, wait4, statx …). */
#define HANDLED(X)                                                                               \
	X(read) X(write) X(open) X(close) X(stat) X(fstat) X(lstat) X(lseek) X(mmap) X(mprotect)   \
	X(munmap) X(brk) X(rt_sigaction) X(rt_sigprocmask) X(ioctl) X(pread64) X(pwrite64)        \
	X(readv) X(writev) X(access) X(pipe) X(sched_yield) X(mremap) X(madvise) X(dup) X(dup2)   \
	X(nanosleep) X(getpid) X(exit) X(kill) X(uname) X(fcntl) X(fsync) X(fdatasync)           \
	X(truncate) X(ftruncate) X(getcwd) X(chdir) X(fchdir) X(rename) X(mkdir) X(rmdir)         \
	X(unlink) X(readlink) X(umask) X(gettimeofday) X(getuid) X(getgid) X(geteuid) X(getegid) \
	X(getppid) X(sigaltstack) X(arch_prctl) X(gettid) X(tkill) X(futex) X(getdents64)        \
	X(set_tid_address) X(fadvise64) X(clock_gettime) X(clock_getres) X(clock_nanosleep)      \
	X(exit_group) X(tgkill) X(openat) X(mkdirat) X(newfstatat) X(unlinkat) X(renameat)       \
	X(readlinkat) X(faccessat) X(dup3) X(pipe2) X(prlimit64) X(renameat2) X(faccessat2)

static const posix_sys_fn handlers[POSIX_CALL_COUNT] = {
#define HANDLER(name) [POSIX_CALL_##name] = posix_sys_##name,
	HANDLED(HANDLER)
#undef HANDLER
};

/* Numbers seen so far; Linux's are below ARCH_LINUX_SYSCALL_MAX on both architectures. */
static uint64_t seen[ARCH_LINUX_SYSCALL_MAX / 64];

long __kosh_linux_syscall(long n, long a, long b, long c, long d, long e, long f);

static void unsupported(long n, enum posix_call call)
{
	if (n >= 0 && n < ARCH_LINUX_SYSCALL_MAX) {
		uint64_t bit = 1ull << (n % 64);
		if (__atomic_fetch_or(&seen[n / 64], bit, __ATOMIC_RELAXED) & bit)
			return;
	}
	kosh_printf("linux system call %ld (%s) is not supported (ENOSYS)\n", n,
		    call ? call_names[call] : "unknown");
}

long __kosh_linux_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	const long args[6] = { a, b, c, d, e, f };
	enum posix_call call = n >= 0 && n < ARCH_LINUX_SYSCALL_MAX ? call_of[n] : POSIX_CALL_NONE;
	if (call && handlers[call])
		return handlers[call](args);
	unsupported(n, call);
	return -LINUX_ENOSYS;
}
