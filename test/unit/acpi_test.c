/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/acpi.c and kernel/acpi_tables.c over a fake physical memory.
 *
 * A small builder lays tables out in a heap buffer of exactly the fake memory's
 * size (so AddressSanitizer catches a read past its end) and at odd addresses (so
 * UBSan catches an unaligned load), then fixes their checksums. Field offsets are
 * written out here from the ACPI specification, independently of acpi.c. The
 * machine-description tables are also read as QEMU generates them
 * (test/unit/data/acpi/<machine>/SIG.dat, see the README there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acpi.h"

#define DATA_DIR KOSH_SOURCE_DIR "/test/unit/data/acpi/"

#define MEM_BASE 0x7ff01000ull
#define MEM_SIZE 0x8000u

/* FADT offsets */
#define FADT_DSDT          40
#define FADT_PM1A_CNT      64
#define FADT_PM1B_CNT      68
#define FADT_FLAGS         112
#define FADT_ARM_BOOT_ARCH 129
#define FADT_X_DSDT        140
#define FADT_X_PM1A_CNT    172
#define FADT_X_PM1B_CNT    184
#define FADT_SLEEP_CONTROL 244
#define FADT_V1_SIZE       116u
#define FADT_V6_SIZE       276u

struct mem {
	uint8_t *bytes;
	uint64_t base;
	uint64_t size;
	uint64_t next; /* next free physical address */
};

static struct mem m;

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct mem *mem = ctx;
	uint64_t off = phys - mem->base; /* wraps when phys < base: refused below */

	if (phys < mem->base || off > mem->size || len > mem->size - off)
		return NULL;
	return mem->bytes + off;
}

static int setup(void **state)
{
	(void)state;
	m.bytes = calloc(1, MEM_SIZE);
	m.base = MEM_BASE;
	m.size = MEM_SIZE;
	m.next = MEM_BASE + 1;
	return m.bytes ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(m.bytes);
	return 0;
}

static uint8_t *at(uint64_t phys)
{
	assert_true(phys >= m.base && phys - m.base < m.size);
	return m.bytes + (phys - m.base);
}

/* Reserve len bytes at an odd address. */
static uint64_t alloc(uint32_t len)
{
	uint64_t phys = m.next | 1;

	assert_true(phys + len <= m.base + m.size);
	m.next = phys + len + 2;
	return phys;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void put_gas(uint8_t *p, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
	p[0] = space;
	p[1] = width;
	p[2] = 0;
	p[3] = access;
	put64(p + 4, addr);
}

static uint8_t sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void fix_checksum(uint64_t phys)
{
	uint8_t *t = at(phys);
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = (uint8_t)-sum(t, len);
}

/* A table header at a fresh odd address; the caller fills the body, then fixes the checksum. */
static uint64_t table_at(uint64_t phys, const char *sig, uint8_t revision, uint32_t len)
{
	uint8_t *t = at(phys);

	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = revision;
	memcpy(t + 10, "KOSHTS", 6);
	memcpy(t + 16, "TESTTABL", 8);
	return phys;
}

static uint64_t table(const char *sig, uint8_t revision, uint32_t len)
{
	return table_at(alloc(len), sig, revision, len);
}

/* An RSDT (xsdt = 0) or XSDT (xsdt = 1) listing the given tables. */
static uint64_t root(int xsdt, const uint64_t *tables, uint32_t n)
{
	uint32_t width = xsdt ? 8 : 4, i;
	uint64_t phys = table(xsdt ? "XSDT" : "RSDT", 1, 36 + n * width);

	for (i = 0; i < n; i++) {
		if (xsdt)
			put64(at(phys) + 36 + i * 8, tables[i]);
		else
			put32(at(phys) + 36 + i * 4, (uint32_t)tables[i]);
	}
	fix_checksum(phys);
	return phys;
}

static uint64_t rsdp(uint8_t revision, uint64_t rsdt, uint64_t xsdt)
{
	uint64_t phys = alloc(36);
	uint8_t *r = at(phys);

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KOSHTS", 6);
	r[15] = revision;
	put32(r + 16, (uint32_t)rsdt);
	r[8] = (uint8_t)-sum(r, 20);
	put64(r + 24, xsdt); /* written even for revision 0, where it must be ignored */
	if (revision >= 2) {
		put32(r + 20, 36);
		r[32] = (uint8_t)-sum(r, 36);
	}
	return phys;
}

/* RSDP revision 2 with both an XSDT and an RSDT over the tables. */
static uint64_t rsdp_over(const uint64_t *tables, uint32_t n)
{
	return rsdp(2, root(0, tables, n), root(1, tables, n));
}

static void init_over(struct acpi *a, const uint64_t *tables, uint32_t n)
{
	assert_int_equal(acpi_init(a, rsdp_over(tables, n), fake_map, &m), ACPI_OK);
}

static void test_acpi_init_rsdp_v1_rsdt(void **state)
{
	uint64_t tables[] = { table("APIC", 1, 44), table("SPCR", 1, 80) };
	struct acpi a;
	uint32_t len = 0;

	(void)state;
	fix_checksum(tables[0]);
	fix_checksum(tables[1]);
	assert_int_equal(acpi_init(&a, rsdp(0, root(0, tables, 2), 0), fake_map, &m), ACPI_OK);
	assert_int_equal(a.xsdt, 0);
	assert_int_equal(a.count, 2);
	assert_ptr_equal(acpi_find(&a, "SPCR", 0, &len), at(tables[1]));
	assert_int_equal(len, 80);
	assert_null(acpi_find(&a, "SPCR", 1, &len));
	assert_null(acpi_find(&a, "FACP", 0, NULL));
}

static void test_acpi_init_rsdp_v2_xsdt(void **state)
{
	uint64_t tables[] = { table("APIC", 1, 44), table("SPCR", 1, 80), table("HPET", 1, 56) };
	uint64_t xsdt = root(1, tables, 3);
	struct acpi a;

	(void)state;
	for (int i = 0; i < 3; i++)
		fix_checksum(tables[i]);
	/* The RSDT lists only one table: the XSDT must be the one used. */
	assert_int_equal(acpi_init(&a, rsdp(2, root(0, tables, 1), xsdt), fake_map, &m), ACPI_OK);
	assert_int_equal(a.xsdt, 1);
	assert_int_equal(a.root_phys, xsdt);
	assert_int_equal(a.count, 3);
	assert_ptr_equal(acpi_find(&a, "HPET", 0, NULL), at(tables[2]));
}

static void test_acpi_init_v2_without_xsdt_uses_rsdt(void **state)
{
	uint64_t tables[] = { table("SPCR", 1, 80) };
	struct acpi a;

	(void)state;
	fix_checksum(tables[0]);
	assert_int_equal(acpi_init(&a, rsdp(2, root(0, tables, 1), 0), fake_map, &m), ACPI_OK);
	assert_int_equal(a.xsdt, 0);
	assert_non_null(acpi_find(&a, "SPCR", 0, NULL));
}

static void test_acpi_init_bad_xsdt_falls_back_to_rsdt(void **state)
{
	uint64_t tables[] = { table("SPCR", 1, 80) };
	uint64_t xsdt = root(1, tables, 1);
	struct acpi a;

	(void)state;
	fix_checksum(tables[0]);
	at(xsdt)[20] ^= 1;
	assert_int_equal(acpi_init(&a, rsdp(2, root(0, tables, 1), xsdt), fake_map, &m), ACPI_OK);
	assert_int_equal(a.xsdt, 0);
	/* With no RSDT to fall back on, or a broken one, the XSDT's error is reported. */
	assert_int_equal(acpi_init(&a, rsdp(2, 0, xsdt), fake_map, &m), ACPI_E_TABLE_CHECKSUM);
	assert_int_equal(a.count, 0);
	assert_int_equal(acpi_init(&a, rsdp(2, root(1, tables, 1), xsdt), fake_map, &m),
			 ACPI_E_TABLE_CHECKSUM);
}

static void test_acpi_init_bad_rsdp_signature(void **state)
{
	uint64_t r = rsdp(0, root(0, NULL, 0), 0);
	struct acpi a;

	(void)state;
	at(r)[7] = 'X';
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_RSDP_SIGNATURE);
}

static void test_acpi_init_bad_rsdp_checksum(void **state)
{
	uint64_t r = rsdp(0, root(0, NULL, 0), 0);
	struct acpi a;

	(void)state;
	at(r)[8]++;
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_RSDP_CHECKSUM);
}

static void test_acpi_init_bad_extended_checksum(void **state)
{
	uint64_t r = rsdp(2, root(0, NULL, 0), root(1, NULL, 0));
	struct acpi a;

	(void)state;
	at(r)[33]++; /* reserved byte: outside the first 20, inside Length */
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_RSDP_XCHECKSUM);
}

