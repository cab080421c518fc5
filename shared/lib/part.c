/* SPDX-License-Identifier: MIT */
/*
 * MBR and GPT partition tables (<kosh/part.h>, docs/block.md).
 *
 * The disk is untrusted and read one sector at a time into one buffer; a
 * structure that must outlive the next read (the MBR's four entries, a GPT
 * header) is copied out of it first. Every LBA is checked against the disk
 * before it is read, every sum is written so that it cannot wrap (first <=
 * limit - count rather than first + count <= limit), and every loop has a bound
 * that does not come from the disk: four primary entries, KOSH_PART_EBR_MAX
 * EBRs, KOSH_PART_GPT_ENTRIES_MAX entries of at most KOSH_PART_GPT_ENTRY_MAX
 * bytes.
 */
#include <kosh/part.h>
#include <kosh/string.h>

#define SECTOR_MAX     4096u
#define MBR_ENTRIES    446u /* offset of the four 16-byte entries in sector 0 or an EBR */
#define MBR_TYPE_GPT   0xeeu
#define MBR_TYPE_ESP   0xefu
#define GPT_HEADER_MIN 92u
#define GPT_ENTRY_USED 128u /* bytes of an entry that hold fields; the rest is reserved */
#define GPT_NAME_UNITS 36u

struct ctx {
	const struct kosh_part_disk *disk;
	struct kosh_part_table *out;
	uint8_t buf[SECTOR_MAX];
};

/* One MBR or EBR entry, copied out of the sector. */
struct mbr_entry {
	uint8_t status;
	uint8_t type;
	uint32_t start; /* LBA (an EBR's: relative, see ebr_walk) */
	uint32_t count;
};

/* The fields of a GPT header that passed gpt_header. */
struct gpt_header {
	uint64_t first_usable, last_usable, entries_lba, entries_sectors;
	uint32_t count, entry_size, entries_crc;
	uint8_t disk_guid[16];
};

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B as stored. */
static const uint8_t esp_guid[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* first .. first + count - 1 inside 0 .. limit - 1, without wrapping. */
static int range_inside(uint64_t first, uint64_t count, uint64_t limit)
{
	return count <= limit && first <= limit - count;
}

static enum kosh_part_err read_sector(struct ctx *c, uint64_t lba)
{
	if (lba >= c->disk->sectors || c->disk->read(c->disk->ctx, lba, c->buf) != 0)
		return KOSH_PART_E_READ;
	return KOSH_PART_OK;
}

/* ---- CRC-32 ---- */

/* The reflected polynomial 0xEDB88320, four bits at a time: small and without set-up. */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t kosh_part_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = crc >> 4 ^ crc_nibble[crc & 0xf];
		crc = crc >> 4 ^ crc_nibble[crc & 0xf];
	}
	return ~crc;
}

/* ---- the output ---- */

static void skip(struct ctx *c, uint32_t index, uint32_t reason)
{
	struct kosh_part_table *out = c->out;

	if (out->skipped_count < KOSH_PART_SKIPPED_MAX)
		out->skipped[out->skipped_count] = (struct kosh_part_skipped){index, reason};
	out->skipped_count++;
}

static int overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an; /* both inside the disk: no wrap */
}

/* Append p (inside the disk, not empty) unless it overlaps one already listed. */
static void add(struct ctx *c, const struct kosh_part *p)
{
	struct kosh_part_table *out = c->out;

	for (uint32_t i = 0; i < out->count; i++) {
		if (overlap(p->first_lba, p->sectors, out->part[i].first_lba,
			    out->part[i].sectors)) {
			skip(c, p->index, KOSH_PART_SKIP_OVERLAP);
			return;
		}
	}
	if (out->count == KOSH_PART_MAX) {
		skip(c, p->index, KOSH_PART_SKIP_TOO_MANY);
		return;
	}
	out->part[out->count++] = *p;
}

