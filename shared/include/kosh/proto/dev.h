/* SPDX-License-Identifier: MIT */
/*
 * What the driver manager (sbin/devmgr) gives a driver it starts, and the names
 * drivers and devmgr agree on (docs/devices.md, "Drivers").
 *
 * devmgr finds a device (a PCI function through ECAM, or a platform device of
 * the ACPI tables or the device tree), matches it against initfs:///etc/drivers
 * and has init start and supervise the driver with exactly this device's
 * authority. The driver's start page holds, by name:
 *
 *   devinfo  a read-only page: struct kosh_dev_info below
 *   cfg      PCI only: a frame of the function's 4 KiB ECAM configuration
 *            space (read, write, map): the driver enables bus mastering and
 *            MSI-X itself, and reads its capabilities from here
 *   bar<i>   a frame over memory BAR i (read, write, map; uncached, also
 *            for prefetchable BARs), i = 0..5
 *   ioport<i> an I/O-port range for I/O BAR i (x86-64)
 *   irqs     a notification (wait): interrupt k of the device sets bit k
 *   irq<k>   the IRQ handle of interrupt k (signal: irq_ack)
 *   serve    the endpoint the driver receives its clients on; devmgr forwards
 *            opens of dev:///<name>… to it (the file protocol's OPEN), and
 *            init registers it as a scheme when etc/drivers names one
 *   quota    its memory, DMA buffers included (frame_create + frame_phys)
 *   vfs, klog as for every service
 *
 * A restarted driver gets the same handles again (init keeps them): it must
 * reset its device before using it.
 */
#ifndef KOSH_PROTO_DEV_H
#define KOSH_PROTO_DEV_H

#include <stdint.h>

#define KOSH_DEV_INFO_MAGIC   0x564544485353f04bull /* checked by the driver before use */
#define KOSH_DEV_INFO_VERSION 1

#define KOSH_DEV_NAME_MAX  16 /* "vda", "net0", "rng0": a-z 0-9, NUL-terminated */
#define KOSH_DEV_BARS	   6
#define KOSH_DEV_IRQS_MAX  8  /* interrupts one driver is given */

enum kosh_dev_bus {
	KOSH_DEV_BUS_NONE = 0, /* started without a device (etc/drivers "nodevice = start") */
	KOSH_DEV_BUS_PCI = 1,
	KOSH_DEV_BUS_PLATFORM = 2, /* an ACPI or device-tree device: MMIO ranges and lines */
};

enum kosh_dev_irq_kind {
	KOSH_DEV_IRQ_NONE = 0, /* no interrupt could be routed: the driver polls */
	KOSH_DEV_IRQ_MSIX = 1, /* msi[k] goes into MSI-X table entry k */
	KOSH_DEV_IRQ_INTX = 2, /* one shared level-triggered line: irq0 */
	KOSH_DEV_IRQ_LINE = 3, /* platform devices: their own lines */
};

/* struct kosh_dev_bar.flags */
#define KOSH_DEV_BAR_MEM	  0x1u /* a memory BAR: handle bar<i> */
#define KOSH_DEV_BAR_IO		  0x2u /* an I/O BAR: handle ioport<i> (x86-64) */
#define KOSH_DEV_BAR_64		  0x4u /* the BAR takes two slots (i and i + 1) */
#define KOSH_DEV_BAR_PREFETCHABLE 0x8u

struct kosh_dev_bar {
	uint64_t phys; /* bus address as the firmware assigned it */
	uint64_t size; /* bytes; 0: no BAR i */
	uint32_t flags;
	uint32_t reserved;
};

struct kosh_dev_msi {
	uint64_t address;
	uint32_t data;
	uint32_t reserved;
};

struct kosh_dev_info {
	uint64_t magic;	  /* KOSH_DEV_INFO_MAGIC */
	uint32_t version; /* KOSH_DEV_INFO_VERSION */
	uint32_t bus;	  /* enum kosh_dev_bus */
	char name[KOSH_DEV_NAME_MAX]; /* the device's name under dev:/// */
	/* PCI */
	uint16_t segment;
	uint8_t pci_bus, pci_device, pci_function, reserved0[3];
	uint16_t vendor, device, subsystem_vendor, subsystem;
	uint8_t class_code, subclass, prog_if, revision;
	struct kosh_dev_bar bars[KOSH_DEV_BARS];
	/* Interrupts */
	uint32_t irq_kind;  /* enum kosh_dev_irq_kind */
	uint32_t irq_count; /* handles irq0 .. irq<count-1>, bits 0 .. count-1 of irqs */
	struct kosh_dev_msi msi[KOSH_DEV_IRQS_MAX]; /* KOSH_DEV_IRQ_MSIX: entry k's message */
	/* Platform devices: their compatible string or ACPI id, e.g. "arm,pl031". */
	char compatible[64];
};
_Static_assert(sizeof(struct kosh_dev_info) <= 4096, "the device info fits a page");

#endif
