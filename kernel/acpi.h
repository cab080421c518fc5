/* SPDX-License-Identifier: MIT */
/*
 * A reader of the few ACPI tables the kernel needs before any driver runs: the
 * RSDP and RSDT/XSDT to find tables, SPCR for the console, FADT and the DSDT's
 * \_S5_ object for power-off, the FADT's ARM boot flags for PSCI; and the tables
 * that describe the machine (acpi_tables.c): MADT (CPUs, APICs, GIC), HPET, MCFG,
 * GTDT, and the FADT's PM timer and IA-PC boot flags.
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
	ACPI_E_ENTRY_LENGTH = -18,   /* a structure's length is 0 or below its type's size */
	ACPI_E_ENTRY_OVERRUN = -19,  /* a structure runs past the end of its table */
	ACPI_E_BAD_VALUE = -20,      /* a field holds an impossible value */
	ACPI_E_COUNT = -21
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

/* MADT interrupt controller structure types. */
enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0x0,
	ACPI_MADT_IOAPIC = 0x1,
	ACPI_MADT_ISO = 0x2,            /* interrupt source override */
	ACPI_MADT_NMI_SOURCE = 0x3,
	ACPI_MADT_LAPIC_NMI = 0x4,
	ACPI_MADT_LAPIC_OVERRIDE = 0x5, /* 64-bit local APIC address */
	ACPI_MADT_X2APIC = 0x9,
	ACPI_MADT_X2APIC_NMI = 0xa,
	ACPI_MADT_GICC = 0xb,
	ACPI_MADT_GICD = 0xc,
	ACPI_MADT_GIC_MSI = 0xd,
	ACPI_MADT_GICR = 0xe,
	ACPI_MADT_GIC_ITS = 0xf,
};

#define ACPI_MADT_PCAT_COMPAT 0x1u /* MADT flags: dual 8259 PICs present */

/* Local APIC and x2APIC flags */
#define ACPI_CPU_ENABLED        0x1u
#define ACPI_CPU_ONLINE_CAPABLE 0x2u

/* GICC flags */
#define ACPI_GICC_ENABLED         0x1u
#define ACPI_GICC_PERF_EDGE       0x2u
#define ACPI_GICC_VGIC_EDGE       0x4u
#define ACPI_GICC_ONLINE_CAPABLE  0x8u

#define ACPI_UID_ALL_8  0xffu       /* LAPIC NMI: every processor */
#define ACPI_UID_ALL_32 0xffffffffu /* x2APIC NMI: every processor */

/* An opened MADT: its header fields and the bytes walked by acpi_madt_next(). */
struct acpi_madt {
	const uint8_t *table;
	uint32_t len;
	uint32_t lapic_base; /* Local Interrupt Controller Address (x86) */
	uint32_t flags;      /* ACPI_MADT_PCAT_COMPAT */
};

/* One MADT structure, decoded; only the member named by type is filled. */
struct acpi_madt_entry {
	uint8_t type; /* enum acpi_madt_type, or an unknown type (no member filled) */
	uint8_t length;
	union {
		struct {
			uint32_t uid;     /* 8 bits in a LAPIC entry, 32 in an x2APIC one */
			uint32_t apic_id; /* likewise */
			uint32_t flags;   /* ACPI_CPU_* */
		} lapic;              /* ACPI_MADT_LAPIC and ACPI_MADT_X2APIC */
		struct {
			uint8_t id;
			uint32_t address;
			uint32_t gsi_base;
		} ioapic;
		struct {
			uint8_t bus; /* 0: ISA */
			uint8_t source;
			struct fw_irq gsi; /* with the MPS INTI flags decoded */
		} iso;
		struct {
			struct fw_irq gsi;
		} nmi_source;
		struct {
			uint32_t uid;      /* ACPI_UID_ALL_8 / ACPI_UID_ALL_32: every processor */
			struct fw_irq pin; /* intid: the LINTn input (0 or 1), MPS INTI flags decoded */
		} lapic_nmi;           /* ACPI_MADT_LAPIC_NMI and ACPI_MADT_X2APIC_NMI */
		struct {
			uint64_t address;
		} lapic_override;
		struct {
			uint32_t iface; /* CPU interface number */
			uint32_t uid;
			uint32_t flags; /* ACPI_GICC_* */
			uint32_t parking_version;
			uint32_t perf_gsiv;
			uint64_t parked_address;
			uint64_t gicc_base;
			uint64_t gicv_base;
			uint64_t gich_base;
			uint32_t vgic_gsiv; /* VGIC maintenance interrupt */
			uint64_t gicr_base;
			uint64_t mpidr;
		} gicc;
		struct {
			uint32_t id;
			uint64_t base;
			uint8_t version; /* 0: not given, 1-4 */
		} gicd;
		struct {
			uint32_t id;
			uint64_t base;
			uint32_t flags;
			uint16_t spi_count;
			uint16_t spi_base;
		} msi_frame;
		struct {
			uint64_t base;
			uint32_t length;
		} gicr;
		struct {
			uint32_t id;
			uint64_t base;
		} its;
	};
};

