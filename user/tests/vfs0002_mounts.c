/* SPDX-License-Identifier: MIT */
/*
 * VFS0002: mounts in the namespace (docs/vfs.md, "Mounts"). Like VFS0001 the
 * test is the root of a little system of its own: it starts sbin/vfsd and two
 * sbin/ramfs (A, 512 KiB, registered as fs://; B, 256 KiB) on endpoints it
 * makes, and then mounts B at fs:///mnt and checks where files land (by each
 * ramfs's own root endpoint and by STATFS, whose numbers tell the two apart
 * and follow a write); fs:///mntx stays on A; RENAME between the two is
 * EXDEV; MOUNTS lists exactly the points, oldest first; a mount over fs:///
 * hides A until UNMOUNT; mounts stacked at one point come off newest first;
 * a REGISTER again leaves later mounts alone; MOUNT and UNMOUNT from the
 * client badge are EPERM, malformed ones are refused with their specific
 * error; the 33rd entry is ENFILE. STATFS and UNMOUNT at a server's root go
 * through the fileserver library: a server of our own on a thread answers
 * STATFS with unterminated strings (sent terminated) and stops after its
 * UNMOUNT, with a quota for saved replies and without; a raw server whose STATFS reply has the
 * wrong size is EIO at vfsd and EPROTO at a direct client. Last, B is killed: its mount is EIO, A
 * goes on.
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
#define A_PAGES	    128u /* --limit 512K */
#define B_PAGES	    64u	 /* --limit 256K */

static kosh_handle_t admin, client;  /* badged handles to vfsd */
static kosh_handle_t a_send, b_send; /* the two ramfs's root endpoints (badge 0) */
static struct kosh_child children[3];
static uint8_t buf[3 * 4096];

/* A raw request on h: its reply's label (0 or the error). */
static uint32_t raw(kosh_handle_t h, uint64_t tag, uint64_t w0, uint64_t w1)
{
	struct kosh_msg m = {tag, {w0, w1, 0, 0}}, r;
	CHECK_EQ(kosh_call(h, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	return KOSH_MSG_LABEL(r.tag);
}

/* STATFS of uri through ns: its free blocks, after checking what a ramfs of pages says. */
static uint64_t ramfs_free(kosh_handle_t ns, const char *uri, uint64_t pages)
{
	struct kosh_vfs_statfs st;
	memset(&st, 0x55, sizeof(st));
	VCHECK(kosh_file_statfs(ns, uri, &st), 0);
	CHECK_EQ(st.block_size, 4096);
	CHECK_EQ(st.blocks, pages);
	CHECK(st.blocks_free <= st.blocks);
	CHECK_EQ(st.flags, 0);
	CHECK_EQ(st.name_max, 255);
	CHECK(strcmp(st.type, "ramfs") == 0);
	CHECK_EQ(st.source[0], '\0');
	return st.blocks_free;
}

static void make_file(const char *uri, const void *data, uint32_t len)
{
	kosh_handle_t f;
	uint32_t done;
	VCHECK(kosh_file_open(client, uri,
			      KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE |
				  KOSH_VFS_O_TRUNC,
			      &f, NULL, NULL),
	       0);
	for (uint32_t off = 0; off < len; off += done) {
		uint32_t n = len - off < KOSH_VFS_IO_MAX ? len - off : KOSH_VFS_IO_MAX;
		VCHECK(kosh_file_write(f, (const uint8_t *)data + off, n, &done), 0);
		CHECK(done > 0);
	}
	VCHECK(kosh_file_close(f), 0);
}

/* Whether path exists at a ramfs's root endpoint (0) or not (ENOENT). */
static uint32_t exists_at(kosh_handle_t root, const char *path)
{
	struct kosh_vfs_stat st;
	return kosh_file_statp(root, path, &st);
}

/*
 * MOUNTS must be exactly want[0 .. n), oldest first, covered mounts left out
 * (hidden of them: the index skips that many entries in all).
 */
static void mounts_are_hiding(const char *const *want, uint32_t n, uint32_t hidden)
{
	char uri[KOSH_VFS_PATH_MAX + 1];
	uint64_t next = 0, skipped = 0;
	int last = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t index = next;
		VCHECK(kosh_file_mounts(client, index, uri, sizeof(uri), &next, &last), 0);
		if (strcmp(uri, want[i]) != 0)
			check_fail(__FILE_NAME__, __LINE__, "mount %u is %s, expected %s", i, uri,
				   want[i]);
		CHECK(next > index);
		skipped += next - index - 1;
		CHECK_EQ(last, i + 1 == n);
	}
	CHECK_EQ(skipped, hidden);
	VCHECK(kosh_file_mounts(client, next, uri, sizeof(uri), &next, &last), KOSH_VFS_ENOENT);
}

static void mounts_are(const char *const *want, uint32_t n)
{
	mounts_are_hiding(want, n, 0);
}

/* ---- setup ---- */

static void setup(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t vfs = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t a = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t b = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	static const char *const a_args[] = {"--scheme", "fs", "--limit", "512K"};
	static const char *const b_args[] = {"--scheme", "fs", "--limit", "256K"};
	static const char *const vfsd_args[] = {"--timeout", "1000"};

	test_start_server("vfsd", "vfs", vfs, KOSH_RIGHT_READ, 1ull << 20, vfsd_args, 2,
			  &children[0]);
	test_start_server("ramfs", "fs", a, EP_RIGHTS, 2ull << 20, a_args, 4, &children[1]);
	test_start_server("ramfs", "fs", b, EP_RIGHTS, 2ull << 20, b_args, 4, &children[2]);
	admin = (kosh_handle_t)CHECK_OK(kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_ADMIN));
	client = (kosh_handle_t)CHECK_OK(kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_CLIENT));
	a_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(a, SEND_RIGHTS, 0));
	b_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(b, SEND_RIGHTS, 0));
	/* Only the servers receive: B's endpoint dies with B at the end. */
	CHECK_EQ(kosh_handle_close(vfs), KOSH_OK);
	CHECK_EQ(kosh_handle_close(a), KOSH_OK);
	CHECK_EQ(kosh_handle_close(b), KOSH_OK);
	VCHECK(kosh_file_register(admin, "fs", a_send), 0);
	/* The start of ramfs races with us: wait until both answer. */
	VCHECK(exists_at(a_send, "/tmp"), 0);
	VCHECK(exists_at(b_send, "/tmp"), 0);
}

