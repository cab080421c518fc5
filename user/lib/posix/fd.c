/* SPDX-License-Identifier: MIT */
/*
 * The file-descriptor table of the system layer (<kosh/posix.h>). A descriptor
 * points at an open file; dup() and friends make more descriptors on the same
 * open file, which counts them (refs) and is released — CLOSE to its server,
 * the handle closed — when the last one goes. FD_CLOEXEC belongs to the
 * descriptor. Descriptors 0, 1 and 2 are set up from the start page the first
 * time the table is used (posix_fd_setup). Pure bookkeeping: the files
 * themselves are files.c's business, so this file also runs in host tests.
 *
 * Not thread-safe, like the rest of the layer: musl programs on Kosh have one
 * thread (clone is ENOSYS).
 */
#include <stddef.h>

#include <kosh/posix.h>

struct posix_fd {
	struct posix_file *file; /* NULL: closed */
	int cloexec;
};

static struct posix_fd fds[POSIX_FDS_MAX];
static struct posix_file files[POSIX_FILES_MAX];
static int ready;

static void table_ready(void)
{
	if (!ready) {
		ready = 1;
		posix_fd_setup();
	}
}

struct posix_file *posix_file_new(void)
{
	for (int i = 0; i < POSIX_FILES_MAX; i++) {
		if (files[i].refs == 0 && files[i].kind == 0) {
			files[i] = (struct posix_file){ 0 };
			return &files[i];
		}
	}
	return NULL;
}

struct posix_file *posix_fd_get(int fd)
{
	table_ready();
	if (fd < 0 || fd >= POSIX_FDS_MAX)
		return NULL;
	return fds[fd].file;
}

static void file_put(struct posix_file *f)
{
	if (--f->refs == 0) {
		posix_file_release(f);
		*f = (struct posix_file){ 0 }; /* kind 0: free again */
	}
}

void posix_file_discard(struct posix_file *f)
{
	if (f && f->refs == 0) {
		posix_file_release(f);
		*f = (struct posix_file){ 0 };
	}
}

int posix_fd_alloc(struct posix_file *f, int min, int cloexec)
{
	table_ready();
	if (min < 0 || min >= POSIX_FDS_MAX)
		return -LINUX_EINVAL;
	for (int fd = min; fd < POSIX_FDS_MAX; fd++) {
		if (!fds[fd].file) {
			fds[fd] = (struct posix_fd){ f, cloexec != 0 };
			f->refs++;
			return fd;
		}
	}
	return -LINUX_EMFILE;
}

int posix_fd_set(int fd, struct posix_file *f, int cloexec)
{
	table_ready();
	if (fd < 0 || fd >= POSIX_FDS_MAX)
		return -LINUX_EBADF;
	/* Take the new reference first: f may be the file fd already holds. */
	f->refs++;
	struct posix_file *old = fds[fd].file;
	fds[fd] = (struct posix_fd){ f, cloexec != 0 };
	if (old)
		file_put(old);
	return fd;
}

int posix_fd_cloexec(int fd)
{
	if (!posix_fd_get(fd))
		return -LINUX_EBADF;
	return fds[fd].cloexec;
}

int posix_fd_set_cloexec(int fd, int cloexec)
{
	if (!posix_fd_get(fd))
		return -LINUX_EBADF;
	fds[fd].cloexec = cloexec != 0;
	return 0;
}

int posix_fd_close(int fd)
{
	struct posix_file *f = posix_fd_get(fd);
	if (!f)
		return -LINUX_EBADF;
	fds[fd] = (struct posix_fd){ 0 };
	file_put(f);
	return 0;
}

void posix_fd_close_all(void)
{
	table_ready(); /* standard files never used are closed too: their servers learn of it */
	for (int fd = 0; fd < POSIX_FDS_MAX; fd++)
		if (fds[fd].file)
			posix_fd_close(fd);
}

void posix_fd_reset(void)
{
	for (int i = 0; i < POSIX_FDS_MAX; i++)
		fds[i] = (struct posix_fd){ 0 };
	for (int i = 0; i < POSIX_FILES_MAX; i++)
		files[i] = (struct posix_file){ 0 };
	ready = 0;
}
