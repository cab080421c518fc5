/* SPDX-License-Identifier: MIT */
/*
 * VFS0001: the namespace end to end. The test is the root of a little system
 * of its own: it makes the endpoints, starts sbin/vfsd, sbin/ramfs and
 * sbin/pipesrv from the initfs on them, registers fs:// and pipe:// with an
 * admin-badged handle to vfsd, and then, as a client (a client-badged handle),
 * creates, writes, reads, seeks, truncates, renames, lists and removes files on
 * fs:// through vfsd; fills ramfs to its limit (ENOSPC); pipes data through
 * pipe:// with a reader that waits, a writer that waits, the end of the file
 * and EPIPE; and sends malformed messages to vfsd and to the servers' files
 * (EPROTO, EBADF, EPERM …), checking after each kind that the servers still
 * answer, also after a storm of random messages to each of them; and
 * registers a fake scheme server whose bad answers (a capability
 * where none belongs, a label that is no error, an OPEN without its file, no
 * answer at all) vfsd turns into EIO; and starts ramfs again on its endpoint,
 * where the files of its first run are EBADF. The servers are killed at the end.
 */
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/fileserver.h>
#include <kosh/ipc.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define EP_RIGHTS   (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define SEND_RIGHTS (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER)
#define RAMFS_LIMIT "512K"

static kosh_handle_t admin, client; /* badged handles to vfsd */
static kosh_handle_t fs_ep;	    /* ramfs's endpoint, kept to start it again */
static struct kosh_child children[3];
static uint8_t buf[KOSH_VFS_IO_MAX], buf2[KOSH_VFS_IO_MAX];

/* A raw request on h: its reply's label (0 or the error); *r the reply. */
static uint32_t raw(kosh_handle_t h, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		    struct kosh_msg *r)
{
	struct kosh_msg m = {tag, {w0, w1, w2, 0}}, dummy;
	if (!r)
		r = &dummy;
	CHECK_EQ(kosh_call(h, &m, r, 5 * TEST_SECOND), KOSH_OK);
	return KOSH_MSG_LABEL(r->tag);
}

static void write_all(kosh_handle_t f, const void *data, uint32_t len)
{
	uint32_t done;
	VCHECK(kosh_file_write(f, data, len, &done), 0);
	CHECK_EQ(done, len);
}

static void read_expect(kosh_handle_t f, const char *want)
{
	uint32_t got, len = (uint32_t)strlen(want);
	VCHECK(kosh_file_read(f, buf, sizeof(buf), &got), 0);
	CHECK_EQ(got, len);
	CHECK(memcmp(buf, want, len) == 0);
}

static uint64_t size_of(const char *uri)
{
	struct kosh_vfs_stat st;
	VCHECK(kosh_file_statp(client, uri, &st), 0);
	return st.size;
}

/* ---- setup ---- */

static void setup(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t vfs = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t fs = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t pipe = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	static const char *const ramfs_args[] = {"--scheme", "fs", "--limit", RAMFS_LIMIT};

	static const char *const vfsd_args[] = {"--timeout", "1000"};
	test_start_server("vfsd", "vfs", vfs, KOSH_RIGHT_READ, 1ull << 20, vfsd_args, 2, &children[0]);
	test_start_server("ramfs", "fs", fs, EP_RIGHTS, 2ull << 20, ramfs_args, 4, &children[1]);
	test_start_server("pipesrv", "pipe", pipe, EP_RIGHTS, 2ull << 20, NULL, 0, &children[2]);
	admin = (kosh_handle_t)CHECK_OK(kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_ADMIN));
	client = (kosh_handle_t)CHECK_OK(kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_CLIENT));

	/* Only the admin badge registers. */
	kosh_handle_t fs_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(fs, SEND_RIGHTS, 0));
	kosh_handle_t pipe_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(pipe, SEND_RIGHTS, 0));
	VCHECK(kosh_file_register(client, "fs", fs_send), KOSH_VFS_EPERM);
	VCHECK(kosh_file_statp(client, "fs:///", &(struct kosh_vfs_stat){0}), KOSH_VFS_ENOENT);
	/* An endpoint first registered as pipe://, then replaced by the real one. */
	VCHECK(kosh_file_register(admin, "pipe", fs_send), 0);
	VCHECK(kosh_file_register(admin, "fs", fs_send), 0);
	VCHECK(kosh_file_register(admin, "pipe", pipe_send), 0);
	/* Not an endpoint. */
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	kosh_handle_t n_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, KOSH_RIGHT_TRANSFER, 0));
	VCHECK(kosh_file_register(admin, "bad", n_send), KOSH_VFS_EINVAL);
	CHECK_EQ(kosh_handle_close(n_send), KOSH_OK);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
	CHECK_EQ(kosh_handle_close(fs_send), KOSH_OK);
	CHECK_EQ(kosh_handle_close(pipe_send), KOSH_OK);
	/* vfsd and the servers keep their own handles; ours go. */
	CHECK_EQ(kosh_handle_close(vfs), KOSH_OK);
	fs_ep = fs;
	CHECK_EQ(kosh_handle_close(pipe), KOSH_OK);
}

