/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the FAT library (user/servers/fatfsd/fat*.c). Images are made
 * at run time by mkfs.fat (FAT12, FAT16, FAT32) and filled by mcopy / mmd; the
 * library reads them back byte for byte; what it writes is read back by mtype
 * and checked by fsck.fat -n. A random sequence of operations is checked
 * against an in-memory model; a power cut after every write k of a workload
 * must leave an image fsck.fat accepts up to lost clusters, the dirty bit and
 * the free-count hint, with the synced file intact. Corrupt images (BPB fields,
 * loops, chains through free clusters, dot entries, long-name checksums and
 * sequences, bad bytes) give errors, never crashes. The tools are found on
 * PATH; without them the tests that need them are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../user/servers/fatfsd/fat.h"
#include "../../user/servers/fatfsd/fat_int.h"
#include "../../user/servers/fatfsd/fat_int.h"

/* ---- the device: an image in memory; writes stop after a cut ---- */

struct mem {
	uint8_t *data;
	long reads;
	uint64_t sectors;
	uint32_t ss;
	long writes;
	long cut;     /* -1: none; else writes from this one on fail */
	long fail_at; /* this one write fails (-1: none) */
	long flushes;
};

static int mem_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct mem *m = ctx;

	assert_true(count >= 1 && lba < m->sectors && count <= m->sectors - lba);
	m->reads++;
	memcpy(buf, m->data + lba * m->ss, (size_t)count * m->ss);
	return 0;
}

static int mem_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	struct mem *m = ctx;

	assert_true(count >= 1 && lba < m->sectors && count <= m->sectors - lba);
	for (uint32_t i = 0; i < count; i++) {
		/* One sector at a time, as a disk may tear a larger write. */
		if (m->cut >= 0 && m->writes >= m->cut)
			return KOSH_VFS_EIO;
		if (m->writes == m->fail_at) {
			m->fail_at = -1;
			return KOSH_VFS_EIO;
		}
		m->writes++;
		memcpy(m->data + (lba + i) * m->ss, (const uint8_t *)buf + (size_t)i * m->ss,
		       m->ss);
	}
	return 0;
}

static int mem_flush(void *ctx)
{
	struct mem *m = ctx;

	m->flushes++;
	return m->cut >= 0 && m->writes >= m->cut ? KOSH_VFS_EIO : 0;
}

#define NOW_NS 1715000000123456789ull /* 2024-05-06 12:53:20 UTC */

static uint64_t mem_now(void *ctx)
{
	(void)ctx;
	return NOW_NS;
}

static struct fat_dev mem_dev(struct mem *m)
{
	struct fat_dev d = {m, m->ss, m->sectors, mem_read, mem_write, mem_flush, mem_now};

	return d;
}

/* ---- files and tools ---- */

static char dir_path[256];
static char out_buf[65536];

static int have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static int tools(void)
{
	return have("mkfs.fat") && have("mcopy") && have("mtype") && have("mmd") &&
	       have("fsck.fat");
}

/* Run a shell command in the test's folder; output into out_buf; the exit status. */
static int run(const char *fmt, ...)
{
	char cmd[4096], full[4400];
	va_list ap;
	FILE *f;
	int st;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && (%s) >out.txt 2>&1", dir_path, cmd);
	st = system(full);
	snprintf(full, sizeof(full), "%s/out.txt", dir_path);
	f = fopen(full, "rb");
	n = f ? fread(out_buf, 1, sizeof(out_buf) - 1, f) : 0;
	out_buf[n] = 0;
	if (f)
		fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static uint8_t *load(const char *name, size_t *size)
{
	char p[512];
	FILE *f;
	uint8_t *b;
	long n;

	snprintf(p, sizeof(p), "%s/%s", dir_path, name);
	f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return b;
}

static void save(const char *name, const uint8_t *b, size_t size)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir_path, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, size, f), size);
	fclose(f);
}

/* Make an image: FAT bits, KiB, sectors per cluster; loaded into m. */
static void make_image(struct mem *m, int bits, unsigned kib, unsigned spc)
{
	size_t size;

	assert_int_equal(run("rm -f img && mkfs.fat -C -F %d -s %u -S 512 img %u", bits, spc, kib),
			 0);
	m->data = load("img", &size);
	m->ss = 512;
	m->sectors = size / 512;
	m->writes = 0, m->cut = -1, m->flushes = 0, m->fail_at = -1;
}

static void reload(struct mem *m)
{
	size_t size;

	free(m->data);
	m->data = load("img", &size);
	m->sectors = size / 512;
}

/* fsck.fat -n: 0 if clean; every other line of its output is damage. */
static int fsck_clean(struct mem *m)
{
	save("img", m->data, (size_t)m->sectors * m->ss);
	return run("fsck.fat -n img");
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 9)) ^ seed);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir_path, sizeof(dir_path), "/tmp/fat_test.XXXXXX");
	assert_non_null(mkdtemp(dir_path));
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir_path);
	return system(cmd) == 0 ? 0 : -1;
}

static struct fat_vol vol; /* 140 KiB: not on the stack */

/* ---- names ---- */

