/* SPDX-License-Identifier: MIT */
/*
 * What the firmware-table parsers (acpi.c, fdt.c) report, in one vocabulary.
 *
 * Both parsers describe a console UART and the registers needed to power off in
 * these structures, so the code that drives the hardware does not care whether
 * the machine booted with ACPI or a device tree. Nothing here touches hardware.
 */
#ifndef KOSH_FW_H
#define KOSH_FW_H

#include <stdint.h>

/* Returns a pointer to len readable bytes at physical address phys, or NULL. */
typedef const void *(*fw_map_fn)(void *ctx, uint64_t phys, uint64_t len);

/* Address spaces of a register (the ACPI Generic Address Structure's space ids). */
enum fw_space {
	FW_SPACE_MEMORY = 0,
	FW_SPACE_IO = 1, /* x86 I/O ports */
};

/* The UART register layouts a console driver may know. */
enum fw_uart_type {
	FW_UART_16550 = 1,
	FW_UART_PL011 = 2, /* also the SBSA generic UART, a PL011 subset */
	FW_UART_OTHER = 3,
};

/* ACPI SPCR / DBG2 serial interface types (fw_uart.raw_type) Kosh recognises. */
enum fw_spcr_type {
	FW_SPCR_16550 = 0x00,        /* fully 16550-compatible */
	FW_SPCR_16450 = 0x01,        /* 16550 subset */
	FW_SPCR_PL011 = 0x03,
	FW_SPCR_SBSA_32BIT = 0x0d,   /* SBSA generic UART, 32-bit accesses only */
	FW_SPCR_SBSA = 0x0e,         /* SBSA generic UART */
	FW_SPCR_16550_GAS = 0x12,    /* 16550-compatible, width from the GAS */
};

/* A register as firmware describes it; address 0 means absent. */
struct fw_gas {
	uint8_t space;     /* enum fw_space */
	uint8_t bit_width; /* as firmware gave it; 0 = unspecified */
	uint64_t address;
};

/* A console UART. */
struct fw_uart {
	uint32_t type;      /* enum fw_uart_type */
	uint32_t raw_type;  /* SPCR interface type; from a device tree, the SPCR equivalent */
	uint8_t space;      /* enum fw_space */
	uint8_t reg_shift;  /* 16550: registers are 1 << reg_shift bytes apart */
	uint64_t base;
	uint32_t baud;      /* 0: keep what firmware configured */
};

#endif