static void reset(struct kosh_part_table *out)
{
	out->count = 0;
	out->skipped_count = 0;
}

/* ---- MBR ---- */

static int mbr_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static struct mbr_entry mbr_entry(const uint8_t *sector, uint32_t i)
{
	const uint8_t *e = sector + MBR_ENTRIES + 16u * i;

	return (struct mbr_entry){e[0], e[4], le32(e + 8), le32(e + 12)};
}

static int mbr_signature(const uint8_t *sector)
{
	return sector[510] == 0x55 && sector[511] == 0xaa;
}

static void mbr_add(struct ctx *c, uint32_t index, const struct mbr_entry *e, uint64_t first,
		    uint32_t flags)
{
	struct kosh_part p = {0};

	p.index = index;
	p.first_lba = first;
	p.sectors = e->count;
	p.mbr_type = e->type;
	p.flags = flags | (e->status == 0x80 ? KOSH_PART_F_BOOTABLE : 0) |
		  (e->type == MBR_TYPE_ESP ? KOSH_PART_F_ESP : 0);
	add(c, &p);
}

/*
 * The logical partition of one EBR at lba, inside the extended partition
 * [ext, ext + ext_count): its start is relative to the EBR and must not cover
 * it; it must end inside the extended partition.
 */
static void ebr_logical(struct ctx *c, const struct mbr_entry *e, uint64_t lba, uint64_t ext,
			uint64_t ext_count, uint32_t index)
{
	uint64_t off = lba - ext; /* < ext_count */

	if (mbr_extended(e->type))
		skip(c, index, KOSH_PART_SKIP_EXTENDED_NESTED);
	else if (e->count == 0)
		skip(c, index, KOSH_PART_SKIP_ZERO_SIZE);
	else if (e->start == 0)
		skip(c, index, KOSH_PART_SKIP_OVERLAP);
	else if (!range_inside(off + e->start, e->count, ext_count)) /* 32-bit values: no wrap */
		skip(c, index, KOSH_PART_SKIP_OUTSIDE_EXTENDED);
	else
		mbr_add(c, index, e, lba + e->start, KOSH_PART_F_LOGICAL);
}

/*
 * Follow the EBR chain of the extended partition [ext, ext + ext_count), which
 * lies inside the disk. Each EBR's second entry links to the next, relative to
 * ext; a chain that loops, runs too long, or leaves the extended partition
 * stops there (the logical partitions found so far stay). Logical partitions
 * are numbered from *index on.
 */
static enum kosh_part_err ebr_walk(struct ctx *c, uint64_t ext, uint64_t ext_count, uint32_t *index)
{
	uint64_t seen[KOSH_PART_EBR_MAX];
	uint64_t lba = ext;
	enum kosh_part_err err;

	for (uint32_t n = 0;; n++) {
		struct mbr_entry e, link;

		if (n == KOSH_PART_EBR_MAX) {
			skip(c, *index, KOSH_PART_SKIP_EBR_TOO_LONG);
			return KOSH_PART_OK;
		}
		for (uint32_t i = 0; i < n; i++) {
			if (seen[i] == lba) {
				skip(c, *index, KOSH_PART_SKIP_EBR_LOOP);
				return KOSH_PART_OK;
			}
		}
		seen[n] = lba;
		err = read_sector(c, lba);
		if (err != KOSH_PART_OK)
			return err;
		if (!mbr_signature(c->buf)) {
			skip(c, *index, KOSH_PART_SKIP_EBR_BAD);
			return KOSH_PART_OK;
		}
		e = mbr_entry(c->buf, 0);
		link = mbr_entry(c->buf, 1);
		if (e.type != 0)
			ebr_logical(c, &e, lba, ext, ext_count, (*index)++);
		if (link.type == 0)
			return KOSH_PART_OK;
		if (!mbr_extended(link.type) || link.start >= ext_count) {
			skip(c, *index, KOSH_PART_SKIP_EBR_BAD);
			return KOSH_PART_OK;
		}
		lba = ext + link.start;
	}
}