static void test_acpi_init_bad_rsdp_length(void **state)
{
	uint64_t r = rsdp(2, root(0, NULL, 0), root(1, NULL, 0));
	struct acpi a;

	(void)state;
	put32(at(r) + 20, 20);
	at(r)[8] = 0;
	at(r)[8] = (uint8_t)-sum(at(r), 20);
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_RSDP_LENGTH);
	/* A Length running past mapped memory. */
	put32(at(r) + 20, MEM_SIZE);
	at(r)[8] = 0;
	at(r)[8] = (uint8_t)-sum(at(r), 20);
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_RSDP_MAP);
}

static void test_acpi_init_rsdp_unmapped(void **state)
{
	struct acpi a;

	(void)state;
	assert_int_equal(acpi_init(&a, 0, fake_map, &m), ACPI_E_RSDP_MAP);
	assert_int_equal(acpi_init(&a, MEM_BASE + MEM_SIZE - 10, fake_map, &m), ACPI_E_RSDP_MAP);
	assert_int_equal(acpi_init(&a, UINT64_MAX - 5, fake_map, &m), ACPI_E_RSDP_MAP);
}

static void test_acpi_init_rsdt_address_zero(void **state)
{
	struct acpi a;

	(void)state;
	assert_int_equal(acpi_init(&a, rsdp(0, 0, 0), fake_map, &m), ACPI_E_NO_ROOT);
	/* Revision 0 ignores an XsdtAddress (there is none in a 20-byte RSDP). */
	assert_int_equal(acpi_init(&a, rsdp(0, 0, root(1, NULL, 0)), fake_map, &m),
			 ACPI_E_NO_ROOT);
	assert_int_equal(acpi_init(&a, rsdp(2, 0, 0), fake_map, &m), ACPI_E_NO_ROOT);
}

static void test_acpi_init_root_bad_checksum(void **state)
{
	uint64_t rsdt = root(0, NULL, 0);
	struct acpi a;

	(void)state;
	at(rsdt)[9]++;
	assert_int_equal(acpi_init(&a, rsdp(0, rsdt, 0), fake_map, &m), ACPI_E_TABLE_CHECKSUM);
	assert_null(acpi_find(&a, "RSDT", 0, NULL));
}

static void test_acpi_init_root_wrong_signature(void **state)
{
	struct acpi a;

	(void)state;
	/* An XSDT where the RSDT should be. */
	assert_int_equal(acpi_init(&a, rsdp(0, root(1, NULL, 0), 0), fake_map, &m),
			 ACPI_E_TABLE_SIGNATURE);
}

static void test_acpi_init_root_truncated_length(void **state)
{
	uint64_t rsdt = root(0, NULL, 0);
	uint64_t r = rsdp(0, rsdt, 0);
	struct acpi a;

	(void)state;
	put32(at(rsdt) + 4, 35);
	fix_checksum(rsdt);
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_TABLE_LENGTH);
	put32(at(rsdt) + 4, ACPI_TABLE_MAX + 1);
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_TABLE_LENGTH);
	/* Longer than the memory that holds it. */
	put32(at(rsdt) + 4, MEM_SIZE);
	assert_int_equal(acpi_init(&a, r, fake_map, &m), ACPI_E_TABLE_MAP);
	/* A root table at the very end of memory, its header cut off. */
	assert_int_equal(acpi_init(&a, rsdp(0, (uint32_t)(MEM_BASE + MEM_SIZE - 20), 0), fake_map,
				   &m),
			 ACPI_E_TABLE_MAP);
}

static void test_acpi_init_null_arguments(void **state)
{
	struct acpi a;

	(void)state;
	assert_int_equal(acpi_init(NULL, MEM_BASE, fake_map, &m), ACPI_E_INVALID);
	assert_int_equal(acpi_init(&a, MEM_BASE, NULL, &m), ACPI_E_INVALID);
	assert_null(acpi_find(NULL, "SPCR", 0, NULL));
}

static void test_acpi_find_skips_bad_tables(void **state)
{
	uint64_t bad = table("SSDT", 2, 40);
	uint64_t good = table("SSDT", 2, 40);
	uint64_t long_one = table("SSDT", 2, 40);
	uint64_t tiny = table("SSDT", 2, 40);
	uint64_t tables[] = { 0, bad, MEM_BASE + MEM_SIZE + 64, long_one, tiny, good };
	struct acpi a;
	uint32_t len;

	(void)state;
	fix_checksum(bad);
	at(bad)[38]++;
	put32(at(long_one) + 4, MEM_SIZE); /* runs past memory */
	put32(at(tiny) + 4, 35);           /* shorter than a header */
	fix_checksum(tiny);
	fix_checksum(good);
	init_over(&a, tables, 6);
	assert_ptr_equal(acpi_find(&a, "SSDT", 0, &len), at(good));
	assert_int_equal(len, 40);
	assert_null(acpi_find(&a, "SSDT", 1, &len));
}

static void test_acpi_find_index(void **state)
{
	uint64_t tables[] = { table("SSDT", 2, 37), table("APIC", 1, 44), table("SSDT", 2, 38) };
	struct acpi a;
	uint32_t len;

	(void)state;
	for (int i = 0; i < 3; i++)
		fix_checksum(tables[i]);
	init_over(&a, tables, 3);
	assert_ptr_equal(acpi_find(&a, "SSDT", 0, &len), at(tables[0]));
	assert_int_equal(len, 37);
	assert_ptr_equal(acpi_find(&a, "SSDT", 1, &len), at(tables[2]));
	assert_int_equal(len, 38);
	assert_null(acpi_find(&a, "SSDT", 2, &len));
}

static uint64_t spcr(uint8_t revision, uint32_t len, uint8_t interface, uint8_t space,
		     uint8_t access, uint64_t addr, uint8_t baud_code)
{
	uint64_t t = table("SPCR", revision, len);

	at(t)[36] = interface;
	put_gas(at(t) + 40, space, space == FW_SPACE_IO ? 8 : 32, access, addr);
	at(t)[58] = baud_code;
	fix_checksum(t);
	return t;
}

static int spcr_uart(uint64_t table_phys, struct fw_uart *u)
{
	struct acpi a;

	init_over(&a, &table_phys, 1);
	memset(u, 0xa5, sizeof(*u));
	return acpi_spcr_uart(&a, u);
}

static void test_acpi_spcr_16550_io_port(void **state)
{
	struct fw_uart u;

	(void)state;
	assert_int_equal(spcr_uart(spcr(2, 80, 0, FW_SPACE_IO, 1, 0x3f8, 7), &u), ACPI_OK);
	assert_int_equal(u.type, FW_UART_16550);
	assert_int_equal(u.raw_type, 0);
	assert_int_equal(u.space, FW_SPACE_IO);
	assert_int_equal(u.base, 0x3f8);
	assert_int_equal(u.reg_shift, 0);
	assert_int_equal(u.baud, 115200);
}

static void test_acpi_spcr_pl011_mmio(void **state)
{
	struct fw_uart u;

	(void)state;
	assert_int_equal(spcr_uart(spcr(2, 80, 3, FW_SPACE_MEMORY, 3, 0x9000000, 0), &u), ACPI_OK);
	assert_int_equal(u.type, FW_UART_PL011);
	assert_int_equal(u.raw_type, 3);
	assert_int_equal(u.space, FW_SPACE_MEMORY);
	assert_int_equal(u.base, 0x9000000);
	assert_int_equal(u.reg_shift, 0);
	assert_int_equal(u.baud, 0); /* "as is" */
}

static void test_acpi_spcr_sbsa_and_precise_baud(void **state)
{
	uint64_t t = spcr(4, 88, 0x0e, FW_SPACE_MEMORY, 3, 0x60000000ull << 4, 3);
	struct fw_uart u;

	(void)state;
	put32(at(t) + 80, 1500000);
	fix_checksum(t);
	assert_int_equal(spcr_uart(t, &u), ACPI_OK);
	assert_int_equal(u.type, FW_UART_PL011);
	assert_int_equal(u.raw_type, 0x0e);
	assert_int_equal(u.base, 0x600000000ull);
	assert_int_equal(u.baud, 1500000);
}