/* ---- fs:// ---- */

static void test_files(void)
{
	kosh_handle_t f, g;
	uint32_t type, got;
	uint64_t size, pos;
	struct kosh_vfs_stat st;
	const uint32_t RW = KOSH_VFS_O_READ | KOSH_VFS_O_WRITE;

	/* What ramfs made at start. */
	VCHECK(kosh_file_statp(client, "fs:///home", &st), 0);
	CHECK_EQ(st.type, KOSH_VFS_DIR);
	VCHECK(kosh_file_statp(client, "/tmp", &st), 0);
	VCHECK(kosh_file_statp(client, "fs:///bin/", &st), 0);
	VCHECK(kosh_file_statp(client, "fs:///nothing", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_statp(client, "nope:///x", &st), KOSH_VFS_ENOENT);

	/* Create, write, read back. */
	VCHECK(kosh_file_mkdir(client, "fs:///home/u"), 0);
	VCHECK(kosh_file_mkdir(client, "fs:///home/u"), KOSH_VFS_EEXIST);
	VCHECK(kosh_file_mkdir(client, "fs:///no/such"), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_open(client, "fs:///home/u/a.txt", KOSH_VFS_O_READ, &f, &type, &size),
	       KOSH_VFS_ENOENT);
	VCHECK(
	    kosh_file_open(client, "fs:///home/u/a.txt", RW | KOSH_VFS_O_CREATE, &f, &type, &size),
	    0);
	CHECK_EQ(type, KOSH_VFS_FILE);
	CHECK_EQ(size, 0);
	write_all(f, "hello world", 11);
	VCHECK(kosh_file_seek(f, 0, KOSH_VFS_SEEK_SET, &pos), 0);
	CHECK_EQ(pos, 0);
	read_expect(f, "hello world");
	read_expect(f, ""); /* the end */
	VCHECK(kosh_file_seek(f, -5, KOSH_VFS_SEEK_END, &pos), 0);
	CHECK_EQ(pos, 6);
	read_expect(f, "world");
	VCHECK(kosh_file_seek(f, -100, KOSH_VFS_SEEK_CUR, &pos), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_stat(f, &st), 0);
	CHECK_EQ(st.size, 11);
	CHECK_EQ(st.type, KOSH_VFS_FILE);
	CHECK(st.mtime_ns > 0 && st.ino > 0);
	VCHECK(kosh_file_close(f), 0);

	/* EXCL, APPEND, TRUNC, a bare path, a directory. */
	VCHECK(kosh_file_open(client, "/home/u/a.txt", RW | KOSH_VFS_O_CREATE | KOSH_VFS_O_EXCL, &f,
			      NULL, NULL),
	       KOSH_VFS_EEXIST);
	VCHECK(kosh_file_open(client, "/home/u/./../u/a.txt", KOSH_VFS_O_WRITE | KOSH_VFS_O_APPEND,
			      &f, NULL, &size),
	       0);
	CHECK_EQ(size, 11);
	write_all(f, "!", 1);
	VCHECK(kosh_file_read(f, buf, 4, &got), KOSH_VFS_EBADF); /* opened for writing only */
	VCHECK(kosh_file_close(f), 0);
	CHECK_EQ(size_of("fs:///home/u/a.txt"), 12);
	VCHECK(kosh_file_open(client, "fs:///home/u", KOSH_VFS_O_WRITE, &f, NULL, NULL),
	       KOSH_VFS_EISDIR);
	VCHECK(kosh_file_open(client, "fs:///home/u/a.txt", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY,
			      &f, NULL, NULL),
	       KOSH_VFS_ENOTDIR);
	VCHECK(kosh_file_open(client, "fs:///home/u/a.txt/x", KOSH_VFS_O_READ, &f, NULL, NULL),
	       KOSH_VFS_ENOTDIR);

	/* A file across pages: written in pieces, read back at an offset. */
	VCHECK(kosh_file_open(client, "fs:///tmp/big", RW | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC,
			      &f, NULL, NULL),
	       0);
	for (uint32_t i = 0; i < 3; i++) {
		for (uint32_t k = 0; k < 4000; k++)
			buf2[k] = (uint8_t)(k * 7 + i);
		write_all(f, buf2, 4000);
	}
	VCHECK(kosh_file_seek(f, 4000 + 100, KOSH_VFS_SEEK_SET, NULL), 0);
	VCHECK(kosh_file_read(f, buf, 4000, &got), 0);
	CHECK_EQ(got, 4000);
	for (uint32_t k = 0; k < 3900; k++)
		CHECK_EQ(buf[k], (uint8_t)((k + 100) * 7 + 1));
	/* Past the end: a hole reads as zeros. */
	VCHECK(kosh_file_seek(f, 20000, KOSH_VFS_SEEK_SET, NULL), 0);
	write_all(f, "z", 1);
	VCHECK(kosh_file_seek(f, 12000, KOSH_VFS_SEEK_SET, NULL), 0);
	VCHECK(kosh_file_read(f, buf, 10, &got), 0);
	CHECK_EQ(got, 10);
	CHECK_EQ(buf[0] | buf[9], 0);
	VCHECK(kosh_file_truncate(f, 4001), 0);
	VCHECK(kosh_file_truncate(f, 8000), 0);
	VCHECK(kosh_file_seek(f, 4000, KOSH_VFS_SEEK_SET, NULL), 0);
	VCHECK(kosh_file_read(f, buf, 100, &got), 0);
	CHECK_EQ(got, 100);
	CHECK_EQ(buf[0], 1); /* kept: the first byte of the second piece (k 0, i 1) */
	CHECK_EQ(buf[1], 0); /* cut off by the truncate, then grown back: zeros */
	CHECK_EQ(buf[99], 0);
	VCHECK(kosh_file_sync(f), 0);

	/* Unlinked while open: the open file lives on. */
	VCHECK(kosh_file_unlink(client, "fs:///tmp/big", 0), 0);
	VCHECK(kosh_file_statp(client, "fs:///tmp/big", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_stat(f, &st), 0);
	CHECK_EQ(st.size, 8000);
	VCHECK(kosh_file_close(f), 0);

	/* Rename: within a directory, across directories, over a file, across schemes. */
	VCHECK(kosh_file_rename(client, "fs:///home/u/a.txt", "fs:///home/u/b.txt"), 0);
	VCHECK(kosh_file_rename(client, "fs:///home/u/b.txt", "/tmp/c.txt"), 0);
	VCHECK(kosh_file_statp(client, "fs:///home/u/b.txt", &st), KOSH_VFS_ENOENT);
	CHECK_EQ(size_of("fs:///tmp/c.txt"), 12);
	VCHECK(kosh_file_open(client, "fs:///tmp/d.txt", RW | KOSH_VFS_O_CREATE, &g, NULL, NULL),
	       0);
	VCHECK(kosh_file_close(g), 0);
	VCHECK(kosh_file_rename(client, "fs:///tmp/c.txt", "fs:///tmp/d.txt"), 0);
	CHECK_EQ(size_of("fs:///tmp/d.txt"), 12);
	VCHECK(kosh_file_rename(client, "fs:///tmp/d.txt", "pipe:///x"), KOSH_VFS_EXDEV);
	VCHECK(kosh_file_rename(client, "fs:///tmp/none", "fs:///tmp/x"), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_mkdir(client, "fs:///home/u/sub"), 0);
	VCHECK(kosh_file_rename(client, "fs:///home/u", "fs:///home/u/sub/u"), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_rename(client, "fs:///home/u", "fs:///home/u"), 0);
	VCHECK(kosh_file_rename(client, "fs:///tmp/d.txt", "fs:///home/u"), KOSH_VFS_EISDIR);
	VCHECK(kosh_file_rename(client, "fs:///home/u", "fs:///tmp/d.txt"), KOSH_VFS_ENOTDIR);
	VCHECK(kosh_file_rename(client, "fs:///home/u", "fs:///tmp/u2"), 0);
	VCHECK(kosh_file_statp(client, "fs:///tmp/u2/sub", &st), 0);

	/* Listing. */
	VCHECK(kosh_file_open(client, "fs:///", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY, &f, &type,
			      NULL),
	       0);
	CHECK_EQ(type, KOSH_VFS_DIR);
	static _Alignas(8) uint8_t list[KOSH_VFS_IO_MAX];
	uint32_t used, p = 0, seen = 0;
	uint64_t next;
	int end;
	VCHECK(kosh_file_readdir(f, 0, list, sizeof(list), &used, &next, &end), 0);
	CHECK(end);
	const struct kosh_vfs_dirent *d;
	while ((d = kosh_vfs_dirent_next(list, used, &p)) != NULL) {
		CHECK_EQ(d->type, KOSH_VFS_DIR);
		if (strcmp(d->name, "home") == 0)
			seen |= 1;
		else if (strcmp(d->name, "tmp") == 0)
			seen |= 2;
		else if (strcmp(d->name, "bin") == 0)
			seen |= 4;
		else
			seen |= 8;
	}
	CHECK_EQ(p, used);
	CHECK_EQ(seen, 7);
	VCHECK(kosh_file_read(f, buf, 10, &got), KOSH_VFS_EISDIR);
	VCHECK(kosh_file_close(f), 0);

	/* Removing. */
	VCHECK(kosh_file_unlink(client, "fs:///tmp/u2", KOSH_VFS_UNLINK_DIR), KOSH_VFS_ENOTEMPTY);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/u2", 0), KOSH_VFS_EISDIR);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/d.txt", KOSH_VFS_UNLINK_DIR), KOSH_VFS_ENOTDIR);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/u2/sub", KOSH_VFS_UNLINK_DIR), 0);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/u2", KOSH_VFS_UNLINK_DIR), 0);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/d.txt", 0), 0);
	VCHECK(kosh_file_unlink(client, "fs:///", KOSH_VFS_UNLINK_DIR), KOSH_VFS_EBUSY);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/d.txt", 0), KOSH_VFS_ENOENT);
}

