/* SPDX-License-Identifier: MIT */
/*
 * Host tests for partition tables (shared/lib/part.c). Disk images are built
 * byte by byte here, with the CRCs of a plain bit-at-a-time CRC-32 written
 * independently of the library's: MBRs with primary and logical partitions,
 * GPTs with several entries at 512- and 4096-byte sectors, entry sizes that do
 * not divide a sector, and every way to break them: corrupt primary (the backup
 * is used), both corrupt, CRC mismatches, each header field out of range, EBR
 * chains that loop or run too long, partitions past the end or overlapping,
 * failing reads. The read callback refuses any LBA past the disk, so a read
 * out of bounds fails the test, and every image lives in an exact-size heap
 * block for AddressSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/part.h>

/* ---- the disk ---- */

struct disk {
	uint32_t ss;
	uint64_t sectors; /* what the parser is told */
	uint64_t stored;  /* sectors of data (fewer: a truncated disk whose reads fail) */
	uint8_t *data;
	uint64_t fail_lba;  /* this read fails (UINT64_MAX: none) */
	uint64_t fail_from; /* reads from here on fail */
	uint64_t reads;
	struct kosh_part_disk pd;
};

static int disk_read(void *ctx, uint64_t lba, void *buf)
{
	struct disk *d = ctx;

	assert_true(lba < d->sectors); /* the parser must never ask past the disk */
	d->reads++;
	assert_true(d->reads < 100000);
	if (lba == d->fail_lba || lba >= d->fail_from || lba >= d->stored)
		return -1;
	memcpy(buf, d->data + lba * d->ss, d->ss);
	return 0;
}

static struct disk *disk_new(uint32_t ss, uint64_t sectors)
{
	struct disk *d = calloc(1, sizeof(*d));

	d->ss = ss;
	d->sectors = d->stored = sectors;
	d->data = calloc(sectors, ss);
	d->fail_lba = d->fail_from = UINT64_MAX;
	d->pd = (struct kosh_part_disk){ss, sectors, disk_read, d};
	return d;
}

static void disk_free(struct disk *d)
{
	free(d->data);
	free(d);
}

static uint8_t *at(struct disk *d, uint64_t lba)
{
	return d->data + lba * d->ss;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The table is large: one per test, on the heap. */
static struct kosh_part_table *table(void)
{
	static struct kosh_part_table *t;
	free(t);
	t = malloc(sizeof(*t));
	memset(t, 0xa5, sizeof(*t)); /* kosh_part_read must set everything */
	return t;
}

static enum kosh_part_err parse(struct disk *d, struct kosh_part_table *t)
{
	enum kosh_part_err err = kosh_part_read(&d->pd, t);
	assert_true(t->count <= KOSH_PART_MAX);
	if (err != KOSH_PART_OK)
		assert_int_equal(t->count, 0);
	return err;
}

/* ---- CRC-32, bit by bit (the reference) ---- */

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = crc & 1 ? crc >> 1 ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

/* ---- MBR ---- */

static void mbr_entry(struct disk *d, uint64_t lba, int i, uint8_t status, uint8_t type,
		      uint32_t start, uint32_t count)
{
	uint8_t *e = at(d, lba) + 446 + 16 * i;

	e[0] = status;
	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, count);
	at(d, lba)[510] = 0x55;
	at(d, lba)[511] = 0xaa;
}

/* ---- GPT ---- */

struct gpt_part {
	uint8_t type[16];
	uint8_t unique[16];
	uint64_t first, last, attrs;
	const uint16_t *name; /* NUL-terminated UTF-16, or NULL */
};

