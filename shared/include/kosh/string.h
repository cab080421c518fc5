/* SPDX-License-Identifier: MIT */
/*
 * The C memory and string functions, for freestanding code. Host builds get the
 * same declarations from the C library (shared/lib/string.c is not linked there).
 */
#ifndef KOSH_STRING_H
#define KOSH_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copy src into dst[size] NUL-terminated, truncating; strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
