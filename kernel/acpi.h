/* SPDX-License-Identifier: MIT */
/*
 * A reader of the few ACPI tables the kernel needs before any driver runs: the
 * RSDP and RSDT/XSDT to find tables, SPCR for the console, FADT and the DSDT's
 * \_S5_ object for power-off, the FADT's ARM boot flags for PSCI.
 *
 * Tables are untrusted bytes reached through a fw_map_fn, so the same code runs in
 * the kernel (through the direct map) and in host tests (over a fake memory).
 * Every length, offset and address is checked before it is used, fields are read
 * byte by byte (tables may be unaligned), a table is used only when its signature,
 * length and checksum are right, and every loop is bounded by a checked length.
 * Nothing is interpreted beyond what is written here: there is no AML interpreter.
 */
#ifndef KOSH_ACPI_H
#define KOSH_ACPI_H

#include <stdint.h>

#include "fw.h"

#define ACPI_HEADER_SIZE 36u
#define ACPI_TABLE_MAX   (16u << 20) /* larger tables are refused */

enum acpi_error {
	ACPI_OK = 0,
	ACPI_E_INVALID = -1,         /* a NULL argument */
	ACPI_E_RSDP_MAP = -2,        /* the RSDP cannot be mapped */
	ACPI_E_RSDP_SIGNATURE = -3,  /* the RSDP does not start with "RSD PTR " */
	ACPI_E_RSDP_CHECKSUM = -4,   /* the first 20 bytes do not sum to 0 */
	ACPI_E_RSDP_LENGTH = -5,     /* revision >= 2 with a bad Length */
	ACPI_E_RSDP_XCHECKSUM = -6,  /* revision >= 2, Length bytes do not sum to 0 */
	ACPI_E_NO_ROOT = -7,         /* neither an RSDT nor an XSDT address */
	ACPI_E_TABLE_MAP = -8,       /* a table cannot be mapped */
	ACPI_E_TABLE_SIGNATURE = -9, /* a table has the wrong signature */
	ACPI_E_TABLE_LENGTH = -10,   /* a table's length is below the header or too big */
	ACPI_E_TABLE_CHECKSUM = -11, /* a table does not sum to 0 */
	ACPI_E_NOT_FOUND = -12,      /* no valid table with that signature */
	ACPI_E_SHORT = -13,          /* a table is too short for a field needed */
	ACPI_E_SPACE = -14,          /* a register is neither memory nor I/O port */
	ACPI_E_NO_ADDRESS = -15,     /* a register needed has address 0 */
	ACPI_E_NO_S5 = -16,          /* the DSDT has no \_S5_ package */
	ACPI_E_S5_MALFORMED = -17,   /* \_S5_ is truncated or not two small integers */
	ACPI_E_COUNT = -18
};

/* The root of the tables, filled by acpi_init(). */
struct acpi {
	fw_map_fn map;
	void *ctx;
	uint64_t root_phys; /* RSDT or XSDT, validated */
	int xsdt;           /* 1: 8-byte entries (XSDT), 0: 4-byte entries (RSDT) */
	uint32_t count;     /* entries in the root table */
	uint8_t revision;   /* the RSDP's */
};

/* What power-off needs: write SLP_TYPx | SLP_EN to the control register(s). */
struct acpi_sleep {
	int hw_reduced;              /* FADT HW_REDUCED_ACPI: use sleep_control */
	struct fw_gas pm1a_cnt;      /* fixed hardware; absent when hw_reduced */
	struct fw_gas pm1b_cnt;      /* optional (address 0) */
	struct fw_gas sleep_control; /* FADT SLEEP_CONTROL_REG, may be absent */
	uint8_t slp_typa;            /* from \_S5_, each at most 7 (a 3-bit field) */
	uint8_t slp_typb;
};

/* Validate the RSDP at rsdp_phys and its root table; fill *a. 0 or enum acpi_error. */
__attribute__((warn_unused_result)) int acpi_init(struct acpi *a, uint64_t rsdp_phys,
						  fw_map_fn map, void *ctx);

/* The index-th valid table with signature sig (length in *len if len != NULL), or NULL. */
const void *acpi_find(const struct acpi *a, const char sig[4], uint32_t index, uint32_t *len);

/* The console named by SPCR. 0, or ACPI_E_NOT_FOUND / _SHORT / _SPACE / _NO_ADDRESS. */
__attribute__((warn_unused_result)) int acpi_spcr_uart(const struct acpi *a,
						       struct fw_uart *out);

/* Registers and sleep types for S5 (soft off) from the FADT and the DSDT. */
__attribute__((warn_unused_result)) int acpi_s5(const struct acpi *a, struct acpi_sleep *out);

/* The FADT's ARM boot flags: PSCI present, and called with HVC rather than SMC. */
__attribute__((warn_unused_result)) int acpi_psci(const struct acpi *a, int *present,
						  int *use_hvc);

/* A short English description of an acpi_error value. */
const char *acpi_strerror(int err);

#endif