static void test_fat_name_checksum_alias(void **state)
{
	uint8_t sn[11], nt;
	uint16_t u[255];
	unsigned n;
	char out[800];
	size_t len;

	(void)state;
	/* The checksum of "FOO     BAR" as Windows computes it. */
	memcpy(sn, "FOO     BAR", 11);
	uint8_t sum = 0;
	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sn[i]);
	assert_int_equal(fat_name_checksum(sn), sum);

	assert_int_equal(fat_name_from_utf8("Long File.name.txt", 18, u, &n), 0);
	fat_name_alias(u, n, 1, sn);
	assert_memory_equal(sn, "LONGFI~1TXT", 11);
	fat_name_alias(u, n, 9, sn);
	assert_memory_equal(sn, "LONGFI~9TXT", 11);
	/* Past 9: two characters, four hex digits of a hash, ~1; each try another. */
	uint8_t sn2[11];
	fat_name_alias(u, n, 10, sn);
	fat_name_alias(u, n, 11, sn2);
	assert_memory_equal(sn, "LO", 2);
	assert_memory_equal(sn + 6, "~1TXT", 5);
	for (int i = 2; i < 6; i++)
		assert_non_null(strchr("0123456789ABCDEF", sn[i]));
	assert_memory_not_equal(sn, sn2, 11);
	assert_int_equal(fat_name_from_utf8(".hidden", 7, u, &n), 0);
	fat_name_alias(u, n, 2, sn);
	assert_memory_equal(sn, "HIDDEN~2   ", 11);

	assert_true(fat_name_short_exact("README.TXT", 10, sn, &nt));
	assert_memory_equal(sn, "README  TXT", 11);
	assert_int_equal(nt, 0);
	assert_true(fat_name_short_exact("readme.txt", 10, sn, &nt));
	assert_int_equal(nt, 0x18);
	assert_false(fat_name_short_exact("ReadMe.txt", 10, sn, &nt));
	assert_false(fat_name_short_exact("a.b.c", 5, sn, &nt));
	assert_false(fat_name_short_exact("toolongname", 11, sn, &nt));
	assert_false(fat_name_short_exact("a b", 3, sn, &nt));

	assert_int_equal(fat_name_short_text((const uint8_t *)"README  TXT", 0x08, out, &len), 0);
	assert_string_equal(out, "readme.TXT");
	assert_int_equal(fat_name_short_text((const uint8_t *)"A/B     TXT", 0, out, &len),
			 KOSH_VFS_EINVAL);
	assert_int_equal(fat_name_short_text((const uint8_t *)"AB\x01     TXT", 0, out, &len),
			 KOSH_VFS_EINVAL);

	/* UTF-8 in and out, with a character outside the BMP as a surrogate pair. */
	const char *s = "caf\xc3\xa9-\xe5\x90\x8d-\xf0\x9f\x98\x80";
	assert_int_equal(fat_name_from_utf8(s, strlen(s), u, &n), 0);
	assert_int_equal(n, 9);
	assert_int_equal(fat_name_to_utf8(u, n, out, sizeof(out), &len), 0);
	assert_string_equal(out, s);
	u[8] = 0xd800; /* an unpaired surrogate */
	assert_int_equal(fat_name_to_utf8(u, 9, out, sizeof(out), &len), KOSH_VFS_EINVAL);
	assert_int_equal(fat_name_from_utf8("a\xff", 2, u, &n), KOSH_VFS_EINVAL);
	assert_int_equal(fat_name_from_utf8("a\xc0\xaf", 3, u, &n), KOSH_VFS_EINVAL); /* overlong */
	assert_int_equal(fat_name_from_utf8("a:b", 3, u, &n), KOSH_VFS_EINVAL);
	assert_int_equal(fat_name_from_utf8("ab.", 3, u, &n), KOSH_VFS_EINVAL);
	assert_int_equal(fat_name_from_utf8("..", 2, u, &n), KOSH_VFS_EINVAL);
	assert_true(fat_name_eq("Hello.TXT", 9, "hello.txt", 9));
}

/* ---- reading what mtools wrote ---- */

struct sample {
	const char *path; /* in the image */
	size_t size;
};

static void put_host_file(const char *name, size_t size, unsigned seed)
{
	uint8_t *b = malloc(size + 1);

	fill(b, size, seed);
	save(name, b, size);
	free(b);
}

static void check_file(struct fat_vol *v, const char *path, size_t size, unsigned seed)
{
	struct fat_node n;
	uint8_t *want = malloc(size + 1), *got = malloc(size + 64);
	size_t done, pos = 0;

	fill(want, size, seed);
	assert_int_equal(fat_lookup(v, path, strlen(path), &n), 0);
	assert_int_equal(n.size, size);
	/* In uneven pieces, so reads cross sectors and clusters. */
	while (pos < size) {
		size_t k = 1 + (pos * 7 + 333) % 1500;

		assert_int_equal(fat_read(v, &n, pos, got + pos, k, &done), 0);
		assert_true(done > 0);
		pos += done;
	}
	assert_int_equal(pos, size);
	assert_int_equal(fat_read(v, &n, size, got, 10, &done), 0);
	assert_int_equal(done, 0);
	assert_memory_equal(got, want, size);
	free(want);
	free(got);
}

