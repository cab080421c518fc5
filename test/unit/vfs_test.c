/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the file protocol's checks (shared/lib/vfs.c): every request's
 * word count, byte lengths against the word count, flags, whence and modes,
 * capabilities where none are allowed, path text (empty, overlong, non-UTF-8,
 * control bytes), URI splitting, joining and normalisation (".." at the root),
 * and READDIR records written and read back, damaged ones included.
 *
 * Message bytes are always copied to a heap block of exactly the words the tag
 * announces, so AddressSanitizer catches a read past them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/proto/vfs.h>

/* ---- building requests ---- */

struct msg {
	uint64_t tag;
	uint64_t w[KOSH_MSG_WORDS_REG];
	uint64_t data[KOSH_MSG_WORDS_MAX]; /* the words after the registers */
};

/*
 * Decode m with its data copied to an exact-size heap block (kept until the
 * next call, so req's pointers stay valid). A count beyond a message's words
 * gets only a message's worth: decode must refuse it before reading any.
 */
static uint32_t decode(const struct msg *m, struct kosh_vfs_request *req)
{
	static void *copy;
	uint32_t words = KOSH_MSG_WORDS(m->tag);
	size_t n = words > KOSH_MSG_WORDS_REG ? (words - KOSH_MSG_WORDS_REG) * 8u : 0;

	if (n > sizeof(m->data))
		n = sizeof(m->data);
	free(copy);
	copy = malloc(n ? n : 1);
	memcpy(copy, m->data, n);
	return kosh_vfs_decode(m->tag, m->w, copy, req);
}

static uint32_t decode_only(const struct msg *m)
{
	struct kosh_vfs_request req;
	return decode(m, &req);
}

static uint32_t words_for(size_t bytes)
{
	return (uint32_t)(KOSH_MSG_WORDS_REG + (bytes + 7) / 8);
}

/* A path operation carrying path p (len bytes), flags in w0. */
static struct msg path_msg(uint32_t op, uint64_t w0, const char *p, size_t len)
{
	struct msg m = {0};
	memcpy(m.data, p, len);
	m.w[0] = w0;
	m.w[1] = len;
	m.tag = kosh_msg_tag(op, words_for(len), 0, 0);
	return m;
}

static struct msg open_msg(uint64_t flags, const char *p)
{
	return path_msg(KOSH_VFS_OPEN, flags, p, strlen(p));
}

static struct msg rename_msg(const char *a, const char *b)
{
	struct msg m = {0};
	size_t la = strlen(a), lb = strlen(b);
	memcpy(m.data, a, la);
	memcpy((char *)m.data + la, b, lb);
	m.w[1] = la;
	m.w[2] = lb;
	m.tag = kosh_msg_tag(KOSH_VFS_RENAME, words_for(la + lb), 0, 0);
	return m;
}

static struct msg simple_msg(uint32_t op, uint32_t words, uint64_t w0, uint64_t w1)
{
	struct msg m = {0};
	m.tag = kosh_msg_tag(op, words, 0, 0);
	m.w[0] = w0;
	m.w[1] = w1;
	return m;
}

/* ---- word counts ---- */

/* Operations without bytes: at least the words they read, at most the registers. */
static void test_word_counts_plain(void **state)
{
	static const struct {
		uint32_t op, args;
	} ops[] = {
	    {KOSH_VFS_READ, 1},		  {KOSH_VFS_SEEK, 2},	  {KOSH_VFS_STAT, 0},
	    {KOSH_VFS_READDIR, 1},	  {KOSH_VFS_TRUNCATE, 1}, {KOSH_VFS_SYNC, 0},
	    {KOSH_VFS_CLOSE, 0},	  {KOSH_VFS_TTY_GET, 0},  {KOSH_VFS_TTY_SET, 1},
	    {KOSH_VFS_TTY_FOREGROUND, 1}, {KOSH_VFS_DUP, 0},	  {KOSH_VFS_MOUNTS, 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		for (uint32_t w = 0; w <= 8; w++) {
			struct msg m = simple_msg(ops[i].op, w, 0, 0);
			uint32_t want = w >= ops[i].args && w <= 4 ? 0 : KOSH_VFS_EPROTO;
			assert_int_equal(decode_only(&m), want);
		}
	}
	/* Words past the count read as 0, whatever the registers held. */
	struct msg m = simple_msg(KOSH_VFS_SEEK, 2, 5, KOSH_VFS_SEEK_END);
	m.w[2] = 0xdead;
	struct kosh_vfs_request req;
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.op, KOSH_VFS_SEEK);
	assert_int_equal(req.arg[0], 5);
	assert_int_equal(req.arg[1], KOSH_VFS_SEEK_END);
	m = simple_msg(KOSH_VFS_READ, 1, 100, 77);
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.arg[1], 0);
}