/* ---- STATFS of ramfs ---- */

static void test_statfs(void)
{
	uint64_t before, after, freed;

	before = ramfs_free(client, "fs:///", A_PAGES);
	CHECK_EQ(ramfs_free(a_send, "/", A_PAGES), before);
	CHECK_EQ(ramfs_free(b_send, "/", B_PAGES), ramfs_free(b_send, "/tmp", B_PAGES));
	CHECK(before < A_PAGES); /* the root and its three directories */
	/* Three pages of data, and the index pages over them. */
	memset(buf, 'z', sizeof(buf));
	make_file("fs:///tmp/big", buf, sizeof(buf));
	after = ramfs_free(client, "fs:///tmp/big", A_PAGES);
	CHECK(before - after >= 3);
	CHECK(before - after <= 8);
	VCHECK(kosh_file_unlink(client, "fs:///tmp/big", 0), 0);
	freed = ramfs_free(client, "fs:///tmp", A_PAGES);
	CHECK(freed >= after + 3);
	VCHECK(kosh_file_statfs(client, "nope:///", &(struct kosh_vfs_statfs){0}), KOSH_VFS_ENOENT);
	/* ramfs has no UNMOUNT; a path other than the root is EINVAL whoever serves it. */
	VCHECK(kosh_file_unmount(a_send, "/"), KOSH_VFS_ENOSYS);
	VCHECK(kosh_file_unmount(a_send, "/tmp"), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_unmount(a_send, "fs:///"), KOSH_VFS_EINVAL);
	/* MOUNT and MOUNTS are the namespace's. */
	VCHECK(kosh_file_mount(a_send, "fs:///x", b_send), KOSH_VFS_ENOSYS);
	VCHECK(kosh_file_mounts(a_send, 0, (char[64]){0}, 64, NULL, NULL), KOSH_VFS_ENOSYS);
	VCHECK(exists_at(a_send, "/tmp"), 0);
}

/* ---- one mount ---- */

