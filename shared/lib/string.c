/* SPDX-License-Identifier: MIT */
/*
 * The memory and string functions that freestanding code (loader, kernel) needs,
 * and that the compiler may call on its own for struct copies and zeroing.
 * Host builds use the C library's instead.
 */
#include <stddef.h>
#include <stdint.h>

#define WORD sizeof(uint64_t)

static int aligned(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & (WORD - 1)) == 0;
}

/*
 * Word copies when both ends are aligned: the framebuffer console scrolls
 * megabytes. Safe for overlap when dst is below src (memmove relies on it).
 */
static void copy_forward(uint8_t *d, const uint8_t *s, size_t n)
{
	if (aligned(d, s)) {
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d <= s || d >= s + n) {
		copy_forward(d, s, n);
		return dst;
	}
	if (aligned(d + n, s + n)) {
		for (; n >= WORD; n -= WORD)
			*(uint64_t *)(void *)(d + n - WORD) = *(const uint64_t *)(const void *)(s + n - WORD);
	}
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = 0x0101010101010101ull * (uint8_t)c;
	for (; n && ((uintptr_t)d & (WORD - 1)); n--)
		*d++ = (uint8_t)c;
	for (; n >= WORD; n -= WORD, d += WORD)
		*(uint64_t *)(void *)d = w;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
