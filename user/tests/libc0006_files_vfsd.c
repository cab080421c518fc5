/* SPDX-License-Identifier: MIT */
/*
 * LIBC0006: files through musl, on the real servers. Like VFS0001 the test is
 * the root of a little system of its own: it starts sbin/vfsd, sbin/ramfs and
 * sbin/pipesrv from the initfs, registers fs:// and pipe://, and makes a
 * client handle to vfsd the system layer's namespace. Then, with musl's calls
 * only: mkdir and chdir (relative names against the working directory),
 * stdio writes and reads back, pread/pwrite, O_APPEND, O_EXCL, ftruncate,
 * stat; a directory of 150 files listed with opendir/readdir (several READDIR
 * replies) and again after rewinddir; openat and fstatat relative to a
 * directory descriptor, fchdir; rename and unlink, rmdir of a full and an
 * empty directory; a pipe carrying write() and printf output (stdout moved
 * onto it with dup2) and giving end-of-file once every write descriptor is
 * closed. Last, kosh_spawn_file runs the test again from a copy of its ELF
 * file on fs://, with arguments, an environment (PWD) and a file of fs:// as
 * its stdout: the child's printf output is in the file once it has ended.
 * The servers are killed at the end.
 */
#define _BSD_SOURCE /* DT_REG, fchdir … */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kosh/file.h>
#include <kosh/posix.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define EP_RIGHTS   (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define SEND_RIGHTS (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER)
#define MANY	    150
#define SELF	    "bin/tests/LIBC0006-files-vfsd"

static struct kosh_child children[3];
static kosh_handle_t client;

static void setup(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t vfs = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t fs = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t pipe = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	static const char *const ramfs_args[] = { "--scheme", "fs", "--limit", "1M" };

	test_start_server("vfsd", "vfs", vfs, KOSH_RIGHT_READ, 2ull << 20, NULL, 0, &children[0]);
	test_start_server("ramfs", "fs", fs, EP_RIGHTS, 2ull << 20, ramfs_args, 4, &children[1]);
	test_start_server("pipesrv", "pipe", pipe, EP_RIGHTS, 2ull << 20, NULL, 0, &children[2]);
	kosh_handle_t admin = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_ADMIN));
	client = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_CLIENT));
	kosh_handle_t fs_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(fs, SEND_RIGHTS, 0));
	kosh_handle_t pipe_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(pipe, SEND_RIGHTS, 0));
	CHECK_EQ(kosh_file_register(admin, "fs", fs_send), 0);
	CHECK_EQ(kosh_file_register(admin, "pipe", pipe_send), 0);
	kosh_handle_close(fs_send);
	kosh_handle_close(pipe_send);
	kosh_handle_close(admin);
	kosh_handle_close(vfs);
	kosh_handle_close(fs);
	kosh_handle_close(pipe);
	kosh_posix_set_namespace(client);
}

