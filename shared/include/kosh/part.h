/* SPDX-License-Identifier: MIT */
/*
 * Partition tables (docs/block.md): MBR (primary entries and the EBR chain of
 * logical partitions) and GPT (primary header, backup header at the disk's last
 * sector), read from an untrusted disk through a callback, one sector at a time.
 *
 * Freestanding (shared/lib/part.c); the disk is hostile: every field is checked,
 * nothing is read outside the disk or a sector, every loop is bounded. A table
 * that cannot be trusted as a whole is refused with a kosh_part_err; a single
 * bad entry is left out and recorded with a kosh_part_skip reason. A partition
 * that comes out lies inside the disk (and GPT's usable range), is not empty
 * and overlaps no other partition that came out.
 */
#ifndef KOSH_PART_H
#define KOSH_PART_H

#include <stddef.h>
#include <stdint.h>

/* Bounds. */
#define KOSH_PART_MAX	       128u  /* partitions reported; more are skipped (TOO_MANY) */
#define KOSH_PART_SKIPPED_MAX  32u   /* skip records kept (skipped_count counts them all) */
#define KOSH_PART_EBR_MAX      128u  /* EBRs followed in one extended partition */
#define KOSH_PART_GPT_ENTRIES_MAX 1024u
#define KOSH_PART_GPT_ENTRY_MIN 128u /* entry sizes: a multiple of 8 in MIN .. MAX */
#define KOSH_PART_GPT_ENTRY_MAX 1024u
#define KOSH_PART_NAME_MAX     108u  /* UTF-8 bytes of a GPT name: 36 UTF-16 units, 3 bytes each at most */

/* The disk, as the caller reads it. */
struct kosh_part_disk {
	uint32_t sector_size; /* 512, 1024, 2048 or 4096 */
	uint64_t sectors;     /* the disk's size */
	/* Read sector lba (< sectors) into buf (sector_size bytes): 0, or non-zero on failure. */
	int (*read)(void *ctx, uint64_t lba, void *buf);
	void *ctx;
};

enum kosh_part_scheme {
	KOSH_PART_SCHEME_NONE = 0, /* no table: use the whole disk */
	KOSH_PART_SCHEME_MBR = 1,
	KOSH_PART_SCHEME_GPT = 2,
};

/* Flags of a partition. */
#define KOSH_PART_F_BOOTABLE 0x1u /* MBR status 0x80, or GPT attribute bit 2 (legacy BIOS bootable) */
#define KOSH_PART_F_ESP	     0x2u /* EFI system partition: MBR type 0xEF or GPT type C12A7328-… */
#define KOSH_PART_F_LOGICAL  0x4u /* MBR: inside an extended partition */
#define KOSH_PART_F_BAD_NAME 0x8u /* GPT: the name was not valid UTF-16 or held control characters; name is "" */

struct kosh_part {
	uint32_t index;	     /* MBR: 1 .. 4 primary, 5 .. logical in chain order; GPT: entry number + 1 */
	uint32_t flags;	     /* KOSH_PART_F_* */
	uint64_t first_lba;
	uint64_t sectors;    /* >= 1 */
	uint8_t mbr_type;    /* MBR: the type byte; GPT: 0 */
	uint8_t type_guid[16];	 /* GPT: as stored on disk (first three fields little-endian) */
	uint8_t unique_guid[16]; /* GPT */
	uint64_t attributes; /* GPT: the attribute bits */
	char name[KOSH_PART_NAME_MAX + 1]; /* GPT: UTF-8, NUL-terminated; MBR: "" */
};

/* Why an entry was left out. */
enum kosh_part_skip {
	KOSH_PART_SKIP_ZERO_SIZE = 1,	    /* no sectors */
	KOSH_PART_SKIP_PAST_END = 2,	    /* ends past the disk (or, GPT, starts or ends outside the usable range) */
	KOSH_PART_SKIP_FIRST_AFTER_LAST = 3, /* GPT: first LBA above last LBA */
	KOSH_PART_SKIP_OVERLAP = 4,	    /* overlaps a partition listed before it (or the table itself) */
	KOSH_PART_SKIP_TOO_MANY = 5,	    /* beyond KOSH_PART_MAX */
	KOSH_PART_SKIP_OUTSIDE_EXTENDED = 6, /* MBR logical: not inside its extended partition */
	KOSH_PART_SKIP_EBR_LOOP = 7,	    /* the EBR chain came back to an EBR: the rest of it is ignored */
	KOSH_PART_SKIP_EBR_TOO_LONG = 8,    /* more than KOSH_PART_EBR_MAX EBRs: the rest is ignored */
	KOSH_PART_SKIP_EBR_BAD = 9,	    /* an EBR without 0x55AA, or a link outside the extended partition */
	KOSH_PART_SKIP_EXTENDED_NESTED = 10, /* MBR: an extended partition inside an EBR's first entry */
};