/* A server's table of open files: full at KOSH_FSRV_FILES_MAX (ENFILE), and CLOSE frees its slots.
 */
static void test_table(void)
{
	static kosh_handle_t open[KOSH_FSRV_FILES_MAX];
	uint32_t n = 0, err = 0;
	kosh_handle_t f;

	while (n < KOSH_FSRV_FILES_MAX + 8 &&
	       (err = kosh_file_open(client, "fs:///tmp", KOSH_VFS_O_READ, &f, NULL, NULL)) == 0) {
		CHECK(n < KOSH_FSRV_FILES_MAX);
		open[n++] = f;
	}
	VCHECK(err, KOSH_VFS_ENFILE);
	CHECK_EQ(n, KOSH_FSRV_FILES_MAX);
	for (uint32_t i = 0; i < n; i++)
		VCHECK(kosh_file_close(open[i]), 0);
	VCHECK(kosh_file_open(client, "fs:///tmp", KOSH_VFS_O_READ, &f, NULL, NULL), 0);
	VCHECK(kosh_file_close(f), 0);
}

/* ramfs's limit: writes stop with ENOSPC, and space comes back with the file. */
static void test_full(void)
{
	kosh_handle_t f;
	uint32_t done = 0, err = 0, rounds = 0;
	uint64_t total = 0;

	memset(buf2, 'f', sizeof(buf2));
	VCHECK(kosh_file_open(client, "fs:///tmp/full", KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &f,
			      NULL, NULL),
	       0);
	while (rounds++ < 1000 && (err = kosh_file_write(f, buf2, sizeof(buf2), &done)) == 0)
		total += done;
	VCHECK(err, KOSH_VFS_ENOSPC);
	CHECK(total > 256 * 1024 && total <= 512 * 1024);
	/* After a truncate there is room again. */
	VCHECK(kosh_file_truncate(f, 0), 0);
	VCHECK(kosh_file_close(f), 0);
	VCHECK(kosh_file_open(client, "fs:///tmp/full", KOSH_VFS_O_WRITE, &f, NULL, NULL), 0);
	write_all(f, buf2, sizeof(buf2));
	VCHECK(kosh_file_close(f), 0);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/full", 0), 0);
}

