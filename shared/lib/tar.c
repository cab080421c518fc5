/* SPDX-License-Identifier: MIT */
/*
 * Reader for POSIX ustar archives (see <kosh/tar.h>).
 *
 * Each 512-byte header must carry the "ustar" magic (POSIX "ustar\0" or GNU
 * "ustar "), a correct checksum and strictly octal numbers; an entry's data must
 * lie wholly inside the buffer. The iterator's offset only ever moves forward to
 * a header that starts inside the buffer, or to the buffer's end, so no read can
 * go past [base, base + size). The first all-zero block ends the archive;
 * reaching the end of the buffer without one is an error.
 */
#include <kosh/string.h>
#include <kosh/tar.h>

/* Offsets and lengths of the ustar header fields used here. */
#define TAR_NAME       0
#define TAR_NAME_LEN   100
#define TAR_MODE       100
#define TAR_MODE_LEN   8
#define TAR_SIZE       124
#define TAR_SIZE_LEN   12
#define TAR_CHKSUM     148
#define TAR_CHKSUM_LEN 8
#define TAR_TYPE       156
#define TAR_MAGIC      257
#define TAR_PREFIX     345
#define TAR_PREFIX_LEN 155

static int is_blank_or_nul(uint8_t c)
{
	return c == ' ' || c == '\0';
}

/*
 * Parses an octal field: optional leading spaces, at least one digit, then only
 * NULs and spaces up to the end of the field (a field full of digits needs no
 * terminator). Rejects anything else, including GNU's base-256 numbers.
 */
static int parse_octal(const uint8_t *field, unsigned len, uint64_t *value)
{
	unsigned i = 0, digits = 0;
	uint64_t v = 0;
	while (i < len && field[i] == ' ')
		i++;
	for (; i < len && field[i] >= '0' && field[i] <= '7'; i++, digits++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = (v << 3) | (uint64_t)(field[i] - '0');
	}
	if (!digits)
		return -1;
	for (; i < len; i++) {
		if (!is_blank_or_nul(field[i]))
			return -1;
	}
	*value = v;
	return 0;
}

static int is_zero_block(const uint8_t *h)
{
	for (unsigned i = 0; i < KOSH_TAR_BLOCK; i++) {
		if (h[i])
			return 0;
	}
	return 1;
}

static int has_magic(const uint8_t *h)
{
	return memcmp(h + TAR_MAGIC, "ustar", 5) == 0 && is_blank_or_nul(h[TAR_MAGIC + 5]);
}

/* The unsigned sum of the header with the checksum field read as spaces. */
static uint64_t header_sum(const uint8_t *h)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < KOSH_TAR_BLOCK; i++) {
		int in_field = i >= TAR_CHKSUM && i < TAR_CHKSUM + TAR_CHKSUM_LEN;
		sum += in_field ? ' ' : h[i];
	}
	return sum;
}

/* An unreadable checksum field cannot match: it counts as a mismatch. */
static enum kosh_tar_error check_checksum(const uint8_t *h)
{
	uint64_t stored;
	if (parse_octal(h + TAR_CHKSUM, TAR_CHKSUM_LEN, &stored))
		return KOSH_TAR_E_CHECKSUM;
	return stored == header_sum(h) ? KOSH_TAR_OK : KOSH_TAR_E_CHECKSUM;
}

/* Length of a field that is NUL-terminated only when shorter than the field. */
static unsigned field_len(const uint8_t *field, unsigned len)
{
	unsigned n = 0;
	while (n < len && field[n])
		n++;
	return n;
}

/* name, or prefix + "/" + name when the prefix is not empty. */
static enum kosh_tar_error read_name(const uint8_t *h, char *out)
{
	unsigned plen = field_len(h + TAR_PREFIX, TAR_PREFIX_LEN);
	unsigned nlen = field_len(h + TAR_NAME, TAR_NAME_LEN);
	unsigned total = plen ? plen + 1 + nlen : nlen;
	if (nlen == 0 || total >= KOSH_TAR_NAME_MAX)
		return KOSH_TAR_E_NAME;
	if (plen) {
		memcpy(out, h + TAR_PREFIX, plen);
		out[plen] = '/';
	}
	memcpy(out + total - nlen, h + TAR_NAME, nlen);
	out[total] = '\0';
	return KOSH_TAR_OK;
}