struct kosh_part_skipped {
	uint32_t index;	 /* the partition number it would have had (EBR_*: the next logical number) */
	uint32_t reason; /* enum kosh_part_skip */
};

/* What kosh_part_read found. */
#define KOSH_PART_GPT_BACKUP_USED 0x1u /* the primary GPT was bad (primary_err says why); the backup is used */

struct kosh_part_table {
	uint32_t scheme;	/* enum kosh_part_scheme (after an error: the kind refused, NONE if unknown) */
	uint32_t count;		/* partitions in part[] */
	struct kosh_part part[KOSH_PART_MAX];
	uint32_t skipped_count; /* all entries left out; the first KOSH_PART_SKIPPED_MAX are in skipped[] */
	struct kosh_part_skipped skipped[KOSH_PART_SKIPPED_MAX];
	/* GPT */
	uint32_t gpt_flags;	/* KOSH_PART_GPT_* */
	uint32_t primary_err;	/* with BACKUP_USED, or when both are bad: enum kosh_part_err of the primary */
	uint32_t backup_err;	/* when both are bad: the backup's */
	uint8_t disk_guid[16];
	uint64_t first_usable, last_usable;
};

/* Errors for a whole table. */
enum kosh_part_err {
	KOSH_PART_OK = 0,
	KOSH_PART_E_ARGUMENT,	  /* bad disk description (sector size, no sectors, no callback) */
	KOSH_PART_E_READ,	  /* the read callback failed (a truncated or failing disk) */
	KOSH_PART_E_NO_TABLE,	  /* no 0x55AA signature in sector 0: not partitioned */
	KOSH_PART_E_MBR_STATUS,	  /* an MBR entry's status is neither 0x00 nor 0x80 (a boot sector, not an MBR) */
	KOSH_PART_E_GPT_SIGNATURE, /* no "EFI PART" */
	KOSH_PART_E_GPT_REVISION, /* not revision 1.x */
	KOSH_PART_E_GPT_HEADER_SIZE, /* below 92 bytes or above the sector */
	KOSH_PART_E_GPT_HEADER_CRC,
	KOSH_PART_E_GPT_MY_LBA,	  /* the header does not say where it is */
	KOSH_PART_E_GPT_USABLE,	  /* first/last usable LBA reversed, past the end, or over a header */
	KOSH_PART_E_GPT_ENTRIES,  /* entry count or size out of range, or the array outside the disk or over the usable range */
	KOSH_PART_E_GPT_ENTRIES_CRC,
	KOSH_PART_E_GPT_SMALL,	  /* the disk is too small to hold a GPT */
	KOSH_PART_E_COUNT
};

/*
 * Read the disk's partition table into *out. Returns KOSH_PART_OK (out->scheme
 * MBR or GPT, possibly with no partitions), or an error with out->count 0 (and
 * no partition used: KOSH_PART_E_NO_TABLE means the whole disk is one). A
 * sector 0 with a protective entry (type 0xEE) means GPT: the primary (LBA 1)
 * is used if it and its entries are sound, else the backup (last LBA); if both
 * are bad the primary's error is returned (primary_err, backup_err say both).
 * Uses about 6 KiB of stack (one 4 KiB sector buffer among it).
 */
enum kosh_part_err kosh_part_read(const struct kosh_part_disk *disk, struct kosh_part_table *out);

/* English text of a kosh_part_err. */
const char *kosh_part_strerror(uint32_t err);

/* English text of a kosh_part_skip reason. */
const char *kosh_part_skip_text(uint32_t reason);

/* CRC-32 (IEEE 802.3, as GPT uses) of buf, continuing from crc (0 to start). */
uint32_t kosh_part_crc32(uint32_t crc, const void *buf, size_t len);

/* A GUID as stored in GPT, written "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" into out (with a NUL). */
void kosh_part_guid_format(const uint8_t guid[16], char out[37]);

#endif
