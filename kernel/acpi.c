/* SPDX-License-Identifier: MIT */
/*
 * ACPI table reader (see acpi.h for what it offers).
 *
 * Invariants: no byte is read that was not mapped through a->map with a length
 * checked against the containing table's validated length; multi-byte fields are
 * assembled from single bytes, so tables may sit at any alignment; a table is used
 * only after map_table() checked its signature, length (header <= length <=
 * ACPI_TABLE_MAX) and checksum; every loop runs over a count derived from such a
 * length, so all work is bounded. Physical address 0 always means "absent".
 */
#include <stddef.h>
#include <stdint.h>
#include <kosh/string.h>

#include "acpi.h"
#include "acpi_bytes.h"

/* RSDP */
#define RSDP_V1_SIZE  20u
#define RSDP_V2_SIZE  36u
#define RSDP_REVISION 15
#define RSDP_RSDT     16
#define RSDP_LENGTH   20
#define RSDP_XSDT     24

/* Every table's header */
#define HDR_LENGTH   4
#define HDR_REVISION 8


/* SPCR */
#define SPCR_INTERFACE     36
#define SPCR_BASE          40 /* GAS */
#define SPCR_BAUD          58
#define SPCR_MIN_SIZE      59u
#define SPCR_PRECISE_BAUD  80 /* revision >= 4: overrides SPCR_BAUD when non-zero */

/* FADT */
#define FADT_DSDT           40
#define FADT_PM1A_CNT       64
#define FADT_PM1B_CNT       68
#define FADT_PM_TMR_BLK     76
#define FADT_IAPC_BOOT_ARCH 109 /* ACPI 2.0 (FADT revision 2 and later) */
#define FADT_FLAGS          112
#define FADT_V1_SIZE        116u /* the ACPI 1.0 FADT ends after Flags */
#define FADT_ARM_BOOT_ARCH  129  /* ACPI 5.1 */
#define FADT_X_DSDT         140
#define FADT_X_PM1A_CNT     172
#define FADT_X_PM1B_CNT     184
#define FADT_X_PM_TMR_BLK   208
#define FADT_SLEEP_CONTROL  244

#define FADT_TMR_VAL_EXT    (1u << 8)
#define FADT_HW_REDUCED     (1u << 20)
#define ARM_PSCI_COMPLIANT  (1u << 0)
#define ARM_PSCI_USE_HVC    (1u << 1)

/* The PM1 control registers are 16 bits wide (ACPI 6.5, 4.8.3.2.1), the PM timer 32. */
#define PM1_CNT_WIDTH 16
#define PM_TMR_WIDTH  32

/* AML */
#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_NAME_OP     0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP  0x12
#define AML_ROOT_CHAR   '\\'

/* SLP_TYPx is a 3-bit field of PM1x_CNT and of the sleep control register. */
#define SLP_TYP_MAX 7u

