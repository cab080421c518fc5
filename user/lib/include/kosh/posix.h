/* SPDX-License-Identifier: MIT */
/*
 * Kosh's system layer under musl (DESIGN.md §8, docs/userspace.md "The system
 * layer"): the Linux system calls musl makes, answered in userspace on Kosh IPC.
 * user/lib/linux_syscall.c dispatches by number (<arch/linux.h>) to the
 * posix_sys_* handlers of user/lib/posix/; each takes the six argument words
 * and returns what Linux would: a result, or -errno.
 *
 * This header is the layer's own: the Linux constants both architectures share,
 * the file-descriptor table (user/lib/posix/fd.c: descriptors point at shared,
 * reference-counted open files, as dup() wants), and the entries programs may
 * call beside musl (the working directory as a URI).
 */
#ifndef KOSH_USER_POSIX_H
#define KOSH_USER_POSIX_H

#include <stdint.h>

#include <kosh/abi.h>

/* errno values (Linux, both architectures; the file protocol's KOSH_VFS_E* are the same numbers). */
#define LINUX_EPERM	   1
#define LINUX_ENOENT	   2
#define LINUX_ESRCH	   3
#define LINUX_EINTR	   4
#define LINUX_EIO	   5
#define LINUX_EBADF	   9
#define LINUX_EAGAIN	   11
#define LINUX_ENOMEM	   12
#define LINUX_EACCES	   13
#define LINUX_EFAULT	   14
#define LINUX_EEXIST	   17
#define LINUX_ENODEV	   19
#define LINUX_ENOTDIR	   20
#define LINUX_EISDIR	   21
#define LINUX_EINVAL	   22
#define LINUX_EMFILE	   24
#define LINUX_ENOTTY	   25
#define LINUX_ESPIPE	   29
#define LINUX_ERANGE	   34
#define LINUX_ENAMETOOLONG 36
#define LINUX_ENOSYS	   38
#define LINUX_ETIMEDOUT	   110

/* Access mode and the open() flags both architectures share (<arch/linux.h> has the rest). */
#define LINUX_O_ACCMODE	 03
#define LINUX_O_WRONLY	 01
#define LINUX_O_RDWR	 02
#define LINUX_O_CREAT	 0100
#define LINUX_O_EXCL	 0200
#define LINUX_O_TRUNC	 01000
#define LINUX_O_APPEND	 02000
#define LINUX_O_NONBLOCK 04000
#define LINUX_O_CLOEXEC	 02000000
#define LINUX_O_PATH	 010000000

#define LINUX_AT_FDCWD		  (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR	  0x200
#define LINUX_AT_EMPTY_PATH	  0x1000

/*
 * Every system call the layer names, on either architecture (<arch/linux.h>
 * gives the numbers of those its architecture has). The handled ones have a
 * posix_sys_<name>; the others are ENOSYS, logged once.
 */
#define POSIX_CALLS(X) \
	X(read) X(write) X(open) X(close) X(stat) X(fstat) X(lstat) X(poll) X(lseek) X(mmap) \
	X(mprotect) X(munmap) X(brk) X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) X(ioctl) \
	X(pread64) X(pwrite64) X(readv) X(writev) X(access) X(pipe) X(sched_yield) X(mremap) \
	X(madvise) X(dup) X(dup2) X(nanosleep) X(getpid) X(clone) X(fork) X(vfork) X(execve) \
	X(exit) X(wait4) X(kill) X(uname) X(fcntl) X(fsync) X(fdatasync) X(truncate) \
	X(ftruncate) X(getcwd) X(chdir) X(fchdir) X(rename) X(mkdir) X(rmdir) X(unlink) \
	X(readlink) X(chmod) X(fchmod) X(lchown) X(umask) X(gettimeofday) X(getrlimit) \
	X(getrusage) X(sysinfo) X(times) X(getuid) X(getgid) X(geteuid) X(getegid) X(getppid) \
	X(sigaltstack) X(arch_prctl) X(gettid) X(tkill) X(futex) X(getdents64) \
	X(set_tid_address) X(fadvise64) X(clock_gettime) X(clock_getres) X(clock_nanosleep) \
	X(exit_group) X(tgkill) X(openat) X(mkdirat) X(newfstatat) X(unlinkat) X(renameat) \
	X(readlinkat) X(fchmodat) X(faccessat) X(ppoll) X(utimensat) X(dup3) X(pipe2) \
	X(prlimit64) X(renameat2) X(getrandom) X(membarrier) X(statx) X(faccessat2)

