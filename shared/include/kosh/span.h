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

/* The next blank-separated word of *s into *word, *s advanced past it; 0 when none is left. */
static inline int kosh_span_next_word(struct kosh_span *s, struct kosh_span *word)
{
	*s = kosh_span_trim(*s);
	if (s->len == 0)
		return 0;
	word->p = s->p;
	word->len = 0;
	while (word->len < s->len && !kosh_is_blank(s->p[word->len]))
		word->len++;
	s->p += word->len;
	s->len -= word->len;
	return 1;
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