static const uint8_t linux_guid[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				       0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
static const uint8_t esp_guid[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

struct gpt_layout {
	uint32_t count, esize;
	uint64_t esectors; /* of one entry array */
	uint64_t first_usable, last_usable;
};

static struct gpt_layout layout(struct disk *d, uint32_t count, uint32_t esize)
{
	struct gpt_layout l = {count, esize, 0, 0, 0};

	l.esectors = ((uint64_t)count * esize + d->ss - 1) / d->ss;
	l.first_usable = 2 + l.esectors;
	l.last_usable = d->sectors - 2 - l.esectors;
	return l;
}

static uint64_t entries_lba(struct disk *d, const struct gpt_layout *l, uint64_t header)
{
	return header == 1 ? 2 : d->sectors - 1 - l->esectors;
}

/* The header's CRC over its own size, with the field as 0. */
static void fix_header(struct disk *d, uint64_t lba)
{
	uint8_t *h = at(d, lba);
	uint32_t size = get32(h + 12);

	put32(h + 16, 0);
	if (size > d->ss)
		size = 92; /* a test of an oversized header: any CRC */
	put32(h + 16, ref_crc32(h, size));
}

/* The entries' CRC, then the header's. */
static void fix_entries(struct disk *d, uint64_t lba)
{
	uint8_t *h = at(d, lba);
	uint64_t elba = 0;
	uint32_t n = get32(h + 80), es = get32(h + 84);

	for (int i = 0; i < 8; i++)
		elba |= (uint64_t)h[72 + i] << 8 * i;
	if (elba < d->sectors && (uint64_t)n * es <= (d->sectors - elba) * d->ss)
		put32(h + 88, ref_crc32(at(d, elba), (size_t)n * es));
	fix_header(d, lba);
}

static void gpt_header(struct disk *d, const struct gpt_layout *l, uint64_t lba)
{
	uint8_t *h = at(d, lba);

	memset(h, 0, d->ss);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, lba == 1 ? d->sectors - 1 : 1);
	put64(h + 40, l->first_usable);
	put64(h + 48, l->last_usable);
	for (int i = 0; i < 16; i++)
		h[56 + i] = (uint8_t)(0x10 + i); /* disk GUID */
	put64(h + 72, entries_lba(d, l, lba));
	put32(h + 80, l->count);
	put32(h + 84, l->esize);
	fix_entries(d, lba);
}

static void gpt_put_entry(struct disk *d, const struct gpt_layout *l, uint64_t elba, uint32_t i,
			  const struct gpt_part *p)
{
	uint8_t *e = at(d, elba) + (size_t)i * l->esize;

	memset(e, 0, l->esize);
	memcpy(e, p->type, 16);
	memcpy(e + 16, p->unique, 16);
	put64(e + 32, p->first);
	put64(e + 40, p->last);
	put64(e + 48, p->attrs);
	for (int k = 0; p->name && k < 36 && p->name[k]; k++)
		put16(e + 56 + 2 * k, p->name[k]);
}

/* A protective MBR, both entry arrays, both headers. */
static struct gpt_layout gpt_write(struct disk *d, uint32_t count, uint32_t esize,
				   const struct gpt_part *parts, uint32_t n)
{
	struct gpt_layout l = layout(d, count, esize);
	uint64_t last = d->sectors - 1;

	mbr_entry(d, 0, 0, 0, 0xee, 1, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
	for (uint32_t i = 0; i < n; i++) {
		gpt_put_entry(d, &l, entries_lba(d, &l, 1), i, &parts[i]);
		gpt_put_entry(d, &l, entries_lba(d, &l, last), i, &parts[i]);
	}
	gpt_header(d, &l, 1);
	gpt_header(d, &l, last);
	return l;
}

static const uint16_t name_esp[] = {'E', 'S', 'P', 0};
static const uint16_t name_root[] = {'r', 'o', 'o', 't', 0};
/* "Ünï ✓" then U+1F600 as a surrogate pair. */
static const uint16_t name_uni[] = {0x00dc, 'n', 0x00ef, ' ', 0x2713, 0xd83d, 0xde00, 0};

static struct gpt_part gp(const uint8_t *type, uint8_t id, uint64_t first, uint64_t last,
			  uint64_t attrs, const uint16_t *name)
{
	struct gpt_part p = {{0}, {0}, first, last, attrs, name};

	memcpy(p.type, type, 16);
	memset(p.unique, id, 16);
	return p;
}

/* Three partitions: an ESP, a Linux root, one with a non-ASCII name. */
static uint32_t three(struct gpt_part *p, uint64_t base)
{
	p[0] = gp(esp_guid, 1, base, base + 99, 0, name_esp);
	p[1] = gp(linux_guid, 2, base + 100, base + 299, 1u << 2, name_root);
	p[2] = gp(linux_guid, 3, base + 400, base + 400, 0, name_uni);
	return 3;
}

static void check_three(const struct kosh_part_table *t, uint64_t base)
{
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_GPT);
	assert_int_equal(t->count, 3);
	assert_int_equal(t->skipped_count, 0);
	assert_int_equal(t->part[0].index, 1);
	assert_int_equal(t->part[0].first_lba, base);
	assert_int_equal(t->part[0].sectors, 100);
	assert_int_equal(t->part[0].flags, KOSH_PART_F_ESP);
	assert_string_equal(t->part[0].name, "ESP");
	assert_memory_equal(t->part[0].type_guid, esp_guid, 16);
	assert_int_equal(t->part[0].unique_guid[0], 1);
	assert_int_equal(t->part[1].index, 2);
	assert_int_equal(t->part[1].first_lba, base + 100);
	assert_int_equal(t->part[1].sectors, 200);
	assert_int_equal(t->part[1].flags, KOSH_PART_F_BOOTABLE);
	assert_int_equal(t->part[1].attributes, 4);
	assert_string_equal(t->part[1].name, "root");
	assert_int_equal(t->part[2].index, 3);
	assert_int_equal(t->part[2].sectors, 1);
	assert_string_equal(t->part[2].name, "\xc3\x9cn\xc3\xaf \xe2\x9c\x93\xf0\x9f\x98\x80");
	assert_int_equal(t->part[2].mbr_type, 0);
	assert_int_equal(t->disk_guid[0], 0x10);
}

/* ---- tests: basics ---- */

static void test_crc32(void **state)
{
	uint8_t buf[1000];

	assert_int_equal(kosh_part_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(kosh_part_crc32(0, "", 0), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(kosh_part_crc32(0, buf, sizeof(buf)), ref_crc32(buf, sizeof(buf)));
	/* In pieces, as the entry array is read. */
	assert_int_equal(kosh_part_crc32(kosh_part_crc32(0, buf, 333), buf + 333, 667),
			 ref_crc32(buf, sizeof(buf)));
}

static void test_guid_format(void **state)
{
	char s[37];

	kosh_part_guid_format(esp_guid, s);
	assert_string_equal(s, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
	kosh_part_guid_format(linux_guid, s);
	assert_string_equal(s, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
}

static void test_arguments(void **state)
{
	struct disk *d = disk_new(512, 64);
	struct kosh_part_table *t = table();
	static const uint32_t sizes[] = {0, 256, 513, 8192, 3000};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		d->pd.sector_size = sizes[i];
		assert_int_equal(parse(d, t), KOSH_PART_E_ARGUMENT);
	}
	d->pd.sector_size = 512;
	d->pd.sectors = 0;
	assert_int_equal(parse(d, t), KOSH_PART_E_ARGUMENT);
	d->pd.sectors = 64;
	d->pd.read = NULL;
	assert_int_equal(parse(d, t), KOSH_PART_E_ARGUMENT);
	assert_int_equal(d->reads, 0);
	disk_free(d);
}

static void test_no_table(void **state)
{
	struct disk *d = disk_new(512, 64);
	struct kosh_part_table *t = table();

	assert_int_equal(parse(d, t), KOSH_PART_E_NO_TABLE);
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_NONE);
	d->fail_lba = 0;
	assert_int_equal(parse(d, t), KOSH_PART_E_READ);
	/* A boot sector with 0x55AA but code where the entries would be. */
	d->fail_lba = UINT64_MAX;
	memset(at(d, 0) + 446, 0xfa, 64);
	at(d, 0)[510] = 0x55, at(d, 0)[511] = 0xaa;
	assert_int_equal(parse(d, t), KOSH_PART_E_MBR_STATUS);
	/* An MBR with no entries: a table, with nothing in it. */
	memset(at(d, 0) + 446, 0, 64);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_MBR);
	assert_int_equal(t->count, 0);
	assert_int_equal(t->skipped_count, 0);
	disk_free(d);
}

static void test_strings(void **state)
{
	for (uint32_t e = 0; e < KOSH_PART_E_COUNT; e++)
		assert_string_not_equal(kosh_part_strerror(e), "unknown error");
	assert_string_equal(kosh_part_strerror(KOSH_PART_E_COUNT), "unknown error");
	assert_string_equal(kosh_part_strerror(UINT32_MAX), "unknown error");
	for (uint32_t r = KOSH_PART_SKIP_ZERO_SIZE; r <= KOSH_PART_SKIP_EXTENDED_NESTED; r++)
		assert_string_not_equal(kosh_part_skip_text(r), "unknown reason");
	assert_string_equal(kosh_part_skip_text(0), "unknown reason");
	assert_string_equal(kosh_part_skip_text(999), "unknown reason");
}

/* ---- tests: MBR ---- */

static void test_mbr_primary(void **state)
{
	struct disk *d = disk_new(512, 10000);
	struct kosh_part_table *t = table();

	mbr_entry(d, 0, 0, 0x80, 0x83, 2048, 4000);
	mbr_entry(d, 0, 2, 0x00, 0xef, 6048, 100);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_MBR);
	assert_int_equal(t->count, 2);
	assert_int_equal(t->part[0].index, 1);
	assert_int_equal(t->part[0].first_lba, 2048);
	assert_int_equal(t->part[0].sectors, 4000);
	assert_int_equal(t->part[0].mbr_type, 0x83);
	assert_int_equal(t->part[0].flags, KOSH_PART_F_BOOTABLE);
	assert_string_equal(t->part[0].name, "");
	assert_int_equal(t->part[1].index, 3);
	assert_int_equal(t->part[1].flags, KOSH_PART_F_ESP);
	assert_int_equal(t->skipped_count, 0);
	/* Ending exactly at the disk's end is inside. */
	mbr_entry(d, 0, 3, 0, 0x83, 9000, 1000);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 3);
	disk_free(d);
}