/* ---- pipe:// ---- */

struct waiter {
	kosh_handle_t f;
	uint32_t len, result, got;
	volatile int done;
	struct kosh_thread t;
	uint8_t data[KOSH_VFS_IO_MAX];
};

static void waiting_read(void *arg)
{
	struct waiter *w = arg;
	w->result = kosh_file_read(w->f, w->data, w->len, &w->got);
	w->done = 1;
}

static void waiting_write(void *arg)
{
	struct waiter *w = arg;
	w->result = kosh_file_write(w->f, w->data, w->len, &w->got);
	w->done = 1;
}

static void wait_done(struct waiter *w)
{
	for (int i = 0; i < 300 && !w->done; i++)
		test_sleep_ms(10);
	CHECK(w->done);
	test_sleep_ms(5); /* let the thread end before its stack goes */
	kosh_thread_release(&w->t);
}

static void test_pipes(void)
{
	static struct waiter w;
	kosh_handle_t r, wr;
	uint32_t got, type;
	struct kosh_vfs_stat st;

	VCHECK(kosh_file_pipe(client, &r, &wr), 0);
	write_all(wr, "abc", 3);
	read_expect(r, "abc");
	VCHECK(kosh_file_stat(r, &st), 0);
	CHECK_EQ(st.type, KOSH_VFS_PIPE);
	VCHECK(kosh_file_seek(r, 0, KOSH_VFS_SEEK_SET, NULL), KOSH_VFS_ESPIPE);
	VCHECK(kosh_file_write(r, "x", 1, &got), KOSH_VFS_EBADF);
	VCHECK(kosh_file_read(wr, buf, 1, &got), KOSH_VFS_EBADF);
	/* Only the root: pipe:///x is nothing. */
	VCHECK(kosh_file_open(client, "pipe:///x", KOSH_VFS_O_READ, &r, &type, NULL),
	       KOSH_VFS_ENOENT);

	/* A READ of the empty pipe waits for the writer. */
	w = (struct waiter){.f = r, .len = 100};
	CHECK_EQ(kosh_thread_spawn(&w.t, waiting_read, &w, 0), KOSH_OK);
	test_sleep_ms(50);
	CHECK(!w.done);
	write_all(wr, "late", 4);
	wait_done(&w);
	VCHECK(w.result, 0);
	CHECK_EQ(w.got, 4);
	CHECK(memcmp(w.data, "late", 4) == 0);

	/* A WRITE to the full pipe waits for the reader. */
	memset(buf2, 'p', sizeof(buf2));
	uint32_t in = 0, done;
	while (in < 8192) {
		VCHECK(kosh_file_write(wr, buf2, sizeof(buf2), &done), 0);
		CHECK(done > 0);
		in += done;
	}
	CHECK_EQ(in, 8192);
	w = (struct waiter){.f = wr, .len = 10};
	memcpy(w.data, "0123456789", 10);
	CHECK_EQ(kosh_thread_spawn(&w.t, waiting_write, &w, 0), KOSH_OK);
	test_sleep_ms(50);
	CHECK(!w.done);
	VCHECK(kosh_file_read(r, buf, 4000, &got), 0);
	CHECK_EQ(got, 4000);
	wait_done(&w);
	VCHECK(w.result, 0);
	CHECK_EQ(w.got, 10);
	uint32_t left = 8192 - 4000 + 10, total = 0;
	while (total < left) {
		VCHECK(kosh_file_read(r, buf, sizeof(buf), &got), 0);
		CHECK(got > 0);
		total += got;
	}
	CHECK_EQ(total, left);
	CHECK(memcmp(buf + got - 10, "0123456789", 10) == 0);

	/* DUP: a second write end; the end of the file comes when both are closed. */
	struct kosh_msg m;
	VCHECK(raw(wr, kosh_msg_tag(KOSH_VFS_DUP, 0, 0, 0), 0, 0, 0, &m), 0);
	CHECK_EQ(KOSH_MSG_CAPS(m.tag), 1);
	kosh_handle_t wr2 = kosh_ipc_buffer()->caps[0];
	write_all(wr2, "dup", 3);
	VCHECK(kosh_file_close(wr), 0);
	read_expect(r, "dup");
	w = (struct waiter){.f = r, .len = 100};
	CHECK_EQ(kosh_thread_spawn(&w.t, waiting_read, &w, 0), KOSH_OK);
	test_sleep_ms(50);
	CHECK(!w.done); /* wr2 is still open */
	VCHECK(kosh_file_close(wr2), 0);
	wait_done(&w);
	VCHECK(w.result, 0);
	CHECK_EQ(w.got, 0); /* the end of the file */
	read_expect(r, "");
	VCHECK(kosh_file_close(r), 0);

	/*
	 * Callers that go away while they wait (here: their call times out): a
	 * reader gone takes nothing, a writer gone adds nothing.
	 */
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	VCHECK(kosh_file_pipe(client, &r, &wr), 0);
	m = (struct kosh_msg){kosh_msg_tag(KOSH_VFS_READ, 1, 0, 0), {100}};
	CHECK_ERR(kosh_call(r, &m, &m, 100 * TEST_MS), KOSH_E_TIMED_OUT);
	write_all(wr, "kept", 4);
	read_expect(r, "kept");
	for (in = 0; in < 8192; in += done)
		VCHECK(kosh_file_write(wr, buf2, sizeof(buf2), &done), 0);
	memcpy(&ipc->words[KOSH_MSG_WORDS_REG], "lost", 4);
	m = (struct kosh_msg){kosh_msg_tag(KOSH_VFS_WRITE, 5, 0, 0), {4}};
	CHECK_ERR(kosh_call(wr, &m, &m, 100 * TEST_MS), KOSH_E_TIMED_OUT);
	for (in = 0; in < 8192; in += got) {
		VCHECK(kosh_file_read(r, buf, sizeof(buf), &got), 0);
		CHECK(got > 0);
		for (uint32_t k = 0; k < got; k++)
			CHECK_EQ(buf[k], 'p');
	}
	CHECK_EQ(in, 8192);
	VCHECK(kosh_file_stat(r, &st), 0);
	CHECK_EQ(st.size, 0); /* "lost" never arrived */
	VCHECK(kosh_file_close(r), 0);
	VCHECK(kosh_file_close(wr), 0);

	/* No reader: EPIPE, at once and for a writer that waits. */
	VCHECK(kosh_file_pipe(client, &r, &wr), 0);
	VCHECK(kosh_file_close(r), 0);
	VCHECK(kosh_file_write(wr, "x", 1, &got), KOSH_VFS_EPIPE);
	VCHECK(kosh_file_close(wr), 0);
	VCHECK(kosh_file_pipe(client, &r, &wr), 0);
	for (in = 0; in < 8192; in += done)
		VCHECK(kosh_file_write(wr, buf2, sizeof(buf2), &done), 0);
	w = (struct waiter){.f = wr, .len = 10};
	CHECK_EQ(kosh_thread_spawn(&w.t, waiting_write, &w, 0), KOSH_OK);
	test_sleep_ms(50);
	CHECK(!w.done);
	VCHECK(kosh_file_close(r), 0);
	wait_done(&w);
	VCHECK(w.result, KOSH_VFS_EPIPE);
	VCHECK(kosh_file_close(wr), 0);
}