static void read_mtools(int bits, unsigned kib, unsigned spc)
{
	struct mem m;
	struct fat_dev d;
	uint32_t cs = 512 * spc;
	const struct sample s[] = {
	    {"/empty.txt", 0},
	    {"/ONE.BIN", 1},
	    {"/sector.bin", 512},
	    {"/Cluster Minus One.dat", cs - 1},
	    {"/cluster.dat", cs},
	    {"/cluster plus one.archive.tar.gz", cs + 1},
	    {"/dir1/sub dir/deep file with a quite long name, over 26 chars.bin", 3 * cs + 7},
	    {"/dir1/MixedCase.Txt", 700},
	};
	char path[600];

	if (!tools())
		skip();
	make_image(&m, bits, kib, spc);
	assert_int_equal(run("mmd -i img ::/dir1 ::'/dir1/sub dir' ::/emptydir"), 0);
	for (unsigned i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		put_host_file("src", s[i].size, i);
		assert_int_equal(run("mcopy -i img src '::%s'", s[i].path), 0);
	}
	reload(&m);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_int_equal(vol.type, bits);
	for (unsigned i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		check_file(&vol, s[i].path, s[i].size, i);
	/* Names match without regard to ASCII case, by short name too. */
	struct fat_node n, root;
	assert_int_equal(fat_lookup(&vol, "/EMPTY.TXT", 10, &n), 0);
	assert_int_equal(fat_lookup(&vol, "/CLUSTE~1.DAT", 13, &n), 0);
	assert_int_equal(fat_lookup(&vol, "/nope", 5, &n), KOSH_VFS_ENOENT);
	assert_int_equal(fat_lookup(&vol, "/ONE.BIN/x", 10, &n), KOSH_VFS_ENOTDIR);
	assert_int_equal(fat_lookup(&vol, "/emptydir", 9, &n), 0);
	struct kosh_vfs_stat st;
	fat_stat(&vol, &n, &st);
	assert_int_equal(st.type, KOSH_VFS_DIR);

	/* readdir of the root: every name once. */
	struct fat_dirent *de = malloc(sizeof(*de));
	uint64_t cookie = 0;
	unsigned count = 0, seen_long = 0;
	fat_root(&vol, &root);
	while (fat_readdir(&vol, &root, &cookie, de) == 0) {
		count++;
		snprintf(path, sizeof(path), "/%s", de->name);
		if (!strcmp(de->name, "cluster plus one.archive.tar.gz"))
			seen_long = 1;
		assert_int_equal(fat_lookup(&vol, path, strlen(path), &n), 0);
	}
	assert_int_equal(count, 8); /* 6 files, dir1, emptydir */
	assert_true(seen_long);
	free(de);

	/* stat: mcopy keeps the host file's time, which is now-ish; at least a real time. */
	assert_int_equal(fat_lookup(&vol, "/sector.bin", 11, &n), 0);
	fat_stat(&vol, &n, &st);
	assert_int_equal(st.size, 512);
	assert_int_equal(st.type, KOSH_VFS_FILE);
	assert_true(st.mtime_ns > 1500000000ull * 1000000000ull);
	assert_int_equal(fat_write(&vol, &n, 0, "x", 1), KOSH_VFS_EROFS);
	assert_int_equal(fat_unmount(&vol), 0);
	free(m.data);
}

static void test_fat_read_mtools_fat12(void **state)
{
	(void)state;
	read_mtools(12, 1024, 2);
}

static void test_fat_read_mtools_fat16(void **state)
{
	(void)state;
	read_mtools(16, 8192, 1);
}

static void test_fat_read_mtools_fat32(void **state)
{
	(void)state;
	read_mtools(32, 34 * 1024, 1);
}

/* ---- writing for mtools and fsck ---- */

static void write_file(struct fat_vol *v, const char *path, size_t size, unsigned seed)
{
	struct fat_node n;
	uint8_t *b = malloc(size + 1);
	size_t pos = 0;

	fill(b, size, seed);
	assert_int_equal(fat_create(v, path, strlen(path), &n), 0);
	while (pos < size) {
		size_t k = 1 + (pos * 13 + 901) % 3000;

		if (k > size - pos)
			k = size - pos;
		assert_int_equal(fat_write(v, &n, pos, b + pos, k), 0);
		pos += k;
	}
	free(b);
}

static void mtype_check(const char *path, size_t size, unsigned seed)
{
	uint8_t *want = malloc(size + 1), *got;
	size_t n;

	fill(want, size, seed);
	assert_int_equal(run("mtype -i img '::%s' > got", path), 0);
	got = load("got", &n);
	assert_int_equal(n, size);
	assert_memory_equal(got, want, size);
	free(got);
	free(want);
}

static void write_mtools(int bits, unsigned kib, unsigned spc)
{
	struct mem m;
	struct fat_dev d;
	uint32_t cs = 512 * spc;
	struct fat_node n;
	struct kosh_vfs_stat st;

	if (!tools())
		skip();
	make_image(&m, bits, kib, spc);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(vol.state & FAT_STATE_WAS_DIRTY, 0);
	assert_int_equal(fat_mkdir(&vol, "/Docs", 5), 0);
	assert_int_equal(fat_mkdir(&vol, "/Docs/Nested Directory", 22), 0);
	assert_int_equal(fat_mkdir(&vol, "/Docs", 5), KOSH_VFS_EEXIST);
	write_file(&vol, "/empty", 0, 1);
	write_file(&vol, "/one", 1, 2);
	write_file(&vol, "/SECTOR.BIN", 512, 3);
	write_file(&vol, "/Docs/cluster-1.bin", cs - 1, 4);
	write_file(&vol, "/Docs/Nested Directory/cluster+1 with a long name.data", cs + 1, 5);
	write_file(&vol, "/Docs/big.bin", 40000, 6);
	write_file(&vol, "/gone.txt", 3000, 7);
	write_file(&vol, "/caf\xc3\xa9.txt", 10, 8);
	/* Many names with one basis: aliases ~1 … ~12. */
	for (int i = 0; i < 12; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/Docs/same basis name %d.txt", i);
		write_file(&vol, p, (size_t)i * 100, 20u + (unsigned)i);
	}
	assert_int_equal(fat_unlink(&vol, "/gone.txt", 9, 0), 0);
	assert_int_equal(fat_unlink(&vol, "/Docs", 5, 1), KOSH_VFS_ENOTEMPTY);
	assert_int_equal(fat_unlink(&vol, "/Docs", 5, 0), KOSH_VFS_EISDIR);
	assert_int_equal(fat_mkdir(&vol, "/tmpdir", 7), 0);
	assert_int_equal(fat_unlink(&vol, "/tmpdir", 7, 1), 0);
	/* Rename: in place, across directories, over an existing file, a directory. */
	assert_int_equal(fat_rename(&vol, "/one", 4, "/One Renamed", 12), 0);
	assert_int_equal(
	    fat_rename(&vol, "/SECTOR.BIN", 11, "/Docs/Nested Directory/sector.bin", 33), 0);
	write_file(&vol, "/victim", 5000, 9);
	assert_int_equal(fat_rename(&vol, "/Docs/cluster-1.bin", 19, "/victim", 7), 0);
	assert_int_equal(fat_mkdir(&vol, "/Moved", 6), 0);
	assert_int_equal(fat_rename(&vol, "/Docs/Nested Directory", 22, "/Moved/Nested", 13), 0);
	assert_int_equal(fat_rename(&vol, "/Moved", 6, "/Moved/Nested/x", 15), KOSH_VFS_EINVAL);
	/* Truncate down and up. */
	assert_int_equal(fat_lookup(&vol, "/Docs/big.bin", 13, &n), 0);
	assert_int_equal(fat_truncate(&vol, &n, 1000), 0);
	assert_int_equal(fat_truncate(&vol, &n, 3000), 0);
	fat_stat(&vol, &n, &st);
	assert_int_equal(st.size, 3000);
	assert_int_equal(st.mtime_ns, 1715000000000000000ull); /* two-second steps */
	assert_int_equal(fat_unmount(&vol), 0);

	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);
	assert_null(strstr(out_buf, "\n  ")); /* no remarks */
	mtype_check("/empty", 0, 1);
	mtype_check("/One Renamed", 1, 2);
	mtype_check("/Moved/Nested/sector.bin", 512, 3);
	mtype_check("/victim", cs - 1, 4);
	mtype_check("/Moved/Nested/cluster+1 with a long name.data", cs + 1, 5);
	for (int i = 0; i < 12; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/Docs/same basis name %d.txt", i);
		mtype_check(p, (size_t)i * 100, 20u + (unsigned)i);
	}
	{
		uint8_t *want = calloc(1, 3000), *got;
		size_t k;

		fill(want, 1000, 6);
		assert_int_equal(run("mtype -i img ::/Docs/big.bin > got"), 0);
		got = load("got", &k);
		assert_int_equal(k, 3000);
		assert_memory_equal(got, want, 3000);
		free(got);
		free(want);
	}
	assert_int_equal(run("mdir -i img ::/"), 0);
	assert_null(strstr(out_buf, "gone"));
	assert_non_null(strstr(out_buf, "One Renamed"));
	assert_int_equal(run("mdir -i img ::/Moved/Nested"), 0);
	assert_non_null(strstr(out_buf, "cluster+1 with a long name.data"));
	/* Mounted again: clean, and the library reads its own files back. */
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_int_equal(vol.state & FAT_STATE_WAS_DIRTY, 0);
	check_file(&vol, "/caf\xc3\xa9.txt", 10, 8);
	check_file(&vol, "/CAF\xc3\xa9.TXT", 10, 8);
	assert_int_equal(fat_unmount(&vol), 0);
	free(m.data);
}

static void test_fat_write_mtools_fat12(void **state)
{
	(void)state;
	write_mtools(12, 1024, 2);
}

static void test_fat_write_mtools_fat16(void **state)
{
	(void)state;
	write_mtools(16, 8192, 1);
}

static void test_fat_write_mtools_fat32(void **state)
{
	(void)state;
	write_mtools(32, 34 * 1024, 1);
}

/*
 * The dirty bit is set while mounted read-write and reported when found; a
 * volume found dirty is marked clean again only once fat_check found it whole.
 */