/*
 * Sector 0 as mtools' mpartition wrote it (mpartition -I, then -c -b 2048 -l 8192
 * -a on an 8 MiB image): one active FAT16 partition, with CHS fields.
 */
static void test_mbr_mpartition(void **state)
{
	static const uint8_t entry[16] = {0x80, 0x00, 0x21, 0x02, 0x04, 0x02, 0x22, 0x0a,
					  0x00, 0x08, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00};
	struct disk *d = disk_new(512, 16384);
	struct kosh_part_table *t = table();

	memcpy(at(d, 0) + 446, entry, 16);
	at(d, 0)[510] = 0x55, at(d, 0)[511] = 0xaa;
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_MBR);
	assert_int_equal(t->count, 1);
	assert_int_equal(t->part[0].index, 1);
	assert_int_equal(t->part[0].first_lba, 2048);
	assert_int_equal(t->part[0].sectors, 8192);
	assert_int_equal(t->part[0].mbr_type, 0x04);
	assert_int_equal(t->part[0].flags, KOSH_PART_F_BOOTABLE);
	assert_int_equal(d->reads, 1);
	disk_free(d);
}

static void expect_skip(const struct kosh_part_table *t, uint32_t i, uint32_t index,
			uint32_t reason)
{
	assert_true(i < t->skipped_count);
	assert_int_equal(t->skipped[i].index, index);
	assert_int_equal(t->skipped[i].reason, reason);
}

