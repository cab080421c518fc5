/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the ustar reader (shared/lib/tar.c).
 *
 * Archives are built in memory with correct checksums, then broken one field at a
 * time. Two tests read archives written by GNU tar (ustar and GNU formats) and
 * skip themselves when tar is not installed.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/tar.h>

#define ARCHIVE_MAX (64 * 1024)

struct archive {
	uint8_t buf[ARCHIVE_MAX];
	size_t size;
};

static struct archive ar; /* too big for the stack of a test */

static void set_field(uint8_t *h, unsigned off, unsigned len, const char *s)
{
	memset(h + off, 0, len);
	memcpy(h + off, s, strlen(s) < len ? strlen(s) : len);
}

static void set_octal(uint8_t *h, unsigned off, unsigned len, uint64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%0*llo", (int)len - 1, (unsigned long long)v);
	set_field(h, off, len, tmp);
}

/* Writes the checksum as GNU tar does: six octal digits, NUL, space. */
static void seal(uint8_t *h)
{
	unsigned sum = 0;
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	char tmp[8];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(h + 148, tmp, 6);
	h[154] = '\0';
	h[155] = ' ';
}

static void header_init(uint8_t *h, const char *name, char type, uint64_t size)
{
	memset(h, 0, 512);
	set_field(h, 0, 100, name);
	set_octal(h, 100, 8, 0644);
	set_octal(h, 108, 8, 1000);
	set_octal(h, 116, 8, 1000);
	set_octal(h, 124, 12, size);
	set_octal(h, 136, 12, 1700000000);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	set_field(h, 265, 32, "kosh");
	set_field(h, 297, 32, "kosh");
	seal(h);
}

static void archive_reset(void)
{
	memset(&ar, 0, sizeof(ar));
}

/* Appends a header (already built) and its data, padded; returns the header. */
static uint8_t *append_raw(const uint8_t *h, const void *data, size_t len)
{
	uint8_t *at = ar.buf + ar.size;
	assert_true(ar.size + 512 + len + 511 <= ARCHIVE_MAX);
	memcpy(at, h, 512);
	if (len)
		memcpy(at + 512, data, len);
	ar.size += 512 + (len + 511) / 512 * 512;
	return at;
}

static uint8_t *append(const char *name, char type, const void *data, size_t len)
{
	uint8_t h[512];
	header_init(h, name, type, len);
	return append_raw(h, data, len);
}

static void append_end(void)
{
	assert_true(ar.size + 1024 <= ARCHIVE_MAX);
	memset(ar.buf + ar.size, 0, 1024);
	ar.size += 1024;
}

static int next(struct kosh_tar_iter *it, struct kosh_tar_entry *e)
{
	return kosh_tar_next(it, e);
}

static int first_result(void)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	return next(&it, &e);
}

/* A small initfs: a directory, a short file and a file of several blocks. */
static void build_sample(void)
{
	static char big[1300];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	archive_reset();
	append("etc/", '5', NULL, 0);
	append("etc/motd", '0', "hello", 5);
	append("sbin/init", '0', big, sizeof(big));
	append_end();
}

static void test_tar_reads_entries_in_order(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	build_sample();
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_string_equal(e.name, "etc/");
	assert_int_equal(e.type, '5');
	assert_int_equal(e.size, 0);
	assert_int_equal(next(&it, &e), 1);
	assert_string_equal(e.name, "etc/motd");
	assert_int_equal(e.type, '0');
	assert_int_equal(e.mode, 0644);
	assert_int_equal(e.size, 5);
	assert_ptr_equal(e.data, ar.buf + 1024);
	assert_memory_equal(e.data, "hello", 5);
	assert_int_equal(next(&it, &e), 1);
	assert_string_equal(e.name, "sbin/init");
	assert_int_equal(e.size, 1300);
	assert_ptr_equal(e.data, ar.buf + 2048);
	assert_int_equal(e.data[1299], 'a' + 1299 % 26);
	assert_int_equal(next(&it, &e), 0);
	assert_int_equal(next(&it, &e), 0); /* the end stays the end */
}

static void test_tar_validate_counts_entries(void **state)
{
	uint32_t count = 99;
	build_sample();
	assert_int_equal(kosh_tar_validate(ar.buf, ar.size, &count), KOSH_TAR_OK);
	assert_int_equal(count, 3);
}