static void test_acpi_spcr_16550_mmio32_and_baud_codes(void **state)
{
	static const struct {
		uint8_t code;
		uint32_t baud;
	} codes[] = { { 3, 9600 },   { 4, 19200 },  { 5, 0 },
		      { 6, 57600 },  { 7, 115200 }, { 200, 0 } };
	struct fw_uart u;

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(spcr_uart(spcr(2, 80, 0x12, FW_SPACE_MEMORY, 3, 0xfe215040,
						codes[i].code), &u), ACPI_OK);
		assert_int_equal(u.type, FW_UART_16550);
		assert_int_equal(u.raw_type, 0x12);
		assert_int_equal(u.reg_shift, 2);
		assert_int_equal(u.baud, codes[i].baud);
	}
	/* Word accesses: registers 2 bytes apart; I/O ports are never spread. */
	assert_int_equal(spcr_uart(spcr(2, 80, 0, FW_SPACE_MEMORY, 2, 0xfe215040, 7), &u), ACPI_OK);
	assert_int_equal(u.reg_shift, 1);
	assert_int_equal(spcr_uart(spcr(2, 80, 0, FW_SPACE_IO, 3, 0x2f8, 7), &u), ACPI_OK);
	assert_int_equal(u.reg_shift, 0);
	assert_int_equal(spcr_uart(spcr(2, 80, 0x10, FW_SPACE_MEMORY, 3, 0x3f215040, 7), &u),
			 ACPI_OK);
	assert_int_equal(u.type, FW_UART_OTHER);
	assert_int_equal(u.raw_type, 0x10);
}

static void test_acpi_spcr_errors(void **state)
{
	struct fw_uart u;
	uint64_t other = table("APIC", 1, 44);
	struct acpi a;

	(void)state;
	fix_checksum(other);
	init_over(&a, &other, 1);
	assert_int_equal(acpi_spcr_uart(&a, &u), ACPI_E_NOT_FOUND);
	assert_int_equal(spcr_uart(spcr(1, 58, 0, FW_SPACE_IO, 1, 0x3f8, 7), &u), ACPI_E_SHORT);
	assert_int_equal(spcr_uart(spcr(2, 80, 0, 2, 1, 0x3f8, 7), &u), ACPI_E_SPACE);
	assert_int_equal(spcr_uart(spcr(2, 80, 0, FW_SPACE_IO, 1, 0, 7), &u), ACPI_E_NO_ADDRESS);
}

/* A DSDT holding aml after its header. */
static uint64_t dsdt_at(uint64_t phys, const uint8_t *aml, uint32_t len)
{
	table_at(phys, "DSDT", 2, 36 + len);
	memcpy(at(phys) + 36, aml, len);
	fix_checksum(phys);
	return phys;
}

static uint64_t dsdt(const uint8_t *aml, uint32_t len)
{
	return dsdt_at(alloc(36 + len), aml, len);
}

/* An ACPI 1.0 FADT: PM1a at port 0x604, PM1b absent, 32-bit DSDT pointer. */
static uint64_t fadt_v1(uint64_t dsdt_phys)
{
	uint64_t t = table("FACP", 1, FADT_V1_SIZE);

	put32(at(t) + FADT_DSDT, (uint32_t)dsdt_phys);
	put32(at(t) + FADT_PM1A_CNT, 0x604);
	fix_checksum(t);
	return t;
}

static int s5_of(uint64_t fadt, struct acpi_sleep *out)
{
	struct acpi a;

	init_over(&a, &fadt, 1);
	return acpi_s5(&a, out);
}

static int s5_of_aml(const uint8_t *aml, uint32_t len, struct acpi_sleep *out)
{
	return s5_of(fadt_v1(dsdt(aml, len)), out);
}

#define S5_NAME 0x08, '_', 'S', '5', '_'

static void test_acpi_s5_integer_encodings(void **state)
{
	static const struct {
		uint8_t aml[32];
		uint32_t len;
		uint8_t typa, typb;
	} cases[] = {
		{ { S5_NAME, 0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00 }, 12, 0, 1 },
		{ { S5_NAME, 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 }, 14, 5, 7 },
		{ { S5_NAME, 0x12, 0x08, 0x02, 0x0b, 0x05, 0x00, 0x0b, 0x06, 0x00 }, 14, 5, 6 },
		{ { S5_NAME, 0x12, 0x0c, 0x02, 0x0c, 0x07, 0, 0, 0, 0x0c, 0x03, 0, 0, 0 },
		  18, 7, 3 },
		{ { S5_NAME, 0x12, 0x14, 0x02, 0x0e, 0x02, 0, 0, 0, 0, 0, 0, 0,
		    0x0e, 0x04, 0, 0, 0, 0, 0, 0, 0 }, 26, 2, 4 },
		/* Mixed, with the root prefix: Name(\_S5_, Package(){One, 0x0a 0x06}) */
		{ { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x01, 0x0a, 0x06 },
		  12, 1, 6 },
		/* A one-element package serves both registers. */
		{ { S5_NAME, 0x12, 0x04, 0x01, 0x0a, 0x05 }, 10, 5, 5 },
	};
	struct acpi_sleep s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(s5_of_aml(cases[i].aml, cases[i].len, &s), ACPI_OK);
		assert_int_equal(s.slp_typa, cases[i].typa);
		assert_int_equal(s.slp_typb, cases[i].typb);
		assert_int_equal(s.hw_reduced, 0);
		assert_int_equal(s.pm1a_cnt.space, FW_SPACE_IO);
		assert_int_equal(s.pm1a_cnt.address, 0x604);
		assert_int_equal(s.pm1a_cnt.bit_width, 16);
		assert_int_equal(s.pm1b_cnt.address, 0);
	}
}

/* Name(_S5_, Package) with a PkgLength of 2, 3 and 4 bytes, padded with ZeroOps. */
static void test_acpi_s5_multibyte_pkglength(void **state)
{
	static const uint32_t lengths[] = { 100, 5000, (1u << 20) + 10 };
	const uint32_t max = (1u << 20) + 10;
	uint8_t *aml = calloc(1, 6 + max);
	struct acpi_sleep s;

	(void)state;
	assert_non_null(aml);
	free(m.bytes);
	m.size = max + 0x1000;
	m.bytes = calloc(1, m.size);
	assert_non_null(m.bytes);
	for (size_t i = 0; i < 3; i++) {
		uint32_t pkg = lengths[i], n = 6;
		uint32_t follow = pkg < (1u << 12) ? 1 : pkg < (1u << 20) ? 2 : 3;

		m.next = MEM_BASE + 1;
		memset(aml, 0, 6 + max);
		memcpy(aml, (uint8_t[]){ S5_NAME, 0x12 }, 6);
		aml[n++] = (uint8_t)(follow << 6 | (pkg & 0x0f));
		for (uint32_t k = 0; k < follow; k++)
			aml[n++] = (uint8_t)(pkg >> (4 + 8 * k));
		aml[n++] = 0xff; /* NumElements */
		memcpy(aml + n, (uint8_t[]){ 0x0a, 0x05, 0x0a, 0x03 }, 4);
		assert_int_equal(s5_of_aml(aml, 6 + pkg, &s), ACPI_OK);
		assert_int_equal(s.slp_typa, 5);
		assert_int_equal(s.slp_typb, 3);
		/* One byte short of the package: refused. */
		m.next = MEM_BASE + 1;
		assert_int_equal(s5_of_aml(aml, 6 + pkg - 1, &s), ACPI_E_S5_MALFORMED);
	}
	free(aml);
}

/*
 * Every prefix of Name(_S5_, Package(){0x0a 5, 0x0a 7}) ending the DSDT, which ends
 * the memory: each is refused and nothing past the table is read.
 */
static void s5_cut_at_end(const uint8_t *full, uint32_t len)
{
	struct acpi_sleep s;

	for (uint32_t cut = 1; cut <= len; cut++) {
		uint64_t phys = MEM_BASE + MEM_SIZE - 36 - cut;
		int err;

		m.next = MEM_BASE + 1;
		memset(m.bytes, 0, MEM_SIZE);
		err = s5_of(fadt_v1(dsdt_at(phys, full, cut)), &s);
		if (cut == len) {
			assert_int_equal(err, ACPI_OK);
			assert_int_equal(s.slp_typa, 5);
			assert_int_equal(s.slp_typb, 7);
		} else {
			assert_int_equal(err, cut < 5 ? ACPI_E_NO_S5 : ACPI_E_S5_MALFORMED);
		}
	}
}

static void test_acpi_s5_truncated_at_end_of_table(void **state)
{
	static const uint8_t one[] = { S5_NAME, 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x07 };
	static const uint8_t three[] = { S5_NAME, 0x12, 0x88, 0x00, 0x00, 0x02, 0x0a, 0x05,
					 0x0a, 0x07 };
	static const uint8_t dword[] = { S5_NAME, 0x12, 0x0c, 0x02, 0x0c, 0x05, 0, 0, 0,
					 0x0c, 0x07, 0, 0, 0 };

	(void)state;
	s5_cut_at_end(one, sizeof(one));
	s5_cut_at_end(three, sizeof(three)); /* a 3-byte PkgLength */
	s5_cut_at_end(dword, sizeof(dword));
}