static void test_mbr_bad_entries(void **state)
{
	struct disk *d = disk_new(512, 10000);
	struct kosh_part_table *t = table();

	mbr_entry(d, 0, 0, 0, 0x83, 100, 0);		       /* empty */
	mbr_entry(d, 0, 1, 0, 0x83, 0, 10);		       /* over the MBR */
	mbr_entry(d, 0, 2, 0, 0x83, 9999, 2);		       /* one past the end */
	mbr_entry(d, 0, 3, 0, 0x83, 0xffffffffu, 0xffffffffu); /* far past it */
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 0);
	assert_int_equal(t->skipped_count, 4);
	expect_skip(t, 0, 1, KOSH_PART_SKIP_ZERO_SIZE);
	expect_skip(t, 1, 2, KOSH_PART_SKIP_OVERLAP);
	expect_skip(t, 2, 3, KOSH_PART_SKIP_PAST_END);
	expect_skip(t, 3, 4, KOSH_PART_SKIP_PAST_END);

	/* Overlaps: the later entry goes, the earlier stays. */
	memset(at(d, 0), 0, 512);
	mbr_entry(d, 0, 0, 0, 0x83, 100, 100);
	mbr_entry(d, 0, 1, 0, 0x83, 199, 10); /* shares sector 199 */
	mbr_entry(d, 0, 2, 0, 0x83, 200, 10); /* touches, does not overlap */
	mbr_entry(d, 0, 3, 0, 0x05, 50, 51);  /* an extended one over the first */
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 2);
	assert_int_equal(t->part[0].index, 1);
	assert_int_equal(t->part[1].index, 3);
	expect_skip(t, 0, 2, KOSH_PART_SKIP_OVERLAP);
	expect_skip(t, 1, 4, KOSH_PART_SKIP_OVERLAP);
	assert_int_equal(d->reads,
			 1 + 1); /* sector 0, once per parse: its chain was not followed */
	disk_free(d);
}

/*
 * An extended partition at 1000 .. 8999 with three logical partitions, EBRs
 * at 1000, 3000 and 6000 (links relative to 1000, partitions to their EBR).
 */
static void logical_disk(struct disk *d)
{
	mbr_entry(d, 0, 0, 0, 0x83, 10, 990);
	mbr_entry(d, 0, 1, 0, 0x0f, 1000, 8000);
	mbr_entry(d, 1000, 0, 0, 0x83, 63, 1000);
	mbr_entry(d, 1000, 1, 0, 0x05, 2000, 3000);
	mbr_entry(d, 3000, 0, 0x80, 0x07, 1, 2000);
	mbr_entry(d, 3000, 1, 0, 0x05, 5000, 3000);
	mbr_entry(d, 6000, 0, 0, 0xef, 100, 2900);
}

static void check_logical(const struct kosh_part_table *t)
{
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_MBR);
	assert_int_equal(t->count, 4);
	assert_int_equal(t->part[0].index, 1);
	assert_int_equal(t->part[1].index, 5);
	assert_int_equal(t->part[1].first_lba, 1063);
	assert_int_equal(t->part[1].sectors, 1000);
	assert_int_equal(t->part[1].flags, KOSH_PART_F_LOGICAL);
	assert_int_equal(t->part[2].index, 6);
	assert_int_equal(t->part[2].first_lba, 3001);
	assert_int_equal(t->part[2].mbr_type, 0x07);
	assert_int_equal(t->part[2].flags, KOSH_PART_F_LOGICAL | KOSH_PART_F_BOOTABLE);
	assert_int_equal(t->part[3].index, 7);
	assert_int_equal(t->part[3].first_lba, 6100);
	assert_int_equal(t->part[3].sectors, 2900); /* ends exactly at the extended's end */
	assert_int_equal(t->part[3].flags, KOSH_PART_F_LOGICAL | KOSH_PART_F_ESP);
}

static void test_mbr_logical(void **state)
{
	struct disk *d = disk_new(512, 10000);
	struct kosh_part_table *t = table();

	logical_disk(d);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_logical(t);
	assert_int_equal(t->skipped_count, 0);
	disk_free(d);

	d = disk_new(4096, 10000);
	logical_disk(d);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_logical(t);
	disk_free(d);
}