/* Find and open the MADT ("APIC"). 0, or ACPI_E_NOT_FOUND / _SHORT. */
__attribute__((warn_unused_result)) int acpi_madt_open(const struct acpi *a,
						       struct acpi_madt *m);

/*
 * The structure at *cursor (0 to start), decoded into *e; *cursor moves past it.
 * 1 with an entry, 0 after the last, or ACPI_E_ENTRY_LENGTH / _ENTRY_OVERRUN (the
 * walk must stop there: *cursor does not move) or ACPI_E_INVALID. Unknown types
 * come back with type and length only.
 */
__attribute__((warn_unused_result)) int acpi_madt_next(const struct acpi_madt *m,
						       uint32_t *cursor,
						       struct acpi_madt_entry *e);

/* The HPET table's fields (the comparators and period are in the HPET's registers). */
struct acpi_hpet {
	uint32_t block_id; /* event timer block id: vendor, comparator count - 1, ... */
	struct fw_gas base;
	uint8_t number;
	uint16_t min_tick; /* main counter minimum clock tick in periodic mode */
};

/* The first HPET. 0, or ACPI_E_NOT_FOUND / _SHORT / _SPACE / _NO_ADDRESS. */
__attribute__((warn_unused_result)) int acpi_hpet(const struct acpi *a, struct acpi_hpet *out);

/* The index-th MCFG allocation. 0, or ACPI_E_NOT_FOUND (no MCFG or index past the end),
 * ACPI_E_SHORT, ACPI_E_NO_ADDRESS, ACPI_E_BAD_VALUE (end bus below start, window wraps). */
__attribute__((warn_unused_result)) int acpi_mcfg(const struct acpi *a, uint32_t index,
						  struct fw_ecam *out);

/* The generic timer from the GTDT. 0, or ACPI_E_NOT_FOUND / _SHORT. */
__attribute__((warn_unused_result)) int acpi_gtdt(const struct acpi *a,
						  struct fw_arm_timer *out);

/* The ACPI PM timer: its register, and whether it counts 32 bits (else 24).
 * 0, or ACPI_E_NOT_FOUND (no FADT, or no timer: HW-reduced or address 0) / _SHORT / _SPACE. */
__attribute__((warn_unused_result)) int acpi_pm_timer(const struct acpi *a,
						      struct fw_gas *reg, int *is_32bit);

/* FADT IAPC_BOOT_ARCH */
#define ACPI_IAPC_LEGACY_DEVICES 0x01u /* ISA devices not enumerated in AML exist */
#define ACPI_IAPC_8042           0x02u
#define ACPI_IAPC_NO_VGA         0x04u
#define ACPI_IAPC_NO_MSI         0x08u
#define ACPI_IAPC_NO_ASPM        0x10u
#define ACPI_IAPC_NO_CMOS_RTC    0x20u

/* The FADT's IA-PC boot flags; 0 when the FADT predates them (revision < 2).
 * 0, or ACPI_E_NOT_FOUND. */
__attribute__((warn_unused_result)) int acpi_boot_flags(const struct acpi *a, uint16_t *flags);

/* A short English description of an acpi_error value. */
const char *acpi_strerror(int err);

#endif