static void files(void)
{
	char line[64], cwd[64];
	struct stat st;

	CHECK_EQ(mkdir("/home/libc", 0755), 0);
	CHECK_ERRNO(mkdir("/home/libc", 0755), EEXIST);
	CHECK_EQ(chdir("/home/libc"), 0);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_EQ(strcmp(cwd, "/home/libc"), 0);
	CHECK_EQ(strcmp(kosh_posix_cwd(), "fs:///home/libc"), 0);

	FILE *f = fopen("notes.txt", "w");
	CHECK(f != NULL);
	for (int i = 0; i < 200; i++)
		CHECK(fprintf(f, "line %03d of the notes\n", i) == 22);
	CHECK_EQ(fclose(f), 0);
	CHECK_EQ(stat("notes.txt", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 200 * 22);
	CHECK_EQ(stat("fs:///home/libc/notes.txt", &st), 0);
	CHECK_EQ(stat("/home/libc/./../libc/notes.txt", &st), 0);
	CHECK_EQ(stat("/home/libc", &st), 0);
	CHECK(S_ISDIR(st.st_mode));

	f = fopen("notes.txt", "r");
	CHECK(f != NULL);
	for (int i = 0; i < 200; i++) {
		char want[32];
		snprintf(want, sizeof want, "line %03d of the notes\n", i);
		CHECK(fgets(line, sizeof line, f) != NULL);
		CHECK_EQ(strcmp(line, want), 0);
	}
	CHECK(fgets(line, sizeof line, f) == NULL);
	CHECK(feof(f));
	CHECK_EQ(fseek(f, 22 * 100 + 5, SEEK_SET), 0);
	CHECK_EQ(ftell(f), 22 * 100 + 5);
	CHECK(fgets(line, sizeof line, f) != NULL);
	CHECK_EQ(strcmp(line, "100 of the notes\n"), 0);
	CHECK_EQ(fclose(f), 0);

	int fd = open("data", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK_ERRNO(open("data", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK_ERRNO(open("missing", O_RDONLY), ENOENT);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(pwrite(fd, "ab", 2, 3), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10); /* pwrite kept the position */
	CHECK_EQ(pread(fd, line, 5, 1), 5);
	CHECK_EQ(memcmp(line, "12ab5", 5), 0);
	CHECK_EQ(lseek(fd, -2, SEEK_END), 8);
	CHECK_EQ(read(fd, line, sizeof line), 2);
	CHECK_EQ(memcmp(line, "89", 2), 0);
	CHECK_EQ(read(fd, line, sizeof line), 0);
	CHECK_EQ(ftruncate(fd, 4), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 4);
	CHECK_EQ(isatty(fd), 0);
	CHECK_EQ(close(fd), 0);
	fd = open("data", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY | O_APPEND);
	CHECK_EQ(write(fd, "XY", 2), 2);
	CHECK_ERRNO(read(fd, line, 1), EBADF);
	CHECK_EQ(close(fd), 0);
	fd = open("data", O_RDONLY);
	CHECK_EQ(read(fd, line, sizeof line), 6);
	CHECK_EQ(memcmp(line, "012aXY", 6), 0);
	CHECK_ERRNO(write(fd, "z", 1), EBADF);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(truncate("data", 0), 0);
	CHECK_EQ(stat("data", &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(access("data", R_OK), 0);
	CHECK_ERRNO(access("nothing", F_OK), ENOENT);
}

static int listed(const char *dir, int *regular)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	int n = 0;
	*regular = 0;
	for (struct dirent *e; (e = readdir(d));) {
		CHECK(strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0);
		n++;
		*regular += e->d_type == DT_REG;
	}
	rewinddir(d);
	int again = 0;
	while (readdir(d))
		again++;
	CHECK_EQ(again, n);
	CHECK_EQ(closedir(d), 0);
	return n;
}

static void directories(void)
{
	char name[80], cwd[64];
	struct stat st;
	int regular;

	CHECK_EQ(mkdir("many", 0755), 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof name, "many/a-rather-long-file-name-to-fill-the-replies-%03d", i);
		int fd = open(name, O_WRONLY | O_CREAT, 0644);
		CHECK(fd >= 0);
		CHECK_EQ(close(fd), 0);
	}
	CHECK_EQ(mkdir("many/subdir", 0755), 0);
	CHECK_EQ(listed("many", &regular), MANY + 1);
	CHECK_EQ(regular, MANY);

	int dfd = open("many", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK_ERRNO(open("notes.txt", O_RDONLY | O_DIRECTORY), ENOTDIR);
	int fd = openat(dfd, "made-by-openat", O_WRONLY | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "at", 2), 2);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(fstatat(dfd, "made-by-openat", &st, 0), 0);
	CHECK_EQ(st.st_size, 2);
	CHECK_EQ(stat("many/made-by-openat", &st), 0);
	CHECK_EQ(renameat(dfd, "made-by-openat", dfd, "renamed"), 0);
	CHECK_ERRNO(stat("many/made-by-openat", &st), ENOENT);
	CHECK_EQ(unlinkat(dfd, "renamed", 0), 0);
	CHECK_EQ(unlinkat(dfd, "subdir", AT_REMOVEDIR), 0);
	CHECK_EQ(fchdir(dfd), 0);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_EQ(strcmp(cwd, "/home/libc/many"), 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK_EQ(close(dfd), 0);
	CHECK_ERRNO(chdir("notes.txt"), ENOTDIR);

	CHECK_EQ(rename("notes.txt", "many/moved.txt"), 0);
	CHECK_ERRNO(stat("notes.txt", &st), ENOENT);
	CHECK_EQ(stat("many/moved.txt", &st), 0);
	CHECK_ERRNO(rmdir("many"), ENOTEMPTY);
	CHECK_ERRNO(unlink("many"), EISDIR);
	CHECK_EQ(remove("many/moved.txt"), 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof name, "many/a-rather-long-file-name-to-fill-the-replies-%03d", i);
		CHECK_EQ(unlink(name), 0);
	}
	CHECK_EQ(listed("many", &regular), 0);
	CHECK_EQ(rmdir("many"), 0);
	CHECK_ERRNO(rmdir("many"), ENOENT);
	CHECK_EQ(unlink("data"), 0);
	CHECK_EQ(listed(".", &regular), 0);
}

static void pipes(void)
{
	int p[2];
	char buf[64];

	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(write(p[1], "through", 7), 7);
	CHECK_EQ(read(p[0], buf, sizeof buf), 7);
	CHECK_EQ(memcmp(buf, "through", 7), 0);
	CHECK_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERRNO(write(p[0], "x", 1), EBADF);

	/* stdout moved onto the pipe: printf ends up there. */
	int saved = dup(1);
	CHECK(saved >= 0);
	CHECK_EQ(fflush(stdout), 0);
	CHECK_EQ(dup2(p[1], 1), 1);
	CHECK_EQ(printf("printf %d into a pipe\n", 42), 22);
	CHECK_EQ(fflush(stdout), 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 22);
	CHECK_EQ(memcmp(buf, "printf 42 into a pipe\n", 22), 0);
	CHECK_EQ(dup2(saved, 1), 1);
	CHECK_EQ(close(saved), 0);

	/* The last write descriptor closed: end of file. */
	CHECK_EQ(close(p[1]), 0);
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	CHECK_EQ(close(p[0]), 0);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	CHECK_EQ(close(p[0]), 0);
	CHECK_EQ(close(p[1]), 0);
}

/* The child (kosh_spawn_file below): its namespace, stdout and environment are the start page's. */
static int child(int argc, char **argv)
{
	char cwd[64];
	struct stat st;
	CHECK_EQ(argc, 3);
	CHECK_EQ(strcmp(argv[2], "to the child"), 0);
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_EQ(strcmp(cwd, "/home/libc"), 0);
	CHECK_EQ(stat("child", &st), 0); /* relative to PWD, through the "vfs" handle */
	CHECK_EQ(fstat(1, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_ERRNO(read(0, cwd, 1), EBADF);
	printf("hello from the child, %s\n", getenv("GREETING"));
	return 5; /* exit flushes stdout and closes the file */
}

static void spawn_from_file(void)
{
	const struct kosh_self *self = kosh_self();
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry e;
	char text[64];

	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, SELF, &e), KOSH_TAR_OK);
	FILE *f = fopen("child", "w");
	CHECK(f != NULL);
	CHECK_EQ(fwrite(e.data, 1, e.size, f), e.size);
	CHECK_EQ(fclose(f), 0);

	kosh_handle_t out, q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, 2u << 20));
	CHECK_EQ(kosh_file_open(client, "fs:///home/libc/out.txt",
				KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &out, NULL, NULL), 0);
	const char *argv[] = { "child", "--child", "to the child" };
	const char *envp[] = { "PWD=fs:///home/libc", "GREETING=parent" };
	struct kosh_spawn_handle give[] = {
		{ "klog", self->log, 0, 0 },
		{ "quota", q, KOSH_GIVE_MOVE, 2u << 20 },
		{ "vfs", client, 0, 0 },
		{ "stdout", out, KOSH_GIVE_MOVE, KOSH_VFS_FILE },
	};
	struct kosh_spawn s = { .name = "LIBC0006-child", .argv = argv, .argc = 3, .envp = envp,
				.envc = 2, .handles = give, .handle_count = 4, .quota = q };
	struct kosh_child c;
	CHECK_EQ(kosh_spawn_file(client, "fs:///home/libc/child", &s, &c), KOSH_OK);
	CHECK_EQ(test_wait(&c, 10 * TEST_SECOND), 5);

	f = fopen("out.txt", "r");
	CHECK(f != NULL);
	CHECK(fgets(text, sizeof text, f) != NULL);
	CHECK_EQ(strcmp(text, "hello from the child, parent\n"), 0);
	CHECK(fgets(text, sizeof text, f) == NULL);
	CHECK_EQ(fclose(f), 0);

	/* A file that is not there: nothing spawned, the moved quota consumed. */
	q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, 1u << 20));
	give[1].handle = q;
	s.handle_count = 2;
	CHECK_EQ(kosh_spawn_file(client, "fs:///home/libc/none", &s, &c), KOSH_E_NOT_FOUND);
	CHECK_EQ(c.file_error, KOSH_VFS_ENOENT);
	CHECK_ERR(kosh_handle_close(q), KOSH_E_BAD_HANDLE);
	/* Not an ELF file. */
	q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, 1u << 20));
	give[1].handle = q;
	CHECK_EQ(kosh_spawn_file(client, "fs:///home/libc/out.txt", &s, &c),
		 KOSH_E_INVALID_ARGUMENT);
	CHECK(c.elf_error != 0);

	CHECK_EQ(unlink("child"), 0);
	CHECK_EQ(unlink("out.txt"), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return child(argc, argv);
	setup();
	files();
	directories();
	pipes();
	spawn_from_file();
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(kosh_process_kill(children[i].process, 0), KOSH_OK);
		test_wait(&children[i], 5 * TEST_SECOND);
	}
	return 0;
}