/* Path operations: exactly the words the path needs. */
static void test_word_counts_paths(void **state)
{
	static const uint32_t ops[] = {KOSH_VFS_OPEN,	KOSH_VFS_STATP,	  KOSH_VFS_MKDIR,
				       KOSH_VFS_UNLINK, KOSH_VFS_STATFS, KOSH_VFS_UNMOUNT};
	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		uint64_t w0 = ops[i] == KOSH_VFS_OPEN ? KOSH_VFS_O_READ : 0;
		for (size_t len = 1; len <= 17; len++) {
			char p[32];
			memset(p, 'a', sizeof(p));
			p[0] = '/';
			struct msg m = path_msg(ops[i], w0, p, len);
			assert_int_equal(decode_only(&m), 0);
			m.tag = kosh_msg_tag(ops[i], words_for(len) + 1, 0, 0);
			assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
			m.tag = kosh_msg_tag(ops[i], words_for(len) - 1, 0, 0);
			assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
		}
		struct msg m = path_msg(ops[i], w0, "/a", 2);
		m.tag = kosh_msg_tag(ops[i], KOSH_MSG_WORDS_MAX, 0, 0);
		assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
		m.tag = kosh_msg_tag(ops[i], 0, 0, 0);
		assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	}
}

static void test_path_lengths(void **state)
{
	static char p[KOSH_VFS_PATH_MAX + 8];
	struct kosh_vfs_request req;
	(void)state;
	memset(p, 'x', sizeof(p));
	p[0] = '/';
	for (size_t i = 200; i < sizeof(p); i += 200)
		p[i] = '/';
	/* The longest path fits in a message; one more byte is too long. */
	struct msg m = path_msg(KOSH_VFS_STATP, 0, p, KOSH_VFS_PATH_MAX);
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.path_len, KOSH_VFS_PATH_MAX);
	assert_memory_equal(req.path, p, KOSH_VFS_PATH_MAX);
	m = path_msg(KOSH_VFS_STATP, 0, p, KOSH_VFS_PATH_MAX + 1);
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	/* A huge length never wraps the word count. */
	m = path_msg(KOSH_VFS_STATP, 0, p, 8);
	m.w[1] = UINT64_MAX - 3;
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	m.w[1] = 1ull << 61; /* (len + 7) / 8 would be 4 words shy of 2^58 */
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	/* Empty: as open(""). */
	m = path_msg(KOSH_VFS_MKDIR, 0, "", 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_ENOENT);
}

