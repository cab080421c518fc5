/* SPDX-License-Identifier: MIT */
/*
 * fat_name.c: FAT names. Long names are UCS-2 (read as UTF-16: surrogate
 * pairs are joined, unpaired ones refused) and become UTF-8; short names are
 * 8.3 upper-case ASCII (bytes of the OEM code page above 0x7f are refused:
 * such an entry is shown by its long name or not at all). Aliases for new long
 * names follow Microsoft's basis-name rules with a "~N" tail.
 */
#include "fat.h"

#include <kosh/string.h>

uint8_t fat_name_checksum(const uint8_t shortname[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1u) << 7) + (sum >> 1) + shortname[i]);
	return sum;
}

static int put_utf8(uint32_t c, char *out, size_t size, size_t *pos)
{
	uint8_t b[4];
	size_t k;

	if (c < 0x80) {
		b[0] = (uint8_t)c;
		k = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | (c >> 6));
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | (c >> 12));
		b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | (c >> 18));
		b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (c & 0x3f));
		k = 4;
	}
	if (*pos + k >= size)
		return KOSH_VFS_ENAMETOOLONG;
	memcpy(out + *pos, b, k);
	*pos += k;
	return 0;
}

/* Characters a long name may not hold (also refused in what we create). */
static int bad_long_char(uint32_t c)
{
	return c < 0x20 || c == 0x7f || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' ||
	       c == '>' || c == '?' || c == '\\' || c == '|';
}

int fat_name_to_utf8(const uint16_t *u, unsigned n, char *out, size_t size, size_t *len)
{
	size_t pos = 0;

	if (n == 0)
		return KOSH_VFS_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		uint32_t c = u[i];

		if (c >= 0xd800 && c < 0xdc00) {
			if (i + 1 >= n || u[i + 1] < 0xdc00 || u[i + 1] >= 0xe000)
				return KOSH_VFS_EINVAL;
			c = 0x10000 + ((c - 0xd800) << 10) + (u[i + 1] - 0xdc00u);
			i++;
		} else if (c >= 0xdc00 && c < 0xe000) {
			return KOSH_VFS_EINVAL;
		}
		if (bad_long_char(c))
			return KOSH_VFS_EINVAL;
		if (put_utf8(c, out, size, &pos))
			return KOSH_VFS_EINVAL;
	}
	out[pos] = 0;
	*len = pos;
	if ((pos == 1 && out[0] == '.') || (pos == 2 && out[0] == '.' && out[1] == '.'))
		return KOSH_VFS_EINVAL;
	return 0;
}

