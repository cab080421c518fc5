/* SPDX-License-Identifier: MIT */
/*
 * Byte-level helpers shared by acpi.c and acpi_tables.c, not an interface for the
 * rest of the kernel: little-endian fields assembled byte by byte (tables may sit
 * at any alignment) and the Generic Address Structure.
 */
#ifndef KOSH_ACPI_BYTES_H
#define KOSH_ACPI_BYTES_H

#include <stdint.h>

#include "acpi.h"

/* Generic Address Structure */
#define GAS_SIZE    12u
#define GAS_SPACE   0
#define GAS_WIDTH   1
#define GAS_ACCESS  3 /* 1 byte, 2 word, 3 dword, 4 qword accesses */
#define GAS_ADDRESS 4

static inline uint16_t acpi_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_le64(const uint8_t *p)
{
	return acpi_le32(p) | (uint64_t)acpi_le32(p + 4) << 32;
}

/* The GAS at p (GAS_SIZE readable bytes). */
/* The DSDT a FADT of len bytes names (X_DSDT when present, else DSDT). */
uint64_t acpi_fadt_dsdt(const uint8_t *fadt, uint32_t len);

static inline void acpi_read_gas(const uint8_t *p, struct fw_gas *gas)
{
	gas->space = p[GAS_SPACE];
	gas->bit_width = p[GAS_WIDTH];
	gas->address = acpi_le64(p + GAS_ADDRESS);
}

/* A register Kosh can use: present, in memory or I/O space. */
static inline int acpi_check_register(const struct fw_gas *gas)
{
	if (gas->address == 0)
		return ACPI_E_NO_ADDRESS;
	if (gas->space != FW_SPACE_MEMORY && gas->space != FW_SPACE_IO)
		return ACPI_E_SPACE;
	return 0;
}

#endif