static void test_rename(void **state)
{
	struct kosh_vfs_request req;
	(void)state;
	struct msg m = rename_msg("/from/a", "/to/bb");
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.path_len, 7);
	assert_memory_equal(req.path, "/from/a", 7);
	assert_int_equal(req.path2_len, 6);
	assert_memory_equal(req.path2, "/to/bb", 6);
	/* The word count covers both. */
	m.tag = kosh_msg_tag(KOSH_VFS_RENAME, words_for(7), 0, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	m.tag = kosh_msg_tag(KOSH_VFS_RENAME, words_for(13) + 1, 0, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	/* Either empty. */
	m = rename_msg("", "/b");
	assert_int_equal(decode_only(&m), KOSH_VFS_ENOENT);
	m = rename_msg("/a", "");
	assert_int_equal(decode_only(&m), KOSH_VFS_ENOENT);
	/* Either too long, and a sum that would wrap. */
	m = rename_msg("/a", "/b");
	m.w[2] = KOSH_VFS_PATH_MAX + 1;
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	m.w[1] = UINT64_MAX;
	m.w[2] = 3;
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	/* Bad text in the second path. */
	m = rename_msg("/a", "/b\n");
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
}

static void test_write(void **state)
{
	struct kosh_vfs_request req;
	struct msg m = {0};
	(void)state;
	for (uint32_t n = 0; n <= 20; n++) {
		m = simple_msg(KOSH_VFS_WRITE, words_for(n), n, 0);
		memset(m.data, 'q', n);
		assert_int_equal(decode(&m, &req), 0);
		assert_int_equal(req.arg[0], n);
		m.tag = kosh_msg_tag(KOSH_VFS_WRITE, words_for(n) + 1, 0, 0);
		assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	}
	m = simple_msg(KOSH_VFS_WRITE, KOSH_MSG_WORDS_MAX, KOSH_VFS_IO_MAX, 0);
	assert_int_equal(decode(&m, &req), 0);
	m = simple_msg(KOSH_VFS_WRITE, KOSH_MSG_WORDS_MAX, KOSH_VFS_IO_MAX + 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	m = simple_msg(KOSH_VFS_WRITE, 5, UINT64_MAX, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	/* Any bytes at all are fine: data is not text. */
	m = simple_msg(KOSH_VFS_WRITE, 5, 3, 0);
	memcpy(m.data, "\0\xff\n", 3);
	assert_int_equal(decode_only(&m), 0);
}

/* ---- flags, whence, modes ---- */

static void test_open_flags(void **state)
{
	(void)state;
	const uint64_t R = KOSH_VFS_O_READ, W = KOSH_VFS_O_WRITE;
	assert_int_equal(decode_only(&(struct msg){0}), KOSH_VFS_ENOSYS); /* label 0 */
	struct msg m = open_msg(R, "/a");
	assert_int_equal(decode_only(&m), 0);
	m = open_msg(R | W | KOSH_VFS_O_CREATE | KOSH_VFS_O_EXCL | KOSH_VFS_O_TRUNC |
			 KOSH_VFS_O_APPEND,
		     "/a");
	assert_int_equal(decode_only(&m), 0);
	m = open_msg(R | KOSH_VFS_O_DIRECTORY, "/a");
	assert_int_equal(decode_only(&m), 0);
	/* No access mode, unknown bits, TRUNC without WRITE, CREATE with DIRECTORY. */
	m = open_msg(0, "/a");
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	m = open_msg(KOSH_VFS_O_CREATE, "/a");
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	for (int bit = 7; bit < 64; bit++) {
		m = open_msg(R | 1ull << bit, "/a");
		assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	}
	m = open_msg(R | KOSH_VFS_O_TRUNC, "/a");
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	m = open_msg(W | KOSH_VFS_O_CREATE | KOSH_VFS_O_DIRECTORY, "/a");
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
}

static void test_other_args(void **state)
{
	(void)state;
	struct msg m = path_msg(KOSH_VFS_UNLINK, 0, "/a", 2);
	assert_int_equal(decode_only(&m), 0);
	m = path_msg(KOSH_VFS_UNLINK, KOSH_VFS_UNLINK_DIR, "/a", 2);
	assert_int_equal(decode_only(&m), 0);
	m = path_msg(KOSH_VFS_UNLINK, 2, "/a", 2);
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	for (uint64_t whence = 0; whence < 6; whence++) {
		m = simple_msg(KOSH_VFS_SEEK, 4, (uint64_t)-5, whence);
		assert_int_equal(decode_only(&m),
				 whence <= KOSH_VFS_SEEK_END ? 0 : KOSH_VFS_EINVAL);
	}
	m = simple_msg(KOSH_VFS_SEEK, 2, 0, UINT64_MAX);
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	m = simple_msg(KOSH_VFS_TRUNCATE, 1, (uint64_t)INT64_MAX, 0);
	assert_int_equal(decode_only(&m), 0);
	m = simple_msg(KOSH_VFS_TRUNCATE, 1, (uint64_t)INT64_MAX + 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	for (uint64_t mode = 0; mode <= 8; mode++) {
		m = simple_msg(KOSH_VFS_TTY_SET, 1, mode, 0);
		assert_int_equal(decode_only(&m), mode <= KOSH_VFS_TTY_ALL ? 0 : KOSH_VFS_EINVAL);
	}
	m = simple_msg(KOSH_VFS_READ, 1, KOSH_VFS_IO_MAX, 0);
	assert_int_equal(decode_only(&m), 0);
	/* More than a reply holds is not an error: the server sends what fits. */
	m = simple_msg(KOSH_VFS_READ, 1, UINT64_MAX, 0);
	assert_int_equal(decode_only(&m), 0);
}

/* ---- the tag ---- */

static void test_caps(void **state)
{
	(void)state;
	struct msg m = open_msg(KOSH_VFS_O_READ, "/a");
	/* Capabilities where none are allowed. */
	for (uint32_t caps = 1; caps <= 7; caps++) {
		m.tag = kosh_msg_tag(KOSH_VFS_OPEN, words_for(2), caps, 0);
		assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	}
	static const uint32_t none[] = {KOSH_VFS_READ, KOSH_VFS_STAT, KOSH_VFS_CLOSE,
					KOSH_VFS_TTY_SET};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		struct msg s = simple_msg(none[i], 4, 0, 0);
		s.tag = kosh_msg_tag(none[i], 4, 1, 1);
		assert_int_equal(decode_only(&s), KOSH_VFS_EPROTO);
	}
	/* REGISTER needs exactly one, TTY_FOREGROUND at most one. */
	struct msg r = path_msg(KOSH_VFS_REGISTER, 0, "fs", 2);
	for (uint32_t caps = 0; caps <= 4; caps++) {
		r.tag = kosh_msg_tag(KOSH_VFS_REGISTER, words_for(2), caps, 0);
		struct kosh_vfs_request req;
		assert_int_equal(decode(&r, &req), caps == 1 ? 0 : KOSH_VFS_EPROTO);
		if (caps == 1) {
			assert_int_equal(req.caps, 1);
			assert_int_equal(req.path_len, 2);
		}
		struct msg t = simple_msg(KOSH_VFS_TTY_FOREGROUND, 1, 4, 0);
		t.tag = kosh_msg_tag(KOSH_VFS_TTY_FOREGROUND, 1, caps, 0);
		assert_int_equal(decode_only(&t), caps <= 1 ? 0 : KOSH_VFS_EPROTO);
	}
}

static void test_tag(void **state)
{
	(void)state;
	struct msg m = simple_msg(KOSH_VFS_STAT, 0, 0, 0);
	assert_int_equal(decode_only(&m), 0);
	/* Reserved bits. */
	for (int bit = 0; bit < 32; bit++) {
		if (!(KOSH_MSG_TAG_RESERVED & (1u << bit)))
			continue;
		m.tag = kosh_msg_tag(KOSH_VFS_STAT, 0, 0, 0) | 1ull << bit;
		assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	}
	/* More words than a message has. */
	m.tag = kosh_msg_tag(KOSH_VFS_WRITE, 0x3ff, 0, 0);
	m.w[0] = 8;
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	/* Labels that are no operation. */
	static const uint32_t unknown[] = {
	    0, 7, 12, 13, 15, 25, 31, 35, 1000, KOSH_LABEL_NOTIFY, UINT32_MAX};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		m.tag = kosh_msg_tag(unknown[i], 0, 0, 0);
		assert_int_equal(decode_only(&m), KOSH_VFS_ENOSYS);
	}
}

/* ---- path text ---- */

static void test_path_text(void **state)
{
	static const struct {
		const char *p;
		size_t len;
		uint32_t err;
	} cases[] = {
	    {"/a", 2, 0},
	    {"/h\xc3\xa4user/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80", 20, 0},
	    {"/\xff", 2, KOSH_VFS_EINVAL},	       /* never UTF-8 */
	    {"/\xc0\x80", 3, KOSH_VFS_EINVAL},	       /* overlong NUL */
	    {"/\xe0\x80\xaf", 4, KOSH_VFS_EINVAL},     /* overlong '/' */
	    {"/\xed\xa0\x80", 4, KOSH_VFS_EINVAL},     /* a surrogate */
	    {"/\xf4\x90\x80\x80", 5, KOSH_VFS_EINVAL}, /* above U+10FFFF */
	    {"/\xe2\x82", 3, KOSH_VFS_EINVAL},	       /* cut short */
	    {"/\x80", 2, KOSH_VFS_EINVAL},	       /* a lone continuation */
	    {"/a\0b", 4, KOSH_VFS_EINVAL},	       /* NUL */
	    {"/a\nb", 4, KOSH_VFS_EINVAL},	       /* C0 */
	    {"/a\x1b[2J", 6, KOSH_VFS_EINVAL},	       /* escape */
	    {"/a\x7f", 3, KOSH_VFS_EINVAL},	       /* DEL */
	    {"/a\xc2\x9b", 4, KOSH_VFS_EINVAL},	       /* C1 (CSI) */
	    {"/a\xc2\xa0", 4, 0},		       /* U+00A0 is text */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg m = path_msg(KOSH_VFS_STATP, 0, cases[i].p, cases[i].len);
		assert_int_equal(decode_only(&m), cases[i].err);
		assert_int_equal(kosh_vfs_path_check(cases[i].p, (uint32_t)cases[i].len),
				 cases[i].err);
	}
}

static void test_path_check(void **state)
{
	static char p[KOSH_VFS_PATH_MAX + 2];
	(void)state;
	assert_int_equal(kosh_vfs_path_check("/", 1), 0);
	assert_int_equal(kosh_vfs_path_check("", 0), KOSH_VFS_ENOENT);
	assert_int_equal(kosh_vfs_path_check("a/b", 3), KOSH_VFS_EINVAL);
	assert_int_equal(kosh_vfs_path_check("fs:///a", 7), KOSH_VFS_EINVAL);
	/* Components up to NAME_MAX bytes. */
	memset(p, 'n', sizeof(p));
	p[0] = '/';
	assert_int_equal(kosh_vfs_path_check(p, 1 + KOSH_VFS_NAME_MAX), 0);
	assert_int_equal(kosh_vfs_path_check(p, 2 + KOSH_VFS_NAME_MAX), KOSH_VFS_ENAMETOOLONG);
	p[1 + KOSH_VFS_NAME_MAX] = '/';
	assert_int_equal(kosh_vfs_path_check(p, 2 + KOSH_VFS_NAME_MAX), 0);
	assert_int_equal(kosh_vfs_path_check(p, 3 + KOSH_VFS_NAME_MAX), 0);
	for (size_t i = 100; i < sizeof(p); i += 100)
		p[i] = '/';
	assert_int_equal(kosh_vfs_path_check(p, KOSH_VFS_PATH_MAX), 0);
	assert_int_equal(kosh_vfs_path_check(p, KOSH_VFS_PATH_MAX + 1), KOSH_VFS_ENAMETOOLONG);
}

static void test_register_scheme(void **state)
{
	static const struct {
		const char *s;
		uint32_t err;
	} cases[] = {
	    {"fs", 0},
	    {"initfs", 0},
	    {"a0", 0},
	    {"abcdefghijklmno", 0},
	    {"abcdefghijklmnop", KOSH_VFS_EINVAL},
	    {"FS", KOSH_VFS_EINVAL},
	    {"f-s", KOSH_VFS_EINVAL},
	    {"fs:", KOSH_VFS_EINVAL},
	    {"f\xc3\xa4", KOSH_VFS_EINVAL},
	    {"", KOSH_VFS_EINVAL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct msg m = path_msg(KOSH_VFS_REGISTER, 0, cases[i].s, strlen(cases[i].s));
		m.tag = kosh_msg_tag(KOSH_VFS_REGISTER, words_for(strlen(cases[i].s)), 1, 0);
		assert_int_equal(decode_only(&m), cases[i].err);
	}
}

/* ---- URIs ---- */

static void test_uri_split(void **state)
{
	static const struct {
		const char *uri, *scheme, *path;
	} cases[] = {
	    {"fs:///home/a", "fs", "/home/a"},
	    {"/home/a", "fs", "/home/a"},
	    {"/", "fs", "/"},
	    {"pipe://", "pipe", "/"},
	    {"initfs:///etc/services", "initfs", "/etc/services"},
	    {"x://a/b", "x", "/a/b"},
	    {"/a//b/./c/../d/", "fs", "/a/b/d"},
	    {"/..", "fs", "/"},
	    {"/../../x", "fs", "/x"},
	    {"log:///../..", "log", "/"},
	    {"/a/b/../../..", "fs", "/"},
	    {"/a/./.", "fs", "/a"},
	    {"/...", "fs", "/..."},
	    {"/.a/..b", "fs", "/.a/..b"},
	    {"abcdefghijklmno:///", "abcdefghijklmno", "/"},
	};
	char scheme[KOSH_VFS_SCHEME_MAX + 1], out[KOSH_VFS_PATH_MAX + 1];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kosh_vfs_uri_split(cases[i].uri, (uint32_t)strlen(cases[i].uri),
						    scheme, out, sizeof(out)),
				 0);
		assert_string_equal(scheme, cases[i].scheme);
		assert_string_equal(out, cases[i].path);
	}
}

static void test_uri_split_errors(void **state)
{
	static const struct {
		const char *uri;
		uint32_t err;
	} cases[] = {
	    {"", KOSH_VFS_ENOENT},
	    {"a/b", KOSH_VFS_EINVAL},
	    {"fs:/a", KOSH_VFS_EINVAL},
	    {"Fs:///a", KOSH_VFS_EINVAL},
	    {"://a", KOSH_VFS_EINVAL},
	    {"abcdefghijklmnop:///", KOSH_VFS_ENAMETOOLONG},
	    {"fs:///a\xff", KOSH_VFS_EINVAL},
	    {"/a\tb", KOSH_VFS_EINVAL},
	};
	char scheme[KOSH_VFS_SCHEME_MAX + 1], out[KOSH_VFS_PATH_MAX + 1];
	static char big[KOSH_VFS_PATH_MAX + 2];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(kosh_vfs_uri_split(cases[i].uri, (uint32_t)strlen(cases[i].uri),
						    scheme, out, sizeof(out)),
				 cases[i].err);
	/* Too long in, too long a component, too small an output. */
	memset(big, 'b', sizeof(big));
	big[0] = '/';
	for (size_t i = 100; i < sizeof(big); i += 100)
		big[i] = '/';
	assert_int_equal(kosh_vfs_uri_split(big, KOSH_VFS_PATH_MAX, scheme, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), KOSH_VFS_PATH_MAX);
	assert_int_equal(kosh_vfs_uri_split(big, KOSH_VFS_PATH_MAX + 1, scheme, out, sizeof(out)),
			 KOSH_VFS_ENAMETOOLONG);
	assert_int_equal(kosh_vfs_uri_split(big, 300, scheme, out, 300), KOSH_VFS_ENAMETOOLONG);
	assert_int_equal(kosh_vfs_uri_split(big, 300, scheme, out, 301), 0);
	assert_int_equal(kosh_vfs_uri_split("/", 1, scheme, out, 1), KOSH_VFS_ENAMETOOLONG);
	memset(big, 'c', sizeof(big));
	big[0] = '/';
	assert_int_equal(kosh_vfs_uri_split(big, 1 + KOSH_VFS_NAME_MAX, scheme, out, sizeof(out)),
			 0);
	assert_int_equal(kosh_vfs_uri_split(big, 2 + KOSH_VFS_NAME_MAX, scheme, out, sizeof(out)),
			 KOSH_VFS_ENAMETOOLONG);
	/* Only the given bytes are read: "/ab" cut to "/a". */
	assert_int_equal(kosh_vfs_uri_split("/ab", 2, scheme, out, sizeof(out)), 0);
	assert_string_equal(out, "/a");
}

static void test_uri_join(void **state)
{
	static const struct {
		const char *cwd, *path, *out;
	} cases[] = {
	    {"fs:///home", "a", "fs:///home/a"},
	    {"fs:///home", "./a/../b", "fs:///home/b"},
	    {"fs:///home", "../tmp/x", "fs:///tmp/x"},
	    {"fs:///home", "../../../..", "fs:///"},
	    {"fs:///home", "/bin", "fs:///bin"},
	    {"initfs:///etc", "/bin", "fs:///bin"},
	    {"initfs:///etc", "services", "initfs:///etc/services"},
	    {"initfs:///etc", "log:///x//y/", "log:///x/y"},
	    {"/home", "a", "fs:///home/a"},
	    {"fs:///", "a", "fs:///a"},
	    {"pipe://", ".", "pipe:///"},
	    {"fs:///a", "b:c", "fs:///a/b:c"},
	};
	char out[KOSH_VFS_PATH_MAX + 1];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kosh_vfs_uri_join(cases[i].cwd, cases[i].path, out, sizeof(out)),
				 0);
		assert_string_equal(out, cases[i].out);
	}
	assert_int_equal(kosh_vfs_uri_join("fs:///", "", out, sizeof(out)), KOSH_VFS_ENOENT);
	assert_int_equal(kosh_vfs_uri_join("home", "a", out, sizeof(out)), KOSH_VFS_EINVAL);
	assert_int_equal(kosh_vfs_uri_join("fs:///", "a\x01", out, sizeof(out)), KOSH_VFS_EINVAL);
	assert_int_equal(kosh_vfs_uri_join("fs:///home", "a", out, 12), KOSH_VFS_ENAMETOOLONG);
	assert_int_equal(kosh_vfs_uri_join("fs:///home", "a", out, 13), 0);
	/* The joined URI must fit PATH_MAX, scheme included. */
	static char longp[KOSH_VFS_PATH_MAX + 1];
	memset(longp, 'l', KOSH_VFS_PATH_MAX - 6); /* "fs:///" and these: PATH_MAX */
	for (size_t i = 200; i < KOSH_VFS_PATH_MAX - 6; i += 200)
		longp[i] = '/';
	assert_int_equal(kosh_vfs_uri_join("fs:///", longp, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), KOSH_VFS_PATH_MAX);
	assert_int_equal(kosh_vfs_uri_join("fs:///a", longp, out, sizeof(out)),
			 KOSH_VFS_ENAMETOOLONG);
	/* An unterminated path longer than PATH_MAX is merely too long. */
	static char huge[KOSH_VFS_PATH_MAX + 64];
	memset(huge, 'h', sizeof(huge) - 1);
	assert_int_equal(kosh_vfs_uri_join("fs:///", huge, out, sizeof(out)),
			 KOSH_VFS_ENAMETOOLONG);
}

