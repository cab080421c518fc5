/* SPDX-License-Identifier: MIT */
/*
 * bin/fatprobe DEVICE [MIB]: fatfsd by hand, without devmgr or a mount. It
 * starts initfs:///sbin/fatfsd on an endpoint of its own with --device DEVICE
 * (e.g. dev:///vda, a disk made on the host by mkfs.fat), drives the file
 * protocol on it directly (files, two handles of one file, rename and unlink of
 * open files, readdir of a small and of a 150-entry directory, STATFS), writes and reads back a file of MIB MiB
 * (default 16) in 4064-byte pieces, timed by the monotonic clock, and unmounts.
 * It leaves /probe/hello.txt, /probe/sub/Renamed long name.txt and
 * /probe/big.bin for the host to check with mtools and fsck.fat. Each check
 * prints "ok" or "FAIL"; the last line is "fatprobe: N failures".
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define SEND_RIGHTS (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER)
#define EP_RIGHTS   (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define CHILD_QUOTA (4ull << 20)
#define IO	    KOSH_VFS_IO_MAX
#define MANY	    150u /* files in /probe/many */

static int failures;
static uint8_t buf[IO], back[IO];

#define EXPECT(expr, want)                                                                         \
	do {                                                                                       \
		uint32_t r_ = (expr), w_ = (want);                                                 \
		if (r_ != w_) {                                                                    \
			kosh_printf("FAIL line %d: %s = %u (%s), want %u", __LINE__, #expr, r_,    \
				    kosh_vfs_strerror(r_), w_);                                    \
			failures++;                                                                \
		}                                                                                  \
	} while (0)
#define TRUE(cond)                                                                                 \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			kosh_printf("FAIL line %d: %s", __LINE__, #cond);                          \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 7u) ^ (i >> 9) ^ (i >> 17));
}

static void fill(uint64_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		buf[i] = pattern(off + i);
}

static uint32_t write_all(kosh_handle_t f, const void *p, uint32_t n)
{
	uint32_t done = 0, err = kosh_file_write(f, p, n, &done);
	return err ? err : done == n ? 0 : KOSH_VFS_EIO;
}