static void test_fat_dirty_bit(void **state)
{
	struct mem m;
	struct fat_dev d;
	struct fat_vol *v2 = malloc(sizeof(*v2));

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 16, 8192, 1);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	write_file(&vol, "/a", 100, 1);
	assert_int_equal(fat_sync(&vol), 0);
	/* Not unmounted: a second mount sees the dirty bit. */
	assert_int_equal(fat_mount(v2, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_true(v2->state & FAT_STATE_WAS_DIRTY);
	check_file(v2, "/a", 100, 1);
	assert_int_equal(fat_unmount(&vol), 0);
	assert_int_equal(fat_mount(v2, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_false(v2->state & FAT_STATE_WAS_DIRTY);
	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);

	/* Cut while mounted: the next read-write mount finds it dirty and, unchecked, keeps it so. */
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	write_file(&vol, "/b", 3000, 2);
	assert_int_equal(fat_sync(&vol), 0);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_true(vol.state & FAT_STATE_WAS_DIRTY);
	assert_int_equal(fat_unmount(&vol), 0);
	assert_int_equal(fat_mount(v2, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_true(v2->state & FAT_STATE_WAS_DIRTY);
	/* fat_check finds it whole: a clean unmount then clears the bit. */
	size_t bytes = (size_t)vol.clusters / 8 + 2;
	uint8_t *bitmap = malloc(bytes);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_check(&vol, bitmap, bytes), 0);
	assert_true(vol.state & FAT_STATE_CHECKED);
	assert_int_equal(fat_unmount(&vol), 0);
	assert_int_equal(fat_mount(v2, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_false(v2->state & FAT_STATE_WAS_DIRTY);
	check_file(v2, "/b", 3000, 2);
	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);
	/* A lost cluster (in use, in no chain) is left for fsck: the bit stays. */
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_put(&vol, vol.clusters + 1, fat_eoc(&vol)), 0);
	assert_int_equal(fat_sync(&vol), 0);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_check(&vol, bitmap, bytes), 0);
	assert_false(vol.state & FAT_STATE_CHECKED);
	assert_int_equal(fat_unmount(&vol), 0);
	assert_int_equal(fat_mount(v2, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_true(v2->state & FAT_STATE_WAS_DIRTY);
	/*
	 * fat_repair mends that, and FAT copies apart (one more lost cluster in the
	 * second copy only): fsck then has nothing at all to say.
	 */
	uint32_t freed, copied, second = vol.rsvd + vol.fat_sectors;
	m.data[second * 512 + 2 * (vol.clusters + 0)] = 0xff;
	m.data[second * 512 + 2 * (vol.clusters + 0) + 1] = 0xff;
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_check(&vol, bitmap, bytes), 0);
	assert_int_equal(fat_repair(&vol, bitmap, &freed, &copied), 0);
	assert_int_equal(freed, 1);
	assert_int_equal(copied, 1);
	assert_true(vol.state & FAT_STATE_CHECKED);
	assert_int_equal(fat_unmount(&vol), 0);
	assert_int_equal(fat_mount(v2, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_false(v2->state & FAT_STATE_WAS_DIRTY);
	check_file(v2, "/b", 3000, 2);
	if (fsck_clean(&m))
		fail_msg("fsck after fat_repair:\n%s", out_buf);
	/* Read-only: nothing is mended. */
	assert_int_equal(fat_repair(v2, bitmap, &freed, &copied), KOSH_VFS_EINVAL);
	free(bitmap);
	free(v2);
	free(m.data);
}

/* ---- a random sequence against a model ---- */

#define MODEL_FILES 12
#define MODEL_MAX   20000

struct model_file {
	char path[64];
	int exists;
	size_t size;
	uint8_t data[MODEL_MAX];
};

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static void model_check(struct fat_vol *v, struct model_file *f)
{
	struct fat_node n;
	int e = fat_lookup(v, f->path, strlen(f->path), &n);

	if (!f->exists) {
		assert_int_equal(e, KOSH_VFS_ENOENT);
		return;
	}
	assert_int_equal(e, 0);
	assert_int_equal(n.size, f->size);
	uint8_t *got = malloc(f->size + 1);
	size_t done;

	assert_int_equal(fat_read(v, &n, 0, got, f->size, &done), 0);
	assert_int_equal(done, f->size);
	assert_memory_equal(got, f->data, f->size);
	free(got);
}

static void random_ops(int bits, unsigned kib, unsigned spc, uint32_t seed)
{
	struct mem m;
	struct fat_dev d;
	struct model_file *f = calloc(MODEL_FILES, sizeof(*f));
	uint8_t buf[6000];

	if (!tools())
		skip();
	rng_state = seed;
	make_image(&m, bits, kib, spc);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_mkdir(&vol, "/d", 2), 0);
	assert_int_equal(fat_mkdir(&vol, "/d/e", 4), 0);
	for (int i = 0; i < MODEL_FILES; i++)
		snprintf(f[i].path, sizeof(f[i].path), "%s/file number %d%s",
			 i % 3 == 0   ? ""
			 : i % 3 == 1 ? "/d"
				      : "/d/e",
			 i, i % 2 ? ".txt" : "");
	for (int step = 0; step < 600; step++) {
		struct model_file *x = &f[rnd(MODEL_FILES)], *y = &f[rnd(MODEL_FILES)];
		struct fat_node n;
		uint32_t op = rnd(10);

		if (op <= 3) { /* write somewhere, maybe past the end */
			size_t off = rnd(MODEL_MAX / 2), len = 1 + rnd(sizeof(buf));

			if (off + len > MODEL_MAX)
				len = MODEL_MAX - off;
			fill(buf, len, (unsigned)step);
			if (!x->exists) {
				assert_int_equal(fat_create(&vol, x->path, strlen(x->path), &n), 0);
				x->exists = 1, x->size = 0;
			} else {
				assert_int_equal(fat_lookup(&vol, x->path, strlen(x->path), &n), 0);
			}
			assert_int_equal(fat_write(&vol, &n, off, buf, len), 0);
			if (off > x->size)
				memset(x->data + x->size, 0, off - x->size);
			memcpy(x->data + off, buf, len);
			if (off + len > x->size)
				x->size = off + len;
		} else if (op == 4 && x->exists) {
			size_t size = rnd(MODEL_MAX);

			assert_int_equal(fat_lookup(&vol, x->path, strlen(x->path), &n), 0);
			assert_int_equal(fat_truncate(&vol, &n, size), 0);
			if (size > x->size)
				memset(x->data + x->size, 0, size - x->size);
			x->size = size;
		} else if (op == 5 && x->exists) {
			assert_int_equal(fat_unlink(&vol, x->path, strlen(x->path), 0), 0);
			x->exists = 0;
		} else if (op == 6 && x->exists && x != y) {
			assert_int_equal(
			    fat_rename(&vol, x->path, strlen(x->path), y->path, strlen(y->path)),
			    0);
			memcpy(y->data, x->data, x->size);
			y->size = x->size, y->exists = 1, x->exists = 0;
		} else if (op == 7) {
			assert_int_equal(fat_create(&vol, x->path, strlen(x->path), &n),
					 x->exists ? KOSH_VFS_EEXIST : 0);
			if (!x->exists)
				x->exists = 1, x->size = 0;
		} else if (op == 8) {
			model_check(&vol, x);
		} else if (op == 9 && rnd(8) == 0) {
			assert_int_equal(fat_unmount(&vol), 0);
			assert_int_equal(fat_mount(&vol, &d, 0), 0);
		}
	}
	for (int i = 0; i < MODEL_FILES; i++)
		model_check(&vol, &f[i]);
	{
		size_t bytes = (vol.clusters + 2) / 8 + 1;
		uint8_t *bitmap = malloc(bytes);

		assert_int_equal(fat_check(&vol, bitmap, bytes), 0);
		free(bitmap);
	}
	assert_int_equal(fat_unmount(&vol), 0);
	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);
	for (int i = 0; i < MODEL_FILES; i++)
		if (f[i].exists) {
			save("want", f[i].data, f[i].size);
			assert_int_equal(run("mtype -i img '::%s' | cmp - want", f[i].path), 0);
		}
	free(f);
	free(m.data);
}

static void test_fat_random_fat12(void **state)
{
	(void)state;
	random_ops(12, 1024, 1, 1);
}

static void test_fat_random_fat16(void **state)
{
	(void)state;
	random_ops(16, 8192, 2, 2);
}

static void test_fat_random_fat32(void **state)
{
	(void)state;
	random_ops(32, 34 * 1024, 1, 3);
}

/* ---- power cuts ---- */

/* A workload; returns 1 once /keep.bin was synced. */
static int workload(struct fat_vol *v, struct mem *m)
{
	struct fat_dev d = mem_dev(m);
	struct fat_node n;
	uint8_t buf[9000];
	int synced = 0;

	if (fat_mount(v, &d, 0))
		return 0;
	fill(buf, sizeof(buf), 77);
	if (!fat_create(v, "/keep.bin", 9, &n) && !fat_write(v, &n, 0, buf, 5000) && !fat_sync(v))
		synced = 1;
	fat_mkdir(v, "/dir with long name", 19);
	if (!fat_create(v, "/dir with long name/f1.txt", 26, &n))
		fat_write(v, &n, 0, buf, 3000);
	if (!fat_lookup(v, "/old.txt", 8, &n))
		fat_write(v, &n, 100, buf, 2000);
	fat_rename(v, "/old.txt", 8, "/dir with long name/moved.txt", 29);
	fat_unlink(v, "/del.bin", 8, 0);
	if (!fat_lookup(v, "/trunc.bin", 10, &n))
		fat_truncate(v, &n, 0);
	/*
	 * Not a truncate to a non-zero size: its entry and its FAT end mark are two
	 * writes, and a cut between them leaves a chain longer than the size
	 * (docs/fat.md, what is left).
	 */
	fat_mkdir(v, "/second", 7);
	fat_rename(v, "/dir with long name", 19, "/second/inner dir", 17);
	if (!fat_create(v, "/late.bin", 9, &n))
		fat_write(v, &n, 0, buf, sizeof(buf));
	fat_unmount(v);
	return synced;
}

static int contains(const char *s, size_t len, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= len; i++)
		if (!memcmp(s + i, w, wl))
			return 1;
	return 0;
}

/* fsck's remarks that a cut may leave: lost clusters, the dirty bit, the free-count hint, the FAT
 * copies. */
static int only_repairable(const char *out)
{
	static const char *ok[] = {"fsck.fat",
				   "Leaving filesystem unchanged",
				   "files,",
				   "Reclaimed",
				   "unused cluster",
				   "Dirty bit",
				   "dirty bit",
				   "Free cluster summary",
				   "FATs differ",
				   "Using first FAT",
				   "free clusters",
				   "Automatically",
				   "Perform changes",
				   "Auto-correcting",
				   "Unused",
				   "lost",
				   "Lost",
				   "orphan",
				   "Orphan",
				   ""};
	const char *line = out;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		int good = 0;

		for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]) && !good; i++) {
			if (!ok[i][0])
				good = len == 0;
			else
				good = contains(line, len, ok[i]);
		}
		if (!good) {
			print_message("fsck damage: %.*s\n", (int)len, line);
			return 0;
		}
		line += len + (end ? 1 : 0);
	}
	return 1;
}