/* ---- READDIR records ---- */

static void test_dirent_roundtrip(void **state)
{
	static const char *names[] = {"a", "bin", "1234567", "12345678", "h\xc3\xa4user"};
	_Alignas(8) unsigned char buf[256];
	uint32_t used = 0, pos = 0;
	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(kosh_vfs_dirent_put(buf, sizeof(buf), &used, 100 + i, 1 + i % 2,
						     names[i], (uint32_t)strlen(names[i])),
				 0);
	assert_int_equal(used, 16 + 16 + 24 + 24 + 24);
	for (uint32_t i = 0; i < 5; i++) {
		const struct kosh_vfs_dirent *d = kosh_vfs_dirent_next(buf, used, &pos);
		assert_non_null(d);
		assert_int_equal(d->ino, 100 + i);
		assert_int_equal(d->type, 1 + i % 2);
		assert_int_equal(d->namelen, strlen(names[i]));
		assert_string_equal(d->name, names[i]);
	}
	assert_null(kosh_vfs_dirent_next(buf, used, &pos));
	assert_int_equal(pos, used);
	/* Full: ENOSPC, and nothing written. */
	uint32_t small = 0;
	assert_int_equal(kosh_vfs_dirent_put(buf, 15, &small, 1, 1, "a", 1), KOSH_VFS_ENOSPC);
	assert_int_equal(small, 0);
	assert_int_equal(kosh_vfs_dirent_put(buf, 16, &small, 1, 1, "a", 1), 0);
	assert_int_equal(kosh_vfs_dirent_put(buf, 16, &small, 1, 1, "a", 1), KOSH_VFS_ENOSPC);
	assert_int_equal(small, 16);
	/* Names of 0 or more than NAME_MAX bytes, type 0. */
	static char longname[KOSH_VFS_NAME_MAX + 1];
	static _Alignas(8) unsigned char big[1024];
	memset(longname, 'n', sizeof(longname));
	small = 0;
	assert_int_equal(kosh_vfs_dirent_put(big, sizeof(big), &small, 1, 1, "", 0),
			 KOSH_VFS_EINVAL);
	assert_int_equal(kosh_vfs_dirent_put(big, sizeof(big), &small, 1, 0, "a", 1),
			 KOSH_VFS_EINVAL);
	assert_int_equal(
	    kosh_vfs_dirent_put(big, sizeof(big), &small, 1, 1, longname, KOSH_VFS_NAME_MAX + 1),
	    KOSH_VFS_EINVAL);
	assert_int_equal(
	    kosh_vfs_dirent_put(big, sizeof(big), &small, 1, 1, longname, KOSH_VFS_NAME_MAX), 0);
	assert_int_equal(small, KOSH_VFS_DIRENT_SIZE(KOSH_VFS_NAME_MAX));
	pos = 0;
	assert_non_null(kosh_vfs_dirent_next(big, small, &pos));
}

