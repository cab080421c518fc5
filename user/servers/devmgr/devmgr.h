/* SPDX-License-Identifier: MIT */
/*
 * The driver manager's state, shared by its files (docs/devices.md, "devmgr"):
 * main.c (start-up), firmware.c (the ACPI tables and the device tree: ECAM
 * windows, platform devices, INTx routing), pci.c (the buses through ECAM),
 * launch.c (a driver's handles and its registration on drvreg), devfs.c
 * (dev://), text.c (the text of dev:///pci and dev:///devices).
 *
 * Everything is found and started once, at start-up, by the one thread,
 * before dev:// is served; afterwards the tables only change in the driver
 * fields a restart of devmgr would find again (drvreg LOOKUP). The mount
 * thread (mount.c) only reads them; what it changes is its own (its mounts)
 * but for drvreg, which both threads use under launch.c's lock.
 */
#ifndef KOSH_DEVMGR_H
#define KOSH_DEVMGR_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/pci.h>
#include <kosh/proto/dev.h>
#include <kosh/proto/drv.h>

#include "drivers.h"

#define DEVMGR_DEVICES_MAX 128
#define DEVMGR_ECAM_MAX	   4
#define DEVMGR_INTX_MAX	   64 /* interrupt-map entries kept */

enum devmgr_bus {
	DEVMGR_PCI = 1,
	DEVMGR_PLATFORM = 2,
};

/* A BAR as sized (struct kosh_dev_bar's fields). */
struct devmgr_bar {
	uint64_t phys, size;
	uint32_t flags; /* KOSH_DEV_BAR_* */
};

struct devmgr_device {
	uint32_t bus; /* enum devmgr_bus */
	/* PCI */
	uint16_t segment;
	uint8_t pci_bus, pci_device, pci_function;
	struct kosh_pci_header hdr;
	int type0;	   /* a type-0 header: BARs, MSI-X */
	uint64_t cfg_phys; /* its 4 KiB of ECAM */
	struct devmgr_bar bars[KOSH_DEV_BARS];
	uint16_t msix_vectors; /* 0: no MSI-X */
	/* Platform: a device-tree node or an ACPI table's device. */
	char compatible[64];
	char where[40]; /* "/pl031@9010000", "acpi:HPET" (no blanks) */
	uint64_t reg;	/* its first register range, 0 if none */
	/* The driver that owns it. */
	int driver; /* index in etc/drivers, -1: none */
	char name[KOSH_DEV_NAME_MAX];
	char status[24];     /* "" while fine, else why it has no driver running */
	kosh_handle_t serve; /* a send copy of the driver's endpoint, 0 if none */
};

/* One ECAM window: 1 MiB per bus from bus_start. */
struct devmgr_ecam {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

/* One row of a device tree's interrupt-map, masked: a PCI device's pin to a GIC INTID. */
struct devmgr_intx {
	uint32_t devfn_bus; /* the child unit address's first cell, masked */
	uint32_t pin;	    /* 1..4, masked */
	uint32_t intid;	    /* the GIC interrupt id (SPI n: 32 + n) */
};

struct devmgr {
	struct drivers drivers; /* etc/drivers */
	struct devmgr_device devices[DEVMGR_DEVICES_MAX];
	uint32_t device_count;
	struct devmgr_ecam ecam[DEVMGR_ECAM_MAX];
	uint32_t ecam_count;
	struct devmgr_intx intx[DEVMGR_INTX_MAX];
	uint32_t intx_count;
	uint32_t intx_mask[2]; /* interrupt-map-mask: unit address cell 0, pin */
	/* Handles from init. */
	kosh_handle_t quota, initfs, drvreg, dev, mmio_control, irq_control, ioport_control;
	kosh_handle_t mount; /* the "mount" endpoint (served by mount.c), or 0 */
	kosh_handle_t rootinfo;
};

extern struct devmgr devmgr;

/* A new device entry (zeroed, driver -1), or NULL when the table is full. */
struct devmgr_device *devmgr_device_add(void);

/* The ECAM windows (MCFG, or the device tree's pci-host-ecam-generic), platform devices, INTx. */
void devmgr_firmware_scan(void);

/* Every PCI function behind the ECAM windows, with its BARs sized and MSI-X read. */
void devmgr_pci_scan(void);

/*
 * Size the BARs of d, a type-0 function whose configuration space is mapped at
 * f: its decoding is off meanwhile, and everything is restored.
 */
void devmgr_pci_size_bars(volatile uint8_t *f, struct devmgr_device *d);

/* Match every device with etc/drivers and register the drivers with init. */
void devmgr_start_drivers(void);

/* The device whose driver serves dev:///<name>… (the longest name prefixing path), or NULL. */
const struct devmgr_device *devmgr_owner(const char *path, uint32_t len);

/* Entry i of the drivers started without a device ("nodevice = start"; name "" if not). */
const struct devmgr_device *devmgr_nodevice(uint32_t i);

/*
 * drvreg for the mount thread (launch.c; one conversation at a time, whichever
 * thread): LOOKUP of name (a send copy of its endpoint and *index, or 0);
 * BEGIN, one handle (moved) under hname, COMMIT (0 with *serve and *index, or
 * the KOSH_DRV_E_* error); a MOUNT (uri), UNMOUNT or REMOVE (uri NULL) of
 * index (0 or the KOSH_DRV_E_* error, *vfs_err vfsd's with KOSH_DRV_E_VFS).
 */
kosh_handle_t devmgr_drv_lookup(const char *name, uint32_t *index);
uint32_t devmgr_drv_add(const struct kosh_drv_spec *spec, kosh_handle_t quota, const char *hname,
			kosh_handle_t handle, kosh_handle_t *serve, uint32_t *index);
uint32_t devmgr_drv_op(uint32_t op, uint32_t index, const char *uri, uint32_t *vfs_err);

/*
 * Start the mount thread (mount.c): the disks mounted at boot, then the
 * "mount" endpoint served. Logged and skipped without drvreg.
 */
void devmgr_mount_start(void);

/* Serve dev:// on the "dev" endpoint; returns only when that fails. */
void devmgr_serve(void);

#endif