static void basics(kosh_handle_t root)
{
	kosh_handle_t a, b, c, d;
	uint32_t type, got, used;
	uint64_t size, next;
	struct kosh_vfs_stat st;
	int end;

	uint32_t e = kosh_file_mkdir(root, "/probe");
	TRUE(e == 0 || e == KOSH_VFS_EEXIST);
	e = kosh_file_mkdir(root, "/probe/sub");
	TRUE(e == 0 || e == KOSH_VFS_EEXIST);
	EXPECT(kosh_file_open(root, "/probe/hello.txt",
			      KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE |
				  KOSH_VFS_O_TRUNC,
			      &a, &type, &size),
	       0);
	EXPECT(write_all(a, "hello, FAT\n", 11), 0);
	EXPECT(kosh_file_close(a), 0);
	EXPECT(kosh_file_statp(root, "/probe/HELLO.TXT", &st), 0);
	TRUE(st.size == 11 && st.type == KOSH_VFS_FILE);
	EXPECT(kosh_file_open(root, "/probe/hello.txt",
			      KOSH_VFS_O_READ | KOSH_VFS_O_CREATE | KOSH_VFS_O_EXCL, &a, &type,
			      &size),
	       KOSH_VFS_EEXIST);

	/* Two handles of one file see each other's bytes, size and truncation. */
	EXPECT(kosh_file_open(root, "/probe/two handles.dat",
			      KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE |
				  KOSH_VFS_O_TRUNC,
			      &a, &type, &size),
	       0);
	EXPECT(kosh_file_open(root, "/probe/TWO HANDLES.DAT", KOSH_VFS_O_READ, &b, &type, &size),
	       0);
	for (uint64_t off = 0; off < 10000; off += IO) {
		uint32_t n = 10000 - off < IO ? (uint32_t)(10000 - off) : IO;
		fill(off, n);
		EXPECT(write_all(a, buf, n), 0);
	}
	EXPECT(kosh_file_stat(b, &st), 0);
	TRUE(st.size == 10000);
	EXPECT(kosh_file_read(b, back, 100, &got), 0);
	fill(0, 100);
	TRUE(got == 100 && memcmp(back, buf, 100) == 0);
	EXPECT(kosh_file_truncate(a, 3), 0);
	EXPECT(kosh_file_read(b, back, 100, &got), 0);
	TRUE(got == 0);
	EXPECT(kosh_file_stat(b, &st), 0);
	TRUE(st.size == 3);
	/* b goes on at 100 after the truncation: a write there leaves a hole of zeros. */
	EXPECT(kosh_file_dup(b, &c), 0);
	EXPECT(kosh_file_close(b), 0);

	/* A file renamed while open: its handles follow it. */
	EXPECT(kosh_file_rename(root, "/probe/two handles.dat", "/probe/sub/Renamed long name.txt"),
	       0);
	EXPECT(kosh_file_seek(a, 0, KOSH_VFS_SEEK_END, &next), 0);
	TRUE(next == 3);
	EXPECT(write_all(a, "after rename\n", 13), 0);
	EXPECT(kosh_file_stat(c, &st), 0);
	TRUE(st.size == 16);
	EXPECT(kosh_file_statp(root, "/probe/two handles.dat", &st), KOSH_VFS_ENOENT);
	EXPECT(kosh_file_open(root, "/probe/sub/renamed long name.txt", KOSH_VFS_O_READ, &d, &type,
			      &size),
	       0);
	EXPECT(kosh_file_read(d, back, 100, &got), 0);
	fill(0, 3);
	TRUE(got == 16 && memcmp(back, buf, 3) == 0 && memcmp(back + 3, "after rename\n", 13) == 0);
	EXPECT(kosh_file_close(d), 0);
	EXPECT(kosh_file_close(a), 0);
	EXPECT(kosh_file_close(c), 0);

	/* A directory renamed over the path of an open file's parent. */
	EXPECT(kosh_file_open(root, "/probe/sub/Renamed long name.txt", KOSH_VFS_O_READ, &a, &type,
			      &size),
	       0);
	EXPECT(kosh_file_rename(root, "/probe/sub", "/probe/moved"), 0);
	EXPECT(kosh_file_rename(root, "/probe/moved", "/probe/sub"), 0);
	EXPECT(kosh_file_read(a, back, 100, &got), 0);
	TRUE(got == 16);
	EXPECT(kosh_file_close(a), 0);

	/* A file unlinked while open: its clusters are gone, its handles say ENOENT. */
	EXPECT(kosh_file_open(root, "/probe/gone.txt",
			      KOSH_VFS_O_READ | KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &a, &type,
			      &size),
	       0);
	EXPECT(write_all(a, "soon gone", 9), 0);
	EXPECT(kosh_file_unlink(root, "/probe/gone.txt", 0), 0);
	EXPECT(kosh_file_write(a, "x", 1, &got), KOSH_VFS_ENOENT);
	EXPECT(kosh_file_close(a), 0);
	EXPECT(kosh_file_unlink(root, "/probe/sub", 0), KOSH_VFS_EISDIR);
	EXPECT(kosh_file_unlink(root, "/probe/sub", KOSH_VFS_UNLINK_DIR), KOSH_VFS_ENOTEMPTY);
	EXPECT(kosh_file_mkdir(root, "/probe/empty"), 0);
	EXPECT(kosh_file_unlink(root, "/probe/empty", KOSH_VFS_UNLINK_DIR), 0);

	/* The listing. */
	static uint64_t dir[IO / 8];
	int saw_hello = 0, saw_sub = 0, n = 0;
	EXPECT(kosh_file_open(root, "/probe", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY, &a, &type,
			      &size),
	       0);
	next = 0;
	do {
		used = 0;
		EXPECT(kosh_file_readdir(a, next, dir, sizeof(dir), &used, &next, &end), 0);
		uint32_t pos = 0;
		const struct kosh_vfs_dirent *de;
		while ((de = kosh_vfs_dirent_next(dir, used, &pos)) != NULL) {
			n++;
			saw_hello |= de->namelen == 9 && memcmp(de->name, "hello.txt", 9) == 0;
			saw_sub |= de->namelen == 3 && memcmp(de->name, "sub", 3) == 0 &&
				   de->type == KOSH_VFS_DIR;
		}
		if (used == 0)
			break;
	} while (!end);
	TRUE(saw_hello && saw_sub);
	kosh_printf("fatprobe: /probe lists %d entries", n);
	EXPECT(kosh_file_close(a), 0);

	/* A directory that takes several READDIRs, every name once. */
	static uint8_t seen[MANY];
	char name[64];
	e = kosh_file_mkdir(root, "/probe/many");
	TRUE(e == 0 || e == KOSH_VFS_EEXIST);
	for (uint32_t i = 0; i < MANY; i++) {
		kosh_snprintf(name, sizeof(name), "/probe/many/a rather long file name %03u.txt",
			      i);
		EXPECT(kosh_file_open(root, name, KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &a, &type,
				      &size),
		       0);
		EXPECT(kosh_file_close(a), 0);
	}
	EXPECT(kosh_file_open(root, "/probe/many", KOSH_VFS_O_READ, &a, &type, &size), 0);
	int calls = 0;
	n = 0;
	next = 0;
	do {
		used = 0;
		EXPECT(kosh_file_readdir(a, next, dir, sizeof(dir), &used, &next, &end), 0);
		calls++;
		uint32_t pos = 0, k;
		const struct kosh_vfs_dirent *de;
		while ((de = kosh_vfs_dirent_next(dir, used, &pos)) != NULL) {
			n++;
			if (de->namelen == 31 &&
			    memcmp(de->name, "a rather long file name ", 24) == 0) {
				k = (uint32_t)(de->name[24] - '0') * 100 +
				    (uint32_t)(de->name[25] - '0') * 10 +
				    (uint32_t)(de->name[26] - '0');
				if (k < MANY)
					seen[k]++;
			}
		}
		if (used == 0)
			break;
	} while (!end);
	int once = 1;
	for (uint32_t i = 0; i < MANY; i++)
		once &= seen[i] == 1;
	TRUE(n == MANY && once && calls > 1);
	kosh_printf("fatprobe: /probe/many lists %d entries in %d READDIRs", n, calls);
	EXPECT(kosh_file_close(a), 0);
}

