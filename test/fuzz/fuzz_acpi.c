/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/acpi.c and acpi_tables.c, and kernel/platform.c
 * over what they accept, in a fake physical memory at FUZZ_BASE, held in a buffer
 * of exactly its size so AddressSanitizer sees any read past it.
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
 *
 * The run is seeded with the tables QEMU generates (test/unit/data/acpi): for
 * each machine, LLVMFuzzerInitialize writes an input (flags 0, then the tables)
 * to FUZZ_SEED_DIR and hands it to libFuzzer with -seed_inputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acpi.h"
#include "firmware.h"
#include "platform.h"

#define FUZZ_BASE  0x1000u
#define MAX_TABLES 16u

/* Flags in the first byte */
#define RAW         0x01u
#define USE_RSDT    0x02u /* RSDP revision 0 and an RSDT instead of an XSDT */
#define LINK_DSDT   0x04u /* point the FADT's DSDT fields at the first DSDT */
#define BAD_SUMS    0x08u /* leave the tables' checksums as they are */
#define NO_X_DSDT   0x10u /* with LINK_DSDT: set only the 32-bit DSDT field */
#define PLANT_S5    0x20u /* start the first DSDT's AML with NameOp "_S5_" PackageOp */

static const char *const sig_codes[] = { "FACP", "DSDT", "SPCR", "SSDT", "APIC",
					 "XSDT", "HPET", "MCFG", "GTDT" };
#define SIG_CODES (sizeof(sig_codes) / sizeof(sig_codes[0]))

#define DATA_DIR   KOSH_SOURCE_DIR "/test/unit/data/acpi/"
#define MCFG_READS 8u

static const char *const seed_machines[] = { "q35-smp4", "virt-gicv2-smp4", "virt-gicv3-smp4",
					     "virt-gicv3-el2-smp4" };
static const char *const seed_tables[] = { "APIC", "FACP", "HPET", "MCFG", "GTDT", "SPCR",
					   "DSDT" };

struct mem {
	uint8_t *bytes;
	uint64_t size;
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Append the file at path to out; 0, or -1 if it cannot be read (absent is fine). */
static int append_file(FILE *out, const char *path)
{
	char buf[4096];
	FILE *in = fopen(path, "rb");
	size_t n;

	if (!in)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	fclose(in);
	return ferror(out) ? -1 : 0;
}

/* The seed of one machine: a flags byte of 0 (play firmware), then its tables. */
static int write_seed(const char *machine, char *path, size_t path_size)
{
	char table_path[512];
	FILE *out;
	int err = 0;

	snprintf(path, path_size, FUZZ_SEED_DIR "/%s", machine);
	out = fopen(path, "wb");
	if (!out)
		return -1;
	fputc(0, out);
	for (size_t i = 0; i < sizeof(seed_tables) / sizeof(seed_tables[0]) && !err; i++) {
		snprintf(table_path, sizeof(table_path), DATA_DIR "%s/%s.dat", machine,
			 seed_tables[i]);
		err = append_file(out, table_path);
	}
	return fclose(out) || err ? -1 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char seeds[4096] = "-seed_inputs=";
	char path[512];
	char **args;

	mkdir(FUZZ_SEED_DIR, 0755);
	for (size_t i = 0; i < sizeof(seed_machines) / sizeof(seed_machines[0]); i++) {
		if (write_seed(seed_machines[i], path, sizeof(path)) != 0)
			return 0; /* no seeds rather than a run that fails to start */
		if (i)
			strncat(seeds, ",", sizeof(seeds) - strlen(seeds) - 1);
		strncat(seeds, path, sizeof(seeds) - strlen(seeds) - 1);
	}
	args = calloc((size_t)*argc + 2, sizeof(*args));
	if (!args)
		return 0;
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	args[(*argc)++] = seeds;
	*argv = args; /* kept for the whole run */
	return 0;
}

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

/* Walk the MADT to its end or first error; each step must advance. */
static void walk_madt(const struct acpi *a)
{
	struct acpi_madt_entry e;
	struct acpi_madt m;
	uint32_t cursor = 0, before;
	int more = 1;

	if (acpi_madt_open(a, &m) != 0)
		return;
	while (more > 0) {
		before = cursor;
		more = acpi_madt_next(&m, &cursor, &e);
		if (more > 0 && cursor <= before)
			abort(); /* a structure that does not move the walk on */
	}
	(void)acpi_strerror(more);
}

static void read_machine(const struct acpi *a)
{
	struct fw_arm_timer timer;
	struct acpi_hpet hpet;
	struct fw_ecam ecam;
	struct fw_gas pm;
	uint16_t boot_flags;
	int is_32bit;

	walk_madt(a);
	(void)acpi_strerror(acpi_hpet(a, &hpet));
	for (uint32_t i = 0; i < MCFG_READS; i++)
		(void)acpi_mcfg(a, i, &ecam);
	(void)acpi_strerror(acpi_gtdt(a, &timer));
	(void)acpi_strerror(acpi_pm_timer(a, &pm, &is_32bit));
	(void)acpi_strerror(acpi_boot_flags(a, &boot_flags));
}

static void no_line(const char *text)
{
	(void)text;
}

/* The whole description from what acpi_init accepted. */
static void describe_platform(const struct acpi *a)
{
	static struct platform plat;
	static struct firmware fw;

	memset(&fw, 0, sizeof(fw));
	fw.have_acpi = 1;
	fw.acpi = *a;
	if (platform_init(&plat, &fw) == 0 && plat.cpu_count == 0)
		abort(); /* success promises CPUs */
	platform_describe(&plat, no_line);
	(void)platform_mark_boot_cpu(&plat, 0);
}

static void read_tables(const struct acpi *a, int valid)
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
	read_machine(a);
	if (valid)
		describe_platform(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem m = { 0 };
	struct acpi a;
	int err;

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
	err = acpi_init(&a, FUZZ_BASE, fuzz_map, &m);
	(void)acpi_strerror(err);
	read_tables(&a, err == 0);
	free(m.bytes);
	return 0;
}