static uint8_t checksum(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

/* len bytes at phys, or NULL for address 0, a wrapping range or an unmapped one. */
static const uint8_t *map_bytes(const struct acpi *a, uint64_t phys, uint64_t len)
{
	if (phys == 0 || phys + len < phys)
		return NULL;
	return a->map(a->ctx, phys, len);
}

/* Map the table at phys if its signature (unless sig is NULL), length and checksum are right. */
static int map_table(const struct acpi *a, uint64_t phys, const char *sig,
		     const uint8_t **out, uint32_t *len)
{
	const uint8_t *t = map_bytes(a, phys, ACPI_HEADER_SIZE);
	uint32_t n;

	if (!t)
		return ACPI_E_TABLE_MAP;
	if (sig && memcmp(t, sig, 4) != 0)
		return ACPI_E_TABLE_SIGNATURE;
	n = acpi_le32(t + HDR_LENGTH);
	if (n < ACPI_HEADER_SIZE || n > ACPI_TABLE_MAX)
		return ACPI_E_TABLE_LENGTH;
	t = map_bytes(a, phys, n);
	if (!t)
		return ACPI_E_TABLE_MAP;
	if (checksum(t, n) != 0)
		return ACPI_E_TABLE_CHECKSUM;
	*out = t;
	*len = n;
	return 0;
}

/* The revision >= 2 part of the RSDP: Length and the extended checksum. */
static int check_rsdp_v2(const struct acpi *a, uint64_t phys, const uint8_t **rsdp)
{
	const uint8_t *r = map_bytes(a, phys, RSDP_V2_SIZE);
	uint32_t len;

	if (!r)
		return ACPI_E_RSDP_MAP;
	len = acpi_le32(r + RSDP_LENGTH);
	if (len < RSDP_V2_SIZE || len > ACPI_TABLE_MAX)
		return ACPI_E_RSDP_LENGTH;
	r = map_bytes(a, phys, len);
	if (!r)
		return ACPI_E_RSDP_MAP;
	if (checksum(r, len) != 0)
		return ACPI_E_RSDP_XCHECKSUM;
	*rsdp = r;
	return 0;
}

/* Validate the RSDP; *rsdp then maps 20 bytes (revision < 2) or at least 36. */
static int check_rsdp(const struct acpi *a, uint64_t phys, const uint8_t **rsdp)
{
	const uint8_t *r = map_bytes(a, phys, RSDP_V1_SIZE);

	if (!r)
		return ACPI_E_RSDP_MAP;
	if (memcmp(r, "RSD PTR ", 8) != 0)
		return ACPI_E_RSDP_SIGNATURE;
	if (checksum(r, RSDP_V1_SIZE) != 0)
		return ACPI_E_RSDP_CHECKSUM;
	if (r[RSDP_REVISION] >= 2)
		return check_rsdp_v2(a, phys, rsdp);
	*rsdp = r;
	return 0;
}

static int use_root(struct acpi *a, uint64_t phys, int xsdt)
{
	const uint8_t *t;
	uint32_t len;
	int err = map_table(a, phys, xsdt ? "XSDT" : "RSDT", &t, &len);

	if (err)
		return err;
	a->root_phys = phys;
	a->xsdt = xsdt;
	a->count = (len - ACPI_HEADER_SIZE) / (xsdt ? 8u : 4u);
	return 0;
}

/*
 * The XSDT when the RSDP has one; the RSDT otherwise, or when the XSDT is broken
 * but an RSDT exists (then the XSDT's error is the one reported if both fail).
 */
static int pick_root(struct acpi *a, const uint8_t *rsdp)
{
	uint64_t rsdt = acpi_le32(rsdp + RSDP_RSDT);
	uint64_t xsdt = a->revision >= 2 ? acpi_le64(rsdp + RSDP_XSDT) : 0;
	int err = ACPI_E_NO_ROOT;
	int rsdt_err;

	if (xsdt) {
		err = use_root(a, xsdt, 1);
		if (err == 0)
			return 0;
	}
	if (rsdt) {
		rsdt_err = use_root(a, rsdt, 0);
		if (rsdt_err == 0 || !xsdt)
			return rsdt_err;
	}
	return err;
}

int acpi_init(struct acpi *a, uint64_t rsdp_phys, fw_map_fn map, void *ctx)
{
	const uint8_t *rsdp;
	int err;

	if (!a || !map)
		return ACPI_E_INVALID;
	memset(a, 0, sizeof(*a));
	a->map = map;
	a->ctx = ctx;
	err = check_rsdp(a, rsdp_phys, &rsdp);
	if (err)
		return err;
	a->revision = rsdp[RSDP_REVISION];
	return pick_root(a, rsdp);
}

/* The i-th address in the root table, 0 if it cannot be read. */
static uint64_t root_entry(const struct acpi *a, uint32_t i)
{
	uint32_t width = a->xsdt ? 8 : 4;
	uint64_t phys = a->root_phys + ACPI_HEADER_SIZE + (uint64_t)i * width;
	const uint8_t *e = map_bytes(a, phys, width);

	if (!e)
		return 0;
	return a->xsdt ? acpi_le64(e) : acpi_le32(e);
}

const void *acpi_find(const struct acpi *a, const char sig[4], uint32_t index, uint32_t *len)
{
	const uint8_t *t;
	uint32_t i, n;

	if (!a || !a->map || !sig)
		return NULL;
	for (i = 0; i < a->count; i++) {
		if (map_table(a, root_entry(a, i), sig, &t, &n) != 0)
			continue;
		if (index-- == 0) {
			if (len)
				*len = n;
			return t;
		}
	}
	return NULL;
}

static uint32_t uart_type(uint32_t raw)
{
	switch (raw) {
	case FW_SPCR_16550:
	case FW_SPCR_16450:
	case FW_SPCR_16550_GAS:
		return FW_UART_16550;
	case FW_SPCR_PL011:
	case FW_SPCR_SBSA_32BIT:
	case FW_SPCR_SBSA:
		return FW_UART_PL011;
	default:
		return FW_UART_OTHER;
	}
}

/* Register stride of a memory-mapped 16550: one register per access of the GAS's size. */
static uint8_t uart_reg_shift(const struct fw_uart *uart, const uint8_t *gas)
{
	uint8_t access = gas[GAS_ACCESS];

	if (uart->type != FW_UART_16550 || uart->space != FW_SPACE_MEMORY)
		return 0;
	return access >= 2 && access <= 4 ? (uint8_t)(access - 1) : 0;
}

static uint32_t spcr_baud(const uint8_t *spcr, uint32_t len)
{
	static const uint32_t by_code[8] = { [3] = 9600, [4] = 19200, [6] = 57600, [7] = 115200 };
	uint8_t code = spcr[SPCR_BAUD];

	if (spcr[HDR_REVISION] >= 4 && len >= SPCR_PRECISE_BAUD + 4 &&
	    acpi_le32(spcr + SPCR_PRECISE_BAUD) != 0)
		return acpi_le32(spcr + SPCR_PRECISE_BAUD);
	return code < 8 ? by_code[code] : 0;
}

int acpi_spcr_uart(const struct acpi *a, struct fw_uart *out)
{
	const uint8_t *spcr;
	struct fw_gas base;
	uint32_t len;
	int err;

	if (!a || !out)
		return ACPI_E_INVALID;
	spcr = acpi_find(a, "SPCR", 0, &len);
	if (!spcr)
		return ACPI_E_NOT_FOUND;
	if (len < SPCR_MIN_SIZE)
		return ACPI_E_SHORT;
	acpi_read_gas(spcr + SPCR_BASE, &base);
	err = acpi_check_register(&base);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->raw_type = spcr[SPCR_INTERFACE];
	out->type = uart_type(out->raw_type);
	out->space = base.space;
	out->base = base.address;
	out->reg_shift = uart_reg_shift(out, spcr + SPCR_BASE);
	out->baud = spcr_baud(spcr, len);
	return 0;
}

/* A fixed register block: the X_ GAS when the FADT has it and it is set, else the port. */
static void fadt_block(const uint8_t *fadt, uint32_t len, uint32_t port_at, uint32_t gas_at,
		       uint8_t width, struct fw_gas *gas)
{
	uint32_t port = acpi_le32(fadt + port_at);

	if (len >= gas_at + GAS_SIZE) {
		acpi_read_gas(fadt + gas_at, gas);
		if (gas->address)
			return;
	}
	gas->space = FW_SPACE_IO;
	gas->bit_width = port ? width : 0;
	gas->address = port;
}

/* The registers S5 is entered through; the FADT is at least FADT_V1_SIZE long. */
static int sleep_registers(const uint8_t *fadt, uint32_t len, struct acpi_sleep *out)
{
	int err;

	out->hw_reduced = (acpi_le32(fadt + FADT_FLAGS) & FADT_HW_REDUCED) != 0;
	if (len >= FADT_SLEEP_CONTROL + GAS_SIZE)
		acpi_read_gas(fadt + FADT_SLEEP_CONTROL, &out->sleep_control);
	if (out->hw_reduced)
		return acpi_check_register(&out->sleep_control);
	fadt_block(fadt, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT, PM1_CNT_WIDTH, &out->pm1a_cnt);
	fadt_block(fadt, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT, PM1_CNT_WIDTH, &out->pm1b_cnt);
	err = acpi_check_register(&out->pm1a_cnt);
	if (err)
		return err;
	return out->pm1b_cnt.address ? acpi_check_register(&out->pm1b_cnt) : 0;
}

uint64_t acpi_fadt_dsdt(const uint8_t *fadt, uint32_t len)
{
	uint64_t x_dsdt = len >= FADT_X_DSDT + 8 ? acpi_le64(fadt + FADT_X_DSDT) : 0;

	return x_dsdt ? x_dsdt : acpi_le32(fadt + FADT_DSDT);
}

/* PkgLength at *at, which counts its own bytes; *at moves past it. */
static int aml_pkg_length(const uint8_t *aml, uint32_t end, uint32_t *at, uint32_t *value)
{
	uint32_t lead, follow, v, k;

	if (*at >= end)
		return ACPI_E_S5_MALFORMED;
	lead = aml[*at];
	follow = lead >> 6;
	if (end - *at < 1 + follow)
		return ACPI_E_S5_MALFORMED;
	v = follow ? lead & 0x0f : lead & 0x3f;
	for (k = 0; k < follow; k++)
		v |= (uint32_t)aml[*at + 1 + k] << (4 + 8 * k);
	if (v < 1 + follow)
		return ACPI_E_S5_MALFORMED;
	*at += 1 + follow;
	*value = v;
	return 0;
}

/* A constant integer (ZeroOp, OneOp or a Byte/Word/DWord/QWord prefix) at *at. */
static int aml_integer(const uint8_t *aml, uint32_t end, uint32_t *at, uint64_t *value)
{
	uint32_t size, k;
	uint64_t v = 0;

	if (*at >= end)
		return ACPI_E_S5_MALFORMED;
	switch (aml[(*at)++]) {
	case AML_ZERO_OP:
		*value = 0;
		return 0;
	case AML_ONE_OP:
		*value = 1;
		return 0;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	case AML_QWORD_PREFIX:
		size = 8;
		break;
	default:
		return ACPI_E_S5_MALFORMED;
	}
	if (end - *at < size)
		return ACPI_E_S5_MALFORMED;
	for (k = size; k-- > 0;)
		v = v << 8 | aml[*at + k];
	*at += size;
	*value = v;
	return 0;
}

/*
 * The Package after "_S5_" at aml[at]: PackageOp PkgLength NumElements SLP_TYPa
 * [SLP_TYPb ...]. A one-element package gives the same type for both registers.
 */
static int aml_s5_package(const uint8_t *aml, uint32_t len, uint32_t at, struct acpi_sleep *out)
{
	uint32_t start, pkg_len, end, count;
	uint64_t typa, typb;
	int err;

	if (at >= len || aml[at] != AML_PACKAGE_OP)
		return ACPI_E_S5_MALFORMED;
	start = ++at;
	err = aml_pkg_length(aml, len, &at, &pkg_len);
	if (err)
		return err;
	if (pkg_len > len - start)
		return ACPI_E_S5_MALFORMED;
	end = start + pkg_len;
	if (at >= end || aml[at] == 0)
		return ACPI_E_S5_MALFORMED;
	count = aml[at++];
	err = aml_integer(aml, end, &at, &typa);
	typb = typa;
	if (!err && count >= 2)
		err = aml_integer(aml, end, &at, &typb);
	if (err)
		return err;
	if (typa > SLP_TYP_MAX || typb > SLP_TYP_MAX)
		return ACPI_E_S5_MALFORMED;
	out->slp_typa = (uint8_t)typa;
	out->slp_typb = (uint8_t)typb;
	return 0;
}

/* If aml[at] starts NameOp ["\"] "_S5_", the offset just past the name; else 0. */
static uint32_t aml_s5_name(const uint8_t *aml, uint32_t len, uint32_t at)
{
	if (aml[at] != AML_NAME_OP)
		return 0;
	at++;
	if (at < len && aml[at] == AML_ROOT_CHAR)
		at++;
	if (len - at < 4 || memcmp(aml + at, "_S5_", 4) != 0)
		return 0;
	return at + 4;
}

/*
 * Find Name(_S5_, Package(){...}) by pattern, not by interpreting the AML: a
 * candidate that does not parse (the bytes happened to match inside something
 * else) is passed over, and the last such error is reported if none parses.
 */
static int aml_find_s5(const uint8_t *aml, uint32_t len, struct acpi_sleep *out)
{
	uint32_t at, name_end;
	int err = ACPI_E_NO_S5;

	for (at = ACPI_HEADER_SIZE; at < len; at++) {
		name_end = aml_s5_name(aml, len, at);
		if (!name_end)
			continue;
		err = aml_s5_package(aml, len, name_end, out);
		if (err == 0)
			return 0;
	}
	return err;
}

/* The FADT, at least FADT_V1_SIZE long: *fadt and *len, or an error. */
static int find_fadt(const struct acpi *a, const uint8_t **fadt, uint32_t *len)
{
	*fadt = acpi_find(a, "FACP", 0, len);
	if (!*fadt)
		return ACPI_E_NOT_FOUND;
	return *len < FADT_V1_SIZE ? ACPI_E_SHORT : 0;
}

int acpi_s5(const struct acpi *a, struct acpi_sleep *out)
{
	const uint8_t *fadt, *dsdt;
	uint32_t len, dsdt_len;
	int err;

	if (!a || !out)
		return ACPI_E_INVALID;
	memset(out, 0, sizeof(*out));
	err = find_fadt(a, &fadt, &len);
	if (!err)
		err = sleep_registers(fadt, len, out);
	if (err)
		return err;
	/* Only the DSDT is searched: \_S5_ in an SSDT is not found. */
	err = map_table(a, acpi_fadt_dsdt(fadt, len), "DSDT", &dsdt, &dsdt_len);
	if (err)
		return err;
	return aml_find_s5(dsdt, dsdt_len, out);
}

int acpi_psci(const struct acpi *a, int *present, int *use_hvc)
{
	const uint8_t *fadt;
	uint32_t len;
	uint16_t flags;

	if (!a || !present || !use_hvc)
		return ACPI_E_INVALID;
	*present = 0;
	*use_hvc = 0;
	fadt = acpi_find(a, "FACP", 0, &len);
	if (!fadt)
		return ACPI_E_NOT_FOUND;
	/* ARM_BOOT_ARCH exists from FADT 5.1 on; before, these bytes were reserved. */
	if (len < FADT_ARM_BOOT_ARCH + 2 || fadt[HDR_REVISION] < 5)
		return 0;
	flags = acpi_le16(fadt + FADT_ARM_BOOT_ARCH);
	*present = (flags & ARM_PSCI_COMPLIANT) != 0;
	*use_hvc = *present && (flags & ARM_PSCI_USE_HVC) != 0;
	return 0;
}

/* A HW-reduced machine has no PM timer, whatever the FADT's timer fields hold. */
int acpi_pm_timer(const struct acpi *a, struct fw_gas *reg, int *is_32bit)
{
	const uint8_t *fadt;
	uint32_t len, flags;
	int err;

	if (!a || !reg || !is_32bit)
		return ACPI_E_INVALID;
	memset(reg, 0, sizeof(*reg));
	*is_32bit = 0;
	err = find_fadt(a, &fadt, &len);
	if (err)
		return err;
	flags = acpi_le32(fadt + FADT_FLAGS);
	if (flags & FADT_HW_REDUCED)
		return ACPI_E_NOT_FOUND;
	fadt_block(fadt, len, FADT_PM_TMR_BLK, FADT_X_PM_TMR_BLK, PM_TMR_WIDTH, reg);
	if (reg->address == 0)
		return ACPI_E_NOT_FOUND;
	err = acpi_check_register(reg);
	if (err)
		return err;
	*is_32bit = (flags & FADT_TMR_VAL_EXT) != 0;
	return 0;
}

int acpi_boot_flags(const struct acpi *a, uint16_t *flags)
{
	const uint8_t *fadt;
	uint32_t len;

	if (!a || !flags)
		return ACPI_E_INVALID;
	*flags = 0;
	fadt = acpi_find(a, "FACP", 0, &len);
	if (!fadt)
		return ACPI_E_NOT_FOUND;
	/* Before FADT revision 2 these bytes were reserved. */
	if (fadt[HDR_REVISION] >= 2 && len >= FADT_IAPC_BOOT_ARCH + 2)
		*flags = acpi_le16(fadt + FADT_IAPC_BOOT_ARCH);
	return 0;
}

const char *acpi_strerror(int err)
{
	static const char *const text[] = {
		[-ACPI_OK] = "success",
		[-ACPI_E_INVALID] = "invalid argument",
		[-ACPI_E_RSDP_MAP] = "RSDP cannot be mapped",
		[-ACPI_E_RSDP_SIGNATURE] = "RSDP signature is not \"RSD PTR \"",
		[-ACPI_E_RSDP_CHECKSUM] = "RSDP checksum is wrong",
		[-ACPI_E_RSDP_LENGTH] = "RSDP length is out of range",
		[-ACPI_E_RSDP_XCHECKSUM] = "RSDP extended checksum is wrong",
		[-ACPI_E_NO_ROOT] = "RSDP names neither an RSDT nor an XSDT",
		[-ACPI_E_TABLE_MAP] = "table cannot be mapped",
		[-ACPI_E_TABLE_SIGNATURE] = "table has the wrong signature",
		[-ACPI_E_TABLE_LENGTH] = "table length is out of range",
		[-ACPI_E_TABLE_CHECKSUM] = "table checksum is wrong",
		[-ACPI_E_NOT_FOUND] = "table not found",
		[-ACPI_E_SHORT] = "table too short for a field needed",
		[-ACPI_E_SPACE] = "register is neither in memory nor in I/O space",
		[-ACPI_E_NO_ADDRESS] = "register address is 0",
		[-ACPI_E_NO_S5] = "no \\_S5_ package in the DSDT",
		[-ACPI_E_S5_MALFORMED] = "\\_S5_ package is truncated or malformed",
		[-ACPI_E_ENTRY_LENGTH] = "structure length is 0 or too short for its type",
		[-ACPI_E_ENTRY_OVERRUN] = "structure runs past the end of its table",
		[-ACPI_E_BAD_VALUE] = "field holds an impossible value",
	};

	if (err > 0 || err <= ACPI_E_COUNT || !text[-err])
		return "unknown ACPI error";
	return text[-err];
}
