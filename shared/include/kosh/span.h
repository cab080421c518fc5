/* SPDX-License-Identifier: MIT */
/*
 * A piece of a text buffer (pointer and length, not NUL-terminated), and the
 * few helpers the line-based parsers (kosh.cfg, etc/services) share.
 * Freestanding.
 */
#ifndef KOSH_SPAN_H
#define KOSH_SPAN_H

#include <stddef.h>

#include <kosh/string.h>

struct kosh_span {
	const char *p;
	size_t len;
};

static inline int kosh_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* s without leading and trailing blanks. */
static inline struct kosh_span kosh_span_trim(struct kosh_span s)
{
	while (s.len && kosh_is_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && kosh_is_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

/* 1 if s is exactly word. */
static inline int kosh_span_is(struct kosh_span s, const char *word)
{
	return strlen(word) == s.len && memcmp(s.p, word, s.len) == 0;
}

/* The line starting at text[*pos], without its LF; advances *pos past the LF. */
static inline struct kosh_span kosh_span_next_line(const char *text, size_t len, size_t *pos)
{
	struct kosh_span line = { text + *pos, 0 };
	while (*pos < len && text[*pos] != '\n') {
		(*pos)++;
		line.len++;
	}
	if (*pos < len)
		(*pos)++;
	return line;
}

#endif