/* MiB written and read back in IO pieces: the throughput, in guest time. */
static void big(kosh_handle_t root, uint64_t mib)
{
	uint64_t total = mib << 20, size, t0, t1;
	kosh_handle_t f;
	uint32_t type, got;

	EXPECT(kosh_file_open(root, "/probe/big.bin",
			      KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC, &f, &type,
			      &size),
	       0);
	uint64_t in_write = 0; /* the writes and the SYNC, without making the bytes */
	for (uint64_t off = 0; off < total; off += IO) {
		uint32_t n = total - off < IO ? (uint32_t)(total - off) : IO;
		fill(off, n);
		t0 = (uint64_t)kosh_clock_get();
		uint32_t e = write_all(f, buf, n);
		in_write += (uint64_t)kosh_clock_get() - t0;
		if (e) {
			EXPECT(e, 0);
			break;
		}
	}
	t0 = (uint64_t)kosh_clock_get();
	EXPECT(kosh_file_sync(f), 0);
	t1 = (uint64_t)kosh_clock_get();
	in_write += t1 - t0;
	EXPECT(kosh_file_close(f), 0);
	kosh_printf("fatprobe: wrote %llu MiB in %llu ms (the SYNC %llu ms): %llu KiB/s",
		    (unsigned long long)mib, (unsigned long long)(in_write / 1000000),
		    (unsigned long long)((t1 - t0) / 1000000),
		    (unsigned long long)((total >> 10) * 1000000 / (in_write / 1000 + 1)));

	EXPECT(kosh_file_open(root, "/probe/big.bin", KOSH_VFS_O_READ, &f, &type, &size), 0);
	TRUE(size == total);
	t0 = (uint64_t)kosh_clock_get();
	uint64_t off = 0;
	int bad = 0;
	uint64_t in_read = 0; /* the reads alone, without the checking */
	for (;;) {
		uint64_t r0 = (uint64_t)kosh_clock_get();
		uint32_t e = kosh_file_read(f, back, IO, &got);
		in_read += (uint64_t)kosh_clock_get() - r0;
		if (e || got == 0) {
			EXPECT(e, 0);
			break;
		}
		for (uint32_t i = 0; i < got && !bad; i++)
			if (back[i] != pattern(off + i)) {
				kosh_printf("FAIL: big.bin byte %llu",
					    (unsigned long long)(off + i));
				bad = 1;
				failures++;
			}
		off += got;
	}
	t1 = (uint64_t)kosh_clock_get();
	TRUE(off == total);
	EXPECT(kosh_file_close(f), 0);
	kosh_printf("fatprobe: read %llu MiB in %llu ms (%llu ms checking it): %llu KiB/s",
		    (unsigned long long)mib, (unsigned long long)(in_read / 1000000),
		    (unsigned long long)((t1 - t0 - in_read) / 1000000),
		    (unsigned long long)((off >> 10) * 1000000 / (in_read / 1000 + 1)));
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_child child;
	struct kosh_vfs_statfs sf;
	uint64_t mib = 16, status = 0;

	if (argc < 2 || argc > 3) {
		kosh_printf("usage: fatprobe DEVICE [MIB | ro]");
		return 2;
	}
	int ro = argc == 3 && strcmp(argv[2], "ro") == 0;
	if (argc == 3 && !ro) {
		mib = 0;
		for (const char *p = argv[2]; *p >= '0' && *p <= '9'; p++)
			mib = mib * 10 + (uint64_t)(*p - '0');
	}
	int64_t ep = kosh_endpoint_create(self->quota);
	/* A quota of its own when ours may be split, else ours (the shell's child's is not). */
	int64_t q = kosh_quota_create(self->quota, CHILD_QUOTA);
	int own = q >= 0;
	if (!own)
		q = (int64_t)self->quota;
	if (ep < 0 || q < 0) {
		kosh_printf("fatprobe: no endpoint (%lld) or quota (%lld)", (long long)ep,
			    (long long)q);
		return 1;
	}
	int64_t serve = kosh_handle_dup((kosh_handle_t)ep, EP_RIGHTS, 0);
	int64_t root = kosh_handle_dup((kosh_handle_t)ep, SEND_RIGHTS, 0);
	if (serve < 0 || root < 0)
		return 1;
	const char *args[] = {
	    "initfs:///sbin/fatfsd", "--device", argv[1], "--source", argv[1], "--read-only"};
	struct kosh_spawn_handle give[] = {
	    {"klog", self->log, 0, 0},
	    {"quota", (kosh_handle_t)q, own ? KOSH_GIVE_MOVE : 0, own ? CHILD_QUOTA : 0},
	    {"serve", (kosh_handle_t)serve, KOSH_GIVE_MOVE, 0},
	    {"vfs", kosh_vfs(), 0, 0},
	};
	struct kosh_spawn s = {
	    .name = "fatfsd",
	    .argv = args,
	    .argc = ro ? 6 : 5,
	    .handles = give,
	    .handle_count = 4,
	    .quota = (kosh_handle_t)q,
	};
	kosh_err_t err = kosh_spawn_file(kosh_vfs(), "initfs:///sbin/fatfsd", &s, &child);
	if (err != KOSH_OK) {
		kosh_printf("fatprobe: cannot start fatfsd: %s", kosh_strerror(err));
		return 1;
	}
	uint32_t e = kosh_file_statfs((kosh_handle_t)root, "/", &sf);
	if (e) {
		/* Not a FAT volume, or a damaged one: every request says so, UNMOUNT ends it. */
		kosh_handle_t f;
		kosh_printf("fatprobe: STATFS: %s", kosh_vfs_strerror(e));
		EXPECT(kosh_file_open((kosh_handle_t)root, "/", KOSH_VFS_O_READ, &f, NULL, NULL),
		       e);
		EXPECT(kosh_file_unmount((kosh_handle_t)root, "/"), 0);
		err = kosh_wait(child.process, 10000000000ll, &status);
		TRUE(err == KOSH_OK && status == 0);
		kosh_printf("fatprobe: %d failures", failures);
		return 3;
	}
	kosh_printf("fatprobe: %s on %s: %llu clusters of %llu bytes, %llu free, flags %x", sf.type,
		    sf.source, (unsigned long long)sf.blocks, (unsigned long long)sf.block_size,
		    (unsigned long long)sf.blocks_free, sf.flags);
	if (ro) {
		kosh_handle_t f;
		uint32_t type, got;
		uint64_t size;
		TRUE(sf.flags & KOSH_VFS_STATFS_READ_ONLY);
		EXPECT(kosh_file_open((kosh_handle_t)root, "/probe/new",
				      KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &f, &type, &size),
		       KOSH_VFS_EROFS);
		EXPECT(kosh_file_mkdir((kosh_handle_t)root, "/probe2"), KOSH_VFS_EROFS);
		EXPECT(kosh_file_unlink((kosh_handle_t)root, "/probe/hello.txt", 0),
		       KOSH_VFS_EROFS);
		EXPECT(kosh_file_rename((kosh_handle_t)root, "/probe/hello.txt", "/x"),
		       KOSH_VFS_EROFS);
		EXPECT(kosh_file_open((kosh_handle_t)root, "/probe/hello.txt", KOSH_VFS_O_READ, &f,
				      &type, &size),
		       0);
		EXPECT(kosh_file_read(f, back, IO, &got), 0);
		TRUE(got == 11 && memcmp(back, "hello, FAT\n", 11) == 0);
		EXPECT(kosh_file_truncate(f, 0), KOSH_VFS_EBADF);
		EXPECT(kosh_file_close(f), 0);
	} else if (sf.flags & KOSH_VFS_STATFS_READ_ONLY) {
		kosh_printf("fatprobe: the volume is read-only%s: nothing written",
			    (sf.flags & KOSH_VFS_STATFS_DAMAGED) ? " (damaged)" : "");
	} else if (!failures) {
		basics((kosh_handle_t)root);
		if (mib)
			big((kosh_handle_t)root, mib);
		EXPECT(kosh_file_statfs((kosh_handle_t)root, "/", &sf), 0);
		kosh_printf("fatprobe: %llu clusters free", (unsigned long long)sf.blocks_free);
	}
	EXPECT(kosh_file_unmount((kosh_handle_t)root, "/"), 0);
	err = kosh_wait(child.process, 10000000000ll, &status);
	TRUE(err == KOSH_OK && status == 0);
	kosh_printf("fatprobe: %d failures", failures);
	return failures ? 1 : 0;
}