static void power_cut(int bits, unsigned kib, unsigned spc)
{
	struct mem m, base;
	long total, clean = 0, mend_left = 0;
	int bad = 0;

	if (!tools())
		skip();
	make_image(&base, bits, kib, spc);
	put_host_file("src", 4000, 1);
	assert_int_equal(run("mcopy -i img src ::/old.txt && mcopy -i img src ::/del.bin && mcopy "
			     "-i img src ::/trunc.bin"),
			 0);
	reload(&base);
	m = base;
	m.data = malloc((size_t)base.sectors * 512);
	memcpy(m.data, base.data, (size_t)base.sectors * 512);
	assert_int_equal(workload(&vol, &m), 1);
	total = m.writes;
	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);
	assert_true(total > 10);
	for (long k = 0; k <= total; k++) {
		int synced;

		memcpy(m.data, base.data, (size_t)base.sectors * 512);
		m.writes = 0, m.cut = k;
		synced = workload(&vol, &m);
		int rc = fsck_clean(&m);

		clean += rc == 0;
		if (rc != 0 && getenv("FAT_TEST_VERBOSE"))
			print_message("cut %ld:\n%s", k, out_buf);
		if (rc != 0 && !only_repairable(out_buf)) {
			print_message("cut after write %ld of %ld: fsck %d\n%s", k, total, rc,
				      out_buf);
			bad++;
		}
		{
			/* The library's own check agrees: no chain damaged, nothing cross-linked.
			 */
			struct fat_dev d;
			size_t bytes;
			uint8_t *bitmap;

			m.cut = -1;
			d = mem_dev(&m);
			assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
			bytes = (vol.clusters + 2) / 8 + 1;
			bitmap = malloc(bytes);
			if (fat_check(&vol, bitmap, bytes)) {
				print_message("cut after write %ld: fat_check: %s\n", k, vol.why);
				bad++;
			}
			free(bitmap);
			fat_unmount(&vol);
		}
		{
			/* fatfsd's mount mends the cut: fsck then finds the volume clean. */
			struct fat_dev d;
			size_t bytes;
			uint8_t *bitmap;
			uint32_t freed, copied;

			m.cut = -1;
			d = mem_dev(&m);
			assert_int_equal(fat_mount(&vol, &d, 0), 0);
			bytes = (vol.clusters + 2) / 8 + 1;
			bitmap = malloc(bytes);
			if (fat_check(&vol, bitmap, bytes) ||
			    fat_repair(&vol, bitmap, &freed, &copied) || fat_unmount(&vol)) {
				print_message("cut after write %ld: mending failed: %s\n", k,
					      vol.why ? vol.why : "");
				bad++;
			} else if (fsck_clean(&m)) {
				print_message("cut after write %ld: after mending, fsck:\n%s", k,
					      out_buf);
				mend_left++;
			}
			free(bitmap);
		}
		if (synced) {
			struct fat_dev d;

			m.cut = -1;
			d = mem_dev(&m);
			assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
			uint8_t want[5000];

			fill(want, 9000 < 5000 ? 9000 : 5000, 77);
			{
				struct fat_node n;
				uint8_t got[5000];
				size_t done;
				uint8_t b9[9000];

				fill(b9, sizeof(b9), 77);
				assert_int_equal(fat_lookup(&vol, "/keep.bin", 9, &n), 0);
				assert_int_equal(n.size, 5000);
				assert_int_equal(fat_read(&vol, &n, 0, got, 5000, &done), 0);
				assert_memory_equal(got, b9, 5000);
			}
			fat_unmount(&vol);
		}
	}
	print_message("power cut: %ld cuts, %ld fsck-clean, the rest only repairable; "
		      "%ld not wholly clean after mending\n",
		      total + 1, clean, mend_left);
	assert_int_equal(bad, 0);
	assert_int_equal(mend_left, 0);
	free(m.data);
	free(base.data);
}

