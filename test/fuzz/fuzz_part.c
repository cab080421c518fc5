/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for partition tables (shared/lib/part.c). The input is a
 * disk image of a few sectors after one byte of settings: bit 0 picks
 * 4096-byte sectors (else 512), bit 1 has the harness write valid CRCs into a
 * GPT header at LBA 1 and the last LBA (and over their entry arrays) so that the
 * fuzzer gets past them, bit 2 makes the disk claim more sectors than the
 * image holds (reads past the image fail, as on a truncated disk), bit 3 writes
 * the fixed parts of a GPT (a protective MBR, each header's signature, revision,
 * size and own LBA) and bit 4 puts 0x55AA at the end of every sector with
 * statuses of 0 or 0x80 in sector 0 (so MBR and EBR chains are reached
 * without a corpus). Whatever the
 * bytes, the parser must read no sector past the disk, and every partition it
 * lists must be inside the disk, not empty, apart from the others, with a
 * clean NUL-terminated name.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/part.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

#define IMAGE_MAX (64u * 1024u)

struct image {
	uint8_t data[IMAGE_MAX];
	uint32_t ss;
	uint64_t stored, sectors;
};

static struct image img;
static struct kosh_part_table table;

static int image_read(void *ctx, uint64_t lba, void *buf)
{
	struct image *m = ctx;

	CHECK(lba < m->sectors);
	if (lba >= m->stored)
		return -1;
	memcpy(buf, m->data + lba * m->ss, m->ss);
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* Valid CRCs for a header at lba and the entry array it names, where they lie in the image. */
static void fix_gpt(uint64_t lba)
{
	uint8_t *h = img.data + (lba < img.stored ? lba : 0) * img.ss;
	uint32_t size = get32(h + 12);
	uint64_t elba = get64(h + 72), bytes = (uint64_t)get32(h + 80) * get32(h + 84);

	if (lba >= img.stored || memcmp(h, "EFI PART", 8) != 0 || size < 92 || size > img.ss)
		return;
	if (elba < img.stored && bytes <= (img.stored - elba) * img.ss)
		put32(h + 88, kosh_part_crc32(0, img.data + elba * img.ss, (size_t)bytes));
	put32(h + 16, 0);
	put32(h + 16, kosh_part_crc32(0, h, size));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The parts of a GPT the fuzzer would take long to guess; the rest comes from the input. */
static void gpt_skeleton(void)
{
	uint64_t at[2] = {1, img.sectors - 1};

	img.data[450] = 0xee;
	img.data[510] = 0x55, img.data[511] = 0xaa;
	for (int i = 0; i < 2; i++) {
		uint8_t *h = img.data + at[i] * img.ss;
		if (at[i] >= img.stored)
			continue;
		memcpy(h, "EFI PART", 8);
		put32(h + 8, 0x00010000);
		put32(h + 12, 92);
		put64(h + 24, at[i]);
	}
}

static void mbr_skeleton(void)
{
	for (uint64_t s = 0; s < img.stored; s++) {
		img.data[s * img.ss + 510] = 0x55;
		img.data[s * img.ss + 511] = 0xaa;
	}
	for (int i = 0; i < 4; i++)
		img.data[446 + 16 * i] &= 0x80;
}

static void check_name(const char *name)
{
	size_t n = strnlen(name, KOSH_PART_NAME_MAX + 1);

	CHECK(n <= KOSH_PART_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)name[i] >= 0x20 && name[i] != 0x7f);
}

static void check_table(enum kosh_part_err err)
{
	const struct kosh_part_table *t = &table;

	CHECK(t->count <= KOSH_PART_MAX);
	if (err != KOSH_PART_OK)
		CHECK(t->count == 0 && t->skipped_count == 0);
	CHECK(kosh_part_strerror(err) != NULL);
	for (uint32_t i = 0; i < t->count; i++) {
		const struct kosh_part *p = &t->part[i];

		CHECK(p->sectors >= 1 && p->sectors <= img.sectors &&
		      p->first_lba <= img.sectors - p->sectors);
		CHECK(p->first_lba >= 1);
		if (t->scheme == KOSH_PART_SCHEME_GPT)
			CHECK(p->first_lba >= t->first_usable &&
			      p->first_lba + p->sectors - 1 <= t->last_usable);
		check_name(p->name);
		char guid[37];
		kosh_part_guid_format(p->unique_guid, guid);
		CHECK(strlen(guid) == 36 && guid[8] == '-' && guid[23] == '-');
		for (uint32_t j = 0; j < i; j++) {
			const struct kosh_part *q = &t->part[j];
			CHECK(p->first_lba + p->sectors <= q->first_lba ||
			      q->first_lba + q->sectors <= p->first_lba);
			CHECK(p->index != q->index);
		}
	}
	for (uint32_t i = 0; i < t->skipped_count && i < KOSH_PART_SKIPPED_MAX; i++)
		CHECK(kosh_part_skip_text(t->skipped[i].reason)[0] != 'u');
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct kosh_part_disk disk;
	uint8_t settings;
	size_t n;

	if (size < 1)
		return 0;
	settings = in[0];
	in++, size--;
	img.ss = settings & 1 ? 4096 : 512;
	n = size < IMAGE_MAX ? size : IMAGE_MAX;
	memset(img.data, 0, sizeof(img.data));
	memcpy(img.data, in, n);
	img.stored = (n + img.ss - 1) / img.ss;
	if (img.stored == 0)
		img.stored = 1;
	img.sectors = img.stored + (settings & 4 ? 1000 : 0);
	if (settings & 8)
		gpt_skeleton();
	if (settings & 16)
		mbr_skeleton();
	if (settings & 2) {
		fix_gpt(1);
		fix_gpt(img.sectors - 1);
	}
	disk = (struct kosh_part_disk){img.ss, img.sectors, image_read, &img};
	check_table(kosh_part_read(&disk, &table));
	return 0;
}
