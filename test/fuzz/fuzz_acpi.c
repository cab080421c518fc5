/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/acpi.c. The input after its first byte is a fake
 * physical memory at FUZZ_BASE, the RSDP at its start, held in a buffer of
 * exactly its size so AddressSanitizer sees any read past it.
 *
 * Checksums would stop almost every random input at the first table, so unless
 * bit 0 of the first byte is set the harness plays firmware first: it writes the
 * RSDP signature and fixes the checksum of every table it can reach (the RSDP,
 * both root tables, what they list, the FADT's DSDT), reading all of this with
 * its own bounds checks. The parser then sees checksummed but otherwise random
 * tables.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define FUZZ_BASE     0x1000u
#define FIX_ENTRIES   64u /* root entries the harness fixes up */
#define RAW_MODE      0x01u

struct mem {
	uint8_t *bytes;
	uint64_t size;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const void *fuzz_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct mem *m = ctx;

	if (phys < FUZZ_BASE || phys - FUZZ_BASE > m->size || len > m->size - (phys - FUZZ_BASE))
		return NULL;
	return m->bytes + (phys - FUZZ_BASE);
}

static uint8_t *span(struct mem *m, uint64_t phys, uint64_t len)
{
	return (uint8_t *)fuzz_map(m, phys, len);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Make p[0..len) sum to 0 by rewriting p[at]. */
static void fix_sum(uint8_t *p, uint64_t len, uint64_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (uint64_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

/* Fix the checksum of the table at phys; return it (NULL if unreachable) and its length. */
static uint8_t *fix_table(struct mem *m, uint64_t phys, uint32_t *len)
{
	uint8_t *t = span(m, phys, ACPI_HEADER_SIZE);

	if (!t)
		return NULL;
	*len = le32(t + 4);
	if (*len < ACPI_HEADER_SIZE || !span(m, phys, *len))
		return NULL;
	fix_sum(t, *len, 9);
	return t;
}

static void fix_listed(struct mem *m, const uint8_t *fadt, uint32_t len)
{
	uint32_t dsdt_len;
	uint64_t dsdt = len >= 148 ? le64(fadt + 140) : 0;

	if (!dsdt && len >= 44)
		dsdt = le32(fadt + 40);
	(void)fix_table(m, dsdt, &dsdt_len);
}

/* Fix the root table at phys and every table it lists (the FADT's DSDT too). */
static void fix_root(struct mem *m, uint64_t phys, uint32_t width)
{
	uint8_t *root = span(m, phys, ACPI_HEADER_SIZE), *t;
	uint32_t len, count, i, tlen;

	if (!root)
		return;
	len = le32(root + 4);
	if (len < ACPI_HEADER_SIZE || !span(m, phys, len))
		return;
	count = (len - ACPI_HEADER_SIZE) / width;
	for (i = 0; i < count && i < FIX_ENTRIES; i++) {
		const uint8_t *e = root + ACPI_HEADER_SIZE + i * width;
		uint64_t table = width == 8 ? le64(e) : le32(e);

		t = fix_table(m, table, &tlen);
		if (t && memcmp(t, "FACP", 4) == 0)
			fix_listed(m, t, tlen);
	}
	(void)fix_table(m, phys, &len);
}

static void play_firmware(struct mem *m)
{
	uint8_t *r = span(m, FUZZ_BASE, 20);
	uint32_t len;

	if (!r)
		return;
	memcpy(r, "RSD PTR ", 8);
	fix_root(m, le32(r + 16), 4);
	if (r[15] >= 2 && span(m, FUZZ_BASE, 36))
		fix_root(m, le64(r + 24), 8);
	fix_sum(r, 20, 8);
	len = r[15] >= 2 && span(m, FUZZ_BASE, 36) ? le32(r + 20) : 0;
	if (len >= 36 && span(m, FUZZ_BASE, len))
		fix_sum(r, len, 32);
}

static void read_tables(const struct acpi *a)
{
	static const char *const sigs[] = { "FACP", "SPCR", "APIC", "SSDT", "DSDT" };
	struct acpi_sleep sleep;
	struct fw_uart uart;
	uint32_t len;
	int present, hvc;

	for (size_t s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++)
		for (uint32_t i = 0; i < 3; i++)
			(void)acpi_find(a, sigs[s], i, &len);
	(void)acpi_strerror(acpi_spcr_uart(a, &uart));
	(void)acpi_strerror(acpi_s5(a, &sleep));
	(void)acpi_strerror(acpi_psci(a, &present, &hvc));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m;
	struct acpi a;

	if (size < 1)
		return 0;
	m.size = size - 1;
	m.bytes = malloc(m.size ? m.size : 1);
	if (!m.bytes)
		return 0;
	memcpy(m.bytes, data + 1, m.size);
	if (!(data[0] & RAW_MODE))
		play_firmware(&m);
	/* Read even after a failed init, which must leave nothing to find. */
	(void)acpi_strerror(acpi_init(&a, FUZZ_BASE, fuzz_map, &m));
	read_tables(&a);
	free(m.bytes);
	return 0;
}
