/* SPDX-License-Identifier: MIT */
/*
 * The system layer's file calls (user/lib/posix/files.c) against a fake file
 * client: names resolved against the working directory (from PWD) and against
 * directory descriptors; open() flags turned into the protocol's; READDIR
 * replies turned into linux_dirent64 records across small and large buffers,
 * rewound by lseek; stdout without a file going to the log a line at a time;
 * getcwd; terminal calls on a file that is not a terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/posix.h>
#include <kosh/proto/vfs.h>

#include <arch/linux.h>

#define DIR_ENTRIES 300

/* ---- the fake client side ---- */

static char last_uri[KOSH_VFS_PATH_MAX + 1];
static uint32_t last_flags, opens, closes, readdirs;
static const char *pwd;
static char log_lines[8][64];
static int log_count;

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

const char *kosh_getenv(const char *name)
{
	return strcmp(name, "PWD") == 0 ? pwd : NULL;
}

kosh_handle_t kosh_start_handle(const char *name, uint64_t *value)
{
	return 0; /* no standard files */
}

kosh_handle_t kosh_vfs(void)
{
	return 1;
}

kosh_err_t kosh_info(kosh_handle_t h, struct kosh_handle_info *out)
{
	return KOSH_E_BAD_HANDLE;
}

int64_t kosh_handle_close(uint64_t h)
{
	return 0;
}

void kosh_log_line(const char *text, size_t len)
{
	snprintf(log_lines[log_count++ % 8], 64, "%.*s", (int)len, text);
}

/* Names ending in "dir" are directories, "tty" terminals, "missing" absent. */
static uint32_t type_of(const char *uri)
{
	size_t n = strlen(uri);
	if (n >= 3 && strcmp(uri + n - 3, "dir") == 0)
		return KOSH_VFS_DIR;
	if (n >= 3 && strcmp(uri + n - 3, "tty") == 0)
		return KOSH_VFS_TTY;
	return KOSH_VFS_FILE;
}

uint32_t kosh_file_open(kosh_handle_t ns, const char *uri, uint32_t flags, kosh_handle_t *file,
			uint32_t *type, uint64_t *size)
{
	strlcpy(last_uri, uri, sizeof(last_uri));
	last_flags = flags;
	if (strstr(uri, "missing"))
		return KOSH_VFS_ENOENT;
	*file = 100 + ++opens;
	*type = type_of(uri);
	*size = 0;
	return 0;
}

uint32_t kosh_file_close(kosh_handle_t f)
{
	closes++;
	return 0;
}

uint32_t kosh_file_statp(kosh_handle_t ns, const char *uri, struct kosh_vfs_stat *st)
{
	strlcpy(last_uri, uri, sizeof(last_uri));
	if (strstr(uri, "missing"))
		return KOSH_VFS_ENOENT;
	*st = (struct kosh_vfs_stat){ .type = type_of(uri), .mode = 0755, .size = 12, .ino = 9 };
	return 0;
}

static void entry_name(uint32_t i, char *name)
{
	/* Names of 1 to 100 bytes, so records differ in size. */
	int n = sprintf(name, "e%u-", i);
	for (uint32_t k = 0; k < i % 97; k++)
		name[n++] = 'a' + k % 26;
	name[n] = '\0';
}

uint32_t kosh_file_readdir(kosh_handle_t f, uint64_t cookie, void *buf, uint32_t size,
			   uint32_t *used, uint64_t *next, int *end)
{
	char name[128];
	uint64_t i = cookie;
	readdirs++;
	*used = 0;
	for (; i < DIR_ENTRIES; i++) {
		entry_name((uint32_t)i, name);
		if (kosh_vfs_dirent_put(buf, KOSH_VFS_IO_MAX, used, 1000 + i,
					i % 10 == 0 ? KOSH_VFS_DIR : KOSH_VFS_FILE, name,
					(uint32_t)strlen(name)))
			break;
	}
	*next = i;
	*end = i == DIR_ENTRIES;
	return 0;
}

