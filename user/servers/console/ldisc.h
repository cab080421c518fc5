/* SPDX-License-Identifier: MIT */
/*
 * The console's line discipline (docs/console.md): what typed bytes become for
 * readers, what is echoed, and how output is translated. Pure C over its own
 * buffers, no system calls, so the host tests drive it byte by byte.
 *
 * Cooked mode (KOSH_VFS_TTY_CANON): a line is edited until Enter (CR or LF; a
 * LF right after a CR is the same Enter) and then queued with a '\n'.
 * Backspace or DEL erases one UTF-8 character, Ctrl-U the whole line, Ctrl-C
 * drops it (LDISC_INTR), Ctrl-D queues it without '\n' — or, on an empty line,
 * queues an end of file: one READ returns 0. A line holds at most
 * LDISC_LINE_MAX bytes with its '\n'; a byte that does not fit is refused with
 * a bell ('\a' echoed). Raw mode (no CANON): every byte is queued as it comes,
 * Ctrl-C and Ctrl-D included. With KOSH_VFS_TTY_ECHO, typed characters are
 * echoed (control characters as ^X, Enter as CR LF).
 */
#ifndef CONSOLE_LDISC_H
#define CONSOLE_LDISC_H

#include <stdint.h>

#define LDISC_LINE_MAX	 1024u /* bytes of one line, its '\n' included */
#define LDISC_QUEUE_MAX	 4096u /* bytes typed and not yet read */
#define LDISC_CHUNKS_MAX 64u   /* lines (and ends of file) not yet read */
/* The most one input byte echoes (Ctrl-U over a line of control characters). */
#define LDISC_ECHO_MAX (6u * LDISC_LINE_MAX)

/* What ldisc_input reports. */
#define LDISC_READY 0x1u /* a READ can be answered now (ldisc_peek) */
#define LDISC_INTR  0x2u /* Ctrl-C in cooked mode: the foreground is interrupted */
#define LDISC_BELL  0x4u /* a byte was refused */

/* Bytes to send to the terminal; the caller empties it. */
struct ldisc_echo {
	uint8_t buf[2 * LDISC_ECHO_MAX];
	uint32_t len;
};

struct ldisc {
	uint32_t mode;		      /* KOSH_VFS_TTY_* */
	uint8_t line[LDISC_LINE_MAX]; /* the line being edited (cooked mode) */
	uint32_t line_len;
	uint8_t queue[LDISC_QUEUE_MAX]; /* what readers get, chunk after chunk */
	uint32_t queue_len;
	uint32_t chunk[LDISC_CHUNKS_MAX]; /* bytes of each queued chunk; 0 is an end of file */
	uint32_t chunks;
	int raw_open; /* the last chunk takes more raw bytes */
	int after_cr; /* the last byte was a CR: a LF now is part of it */
	int refusing; /* a refused lead byte: its continuation bytes are refused too */
};

/* A fresh discipline in mode (KOSH_VFS_TTY_ECHO | KOSH_VFS_TTY_CANON by default). */
void ldisc_init(struct ldisc *l, uint32_t mode);

/* Change the mode; a line being edited when CANON goes off is queued as it is. */
void ldisc_set_mode(struct ldisc *l, uint32_t mode);

/*
 * One typed byte. Echo is appended to e, which must have LDISC_ECHO_MAX bytes
 * free. Returns LDISC_* bits.
 */
uint32_t ldisc_input(struct ldisc *l, uint8_t c, struct ldisc_echo *e);

/* 1 if a READ would be answered now (bytes or an end of file). */
int ldisc_readable(const struct ldisc *l);

/*
 * What a READ of at most want bytes gets, without taking it: the bytes into
 * buf and their count (0: end of file), or -1 when nothing is queued. Cooked
 * mode stops at the end of the first line; raw mode takes across chunks.
 */
int32_t ldisc_peek(const struct ldisc *l, uint8_t *buf, uint32_t want);

/* Take what ldisc_peek returned (n bytes, or the end of file for n == 0). */
void ldisc_consume(struct ldisc *l, uint32_t n);

/*
 * Output from a program: '\n' becomes CR LF. Translates from in (len bytes)
 * into out (size bytes, at least 2) as much as fits; returns the bytes
 * written and sets *taken to the input bytes used.
 */
uint32_t ldisc_output(const uint8_t *in, uint32_t len, uint8_t *out, uint32_t size,
		      uint32_t *taken);

#endif