static void still_alive(void)
{
	struct kosh_vfs_stat st;
	kosh_handle_t r, w;
	VCHECK(kosh_file_statp(client, "fs:///", &st), 0);
	VCHECK(kosh_file_pipe(client, &r, &w), 0);
	VCHECK(kosh_file_close(r), 0);
	VCHECK(kosh_file_close(w), 0);
}

/* ---- a storm of random messages ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const uint32_t ops[] = {
    KOSH_VFS_OPEN,     KOSH_VFS_STATP,		KOSH_VFS_MKDIR, KOSH_VFS_UNLINK, KOSH_VFS_RENAME,
    KOSH_VFS_REGISTER, KOSH_VFS_READ,		KOSH_VFS_WRITE, KOSH_VFS_SEEK,	 KOSH_VFS_STAT,
    KOSH_VFS_READDIR,  KOSH_VFS_TRUNCATE,	KOSH_VFS_SYNC,	KOSH_VFS_DUP,	 KOSH_VFS_TTY_GET,
    KOSH_VFS_TTY_SET,  KOSH_VFS_TTY_FOREGROUND,
};

/* Bytes that often make a path ("/a/../b"), sometimes anything at all. */
static void random_bytes(uint8_t *p, uint32_t n)
{
	static const char path_chars[] = "/a/b/a.";
	int any = rnd() % 4 == 0;
	for (uint32_t i = 0; i < n; i++)
		p[i] = any ? (uint8_t)rnd() : (uint8_t)path_chars[rnd() % (sizeof(path_chars) - 1)];
	if (n && !any)
		p[0] = '/';
}