/*
 * The four primary entries (already checked for their status), then the
 * chains of the extended ones. Primaries and extended partitions are checked
 * against each other before any chain is followed, so a logical partition,
 * inside its extended partition, cannot overlap a primary one.
 */
static enum kosh_part_err mbr_parse(struct ctx *c, const struct mbr_entry e[4])
{
	uint64_t sectors = c->disk->sectors;
	uint32_t ext[4], ext_n = 0, logical = 5;
	int ok[4] = {0};
	enum kosh_part_err err;

	for (uint32_t i = 0; i < 4; i++) {
		if (e[i].type == 0)
			continue;
		if (e[i].count == 0) {
			skip(c, i + 1, KOSH_PART_SKIP_ZERO_SIZE);
			continue;
		}
		if (e[i].start == 0) { /* over the MBR itself */
			skip(c, i + 1, KOSH_PART_SKIP_OVERLAP);
			continue;
		}
		if (!range_inside(e[i].start, e[i].count, sectors)) {
			skip(c, i + 1, KOSH_PART_SKIP_PAST_END);
			continue;
		}
		ok[i] = 1;
		for (uint32_t j = 0; j < i; j++) {
			if (ok[j] && overlap(e[i].start, e[i].count, e[j].start, e[j].count)) {
				skip(c, i + 1, KOSH_PART_SKIP_OVERLAP);
				ok[i] = 0;
				break;
			}
		}
		if (!ok[i])
			continue;
		if (mbr_extended(e[i].type))
			ext[ext_n++] = i;
		else
			mbr_add(c, i + 1, &e[i], e[i].start, 0);
	}
	for (uint32_t k = 0; k < ext_n; k++) {
		err = ebr_walk(c, e[ext[k]].start, e[ext[k]].count, &logical);
		if (err != KOSH_PART_OK)
			return err;
	}
	return KOSH_PART_OK;
}

/* ---- GPT ---- */

/* Append code point cp as UTF-8; 0 if it is a control character or does not fit. */
static int utf8_put(char *out, uint32_t *len, uint32_t cp)
{
	uint32_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || *len + n > KOSH_PART_NAME_MAX)
		return 0;
	if (n == 1) {
		out[(*len)++] = (char)cp;
		return 1;
	}
	out[(*len)++] = (char)((n == 2 ? 0xc0 : n == 3 ? 0xe0 : 0xf0) | cp >> (6 * (n - 1)));
	for (uint32_t i = n - 1; i > 0; i--)
		out[(*len)++] = (char)(0x80 | ((cp >> (6 * (i - 1))) & 0x3f));
	return 1;
}

/*
 * A GPT name: 36 UTF-16LE units, ended by the first 0 unit (or the field's
 * end), surrogates paired. Written as UTF-8 with a NUL; 0 (and "") if invalid.
 */
static int gpt_name(const uint8_t *field, char *out)
{
	uint32_t len = 0;

	for (uint32_t i = 0; i < GPT_NAME_UNITS; i++) {
		uint32_t u = le16(field + 2 * i), cp = u;

		if (u == 0)
			break;
		if (u >= 0xdc00 && u <= 0xdfff)
			goto bad;
		if (u >= 0xd800 && u <= 0xdbff) {
			uint32_t low = i + 1 < GPT_NAME_UNITS ? le16(field + 2 * (i + 1)) : 0;
			if (low < 0xdc00 || low > 0xdfff)
				goto bad;
			cp = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
			i++;
		}
		if (!utf8_put(out, &len, cp))
			goto bad;
	}
	out[len] = '\0';
	return 1;
bad:
	out[0] = '\0';
	return 0;
}

