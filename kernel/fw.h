/* SPDX-License-Identifier: MIT */
/*
 * What the firmware-table parsers (acpi.c, fdt.c) report, in one vocabulary.
 *
 * Both parsers describe a console UART, the registers needed to power off, the
 * CPUs, the GIC, the ARM generic timer's interrupts and PCIe ECAM windows in
 * these structures, so the code that drives the hardware does not care whether
 * the machine booted with ACPI or a device tree. Nothing here touches hardware.
 * Address 0 and interrupt number 0 mean "absent" throughout.
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

/* A physical address range. */
struct fw_range {
	uint64_t base;
	uint64_t size;
};

/* How an interrupt is signalled; CONFORMS: the bus's default (ISA: edge, high). */
enum fw_trigger {
	FW_TRIGGER_CONFORMS = 0,
	FW_TRIGGER_EDGE = 1,
	FW_TRIGGER_LEVEL = 2,
};

enum fw_polarity {
	FW_POLARITY_CONFORMS = 0,
	FW_POLARITY_HIGH = 1, /* active high, or rising edge */
	FW_POLARITY_LOW = 2,  /* active low, or falling edge */
};

/* An interrupt: a GIC INTID (SGI 0-15, PPI 16-31, SPI 32-1019 ...) or an x86 GSI. */
struct fw_irq {
	uint32_t intid;
	uint8_t trigger;  /* enum fw_trigger */
	uint8_t polarity; /* enum fw_polarity */
};

/* How a secondary CPU is started. */
enum fw_cpu_start {
	FW_CPU_START_NONE = 0,       /* unknown, or x86 (INIT-SIPI needs no description) */
	FW_CPU_START_PSCI = 1,       /* PSCI CPU_ON, conduit in the platform description */
	FW_CPU_START_SPIN_TABLE = 2, /* write the entry point to start_addr, then SEV */
	FW_CPU_START_PARKING = 3,    /* ACPI multiprocessor parking protocol, mailbox at start_addr */
};

/* fw_cpu.flags */
#define FW_CPU_ENABLED        0x01u /* usable now */
#define FW_CPU_ONLINE_CAPABLE 0x02u /* disabled now, may be brought online later */
#define FW_CPU_BOOT           0x04u /* the CPU running the kernel (set by arch code) */

#define FW_CPU_NO_UID 0xffffffffu /* acpi_uid of a CPU described by a device tree */

/* A processor. */
struct fw_cpu {
	uint64_t hw_id;      /* x86: local (x2)APIC id; AArch64: MPIDR affinity bits */
	uint64_t start_addr; /* spin-table release address or parking mailbox; 0 */
	uint64_t gicr_base;  /* GICv3: this CPU's redistributor when listed per CPU; 0 */
	uint32_t acpi_uid;   /* ACPI processor UID, or FW_CPU_NO_UID */
	uint32_t gic_iface;  /* GICv2 CPU interface number (ACPI GICC); 0 otherwise */
	uint8_t flags;       /* FW_CPU_* */
	uint8_t start;       /* enum fw_cpu_start */
};

#define FW_GICR_MAX 8u /* GICv3 redistributor ranges kept */
#define FW_ITS_MAX  4u /* GICv3 ITS frames kept */
#define FW_V2M_MAX  4u /* GICv2m MSI frames kept */

/* A GICv2m MSI frame: a device's write of an SPI's INTID to base + 0x40 raises it. */
struct fw_v2m {
	uint64_t base;
	uint32_t spi_base;  /* first INTID; 0 with spi_count 0: read the frame's MSI_TYPER */
	uint32_t spi_count;
};

/* An ARM Generic Interrupt Controller. */
struct fw_gic {
	uint8_t version;                  /* 2, 3 or 4; 0: read GICD_PIDR2 */
	uint64_t gicd;                    /* distributor */
	uint64_t gicc, gich, gicv;        /* v2 (or v3 legacy) CPU interface, hypervisor, vCPU */
	struct fw_range gicr[FW_GICR_MAX]; /* v3: redistributor discovery ranges */
	uint32_t gicr_count;
	uint64_t its[FW_ITS_MAX];         /* v3: ITS frames */
	uint32_t its_count;
	struct fw_v2m v2m[FW_V2M_MAX];   /* v2 (also beside a v3 without ITS): MSI frames */
	uint32_t v2m_count;
	struct fw_irq maintenance;        /* virtualization maintenance interrupt; 0: none */
};

/* The ARM generic timer: its per-CPU interrupts (PPIs) and memory-mapped frames. */
struct fw_arm_timer {
	struct fw_irq secure_phys; /* EL1 secure physical timer */
	struct fw_irq phys;        /* EL1 non-secure physical timer */
	struct fw_irq virt;        /* EL1 virtual timer */
	struct fw_irq hyp_phys;    /* EL2 physical timer */
	struct fw_irq hyp_virt;    /* EL2 virtual timer (ARMv8.1 VHE), often absent */
	uint8_t always_on;         /* the timer keeps running in every power state */
	uint64_t cnt_control_base; /* CNTControlBase (ACPI GTDT); 0 if absent */
	uint64_t cnt_read_base;    /* CNTReadBase (ACPI GTDT); 0 if absent */
};

/* A PCIe enhanced configuration (ECAM) window: 1 MiB per bus from bus_start. */
struct fw_ecam {
	uint64_t base; /* address of bus_start's configuration space */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

#endif