static void test_tar_accepts_empty_archive(void **state)
{
	uint32_t count = 99;
	archive_reset();
	append_end();
	assert_int_equal(kosh_tar_validate(ar.buf, ar.size, &count), KOSH_TAR_OK);
	assert_int_equal(count, 0);
	/* One zero block is enough; what follows it is not read. */
	memset(ar.buf + 512, 0xff, 512);
	assert_int_equal(kosh_tar_validate(ar.buf, ar.size, &count), KOSH_TAR_OK);
	assert_int_equal(kosh_tar_validate(ar.buf, 512, &count), KOSH_TAR_OK);
}

static void test_tar_accepts_gnu_magic(void **state)
{
	archive_reset();
	uint8_t *h = append("gnu-file", '0', "x", 1);
	memcpy(h + 257, "ustar  \0", 8);
	seal(h);
	append_end();
	assert_int_equal(first_result(), 1);
}

static void test_tar_rejects_bad_magic(void **state)
{
	static const char *const bad[] = { ("ustaX\0" "00"), ("USTAR\0" "00"), "ustarX00",
					   "\0\0\0\0\0\0\0\0", ("ustr\0" "000") };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		archive_reset();
		uint8_t *h = append("f", '0', "x", 1);
		memcpy(h + 257, bad[i], 8);
		seal(h);
		append_end();
		assert_int_equal(first_result(), KOSH_TAR_E_MAGIC);
	}
}

static void test_tar_rejects_bad_checksum(void **state)
{
	uint32_t count;
	build_sample();
	ar.buf[512 + 3] ^= 1; /* "etc/motd" becomes "etc.motd" after sealing */
	assert_int_equal(kosh_tar_validate(ar.buf, ar.size, &count), KOSH_TAR_E_CHECKSUM);
	assert_int_equal(count, 0);
	build_sample();
	ar.buf[148] = '7'; /* the stored sum itself */
	assert_int_equal(first_result(), KOSH_TAR_E_CHECKSUM);
	build_sample();
	memcpy(ar.buf + 148, "0x1234\0 ", 8); /* not octal at all */
	assert_int_equal(first_result(), KOSH_TAR_E_CHECKSUM);
	build_sample();
	memset(ar.buf + 148, ' ', 8); /* empty */
	assert_int_equal(first_result(), KOSH_TAR_E_CHECKSUM);
}

/* Rewrites the checksum field of h in another layout; nul_at >= 0 puts a NUL there. */
static void write_checksum(uint8_t *h, const char *format, int nul_at)
{
	unsigned sum = 0;
	char tmp[16] = { 0 };
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf(tmp, sizeof(tmp), format, sum);
	if (nul_at >= 0)
		tmp[nul_at] = '\0';
	memcpy(h + 148, tmp, 8);
}

static void test_tar_accepts_checksum_variants(void **state)
{
	static const struct {
		const char *format;
		int nul_at;
	} variants[] = {
		{ "%06o  ", 6 },  /* GNU: digits, NUL, space */
		{ "%07o", -1 },   /* POSIX: digits, NUL */
		{ " %06o ", 7 },  /* leading space, then NUL */
		{ " %05o  ", -1 }, /* terminated by spaces only */
		{ "%08o", -1 },   /* the whole field, no terminator */
	};
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		build_sample();
		write_checksum(ar.buf, variants[i].format, variants[i].nul_at);
		assert_int_equal(first_result(), 1);
	}
}

static void test_tar_reads_numbers_strictly(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	archive_reset();
	uint8_t *h = append("f", '0', "hello", 5);
	append_end();
	memcpy(h + 124, "000000000005", 12); /* full field, no terminator */
	seal(h);
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(e.size, 5);
	memcpy(h + 124, "      5 \0\0\0\0", 12); /* leading spaces, space then NULs */
	seal(h);
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(e.size, 5);
	memcpy(h + 100, "755\0\0\0\0\0", 8);
	seal(h);
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(e.mode, 0755);
}