static void test_fat_power_cut_fat12(void **state)
{
	(void)state;
	power_cut(12, 1024, 1);
}

static void test_fat_power_cut_fat32(void **state)
{
	(void)state;
	power_cut(32, 34 * 1024, 1);
}

/* ---- corrupt images ---- */

static void bpb_case(struct mem *m, const uint8_t *orig, unsigned off, unsigned width,
		     uint32_t value, const char *why)
{
	struct fat_dev d = mem_dev(m);

	memcpy(m->data, orig, 512);
	for (unsigned i = 0; i < width; i++)
		m->data[off + i] = (uint8_t)(value >> (8 * i));
	assert_int_equal(fat_mount(&vol, &d, 0), KOSH_VFS_EINVAL);
	if (!strstr(vol.why, why))
		fail_msg("offset %u: '%s' does not name '%s'", off, vol.why, why);
}

static void test_fat_bad_bpb(void **state)
{
	struct mem m;
	uint8_t orig[512];
	struct fat_dev d;

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 16, 8192, 1);
	memcpy(orig, m.data, 512);
	bpb_case(&m, orig, 0, 1, 0x00, "jump");
	bpb_case(&m, orig, 510, 1, 0x00, "signature");
	bpb_case(&m, orig, 11, 2, 1000, "bytes per sector");
	bpb_case(&m, orig, 11, 2, 1024, "device");
	bpb_case(&m, orig, 13, 1, 3, "sectors per cluster");
	bpb_case(&m, orig, 13, 1, 0, "sectors per cluster");
	bpb_case(&m, orig, 14, 2, 0, "reserved");
	bpb_case(&m, orig, 16, 1, 0, "FATs");
	bpb_case(&m, orig, 17, 2, 0, "root entries");
	bpb_case(&m, orig, 21, 1, 0x12, "media");
	bpb_case(&m, orig, 19, 2, 0, "total sectors"); /* and 32-bit is 0 too */
	bpb_case(&m, orig, 32, 4, 0xfffffff, "total sectors");
	bpb_case(&m, orig, 22, 2, 0, "FAT size");
	bpb_case(&m, orig, 22, 2, 2, "FAT size");
	/* The device smaller than the volume. */
	memcpy(m.data, orig, 512);
	m.sectors = 1000;
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), KOSH_VFS_EINVAL);
	assert_non_null(strstr(vol.why, "past the device"));
	free(m.data);

	/* FAT32: root cluster and FSInfo sector. */
	make_image(&m, 32, 34 * 1024, 1);
	uint8_t o32[512];
	memcpy(o32, m.data, 512);
	bpb_case(&m, o32, 44, 4, 1, "root cluster");
	bpb_case(&m, o32, 44, 4, 0x0ffffff0, "root cluster");
	bpb_case(&m, o32, 48, 2, 0, "FSInfo");
	bpb_case(&m, o32, 48, 2, 4000, "FSInfo");
	bpb_case(&m, o32, 42, 2, 1, "version");
	bpb_case(&m, o32, 17, 2, 512, "root entries");
	bpb_case(&m, o32, 22, 2, 100, "FAT size");
	/* A bad FSInfo signature: mounted, the hint unused. */
	memcpy(m.data, o32, 512);
	m.data[512] = 0;
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_true(vol.state & FAT_STATE_NO_FSINFO);
	free(m.data);
}

/* Set FAT entry c in every copy of a FAT16 image. */
static void set16(struct mem *m, const struct fat_vol *v, uint32_t c, uint16_t x)
{
	for (uint32_t k = 0; k < v->nfats; k++) {
		uint8_t *p = m->data + (v->fat_start + (uint64_t)k * v->fat_sectors) * 512 + c * 2;

		p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8);
	}
}

static uint8_t *entry_of(struct mem *m, const struct fat_node *n)
{
	return m->data + n->ent_lba * 512 + n->ent_off;
}

