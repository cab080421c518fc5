/* SPDX-License-Identifier: MIT */
/*
 * The machine the kernel runs on, in one portable description: its CPUs, its
 * interrupt controller (APIC or GIC), its timers, PSCI and PCIe ECAM windows,
 * built once at boot from the ACPI tables (preferred, on both architectures) or,
 * when ACPI is absent or does not describe the machine, from the device tree.
 *
 * The boot CPU: the firmware tables do not say reliably which CPU is running
 * the kernel, so platform_init() marks none; arch code reads its own id (x86:
 * the local APIC id; AArch64: MPIDR_EL1's affinity fields) and calls
 * platform_mark_boot_cpu(), which sets FW_CPU_BOOT on the matching entry.
 *
 * Nothing here touches hardware; struct platform is large (about 11 KiB), so
 * it belongs in static storage, not on a stack.
 */
#ifndef KOSH_PLATFORM_H
#define KOSH_PLATFORM_H

#include <stdint.h>

#include "fw.h"

struct firmware;

#define PLATFORM_MAX_CPUS       256u
#define PLATFORM_MAX_IOAPICS    8u
#define PLATFORM_MAX_ISOS       24u
#define PLATFORM_MAX_LAPIC_NMIS 8u
#define PLATFORM_MAX_NMI_GSIS   4u
#define PLATFORM_MAX_ECAM       8u

enum platform_error {
	PLATFORM_OK = 0,
	PLATFORM_E_INVALID = -1,     /* a NULL argument */
	PLATFORM_E_NO_FIRMWARE = -2, /* neither valid ACPI tables nor a device tree */
	PLATFORM_E_NO_MADT = -3,     /* ACPI without a usable MADT */
	PLATFORM_E_MADT = -4,        /* a malformed MADT structure (see acpi_error) */
	PLATFORM_E_NO_CPUS = -5,     /* no usable CPU described */
	PLATFORM_E_NO_IC = -6,       /* no interrupt controller described */
	PLATFORM_E_IC_CONFLICT = -7, /* both APIC and GIC structures, or two GIC versions */
	PLATFORM_E_DTB = -8,         /* a malformed device tree node (see dtb_error) */
	PLATFORM_E_NOT_LISTED = -9,  /* platform_mark_boot_cpu: no CPU with that id */
	PLATFORM_E_COUNT = -10
};

enum platform_source {
	PLATFORM_SOURCE_NONE = 0,
	PLATFORM_SOURCE_ACPI = 1,
	PLATFORM_SOURCE_DTB = 2,
};

enum platform_ic {
	PLATFORM_IC_NONE = 0,
	PLATFORM_IC_APIC = 1,  /* local APICs (xAPIC/x2APIC) and I/O APICs */
	PLATFORM_IC_GICV2 = 2,
	PLATFORM_IC_GICV3 = 3, /* also GICv4 */
};

/* Bits of platform.ignored / platform.truncated: which part of the description. */
#define PLATFORM_PART_CPUS    0x001u
#define PLATFORM_PART_IOAPICS 0x002u
#define PLATFORM_PART_ISOS    0x004u
#define PLATFORM_PART_NMIS    0x008u
#define PLATFORM_PART_GIC     0x010u /* GICR ranges or ITS frames beyond FW_*_MAX */
#define PLATFORM_PART_HPET    0x020u
#define PLATFORM_PART_PM_TIMER 0x040u
#define PLATFORM_PART_TIMER   0x080u /* the ARM generic timer (GTDT or timer node) */
#define PLATFORM_PART_PSCI    0x100u
#define PLATFORM_PART_ECAM    0x200u

/* platform.legacy: what an x86 PC keeps from the ISA days. */
#define PLATFORM_LEGACY_PIC      0x01u /* dual 8259 (MADT PCAT_COMPAT): mask before APIC use */
#define PLATFORM_LEGACY_DEVICES  0x02u /* ISA devices not described in AML */
#define PLATFORM_LEGACY_I8042    0x04u /* PS/2 controller */
#define PLATFORM_LEGACY_NO_VGA   0x08u /* do not probe VGA */
#define PLATFORM_LEGACY_NO_CMOS  0x10u /* no CMOS RTC */