static void test_mbr_logical_bad(void **state)
{
	struct disk *d = disk_new(512, 10000);
	struct kosh_part_table *t = table();

	logical_disk(d);
	/* The last logical partition one sector too long: outside its extended partition. */
	mbr_entry(d, 6000, 0, 0, 0xef, 100, 2901);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 3);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_OUTSIDE_EXTENDED);
	/* Nested extended, zero size, over its own EBR. */
	mbr_entry(d, 6000, 0, 0, 0x05, 100, 10);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_EXTENDED_NESTED);
	mbr_entry(d, 6000, 0, 0, 0x83, 100, 0);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_ZERO_SIZE);
	mbr_entry(d, 6000, 0, 0, 0x83, 0, 10);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_OVERLAP);
	/* Two logical partitions over each other. */
	mbr_entry(d, 6000, 0, 0, 0x83, 1, 10);
	mbr_entry(d, 3000, 0, 0, 0x83, 1, 3005);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 3);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_OVERLAP);

	/* A broken EBR (no signature) ends the chain there; what came before stays. */
	logical_disk(d);
	at(d, 3000)[511] = 0;
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 2);
	expect_skip(t, 0, 6, KOSH_PART_SKIP_EBR_BAD);
	/* A link past the extended partition, and one that is not an extended type. */
	logical_disk(d);
	mbr_entry(d, 3000, 1, 0, 0x05, 8000, 10);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 3);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_EBR_BAD);
	mbr_entry(d, 3000, 1, 0, 0x83, 5000, 10);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_EBR_BAD);
	/* An EBR that cannot be read fails the table. */
	logical_disk(d);
	d->fail_lba = 6000;
	assert_int_equal(parse(d, t), KOSH_PART_E_READ);
	assert_int_equal(t->skipped_count, 0);
	disk_free(d);
}

static void test_mbr_ebr_loop(void **state)
{
	struct disk *d = disk_new(512, 10000);
	struct kosh_part_table *t = table();

	logical_disk(d);
	/* The third EBR links back to the second. */
	mbr_entry(d, 6000, 1, 0, 0x05, 2000, 10);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_logical(t);
	assert_int_equal(t->skipped_count, 1);
	expect_skip(t, 0, 8, KOSH_PART_SKIP_EBR_LOOP);
	assert_true(d->reads < 10);
	/* An EBR linking to itself, and back to the first (relative link 0). */
	logical_disk(d);
	mbr_entry(d, 3000, 1, 0, 0x05, 2000, 10);
	d->reads = 0;
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 3);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_EBR_LOOP);
	mbr_entry(d, 3000, 1, 0, 0x05, 0, 10);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	expect_skip(t, 0, 7, KOSH_PART_SKIP_EBR_LOOP);
	assert_true(d->reads < 20);
	disk_free(d);
}

static void test_mbr_ebr_too_long(void **state)
{
	uint32_t n = KOSH_PART_EBR_MAX + 10;
	struct disk *d = disk_new(512, 4 * n + 100);
	struct kosh_part_table *t = table();

	/* EBRs at 4, 8, 12 …, each with a two-sector partition after it; no primaries. */
	mbr_entry(d, 0, 0, 0, 0x05, 4, 4 * n);
	for (uint32_t i = 0; i < n; i++) {
		mbr_entry(d, 4 + 4 * i, 0, 0, 0x83, 1, 2);
		if (i + 1 < n)
			mbr_entry(d, 4 + 4 * i, 1, 0, 0x05, 4 * (i + 1), 3);
	}
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	/* KOSH_PART_EBR_MAX EBRs followed (as many as KOSH_PART_MAX), their partitions listed. */
	assert_int_equal(t->count, KOSH_PART_MAX);
	assert_int_equal(t->part[KOSH_PART_MAX - 1].index, 5 + KOSH_PART_MAX - 1);
	assert_int_equal(t->skipped[t->skipped_count - 1].reason, KOSH_PART_SKIP_EBR_TOO_LONG);
	assert_true(d->reads <= 1 + KOSH_PART_EBR_MAX);
	for (uint32_t i = 1; i < t->count; i++)
		assert_int_equal(t->part[i].first_lba, t->part[i - 1].first_lba + 4);
	disk_free(d);
}

/* ---- tests: GPT ---- */

static void test_gpt_basic(void **state)
{
	static const uint32_t sizes[] = {512, 4096};

	for (int s = 0; s < 2; s++) {
		struct disk *d = disk_new(sizes[s], 2048);
		struct kosh_part_table *t = table();
		struct gpt_part p[3];
		struct gpt_layout l = gpt_write(d, 128, 128, p, three(p, 100));

		assert_int_equal(parse(d, t), KOSH_PART_OK);
		check_three(t, 100);
		assert_int_equal(t->gpt_flags, 0);
		assert_int_equal(t->first_usable, l.first_usable);
		assert_int_equal(t->last_usable, l.last_usable);
		/* The primary is enough: the backup was not read. */
		assert_true(d->reads == 2 + l.esectors);
		/* The primary header wiped: the backup, at the last LBA of this sector size. */
		memset(at(d, 1), 0, d->ss);
		assert_int_equal(parse(d, t), KOSH_PART_OK);
		check_three(t, 100);
		assert_int_equal(t->gpt_flags, KOSH_PART_GPT_BACKUP_USED);
		assert_int_equal(t->primary_err, KOSH_PART_E_GPT_SIGNATURE);
		disk_free(d);
	}
}

