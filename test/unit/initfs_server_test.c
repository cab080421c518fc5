/* SPDX-License-Identifier: MIT */
/*
 * Host tests for bootstrap's initfs tree and path rules
 * (user/servers/bootstrap/initfs.c): archives are built here, header by header,
 * with names the packer would never write ("..", control bytes, broken UTF-8),
 * and every path a client may send is checked: "..", empty, overlong and
 * non-UTF-8 names, and every way of asking to write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "initfs.h"

static struct initfs fs; /* about 150 KiB: not on the stack */

/* ---- a small ustar writer ---- */

struct archive {
	uint8_t *p;
	size_t len, cap;
};

static void octal(uint8_t *field, size_t width, uint64_t v)
{
	snprintf((char *)field, width, "%0*llo", (int)(width - 1), (unsigned long long)v);
}

/* One entry; name longer than 100 bytes goes to the prefix field (split at a '/'). */
static void put(struct archive *a, const char *name, char type, uint32_t mode, const char *data)
{
	size_t n = strlen(name), dlen = data ? strlen(data) : 0;
	size_t blocks = 1 + (dlen + 511) / 512;
	uint8_t *h;
	unsigned sum = 0;
	if (a->len + blocks * 512 + 1024 > a->cap) {
		a->cap = (a->len + blocks * 512 + 1024) * 2;
		a->p = realloc(a->p, a->cap);
		assert_non_null(a->p);
	}
	h = a->p + a->len;
	memset(h, 0, blocks * 512);
	if (n <= 100) {
		memcpy(h, name, n);
	} else {
		size_t cut = n - 100;
		while (cut < n && name[cut] != '/')
			cut++;
		assert_true(cut < n && cut <= 155);
		memcpy(h + 345, name, cut);
		memcpy(h, name + cut + 1, n - cut - 1);
	}
	octal(h + 100, 8, mode);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, dlen);
	octal(h + 136, 12, 0);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (dlen)
		memcpy(h + 512, data, dlen);
	a->len += blocks * 512;
}

static void finish(struct archive *a)
{
	memset(a->p + a->len, 0, 1024);
	a->len += 1024;
}

static struct archive sample(void)
{
	struct archive a = {0};
	put(&a, "./", '5', 0755, NULL);
	put(&a, "etc/", '5', 0750, NULL);
	put(&a, "etc/services", '0', 0644, "[service a]\n");
	put(&a, "etc/version", '0', 0644, "0.1.0\n");
	put(&a, "sbin/init", '0', 0755, "\177ELF....");
	put(&a, "bin/tests/helpers/fault", '0', 0700, "x"); /* bin/, bin/tests/, … implied */
	put(&a, "empty", '0', 0600, NULL);
	put(&a, "link", '2', 0777, NULL); /* a symbolic link: left out */
	finish(&a);
	return a;
}

static void build(struct archive *a)
{
	assert_int_equal(initfs_build(&fs, a->p, a->len), 0);
}

/* ---- paths ---- */

static uint32_t path(const char *p, char *out)
{
	static char buf[INITFS_PATH_MAX];
	uint32_t len = 0xdead;
	uint32_t err = initfs_path(p, (uint32_t)strlen(p), out ? out : buf, INITFS_PATH_MAX, &len);
	if (!err)
		assert_int_equal(len, strlen(out ? out : buf));
	return err;
}

static void test_initfs_path_normalises(void **state)
{
	char out[INITFS_PATH_MAX];
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"/", ""},
	    {"/etc/services", "etc/services"},
	    {"//etc///services/", "etc/services"},
	    {"/./etc/./services/.", "etc/services"},
	    {"/etc/../etc/services", "etc/services"},
	    {"/a/b/c/../../d", "a/d"},
	    {"/a/..", ""},
	    {"/...", "..."},
	    {"/..a/b..", "..a/b.."},
	    {"/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80",
	     "caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(path(cases[i].in, out), 0);
		assert_string_equal(out, cases[i].out);
	}
}