static void test_mount(void)
{
	const char *one[] = {"fs:///"}, *two[] = {"fs:///", "fs:///mnt"};
	uint64_t a_free, b_free;

	mounts_are(one, 1);
	VCHECK(kosh_file_mount(admin, "fs:///mnt", b_send), 0);
	mounts_are(two, 2);
	/* The mount point is B's root: A has no /mnt at all. */
	VCHECK(exists_at(a_send, "/mnt"), KOSH_VFS_ENOENT);
	struct kosh_vfs_stat st;
	VCHECK(kosh_file_statp(client, "fs:///mnt", &st), 0);
	CHECK_EQ(st.type, KOSH_VFS_DIR);
	VCHECK(kosh_file_statp(client, "fs:///mnt/tmp", &st), 0);

	/* Files under it land in B, and only there. */
	a_free = ramfs_free(a_send, "/", A_PAGES);
	b_free = ramfs_free(b_send, "/", B_PAGES);
	make_file("fs:///mnt/a", buf, sizeof(buf));
	VCHECK(exists_at(b_send, "/a"), 0);
	VCHECK(exists_at(a_send, "/a"), KOSH_VFS_ENOENT);
	VCHECK(exists_at(a_send, "/mnt/a"), KOSH_VFS_ENOENT);
	CHECK(ramfs_free(client, "fs:///mnt/a", B_PAGES) <= b_free - 3);
	CHECK_EQ(ramfs_free(client, "fs:///tmp", A_PAGES), a_free);
	/* Names are normalised before they are routed. */
	VCHECK(kosh_file_statp(client, "fs:///tmp/../mnt/./a", &st), 0);
	CHECK_EQ(st.size, sizeof(buf));
	VCHECK(kosh_file_statp(client, "/mnt//a", &st), 0);
	VCHECK(kosh_file_statp(client, "fs:///mnt/a/..", &st), 0);
	CHECK_EQ(st.type, KOSH_VFS_DIR);

	/* Whole components only: fs:///mntx is A's. */
	VCHECK(kosh_file_mkdir(client, "fs:///mntx"), 0);
	VCHECK(exists_at(a_send, "/mntx"), 0);
	VCHECK(exists_at(b_send, "/mntx"), KOSH_VFS_ENOENT);
	CHECK_EQ(ramfs_free(client, "fs:///mntx", A_PAGES), ramfs_free(a_send, "/", A_PAGES));
	make_file("fs:///mn", "q", 1);
	VCHECK(exists_at(a_send, "/mn"), 0);

	/* RENAME within a mount works, between two is EXDEV (both ways, the points too). */
	VCHECK(kosh_file_rename(client, "fs:///mnt/a", "fs:///mnt/b"), 0);
	VCHECK(exists_at(b_send, "/b"), 0);
	VCHECK(kosh_file_rename(client, "fs:///mnt/b", "fs:///tmp/b"), KOSH_VFS_EXDEV);
	VCHECK(kosh_file_rename(client, "fs:///mn", "fs:///mnt/mn"), KOSH_VFS_EXDEV);
	VCHECK(kosh_file_rename(client, "fs:///mntx", "fs:///mnt/x"), KOSH_VFS_EXDEV);
	VCHECK(kosh_file_rename(client, "fs:///mnt/b", "fs:///mntx/b"), KOSH_VFS_EXDEV);
	VCHECK(exists_at(b_send, "/b"), 0);
	VCHECK(kosh_file_unlink(client, "fs:///mn", 0), 0);
	VCHECK(kosh_file_unlink(client, "fs:///mntx", KOSH_VFS_UNLINK_DIR), 0);
	/* The mount point itself is B's root: ramfs refuses to remove it. */
	VCHECK(kosh_file_unlink(client, "fs:///mnt", KOSH_VFS_UNLINK_DIR), KOSH_VFS_EBUSY);
}

/* ---- stacking, uncovering, registering again ---- */