/* One entry (its first 128 bytes), number i. Unused entries (type GUID 0) are passed over. */
static void gpt_entry(struct ctx *c, const struct gpt_header *h, const uint8_t *ent, uint32_t i)
{
	static const uint8_t zero[16];
	uint64_t first = le64(ent + 32), last = le64(ent + 40);
	struct kosh_part p = {0};

	if (memcmp(ent, zero, 16) == 0)
		return;
	if (first > last) {
		skip(c, i + 1, KOSH_PART_SKIP_FIRST_AFTER_LAST);
		return;
	}
	if (first < h->first_usable || last > h->last_usable) {
		skip(c, i + 1, KOSH_PART_SKIP_PAST_END);
		return;
	}
	p.index = i + 1;
	p.first_lba = first;
	p.sectors = last - first + 1; /* last <= last_usable < sectors: no wrap */
	memcpy(p.type_guid, ent, 16);
	memcpy(p.unique_guid, ent + 16, 16);
	p.attributes = le64(ent + 48);
	if (p.attributes & (1u << 2))
		p.flags |= KOSH_PART_F_BOOTABLE;
	if (memcmp(p.type_guid, esp_guid, 16) == 0)
		p.flags |= KOSH_PART_F_ESP;
	if (!gpt_name(ent + 56, p.name))
		p.flags |= KOSH_PART_F_BAD_NAME;
	add(c, &p);
}

/*
 * The header at lba (1 or the last), whose own position it must state. The
 * usable range and the entry array must lie between the two header positions
 * (1 and sectors - 1, wherever the header was found) and apart.
 */
static enum kosh_part_err gpt_header(struct ctx *c, uint64_t lba, struct gpt_header *h)
{
	uint64_t sectors = c->disk->sectors, bytes;
	uint32_t size, crc;
	const uint8_t *b = c->buf;
	enum kosh_part_err err = read_sector(c, lba);

	if (err != KOSH_PART_OK)
		return err;
	if (memcmp(b, "EFI PART", 8) != 0)
		return KOSH_PART_E_GPT_SIGNATURE;
	if (le32(b + 8) >> 16 != 1)
		return KOSH_PART_E_GPT_REVISION;
	size = le32(b + 12);
	if (size < GPT_HEADER_MIN || size > c->disk->sector_size)
		return KOSH_PART_E_GPT_HEADER_SIZE;
	/* The CRC is of the header with its own field taken as 0. */
	crc = kosh_part_crc32(0, b, 16);
	crc = kosh_part_crc32(crc, "\0\0\0\0", 4);
	crc = kosh_part_crc32(crc, b + 20, size - 20);
	if (crc != le32(b + 16))
		return KOSH_PART_E_GPT_HEADER_CRC;
	if (le64(b + 24) != lba)
		return KOSH_PART_E_GPT_MY_LBA;
	h->first_usable = le64(b + 40);
	h->last_usable = le64(b + 48);
	memcpy(h->disk_guid, b + 56, 16);
	h->entries_lba = le64(b + 72);
	h->count = le32(b + 80);
	h->entry_size = le32(b + 84);
	h->entries_crc = le32(b + 88);
	if (h->first_usable < 2 || h->first_usable > h->last_usable || h->last_usable > sectors - 2)
		return KOSH_PART_E_GPT_USABLE;
	if (h->count == 0 || h->count > KOSH_PART_GPT_ENTRIES_MAX ||
	    h->entry_size < KOSH_PART_GPT_ENTRY_MIN || h->entry_size > KOSH_PART_GPT_ENTRY_MAX ||
	    h->entry_size % 8 != 0)
		return KOSH_PART_E_GPT_ENTRIES;
	bytes = (uint64_t)h->count * h->entry_size;
	h->entries_sectors = (bytes + c->disk->sector_size - 1) / c->disk->sector_size;
	if (h->entries_lba < 2 || !range_inside(h->entries_lba, h->entries_sectors, sectors - 1))
		return KOSH_PART_E_GPT_ENTRIES;
	if (overlap(h->entries_lba, h->entries_sectors, h->first_usable,
		    h->last_usable - h->first_usable + 1))
		return KOSH_PART_E_GPT_ENTRIES;
	return KOSH_PART_OK;
}