enum posix_call {
	POSIX_CALL_NONE = 0,
#define POSIX_CALL_ENUM(name) POSIX_CALL_##name,
	POSIX_CALLS(POSIX_CALL_ENUM)
#undef POSIX_CALL_ENUM
	POSIX_CALL_COUNT
};

/* A handler: the six argument words, the result or -errno. */
typedef long (*posix_sys_fn)(const long a[6]);

/* ---- the file-descriptor table (user/lib/posix/fd.c) ---- */

#define POSIX_FDS_MAX	256 /* descriptors 0 .. 255 */
#define POSIX_FILES_MAX 256 /* open files */

enum posix_file_kind {
	POSIX_FILE_VFS = 1, /* a file capability (<kosh/file.h>) */
	POSIX_FILE_LOG = 2, /* stdout / stderr without a file: lines to the kernel log */
};

struct posix_dir; /* getdents64 state, user/lib/posix/files.c */

/* An open file (what Linux calls an open file description): shared by dup()s. */
struct posix_file {
	uint32_t refs;          /* descriptors on it; 0: a free entry */
	uint32_t kind;          /* enum posix_file_kind */
	kosh_handle_t handle;   /* POSIX_FILE_VFS: the file */
	uint32_t type;          /* KOSH_VFS_FILE … as OPEN said; 0: unknown (inherited) */
	uint32_t flags;         /* Linux O_ACCMODE | O_APPEND | O_NONBLOCK, for F_GETFL */
	char *uri;              /* a directory's full URI (openat, fchdir), malloc'ed; else NULL */
	struct posix_dir *dir;  /* getdents64 state, malloc'ed on first use */
	uint32_t line_len;      /* POSIX_FILE_LOG: bytes waiting in line[] for their '\n' */
	char line[KOSH_LOG_TEXT_MAX];
};

/* An unused open file with refs 0, or NULL. The caller sets kind at once (that takes the
 * entry), then gives it a descriptor or discards it. */
struct posix_file *posix_file_new(void);

/* Release an open file that never got a descriptor (refs 0): a failed open's undo. */
void posix_file_discard(struct posix_file *f);

/* The lowest free descriptor >= min for f (its refs grow by one), or -EMFILE / -EINVAL. */
int posix_fd_alloc(struct posix_file *f, int min, int cloexec);

/* Descriptor fd made to point at f (closing what it held first), or -EBADF. */
int posix_fd_set(int fd, struct posix_file *f, int cloexec);

/* The open file of fd, or NULL (not open, out of range). */
struct posix_file *posix_fd_get(int fd);

/* FD_CLOEXEC of fd: get (-EBADF if not open) and set. */
int posix_fd_cloexec(int fd);
int posix_fd_set_cloexec(int fd, int cloexec);

/* Close fd: 0 or -EBADF. The last descriptor of an open file releases it (posix_file_release). */
int posix_fd_close(int fd);

/* Close every descriptor (at exit: servers learn of the files' end). */
void posix_fd_close_all(void);

/* Forget the table without releasing anything (host tests). */
void posix_fd_reset(void);

/* Called by fd.c when an open file loses its last descriptor (files.c: CLOSE, frees). */
void posix_file_release(struct posix_file *f);

/* Called by fd.c before the table is first used: descriptors 0, 1, 2 from the start page. */
void posix_fd_setup(void);

/* ---- the working directory (user/lib/posix/files.c) ---- */

/* Use ns as the namespace from now on instead of the start page's "vfs" (0: that one again). */
void kosh_posix_set_namespace(kosh_handle_t ns);

/* The working directory as a full URI ("fs:///home"): from PWD at start, else "fs:///". */
const char *kosh_posix_cwd(void);

/*
 * Resolve path against the directory dirfd (LINUX_AT_FDCWD: the working
 * directory) into out[size] as a full URI: 0 or -errno.
 */
long posix_path(int dirfd, const char *path, char *out, uint32_t size);

/* ---- handlers (user/lib/posix/) ---- */

#define POSIX_SYS_DECLARE(name) long posix_sys_##name(const long a[6]);
POSIX_CALLS(POSIX_SYS_DECLARE)
#undef POSIX_SYS_DECLARE

/* Flush what log-backed descriptors hold (before the process ends). */
void posix_log_flush(void);

#endif