/* One good record "abc" at buf; then damage it and expect NULL with pos unmoved. */
static void test_dirent_damaged(void **state)
{
	_Alignas(8) unsigned char buf[64];
	struct kosh_vfs_dirent *d = (struct kosh_vfs_dirent *)buf;
	uint32_t used, pos;
	(void)state;
#define FRESH()                                                                                    \
	do {                                                                                       \
		memset(buf, 0, sizeof(buf));                                                       \
		used = 0;                                                                          \
		assert_int_equal(kosh_vfs_dirent_put(buf, sizeof(buf), &used, 7, 1, "abc", 3), 0); \
		pos = 0;                                                                           \
	} while (0)
#define BAD(len)                                                                                   \
	do {                                                                                       \
		assert_null(kosh_vfs_dirent_next(buf, (len), &pos));                               \
		assert_int_equal(pos, 0);                                                          \
	} while (0)
	FRESH();
	assert_non_null(kosh_vfs_dirent_next(buf, used, &pos));
	FRESH();
	BAD(used - 1); /* cut short */
	FRESH();
	BAD(8); /* not even a header */
	FRESH();
	d->namelen = 0;
	BAD(used);
	FRESH();
	d->namelen = 200; /* past the data */
	BAD(used);
	FRESH();
	d->namelen = KOSH_VFS_NAME_MAX + 1;
	BAD(sizeof(buf));
	FRESH();
	d->name[3] = 'x'; /* no NUL */
	BAD(used);
	FRESH();
	d->name[1] = '/';
	BAD(used);
	FRESH();
	d->name[1] = '\0';
	BAD(used);
	FRESH();
	d->name[1] = '\n';
	BAD(used);
	FRESH();
	d->name[1] = (char)0xff;
	BAD(used);
	FRESH();
	d->type = 0;
	BAD(used);
	FRESH();
	d->reserved = 1;
	BAD(used);
	FRESH();
	d->namelen = 1;
	d->name[0] = '.';
	d->name[1] = '\0';
	BAD(used);
	FRESH();
	d->namelen = 2;
	d->name[0] = d->name[1] = '.';
	d->name[2] = '\0';
	BAD(used);
	/* A position that is not on a record boundary, or past the end. */
	FRESH();
	pos = 4;
	assert_null(kosh_vfs_dirent_next(buf, used, &pos));
	assert_int_equal(pos, 4);
	pos = 64;
	assert_null(kosh_vfs_dirent_next(buf, used, &pos));
	/* A buffer that is not 8-aligned is refused rather than misread. */
	FRESH();
	memmove(buf + 1, buf, used);
	assert_null(kosh_vfs_dirent_next(buf + 1, used, &pos));
#undef FRESH
#undef BAD
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(kosh_vfs_strerror(KOSH_VFS_ENOENT), "no such file or directory");
	assert_string_equal(kosh_vfs_strerror(KOSH_VFS_EPROTO), "malformed message");
	assert_string_equal(kosh_vfs_strerror(KOSH_VFS_EXDEV), "cross-scheme rename");
	assert_string_equal(kosh_vfs_strerror(KOSH_VFS_ENODEV), "no such device");
	assert_string_equal(kosh_vfs_strerror(3), "unknown error");
	assert_string_equal(kosh_vfs_strerror(UINT32_MAX), "unknown error");
	for (uint32_t e = 1; e < 100; e++)
		assert_non_null(kosh_vfs_strerror(e));
}

