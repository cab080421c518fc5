/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/acpi.c over a fake physical memory at FUZZ_BASE,
 * held in a buffer of exactly its size so AddressSanitizer sees any read past it.
 *
 * The first input byte chooses how the rest becomes memory:
 *  - RAW: the bytes are the memory, the RSDP at its start, nothing fixed up;
 *  - otherwise the harness plays firmware, since random bytes almost never get
 *    past a checksum or point at each other: it cuts the bytes into tables by
 *    their own length fields, builds an RSDP and an XSDT (or RSDT) listing them,
 *    names a table by a short code when its first byte is below SIG_CODES,
 *    optionally points the FADT at the DSDT and starts its AML with the bytes
 *    that open Name(_S5_, Package...), and fixes every checksum unless told
 *    not to. The parser then sees well-linked tables with random contents.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define FUZZ_BASE  0x1000u
#define MAX_TABLES 16u

/* Flags in the first byte */
#define RAW         0x01u
#define USE_RSDT    0x02u /* RSDP revision 0 and an RSDT instead of an XSDT */
#define LINK_DSDT   0x04u /* point the FADT's DSDT fields at the first DSDT */
#define BAD_SUMS    0x08u /* leave the tables' checksums as they are */
#define NO_X_DSDT   0x10u /* with LINK_DSDT: set only the 32-bit DSDT field */
#define PLANT_S5    0x20u /* start the first DSDT's AML with NameOp "_S5_" PackageOp */

static const char *const sig_codes[] = { "FACP", "DSDT", "SPCR", "SSDT", "APIC", "XSDT" };
#define SIG_CODES (sizeof(sig_codes) / sizeof(sig_codes[0]))

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

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Make p[0..len) sum to 0 by rewriting p[at]. */
static void fix_sum(uint8_t *p, uint32_t len, uint32_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

/* Cut bytes into tables by their length fields: offsets and lengths, returns the count. */
static uint32_t cut_tables(const uint8_t *bytes, size_t size, uint32_t *off, uint32_t *len)
{
	uint32_t n = 0, at = 0;

	while (n < MAX_TABLES && size - at >= ACPI_HEADER_SIZE) {
		uint32_t want = le32(bytes + at + 4);

		if (want < ACPI_HEADER_SIZE || want > size - at)
			want = (uint32_t)(size - at);
		off[n] = at;
		len[n++] = want;
		at += want;
	}
	return n;
}

static void link_dsdt(uint8_t *fadt, uint32_t fadt_len, uint64_t dsdt, uint8_t flags)
{
	if (fadt_len >= 44)
		put32(fadt + 40, (uint32_t)dsdt);
	if (fadt_len >= 148)
		put64(fadt + 140, flags & NO_X_DSDT ? 0 : dsdt);
}

/* Name, link and checksum the tables laid out at tables_phys. */
static void fix_tables(struct mem *m, uint64_t tables_phys, const uint32_t *off,
		       const uint32_t *len, uint32_t n, uint8_t flags)
{
	uint8_t *base = m->bytes + (tables_phys - FUZZ_BASE), *fadt = NULL;
	uint32_t fadt_len = 0, i;
	uint64_t dsdt = 0;

	for (i = 0; i < n; i++) {
		uint8_t *t = base + off[i];

		if (t[0] < SIG_CODES)
			memcpy(t, sig_codes[t[0]], 4);
		put32(t + 4, len[i]);
		if (!fadt && memcmp(t, "FACP", 4) == 0) {
			fadt = t;
			fadt_len = len[i];
		}
		if (!dsdt && memcmp(t, "DSDT", 4) == 0) {
			dsdt = tables_phys + off[i];
			if ((flags & PLANT_S5) && len[i] >= ACPI_HEADER_SIZE + 6)
				memcpy(t + ACPI_HEADER_SIZE, "\x08_S5_\x12", 6);
		}
	}
	if (fadt && dsdt && (flags & LINK_DSDT))
		link_dsdt(fadt, fadt_len, dsdt, flags);
	for (i = 0; i < n && !(flags & BAD_SUMS); i++)
		fix_sum(base + off[i], len[i], 9);
}

/* RSDP at FUZZ_BASE, root table after it, then the input's tables; returns 0 or -1. */
static int play_firmware(struct mem *m, const uint8_t *bytes, size_t size, uint8_t flags)
{
	uint32_t off[MAX_TABLES], len[MAX_TABLES], n = cut_tables(bytes, size, off, len), i;
	uint32_t width = flags & USE_RSDT ? 4 : 8, root_len = ACPI_HEADER_SIZE + n * width;
	uint64_t root = FUZZ_BASE + 36, tables = root + root_len;
	uint8_t *r, *t;

	m->size = 36 + root_len + size;
	m->bytes = calloc(1, m->size);
	if (!m->bytes)
		return -1;
	r = m->bytes;
	t = m->bytes + 36;
	memcpy(m->bytes + 36 + root_len, bytes, size);
	fix_tables(m, tables, off, len, n, flags);
	memcpy(t, flags & USE_RSDT ? "RSDT" : "XSDT", 4);
	put32(t + 4, root_len);
	for (i = 0; i < n; i++) {
		if (width == 8)
			put64(t + 36 + 8 * i, tables + off[i]);
		else
			put32(t + 36 + 4 * i, (uint32_t)(tables + off[i]));
	}
	fix_sum(t, root_len, 9);
	memcpy(r, "RSD PTR ", 8);
	r[15] = flags & USE_RSDT ? 0 : 2;
	put32(r + 16, flags & USE_RSDT ? (uint32_t)root : 0);
	put32(r + 20, 36);
	put64(r + 24, flags & USE_RSDT ? 0 : root);
	fix_sum(r, 20, 8);
	fix_sum(r, 36, 32);
	return 0;
}

static void read_tables(const struct acpi *a)
{
	struct acpi_sleep sleep;
	struct fw_uart uart;
	uint32_t len;
	int present, hvc;

	for (size_t s = 0; s < SIG_CODES; s++)
		for (uint32_t i = 0; i < 3; i++)
			(void)acpi_find(a, sig_codes[s], i, &len);
	(void)acpi_strerror(acpi_spcr_uart(a, &uart));
	(void)acpi_strerror(acpi_s5(a, &sleep));
	(void)acpi_strerror(acpi_psci(a, &present, &hvc));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { 0 };
	struct acpi a;

	if (size < 1)
		return 0;
	if (data[0] & RAW) {
		m.size = size - 1;
		m.bytes = malloc(m.size ? m.size : 1);
		if (!m.bytes)
			return 0;
		memcpy(m.bytes, data + 1, m.size);
	} else if (play_firmware(&m, data + 1, size - 1, data[0]) != 0) {
		return 0;
	}
	/* Read even after a failed init, which must leave nothing to find. */
	(void)acpi_strerror(acpi_init(&a, FUZZ_BASE, fuzz_map, &m));
	read_tables(&a);
	free(m.bytes);
	return 0;
}