static void test_tar_rejects_malformed_numbers(void **state)
{
	static const char *const sizes[] = {
		"00000000008\0", /* not octal */
		"0000000000x\0", "-0000000005\0",
		"\0\0\0\0\0\0\0\0\0\0\0\0", /* no digits */
		"           \0",             /* no digits */
		"00000000005x",              /* junk after the number */
		("0000005\0" "123"),         /* junk after the terminator */
		"000 0000005\0",             /* a space inside */
		"\x80\0\0\0\0\0\0\0\0\0\0\x05", /* GNU base-256 */
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		archive_reset();
		uint8_t *h = append("f", '0', "hello", 5);
		append_end();
		memcpy(h + 124, sizes[i], 12);
		seal(h);
		assert_int_equal(first_result(), KOSH_TAR_E_NUMBER);
	}
	archive_reset();
	uint8_t *h = append("f", '0', "hello", 5);
	append_end();
	memcpy(h + 100, "0006x4\0\0", 8);
	seal(h);
	assert_int_equal(first_result(), KOSH_TAR_E_NUMBER);
}

static void test_tar_reads_prefix_names(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	archive_reset();
	uint8_t *h = append("file.txt", '0', "x", 1);
	set_field(h, 345, 155, "usr/share/doc/kosh");
	seal(h);
	append_end();
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_string_equal(e.name, "usr/share/doc/kosh/file.txt");
}

static void test_tar_reads_names_filling_their_fields(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	char name[101], prefix[156], expect[KOSH_TAR_NAME_MAX];
	memset(name, 'n', 100);
	name[100] = '\0';
	memset(prefix, 'p', 154);
	prefix[154] = '\0';
	archive_reset();
	uint8_t *h = append("", '0', "x", 1);
	memcpy(h, name, 100); /* unterminated: the field is full */
	seal(h);
	h = append("", '0', "x", 1);
	memcpy(h, name, 100);
	memcpy(h + 345, prefix, 154); /* 154 + '/' + 100 = 255 characters */
	seal(h);
	append_end();
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_string_equal(e.name, name);
	assert_int_equal(next(&it, &e), 1);
	snprintf(expect, sizeof(expect), "%s/%s", prefix, name);
	assert_int_equal(strlen(e.name), 255);
	assert_string_equal(e.name, expect);
	assert_int_equal(next(&it, &e), 0);
}

static void test_tar_rejects_bad_names(void **state)
{
	archive_reset();
	uint8_t *h = append("", '0', "x", 1);
	append_end();
	assert_int_equal(first_result(), KOSH_TAR_E_NAME);
	set_field(h, 345, 155, "dir"); /* a prefix alone is no name */
	seal(h);
	assert_int_equal(first_result(), KOSH_TAR_E_NAME);
}

/* The longest ustar name: a full 155-byte prefix, '/', a full 100-byte name. */
static void test_tar_reads_longest_name(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	archive_reset();
	uint8_t *h = append("", '0', "x", 1);
	append_end();
	memset(h, 'n', 100);
	memset(h + 345, 'p', 155);
	seal(h);
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(strlen(e.name), 256);
	assert_int_equal(e.name[155], '/');
	assert_int_equal(e.name[154], 'p');
	assert_int_equal(e.name[156], 'n');
}

static void test_tar_reads_nul_type_as_file(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	archive_reset();
	append("old-style", '\0', "x", 1);
	append("link", '2', NULL, 0);
	append_end();
	kosh_tar_iter_init(&it, ar.buf, ar.size);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(e.type, '0');
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(e.type, '2');
}

static void test_tar_rejects_missing_end_marker(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	uint32_t count = 99;
	build_sample();
	size_t without_end = ar.size - 1024;
	assert_int_equal(kosh_tar_validate(ar.buf, without_end, &count), KOSH_TAR_E_TRUNCATED);
	assert_int_equal(count, 0);
	kosh_tar_iter_init(&it, ar.buf, without_end);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), KOSH_TAR_E_TRUNCATED);
	assert_int_equal(kosh_tar_validate(ar.buf, 0, &count), KOSH_TAR_E_TRUNCATED);
	assert_int_equal(kosh_tar_validate(NULL, 0, &count), KOSH_TAR_E_TRUNCATED);
}