/* ---- mounts ---- */

/* A MOUNT of uri with flags, and caps capabilities. */
static struct msg mount_msg(uint64_t flags, const char *uri, uint32_t caps)
{
	struct msg m = path_msg(KOSH_VFS_MOUNT, flags, uri, strlen(uri));
	m.tag = kosh_msg_tag(KOSH_VFS_MOUNT, words_for(strlen(uri)), caps, 0);
	return m;
}

static void test_statfs(void **state)
{
	struct kosh_vfs_request req;
	(void)state;
	/* A path operation as STATP: a URI at the namespace, a path at a server. */
	struct msg m = path_msg(KOSH_VFS_STATFS, 0, "fs:///boot/x", 12);
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.op, KOSH_VFS_STATFS);
	assert_int_equal(req.path_len, 12);
	assert_memory_equal(req.path, "fs:///boot/x", 12);
	m = path_msg(KOSH_VFS_STATFS, 0, "/", 1);
	assert_int_equal(decode_only(&m), 0);
	m = path_msg(KOSH_VFS_STATFS, 0, "", 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_ENOENT);
	m = path_msg(KOSH_VFS_STATFS, 0, "/a\x01", 3);
	assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	m = path_msg(KOSH_VFS_STATFS, 0, "/a", 2);
	m.w[1] = KOSH_VFS_PATH_MAX + 1;
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	m = path_msg(KOSH_VFS_STATFS, 0, "/a", 2);
	m.tag = kosh_msg_tag(KOSH_VFS_STATFS, words_for(2), 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
}