static void test_fat_corrupt_chains(void **state)
{
	struct mem m;
	struct fat_dev d;
	struct fat_node a, b, n;
	uint8_t buf[8192];
	size_t done;

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 16, 8192, 1);
	put_host_file("src", 3000, 1);
	assert_int_equal(
	    run("mcopy -i img src ::/A.BIN && mcopy -i img src ::/B.BIN && mmd -i img ::/SUB"), 0);
	reload(&m);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &a), 0);
	assert_int_equal(fat_lookup(&vol, "/B.BIN", 6, &b), 0);
	fat_unmount(&vol);
	uint8_t *orig = malloc((size_t)m.sectors * 512);
	memcpy(orig, m.data, (size_t)m.sectors * 512);

	/* A loop: the third cluster points back at the first. */
	set16(&m, &vol, a.first + 2, (uint16_t)a.first);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	assert_int_equal(fat_unlink(&vol, "/A.BIN", 6, 0), KOSH_VFS_EIO);
	assert_int_equal(fat_lookup(&vol, "/B.BIN", 6, &n), 0);
	/* Reading through a node made before the damage stays bounded by the size. */
	n = a;
	assert_int_equal(fat_read(&vol, &n, 0, buf, 3000, &done), 0);
	fat_unmount(&vol);

	/* A chain through a free cluster, and one shorter than the size. */
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	set16(&m, &vol, a.first + 1, 0);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	n = a;
	assert_int_equal(fat_read(&vol, &n, 0, buf, 3000, &done), KOSH_VFS_EIO);
	fat_unmount(&vol);
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	set16(&m, &vol, a.first + 1, 0xffff);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	/* Longer than the size; out of range; reserved/bad values. */
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	entry_of(&m, &a)[28] = 0x10,
		     entry_of(&m, &a)[29] = 0; /* size 16: one cluster, chain of six */
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	set16(&m, &vol, a.first, 0xfff0);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	set16(&m, &vol, a.first, 0xfff7);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	/* An entry whose first cluster is past the volume. */
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	entry_of(&m, &a)[26] = 0xf0, entry_of(&m, &a)[27] = 0xff;
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);

	/* Cross-linked: B's chain joins A's after one cluster; lookups alone cannot tell, both
	 * read. */
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	set16(&m, &vol, b.first, (uint16_t)(a.first + 1));
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/B.BIN", 6, &n), 0);
	assert_int_equal(fat_read(&vol, &n, 0, buf, 3000, &done), 0);
	assert_int_equal(fat_lookup(&vol, "/A.BIN", 6, &n), 0);
	/* The whole-volume check finds it and stops all writes. */
	uint8_t *bitmap = malloc((vol.clusters + 2) / 8 + 1);
	assert_int_equal(fat_check(&vol, bitmap, (vol.clusters + 2) / 8 + 1), KOSH_VFS_EIO);
	assert_non_null(strstr(vol.why, "cross-linked"));
	assert_true(vol.state & FAT_STATE_DAMAGED);
	assert_int_equal(fat_create(&vol, "/new", 4, &n), KOSH_VFS_EROFS);
	assert_int_equal(fat_unlink(&vol, "/B.BIN", 6, 0), KOSH_VFS_EROFS);
	fat_unmount(&vol);
	/* And a good volume passes it. */
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_check(&vol, bitmap, (vol.clusters + 2) / 8 + 1), 0);
	fat_unmount(&vol);
	/* A loop is found by it too. */
	set16(&m, &vol, a.first + 2, (uint16_t)a.first);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_check(&vol, bitmap, (vol.clusters + 2) / 8 + 1), KOSH_VFS_EIO);
	fat_unmount(&vol);
	free(bitmap);

	/* Bad dot entries in /SUB. */
	memcpy(m.data, orig, (size_t)m.sectors * 512);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/SUB", 4, &n), 0);
	fat_unmount(&vol);
	uint8_t *sub = m.data + fat_cluster_lba(&vol, n.first) * 512;
	sub[0] = 'X';
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/SUB", 4, &n), KOSH_VFS_EIO);
	assert_int_equal(fat_create(&vol, "/SUB/x", 6, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	sub[0] = '.';
	sub[26] ^= 1; /* "." names another cluster */
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/SUB", 4, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	sub[26] ^= 1;
	sub[32 + 26] = 5; /* ".." names a cluster, not the root */
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(fat_lookup(&vol, "/SUB", 4, &n), KOSH_VFS_EIO);
	fat_unmount(&vol);
	free(orig);
	free(m.data);
}

static void test_fat_corrupt_names(void **state)
{
	struct mem m;
	struct fat_dev d;
	struct fat_node n, root;
	struct fat_dirent *de = malloc(sizeof(*de));
	uint64_t cookie;
	unsigned count;

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 12, 1024, 1);
	put_host_file("src", 10, 1);
	assert_int_equal(
	    run("mcopy -i img src '::/A long file name.txt' && mcopy -i img src ::/SHORT.TXT"), 0);
	reload(&m);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_int_equal(fat_lookup(&vol, "/A long file name.txt", 21, &n), 0);
	fat_unmount(&vol);
	uint8_t *lfn =
	    m.data + n.ent_lba * 512 + n.ent_off - 32; /* the last long entry (sequence 1) */
	uint8_t *sh = m.data + n.ent_lba * 512 + n.ent_off;

	/* A bad checksum: the long name is dropped, the short one stays. */
	lfn[13] ^= 0x55;
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_int_equal(fat_lookup(&vol, "/A long file name.txt", 21, &n), KOSH_VFS_ENOENT);
	assert_int_equal(fat_lookup(&vol, "/ALONGF~1.TXT", 13, &n), 0);
	fat_unmount(&vol);
	lfn[13] ^= 0x55;
	/* A bad sequence number. */
	lfn[0] = 3;
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_int_equal(fat_lookup(&vol, "/A long file name.txt", 21, &n), KOSH_VFS_ENOENT);
	assert_int_equal(fat_lookup(&vol, "/ALONGF~1.TXT", 13, &n), 0);
	fat_unmount(&vol);
	lfn[0] = 1;
	/* An unpaired surrogate in the long name. */
	lfn[1] = 0x00, lfn[2] = 0xd8;
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	assert_int_equal(fat_lookup(&vol, "/ALONGF~1.TXT", 13, &n), 0);
	fat_unmount(&vol);
	/* Bad bytes in a short name with no long name: the entry is not shown. */
	lfn[0] = 0xe5;
	lfn[-32] = 0xe5;
	sh[2] = '/';
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), 0);
	fat_root(&vol, &root);
	cookie = 0, count = 0;
	while (fat_readdir(&vol, &root, &cookie, de) == 0) {
		assert_null(strchr(de->name, '/'));
		count++;
	}
	assert_int_equal(count, 1); /* SHORT.TXT */
	fat_unmount(&vol);
	free(de);
	free(m.data);
}

/* A device that fails every read: mount fails cleanly. */
static int fail_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	(void)ctx, (void)lba, (void)count, (void)buf;
	return KOSH_VFS_EIO;
}

static void test_fat_device_errors(void **state)
{
	struct fat_dev d = {NULL, 512, 100, fail_read, NULL, NULL, NULL};

	(void)state;
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), KOSH_VFS_EIO);
	d.sector_size = 100;
	assert_int_equal(fat_mount(&vol, &d, FAT_MOUNT_READ_ONLY), KOSH_VFS_EINVAL);
	d.sector_size = 512;
	assert_int_equal(fat_mount(&vol, &d, 0), KOSH_VFS_EINVAL); /* read-write without write */
}

/* ENOSPC: the volume fills, nothing leaks, fsck stays clean. */
static void test_fat_full(void **state)
{
	struct mem m;
	struct fat_dev d;
	struct fat_node n;
	static uint8_t buf[65536];
	int e = 0;
	uint32_t before;

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 12, 1024, 1);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	before = vol.free_count;
	assert_int_equal(fat_create(&vol, "/fill", 5, &n), 0);
	for (int i = 0; i < 40 && !e; i++)
		e = fat_write(&vol, &n, n.size, buf, sizeof(buf));
	assert_int_equal(e, KOSH_VFS_ENOSPC);
	assert_true(vol.free_count < 128);
	assert_int_equal(n.size % sizeof(buf), 0);
	assert_int_equal(fat_truncate(&vol, &n, 0), 0);
	assert_int_equal(vol.free_count, before);
	assert_int_equal(fat_unmount(&vol), 0);
	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);
	free(m.data);
}

/* One failed device write in the middle of a write: an error, the file as it was, the volume sound.
 */