/* Everything else files.c may call: not used by these tests. */
uint32_t kosh_file_read(kosh_handle_t f, void *buf, uint32_t len, uint32_t *got) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_write(kosh_handle_t f, const void *buf, uint32_t len, uint32_t *done) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_seek(kosh_handle_t f, int64_t off, uint32_t whence, uint64_t *pos) { return KOSH_VFS_ESPIPE; }
uint32_t kosh_file_stat(kosh_handle_t f, struct kosh_vfs_stat *st) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_truncate(kosh_handle_t f, uint64_t size) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_sync(kosh_handle_t f) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_mkdir(kosh_handle_t ns, const char *uri) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_unlink(kosh_handle_t ns, const char *uri, uint32_t flags) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_rename(kosh_handle_t ns, const char *from, const char *to) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_pipe(kosh_handle_t ns, kosh_handle_t *r, kosh_handle_t *w) { return KOSH_VFS_ENOSYS; }
uint32_t kosh_file_tty_get(kosh_handle_t f, uint32_t *mode, uint32_t *rows, uint32_t *cols)
{
	if (mode)
		*mode = KOSH_VFS_TTY_CANON | KOSH_VFS_TTY_ECHO;
	if (rows)
		*rows = 24;
	if (cols)
		*cols = 80;
	return 0;
}
uint32_t kosh_file_tty_set(kosh_handle_t f, uint32_t mode) { return 0; }

/* ---- helpers ---- */

static long sys(long (*fn)(const long a[6]), long a0, long a1, long a2, long a3)
{
	const long a[6] = { a0, a1, a2, a3 };
	return fn(a);
}

static int setup(void **state)
{
	posix_fd_close_all(); /* what the last test left, released */
	posix_fd_reset();
	pwd = "fs:///home/user";
	opens = closes = readdirs = 0;
	log_count = 0;
	return 0;
}

/* The working directory is read once: a test that changes PWD runs first. */
static void test_posix_files_cwd_from_pwd(void **state)
{
	char buf[64];
	assert_string_equal(kosh_posix_cwd(), "fs:///home/user");
	assert_int_equal(sys(posix_sys_getcwd, (long)buf, sizeof buf, 0, 0), 11);
	assert_string_equal(buf, "/home/user");
	assert_int_equal(sys(posix_sys_getcwd, (long)buf, 10, 0, 0), -LINUX_ERANGE);
}

static void test_posix_files_path_resolution(void **state)
{
	char out[KOSH_VFS_PATH_MAX + 1];
	assert_int_equal(posix_path(LINUX_AT_FDCWD, "a/../b/./c", out, sizeof out), 0);
	assert_string_equal(out, "fs:///home/user/b/c");
	assert_int_equal(posix_path(LINUX_AT_FDCWD, "/etc", out, sizeof out), 0);
	assert_string_equal(out, "fs:///etc");
	assert_int_equal(posix_path(LINUX_AT_FDCWD, "initfs:///bin/sh", out, sizeof out), 0);
	assert_string_equal(out, "initfs:///bin/sh");
	assert_int_equal(posix_path(LINUX_AT_FDCWD, "", out, sizeof out), -LINUX_ENOENT);
	assert_int_equal(posix_path(LINUX_AT_FDCWD, NULL, out, sizeof out), -LINUX_EFAULT);

	/* Against a directory descriptor; an absolute name ignores it. */
	long dfd = sys(posix_sys_open, (long)"proc://sub/dir", ARCH_LINUX_O_DIRECTORY, 0, 0);
	assert_true(dfd >= 0);
	assert_int_equal(posix_path((int)dfd, "x", out, sizeof out), 0);
	assert_string_equal(out, "proc:///sub/dir/x");
	assert_int_equal(posix_path((int)dfd, "/x", out, sizeof out), 0);
	assert_string_equal(out, "fs:///x");
	long ffd = sys(posix_sys_open, (long)"plain", 0, 0, 0);
	assert_int_equal(posix_path((int)ffd, "x", out, sizeof out), -LINUX_ENOTDIR);
	assert_int_equal(posix_path(77, "x", out, sizeof out), -LINUX_EBADF);
	/* openat goes the same way. */
	assert_true(sys(posix_sys_openat, dfd, (long)"y", 0, 0) >= 0);
	assert_string_equal(last_uri, "proc:///sub/dir/y");
	/* fchdir takes the directory's URI. */
	assert_int_equal(sys(posix_sys_fchdir, dfd, 0, 0, 0), 0);
	assert_string_equal(kosh_posix_cwd(), "proc:///sub/dir");
	assert_int_equal(sys(posix_sys_fchdir, ffd, 0, 0, 0), -LINUX_ENOTDIR);
	assert_int_equal(sys(posix_sys_chdir, (long)"fs:///home/plain", 0, 0, 0), -LINUX_ENOTDIR);
	assert_int_equal(sys(posix_sys_chdir, (long)"missing", 0, 0, 0), -LINUX_ENOENT);
	assert_int_equal(sys(posix_sys_chdir, (long)"fs:///home/user/dir", 0, 0, 0), 0);
	assert_string_equal(kosh_posix_cwd(), "fs:///home/user/dir");
}

