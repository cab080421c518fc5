/* SPDX-License-Identifier: MIT */
/*
 * The Linux ABI as musl speaks it on AArch64, for Kosh's system layer under musl
 * (user/lib/linux_syscall.c, user/lib/posix/): the numbers of the system calls
 * the layer knows, the open() flags and struct stat layout that differ between
 * architectures. Everything the two architectures share (errno values, ioctl
 * numbers, termios, mmap flags) is in <kosh/posix.h>. Numbers from musl's
 * arch/aarch64/bits/syscall.h.in; kept in step with the other port's file.
 */
#ifndef ARCH_LINUX_H
#define ARCH_LINUX_H

#include <stdint.h>

/* X(name, number) for every system call the layer names (the rest are ENOSYS). */
#define ARCH_LINUX_SYSCALLS(X) \
	X(read, 63) \
	X(write, 64) \
	X(close, 57) \
	X(fstat, 80) \
	X(lseek, 62) \
	X(mmap, 222) \
	X(mprotect, 226) \
	X(munmap, 215) \
	X(brk, 214) \
	X(rt_sigaction, 134) \
	X(rt_sigprocmask, 135) \
	X(rt_sigreturn, 139) \
	X(ioctl, 29) \
	X(pread64, 67) \
	X(pwrite64, 68) \
	X(readv, 65) \
	X(writev, 66) \
	X(sched_yield, 124) \
	X(mremap, 216) \
	X(madvise, 233) \
	X(dup, 23) \
	X(nanosleep, 101) \
	X(getpid, 172) \
	X(clone, 220) \
	X(execve, 221) \
	X(exit, 93) \
	X(wait4, 260) \
	X(kill, 129) \
	X(uname, 160) \
	X(fcntl, 25) \
	X(fsync, 82) \
	X(fdatasync, 83) \
	X(truncate, 45) \
	X(ftruncate, 46) \
	X(getcwd, 17) \
	X(chdir, 49) \
	X(fchdir, 50) \
	X(fchmod, 52) \
	X(umask, 166) \
	X(gettimeofday, 169) \
	X(getrlimit, 163) \
	X(getrusage, 165) \
	X(sysinfo, 179) \
	X(times, 153) \
	X(getuid, 174) \
	X(getgid, 176) \
	X(geteuid, 175) \
	X(getegid, 177) \
	X(getppid, 173) \
	X(sigaltstack, 132) \
	X(gettid, 178) \
	X(tkill, 130) \
	X(futex, 98) \
	X(getdents64, 61) \
	X(set_tid_address, 96) \
	X(fadvise64, 223) \
	X(clock_gettime, 113) \
	X(clock_getres, 114) \
	X(clock_nanosleep, 115) \
	X(exit_group, 94) \
	X(tgkill, 131) \
	X(openat, 56) \
	X(mkdirat, 34) \
	X(newfstatat, 79) \
	X(unlinkat, 35) \
	X(renameat, 38) \
	X(readlinkat, 78) \
	X(fchmodat, 53) \
	X(faccessat, 48) \
	X(ppoll, 73) \
	X(utimensat, 88) \
	X(dup3, 24) \
	X(pipe2, 59) \
	X(prlimit64, 261) \
	X(renameat2, 276) \
	X(getrandom, 278) \
	X(membarrier, 283) \
	X(statx, 291) \
	X(faccessat2, 439)

#define ARCH_LINUX_SYSCALL_MAX 512 /* numbers are below this */

/* uname()'s machine. */
#define ARCH_LINUX_MACHINE "aarch64"

/* open() flags of this architecture (the rest are the same on both). */
#define ARCH_LINUX_O_DIRECTORY 040000
#define ARCH_LINUX_O_NOFOLLOW  0100000

/* The kernel's struct stat, as musl's arch/aarch64/kstat.h reads it. */
struct arch_linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t pad;
	int64_t st_size;
	int32_t st_blksize;
	int32_t pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	uint32_t unused[2];
};
_Static_assert(sizeof(struct arch_linux_stat) == 128, "AArch64 struct stat");

#endif