/*
 * The entry array, a sector at a time: each byte goes into the CRC, and an
 * entry's first 128 bytes into ent, which may span two sectors. Entries are
 * added as they complete; if the CRC then does not match, they are dropped.
 */
static enum kosh_part_err gpt_entries(struct ctx *c, const struct gpt_header *h)
{
	uint8_t ent[GPT_ENTRY_USED];
	uint64_t left = (uint64_t)h->count * h->entry_size;
	uint32_t crc = 0, pos = 0, index = 0;
	enum kosh_part_err err;

	for (uint64_t s = 0; s < h->entries_sectors; s++) {
		uint32_t n = left < c->disk->sector_size ? (uint32_t)left : c->disk->sector_size;

		err = read_sector(c, h->entries_lba + s);
		if (err != KOSH_PART_OK)
			return err;
		crc = kosh_part_crc32(crc, c->buf, n);
		for (uint32_t i = 0; i < n;) {
			uint32_t take = h->entry_size - pos;

			if (take > n - i)
				take = n - i;
			if (pos < GPT_ENTRY_USED) {
				uint32_t copy =
				    GPT_ENTRY_USED - pos < take ? GPT_ENTRY_USED - pos : take;
				memcpy(ent + pos, c->buf + i, copy);
			}
			pos += take;
			i += take;
			if (pos == h->entry_size) {
				gpt_entry(c, h, ent, index++);
				pos = 0;
			}
		}
		left -= n;
	}
	if (crc != h->entries_crc) {
		reset(c->out);
		return KOSH_PART_E_GPT_ENTRIES_CRC;
	}
	return KOSH_PART_OK;
}

static enum kosh_part_err gpt_try(struct ctx *c, uint64_t lba)
{
	struct gpt_header h;
	enum kosh_part_err err;

	reset(c->out);
	err = gpt_header(c, lba, &h);
	if (err == KOSH_PART_OK)
		err = gpt_entries(c, &h);
	if (err != KOSH_PART_OK) {
		reset(c->out);
		return err;
	}
	memcpy(c->out->disk_guid, h.disk_guid, 16);
	c->out->first_usable = h.first_usable;
	c->out->last_usable = h.last_usable;
	return KOSH_PART_OK;
}

static enum kosh_part_err gpt_parse(struct ctx *c)
{
	struct kosh_part_table *out = c->out;
	enum kosh_part_err err;

	out->scheme = KOSH_PART_SCHEME_GPT;
	/* Sector 0, both headers, an entry sector and a usable one at least. */
	if (c->disk->sectors < 5)
		return KOSH_PART_E_GPT_SMALL;
	err = gpt_try(c, 1);
	if (err == KOSH_PART_OK)
		return KOSH_PART_OK;
	out->primary_err = err;
	out->backup_err = gpt_try(c, c->disk->sectors - 1);
	if (out->backup_err != KOSH_PART_OK)
		return err;
	out->gpt_flags |= KOSH_PART_GPT_BACKUP_USED;
	return KOSH_PART_OK;
}

/* ---- the table ---- */

static enum kosh_part_err part_read(struct ctx *c)
{
	struct mbr_entry e[4];
	int gpt = 0;
	enum kosh_part_err err = read_sector(c, 0);

	if (err != KOSH_PART_OK)
		return err;
	/* The MBR is the first 512 bytes of sector 0 whatever the sector size. */
	if (!mbr_signature(c->buf))
		return KOSH_PART_E_NO_TABLE;
	for (uint32_t i = 0; i < 4; i++) {
		e[i] = mbr_entry(c->buf, i);
		if (e[i].status != 0 && e[i].status != 0x80)
			return KOSH_PART_E_MBR_STATUS;
		gpt |= e[i].type == MBR_TYPE_GPT;
	}
	if (gpt)
		return gpt_parse(c);
	c->out->scheme = KOSH_PART_SCHEME_MBR;
	return mbr_parse(c, e);
}