static void test_fat_write_error(void **state)
{
	struct mem m;
	struct fat_dev d;
	struct fat_node n;
	static uint8_t big[20000], got[20000];
	size_t done, bytes;
	uint8_t *bitmap;
	int failed = 0;

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 16, 8192, 1);
	d = mem_dev(&m);
	fill(big, sizeof(big), 5);
	for (long k = 0; k < 60; k += 3) {
		assert_int_equal(fat_mount(&vol, &d, 0), 0);
		if (fat_lookup(&vol, "/f", 2, &n) == KOSH_VFS_ENOENT) {
			assert_int_equal(fat_create(&vol, "/f", 2, &n), 0);
			assert_int_equal(fat_write(&vol, &n, 0, big, 1000), 0);
		}
		m.writes = 0, m.fail_at = k;
		int e = fat_write(&vol, &n, 700, big, sizeof(big));

		m.fail_at = -1;
		if (e) {
			failed++;
			assert_int_equal(e, KOSH_VFS_EIO);
			assert_int_equal(fat_lookup(&vol, "/f", 2, &n), 0);
			assert_true(n.size == 1000 || n.size == 700 + sizeof(big));
			if (n.size == 1000) {
				assert_int_equal(fat_read(&vol, &n, 0, got, 1000, &done), 0);
				assert_memory_equal(got, big, 700);
			}
		}
		bytes = (vol.clusters + 2) / 8 + 1;
		bitmap = malloc(bytes);
		assert_int_equal(fat_check(&vol, bitmap, bytes), 0);
		free(bitmap);
		fat_unmount(&vol);
		assert_int_equal(fat_unlink(&vol, "/f", 2, 0), KOSH_VFS_ENODEV);
		assert_int_equal(fat_mount(&vol, &d, 0), 0);
		assert_int_equal(fat_unlink(&vol, "/f", 2, 0), 0);
		assert_int_equal(fat_unmount(&vol), 0);
	}
	assert_true(failed > 0);
	if (fsck_clean(&m) && !only_repairable(out_buf))
		fail_msg("fsck:\n%s", out_buf);
	free(m.data);
}

/*
 * Sequential I/O in the file protocol's 4064-byte pieces: the cache keeps the
 * FAT sectors in use (no re-reading), new sectors are not read before being
 * written, and clusters in a row go to the device together.
 */
static void test_fat_io_counts(void **state)
{
	struct mem m;
	struct fat_dev d;
	struct fat_node n;
	static uint8_t buf[4064];
	const uint32_t total = 4u << 20;
	size_t done;
	long reads;

	(void)state;
	if (!tools())
		skip();
	make_image(&m, 32, 34 * 1024, 1);
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	reads = m.reads, m.writes = 0;
	assert_int_equal(fat_create(&vol, "/big", 4, &n), 0);
	for (uint32_t o = 0; o < total; o += sizeof(buf)) {
		fill(buf, sizeof(buf), o);
		assert_int_equal(
		    fat_write(&vol, &n, o, buf, total - o < sizeof(buf) ? total - o : sizeof(buf)),
		    0);
	}
	assert_int_equal(fat_sync(&vol), 0);
	print_message("4 MiB written: %ld device reads, %ld sectors written\n", m.reads - reads,
		      m.writes);
	/* Each FAT sector of the new chain read once, in each copy. */
	assert_true(m.reads - reads <= (long)(total / 512 * 4 / 512) * 2 + 16);
	assert_true(m.writes < (long)(total / 512) * 11 / 10);
	reads = m.reads;
	assert_int_equal(fat_lookup(&vol, "/big", 4, &n), 0);
	for (uint32_t o = 0; o < total; o += (uint32_t)done) {
		static uint8_t want[4064];

		assert_int_equal(fat_read(&vol, &n, o, buf, sizeof(buf), &done), 0);
		assert_true(done > 0);
		if (o % sizeof(buf) == 0) {
			fill(want, sizeof(want), o);
			assert_memory_equal(buf, want, done);
		}
	}
	print_message("4 MiB read: %ld device reads\n", m.reads - reads);
	assert_true(m.reads - reads < (long)(total / 4064) * 5);
	assert_int_equal(fat_unmount(&vol), 0);
	assert_int_equal(fsck_clean(&m), 0);
	free(m.data);
}

/* 4096-byte sectors: what mcopy put there reads back, what the library writes mtype reads. */
static void test_fat_sector_4096(void **state)
{
	struct mem m;
	struct fat_dev d;
	size_t size;

	(void)state;
	if (!tools())
		skip();
	assert_int_equal(run("rm -f img && mkfs.fat -C -F 16 -S 4096 -s 1 img 65536"), 0);
	put_host_file("src", 10000, 3);
	assert_int_equal(run("mcopy -i img src '::/mtools file.bin'"), 0);
	m.data = load("img", &size);
	m.ss = 4096, m.sectors = size / 4096;
	m.writes = 0, m.cut = -1, m.flushes = 0, m.fail_at = -1, m.reads = 0;
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), 0);
	assert_int_equal(vol.bps, 4096);
	check_file(&vol, "/mtools file.bin", 10000, 3);
	assert_int_equal(fat_mkdir(&vol, "/a dir", 6), 0);
	write_file(&vol, "/a dir/library file.bin", 20000, 4);
	assert_int_equal(fat_unmount(&vol), 0);
	if (fsck_clean(&m))
		fail_msg("fsck:\n%s", out_buf);
	mtype_check("/a dir/library file.bin", 20000, 4);
	/* The same image on a 512-byte device is refused: the sizes differ. */
	m.ss = 512, m.sectors = size / 512;
	d = mem_dev(&m);
	assert_int_equal(fat_mount(&vol, &d, 0), KOSH_VFS_EINVAL);
	free(m.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fat_name_checksum_alias),
	    cmocka_unit_test(test_fat_read_mtools_fat12),
	    cmocka_unit_test(test_fat_read_mtools_fat16),
	    cmocka_unit_test(test_fat_read_mtools_fat32),
	    cmocka_unit_test(test_fat_write_mtools_fat12),
	    cmocka_unit_test(test_fat_write_mtools_fat16),
	    cmocka_unit_test(test_fat_write_mtools_fat32),
	    cmocka_unit_test(test_fat_dirty_bit),
	    cmocka_unit_test(test_fat_random_fat12),
	    cmocka_unit_test(test_fat_random_fat16),
	    cmocka_unit_test(test_fat_random_fat32),
	    cmocka_unit_test(test_fat_power_cut_fat12),
	    cmocka_unit_test(test_fat_power_cut_fat32),
	    cmocka_unit_test(test_fat_bad_bpb),
	    cmocka_unit_test(test_fat_corrupt_chains),
	    cmocka_unit_test(test_fat_corrupt_names),
	    cmocka_unit_test(test_fat_device_errors),
	    cmocka_unit_test(test_fat_full),
	    cmocka_unit_test(test_fat_write_error),
	    cmocka_unit_test(test_fat_io_counts),
	    cmocka_unit_test(test_fat_sector_4096),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