static void test_posix_files_open_flags(void **state)
{
	long fd = sys(posix_sys_open, (long)"f",
		      LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC | LINUX_O_APPEND | LINUX_O_CLOEXEC,
		      0644, 0);
	assert_true(fd >= 0);
	assert_int_equal(last_flags, KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC |
					     KOSH_VFS_O_APPEND);
	assert_int_equal(posix_fd_cloexec((int)fd), 1);
	assert_int_equal(sys(posix_sys_fcntl, fd, 3 /* F_GETFL */, 0, 0),
			 LINUX_O_WRONLY | LINUX_O_APPEND);
	sys(posix_sys_open, (long)"f", LINUX_O_RDWR | LINUX_O_CREAT | LINUX_O_EXCL, 0, 0);
	assert_int_equal(last_flags, KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE |
					     KOSH_VFS_O_EXCL);
	sys(posix_sys_open, (long)"f", LINUX_O_TRUNC | LINUX_O_EXCL, 0, 0); /* read-only: neither */
	assert_int_equal(last_flags, KOSH_VFS_O_READ);
	sys(posix_sys_open, (long)"d", ARCH_LINUX_O_DIRECTORY, 0, 0);
	assert_int_equal(last_flags, KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY);
	assert_int_equal(sys(posix_sys_open, (long)"f", LINUX_O_ACCMODE, 0, 0), -LINUX_EINVAL);
	assert_int_equal(sys(posix_sys_open, (long)"f", ARCH_LINUX_O_DIRECTORY | LINUX_O_CREAT, 0, 0),
			 -LINUX_EINVAL);
	assert_int_equal(sys(posix_sys_open, (long)"missing", 0, 0, 0), -LINUX_ENOENT);
	/* Closing the last descriptor sends CLOSE once. */
	uint32_t before = closes;
	long dup = sys(posix_sys_dup, fd, 0, 0, 0);
	assert_int_equal(sys(posix_sys_close, fd, 0, 0, 0), 0);
	assert_int_equal(closes, before);
	assert_int_equal(sys(posix_sys_close, dup, 0, 0, 0), 0);
	assert_int_equal(closes, before + 1);
}

/* Read the whole fake directory with getdents64 into a buffer of size bytes a call. */
static int list(long fd, size_t size, int *seen)
{
	uint8_t buf[8192];
	int n = 0;
	for (;;) {
		long got = sys(posix_sys_getdents64, fd, (long)buf, (long)size, 0);
		assert_true(got >= 0);
		if (got == 0)
			return n;
		for (long at = 0; at < got;) {
			uint16_t reclen;
			uint8_t type;
			memcpy(&reclen, buf + at + 16, 2);
			type = buf[at + 18];
			const char *name = (const char *)buf + at + 19;
			assert_int_equal(reclen % 8, 0);
			assert_true(strlen(name) + 20 <= reclen);
			unsigned i;
			assert_int_equal(sscanf(name, "e%u-", &i), 1);
			char want[128];
			entry_name(i, want);
			assert_string_equal(name, want);
			assert_int_equal(type, i % 10 == 0 ? 4 /* DT_DIR */ : 8 /* DT_REG */);
			seen[i]++;
			n++;
			at += reclen;
		}
	}
}

