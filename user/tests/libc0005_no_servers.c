/* SPDX-License-Identifier: MIT */
#define _BSD_SOURCE /* syscall(), usleep() … */
/*
 * LIBC0005: the system layer in a process without a namespace or standard
 * files (bootstrap gives tests neither "vfs" nor "stdin"/"stdout"/"stderr").
 * Descriptor 0 is not open (EBADF); 1 and 2 write lines to the kernel log, so
 * printf and stdio work; the descriptor table's calls (dup, dup2, dup3, fcntl,
 * close) keep their POSIX rules; names do not exist (ENOENT); terminals calls
 * are ENOTTY; calls Kosh does not have (fork, clone through pthread_create,
 * execve, an unknown number) fail with ENOSYS and the program goes on;
 * anonymous mmap, munmap and mprotect work; uname says Kosh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"

int dup3(int old, int new, int flags); /* <unistd.h> has it with _GNU_SOURCE only */

static void *thread_main(void *arg)
{
	return arg;
}

static void descriptors(void)
{
	char c;
	CHECK_ERRNO(read(0, &c, 1), EBADF);
	CHECK_ERRNO(write(5, "x", 1), EBADF);
	CHECK_ERRNO(close(7), EBADF);
	CHECK_ERRNO(dup(9), EBADF);
	CHECK_ERRNO(read(1, &c, 1), EBADF); /* the log is write-only */
	CHECK_EQ(write(1, "LIBC0005 write(1)\n", 18), 18);
	CHECK_EQ(write(2, "LIBC0005 write(2)\n", 18), 18);

	int fd = dup(1);
	CHECK_EQ(fd, 0); /* the lowest free one */
	CHECK_EQ(write(fd, "via dup\n", 8), 8);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
	CHECK_EQ(fcntl(fd, F_DUPFD, 10), 10);
	CHECK_EQ(dup2(10, 20), 20);
	CHECK_EQ(dup2(20, 20), 20);
	CHECK_ERRNO(dup3(20, 20, 0), EINVAL);
	CHECK_EQ(dup3(20, 21, O_CLOEXEC), 21);
	CHECK_EQ(fcntl(21, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(close(10), 0);
	CHECK_EQ(close(20), 0);
	CHECK_EQ(write(21, "via dup3\n", 9), 9);
	CHECK_EQ(close(21), 0);
	CHECK_EQ(close(fd), 0);
	CHECK_ERRNO(close(fd), EBADF);
	CHECK_ERRNO(fcntl(40, F_GETFD), EBADF);

	struct stat st;
	CHECK_EQ(fstat(1, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_ERRNO(fstat(0, &st), EBADF);
	CHECK_ERRNO(lseek(1, 0, SEEK_SET), ESPIPE);
	CHECK_EQ(isatty(1), 0);
	CHECK_EQ(errno, ENOTTY);
	struct termios t;
	CHECK_ERRNO(tcgetattr(2, &t), ENOTTY);

	/* stdio on the log: buffered, flushed at exit or here. */
	CHECK_EQ(printf("LIBC0005 printf %d %s\n", 42, "ok"), 22);
	CHECK_EQ(fflush(stdout), 0);
	CHECK(fprintf(stderr, "LIBC0005 stderr\n") > 0);
	CHECK(puts("LIBC0005 puts") >= 0);
	printf("LIBC0005 line without newline, flushed at exit");
}

static void names(void)
{
	struct stat st;
	CHECK_ERRNO(open("fs:///etc/services", O_RDONLY), ENOENT);
	CHECK_ERRNO(open("relative", O_RDONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERRNO(stat("/", &st), ENOENT);
	CHECK_ERRNO(mkdir("/tmp", 0755), ENOENT);
	CHECK_ERRNO(unlink("/x"), ENOENT);
	CHECK_ERRNO(rename("/a", "/b"), ENOENT);
	CHECK(opendir("/") == NULL);
	CHECK_ERRNO(open("", O_RDONLY), ENOENT);
	CHECK_ERRNO(openat(33, "x", O_RDONLY), EBADF);
	char cwd[64];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_EQ(strcmp(cwd, "/"), 0);
	CHECK(getcwd(cwd, 1) == NULL);
	CHECK_EQ(errno, ERANGE);
	int p[2];
	CHECK_ERRNO(pipe(p), ENOENT);
}

static void missing_calls(void)
{
	CHECK_ERRNO(fork(), ENOSYS);
	CHECK_ERRNO(syscall(500), ENOSYS);
	CHECK_ERRNO(syscall(501, 1, 2, 3, 4, 5, 6), ENOSYS);
	char *const args[] = { "x", NULL };
	CHECK_ERRNO(execve("/bin/x", args, args + 1), ENOSYS);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, thread_main, NULL) != 0);
	CHECK_EQ(sigaction(SIGINT, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL), 0);
	sigset_t set;
	sigemptyset(&set);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	CHECK_EQ(kill(getpid(), 0), 0);
	CHECK_EQ(getppid() > 0, 1);
	CHECK_EQ(getuid(), 0);
	CHECK_EQ(geteuid(), 0);
	CHECK_EQ(getgid(), 0);
	sched_yield();
}

static void memory(void)
{
	long page = sysconf(_SC_PAGESIZE);
	CHECK_EQ(page, 4096);
	uint8_t *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	for (long i = 0; i < 3 * page; i++)
		CHECK_EQ(p[i], 0);
	memset(p, 0xa5, 3 * page);
	CHECK_EQ(mprotect(p, page, PROT_READ), 0);
	CHECK_EQ(p[0], 0xa5);
	CHECK_EQ(mprotect(p, page, PROT_READ | PROT_WRITE), 0);
	p[0] = 1;
	CHECK_EQ(munmap(p + page, page), 0); /* a hole in the middle */
	CHECK_EQ(p[2 * page], 0xa5);
	CHECK_EQ(munmap(p, 3 * page), 0);
	CHECK(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 3, 0) == MAP_FAILED);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	CHECK(mmap(NULL, page, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	      MAP_FAILED);
	CHECK(sbrk(0) != (void *)-1);
	CHECK_EQ(sbrk(0), sbrk(0));
}

int main(int argc, char **argv)
{
	descriptors();
	names();
	missing_calls();
	memory();

	struct utsname u;
	CHECK_EQ(uname(&u), 0);
	CHECK_EQ(strcmp(u.sysname, "Kosh"), 0);
	CHECK(strcmp(u.machine, "x86_64") == 0 || strcmp(u.machine, "aarch64") == 0);
	CHECK(u.release[0] >= '0' && u.release[0] <= '9');
	return 0;
}