/* One UTF-8 character from s[*i … len); 0 on a bad sequence (NUL is refused anyway). */
static uint32_t get_utf8(const char *s, size_t len, size_t *i)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t c = p[*i], min;
	size_t k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		k = 1, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		k = 2, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		k = 3, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (*i + k >= len)
		return 0;
	for (size_t j = 1; j <= k; j++) {
		if ((p[*i + j] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[*i + j] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return 0;
	*i += k + 1;
	return c;
}

int fat_name_from_utf8(const char *s, size_t len, uint16_t u[255], unsigned *n)
{
	unsigned k = 0;

	if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return KOSH_VFS_EINVAL;
	if (len > KOSH_VFS_NAME_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	/* Windows drops trailing dots and spaces; refuse them rather than store a name nobody can
	 * open. */
	if (s[len - 1] == '.' || s[len - 1] == ' ')
		return KOSH_VFS_EINVAL;
	for (size_t i = 0; i < len;) {
		uint32_t c = get_utf8(s, len, &i);

		if (c == 0 || bad_long_char(c))
			return KOSH_VFS_EINVAL;
		if (c >= 0x10000) {
			if (k + 2 > 255)
				return KOSH_VFS_ENAMETOOLONG;
			c -= 0x10000;
			u[k++] = (uint16_t)(0xd800 + (c >> 10));
			u[k++] = (uint16_t)(0xdc00 + (c & 0x3ff));
			continue;
		}
		if (k + 1 > 255)
			return KOSH_VFS_ENAMETOOLONG;
		u[k++] = (uint16_t)c;
	}
	*n = k;
	return 0;
}

/* Bytes a short name may hold (upper case; 0x05 stands for a leading 0xE5 and is refused here). */
static int short_ok(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return 1;
	if (c >= '0' && c <= '9')
		return 1;
	return c == '$' || c == '%' || c == '\'' || c == '-' || c == '_' || c == '@' || c == '~' ||
	       c == '`' || c == '!' || c == '(' || c == ')' || c == '{' || c == '}' || c == '^' ||
	       c == '#' || c == '&';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

int fat_name_short_text(const uint8_t e[11], uint8_t ntres, char out[13], size_t *len)
{
	size_t pos = 0;
	int base_end = 8, ext_end = 11;

	while (base_end > 0 && e[base_end - 1] == ' ')
		base_end--;
	while (ext_end > 8 && e[ext_end - 1] == ' ')
		ext_end--;
	if (base_end == 0)
		return KOSH_VFS_EINVAL;
	for (int i = 0; i < ext_end; i++) {
		if (i == 8) {
			if (ext_end == 8)
				break;
			out[pos++] = '.';
		}
		if (i >= base_end && i < 8)
			continue;
		uint8_t c = e[i];

		/* An embedded space ("A B") is allowed by the spec. */
		if (!short_ok(c) && c != ' ')
			return KOSH_VFS_EINVAL;
		out[pos++] = ((i < 8 && (ntres & 0x08)) || (i >= 8 && (ntres & 0x10)))
				 ? lower((char)c)
				 : (char)c;
	}
	out[pos] = 0;
	*len = pos;
	return 0;
}

int fat_name_short_exact(const char *s, size_t len, uint8_t out[11], uint8_t *ntres)
{
	size_t dot = len, i;
	int base_case = 0, ext_case = 0; /* 1 upper, 2 lower, 3 mixed */

	for (i = 0; i < len; i++)
		if (s[i] == '.') {
			if (dot != len)
				return 0;
			dot = i;
		}
	if (dot == 0 || dot > 8 || (dot < len && (len - dot - 1 == 0 || len - dot - 1 > 3)))
		return 0;
	memset(out, ' ', 11);
	for (i = 0; i < len; i++) {
		char c = s[i];
		int *cs = i < dot ? &base_case : &ext_case;

		if (i == dot)
			continue;
		if (c >= 'a' && c <= 'z') {
			*cs |= 2;
			c = (char)(c - 32);
		} else if (c >= 'A' && c <= 'Z') {
			*cs |= 1;
		}
		if (!short_ok((uint8_t)c))
			return 0;
		out[i < dot ? i : 8 + (i - dot - 1)] = (uint8_t)c;
	}
	if (base_case == 3 || ext_case == 3)
		return 0;
	*ntres = (uint8_t)((base_case == 2 ? 0x08 : 0) | (ext_case == 2 ? 0x10 : 0));
	return 1;
}

static uint8_t alias_char(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 32);
	if (c < 0x80 && short_ok((uint8_t)c))
		return (uint8_t)c;
	return '_';
}

void fat_name_alias(const uint16_t *u, unsigned n, uint32_t num, uint8_t out[11])
{
	unsigned dot = n, start = 0, b = 0;
	char tail[8];
	unsigned tl = 0;

	memset(out, ' ', 11);
	for (unsigned i = 0; i < n; i++)
		if (u[i] == '.')
			dot = i;
	while (start < n && (u[start] == '.' || u[start] == ' '))
		start++;
	if (dot < start)
		dot = n;
	for (unsigned i = start; i < dot && b < 8; i++)
		if (u[i] != ' ' && u[i] != '.')
			out[b++] = alias_char(u[i]);
	if (b == 0)
		out[b++] = '_';
	for (unsigned i = dot + 1, e = 8; i < n && e < 11; i++)
		if (u[i] != ' ' && u[i] != '.')
			out[e++] = alias_char(u[i]);
	if (num > 9) {
		/*
		 * Past ~9, as Windows does: two characters of the basis, four hex
		 * digits of a hash of the long name and the try, then ~1. It keeps
		 * the number of directory scans for a free alias small.
		 */
		uint32_t h = 2166136261u ^ num;
		static const char hex[] = "0123456789ABCDEF";

		for (unsigned i = 0; i < n; i++)
			h = (h ^ u[i]) * 16777619u;
		if (b > 2)
			b = 2;
		for (int i = 3; i >= 0; i--)
			tail[tl++] = hex[(h >> (4 * i)) & 15];
		num = 1;
	}
	tail[tl++] = '~';
	tail[tl++] = (char)('0' + num);
	if (b + tl > 8)
		b = 8 - tl;
	for (unsigned i = 0; i < tl; i++)
		out[b + i] = (uint8_t)tail[i];
	for (unsigned i = b + tl; i < 8; i++)
		out[i] = ' ';
}

int fat_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}