struct platform_ioapic {
	uint32_t id;
	uint64_t base;
	uint32_t gsi_base; /* its first GSI; the count is in its version register */
};

/* An ISA IRQ delivered on another GSI, or with another polarity or trigger. */
struct platform_iso {
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	struct fw_irq gsi;
};

/* A local APIC input (LINT0/LINT1) wired to NMI. */
struct platform_lapic_nmi {
	uint32_t acpi_uid; /* FW_CPU_NO_UID: every CPU */
	struct fw_irq pin; /* intid: the LINT number */
};

struct platform_apic {
	uint64_t lapic_base;
	struct platform_ioapic ioapics[PLATFORM_MAX_IOAPICS];
	uint32_t ioapic_count;
	struct platform_iso isos[PLATFORM_MAX_ISOS];
	uint32_t iso_count;
	struct platform_lapic_nmi lapic_nmis[PLATFORM_MAX_LAPIC_NMIS];
	uint32_t lapic_nmi_count;
	struct fw_irq nmi_gsis[PLATFORM_MAX_NMI_GSIS]; /* GSIs to program as NMI */
	uint32_t nmi_gsi_count;
};

struct platform_timers {
	uint64_t hpet_base; /* 0: none */
	uint32_t hpet_block_id;
	uint16_t hpet_min_tick;
	struct fw_gas pm_timer; /* ACPI PM timer; address 0: none */
	uint8_t pm_timer_32bit; /* else 24 bits */
	struct fw_arm_timer arm;
};

struct platform {
	uint8_t source;  /* enum platform_source */
	int acpi_status; /* why ACPI was not used: a platform_error; 0 if used or absent */
	int acpi_error;  /* ... and the acpi_error behind it, or 0 */
	int dtb_status;  /* why the device tree was not used: a platform_error, or 0 */
	int dtb_error;   /* ... and the fdt_error behind it, or 0 */
	uint32_t ignored;   /* PLATFORM_PART_*: optional parts found malformed, left out */
	uint32_t truncated; /* PLATFORM_PART_*: more entries than the arrays hold */

	struct fw_cpu cpus[PLATFORM_MAX_CPUS]; /* usable CPUs, in firmware order */
	uint32_t cpu_count;

	uint8_t ic; /* enum platform_ic */
	struct platform_apic apic;
	struct fw_gic gic;

	struct platform_timers timers;
	uint8_t psci;     /* PSCI present */
	uint8_t psci_hvc; /* called with HVC (else SMC) */
	struct fw_ecam ecam[PLATFORM_MAX_ECAM];
	uint32_t ecam_count;
	uint32_t legacy; /* PLATFORM_LEGACY_* */
};

/*
 * Describe the machine from fw: ACPI when fw->have_acpi and its MADT describes
 * CPUs and an interrupt controller, else the device tree. 0, or a negative
 * enum platform_error: the ACPI attempt's when there was one, else the device
 * tree's (each attempt's result in p->acpi_status / p->dtb_status, the parser's
 * own error in p->acpi_error / p->dtb_error).
 */
__attribute__((warn_unused_result)) int platform_init(struct platform *p,
						      const struct firmware *fw);

/* Set FW_CPU_BOOT on the CPU whose hw_id is hw_id; its index, or PLATFORM_E_NOT_LISTED. */
__attribute__((warn_unused_result)) int platform_mark_boot_cpu(struct platform *p,
							       uint64_t hw_id);

/* Summarise p in a few lines of text, each handed to line() without a newline. */
void platform_describe(const struct platform *p, void (*line)(const char *text));

/* A short English description of a platform_error value. */
const char *platform_strerror(int err);

#endif