static void test_stack(void)
{
	const char *two[] = {"fs:///", "fs:///mnt"};
	const char *over_root[] = {"fs:///mnt", "fs:///"}; /* the registration is hidden */
	const char *over_mnt[] = {"fs:///", "fs:///mnt"};  /* B's fs:///mnt is hidden */
	struct kosh_vfs_stat st;

	/* B over fs:///: A is hidden, fs:///mnt is still B (the longer prefix). */
	VCHECK(kosh_file_mount(admin, "fs:///", b_send), 0);
	mounts_are_hiding(over_root, 2, 1);
	ramfs_free(client, "fs:///home", B_PAGES);
	VCHECK(kosh_file_mkdir(client, "fs:///over"), 0);
	VCHECK(exists_at(b_send, "/over"), 0);
	VCHECK(exists_at(a_send, "/over"), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_statp(client, "fs:///mnt/b", &st), 0);
	/* UNMOUNT uncovers A. */
	VCHECK(kosh_file_unmount(admin, "fs:///"), 0);
	mounts_are(two, 2);
	ramfs_free(client, "fs:///home", A_PAGES);
	VCHECK(kosh_file_statp(client, "fs:///over", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_unlink(client, "fs:///mnt/over", KOSH_VFS_UNLINK_DIR), 0);
	/* The registration is not UNMOUNT's to take; a point without a mount is EINVAL. */
	VCHECK(kosh_file_unmount(admin, "fs:///"), KOSH_VFS_EBUSY);
	VCHECK(kosh_file_unmount(admin, "fs:///nothing"), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_unmount(admin, "fs:///mnt/tmp"), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_unmount(admin, "nope:///"), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_unmount(admin, "/mnt"), KOSH_VFS_EINVAL); /* a whole URI only */
	mounts_are(two, 2);

	/* Two at one point: the newest wins and goes first. A at fs:///mnt: its "/b" is not B's. */
	VCHECK(kosh_file_mount(admin, "fs:///mnt/", a_send), 0); /* normalised to fs:///mnt */
	mounts_are_hiding(over_mnt, 2, 1);
	VCHECK(kosh_file_statp(client, "fs:///mnt/b", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_statp(client, "fs:///mnt/mnt", &st), KOSH_VFS_ENOENT);
	ramfs_free(client, "fs:///mnt", A_PAGES);
	VCHECK(kosh_file_unmount(admin, "fs:///tmp/../mnt"), 0);
	mounts_are(two, 2);
	VCHECK(kosh_file_statp(client, "fs:///mnt/b", &st), 0);

	/* REGISTER again (B, then A back) replaces the bottom and keeps the mounts over it. */
	VCHECK(kosh_file_register(admin, "fs", b_send), 0);
	mounts_are(two, 2);
	ramfs_free(client, "fs:///home", B_PAGES);
	VCHECK(kosh_file_statp(client, "fs:///b", &st), 0); /* B's /b, through the registration */
	VCHECK(kosh_file_register(admin, "fs", a_send), 0);
	mounts_are(two, 2);
	ramfs_free(client, "fs:///home", A_PAGES);
	VCHECK(kosh_file_statp(client, "fs:///b", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_statp(client, "fs:///mnt/b", &st), 0);
	/* A mount over fs:/// then a REGISTER: the registration stays underneath. */
	VCHECK(kosh_file_mount(admin, "fs:///", b_send), 0);
	VCHECK(kosh_file_register(admin, "fs", a_send), 0);
	ramfs_free(client, "fs:///home", B_PAGES);
	VCHECK(kosh_file_unmount(admin, "fs:///"), 0);
	ramfs_free(client, "fs:///home", A_PAGES);
	mounts_are(two, 2);

	/* A scheme that is only a mount, with no registration. */
	VCHECK(kosh_file_mount(admin, "other:///deep/er", b_send), 0);
	VCHECK(kosh_file_statp(client, "other:///deep/er/b", &st), 0);
	VCHECK(kosh_file_statp(client, "other:///deep", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_statp(client, "other:///", &st), KOSH_VFS_ENOENT);
	const char *other[] = {"fs:///", "fs:///mnt", "other:///deep/er"};
	mounts_are(other, 3);
	VCHECK(kosh_file_unmount(admin, "other:///deep/er"), 0);
	mounts_are(two, 2);
}

/* ---- refused ---- */

static void test_refused(void)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	char *data = (char *)&ipc->words[KOSH_MSG_WORDS_REG];
	const char *two[] = {"fs:///", "fs:///mnt"};
	char small[16];

	/* Only the admin badge mounts and unmounts; anyone lists. */
	VCHECK(kosh_file_mount(client, "fs:///c", b_send), KOSH_VFS_EPERM);
	VCHECK(kosh_file_unmount(client, "fs:///mnt"), KOSH_VFS_EPERM);
	/* Not a whole URI. */
	VCHECK(kosh_file_mount(admin, "/c", b_send), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_mount(admin, "fs://c", b_send), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_mount(admin, "fs://", b_send), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_mount(admin, "FS:///c", b_send), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_mount(admin, "fs:///c\n", b_send), KOSH_VFS_EINVAL);
	VCHECK(kosh_file_mount(admin, "abcdefghijklmnop:///c", b_send), KOSH_VFS_ENAMETOOLONG);
	/* No capability; a capability that is not an endpoint; flags that do not exist. */
	memcpy(data, "fs:///c", 7);
	VCHECK(raw(admin, kosh_msg_tag(KOSH_VFS_MOUNT, 5, 0, 0), 0, 7), KOSH_VFS_EPROTO);
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	kosh_handle_t n_send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, KOSH_RIGHT_TRANSFER, 0));
	VCHECK(kosh_file_mount(admin, "fs:///c", n_send), KOSH_VFS_EINVAL);
	CHECK_EQ(kosh_handle_close(n_send), KOSH_OK);
	ipc->caps[0] = b_send;
	memcpy(data, "fs:///c", 7);
	VCHECK(raw(admin, kosh_msg_tag(KOSH_VFS_MOUNT, 5, 1, 0), 1, 7), KOSH_VFS_EINVAL);
	/* An endpoint handle without the write right cannot be sent on. */
	kosh_handle_t e = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t ro = (kosh_handle_t)CHECK_OK(kosh_handle_dup(e, KOSH_RIGHT_TRANSFER, 0));
	VCHECK(kosh_file_mount(admin, "fs:///c", ro), KOSH_VFS_EINVAL);
	CHECK_EQ(kosh_handle_close(ro), KOSH_OK);
	CHECK_EQ(kosh_handle_close(e), KOSH_OK);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
	/* UNMOUNT with a capability. */
	ipc->caps[0] = b_send;
	memcpy(data, "fs:///mnt", 9);
	VCHECK(raw(admin, kosh_msg_tag(KOSH_VFS_UNMOUNT, 6, 1, 0), 0, 9), KOSH_VFS_EPROTO);
	/* MOUNTS with bytes; a buffer too small for the URI. */
	VCHECK(raw(client, kosh_msg_tag(KOSH_VFS_MOUNTS, 5, 0, 0), 0, 0), KOSH_VFS_EPROTO);
	VCHECK(kosh_file_mounts(client, 1, small, 10, NULL, NULL), 0); /* "fs:///mnt" and NUL */
	CHECK(strcmp(small, "fs:///mnt") == 0);
	VCHECK(kosh_file_mounts(client, 1, small, 9, NULL, NULL), KOSH_VFS_ENAMETOOLONG);
	/* Nothing of it changed the table, and B still answers through it. */
	mounts_are(two, 2);
	VCHECK(exists_at(b_send, "/b"), 0);
}

/* ---- ENFILE ---- */

static void test_full(void)
{
	static const char *want[32];
	static char names[32][16];
	uint32_t i;

	want[0] = "fs:///";
	want[1] = "fs:///mnt";
	for (i = 2; i < 32; i++) {
		memcpy(names[i], "fs:///m/", 8);
		names[i][8] = (char)('a' + i / 10);
		names[i][9] = (char)('0' + i % 10);
		names[i][10] = '\0';
		want[i] = names[i];
		VCHECK(kosh_file_mount(admin, names[i], b_send), 0);
	}
	VCHECK(kosh_file_mount(admin, "fs:///m/full", b_send), KOSH_VFS_ENFILE);
	VCHECK(kosh_file_register(admin, "new", b_send), KOSH_VFS_ENFILE);
	/* A registration replaced is no new entry. */
	VCHECK(kosh_file_register(admin, "fs", a_send), 0);
	mounts_are(want, 32);
	struct kosh_vfs_stat st;
	VCHECK(kosh_file_statp(client, "fs:///m/d1/b", &st), 0);
	VCHECK(kosh_file_statp(client, "fs:///m/full", &st), KOSH_VFS_ENOENT);
	for (i = 2; i < 32; i++)
		VCHECK(kosh_file_unmount(admin, names[i]), 0);
	mounts_are(want, 2);
}

/* ---- the fileserver library's STATFS and UNMOUNT ---- */

static kosh_handle_t own_ep;
static volatile int own_result = 1, own_done, own_unmounts;

static uint32_t own_statfs(struct kosh_fsrv *s, const char *path, uint32_t len,
			   struct kosh_vfs_statfs *st)
{
	(void)s;
	if (len != 2 || memcmp(path, "/q", 2) != 0)
		return KOSH_VFS_ENOENT;
	st->block_size = 512;
	st->blocks = 1000;
	st->blocks_free = 7;
	st->flags = KOSH_VFS_STATFS_READ_ONLY;
	st->name_max = 255;
	memset(st->type, 'T', sizeof(st->type));     /* unterminated: the library cuts it */
	memset(st->source, 'S', sizeof(st->source)); /* so too */
	return 0;
}

/* The first UNMOUNT fails (serving goes on), the second succeeds (the loop ends). */
static uint32_t own_unmount(struct kosh_fsrv *s)
{
	(void)s;
	return ++own_unmounts == 1 ? KOSH_VFS_EBUSY : 0;
}

static const struct kosh_fsrv_ops own_ops = {.statfs = own_statfs, .unmount = own_unmount};

static void own_server(void *arg)
{
	struct kosh_fsrv *s = arg;
	own_result = (int)kosh_fsrv_run(s);
	own_done = 1;
}

/* A raw server whose STATFS replies are one word short, then one word long. */
static kosh_handle_t bad_ep;
static void bad_server(void *arg)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	struct kosh_msg m, r;
	(void)arg;
	memset(&ipc->words[KOSH_MSG_WORDS_REG], 'x', 13 * 8);
	CHECK_EQ(kosh_recv(bad_ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_VFS_STATFS);
	r = (struct kosh_msg){kosh_msg_tag(0, 4 + 11, 0, 0), {0}};
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(kosh_reply_recv(bad_ep, &r, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
		CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_VFS_STATFS);
		r = (struct kosh_msg){kosh_msg_tag(0, i % 2 ? 4 + 11 : 4 + 13, 0, 0), {0}};
	}
	kosh_reply_recv(bad_ep, &r, &m, NULL, 0); /* the last reply only */
}

static void test_library(void)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_vfs_statfs st;
	struct kosh_thread t;
	struct kosh_fsrv *s;

	own_ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	const struct kosh_fsrv_config cfg = {
	    .name = "own",
	    .endpoint = own_ep,
	    .quota = self->quota,
	    .ops = &own_ops,
	};
	CHECK_EQ(kosh_fsrv_init(&s, &cfg), KOSH_OK);
	kosh_handle_t send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(own_ep, SEND_RIGHTS, 0));
	CHECK_EQ(kosh_thread_spawn(&t, own_server, s, 0), KOSH_OK);
	/* Directly at its root, and mounted. */
	VCHECK(kosh_file_statfs(send, "/q", &st), 0);
	CHECK_EQ(st.block_size, 512);
	CHECK_EQ(st.blocks, 1000);
	CHECK_EQ(st.blocks_free, 7);
	CHECK_EQ(st.flags, KOSH_VFS_STATFS_READ_ONLY);
	CHECK_EQ(strlen(st.type), KOSH_VFS_FSTYPE_MAX - 1);
	CHECK_EQ(strlen(st.source), KOSH_VFS_SOURCE_MAX - 1);
	VCHECK(kosh_file_statfs(send, "/r", &st), KOSH_VFS_ENOENT);
	VCHECK(kosh_file_mount(admin, "fs:///own", send), 0);
	memset(&st, 0, sizeof(st));
	VCHECK(kosh_file_statfs(client, "fs:///own/q", &st), 0);
	CHECK_EQ(st.blocks, 1000);
	CHECK_EQ(strlen(st.type), KOSH_VFS_FSTYPE_MAX - 1);
	/* The operations it does not have. */
	VCHECK(kosh_file_statp(client, "fs:///own/q", &(struct kosh_vfs_stat){0}), KOSH_VFS_ENOSYS);
	VCHECK(kosh_file_mkdir(client, "fs:///own/d"), KOSH_VFS_ENOSYS);
	/* UNMOUNT: only "/" (normalised), an error keeps it serving, success stops it. */
	VCHECK(kosh_file_unmount(send, "/q"), KOSH_VFS_EINVAL);
	CHECK_EQ(own_unmounts, 0);
	VCHECK(kosh_file_unmount(send, "/"), KOSH_VFS_EBUSY);
	CHECK(!own_done);
	VCHECK(kosh_file_statfs(send, "/q", &st), 0);
	VCHECK(kosh_file_unmount(send, "/q/.."), 0);
	for (int i = 0; i < 300 && !own_done; i++)
		test_sleep_ms(10);
	CHECK(own_done);
	CHECK_EQ(own_result, KOSH_OK);
	CHECK_EQ(own_unmounts, 2);
	test_sleep_ms(5); /* let the thread end before its stack goes */
	kosh_thread_release(&t);
	/* Nobody serves the endpoint now: vfsd times out (1 s), the mount stays until UNMOUNT. */
	VCHECK(kosh_file_statfs(client, "fs:///own/q", &st), KOSH_VFS_EIO);
	VCHECK(kosh_file_unmount(admin, "fs:///own"), 0);
	CHECK_EQ(kosh_handle_close(send), KOSH_OK);
	CHECK_EQ(kosh_handle_close(own_ep), KOSH_OK);

	/* Without a quota the last reply goes another way (no saved reply): the same. */
	own_ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	const struct kosh_fsrv_config bare = {.endpoint = own_ep, .ops = &own_ops};
	CHECK_EQ(kosh_fsrv_init(&s, &bare), KOSH_OK);
	send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(own_ep, SEND_RIGHTS, 0));
	own_done = 0;
	own_result = 1;
	CHECK_EQ(kosh_thread_spawn(&t, own_server, s, 0), KOSH_OK);
	VCHECK(kosh_file_statfs(send, "/q", &st), 0);
	VCHECK(kosh_file_unmount(send, "/"), 0);
	for (int i = 0; i < 300 && !own_done; i++)
		test_sleep_ms(10);
	CHECK(own_done);
	CHECK_EQ(own_result, KOSH_OK);
	CHECK_EQ(own_unmounts, 3);
	test_sleep_ms(5);
	kosh_thread_release(&t);
	CHECK_EQ(kosh_handle_close(send), KOSH_OK);
	CHECK_EQ(kosh_handle_close(own_ep), KOSH_OK);

	/* STATFS replies of the wrong size: EIO through vfsd, EPROTO directly. */
	bad_ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	send = (kosh_handle_t)CHECK_OK(kosh_handle_dup(bad_ep, SEND_RIGHTS, 0));
	VCHECK(kosh_file_mount(admin, "fs:///bad", send), 0);
	CHECK_EQ(kosh_thread_spawn(&t, bad_server, NULL, 0), KOSH_OK);
	VCHECK(kosh_file_statfs(client, "fs:///bad", &st), KOSH_VFS_EIO);
	VCHECK(kosh_file_statfs(client, "fs:///bad/x", &st), KOSH_VFS_EIO);
	VCHECK(kosh_file_statfs(send, "/", &st), KOSH_VFS_EPROTO);
	VCHECK(kosh_file_statfs(send, "/", &st), KOSH_VFS_EPROTO);
	test_sleep_ms(5);
	kosh_thread_release(&t);
	VCHECK(kosh_file_unmount(admin, "fs:///bad"), 0);
	CHECK_EQ(kosh_handle_close(send), KOSH_OK);
	CHECK_EQ(kosh_handle_close(bad_ep), KOSH_OK);
}