static void test_gpt_entry_sizes(void **state)
{
	/* 136 does not divide 512: entries span sectors. 1024 is the most allowed. */
	static const uint32_t sizes[] = {136, 256, 1024, 8 * 17};
	static const uint32_t counts[] = {77, 128, 4, 1024};

	for (int i = 0; i < 4; i++) {
		struct disk *d = disk_new(512, 4096);
		struct kosh_part_table *t = table();
		struct gpt_part p[3];
		uint32_t n = three(p, 2500);

		if (counts[i] < 3)
			n = counts[i];
		gpt_write(d, counts[i], sizes[i], p, n);
		assert_int_equal(parse(d, t), KOSH_PART_OK);
		check_three(t, 2500);
		disk_free(d);
	}
}

/* Corrupt the primary in several ways: each time the backup is used. */
static void test_gpt_backup_used(void **state)
{
	struct disk *d = disk_new(512, 2048);
	struct kosh_part_table *t = table();
	struct gpt_part p[3];
	uint32_t n = three(p, 100);

	gpt_write(d, 128, 128, p, n);
	at(d, 1)[40] ^= 1; /* first usable, CRC not fixed */
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_three(t, 100);
	assert_int_equal(t->gpt_flags, KOSH_PART_GPT_BACKUP_USED);
	assert_int_equal(t->primary_err, KOSH_PART_E_GPT_HEADER_CRC);

	gpt_write(d, 128, 128, p, n);
	at(d, 2)[32] ^= 1; /* the first entry's first LBA */
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_three(t, 100);
	assert_int_equal(t->primary_err, KOSH_PART_E_GPT_ENTRIES_CRC);

	gpt_write(d, 128, 128, p, n);
	memset(at(d, 1), 0, 512); /* wiped */
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_three(t, 100);
	assert_int_equal(t->primary_err, KOSH_PART_E_GPT_SIGNATURE);

	gpt_write(d, 128, 128, p, n);
	d->fail_lba = 5; /* a primary entry sector */
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_three(t, 100);
	assert_int_equal(t->primary_err, KOSH_PART_E_READ);
	d->fail_lba = UINT64_MAX;

	/* A primary entry bad in a way the CRC covers: the backup's differs and is used. */
	gpt_write(d, 128, 128, p, n);
	gpt_put_entry(d, &(struct gpt_layout){128, 128, 32, 34, 2014}, 2, 0,
		      &(struct gpt_part){{1}, {9}, 0, 5, 0, NULL});
	fix_entries(d, 1);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->gpt_flags, 0); /* the primary is sound; its entry is skipped */
	assert_int_equal(t->count, 2);
	expect_skip(t, 0, 1, KOSH_PART_SKIP_PAST_END);
	disk_free(d);
}

static void test_gpt_both_bad(void **state)
{
	struct disk *d = disk_new(512, 2048);
	struct kosh_part_table *t = table();
	struct gpt_part p[3];
	uint32_t n = three(p, 100);

	gpt_write(d, 128, 128, p, n);
	at(d, 1)[16] ^= 1;
	at(d, 2047)[16] ^= 1;
	assert_int_equal(parse(d, t), KOSH_PART_E_GPT_HEADER_CRC);
	assert_int_equal(t->scheme, KOSH_PART_SCHEME_GPT);
	assert_int_equal(t->primary_err, KOSH_PART_E_GPT_HEADER_CRC);
	assert_int_equal(t->backup_err, KOSH_PART_E_GPT_HEADER_CRC);
	assert_int_equal(t->skipped_count, 0);

	gpt_write(d, 128, 128, p, n);
	at(d, 2)[0] ^= 1;
	at(d, 2047 - 32)[0] ^= 1;
	assert_int_equal(parse(d, t), KOSH_PART_E_GPT_ENTRIES_CRC);
	assert_int_equal(t->backup_err, KOSH_PART_E_GPT_ENTRIES_CRC);

	/* A truncated disk: the primary's usable range runs past it, the backup is missing. */
	gpt_write(d, 128, 128, p, n);
	d->pd.sectors = d->sectors = 1024;
	assert_int_equal(parse(d, t), KOSH_PART_E_GPT_USABLE);
	assert_int_equal(t->backup_err, KOSH_PART_E_GPT_SIGNATURE);
	/* Reads failing from sector 1 on. */
	d->pd.sectors = d->sectors = 2048;
	d->fail_from = 1;
	assert_int_equal(parse(d, t), KOSH_PART_E_READ);
	disk_free(d);

	/* Too small to hold a GPT. */
	d = disk_new(512, 4);
	mbr_entry(d, 0, 0, 0, 0xee, 1, 3);
	assert_int_equal(parse(d, t), KOSH_PART_E_GPT_SMALL);
	disk_free(d);
}

/*
 * Each header field out of range, on the primary only with its CRCs fixed
 * (the backup is then used, and primary_err names the field), then on both.
 */
struct field_case {
	uint32_t off, width;
	uint64_t value;
	enum kosh_part_err err;
};

static void put_field(uint8_t *h, const struct field_case *f)
{
	if (f->width == 4)
		put32(h + f->off, (uint32_t)f->value);
	else
		put64(h + f->off, f->value);
}

