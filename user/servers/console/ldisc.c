/* SPDX-License-Identifier: MIT */
/*
 * The line discipline (ldisc.h). Invariants: queue holds exactly the bytes of
 * chunk[0 .. chunks) in order; line_len + 1 <= LDISC_LINE_MAX while a line is
 * edited, so Enter always finds room for its '\n'.
 */
#include "ldisc.h"

#include <kosh/proto/vfs.h>
#include <kosh/string.h>

#define CTRL_C	  0x03
#define CTRL_D	  0x04
#define BACKSPACE 0x08
#define CTRL_U	  0x15
#define DEL	  0x7f

static void echo(struct ldisc_echo *e, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n && e->len < sizeof(e->buf); i++)
		e->buf[e->len++] = (uint8_t)s[i];
}

static int is_control(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == DEL;
}

static int is_continuation(uint8_t c)
{
	return (c & 0xc0) == 0x80;
}

/* Bytes of the UTF-8 sequence lead starts (1 for ASCII and for what is no lead). */
static uint32_t utf8_length(uint8_t lead)
{
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef)
		return 3;
	if (lead >= 0xf0 && lead <= 0xf4)
		return 4;
	return 1;
}

/* A character as echoed: control characters as ^X, the rest as they are. */
static void echo_char(struct ldisc *l, uint8_t c, struct ldisc_echo *e)
{
	if (!(l->mode & KOSH_VFS_TTY_ECHO))
		return;
	if (is_control(c)) {
		char caret[2] = { '^', (char)(c == DEL ? '?' : c ^ 0x40) };
		echo(e, caret, 2);
	} else {
		echo(e, (const char *)&c, 1);
	}
}

void ldisc_init(struct ldisc *l, uint32_t mode)
{
	memset(l, 0, sizeof(*l));
	l->mode = mode & KOSH_VFS_TTY_ALL;
}

/* Queue n bytes as a new chunk (n == 0: an end of file); 0, or -1 with no room. */
static int push_chunk(struct ldisc *l, const uint8_t *bytes, uint32_t n)
{
	if (l->chunks == LDISC_CHUNKS_MAX || n > LDISC_QUEUE_MAX - l->queue_len)
		return -1;
	memcpy(l->queue + l->queue_len, bytes, n);
	l->queue_len += n;
	l->chunk[l->chunks++] = n;
	l->raw_open = 0;
	return 0;
}

void ldisc_set_mode(struct ldisc *l, uint32_t mode)
{
	mode &= KOSH_VFS_TTY_ALL;
	if ((l->mode & KOSH_VFS_TTY_CANON) && !(mode & KOSH_VFS_TTY_CANON) && l->line_len)
		(void)push_chunk(l, l->line, l->line_len); /* with no room it is dropped */
	if (!(mode & KOSH_VFS_TTY_CANON))
		l->line_len = 0;
	l->mode = mode;
	l->after_cr = 0;
	l->refusing = 0;
}

/* Where the last character of the line starts: a whole UTF-8 sequence, else one byte. */
static uint32_t last_char_start(const struct ldisc *l)
{
	uint32_t i = l->line_len - 1;
	for (uint32_t k = 0; k < 3 && i > 0 && is_continuation(l->line[i]); k++)
		i--;
	if (utf8_length(l->line[i]) == l->line_len - i)
		return i;
	return l->line_len - 1;
}

/* Erase the last character; echo what takes it off the screen. 0 if the line was empty. */
static int erase_char(struct ldisc *l, struct ldisc_echo *e)
{
	if (!l->line_len)
		return 0;
	uint32_t start = last_char_start(l);
	int wide = l->line_len - start == 1 && is_control(l->line[start]);
	l->line_len = start;
	if (l->mode & KOSH_VFS_TTY_ECHO)
		echo(e, "\b \b\b \b", wide ? 6 : 3);
	return 1;
}

static uint32_t bell(struct ldisc *l, struct ldisc_echo *e)
{
	echo(e, "\a", 1);
	return LDISC_BELL;
}

/* Enter, or Ctrl-D (with_newline 0): the line is queued. */
static uint32_t end_line(struct ldisc *l, int with_newline, struct ldisc_echo *e)
{
	if (with_newline)
		l->line[l->line_len++] = '\n';
	if (push_chunk(l, l->line, l->line_len)) {
		l->line_len -= with_newline ? 1 : 0; /* keep it for when readers made room */
		return bell(l, e);
	}
	l->line_len = 0;
	if (with_newline && (l->mode & KOSH_VFS_TTY_ECHO))
		echo(e, "\r\n", 2);
	return LDISC_READY;
}