static void test_mount(void **state)
{
	static char long_uri[KOSH_VFS_PATH_MAX + 8];
	struct kosh_vfs_request req;
	(void)state;
	struct msg m = mount_msg(0, "fs:///boot", 1);
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.op, KOSH_VFS_MOUNT);
	assert_int_equal(req.caps, 1);
	assert_int_equal(req.path_len, 10);
	assert_memory_equal(req.path, "fs:///boot", 10);
	/* Whole URIs: the root, deep, not normalised yet (vfsd does that). */
	static const char *const good[] = {"fs:///", "fs:///a/b/c", "x0:///a/../b//c/", "fs:///é"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		m = mount_msg(0, good[i], 1);
		assert_int_equal(decode_only(&m), 0);
	}
	/* Not a whole URI: bare paths, no path, a bad scheme, bad text. */
	static const char *const bad[] = {"/boot",	"fs://",     "fs://boot", "fs:/boot", "fs:boot",
					  "Fs:///boot", "f-s:///a",  "://a",	  ":///a",    "fs:///a\n",
					  "fs:///a\xff", "fs:///\x7f", "boot",	  "fs"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = mount_msg(0, bad[i], 1);
		assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	}
	/* Too long: the scheme, a component, the whole. */
	m = mount_msg(0, "abcdefghijklmnop:///a", 1); /* 16 bytes of scheme */
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	m = mount_msg(0, "abcdefghijklmno:///a", 1); /* 15: fine */
	assert_int_equal(decode_only(&m), 0);
	memset(long_uri, 'n', sizeof(long_uri));
	memcpy(long_uri, "fs:///", 6);
	long_uri[6 + KOSH_VFS_NAME_MAX + 1] = '\0';
	m = mount_msg(0, long_uri, 1);
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	long_uri[6 + KOSH_VFS_NAME_MAX] = '\0';
	m = mount_msg(0, long_uri, 1);
	assert_int_equal(decode_only(&m), 0);
	m = mount_msg(0, "fs:///a", 1);
	m.w[1] = KOSH_VFS_PATH_MAX + 1;
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	m = mount_msg(0, "fs:///a", 1);
	m.w[1] = 0;
	m.tag = kosh_msg_tag(KOSH_VFS_MOUNT, 4, 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_ENOENT);
	/* The word count covers exactly the URI. */
	m = mount_msg(0, "fs:///boot", 1);
	m.tag = kosh_msg_tag(KOSH_VFS_MOUNT, words_for(10) + 1, 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	m.tag = kosh_msg_tag(KOSH_VFS_MOUNT, words_for(10) - 1, 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	/* Exactly one capability. */
	for (uint32_t caps = 0; caps <= 4; caps++) {
		m = mount_msg(0, "fs:///boot", caps);
		assert_int_equal(decode_only(&m), caps == 1 ? 0 : KOSH_VFS_EPROTO);
	}
	/* Flags within KOSH_VFS_MOUNT_ALL (none yet). */
	for (int bit = 0; bit < 64; bit++) {
		m = mount_msg(1ull << bit, "fs:///boot", 1);
		assert_int_equal(decode_only(&m),
				 ((uint64_t)KOSH_VFS_MOUNT_ALL >> bit & 1) ? 0 : KOSH_VFS_EINVAL);
	}
}

static void test_unmount(void **state)
{
	struct kosh_vfs_request req;
	(void)state;
	/* A whole URI (the namespace) or a path (a server's root). */
	struct msg m = path_msg(KOSH_VFS_UNMOUNT, 0, "fs:///boot", 10);
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.op, KOSH_VFS_UNMOUNT);
	assert_int_equal(req.path_len, 10);
	static const char *const good[] = {"/", "/boot", "fs:///", "fs:///a/b"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		m = path_msg(KOSH_VFS_UNMOUNT, 0, good[i], strlen(good[i]));
		assert_int_equal(decode_only(&m), 0);
	}
	static const char *const bad[] = {"boot", "fs://", "fs://boot", "FS:///", "/a\n", "fs:///a\n",
					  "/\xc0\x80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = path_msg(KOSH_VFS_UNMOUNT, 0, bad[i], strlen(bad[i]));
		assert_int_equal(decode_only(&m), KOSH_VFS_EINVAL);
	}
	m = path_msg(KOSH_VFS_UNMOUNT, 0, "", 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_ENOENT);
	m = path_msg(KOSH_VFS_UNMOUNT, 0, "/a", 2);
	m.w[1] = UINT64_MAX;
	assert_int_equal(decode_only(&m), KOSH_VFS_ENAMETOOLONG);
	/* No capabilities. */
	for (uint32_t caps = 1; caps <= 4; caps++) {
		m = path_msg(KOSH_VFS_UNMOUNT, 0, "/", 1);
		m.tag = kosh_msg_tag(KOSH_VFS_UNMOUNT, words_for(1), caps, 0);
		assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	}
}