/* A small number, a length that fits the data, or anything. */
static uint64_t random_word(uint32_t words)
{
	switch (rnd() % 4) {
	case 0:
		return rnd() % 8;
	case 1:
		return words > 4 ? rnd() % ((words - 4) * 8 + 1) : 0;
	case 2:
		return rnd() % 0x80;
	default:
		return rnd();
	}
}

/*
 * Make the message what a well-behaved client might send: no words past the
 * registers for operations without bytes, short paths, lengths that agree
 * with the word count.
 */
static void plausible(struct kosh_msg *m)
{
	uint32_t label = KOSH_MSG_LABEL(m->tag), words = 4;
	uint64_t bytes = 0;

	if (label == KOSH_VFS_WRITE || (label >= KOSH_VFS_OPEN && label <= KOSH_VFS_REGISTER)) {
		words = 5 + (uint32_t)(rnd() % 2);
		bytes = (words - 4) * 8 - rnd() % 8;
	}
	m->tag = kosh_msg_tag(label, words, 0, 0);
	if (label == KOSH_VFS_WRITE) {
		m->words[0] = bytes;
	} else if (label >= KOSH_VFS_OPEN && label <= KOSH_VFS_REGISTER) {
		m->words[1] = bytes;
		m->words[2] = 0;
		if (label == KOSH_VFS_RENAME && bytes > 1) {
			m->words[1] = 1 + rnd() % (bytes - 1);
			m->words[2] = bytes - m->words[1];
		}
		if (label == KOSH_VFS_OPEN || label == KOSH_VFS_UNLINK)
			m->words[0] = rnd() % (label == KOSH_VFS_OPEN ? 0x80 : 2);
	} else {
		m->words[0] = rnd() % 0x2000;
		m->words[1] = rnd() % 3;
	}
}

/*
 * n random requests on h: mostly operations with plausible words, sometimes
 * any label and word count. Every one must be answered (or, for one that
 * waits — a READ of an empty pipe — time out); files that come back are
 * CLOSEd, as a client would.
 */
static void storm(const char *what, kosh_handle_t h, uint32_t n)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t ok = 0, failed = 0, waited = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t label = rnd() % 8 ? ops[rnd() % (sizeof(ops) / sizeof(ops[0]))]
					   : (uint32_t)(rnd() % 64);
		uint32_t words = rnd() % 4 ? 4 + (uint32_t)(rnd() % 8) : (uint32_t)(rnd() % 513);
		random_bytes((uint8_t *)&ipc->words[4], words > 6 ? (words - 4) * 8 : 16);
		struct kosh_msg m = {kosh_msg_tag(label, words, 0, 0),
				     {random_word(words), random_word(words), random_word(words),
				      random_word(words)}};
		if (rnd() % 2)
			plausible(&m);
		kosh_err_t err = kosh_call(h, &m, &m, 50 * TEST_MS);
		if (err == KOSH_E_TIMED_OUT) {
			waited++;
			continue;
		}
		if (err != KOSH_OK)
			check_fail(__FILE_NAME__, __LINE__,
				   "storm message %u (label %u, %u words): %s", i, label, words,
				   check_result_text(err));
		if (KOSH_MSG_LABEL(m.tag) == 0)
			ok++;
		else
			failed++;
		uint32_t caps = KOSH_MSG_CAPS(m.tag);
		kosh_handle_t got[KOSH_MSG_CAPS_MAX];
		for (uint32_t k = 0; k < caps && k < KOSH_MSG_CAPS_MAX; k++)
			got[k] = ipc->caps[k];
		for (uint32_t k = 0; k < caps && k < KOSH_MSG_CAPS_MAX; k++)
			kosh_file_close(got[k]);
	}
	check_note("storm on %s: %u done, %u refused, %u waited", what, ok, failed, waited);
	CHECK(ok > 0 && failed > 0);
}