static void test_acpi_s5_skips_false_matches(void **state)
{
	/* A Name(_S5_) that is no package, an "_S5_" inside a string, then the real one. */
	static const uint8_t aml[] = { S5_NAME, 0x0a, 0x01, 0x0d, '_', 'S', '5', '_', 0x00,
				       S5_NAME, 0x12, 0x06, 0x04, 0x0a, 0x05, 0x00, 0x00 };
	struct acpi_sleep s;

	(void)state;
	assert_int_equal(s5_of_aml(aml, sizeof(aml), &s), ACPI_OK);
	assert_int_equal(s.slp_typa, 5);
	assert_int_equal(s.slp_typb, 0);
}

static void test_acpi_s5_malformed_packages(void **state)
{
	static const struct {
		uint8_t aml[16];
		uint32_t len;
		int err;
	} cases[] = {
		/* Scope(_SB_): no \_S5_ at all */
		{ { 0x10, 0x05, '_', 'S', 'B', '_' }, 6, ACPI_E_NO_S5 },
		/* SLP_TYP above 7 */
		{ { S5_NAME, 0x12, 0x04, 0x01, 0x0a, 0x08 }, 10, ACPI_E_S5_MALFORMED },
		/* no elements */
		{ { S5_NAME, 0x12, 0x04, 0x00, 0x00, 0x00 }, 10, ACPI_E_S5_MALFORMED },
		/* an element that is not a constant integer */
		{ { S5_NAME, 0x12, 0x04, 0x02, 0x70, 0x00 }, 10, ACPI_E_S5_MALFORMED },
		/* the package ends inside the first element */
		{ { S5_NAME, 0x12, 0x03, 0x02, 0x0a, 0x05 }, 10, ACPI_E_S5_MALFORMED },
		/* PkgLength 0, and a 2-byte PkgLength below its own size */
		{ { S5_NAME, 0x12, 0x00, 0x02, 0x00, 0x00 }, 10, ACPI_E_S5_MALFORMED },
		{ { S5_NAME, 0x12, 0x41, 0x00, 0x02, 0x00 }, 10, ACPI_E_S5_MALFORMED },
		/* a WordPrefix cut by the end of the package */
		{ { S5_NAME, 0x12, 0x04, 0x01, 0x0b, 0x05 }, 10, ACPI_E_S5_MALFORMED },
	};
	struct acpi_sleep s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(s5_of_aml(cases[i].aml, cases[i].len, &s), cases[i].err);
}

static uint64_t fadt_v6(uint32_t flags, uint64_t x_dsdt)
{
	uint64_t t = table("FACP", 6, FADT_V6_SIZE);

	put32(at(t) + FADT_FLAGS, flags);
	put64(at(t) + FADT_X_DSDT, x_dsdt);
	at(t)[131] = 5; /* FADT minor version */
	return t;
}

static void test_acpi_s5_extended_fields(void **state)
{
	static const uint8_t good[] = { S5_NAME, 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x06 };
	static const uint8_t none[] = { 0xa3 };
	uint64_t t = fadt_v6(0, dsdt(good, sizeof(good)));
	struct acpi_sleep s;

	(void)state;
	/* The 32-bit fields point elsewhere; the X_ fields win when non-zero. */
	put32(at(t) + FADT_DSDT, (uint32_t)dsdt(none, sizeof(none)));
	put32(at(t) + FADT_PM1A_CNT, 0x604);
	put32(at(t) + FADT_PM1B_CNT, 0x608);
	put_gas(at(t) + FADT_X_PM1A_CNT, FW_SPACE_MEMORY, 16, 2, 0xfed80004);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_OK);
	assert_int_equal(s.pm1a_cnt.space, FW_SPACE_MEMORY);
	assert_int_equal(s.pm1a_cnt.address, 0xfed80004);
	assert_int_equal(s.pm1b_cnt.space, FW_SPACE_IO); /* X_PM1b is 0: the port is used */
	assert_int_equal(s.pm1b_cnt.address, 0x608);
	assert_int_equal(s.slp_typa, 5);
	assert_int_equal(s.slp_typb, 6);
	/* X_DSDT = 0: the 32-bit DSDT, which has no \_S5_. */
	put64(at(t) + FADT_X_DSDT, 0);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_E_NO_S5);
}

/* A FADT that ends inside X_PM1a_CNT_BLK (and the memory): the port is used. */
static void test_acpi_s5_fadt_cut_inside_gas(void **state)
{
	static const uint8_t aml[] = { S5_NAME, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00 };
	uint32_t len = FADT_X_PM1A_CNT + 8;
	uint64_t t = table_at(MEM_BASE + MEM_SIZE - len, "FACP", 3, len);
	struct acpi_sleep s;

	(void)state;
	put32(at(t) + FADT_DSDT, (uint32_t)dsdt(aml, sizeof(aml)));
	put32(at(t) + FADT_PM1A_CNT, 0x604);
	put_gas(at(t) + FADT_X_PM1A_CNT - 4, 0, 0, 0, 0xffffffffffffffffull); /* then cut */
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_OK);
	assert_int_equal(s.pm1a_cnt.space, FW_SPACE_IO);
	assert_int_equal(s.pm1a_cnt.address, 0x604);
}

static void test_acpi_s5_hw_reduced(void **state)
{
	static const uint8_t aml[] = { S5_NAME, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00 };
	uint64_t t = fadt_v6(1u << 20, dsdt(aml, sizeof(aml)));
	struct acpi_sleep s;

	(void)state;
	put32(at(t) + FADT_PM1A_CNT, 0x604); /* ignored */
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_E_NO_ADDRESS);
	put_gas(at(t) + FADT_SLEEP_CONTROL, FW_SPACE_MEMORY, 8, 1, 0xfe000100);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_OK);
	assert_int_equal(s.hw_reduced, 1);
	assert_int_equal(s.sleep_control.space, FW_SPACE_MEMORY);
	assert_int_equal(s.sleep_control.bit_width, 8);
	assert_int_equal(s.sleep_control.address, 0xfe000100);
	assert_int_equal(s.pm1a_cnt.address, 0);
	assert_int_equal(s.slp_typa, 5);
	assert_int_equal(s.slp_typb, 0);
	put_gas(at(t) + FADT_SLEEP_CONTROL, 3, 8, 1, 0xfe000100);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_E_SPACE);
}

static void test_acpi_s5_fadt_errors(void **state)
{
	static const uint8_t aml[] = { S5_NAME, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00 };
	uint64_t d = dsdt(aml, sizeof(aml));
	uint64_t t = fadt_v1(d);
	uint64_t other = table("APIC", 1, 44);
	struct acpi_sleep s;
	struct acpi a;

	(void)state;
	fix_checksum(other);
	init_over(&a, &other, 1);
	assert_int_equal(acpi_s5(&a, &s), ACPI_E_NOT_FOUND);
	/* DSDT with a bad checksum, then none at all. */
	at(d)[40]++;
	assert_int_equal(s5_of(t, &s), ACPI_E_TABLE_CHECKSUM);
	put32(at(t) + FADT_DSDT, 0);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_E_TABLE_MAP);
	/* No PM1a control block. */
	put32(at(t) + FADT_PM1A_CNT, 0);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_E_NO_ADDRESS);
	/* Too short for Flags. */
	t = table("FACP", 1, FADT_V1_SIZE - 1);
	fix_checksum(t);
	assert_int_equal(s5_of(t, &s), ACPI_E_SHORT);
}

static void test_acpi_psci_flags(void **state)
{
	static const struct {
		uint16_t flags;
		int present, hvc;
	} cases[] = { { 0, 0, 0 }, { 1, 1, 0 }, { 3, 1, 1 }, { 2, 0, 0 } };
	struct acpi a;
	int present, hvc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t t = fadt_v6(1u << 20, 0);

		put16(at(t) + FADT_ARM_BOOT_ARCH, cases[i].flags);
		fix_checksum(t);
		init_over(&a, &t, 1);
		assert_int_equal(acpi_psci(&a, &present, &hvc), ACPI_OK);
		assert_int_equal(present, cases[i].present);
		assert_int_equal(hvc, cases[i].hvc);
	}
}

