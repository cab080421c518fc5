/* SPDX-License-Identifier: MIT */
/*
 * Reader for POSIX ustar archives (the packed initfs).
 *
 * The archive is untrusted: every header is checksum-checked, every number parsed
 * strictly, and no entry's data may reach past the end of the buffer. Entries are
 * returned in archive order, without copying their data.
 */
#ifndef KOSH_TAR_H
#define KOSH_TAR_H

#include <stdint.h>

#define KOSH_TAR_BLOCK 512
#define KOSH_TAR_NAME_MAX 257 /* prefix (155) + "/" + name (100) + NUL */

enum kosh_tar_error {
	KOSH_TAR_OK = 0,
	KOSH_TAR_E_TRUNCATED = -1, /* a header or data runs past the end, or no end marker */
	KOSH_TAR_E_MAGIC = -2,     /* a header without the "ustar" magic */
	KOSH_TAR_E_CHECKSUM = -3,  /* header checksum mismatch */
	KOSH_TAR_E_NUMBER = -4,    /* a malformed octal field */
	KOSH_TAR_E_NAME = -5,      /* an empty or unterminated name */
	KOSH_TAR_E_NOT_FOUND = -6, /* kosh_tar_find: no such entry */
};

struct kosh_tar_entry {
	char name[KOSH_TAR_NAME_MAX]; /* full path as stored, NUL-terminated */
	char type;                    /* '0' file, '5' directory, ... ('\0' read as '0') */
	uint32_t mode;
	uint64_t size;
	const uint8_t *data;          /* inside the archive buffer */
};

struct kosh_tar_iter {
	const uint8_t *base;
	uint64_t size;
	uint64_t offset; /* of the next header */
};

void kosh_tar_iter_init(struct kosh_tar_iter *it, const void *archive, uint64_t size);

/* 1 and *out filled: an entry; 0: the end-of-archive marker; < 0: kosh_tar_error. */
int kosh_tar_next(struct kosh_tar_iter *it, struct kosh_tar_entry *out);

/* Walk the whole archive; on success *count is the number of entries. */
enum kosh_tar_error kosh_tar_validate(const void *archive, uint64_t size, uint32_t *count);

/* Find an entry by name ("etc/motd"; a leading "./" or "/" on either side is ignored). */
enum kosh_tar_error kosh_tar_find(const void *archive, uint64_t size, const char *name,
				  struct kosh_tar_entry *out);

const char *kosh_tar_strerror(int err);

#endif
