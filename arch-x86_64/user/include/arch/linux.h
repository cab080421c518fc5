/* SPDX-License-Identifier: MIT */
/*
 * The Linux ABI as musl speaks it on x86-64, for Kosh's system layer under musl
 * (user/lib/linux_syscall.c, user/lib/posix/): the numbers of the system calls
 * the layer knows, the open() flags and struct stat layout that differ between
 * architectures. Everything the two architectures share (errno values, ioctl
 * numbers, termios, mmap flags) is in <kosh/posix.h>. Numbers from musl's
 * arch/x86_64/bits/syscall.h.in; kept in step with the other port's file.
 */
#ifndef ARCH_LINUX_H
#define ARCH_LINUX_H

#include <stdint.h>

/* X(name, number) for every system call the layer names (the rest are ENOSYS). */
#define ARCH_LINUX_SYSCALLS(X) \
	X(read, 0) \
	X(write, 1) \
	X(open, 2) \
	X(close, 3) \
	X(stat, 4) \
	X(fstat, 5) \
	X(lstat, 6) \
	X(poll, 7) \
	X(lseek, 8) \
	X(mmap, 9) \
	X(mprotect, 10) \
	X(munmap, 11) \
	X(brk, 12) \
	X(rt_sigaction, 13) \
	X(rt_sigprocmask, 14) \
	X(rt_sigreturn, 15) \
	X(ioctl, 16) \
	X(pread64, 17) \
	X(pwrite64, 18) \
	X(readv, 19) \
	X(writev, 20) \
	X(access, 21) \
	X(pipe, 22) \
	X(sched_yield, 24) \
	X(mremap, 25) \
	X(madvise, 28) \
	X(dup, 32) \
	X(dup2, 33) \
	X(nanosleep, 35) \
	X(getpid, 39) \
	X(clone, 56) \
	X(fork, 57) \
	X(vfork, 58) \
	X(execve, 59) \
	X(exit, 60) \
	X(wait4, 61) \
	X(kill, 62) \
	X(uname, 63) \
	X(fcntl, 72) \
	X(fsync, 74) \
	X(fdatasync, 75) \
	X(truncate, 76) \
	X(ftruncate, 77) \
	X(getcwd, 79) \
	X(chdir, 80) \
	X(fchdir, 81) \
	X(rename, 82) \
	X(mkdir, 83) \
	X(rmdir, 84) \
	X(unlink, 87) \
	X(readlink, 89) \
	X(chmod, 90) \
	X(fchmod, 91) \
	X(lchown, 94) \
	X(umask, 95) \
	X(gettimeofday, 96) \
	X(getrlimit, 97) \
	X(getrusage, 98) \
	X(sysinfo, 99) \
	X(times, 100) \
	X(getuid, 102) \
	X(getgid, 104) \
	X(geteuid, 107) \
	X(getegid, 108) \
	X(getppid, 110) \
	X(sigaltstack, 131) \
	X(arch_prctl, 158) \
	X(gettid, 186) \
	X(tkill, 200) \
	X(futex, 202) \
	X(getdents64, 217) \
	X(set_tid_address, 218) \
	X(fadvise64, 221) \
	X(clock_gettime, 228) \
	X(clock_getres, 229) \
	X(clock_nanosleep, 230) \
	X(exit_group, 231) \
	X(tgkill, 234) \
	X(openat, 257) \
	X(mkdirat, 258) \
	X(newfstatat, 262) \
	X(unlinkat, 263) \
	X(renameat, 264) \
	X(readlinkat, 267) \
	X(fchmodat, 268) \
	X(faccessat, 269) \
	X(ppoll, 271) \
	X(utimensat, 280) \
	X(dup3, 292) \
	X(pipe2, 293) \
	X(prlimit64, 302) \
	X(renameat2, 316) \
	X(getrandom, 318) \
	X(membarrier, 324) \
	X(statx, 332) \
	X(faccessat2, 439)

#define ARCH_LINUX_SYSCALL_MAX 512 /* numbers are below this */

/* uname()'s machine. */
#define ARCH_LINUX_MACHINE "x86_64"

/* open() flags of this architecture (the rest are the same on both). */
#define ARCH_LINUX_O_DIRECTORY 0200000
#define ARCH_LINUX_O_NOFOLLOW  0400000

/* The kernel's struct stat, as musl's arch/x86_64/kstat.h reads it. */
struct arch_linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct arch_linux_stat) == 144, "x86-64 struct stat");

#endif