static void test_storm(void)
{
	kosh_handle_t root = (kosh_handle_t)CHECK_OK(kosh_handle_dup(fs_ep, SEND_RIGHTS, 0));
	kosh_handle_t f, r, w;

	VCHECK(kosh_file_open(client, "fs:///tmp/storm",
			      KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &f, NULL,
			      NULL),
	       0);
	VCHECK(kosh_file_pipe(client, &r, &w), 0);
	storm("vfsd", client, 300);
	still_alive();
	storm("the fs:// root", root, 300);
	still_alive();
	storm("a file", f, 300);
	storm("a read end", r, 200);
	storm("a write end", w, 200);
	still_alive();
	/* The handles may have been CLOSEd by the storm: only the handles go. */
	kosh_handle_close(f);
	kosh_handle_close(r);
	kosh_handle_close(w);
	CHECK_EQ(kosh_handle_close(root), KOSH_OK);
}

/*
 * A scheme server started again on the same endpoint (as init restarts one):
 * vfsd still routes to it, and a file of the old run is EBADF, never a file of
 * the new one.
 */
static void test_restart(void)
{
	static const char *const ramfs_args[] = {"--scheme", "fs", "--limit", RAMFS_LIMIT};
	const uint32_t rwc = KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE;
	struct kosh_vfs_stat st;
	kosh_handle_t old, f;
	uint32_t got;

	VCHECK(kosh_file_open(client, "fs:///r", rwc, &old, NULL, NULL), 0);
	write_all(old, "before", 6);
	CHECK_EQ(kosh_process_kill(children[1].process, 0), KOSH_OK);
	test_wait(&children[1], 5 * TEST_SECOND);
	test_start_server("ramfs", "fs", fs_ep, EP_RIGHTS, 2ull << 20, ramfs_args, 4, &children[1]);
	VCHECK(kosh_file_statp(client, "fs:///r", &st), KOSH_VFS_ENOENT); /* memory is gone */
	VCHECK(kosh_file_open(client, "fs:///r", rwc, &f, NULL, NULL), 0);
	VCHECK(kosh_file_read(old, buf, 10, &got), KOSH_VFS_EBADF);
	VCHECK(kosh_file_write(old, "x", 1, &got), KOSH_VFS_EBADF);
	VCHECK(kosh_file_close(old), KOSH_VFS_EBADF);
	VCHECK(kosh_file_stat(f, &st), 0);
	CHECK_EQ(st.size, 0);
	VCHECK(kosh_file_close(f), 0);
}

/* ---- servers that misbehave ---- */

static kosh_handle_t fake_ep;