static void test_gpt_header_fields(void **state)
{
	struct disk *d = disk_new(512, 2048);
	struct kosh_part_table *t = table();
	struct gpt_part p[3];
	uint32_t n = three(p, 100);
	/* Layout at 2048 sectors, 128 entries of 128 bytes: arrays of 32 sectors. */
	const struct field_case cases[] = {
	    {8, 4, 0x00020000, KOSH_PART_E_GPT_REVISION},
	    {8, 4, 0x00000100, KOSH_PART_E_GPT_REVISION},
	    {12, 4, 91, KOSH_PART_E_GPT_HEADER_SIZE},
	    {12, 4, 513, KOSH_PART_E_GPT_HEADER_SIZE},
	    {12, 4, 0xffffffffu, KOSH_PART_E_GPT_HEADER_SIZE},
	    {24, 8, 2, KOSH_PART_E_GPT_MY_LBA},
	    {40, 8, 1, KOSH_PART_E_GPT_USABLE},	   /* over the header */
	    {40, 8, 2015, KOSH_PART_E_GPT_USABLE}, /* first > last */
	    {48, 8, 2047, KOSH_PART_E_GPT_USABLE}, /* over the backup header */
	    {48, 8, UINT64_MAX, KOSH_PART_E_GPT_USABLE},
	    {80, 4, 0, KOSH_PART_E_GPT_ENTRIES},
	    {80, 4, 1025, KOSH_PART_E_GPT_ENTRIES},
	    {80, 4, 0xffffffffu, KOSH_PART_E_GPT_ENTRIES},
	    {84, 4, 120, KOSH_PART_E_GPT_ENTRIES},
	    {84, 4, 132, KOSH_PART_E_GPT_ENTRIES},
	    {84, 4, 2048, KOSH_PART_E_GPT_ENTRIES},
	    {84, 4, 0, KOSH_PART_E_GPT_ENTRIES},
	    {72, 8, 0, KOSH_PART_E_GPT_ENTRIES},
	    {72, 8, 1, KOSH_PART_E_GPT_ENTRIES},
	    {72, 8, 3, KOSH_PART_E_GPT_ENTRIES},	 /* runs into the usable range */
	    {72, 8, 2047 - 31, KOSH_PART_E_GPT_ENTRIES}, /* over the backup header */
	    {72, 8, UINT64_MAX - 5, KOSH_PART_E_GPT_ENTRIES},
	    {72, 8, 5000, KOSH_PART_E_GPT_ENTRIES},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gpt_write(d, 128, 128, p, n);
		put_field(at(d, 1), &cases[i]);
		fix_entries(d, 1);
		d->reads = 0;
		assert_int_equal(parse(d, t), KOSH_PART_OK);
		assert_int_equal(t->primary_err, cases[i].err);
		assert_int_equal(t->gpt_flags, KOSH_PART_GPT_BACKUP_USED);
		check_three(t, 100);
		/* The same on the backup too: the table is refused. */
		put_field(at(d, 2047), &cases[i]);
		if (cases[i].off == 24)
			put64(at(d, 2047) + 24, 1);
		fix_entries(d, 2047);
		assert_int_equal(parse(d, t), cases[i].err);
		assert_int_equal(t->backup_err, cases[i].err);
		assert_true(d->reads < 100);
	}
	/* A signature one byte off. */
	gpt_write(d, 128, 128, p, n);
	at(d, 1)[7] = 'S';
	fix_header(d, 1);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->primary_err, KOSH_PART_E_GPT_SIGNATURE);
	/* The header may be longer than 92 bytes, its CRC then covers it all. */
	gpt_write(d, 128, 128, p, n);
	put32(at(d, 1) + 12, 512);
	at(d, 1)[300] = 7;
	fix_header(d, 1);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->gpt_flags, 0);
	at(d, 1)[300] = 8;
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->primary_err, KOSH_PART_E_GPT_HEADER_CRC);
	disk_free(d);
}