/* A byte that goes into the line. */
static uint32_t insert(struct ldisc *l, uint8_t c, struct ldisc_echo *e)
{
	int continuation = is_continuation(c);
	if (continuation && l->refusing)
		return bell(l, e);
	uint32_t need = continuation ? 1 : utf8_length(c);
	l->refusing = 0;
	if (l->line_len + need + 1 > LDISC_LINE_MAX) {
		l->refusing = need > 1;
		return bell(l, e);
	}
	l->line[l->line_len++] = c;
	echo_char(l, c, e);
	return 0;
}

static uint32_t cooked(struct ldisc *l, uint8_t c, struct ldisc_echo *e)
{
	int after_cr = l->after_cr;
	l->after_cr = c == '\r';
	switch (c) {
	case '\n':
		if (after_cr)
			return 0; /* CR LF is one Enter */
		return end_line(l, 1, e);
	case '\r':
		return end_line(l, 1, e);
	case CTRL_D:
		return end_line(l, 0, e);
	case CTRL_C:
		l->line_len = 0;
		if (l->mode & KOSH_VFS_TTY_ECHO)
			echo(e, "^C\r\n", 4);
		return LDISC_INTR;
	case CTRL_U:
		while (erase_char(l, e))
			;
		return 0;
	case BACKSPACE:
	case DEL:
		erase_char(l, e);
		return 0;
	default:
		return insert(l, c, e);
	}
}

static uint32_t raw(struct ldisc *l, uint8_t c, struct ldisc_echo *e)
{
	if (l->raw_open && l->chunks && l->queue_len < LDISC_QUEUE_MAX) {
		l->queue[l->queue_len++] = c;
		l->chunk[l->chunks - 1]++;
	} else if (push_chunk(l, &c, 1)) {
		return bell(l, e);
	}
	l->raw_open = 1;
	if (l->mode & KOSH_VFS_TTY_ECHO)
		echo(e, (const char *)&c, 1);
	return LDISC_READY;
}

uint32_t ldisc_input(struct ldisc *l, uint8_t c, struct ldisc_echo *e)
{
	return (l->mode & KOSH_VFS_TTY_CANON) ? cooked(l, c, e) : raw(l, c, e);
}

int ldisc_readable(const struct ldisc *l)
{
	return l->chunks != 0;
}

int32_t ldisc_peek(const struct ldisc *l, uint8_t *buf, uint32_t want)
{
	if (!l->chunks)
		return -1;
	uint32_t n = l->chunk[0];
	if (!(l->mode & KOSH_VFS_TTY_CANON))
		n = l->queue_len; /* raw: every chunk; ends of file in between are skipped */
	if (n > want)
		n = want;
	memcpy(buf, l->queue, n);
	return (int32_t)n;
}

void ldisc_consume(struct ldisc *l, uint32_t n)
{
	if (!l->chunks)
		return;
	if (n > l->queue_len)
		n = l->queue_len;
	memmove(l->queue, l->queue + n, l->queue_len - n);
	l->queue_len -= n;
	uint32_t pop = 0;
	if (!n) {
		pop = l->chunk[0] == 0; /* an end of file was read */
	} else {
		/* Whole chunks taken (and ends of file among them) go; a partial one shrinks. */
		while (pop < l->chunks && l->chunk[pop] <= n) {
			n -= l->chunk[pop];
			pop++;
			if (!n)
				break;
		}
		if (n)
			l->chunk[pop] -= n;
	}
	memmove(l->chunk, l->chunk + pop, (l->chunks - pop) * sizeof(l->chunk[0]));
	l->chunks -= pop;
	if (!l->chunks)
		l->raw_open = 0;
}

uint32_t ldisc_output(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t size, uint32_t *taken)
{
	uint32_t i = 0, o = 0;
	for (; i < len; i++) {
		if (in[i] == '\n') {
			if (size - o < 2)
				break;
			out[o++] = '\r';
		} else if (o == size) {
			break;
		}
		out[o++] = in[i];
	}
	*taken = i;
	return o;
}