enum kosh_part_err kosh_part_read(const struct kosh_part_disk *disk, struct kosh_part_table *out)
{
	struct ctx c;
	uint32_t size = disk->sector_size;
	enum kosh_part_err err;

	memset(out, 0, sizeof(*out));
	if ((size != 512 && size != 1024 && size != 2048 && size != 4096) || disk->sectors == 0 ||
	    disk->read == NULL)
		return KOSH_PART_E_ARGUMENT;
	c.disk = disk;
	c.out = out;
	/* On an error, scheme still says which kind of table was refused. */
	err = part_read(&c);
	if (err != KOSH_PART_OK)
		reset(out);
	return err;
}

/* ---- texts ---- */

static const char *const error_texts[KOSH_PART_E_COUNT] = {
    [KOSH_PART_OK] = "no error",
    [KOSH_PART_E_ARGUMENT] = "bad disk description",
    [KOSH_PART_E_READ] = "disk read failed",
    [KOSH_PART_E_NO_TABLE] = "no partition table",
    [KOSH_PART_E_MBR_STATUS] = "MBR entry status is not 0x00 or 0x80 (a boot sector?)",
    [KOSH_PART_E_GPT_SIGNATURE] = "GPT header without its signature",
    [KOSH_PART_E_GPT_REVISION] = "GPT header of an unknown revision",
    [KOSH_PART_E_GPT_HEADER_SIZE] = "GPT header size out of range",
    [KOSH_PART_E_GPT_HEADER_CRC] = "GPT header CRC mismatch",
    [KOSH_PART_E_GPT_MY_LBA] = "GPT header at the wrong LBA",
    [KOSH_PART_E_GPT_USABLE] = "GPT usable range invalid",
    [KOSH_PART_E_GPT_ENTRIES] = "GPT entry array invalid (count, size or place)",
    [KOSH_PART_E_GPT_ENTRIES_CRC] = "GPT entry array CRC mismatch",
    [KOSH_PART_E_GPT_SMALL] = "disk too small for a GPT",
};

const char *kosh_part_strerror(uint32_t err)
{
	if (err < KOSH_PART_E_COUNT && error_texts[err] != NULL)
		return error_texts[err];
	return "unknown error";
}

static const char *const skip_texts[] = {
    [KOSH_PART_SKIP_ZERO_SIZE] = "no sectors",
    [KOSH_PART_SKIP_PAST_END] = "outside the disk or the usable range",
    [KOSH_PART_SKIP_FIRST_AFTER_LAST] = "first LBA after last LBA",
    [KOSH_PART_SKIP_OVERLAP] = "overlaps another partition or the table",
    [KOSH_PART_SKIP_TOO_MANY] = "too many partitions",
    [KOSH_PART_SKIP_OUTSIDE_EXTENDED] = "logical partition outside its extended partition",
    [KOSH_PART_SKIP_EBR_LOOP] = "EBR chain loops",
    [KOSH_PART_SKIP_EBR_TOO_LONG] = "EBR chain too long",
    [KOSH_PART_SKIP_EBR_BAD] = "bad EBR or EBR link",
    [KOSH_PART_SKIP_EXTENDED_NESTED] = "extended partition inside an EBR",
};

const char *kosh_part_skip_text(uint32_t reason)
{
	if (reason < sizeof(skip_texts) / sizeof(skip_texts[0]) && skip_texts[reason] != NULL)
		return skip_texts[reason];
	return "unknown reason";
}

void kosh_part_guid_format(const uint8_t g[16], char out[37])
{
	static const char hex[] = "0123456789ABCDEF";
	/* Byte order: the first three fields little-endian, the rest as stored. */
	static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	uint32_t o = 0;

	for (uint32_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[g[order[i]] >> 4];
		out[o++] = hex[g[order[i]] & 0xf];
	}
	out[o] = '\0';
}
