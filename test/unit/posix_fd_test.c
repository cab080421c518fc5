/* SPDX-License-Identifier: MIT */
/*
 * The system layer's descriptor table (user/lib/posix/fd.c): lowest free
 * descriptor first, dup()s share one open file that is released exactly once,
 * when its last descriptor goes; dup2 onto itself and onto an open descriptor;
 * FD_CLOEXEC per descriptor; the limits; descriptors 0-2 set up on first use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <kosh/posix.h>

static int releases;
static struct posix_file *released;
static int setups;

/* The file side, faked: fd.c calls these. */
void posix_file_release(struct posix_file *f)
{
	releases++;
	released = f;
}

/* As files.c does without standard files: 1 and 2 on one log-backed file. */
void posix_fd_setup(void)
{
	setups++;
	struct posix_file *f = posix_file_new();
	f->kind = POSIX_FILE_LOG;
	posix_fd_set(1, f, 0);
	posix_fd_set(2, f, 0);
}

static int reset(void **state)
{
	posix_fd_reset();
	releases = setups = 0;
	released = NULL;
	return 0;
}

static struct posix_file *new_file(kosh_handle_t h)
{
	struct posix_file *f = posix_file_new();
	assert_non_null(f);
	f->kind = POSIX_FILE_VFS;
	f->handle = h;
	return f;
}

static void test_posix_fd_setup_once(void **state)
{
	assert_null(posix_fd_get(0));
	assert_int_equal(setups, 1);
	assert_ptr_equal(posix_fd_get(1), posix_fd_get(2));
	assert_int_equal(posix_fd_get(1)->refs, 2);
	assert_null(posix_fd_get(3));
	assert_int_equal(setups, 1);
}

static void test_posix_fd_lowest_free(void **state)
{
	struct posix_file *f = new_file(5);
	assert_int_equal(posix_fd_alloc(f, 0, 0), 0);
	assert_int_equal(posix_fd_alloc(f, 0, 0), 3);
	assert_int_equal(posix_fd_alloc(f, 10, 0), 10);
	assert_int_equal(f->refs, 3);
	assert_int_equal(posix_fd_close(3), 0);
	assert_int_equal(posix_fd_alloc(f, 0, 0), 3);
	assert_int_equal(posix_fd_alloc(f, -1, 0), -LINUX_EINVAL);
	assert_int_equal(posix_fd_alloc(f, POSIX_FDS_MAX, 0), -LINUX_EINVAL);
}

static void test_posix_fd_shared_file_released_once(void **state)
{
	struct posix_file *f = new_file(7);
	int a = posix_fd_alloc(f, 0, 0);
	int b = posix_fd_alloc(f, 0, 0);
	int c = posix_fd_set(30, f, 1);
	assert_int_equal(c, 30);
	assert_int_equal(f->refs, 3);
	assert_int_equal(posix_fd_close(a), 0);
	assert_int_equal(posix_fd_close(c), 0);
	assert_int_equal(releases, 0);
	assert_int_equal(posix_fd_close(b), 0);
	assert_int_equal(releases, 1);
	assert_ptr_equal(released, f);
	assert_int_equal(posix_fd_close(b), -LINUX_EBADF);
	assert_int_equal(releases, 1);
	/* The entry is free again. */
	assert_ptr_equal(posix_file_new(), f);
}

static void test_posix_fd_set_replaces(void **state)
{
	struct posix_file *f = new_file(1), *g = new_file(2);
	int a = posix_fd_alloc(f, 0, 0), b = posix_fd_alloc(g, 0, 0);
	/* dup2(a, a) keeps the file (the new reference comes first). */
	assert_int_equal(posix_fd_set(a, f, 0), a);
	assert_int_equal(releases, 0);
	assert_int_equal(f->refs, 1);
	/* dup2(a, b) closes b's file, its last descriptor. */
	assert_int_equal(posix_fd_set(b, f, 0), b);
	assert_int_equal(releases, 1);
	assert_ptr_equal(released, g);
	assert_ptr_equal(posix_fd_get(b), f);
	assert_int_equal(f->refs, 2);
	assert_int_equal(posix_fd_set(-1, f, 0), -LINUX_EBADF);
	assert_int_equal(posix_fd_set(POSIX_FDS_MAX, f, 0), -LINUX_EBADF);
}

static void test_posix_fd_cloexec_per_descriptor(void **state)
{
	struct posix_file *f = new_file(3);
	int a = posix_fd_alloc(f, 0, 1), b = posix_fd_alloc(f, 0, 0);
	assert_int_equal(posix_fd_cloexec(a), 1);
	assert_int_equal(posix_fd_cloexec(b), 0);
	assert_int_equal(posix_fd_set_cloexec(b, 1), 0);
	assert_int_equal(posix_fd_cloexec(b), 1);
	assert_int_equal(posix_fd_cloexec(99), -LINUX_EBADF);
	assert_int_equal(posix_fd_set_cloexec(-5, 1), -LINUX_EBADF);
}

static void test_posix_fd_table_full(void **state)
{
	struct posix_file *f = new_file(4);
	int n = 0;
	while (posix_fd_alloc(f, 0, 0) >= 0)
		n++;
	assert_int_equal(n, POSIX_FDS_MAX - 2); /* all but 1 and 2, the log file's */
	assert_int_equal(posix_fd_alloc(f, 0, 0), -LINUX_EMFILE);
	posix_fd_close_all();
	assert_int_equal(releases, 2); /* f and the log file */
	assert_null(posix_fd_get(1));
}

static void test_posix_file_table_full(void **state)
{
	int n = 0;
	for (struct posix_file *f; (f = posix_file_new()); n++)
		f->kind = POSIX_FILE_VFS;
	assert_int_equal(n, POSIX_FILES_MAX);
}

static void test_posix_file_discard(void **state)
{
	struct posix_file *f = new_file(9);
	posix_file_discard(f);
	assert_int_equal(releases, 1);
	assert_ptr_equal(posix_file_new(), f);
	/* A file with descriptors is not discarded. */
	f = new_file(10);
	int fd = posix_fd_alloc(f, 0, 0);
	posix_file_discard(f);
	assert_int_equal(releases, 1);
	assert_ptr_equal(posix_fd_get(fd), f);
	posix_file_discard(NULL);
}

static void test_posix_fd_bad_numbers(void **state)
{
	assert_null(posix_fd_get(-1));
	assert_null(posix_fd_get(POSIX_FDS_MAX));
	assert_null(posix_fd_get(1 << 30));
	assert_int_equal(posix_fd_close(-100), -LINUX_EBADF);
	assert_int_equal(posix_fd_close(POSIX_FDS_MAX), -LINUX_EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_posix_fd_setup_once, reset),
		cmocka_unit_test_setup(test_posix_fd_lowest_free, reset),
		cmocka_unit_test_setup(test_posix_fd_shared_file_released_once, reset),
		cmocka_unit_test_setup(test_posix_fd_set_replaces, reset),
		cmocka_unit_test_setup(test_posix_fd_cloexec_per_descriptor, reset),
		cmocka_unit_test_setup(test_posix_fd_table_full, reset),
		cmocka_unit_test_setup(test_posix_file_table_full, reset),
		cmocka_unit_test_setup(test_posix_file_discard, reset),
		cmocka_unit_test_setup(test_posix_fd_bad_numbers, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