/* ---- a mounted server gone ---- */

static void test_dead(void)
{
	const char *one[] = {"fs:///"};
	struct kosh_vfs_stat st;

	CHECK_EQ(kosh_process_kill(children[2].process, 0), KOSH_OK);
	test_wait(&children[2], 5 * TEST_SECOND);
	VCHECK(kosh_file_statp(client, "fs:///mnt/b", &st), KOSH_VFS_EIO);
	VCHECK(kosh_file_statfs(client, "fs:///mnt", &(struct kosh_vfs_statfs){0}), KOSH_VFS_EIO);
	/* A goes on; the dead mount goes with UNMOUNT, uncovering A's (missing) /mnt. */
	VCHECK(kosh_file_statp(client, "fs:///tmp", &st), 0);
	VCHECK(kosh_file_unmount(admin, "fs:///mnt"), 0);
	mounts_are(one, 1);
	VCHECK(kosh_file_statp(client, "fs:///mnt/b", &st), KOSH_VFS_ENOENT);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	setup();
	test_statfs();
	test_mount();
	test_stack();
	test_refused();
	test_full();
	test_library();
	test_dead();
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(kosh_process_kill(children[i].process, 0), KOSH_OK);
		test_wait(&children[i], 5 * TEST_SECOND);
	}
	return 0;
}