static enum kosh_tar_error read_header(const uint8_t *h, struct kosh_tar_entry *out)
{
	uint64_t mode;
	if (!has_magic(h))
		return KOSH_TAR_E_MAGIC;
	enum kosh_tar_error err = check_checksum(h);
	if (err)
		return err;
	if (parse_octal(h + TAR_MODE, TAR_MODE_LEN, &mode) || mode > UINT32_MAX ||
	    parse_octal(h + TAR_SIZE, TAR_SIZE_LEN, &out->size))
		return KOSH_TAR_E_NUMBER;
	out->mode = (uint32_t)mode;
	out->type = h[TAR_TYPE] ? (char)h[TAR_TYPE] : '0';
	return read_name(h, out->name);
}

void kosh_tar_iter_init(struct kosh_tar_iter *it, const void *archive, uint64_t size)
{
	it->base = archive;
	it->size = size;
	it->offset = 0;
}

int kosh_tar_next(struct kosh_tar_iter *it, struct kosh_tar_entry *out)
{
	if (it->offset > it->size || it->size - it->offset < KOSH_TAR_BLOCK)
		return KOSH_TAR_E_TRUNCATED;
	const uint8_t *h = it->base + it->offset;
	if (is_zero_block(h))
		return 0;
	enum kosh_tar_error err = read_header(h, out);
	if (err)
		return err;
	uint64_t avail = it->size - it->offset - KOSH_TAR_BLOCK;
	if (out->size > avail)
		return KOSH_TAR_E_TRUNCATED;
	out->data = h + KOSH_TAR_BLOCK;
	uint64_t pad = -out->size & (KOSH_TAR_BLOCK - 1);
	if (pad > avail - out->size)
		it->offset = it->size; /* the padding is cut off: no end marker can follow */
	else
		it->offset += KOSH_TAR_BLOCK + out->size + pad;
	return 1;
}

enum kosh_tar_error kosh_tar_validate(const void *archive, uint64_t size, uint32_t *count)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry entry;
	uint32_t n = 0;
	int r;
	kosh_tar_iter_init(&it, archive, size);
	while ((r = kosh_tar_next(&it, &entry)) == 1)
		n++;
	*count = r == 0 ? n : 0;
	return (enum kosh_tar_error)r;
}

/* Skips leading "./" and "/" and drops trailing '/'; "." alone becomes empty. */
static const char *normalize(const char *s, size_t *len)
{
	for (;;) {
		if (s[0] == '/')
			s++;
		else if (s[0] == '.' && s[1] == '/')
			s += 2;
		else
			break;
	}
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	if (n == 1 && s[0] == '.')
		n = 0;
	*len = n;
	return s;
}

static int same_name(const char *stored, const char *query)
{
	size_t slen, qlen;
	stored = normalize(stored, &slen);
	query = normalize(query, &qlen);
	return slen == qlen && memcmp(stored, query, slen) == 0;
}

/* Returns the first entry of that name; the initfs never holds duplicates. */
enum kosh_tar_error kosh_tar_find(const void *archive, uint64_t size, const char *name,
				  struct kosh_tar_entry *out)
{
	struct kosh_tar_iter it;
	int r;
	kosh_tar_iter_init(&it, archive, size);
	while ((r = kosh_tar_next(&it, out)) == 1) {
		if (same_name(out->name, name))
			return KOSH_TAR_OK;
	}
	return r == 0 ? KOSH_TAR_E_NOT_FOUND : (enum kosh_tar_error)r;
}

const char *kosh_tar_strerror(int err)
{
	switch (err) {
	case KOSH_TAR_OK:
		return "valid";
	case KOSH_TAR_E_TRUNCATED:
		return "truncated archive (data past the end or no end marker)";
	case KOSH_TAR_E_MAGIC:
		return "not a ustar archive (bad magic)";
	case KOSH_TAR_E_CHECKSUM:
		return "header checksum mismatch";
	case KOSH_TAR_E_NUMBER:
		return "malformed number in a header";
	case KOSH_TAR_E_NAME:
		return "empty or overlong entry name";
	case KOSH_TAR_E_NOT_FOUND:
		return "no such entry";
	default:
		return "unknown error";
	}
}