static void test_tar_rejects_truncated_header_or_data(void **state)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	uint32_t count;
	build_sample();
	assert_int_equal(kosh_tar_validate(ar.buf, 511, &count), KOSH_TAR_E_TRUNCATED);
	assert_int_equal(kosh_tar_validate(ar.buf, 1024 + 300, &count), KOSH_TAR_E_TRUNCATED);
	/* sbin/init's 1300 bytes start at 2048; cut inside them. */
	kosh_tar_iter_init(&it, ar.buf, 2048 + 1299);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), KOSH_TAR_E_TRUNCATED);
	/* The data is complete but its padding is not: the entry reads, then the end fails. */
	kosh_tar_iter_init(&it, ar.buf, 2048 + 1300);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(next(&it, &e), 1);
	assert_int_equal(e.size, 1300);
	assert_int_equal(next(&it, &e), KOSH_TAR_E_TRUNCATED);
	assert_int_equal(next(&it, &e), KOSH_TAR_E_TRUNCATED);
}

static void test_tar_rejects_size_past_end(void **state)
{
	static const uint64_t sizes[] = { 1537, 0777777777ull, 077777777777ull };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		archive_reset();
		uint8_t *h = append("f", '0', "x", 1);
		append_end(); /* 1536 bytes follow the header: not enough */
		set_octal(h, 124, 12, sizes[i]);
		seal(h);
		assert_int_equal(first_result(), KOSH_TAR_E_TRUNCATED);
	}
}

static void test_tar_find_ignores_leading_dot_slash(void **state)
{
	struct kosh_tar_entry e;
	build_sample();
	static const char *const names[] = { "etc/motd", "./etc/motd", "/etc/motd", ".//etc/motd" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(kosh_tar_find(ar.buf, ar.size, names[i], &e), KOSH_TAR_OK);
		assert_int_equal(e.size, 5);
		assert_memory_equal(e.data, "hello", 5);
	}
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "etc", &e), KOSH_TAR_OK);
	assert_int_equal(e.type, '5');
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "./etc/", &e), KOSH_TAR_OK);
	assert_int_equal(e.type, '5');
}

static void test_tar_find_matches_stored_dot_slash_names(void **state)
{
	struct kosh_tar_entry e;
	archive_reset();
	append("./", '5', NULL, 0);
	append("./sbin/", '5', NULL, 0);
	append("./sbin/init", '0', "ELF", 3);
	append("/abs", '0', "A", 1);
	append_end();
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "sbin/init", &e), KOSH_TAR_OK);
	assert_string_equal(e.name, "./sbin/init");
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "/sbin", &e), KOSH_TAR_OK);
	assert_int_equal(e.type, '5');
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "abs", &e), KOSH_TAR_OK);
	assert_int_equal(e.data[0], 'A');
}

static void test_tar_find_reports_missing_entries(void **state)
{
	struct kosh_tar_entry e;
	build_sample();
	static const char *const names[] = { "etc/mot", "etc/motdx", "motd", "sbin", "etc//motd",
					     "ETC/MOTD", "" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(kosh_tar_find(ar.buf, ar.size, names[i], &e),
				 KOSH_TAR_E_NOT_FOUND);
}

static void test_tar_find_stops_at_a_corrupt_header(void **state)
{
	struct kosh_tar_entry e;
	build_sample();
	ar.buf[1536 + 200] ^= 1; /* sbin/init's header */
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "etc/motd", &e), KOSH_TAR_OK);
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "sbin/init", &e), KOSH_TAR_E_CHECKSUM);
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "nothing", &e), KOSH_TAR_E_CHECKSUM);
}

static void test_tar_strerror_names_every_error(void **state)
{
	for (int err = 0; err >= KOSH_TAR_E_NOT_FOUND; err--) {
		const char *m = kosh_tar_strerror(err);
		assert_non_null(m);
		assert_string_not_equal(m, "unknown error");
		for (int other = 0; other > err; other--)
			assert_string_not_equal(m, kosh_tar_strerror(other));
	}
	assert_string_equal(kosh_tar_strerror(1), "unknown error");
	assert_string_equal(kosh_tar_strerror(-100), "unknown error");
}

/* Reads a whole file into ar; returns 0 on success. */
static int load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	archive_reset();
	ar.size = fread(ar.buf, 1, sizeof(ar.buf), f);
	int at_end = feof(f);
	fclose(f);
	return at_end ? 0 : -1;
}