static void test_initfs_path_refuses_escapes(void **state)
{
	static const char *bad[] = {"/..",	  "/../etc/services", "/etc/../../x",
				    "/a/./../..", "//..//",	      "/a/b/../../../c"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(path(bad[i], NULL), KOSH_VFS_EACCES);
}

static void test_initfs_path_refuses_empty_and_relative(void **state)
{
	char out[INITFS_PATH_MAX];
	uint32_t len;
	assert_int_equal(initfs_path("", 0, out, sizeof(out), &len), KOSH_VFS_ENOENT);
	assert_int_equal(path("etc/services", NULL), KOSH_VFS_EINVAL);
	assert_int_equal(path(".", NULL), KOSH_VFS_EINVAL);
	assert_int_equal(path("initfs:///etc", NULL), KOSH_VFS_EINVAL);
}

static void test_initfs_path_refuses_bad_bytes(void **state)
{
	char out[INITFS_PATH_MAX];
	uint32_t len;
	static const char *bad[] = {
	    "/a\x01",
	    "/a\x7f",
	    "/a\tb",
	    "/a\nb",
	    "/\xc3",
	    "/\xc3(",
	    "/\x80",
	    "/\xc0\xaf", /* overlong '/' */
	    "/\xe0\x80\xaf",
	    "/\xed\xa0\x80",	 /* a surrogate */
	    "/\xf4\x90\x80\x80", /* above U+10FFFF */
	    "/\xf5\x80\x80\x80",
	    "/\xff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(path(bad[i], NULL), KOSH_VFS_EINVAL);
	/* A NUL inside the given length is a control byte, not the end. */
	assert_int_equal(initfs_path("/etc\0/x", 7, out, sizeof(out), &len), KOSH_VFS_EINVAL);
}

static void test_initfs_path_refuses_overlong(void **state)
{
	static char p[KOSH_VFS_PATH_MAX + 2];
	char out[INITFS_PATH_MAX];
	uint32_t len;
	/* A component of 255 bytes is fine, 256 is not. */
	p[0] = '/';
	memset(p + 1, 'n', 255);
	p[256] = '\0';
	assert_int_equal(path(p, out), 0);
	p[256] = 'n';
	p[257] = '\0';
	assert_int_equal(path(p, NULL), KOSH_VFS_ENAMETOOLONG);
	/* The whole path: at most KOSH_VFS_PATH_MAX bytes (all "/" here, so it would fit). */
	memset(p, '/', KOSH_VFS_PATH_MAX + 1);
	assert_int_equal(initfs_path(p, KOSH_VFS_PATH_MAX, out, sizeof(out), &len), 0);
	assert_int_equal(initfs_path(p, KOSH_VFS_PATH_MAX + 1, out, sizeof(out), &len),
			 KOSH_VFS_ENAMETOOLONG);
	/* A result longer than the output: 2 x 200 bytes, out holds 256. */
	memset(p, 'a', 401);
	p[0] = '/';
	p[201] = '/';
	p[401] = '\0';
	assert_int_equal(path(p, NULL), KOSH_VFS_ENAMETOOLONG);
	/* ".." brings it back under the limit. */
	strcpy(p + 401, "/..");
	assert_int_equal(path(p, NULL), KOSH_VFS_ENAMETOOLONG); /* it overflowed on the way */
	p[201] = '\0';
	strcat(p, "/x/../y");
	assert_int_equal(path(p, out), 0);
	assert_int_equal(strlen(out), 202);
}

/* ---- the tree ---- */

static int find(const char *p)
{
	return initfs_find(&fs, p, (uint32_t)strlen(p));
}

static void test_initfs_build_indexes_files_and_directories(void **state)
{
	struct archive a = sample();
	struct kosh_vfs_stat st;
	build(&a);
	assert_int_equal(fs.skipped, 1); /* the link */
	assert_int_equal(find(""), 0);
	assert_true(find("etc") > 0);
	assert_true(find("etc/services") > 0);
	assert_true(find("bin") > 0);
	assert_true(find("bin/tests") > 0);
	assert_true(find("bin/tests/helpers") > 0);
	assert_int_equal(find("link"), -1);
	assert_int_equal(find("etc/"), -1);

	initfs_stat(&fs, (uint32_t)find("etc/services"), &st);
	assert_int_equal(st.type, KOSH_VFS_FILE);
	assert_int_equal(st.mode, 0644);
	assert_int_equal(st.size, 12);
	assert_int_equal(st.ino, (uint64_t)find("etc/services") + 1);
	initfs_stat(&fs, (uint32_t)find("etc"), &st);
	assert_int_equal(st.type, KOSH_VFS_DIR);
	assert_int_equal(st.mode, 0750); /* explicit */
	assert_int_equal(st.size, 2);
	initfs_stat(&fs, (uint32_t)find("bin/tests"), &st);
	assert_int_equal(st.mode, INITFS_DIR_MODE); /* implied */
	assert_int_equal(st.size, 1);
	initfs_stat(&fs, 0, &st);
	assert_int_equal(st.type, KOSH_VFS_DIR);
	assert_int_equal(st.size, 4); /* etc sbin bin empty */
	initfs_stat(&fs, (uint32_t)find("sbin/init"), &st);
	assert_int_equal(st.mode, 0755);
	free(a.p);
}

static void test_initfs_build_skips_bad_names(void **state)
{
	struct archive a = {0};
	put(&a, "../escape", '0', 0644, "x");
	put(&a, "a/../../b", '0', 0644, "x");
	put(&a, "ctl\x01name", '0', 0644, "x");
	put(&a, "bad\xc3(utf8", '0', 0644, "x");
	put(&a, "ok/../fine", '0', 0644, "fine"); /* stays inside: stored as "fine" */
	put(&a, "file", '0', 0644, "x");
	put(&a, "file/under", '0', 0644, "x"); /* a file in the way */
	put(&a, "file", '5', 0755, NULL);      /* a clash of kinds */
	put(&a, "dev", '3', 0644, NULL);       /* a character device */
	finish(&a);
	build(&a);
	assert_int_equal(fs.skipped, 7);
	assert_int_equal(fs.count, 3); /* root, fine, file */
	assert_true(find("fine") > 0);
	assert_int_equal(fs.nodes[find("file")].type, KOSH_VFS_FILE);
	free(a.p);
}

static void test_initfs_build_later_entry_wins(void **state)
{
	struct archive a = {0};
	char buf[16];
	uint32_t got;
	put(&a, "x", '0', 0644, "old");
	put(&a, "x", '0', 0600, "newer");
	put(&a, "d/f", '0', 0644, "f");
	put(&a, "d", '5', 0700, NULL); /* an explicit entry after the implied directory */
	finish(&a);
	build(&a);
	assert_int_equal(fs.count, 4);
	assert_int_equal(initfs_read(&fs, (uint32_t)find("x"), 0, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, "newer", 5);
	assert_int_equal(fs.nodes[find("x")].mode, 0600);
	assert_int_equal(fs.nodes[find("d")].mode, 0700);
	assert_int_equal(fs.nodes[0].children, 2);
	free(a.p);
}

static void test_initfs_build_long_names_and_damage(void **state)
{
	struct archive a = {0};
	char name[300];
	memset(name, 'p', 150);
	name[150] = '/';
	memset(name + 151, 'q', 99);
	name[250] = '\0';
	put(&a, name, '0', 0644, "deep");
	finish(&a);
	build(&a);
	assert_true(find(name) > 0);
	/* A broken checksum is the tar reader's error. */
	a.p[148] ^= 1;
	assert_int_equal(initfs_build(&fs, a.p, a.len), KOSH_TAR_E_CHECKSUM);
	assert_int_equal(initfs_build(&fs, a.p, 100), KOSH_TAR_E_TRUNCATED);
	free(a.p);
}

static void test_initfs_build_full_index(void **state)
{
	struct archive a = {0};
	char name[32];
	for (int i = 0; i < INITFS_NODES_MAX; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		put(&a, name, '0', 0644, NULL);
	}
	finish(&a);
	assert_int_equal(initfs_build(&fs, a.p, a.len), -100); /* the root takes a node */
	free(a.p);
}

/* ---- open, read, readdir ---- */

static uint32_t open_path(const char *p, uint32_t flags, uint32_t *node)
{
	return initfs_open(&fs, p, (uint32_t)strlen(p), flags, node);
}

static void test_initfs_open(void **state)
{
	struct archive a = sample();
	uint32_t node = 0;
	build(&a);
	assert_int_equal(open_path("/etc/services", KOSH_VFS_O_READ, &node), 0);
	assert_int_equal(node, find("etc/services"));
	assert_int_equal(open_path("/etc", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY, &node), 0);
	assert_int_equal(node, find("etc"));
	assert_int_equal(open_path("/", KOSH_VFS_O_READ, &node), 0);
	assert_int_equal(node, 0);
	assert_int_equal(open_path("/bin/tests/../../etc/./version", KOSH_VFS_O_READ, &node), 0);
	assert_int_equal(node, find("etc/version"));
	assert_int_equal(open_path("/nope", KOSH_VFS_O_READ, &node), KOSH_VFS_ENOENT);
	assert_int_equal(open_path("/etc/nope", KOSH_VFS_O_READ, &node), KOSH_VFS_ENOENT);
	assert_int_equal(open_path("/etc/services/x", KOSH_VFS_O_READ, &node), KOSH_VFS_ENOTDIR);
	assert_int_equal(open_path("/etc/services", KOSH_VFS_O_DIRECTORY, &node), KOSH_VFS_ENOTDIR);
	assert_int_equal(open_path("/../etc/services", KOSH_VFS_O_READ, &node), KOSH_VFS_EACCES);
	assert_int_equal(open_path("", KOSH_VFS_O_READ, &node), KOSH_VFS_ENOENT);
	free(a.p);
}

static void test_initfs_open_refuses_writing(void **state)
{
	struct archive a = sample();
	uint32_t node = 0x77;
	build(&a);
	static const uint32_t flags[] = {
	    KOSH_VFS_O_WRITE,
	    KOSH_VFS_O_READ | KOSH_VFS_O_WRITE,
	    KOSH_VFS_O_READ | KOSH_VFS_O_TRUNC,
	    KOSH_VFS_O_READ | KOSH_VFS_O_APPEND,
	    KOSH_VFS_O_READ | KOSH_VFS_O_CREATE,
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		assert_int_equal(open_path("/etc/services", flags[i], &node), KOSH_VFS_EROFS);
	assert_int_equal(open_path("/new", KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE, &node),
			 KOSH_VFS_EROFS);
	assert_int_equal(open_path("/new", KOSH_VFS_O_WRITE, &node), KOSH_VFS_ENOENT);
	assert_int_equal(open_path("/etc/services",
				   KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_EXCL, &node),
			 KOSH_VFS_EEXIST);
	assert_int_equal(open_path("/etc", KOSH_VFS_O_WRITE, &node), KOSH_VFS_EISDIR);
	assert_int_equal(node, 0x77); /* untouched on failure */
	free(a.p);
}

static void test_initfs_read(void **state)
{
	struct archive a = sample();
	char buf[64];
	uint32_t got = 99;
	uint32_t n;
	build(&a);
	n = (uint32_t)find("etc/services");
	assert_int_equal(initfs_read(&fs, n, 0, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 12);
	assert_memory_equal(buf, "[service a]\n", 12);
	assert_int_equal(initfs_read(&fs, n, 9, buf, 2, &got), 0);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "a]", 2);
	assert_int_equal(initfs_read(&fs, n, 12, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(initfs_read(&fs, n, UINT64_MAX, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(initfs_read(&fs, (uint32_t)find("empty"), 0, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(initfs_read(&fs, (uint32_t)find("etc"), 0, buf, sizeof(buf), &got),
			 KOSH_VFS_EISDIR);
	free(a.p);
}

/* Names of the records in buf[0 .. used), joined by ' '. */
static void names(const void *buf, uint32_t used, char *out)
{
	const struct kosh_vfs_dirent *d;
	uint32_t pos = 0;
	out[0] = '\0';
	while ((d = kosh_vfs_dirent_next(buf, used, &pos))) {
		if (out[0])
			strcat(out, " ");
		strncat(out, d->name, d->namelen);
		assert_true(d->ino >= 2 && d->ino <= fs.count); /* a node, not the root */
		assert_int_equal(d->type, fs.nodes[d->ino - 1].type);
	}
}

static void test_initfs_readdir(void **state)
{
	struct archive a = sample();
	uint64_t buf[512];
	char out[256];
	uint32_t used;
	uint64_t next;
	int end;
	build(&a);
	assert_int_equal(initfs_readdir(&fs, 0, 0, buf, sizeof(buf), &used, &next, &end), 0);
	names(buf, used, out);
	assert_string_equal(out, "etc sbin bin empty");
	assert_int_equal(end, 1);
	assert_int_equal(
	    initfs_readdir(&fs, (uint32_t)find("etc"), 0, buf, sizeof(buf), &used, &next, &end), 0);
	names(buf, used, out);
	assert_string_equal(out, "services version");
	/* Types of the records. */
	const struct kosh_vfs_dirent *d;
	uint32_t pos = 0;
	assert_int_equal(initfs_readdir(&fs, (uint32_t)find("bin/tests"), 0, buf, sizeof(buf),
					&used, &next, &end),
			 0);
	d = kosh_vfs_dirent_next(buf, used, &pos);
	assert_non_null(d);
	assert_int_equal(d->type, KOSH_VFS_DIR);
	assert_string_equal(d->name, "helpers");
	assert_null(kosh_vfs_dirent_next(buf, used, &pos));
	/* A file is not a directory; a cookie past the end is the end. */
	assert_int_equal(initfs_readdir(&fs, (uint32_t)find("etc/version"), 0, buf, sizeof(buf),
					&used, &next, &end),
			 KOSH_VFS_ENOTDIR);
	assert_int_equal(initfs_readdir(&fs, 0, UINT64_MAX, buf, sizeof(buf), &used, &next, &end),
			 0);
	assert_int_equal(used, 0);
	assert_int_equal(end, 1);
	free(a.p);
}

static void test_initfs_readdir_in_small_pieces(void **state)
{
	struct archive a = sample();
	uint64_t buf[4]; /* 32 bytes: one record of a short name */
	char out[256] = "", part[64];
	uint32_t used;
	uint64_t cookie = 0, next;
	int end = 0, rounds = 0;
	build(&a);
	while (!end) {
		assert_int_equal(
		    initfs_readdir(&fs, 0, cookie, buf, sizeof(buf), &used, &next, &end), 0);
		assert_true(used > 0 || end);
		names(buf, used, part);
		if (part[0]) {
			if (out[0])
				strcat(out, " ");
			strcat(out, part);
		}
		cookie = next;
		assert_true(++rounds < 10);
	}
	assert_string_equal(out, "etc sbin bin empty");
	/* Too small for even one record. */
	assert_int_equal(initfs_readdir(&fs, 0, 0, buf, 8, &used, &next, &end), KOSH_VFS_EINVAL);
	free(a.p);
}

/* The initfs the build packs, when it is there: every file reads back in full. */
static void test_initfs_real_archive(void **state)
{
	FILE *f = fopen(KOSH_BINARY_DIR "/initfs-x86_64.tar", "rb");
	static uint8_t data[32 << 20];
	struct kosh_vfs_stat st;
	uint32_t node;
	size_t len;
	if (!f)
		skip();
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	build(&(struct archive){data, len, len});
	assert_int_equal(fs.skipped, 0);
	assert_int_equal(open_path("/sbin/bootstrap", KOSH_VFS_O_READ, &node), 0);
	initfs_stat(&fs, node, &st);
	assert_true(st.size > 0);
	assert_int_equal(open_path("/etc/services", KOSH_VFS_O_READ, &node), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_initfs_path_normalises),
	    cmocka_unit_test(test_initfs_path_refuses_escapes),
	    cmocka_unit_test(test_initfs_path_refuses_empty_and_relative),
	    cmocka_unit_test(test_initfs_path_refuses_bad_bytes),
	    cmocka_unit_test(test_initfs_path_refuses_overlong),
	    cmocka_unit_test(test_initfs_build_indexes_files_and_directories),
	    cmocka_unit_test(test_initfs_build_skips_bad_names),
	    cmocka_unit_test(test_initfs_build_later_entry_wins),
	    cmocka_unit_test(test_initfs_build_long_names_and_damage),
	    cmocka_unit_test(test_initfs_build_full_index),
	    cmocka_unit_test(test_initfs_open),
	    cmocka_unit_test(test_initfs_open_refuses_writing),
	    cmocka_unit_test(test_initfs_read),
	    cmocka_unit_test(test_initfs_readdir),
	    cmocka_unit_test(test_initfs_readdir_in_small_pieces),
	    cmocka_unit_test(test_initfs_real_archive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