static void test_mounts(void **state)
{
	struct kosh_vfs_request req;
	(void)state;
	struct msg m = simple_msg(KOSH_VFS_MOUNTS, 1, 7, 0);
	assert_int_equal(decode(&m, &req), 0);
	assert_int_equal(req.op, KOSH_VFS_MOUNTS);
	assert_int_equal(req.arg[0], 7);
	assert_null(req.path);
	m = simple_msg(KOSH_VFS_MOUNTS, 1, UINT64_MAX, 0);
	assert_int_equal(decode_only(&m), 0);
	/* No bytes, no capabilities. */
	m = simple_msg(KOSH_VFS_MOUNTS, 5, 0, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	m = simple_msg(KOSH_VFS_MOUNTS, 0, 0, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
	m.tag = kosh_msg_tag(KOSH_VFS_MOUNTS, 1, 1, 0);
	assert_int_equal(decode_only(&m), KOSH_VFS_EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_word_counts_plain),
	    cmocka_unit_test(test_word_counts_paths),
	    cmocka_unit_test(test_path_lengths),
	    cmocka_unit_test(test_rename),
	    cmocka_unit_test(test_write),
	    cmocka_unit_test(test_open_flags),
	    cmocka_unit_test(test_other_args),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_tag),
	    cmocka_unit_test(test_path_text),
	    cmocka_unit_test(test_path_check),
	    cmocka_unit_test(test_register_scheme),
	    cmocka_unit_test(test_uri_split),
	    cmocka_unit_test(test_uri_split_errors),
	    cmocka_unit_test(test_uri_join),
	    cmocka_unit_test(test_dirent_roundtrip),
	    cmocka_unit_test(test_dirent_damaged),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_statfs),
	    cmocka_unit_test(test_mount),
	    cmocka_unit_test(test_unmount),
	    cmocka_unit_test(test_mounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