static void test_posix_files_getdents(void **state)
{
	int seen[DIR_ENTRIES] = { 0 };
	long fd = sys(posix_sys_open, (long)"the-dir", ARCH_LINUX_O_DIRECTORY, 0, 0);
	assert_true(fd >= 0);
	uint8_t tiny[16]; /* less than the smallest record (24 bytes) */
	assert_int_equal(sys(posix_sys_getdents64, fd, (long)tiny, sizeof tiny, 0), -LINUX_EINVAL);
	assert_int_equal(list(fd, 300, seen), DIR_ENTRIES);
	for (int i = 0; i < DIR_ENTRIES; i++)
		assert_int_equal(seen[i], 1);
	assert_true(readdirs > 3); /* several replies */
	/* Rewound: the same again, with a large buffer. */
	assert_int_equal(sys(posix_sys_lseek, fd, 0, 0 /* SEEK_SET */, 0), 0);
	assert_int_equal(list(fd, 8192, seen), DIR_ENTRIES);
	for (int i = 0; i < DIR_ENTRIES; i++)
		assert_int_equal(seen[i], 2);
	/* A file is no directory. */
	long ffd = sys(posix_sys_open, (long)"plain", 0, 0, 0);
	assert_int_equal(sys(posix_sys_getdents64, ffd, (long)tiny, sizeof tiny, 0), -LINUX_ENOTDIR);
	assert_int_equal(sys(posix_sys_read, fd, (long)tiny, 1, 0), -LINUX_EISDIR);
}

static void test_posix_files_log_stdout(void **state)
{
	assert_int_equal(sys(posix_sys_write, 1, (long)"one\ntw", 6, 0), 6);
	assert_int_equal(log_count, 1);
	assert_string_equal(log_lines[0], "one");
	assert_int_equal(sys(posix_sys_write, 2, (long)"o\n", 2, 0), 2); /* 2 is its own file */
	assert_int_equal(log_count, 2);
	assert_string_equal(log_lines[1], "o");
	assert_int_equal(sys(posix_sys_write, 1, (long)"o", 1, 0), 1);
	posix_log_flush();
	assert_int_equal(log_count, 3);
	assert_string_equal(log_lines[2], "two");
	assert_int_equal(sys(posix_sys_read, 0, (long)log_lines, 1, 0), -LINUX_EBADF);
	assert_int_equal(sys(posix_sys_read, 1, (long)log_lines, 1, 0), -LINUX_EBADF);
	assert_int_equal(sys(posix_sys_ioctl, 1, 0x5413, (long)log_lines, 0), -LINUX_ENOTTY);
	assert_int_equal(sys(posix_sys_lseek, 1, 0, 0, 0), -LINUX_ESPIPE);
}

static void test_posix_files_terminal(void **state)
{
	uint16_t ws[4];
	long f = sys(posix_sys_open, (long)"plain", 0, 0, 0);
	assert_int_equal(sys(posix_sys_ioctl, f, 0x5413, (long)ws, 0), -LINUX_ENOTTY);
	long t = sys(posix_sys_open, (long)"console://tty", LINUX_O_RDWR, 0, 0);
	assert_int_equal(sys(posix_sys_ioctl, t, 0x5413, (long)ws, 0), 0);
	assert_int_equal(ws[0], 24);
	assert_int_equal(ws[1], 80);
	uint32_t termios[9];
	assert_int_equal(sys(posix_sys_ioctl, t, 0x5401, (long)termios, 0), 0);
	assert_int_equal(termios[3] & 0xa, 0xa); /* ICANON | ECHO */
	assert_int_equal(sys(posix_sys_ioctl, t, 0x1234, 0, 0), -LINUX_ENOTTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_posix_files_cwd_from_pwd, setup),
		cmocka_unit_test_setup(test_posix_files_path_resolution, setup),
		cmocka_unit_test_setup(test_posix_files_open_flags, setup),
		cmocka_unit_test_setup(test_posix_files_getdents, setup),
		cmocka_unit_test_setup(test_posix_files_log_stdout, setup),
		cmocka_unit_test_setup(test_posix_files_terminal, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