/* A scheme server that checks what vfsd forwards and answers it badly. */
static void fake_server(void *arg)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	const char *data = (const char *)&ipc->words[KOSH_MSG_WORDS_REG];
	struct kosh_msg m, r;

	/* STATP with the path inside the scheme, normalised; answered with a capability. */
	CHECK_EQ(kosh_recv(fake_ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_VFS_STATP);
	CHECK_EQ(KOSH_MSG_WORDS(m.tag), 5);
	CHECK_EQ(m.words[1], 4);
	CHECK(memcmp(data, "/a/b", 4) == 0);
	ipc->caps[0] = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	r = (struct kosh_msg){kosh_msg_tag(0, 10, 1, 1), {0}};
	/* RENAME with both paths back to back; answered with a label that is no error. */
	CHECK_EQ(kosh_reply_recv(fake_ep, &r, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_VFS_RENAME);
	CHECK_EQ(m.words[1], 4);
	CHECK_EQ(m.words[2], 2);
	CHECK(memcmp(data, "/x/y/z", 6) == 0);
	r = (struct kosh_msg){kosh_msg_tag(123456, 0, 0, 0), {0}};
	/* OPEN answered "success" without the file. */
	CHECK_EQ(kosh_reply_recv(fake_ep, &r, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_VFS_OPEN);
	r = (struct kosh_msg){kosh_msg_tag(0, 4, 0, 0), {KOSH_VFS_FILE}};
	/* MKDIR never answered: the thread ends owing the reply. */
	CHECK_EQ(kosh_reply_recv(fake_ep, &r, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_VFS_MKDIR);
}

static void test_bad_servers(void)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_vfs_stat st;
	struct kosh_thread t;
	kosh_handle_t f;

	fake_ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(fake_ep, SEND_RIGHTS, 0));
	VCHECK(kosh_file_register(admin, "fake", send), 0);
	CHECK_EQ(kosh_thread_spawn(&t, fake_server, NULL, 0), KOSH_OK);
	VCHECK(kosh_file_statp(client, "fake:///a/./b/", &st), KOSH_VFS_EIO);
	VCHECK(kosh_file_rename(client, "fake:///x/y", "fake:///z"), KOSH_VFS_EIO);
	VCHECK(kosh_file_open(client, "fake:///f", KOSH_VFS_O_READ, &f, NULL, NULL), KOSH_VFS_EIO);
	VCHECK(kosh_file_mkdir(client, "fake:///d"), KOSH_VFS_EIO);
	test_sleep_ms(5);
	kosh_thread_release(&t);
	/* Nobody receives any more: vfsd gives up after its timeout (1 s, from --timeout). */
	int64_t t0 = kosh_clock_get();
	VCHECK(kosh_file_mkdir(client, "fake:///d"), KOSH_VFS_EIO);
	CHECK(kosh_clock_get() - t0 >= 900 * (int64_t)TEST_MS);
	CHECK_EQ(kosh_handle_close(send), KOSH_OK);
	CHECK_EQ(kosh_handle_close(fake_ep), KOSH_OK);
	still_alive();
}

/* ---- bad messages ---- */

static void test_bad_messages(void)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	char *data = (char *)&ipc->words[KOSH_MSG_WORDS_REG];
	kosh_handle_t f, stale;

	/* To vfsd: a path longer than its words, words without a path, bad flags, no path. */
	memcpy(data, "fs:///tmp", 9);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_STATP, 5, 0, 0), 0, 9, 0, NULL), KOSH_VFS_EPROTO);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_STATP, 8, 0, 0), 0, 9, 0, NULL), KOSH_VFS_EPROTO);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_OPEN, 6, 0, 0), 0x80, 9, 0, NULL),
	       KOSH_VFS_EINVAL);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_OPEN, 6, 0, 0), 0, 9, 0, NULL), KOSH_VFS_EINVAL);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_MKDIR, 4, 0, 0), 0, 0, 0, NULL), KOSH_VFS_ENOENT);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_MKDIR, 6, 0, 0), 0, 1ull << 40, 0, NULL),
	       KOSH_VFS_ENAMETOOLONG);
	memcpy(data, "fs:///a\xff", 8);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_MKDIR, 5, 0, 0), 0, 8, 0, NULL), KOSH_VFS_EINVAL);
	memcpy(data, "fs:///a\n", 8);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_MKDIR, 5, 0, 0), 0, 8, 0, NULL), KOSH_VFS_EINVAL);
	VCHECK(raw(client, kosh_msg_tag(99, 0, 0, 0), 0, 0, 0, NULL), KOSH_VFS_ENOSYS);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_READ, 1, 0, 0), 10, 0, 0, NULL), KOSH_VFS_EBADF);
	/* A capability where none is allowed: refused, and closed by vfsd. */
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	ipc->caps[0] = n;
	memcpy(data, "fs:///tmp", 9);
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_STATP, 6, 1, 0), 0, 9, 0, NULL), KOSH_VFS_EPROTO);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
	/* REGISTER with no capability. */
	memcpy(data, "zz", 2);
	VCHECK(raw(admin, kosh_msg_tag(KOSH_VFS_REGISTER, 5, 0, 0), 0, 2, 0, NULL),
	       KOSH_VFS_EPROTO);
	still_alive();

	/* To a file of ramfs: the same checks, and its badge. */
	VCHECK(kosh_file_open(client, "fs:///tmp/bad",
			      KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &f, NULL,
			      NULL),
	       0);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_WRITE, 4, 0, 0), 100, 0, 0, NULL), KOSH_VFS_EPROTO);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_WRITE, 512, 0, 0), KOSH_VFS_IO_MAX + 8, 0, 0, NULL),
	       KOSH_VFS_EPROTO);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_SEEK, 2, 0, 0), 0, 7, 0, NULL), KOSH_VFS_EINVAL);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_READ, 9, 0, 0), 10, 0, 0, NULL), KOSH_VFS_EPROTO);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_TTY_GET, 0, 0, 0), 0, 0, 0, NULL), KOSH_VFS_ENOTTY);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_READDIR, 1, 0, 0), 0, 0, 0, NULL), KOSH_VFS_ENOTDIR);
	memcpy(data, "/x", 2);
	VCHECK(raw(f, kosh_msg_tag(KOSH_VFS_MKDIR, 5, 0, 0), 0, 2, 0, NULL), KOSH_VFS_EBADF);
	/* After CLOSE the badge is stale: EBADF, not another file. */
	stale = (kosh_handle_t)CHECK_OK(kosh_handle_dup(f, SEND_RIGHTS, 0));
	VCHECK(kosh_file_close(f), 0);
	VCHECK(kosh_file_open(client, "fs:///tmp/bad", KOSH_VFS_O_READ, &f, NULL, NULL), 0);
	VCHECK(raw(stale, kosh_msg_tag(KOSH_VFS_READ, 1, 0, 0), 10, 0, 0, NULL), KOSH_VFS_EBADF);
	VCHECK(raw(stale, kosh_msg_tag(KOSH_VFS_CLOSE, 0, 0, 0), 0, 0, 0, NULL), KOSH_VFS_EBADF);
	read_expect(f, "");
	CHECK_EQ(kosh_handle_close(stale), KOSH_OK);
	VCHECK(kosh_file_close(f), 0);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/bad", 0), 0);
	still_alive();
}

int main(int argc, char **argv)
{
	setup();
	test_files();
	test_table();
	test_full();
	test_pipes();
	test_bad_messages();
	test_storm();
	test_bad_servers();
	test_restart();
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(kosh_process_kill(children[i].process, 0), KOSH_OK);
		test_wait(&children[i], 5 * TEST_SECOND);
	}
	return 0;
}