/* Packs a small tree with GNU tar in the given format, into ar. */
static int pack_with_gnu_tar(const char *format)
{
	char dir[] = "/tmp/kosh-tar-XXXXXX", cmd[1024];
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p root/etc root/a/rather/long/directory/name/that/needs/the/"
		 "ustar/prefix/field/because/it/is/longer/than/one/hundred/characters && "
		 "printf 'welcome to kosh\\n' > root/etc/motd && "
		 "printf 'deep' > root/a/rather/long/directory/name/that/needs/the/ustar/prefix/"
		 "field/because/it/is/longer/than/one/hundred/characters/file && "
		 "tar --format=%s --owner=0 --group=0 --sort=name -C root -cf out.tar . "
		 "2>/dev/null",
		 dir, format);
	int rc = system(cmd);
	if (rc == 0) {
		snprintf(cmd, sizeof(cmd), "%s/out.tar", dir);
		rc = load_file(cmd);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	return rc;
}

static void check_gnu_tar_archive(void)
{
	struct kosh_tar_entry e;
	uint32_t count;
	assert_int_equal(kosh_tar_validate(ar.buf, ar.size, &count), KOSH_TAR_OK);
	assert_int_equal(count, 23); /* ".", "etc", 19 nested directories, 2 files */
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "etc/motd", &e), KOSH_TAR_OK);
	assert_int_equal(e.size, 16);
	assert_memory_equal(e.data, "welcome to kosh\n", 16);
	const char *deep = "/a/rather/long/directory/name/that/needs/the/ustar/prefix/"
			   "field/because/it/is/longer/than/one/hundred/characters/file";
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, deep, &e), KOSH_TAR_OK);
	assert_memory_equal(e.data, "deep", 4);
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "etc", &e), KOSH_TAR_OK);
	assert_int_equal(e.type, '5');
}

static void test_tar_reads_gnu_tar_ustar_archive(void **state)
{
	if (pack_with_gnu_tar("ustar") != 0)
		fail_msg("GNU tar could not pack the test tree (scripts/setup.sh installs tar)");
	check_gnu_tar_archive();
}

static void test_tar_reads_gnu_tar_gnu_archive(void **state)
{
	if (pack_with_gnu_tar("gnu") != 0)
		fail_msg("GNU tar could not pack the test tree (scripts/setup.sh installs tar)");
	/* The long name needs a GNU 'L' record; it reads as an entry of its own. */
	uint32_t count;
	struct kosh_tar_entry e;
	assert_int_equal(kosh_tar_validate(ar.buf, ar.size, &count), KOSH_TAR_OK);
	assert_true(count > 23);
	assert_int_equal(kosh_tar_find(ar.buf, ar.size, "etc/motd", &e), KOSH_TAR_OK);
	assert_memory_equal(e.data, "welcome to kosh\n", 16);
	assert_memory_equal(ar.buf + 257, "ustar  \0", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar_reads_entries_in_order),
		cmocka_unit_test(test_tar_validate_counts_entries),
		cmocka_unit_test(test_tar_accepts_empty_archive),
		cmocka_unit_test(test_tar_accepts_gnu_magic),
		cmocka_unit_test(test_tar_rejects_bad_magic),
		cmocka_unit_test(test_tar_rejects_bad_checksum),
		cmocka_unit_test(test_tar_accepts_checksum_variants),
		cmocka_unit_test(test_tar_reads_numbers_strictly),
		cmocka_unit_test(test_tar_rejects_malformed_numbers),
		cmocka_unit_test(test_tar_reads_prefix_names),
		cmocka_unit_test(test_tar_reads_names_filling_their_fields),
		cmocka_unit_test(test_tar_rejects_bad_names),
		cmocka_unit_test(test_tar_reads_longest_name),
		cmocka_unit_test(test_tar_reads_nul_type_as_file),
		cmocka_unit_test(test_tar_rejects_missing_end_marker),
		cmocka_unit_test(test_tar_rejects_truncated_header_or_data),
		cmocka_unit_test(test_tar_rejects_size_past_end),
		cmocka_unit_test(test_tar_find_ignores_leading_dot_slash),
		cmocka_unit_test(test_tar_find_matches_stored_dot_slash_names),
		cmocka_unit_test(test_tar_find_reports_missing_entries),
		cmocka_unit_test(test_tar_find_stops_at_a_corrupt_header),
		cmocka_unit_test(test_tar_strerror_names_every_error),
		cmocka_unit_test(test_tar_reads_gnu_tar_ustar_archive),
		cmocka_unit_test(test_tar_reads_gnu_tar_gnu_archive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