static void test_acpi_psci_old_or_short_fadt(void **state)
{
	uint64_t short_fadt = table("FACP", 5, 130);
	uint64_t old_fadt = table("FACP", 4, 244);
	uint64_t other = table("APIC", 1, 44);
	struct acpi a;
	int present = -1, hvc = -1;

	(void)state;
	put16(at(short_fadt) + FADT_ARM_BOOT_ARCH - 1, 0xffff);
	fix_checksum(short_fadt);
	init_over(&a, &short_fadt, 1);
	assert_int_equal(acpi_psci(&a, &present, &hvc), ACPI_OK);
	assert_int_equal(present, 0);
	assert_int_equal(hvc, 0);
	put16(at(old_fadt) + FADT_ARM_BOOT_ARCH, 3);
	fix_checksum(old_fadt);
	init_over(&a, &old_fadt, 1);
	assert_int_equal(acpi_psci(&a, &present, &hvc), ACPI_OK);
	assert_int_equal(present, 0);
	fix_checksum(other);
	init_over(&a, &other, 1);
	assert_int_equal(acpi_psci(&a, &present, &hvc), ACPI_E_NOT_FOUND);
}

/* A QEMU table from test/unit/data/acpi/<machine>/<sig>.dat, copied to an odd address. */
static uint64_t fixture(const char *machine, const char *sig)
{
	char path[512];
	uint64_t phys;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), DATA_DIR "%s/%s.dat", machine, sig);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 36 && len < 16384);
	rewind(f);
	phys = alloc((uint32_t)len);
	assert_int_equal(fread(at(phys), 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_int_equal(sum(at(phys), (uint32_t)len), 0);
	return phys;
}

static uint32_t length_of(uint64_t phys)
{
	uint8_t *t = at(phys);

	return t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;
}

/* ACPI over the tables sigs ("APIC FACP ...") of a QEMU machine. */
static void init_machine(struct acpi *a, const char *machine, const char *sigs)
{
	uint64_t tables[8];
	uint32_t n = 0;
	char sig[5] = { 0 };

	for (const char *p = sigs; *p; p += p[4] ? 5 : 4) {
		assert_true(n < 8);
		memcpy(sig, p, 4);
		tables[n++] = fixture(machine, sig);
	}
	init_over(a, tables, n);
}

#define WALK_MAX 32

struct walk {
	struct acpi_madt madt;
	struct acpi_madt_entry e[WALK_MAX];
	int count; /* entries returned */
	int end;   /* what ended the walk: 0 or an error */
};

static void walk_madt(const struct acpi *a, struct walk *w)
{
	uint32_t cursor = 0;

	memset(w, 0, sizeof(*w));
	assert_int_equal(acpi_madt_open(a, &w->madt), ACPI_OK);
	while ((w->end = acpi_madt_next(&w->madt, &cursor, &w->e[w->count])) > 0)
		assert_true(++w->count < WALK_MAX);
	if (w->end == 0) /* the end stays the end */
		assert_int_equal(acpi_madt_next(&w->madt, &cursor, &w->e[w->count]), 0);
}

static void walk_machine(const char *machine, struct walk *w)
{
	struct acpi a;

	init_machine(&a, machine, "APIC");
	walk_madt(&a, w);
}

static void assert_irq(const struct fw_irq *irq, uint32_t intid, uint8_t trigger,
		       uint8_t polarity)
{
	assert_int_equal(irq->intid, intid);
	assert_int_equal(irq->trigger, trigger);
	assert_int_equal(irq->polarity, polarity);
}

static void test_acpi_madt_qemu_q35(void **state)
{
	static const uint8_t level_isos[] = { 5, 9, 10, 11 };
	struct walk w;

	(void)state;
	walk_machine("q35-smp4", &w);
	assert_int_equal(w.end, 0);
	assert_int_equal(w.count, 11);
	assert_int_equal(w.madt.lapic_base, 0xfee00000);
	assert_int_equal(w.madt.flags, ACPI_MADT_PCAT_COMPAT);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(w.e[i].type, ACPI_MADT_LAPIC);
		assert_int_equal(w.e[i].length, 8);
		assert_int_equal(w.e[i].lapic.uid, i);
		assert_int_equal(w.e[i].lapic.apic_id, i);
		assert_int_equal(w.e[i].lapic.flags, ACPI_CPU_ENABLED);
	}
	assert_int_equal(w.e[4].type, ACPI_MADT_IOAPIC);
	assert_int_equal(w.e[4].ioapic.id, 0);
	assert_int_equal(w.e[4].ioapic.address, 0xfec00000);
	assert_int_equal(w.e[4].ioapic.gsi_base, 0);
	assert_int_equal(w.e[5].type, ACPI_MADT_ISO);
	assert_int_equal(w.e[5].iso.bus, 0);
	assert_int_equal(w.e[5].iso.source, 0);
	assert_irq(&w.e[5].iso.gsi, 2, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(w.e[6 + i].type, ACPI_MADT_ISO);
		assert_int_equal(w.e[6 + i].iso.source, level_isos[i]);
		assert_irq(&w.e[6 + i].iso.gsi, level_isos[i], FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	}
	assert_int_equal(w.e[10].type, ACPI_MADT_LAPIC_NMI);
	assert_int_equal(w.e[10].lapic_nmi.uid, ACPI_UID_ALL_8);
	assert_irq(&w.e[10].lapic_nmi.pin, 1, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS);
}

static void assert_gicc(const struct acpi_madt_entry *e, uint32_t cpu, uint64_t gicc,
			uint32_t vgic)
{
	assert_int_equal(e->type, ACPI_MADT_GICC);
	assert_int_equal(e->length, 80);
	assert_int_equal(e->gicc.iface, cpu);
	assert_int_equal(e->gicc.uid, cpu);
	assert_int_equal(e->gicc.flags, ACPI_GICC_ENABLED);
	assert_int_equal(e->gicc.mpidr, cpu);
	assert_int_equal(e->gicc.perf_gsiv, 23);
	assert_int_equal(e->gicc.parking_version, 0);
	assert_int_equal(e->gicc.parked_address, 0);
	assert_int_equal(e->gicc.gicc_base, gicc);
	assert_int_equal(e->gicc.gicr_base, 0);
	assert_int_equal(e->gicc.vgic_gsiv, vgic);
}

static void assert_gicd(const struct acpi_madt_entry *e, uint8_t version)
{
	assert_int_equal(e->type, ACPI_MADT_GICD);
	assert_int_equal(e->gicd.id, 0);
	assert_int_equal(e->gicd.base, 0x08000000);
	assert_int_equal(e->gicd.version, version);
}

static void test_acpi_madt_qemu_virt_gicv2(void **state)
{
	struct walk w;

	(void)state;
	walk_machine("virt-gicv2-smp4", &w);
	assert_int_equal(w.end, 0);
	assert_int_equal(w.count, 6);
	assert_int_equal(w.madt.lapic_base, 0);
	assert_int_equal(w.madt.flags, 0);
	assert_gicd(&w.e[0], 2);
	for (uint32_t i = 0; i < 4; i++) {
		assert_gicc(&w.e[1 + i], i, 0x08010000, 0);
		assert_int_equal(w.e[1 + i].gicc.gicv_base, 0x08040000);
		assert_int_equal(w.e[1 + i].gicc.gich_base, 0x08030000);
	}
	assert_int_equal(w.e[5].type, ACPI_MADT_GIC_MSI);
	assert_int_equal(w.e[5].msi_frame.id, 0);
	assert_int_equal(w.e[5].msi_frame.base, 0x08020000);
	assert_int_equal(w.e[5].msi_frame.flags, 1);
	assert_int_equal(w.e[5].msi_frame.spi_count, 64);
	assert_int_equal(w.e[5].msi_frame.spi_base, 80);
}

static void test_acpi_madt_qemu_virt_gicv3(void **state)
{
	static const char *const machines[] = { "virt-gicv3-smp4", "virt-gicv3-el2-smp4" };
	struct walk w;

	(void)state;
	for (int m = 0; m < 2; m++) {
		walk_machine(machines[m], &w);
		assert_int_equal(w.end, 0);
		assert_int_equal(w.count, 7);
		assert_gicd(&w.e[0], 3);
		/* With virtualization=on, the VGIC maintenance interrupt is PPI 9. */
		for (uint32_t i = 0; i < 4; i++)
			assert_gicc(&w.e[1 + i], i, 0, m ? 25 : 0);
		assert_int_equal(w.e[5].type, ACPI_MADT_GICR);
		assert_int_equal(w.e[5].gicr.base, 0x080a0000);
		assert_int_equal(w.e[5].gicr.length, 0xf60000);
		assert_int_equal(w.e[6].type, ACPI_MADT_GIC_ITS);
		assert_int_equal(w.e[6].its.id, 0);
		assert_int_equal(w.e[6].its.base, 0x08080000);
	}
}

/* The sizes the ACPI specification gives each structure (the GICC: ACPI 5.1's). */
static uint8_t spec_min_length(uint8_t type)
{
	static const uint8_t sizes[16] = { 8, 12, 10, 8, 6, 12, 0, 0, 0, 16, 12, 76, 24, 24, 16, 20 };

	return type < 16 && sizes[type] ? sizes[type] : 2;
}

/* Set the length byte at phys + off and fix the checksum; the old value is returned. */
static uint8_t set_length(uint64_t phys, uint32_t off, uint8_t len)
{
	uint8_t old = at(phys)[off + 1];

	at(phys)[off + 1] = len;
	fix_checksum(phys);
	return old;
}

/* Every structure of a QEMU MADT, given each length below its type's size: refused there. */
static void shorten_each_entry(const char *machine)
{
	uint64_t t = fixture(machine, "APIC");
	uint32_t len = length_of(t), off, k;
	struct walk w;
	struct acpi a;

	init_over(&a, &t, 1);
	for (off = 44, k = 0; off < len; off += at(t)[off + 1], k++) {
		uint8_t type = at(t)[off], min = spec_min_length(type), old = 0;

		for (uint8_t l = 0; l < min; l++) {
			old = set_length(t, off, l);
			walk_madt(&a, &w);
			assert_int_equal(w.end, ACPI_E_ENTRY_LENGTH);
			assert_int_equal(w.count, (int)k);
			set_length(t, off, old);
		}
	}
	walk_madt(&a, &w);
	assert_int_equal(w.end, 0);
}

static void test_acpi_madt_entry_too_short(void **state)
{
	(void)state;
	shorten_each_entry("q35-smp4");
	m.next = MEM_BASE + 1;
	shorten_each_entry("virt-gicv2-smp4");
	m.next = MEM_BASE + 1;
	shorten_each_entry("virt-gicv3-el2-smp4");
}

static void test_acpi_madt_entry_past_table(void **state)
{
	uint64_t t = fixture("virt-gicv3-smp4", "APIC");
	uint32_t len = length_of(t);
	struct walk w;
	struct acpi a;

	(void)state;
	init_over(&a, &t, 1);
	/* The ITS, last, one byte longer than what is left. */
	set_length(t, len - 20, 21);
	walk_madt(&a, &w);
	assert_int_equal(w.end, ACPI_E_ENTRY_OVERRUN);
	assert_int_equal(w.count, 6);
	/* q35's first LAPIC claiming 255 of the 100 bytes left. */
	t = fixture("q35-smp4", "APIC");
	set_length(t, 44, 255);
	init_over(&a, &t, 1);
	walk_madt(&a, &w);
	assert_int_equal(w.end, ACPI_E_ENTRY_OVERRUN);
	assert_int_equal(w.count, 0);
}

/*
 * The MADT cut at every length from its head on, at the very end of memory: the
 * structures wholly inside come back, then the end (a cut between structures) or
 * ACPI_E_ENTRY_OVERRUN (a cut inside one), and nothing past the table is read.
 */
static void cut_madt(const char *machine)
{
	uint64_t src = fixture(machine, "APIC");
	uint32_t len = length_of(src);
	static uint8_t full[1024];
	struct walk w;
	struct acpi a;

	assert_true(len <= sizeof(full));
	memcpy(full, at(src), len);
	for (uint32_t cut = 44; cut <= len; cut++) {
		uint64_t t = MEM_BASE + MEM_SIZE - cut;
		uint32_t off = 44;
		int whole = 0;

		m.next = MEM_BASE + 1;
		memcpy(at(t), full, cut);
		put32(at(t) + 4, cut);
		fix_checksum(t);
		init_over(&a, &t, 1);
		walk_madt(&a, &w);
		while (off + 2 <= cut && off + full[off + 1] <= cut) {
			off += full[off + 1];
			whole++;
		}
		assert_int_equal(w.count, whole);
		assert_int_equal(w.end, off == cut ? 0 : ACPI_E_ENTRY_OVERRUN);
	}
}

static void test_acpi_madt_cut_anywhere(void **state)
{
	(void)state;
	cut_madt("q35-smp4");
	cut_madt("virt-gicv2-smp4");
	cut_madt("virt-gicv3-smp4");
}

static void test_acpi_madt_bad_checksum_or_short(void **state)
{
	uint64_t t = fixture("q35-smp4", "APIC");
	uint64_t tiny = table("APIC", 1, 43);
	struct acpi_madt madt;
	struct acpi a;

	(void)state;
	at(t)[50]++;
	init_over(&a, &t, 1);
	assert_int_equal(acpi_madt_open(&a, &madt), ACPI_E_NOT_FOUND);
	fix_checksum(tiny);
	init_over(&a, &tiny, 1);
	assert_int_equal(acpi_madt_open(&a, &madt), ACPI_E_SHORT);
	assert_int_equal(acpi_madt_open(NULL, &madt), ACPI_E_INVALID);
}

/* An MADT with the given structures after its 44-byte head. */
static uint64_t madt(uint32_t lapic_base, uint32_t flags, const uint8_t *body, uint32_t len)
{
	uint64_t t = table("APIC", 5, 44 + len);

	put32(at(t) + 36, lapic_base);
	put32(at(t) + 40, flags);
	memcpy(at(t) + 44, body, len);
	fix_checksum(t);
	return t;
}

static void walk_body(const uint8_t *body, uint32_t len, struct walk *w)
{
	uint64_t t = madt(0xfee00000, 0, body, len);
	struct acpi a;

	init_over(&a, &t, 1);
	walk_madt(&a, w);
}

static void test_acpi_madt_unknown_and_zero_length(void **state)
{
	static const uint8_t skipped[] = {
		0x80, 3, 0xee,              /* a type from the future */
		0x07, 2,                    /* an Itanium SAPIC structure, cut to its head */
		0x10, 4, 0, 0,              /* 0x10: not yet defined */
		0x00, 8, 1, 2, 1, 0, 0, 0,  /* LAPIC uid 1, id 2 */
	};
	static const uint8_t zero[] = { 0x00, 8, 0, 0, 1, 0, 0, 0, 0x80, 0, 0, 0 };
	static const uint8_t odd_byte[] = { 0x00, 8, 0, 0, 1, 0, 0, 0, 0x80 };
	struct acpi_madt madt;
	struct walk w;
	uint32_t cursor;

	(void)state;
	walk_body(skipped, sizeof(skipped), &w);
	assert_int_equal(w.end, 0);
	assert_int_equal(w.count, 4);
	assert_int_equal(w.e[0].type, 0x80);
	assert_int_equal(w.e[0].length, 3);
	assert_int_equal(w.e[1].type, 0x07);
	assert_int_equal(w.e[2].type, 0x10);
	assert_int_equal(w.e[3].lapic.apic_id, 2);
	/* A zero length is refused, and refused again: the cursor does not move. */
	walk_body(zero, sizeof(zero), &w);
	assert_int_equal(w.end, ACPI_E_ENTRY_LENGTH);
	assert_int_equal(w.count, 1);
	madt = w.madt;
	cursor = 52;
	assert_int_equal(acpi_madt_next(&madt, &cursor, &w.e[0]), ACPI_E_ENTRY_LENGTH);
	assert_int_equal(cursor, 52);
	/* One stray byte after the last structure. */
	walk_body(odd_byte, sizeof(odd_byte), &w);
	assert_int_equal(w.end, ACPI_E_ENTRY_OVERRUN);
	assert_int_equal(w.count, 1);
	assert_int_equal(acpi_madt_next(NULL, &cursor, &w.e[0]), ACPI_E_INVALID);
}

static void test_acpi_madt_x2apic_nmi_override(void **state)
{
	static const uint8_t body[] = {
		/* x2APIC id 0x100, flags online-capable, uid 7 */
		0x09, 16, 0, 0, 0x00, 0x01, 0, 0, 0x02, 0, 0, 0, 7, 0, 0, 0,
		/* x2APIC NMI: flags level/low (0xf), every processor, LINT0 */
		0x0a, 12, 0x0f, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
		/* NMI source: flags edge/high (0x5), GSI 23 */
		0x03, 8, 0x05, 0, 23, 0, 0, 0,
		/* Local APIC address override */
		0x05, 12, 0, 0, 0x00, 0x00, 0xe0, 0xfe, 0x01, 0, 0, 0,
		/* ISO with the reserved polarity and trigger encodings (2): conforms */
		0x02, 10, 0, 4, 4, 0, 0, 0, 0x0a, 0,
	};
	struct walk w;

	(void)state;
	walk_body(body, sizeof(body), &w);
	assert_int_equal(w.end, 0);
	assert_int_equal(w.count, 5);
	assert_int_equal(w.e[0].type, ACPI_MADT_X2APIC);
	assert_int_equal(w.e[0].lapic.apic_id, 0x100);
	assert_int_equal(w.e[0].lapic.flags, ACPI_CPU_ONLINE_CAPABLE);
	assert_int_equal(w.e[0].lapic.uid, 7);
	assert_int_equal(w.e[1].lapic_nmi.uid, ACPI_UID_ALL_32);
	assert_irq(&w.e[1].lapic_nmi.pin, 0, FW_TRIGGER_LEVEL, FW_POLARITY_LOW);
	assert_irq(&w.e[2].nmi_source.gsi, 23, FW_TRIGGER_EDGE, FW_POLARITY_HIGH);
	assert_int_equal(w.e[3].lapic_override.address, 0x1fee00000ull);
	assert_int_equal(w.e[4].iso.source, 4);
	assert_irq(&w.e[4].iso.gsi, 4, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS);
}

static void test_acpi_hpet_qemu_q35(void **state)
{
	struct acpi_hpet h;
	struct acpi a;

	(void)state;
	init_machine(&a, "q35-smp4", "HPET");
	memset(&h, 0xa5, sizeof(h));
	assert_int_equal(acpi_hpet(&a, &h), ACPI_OK);
	assert_int_equal(h.block_id, 0x8086a201);
	assert_int_equal(h.base.space, FW_SPACE_MEMORY);
	assert_int_equal(h.base.address, 0xfed00000);
	assert_int_equal(h.number, 0);
	assert_int_equal(h.min_tick, 0);
}

static int hpet_of(uint32_t len, uint8_t space, uint64_t addr)
{
	uint64_t t = table("HPET", 1, len);
	struct acpi_hpet h;
	struct acpi a;

	if (len >= 52)
		put_gas(at(t) + 40, space, 64, 0, addr);
	if (len >= 55)
		put16(at(t) + 53, 0x80);
	fix_checksum(t);
	init_over(&a, &t, 1);
	return acpi_hpet(&a, &h);
}

static void test_acpi_hpet_errors(void **state)
{
	struct acpi_hpet h;
	struct acpi a;

	(void)state;
	init_machine(&a, "q35-smp4", "APIC");
	assert_int_equal(acpi_hpet(&a, &h), ACPI_E_NOT_FOUND);
	assert_int_equal(hpet_of(56, FW_SPACE_MEMORY, 0xfed00000), ACPI_OK);
	assert_int_equal(hpet_of(55, FW_SPACE_MEMORY, 0xfed00000), ACPI_E_SHORT);
	assert_int_equal(hpet_of(56, FW_SPACE_IO, 0x400), ACPI_E_SPACE);
	assert_int_equal(hpet_of(56, FW_SPACE_MEMORY, 0), ACPI_E_NO_ADDRESS);
}

static void test_acpi_mcfg_qemu(void **state)
{
	struct fw_ecam e;
	struct acpi a;

	(void)state;
	init_machine(&a, "q35-smp4", "MCFG");
	assert_int_equal(acpi_mcfg(&a, 0, &e), ACPI_OK);
	assert_int_equal(e.base, 0xb0000000);
	assert_int_equal(e.segment, 0);
	assert_int_equal(e.bus_start, 0);
	assert_int_equal(e.bus_end, 255);
	assert_int_equal(acpi_mcfg(&a, 1, &e), ACPI_E_NOT_FOUND);
	init_machine(&a, "virt-gicv3-smp4", "MCFG");
	assert_int_equal(acpi_mcfg(&a, 0, &e), ACPI_OK);
	assert_int_equal(e.base, 0x4010000000ull);
	assert_int_equal(e.bus_end, 255);
}

static void mcfg_entry(uint8_t *p, uint64_t base, uint16_t segment, uint8_t start, uint8_t end)
{
	put64(p, base);
	put16(p + 8, segment);
	p[10] = start;
	p[11] = end;
}

static void test_acpi_mcfg_entries(void **state)
{
	uint64_t t = table("MCFG", 1, 44 + 4 * 16 + 15); /* 15 stray bytes: not an entry */
	uint64_t tiny = table("MCFG", 1, 43);
	struct fw_ecam e;
	struct acpi a;

	(void)state;
	mcfg_entry(at(t) + 44, 0xe0000000, 1, 0x10, 0x1f);
	mcfg_entry(at(t) + 60, 0, 2, 0, 0xff);
	mcfg_entry(at(t) + 76, 0xe0000000, 3, 0x20, 0x1f);
	mcfg_entry(at(t) + 92, 0xfffffffffff00000ull, 4, 0, 0);
	fix_checksum(t);
	init_over(&a, &t, 1);
	assert_int_equal(acpi_mcfg(&a, 0, &e), ACPI_OK);
	assert_int_equal(e.base, 0xe1000000); /* bus 0x10 of a window based at bus 0 */
	assert_int_equal(e.segment, 1);
	assert_int_equal(e.bus_start, 0x10);
	assert_int_equal(e.bus_end, 0x1f);
	assert_int_equal(acpi_mcfg(&a, 1, &e), ACPI_E_NO_ADDRESS);
	assert_int_equal(acpi_mcfg(&a, 2, &e), ACPI_E_BAD_VALUE);
	assert_int_equal(acpi_mcfg(&a, 3, &e), ACPI_E_BAD_VALUE); /* wraps past 2^64 */
	assert_int_equal(acpi_mcfg(&a, 4, &e), ACPI_E_NOT_FOUND);
	assert_int_equal(acpi_mcfg(&a, UINT32_MAX, &e), ACPI_E_NOT_FOUND);
	fix_checksum(tiny);
	init_over(&a, &tiny, 1);
	assert_int_equal(acpi_mcfg(&a, 0, &e), ACPI_E_SHORT);
}

static void test_acpi_gtdt_qemu_virt(void **state)
{
	static const char *const machines[] = { "virt-gicv2-smp4", "virt-gicv3-smp4",
						"virt-gicv3-el2-smp4" };
	struct fw_arm_timer t;
	struct acpi a;

	(void)state;
	for (int i = 0; i < 3; i++) {
		init_machine(&a, machines[i], "GTDT");
		memset(&t, 0xa5, sizeof(t));
		assert_int_equal(acpi_gtdt(&a, &t), ACPI_OK);
		assert_irq(&t.secure_phys, 29, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
		assert_irq(&t.phys, 30, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
		assert_irq(&t.virt, 27, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
		assert_irq(&t.hyp_phys, 26, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
		assert_irq(&t.hyp_virt, 0, 0, 0);
		assert_int_equal(t.always_on, 1);
		assert_int_equal(t.cnt_control_base, 0); /* all ones in the table: absent */
		assert_int_equal(t.cnt_read_base, 0);
	}
}

static void test_acpi_gtdt_revision3_and_errors(void **state)
{
	uint64_t t = table("GTDT", 3, 104);
	uint64_t old = table("GTDT", 2, 80);
	uint64_t tiny = table("GTDT", 2, 79);
	struct fw_arm_timer g;
	struct acpi a;

	(void)state;
	put64(at(t) + 36, 0x2a430000);
	put32(at(t) + 56, 30);
	put32(at(t) + 60, 0x3); /* edge, active low, not always-on */
	put32(at(t) + 72, 26);
	put64(at(t) + 80, 0x2a800000);
	put32(at(t) + 96, 28);
	put32(at(t) + 100, 0x4);
	fix_checksum(t);
	init_over(&a, &t, 1);
	assert_int_equal(acpi_gtdt(&a, &g), ACPI_OK);
	assert_int_equal(g.cnt_control_base, 0x2a430000);
	assert_int_equal(g.cnt_read_base, 0x2a800000);
	assert_irq(&g.secure_phys, 0, 0, 0); /* GSIV 0: not described */
	assert_irq(&g.phys, 30, FW_TRIGGER_EDGE, FW_POLARITY_LOW);
	assert_irq(&g.virt, 0, 0, 0);
	assert_irq(&g.hyp_phys, 26, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&g.hyp_virt, 28, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_int_equal(g.always_on, 0);
	/* Revision 2 ends before CntReadBase and the EL2 virtual timer. */
	put32(at(old) + 56, 30);
	put64(at(old) + 36, 0xffffffffffffffffull);
	fix_checksum(old);
	init_over(&a, &old, 1);
	assert_int_equal(acpi_gtdt(&a, &g), ACPI_OK);
	assert_int_equal(g.phys.intid, 30);
	assert_int_equal(g.cnt_control_base, 0);
	assert_int_equal(g.cnt_read_base, 0);
	fix_checksum(tiny);
	init_over(&a, &tiny, 1);
	assert_int_equal(acpi_gtdt(&a, &g), ACPI_E_SHORT);
	init_machine(&a, "q35-smp4", "APIC");
	assert_int_equal(acpi_gtdt(&a, &g), ACPI_E_NOT_FOUND);
}

static void test_acpi_pm_timer_qemu(void **state)
{
	struct fw_gas reg;
	struct acpi a;
	uint16_t flags = 0xffff;
	int is_32bit = -1;

	(void)state;
	init_machine(&a, "q35-smp4", "FACP");
	assert_int_equal(acpi_pm_timer(&a, &reg, &is_32bit), ACPI_OK);
	assert_int_equal(reg.space, FW_SPACE_IO);
	assert_int_equal(reg.address, 0x608);
	assert_int_equal(reg.bit_width, 32);
	assert_int_equal(is_32bit, 0);
	assert_int_equal(acpi_boot_flags(&a, &flags), ACPI_OK);
	assert_int_equal(flags, ACPI_IAPC_8042);
	/* AArch64's FADT is HW-reduced: no PM timer, no IA-PC flags. */
	init_machine(&a, "virt-gicv3-smp4", "FACP");
	assert_int_equal(acpi_pm_timer(&a, &reg, &is_32bit), ACPI_E_NOT_FOUND);
	assert_int_equal(reg.address, 0);
	assert_int_equal(acpi_boot_flags(&a, &flags), ACPI_OK);
	assert_int_equal(flags, 0);
}

static void test_acpi_pm_timer_fields(void **state)
{
	uint64_t v1 = fadt_v1(0);
	uint64_t v6 = fadt_v6(1u << 8, 0); /* TMR_VAL_EXT */
	struct fw_gas reg;
	struct acpi a;
	uint16_t flags;
	int is_32bit;

	(void)state;
	/* ACPI 1.0: the port; no IA-PC boot flags before revision 2. */
	put32(at(v1) + 76, 0x808);
	put16(at(v1) + 109, 0x3);
	fix_checksum(v1);
	init_over(&a, &v1, 1);
	assert_int_equal(acpi_pm_timer(&a, &reg, &is_32bit), ACPI_OK);
	assert_int_equal(reg.space, FW_SPACE_IO);
	assert_int_equal(reg.address, 0x808);
	assert_int_equal(acpi_boot_flags(&a, &flags), ACPI_OK);
	assert_int_equal(flags, 0);
	/* X_PM_TMR_BLK in memory wins over the port; 32-bit counter. */
	put32(at(v6) + 76, 0x808);
	put_gas(at(v6) + 208, FW_SPACE_MEMORY, 32, 3, 0xfed80008);
	put16(at(v6) + 109, 0x25);
	fix_checksum(v6);
	init_over(&a, &v6, 1);
	assert_int_equal(acpi_pm_timer(&a, &reg, &is_32bit), ACPI_OK);
	assert_int_equal(reg.space, FW_SPACE_MEMORY);
	assert_int_equal(reg.address, 0xfed80008);
	assert_int_equal(is_32bit, 1);
	assert_int_equal(acpi_boot_flags(&a, &flags), ACPI_OK);
	assert_int_equal(flags, ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_NO_VGA | ACPI_IAPC_NO_CMOS_RTC);
	/* A space Kosh cannot use; then no timer at all. */
	put_gas(at(v6) + 208, 3, 32, 3, 0xfed80008);
	fix_checksum(v6);
	assert_int_equal(acpi_pm_timer(&a, &reg, &is_32bit), ACPI_E_SPACE);
	put_gas(at(v6) + 208, 0, 0, 0, 0);
	put32(at(v6) + 76, 0);
	fix_checksum(v6);
	assert_int_equal(acpi_pm_timer(&a, &reg, &is_32bit), ACPI_E_NOT_FOUND);
}

static void test_acpi_spcr_qemu_virt(void **state)
{
	struct fw_uart u;
	struct acpi a;

	(void)state;
	init_machine(&a, "virt-gicv2-smp4", "FACP SPCR");
	assert_int_equal(acpi_spcr_uart(&a, &u), ACPI_OK);
	assert_int_equal(u.type, FW_UART_PL011);
	assert_int_equal(u.space, FW_SPACE_MEMORY);
	assert_int_equal(u.base, 0x09000000);
	assert_int_equal(u.baud, 9600); /* what QEMU's SPCR says */
}

/* QEMU's own DSDT (real AML): Name(_S5_, Package(4){0, 0, 0, 0}). */
static void test_acpi_s5_qemu_q35(void **state)
{
	uint64_t dsdt_phys = fixture("q35-smp4", "DSDT");
	uint64_t fadt = fixture("q35-smp4", "FACP");
	struct acpi_sleep s;

	(void)state;
	put32(at(fadt) + FADT_DSDT, (uint32_t)dsdt_phys);
	put64(at(fadt) + FADT_X_DSDT, dsdt_phys);
	fix_checksum(fadt);
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(s5_of(fadt, &s), ACPI_OK);
	assert_int_equal(s.hw_reduced, 0);
	assert_int_equal(s.pm1a_cnt.space, FW_SPACE_IO);
	assert_int_equal(s.pm1a_cnt.address, 0x604);
	assert_int_equal(s.slp_typa, 0);
	assert_int_equal(s.slp_typb, 0);
}

static void test_acpi_strerror(void **state)
{
	(void)state;
	for (int e = ACPI_OK; e > ACPI_E_COUNT; e--) {
		assert_non_null(acpi_strerror(e));
		assert_string_not_equal(acpi_strerror(e), "unknown ACPI error");
		for (int f = ACPI_OK; f > e; f--)
			assert_string_not_equal(acpi_strerror(e), acpi_strerror(f));
	}
	assert_string_equal(acpi_strerror(ACPI_E_COUNT), "unknown ACPI error");
	assert_string_equal(acpi_strerror(1), "unknown ACPI error");
	assert_string_equal(acpi_strerror(-1000), "unknown ACPI error");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_acpi_init_rsdp_v1_rsdt),
		T(test_acpi_init_rsdp_v2_xsdt),
		T(test_acpi_init_v2_without_xsdt_uses_rsdt),
		T(test_acpi_init_bad_xsdt_falls_back_to_rsdt),
		T(test_acpi_init_bad_rsdp_signature),
		T(test_acpi_init_bad_rsdp_checksum),
		T(test_acpi_init_bad_extended_checksum),
		T(test_acpi_init_bad_rsdp_length),
		T(test_acpi_init_rsdp_unmapped),
		T(test_acpi_init_rsdt_address_zero),
		T(test_acpi_init_root_bad_checksum),
		T(test_acpi_init_root_wrong_signature),
		T(test_acpi_init_root_truncated_length),
		T(test_acpi_init_null_arguments),
		T(test_acpi_find_skips_bad_tables),
		T(test_acpi_find_index),
		T(test_acpi_spcr_16550_io_port),
		T(test_acpi_spcr_pl011_mmio),
		T(test_acpi_spcr_sbsa_and_precise_baud),
		T(test_acpi_spcr_16550_mmio32_and_baud_codes),
		T(test_acpi_spcr_errors),
		T(test_acpi_s5_integer_encodings),
		T(test_acpi_s5_multibyte_pkglength),
		T(test_acpi_s5_truncated_at_end_of_table),
		T(test_acpi_s5_skips_false_matches),
		T(test_acpi_s5_malformed_packages),
		T(test_acpi_s5_extended_fields),
		T(test_acpi_s5_fadt_cut_inside_gas),
		T(test_acpi_s5_hw_reduced),
		T(test_acpi_s5_fadt_errors),
		T(test_acpi_psci_flags),
		T(test_acpi_psci_old_or_short_fadt),
		T(test_acpi_madt_qemu_q35),
		T(test_acpi_madt_qemu_virt_gicv2),
		T(test_acpi_madt_qemu_virt_gicv3),
		T(test_acpi_madt_entry_too_short),
		T(test_acpi_madt_entry_past_table),
		T(test_acpi_madt_cut_anywhere),
		T(test_acpi_madt_bad_checksum_or_short),
		T(test_acpi_madt_unknown_and_zero_length),
		T(test_acpi_madt_x2apic_nmi_override),
		T(test_acpi_hpet_qemu_q35),
		T(test_acpi_hpet_errors),
		T(test_acpi_mcfg_qemu),
		T(test_acpi_mcfg_entries),
		T(test_acpi_gtdt_qemu_virt),
		T(test_acpi_gtdt_revision3_and_errors),
		T(test_acpi_pm_timer_qemu),
		T(test_acpi_pm_timer_fields),
		T(test_acpi_spcr_qemu_virt),
		T(test_acpi_s5_qemu_q35),
		T(test_acpi_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
