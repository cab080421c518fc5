/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the file protocol's checks (shared/lib/vfs.c). The input
 * is a tag, four register words and the data words of a request; decode must
 * only ever accept a request whose byte strings lie inside the data and whose
 * paths are clean text. The same bytes are split as a URI (a result is a clean
 * absolute normalised path) and walked as READDIR records (each inside the
 * buffer, NUL-terminated, never "." or "..").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/proto/vfs.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static uint64_t data[KOSH_MSG_WORDS_MAX];

static void check_text(const char *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
}

static void fuzz_decode(const uint8_t *in, size_t size)
{
	struct kosh_vfs_request req;
	uint64_t regs[KOSH_MSG_WORDS_REG] = {0};
	uint64_t tag = 0;
	size_t n;

	if (size < 8)
		return;
	memcpy(&tag, in, 8);
	in += 8, size -= 8;
	n = size < sizeof(regs) ? size : sizeof(regs);
	memcpy(regs, in, n);
	in += n, size -= n;
	/* The data words the tag announces; what the input lacks stays zero. */
	uint32_t words = KOSH_MSG_WORDS(tag);
	size_t bytes = words > KOSH_MSG_WORDS_REG ? (words - KOSH_MSG_WORDS_REG) * 8u : 0;
	if (bytes > sizeof(data))
		bytes = sizeof(data);
	memset(data, 0, sizeof(data));
	memcpy(data, in, size < bytes ? size : bytes);
	if (kosh_vfs_decode(tag, regs, data, &req) != 0)
		return;
	const char *lo = (const char *)data, *hi = lo + bytes;
	CHECK(words <= KOSH_MSG_WORDS_MAX && req.caps <= KOSH_MSG_CAPS_MAX);
	if (req.path) {
		CHECK(req.path >= lo && req.path + req.path_len <= hi);
		CHECK(req.path_len <= KOSH_VFS_PATH_MAX);
		check_text(req.path, req.path_len);
	}
	if (req.path2) {
		CHECK(req.path2 >= lo && req.path2 + req.path2_len <= hi);
		check_text(req.path2, req.path2_len);
	}
	if (req.op == KOSH_VFS_WRITE)
		CHECK(req.arg[0] <= KOSH_VFS_IO_MAX && req.arg[0] <= bytes);
}

static void fuzz_split(const uint8_t *in, size_t size)
{
	char scheme[KOSH_VFS_SCHEME_MAX + 1], out[KOSH_VFS_PATH_MAX + 1];
	uint32_t len = size > 2 * KOSH_VFS_PATH_MAX ? 2 * KOSH_VFS_PATH_MAX : (uint32_t)size;

	if (kosh_vfs_uri_split((const char *)in, len, scheme, out, sizeof(out)) != 0)
		return;
	size_t n = strlen(out);
	CHECK(n >= 1 && n <= KOSH_VFS_PATH_MAX && out[0] == '/');
	CHECK(strlen(scheme) >= 1 && strlen(scheme) <= KOSH_VFS_SCHEME_MAX);
	CHECK(n == 1 || out[n - 1] != '/');
	CHECK(strstr(out, "//") == NULL && strstr(out, "/./") == NULL &&
	      strstr(out, "/../") == NULL);
	CHECK(kosh_vfs_path_check(out, (uint32_t)n) == 0);
	/* Normalising is idempotent. */
	char again[KOSH_VFS_PATH_MAX + 1];
	CHECK(kosh_vfs_uri_split(out, (uint32_t)n, scheme, again, sizeof(again)) == 0);
	CHECK(strcmp(out, again) == 0);
}

static void fuzz_dirents(const uint8_t *in, size_t size)
{
	static _Alignas(8) uint8_t buf[8192];
	uint32_t len = size > sizeof(buf) ? sizeof(buf) : (uint32_t)size, pos = 0, last = 0;
	const struct kosh_vfs_dirent *d;

	memcpy(buf, in, len);
	while ((d = kosh_vfs_dirent_next(buf, len, &pos)) != NULL) {
		CHECK((const uint8_t *)d == buf + last);
		CHECK(pos > last && pos <= len && pos - last == KOSH_VFS_DIRENT_SIZE(d->namelen));
		CHECK(d->namelen >= 1 && d->namelen <= KOSH_VFS_NAME_MAX &&
		      d->name[d->namelen] == '\0');
		CHECK(memchr(d->name, '/', d->namelen) == NULL && strlen(d->name) == d->namelen);
		last = pos;
	}
	CHECK(pos == last);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	fuzz_decode(in, size);
	fuzz_split(in, size);
	fuzz_dirents(in, size);
	return 0;
}