static void test_gpt_bad_entries(void **state)
{
	struct disk *d = disk_new(512, 2048);
	struct kosh_part_table *t = table();
	static const uint16_t lone_high[] = {'a', 0xd800, 'b', 0};
	static const uint16_t lone_low[] = {0xdc00, 0};
	static const uint16_t control[] = {'a', 0x0a, 0};
	static const uint16_t c1[] = {0x85, 0};
	static const uint16_t full[36] = {'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
					  'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
					  'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x',
					  'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 0xd83d};
	struct gpt_part p[] = {
	    gp(linux_guid, 1, 100, 199, 0, name_root),
	    gp(linux_guid, 2, 200, 199, 0, NULL),      /* first > last */
	    gp(linux_guid, 3, 150, 250, 0, NULL),      /* overlaps 1 */
	    gp(linux_guid, 4, 10, 40, 0, NULL),	       /* before first usable (34) */
	    gp(linux_guid, 5, 2000, 2014, 0, NULL),    /* ends at the last usable LBA: inside */
	    gp(linux_guid, 6, 2010, 2015, 0, NULL),    /* past last usable */
	    gp(linux_guid, 7, 300, 300, 0, lone_high), /* bad names: kept, flagged */
	    gp(linux_guid, 8, 301, 301, 0, lone_low),
	    gp(linux_guid, 9, 302, 302, 0, control),
	    gp(linux_guid, 10, 303, 303, 0, c1),
	    gp(linux_guid, 11, 304, 304, 0, full), /* a high surrogate in the last unit */
	    {{0}, {1}, 500, 600, 0, NULL},	   /* type 0: unused, passed over silently */
	    gp(linux_guid, 13, 5, UINT64_MAX, 0, NULL),
	    gp(linux_guid, 14, UINT64_MAX, UINT64_MAX, 0, NULL),
	};
	uint32_t n = sizeof(p) / sizeof(p[0]);

	gpt_write(d, 128, 128, p, n);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 7);
	assert_int_equal(t->part[0].index, 1);
	assert_int_equal(t->part[1].index, 5);
	assert_int_equal(t->part[1].sectors, 15);
	for (uint32_t i = 2; i < 7; i++) {
		assert_int_equal(t->part[i].index, 5 + i);
		assert_int_equal(t->part[i].flags, KOSH_PART_F_BAD_NAME);
		assert_string_equal(t->part[i].name, "");
	}
	assert_int_equal(t->skipped_count, 6);
	expect_skip(t, 0, 2, KOSH_PART_SKIP_FIRST_AFTER_LAST);
	expect_skip(t, 1, 3, KOSH_PART_SKIP_OVERLAP);
	expect_skip(t, 2, 4, KOSH_PART_SKIP_PAST_END);
	expect_skip(t, 3, 6, KOSH_PART_SKIP_PAST_END);
	expect_skip(t, 4, 13, KOSH_PART_SKIP_PAST_END);
	expect_skip(t, 5, 14, KOSH_PART_SKIP_PAST_END);

	/* A full 36-unit name without a terminator is fine. */
	uint16_t longname[37];
	for (int i = 0; i < 36; i++)
		longname[i] = 0x20ac; /* € : three UTF-8 bytes each, 108 in all */
	longname[36] = 0;
	struct gpt_part q = gp(linux_guid, 1, 100, 100, 0, longname);
	memset(d->data, 0, (size_t)d->ss * d->sectors);
	gpt_write(d, 128, 128, &q, 1);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, 1);
	assert_int_equal(strlen(t->part[0].name), KOSH_PART_NAME_MAX);
	assert_memory_equal(t->part[0].name, "\xe2\x82\xac", 3);
	disk_free(d);
}

static void test_gpt_too_many(void **state)
{
	uint32_t n = KOSH_PART_MAX + 40;
	struct disk *d = disk_new(512, 4096);
	struct kosh_part_table *t = table();
	struct gpt_part *p = calloc(n, sizeof(*p));

	for (uint32_t i = 0; i < n; i++)
		p[i] = gp(linux_guid, (uint8_t)i, 1000 + 2 * i, 1000 + 2 * i, 0, NULL);
	gpt_write(d, 256, 128, p, n);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	assert_int_equal(t->count, KOSH_PART_MAX);
	assert_int_equal(t->skipped_count, 40);
	assert_int_equal(t->skipped[KOSH_PART_SKIPPED_MAX - 1].reason, KOSH_PART_SKIP_TOO_MANY);
	assert_int_equal(t->skipped[0].index, KOSH_PART_MAX + 1);
	free(p);
	disk_free(d);
}

/* A hybrid MBR (0xEE beside other entries) is read as GPT; the MBR entries are not used. */
static void test_gpt_hybrid(void **state)
{
	struct disk *d = disk_new(4096, 600);
	struct kosh_part_table *t = table();
	struct gpt_part p[3];

	gpt_write(d, 128, 128, p, three(p, 50));
	mbr_entry(d, 0, 1, 0x80, 0x0c, 50, 100);
	assert_int_equal(parse(d, t), KOSH_PART_OK);
	check_three(t, 50);
	disk_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),
	    cmocka_unit_test(test_guid_format),
	    cmocka_unit_test(test_arguments),
	    cmocka_unit_test(test_no_table),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_mbr_primary),
	    cmocka_unit_test(test_mbr_mpartition),
	    cmocka_unit_test(test_mbr_bad_entries),
	    cmocka_unit_test(test_mbr_logical),
	    cmocka_unit_test(test_mbr_logical_bad),
	    cmocka_unit_test(test_mbr_ebr_loop),
	    cmocka_unit_test(test_mbr_ebr_too_long),
	    cmocka_unit_test(test_gpt_basic),
	    cmocka_unit_test(test_gpt_entry_sizes),
	    cmocka_unit_test(test_gpt_backup_used),
	    cmocka_unit_test(test_gpt_both_bad),
	    cmocka_unit_test(test_gpt_header_fields),
	    cmocka_unit_test(test_gpt_bad_entries),
	    cmocka_unit_test(test_gpt_too_many),
	    cmocka_unit_test(test_gpt_hybrid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
