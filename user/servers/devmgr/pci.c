/* SPDX-License-Identifier: MIT */
/*
 * The PCI buses through ECAM (docs/devices.md, "devmgr"): each window's first
 * bus, then the secondary bus of every bridge found, one bus (1 MiB of
 * configuration space, a frame from kosh_mmio_create) at a time. Each
 * function's 4 KiB is copied into a buffer with aligned 32-bit reads and
 * parsed from the copy (shared/lib/pci.c): what a device says is checked like
 * any input. Memory and I/O BARs are sized the standard way, with the
 * function's decoding off while all-ones is written, and everything restored;
 * only for a function a driver is about to be started for (launch.c), so that
 * a restarted devmgr never disturbs a device whose driver runs.
 */
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "devmgr.h"

#define BUS_BYTES	  (1u << 20)
#define CFG_COMMAND	  0x04
#define CFG_BAR0	  0x10
#define CFG_SECONDARY_BUS 0x19 /* of a type-1 (bridge) header */
#define CMD_DECODE	  0x3u /* I/O and memory space */
#define BUSES_MAX	  256

static uint8_t cfg[KOSH_PCI_CFG_EXT_SIZE];

static uint32_t rd32(volatile uint8_t *f, uint32_t off)
{
	return *(volatile uint32_t *)(f + off);
}

static void wr32(volatile uint8_t *f, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(f + off) = v;
}

/* Write all-ones to the BAR dword at off and read back what sticks; restore it. */
static uint32_t probe(volatile uint8_t *f, uint32_t off)
{
	uint32_t orig = rd32(f, off), got;
	wr32(f, off, 0xffffffffu);
	got = rd32(f, off);
	wr32(f, off, orig);
	return got;
}

void devmgr_pci_size_bars(volatile uint8_t *f, struct devmgr_device *d)
{
	uint32_t command = rd32(f, CFG_COMMAND);
	wr32(f, CFG_COMMAND, command & ~CMD_DECODE);
	for (uint32_t i = 0; i < KOSH_DEV_BARS; i++) {
		uint32_t off = CFG_BAR0 + 4 * i, lo = rd32(f, off);
		struct devmgr_bar *b = &d->bars[i];
		if (lo & 1) {
			uint32_t mask = probe(f, off) & ~3u & 0xffffu;
			b->phys = lo & ~3u;
			b->size = mask ? ((~mask) & 0xffffu) + 1 : 0;
			b->flags = b->size ? KOSH_DEV_BAR_IO : 0;
			continue;
		}
		uint64_t mask = probe(f, off) & ~0xfull;
		b->phys = lo & ~0xfull;
		int is64 = ((lo >> 1) & 3) == 2 && i + 1 < KOSH_DEV_BARS;
		if (is64) {
			b->phys |= (uint64_t)rd32(f, off + 4) << 32;
			mask |= (uint64_t)probe(f, off + 4) << 32;
		} else if (mask) {
			mask |= 0xffffffff00000000ull;
		}
		b->size = mask ? ~mask + 1 : 0;
		b->flags = b->size ? KOSH_DEV_BAR_MEM : 0;
		b->flags |= (b->size && is64) ? KOSH_DEV_BAR_64 : 0;
		b->flags |= (b->size && (lo & 8)) ? KOSH_DEV_BAR_PREFETCHABLE : 0;
		if (is64)
			i++; /* the upper half is not a BAR of its own */
	}
	wr32(f, CFG_COMMAND, command);
}

/* Copy a function's configuration space (aligned dword reads). */
static void copy_cfg(volatile uint8_t *f)
{
	for (uint32_t off = 0; off < KOSH_PCI_CFG_EXT_SIZE; off += 4) {
		uint32_t v = rd32(f, off);
		memcpy(cfg + off, &v, 4);
	}
}

/* One function: a device entry; its secondary bus into *child when it is a bridge. */
static void scan_function(const struct devmgr_ecam *e, volatile uint8_t *f, uint32_t bus,
			  uint32_t dev, uint32_t fn, int *child)
{
	struct kosh_pci_header h;
	struct kosh_pci_msix msix;
	struct devmgr_device *d;
	copy_cfg(f);
	enum kosh_pci_error err = kosh_pci_header(cfg, sizeof(cfg), &h);
	if (err == KOSH_PCI_ABSENT || err == KOSH_PCI_SHORT)
		return;
	d = devmgr_device_add();
	if (!d)
		return;
	if (err == KOSH_PCI_NOT_TYPE0 && (cfg[0x0e] & 0x7f) == 1)
		*child = cfg[CFG_SECONDARY_BUS];
	d->bus = DEVMGR_PCI;
	d->segment = e->segment;
	d->pci_bus = (uint8_t)bus;
	d->pci_device = (uint8_t)dev;
	d->pci_function = (uint8_t)fn;
	d->hdr = h;
	/* kosh_pci_header fills the ids of any layout; its BARs only for type 0. */
	memcpy(&d->hdr.vendor, cfg, 2);
	memcpy(&d->hdr.device, cfg + 2, 2);
	d->hdr.revision = cfg[8];
	d->hdr.prog_if = cfg[9];
	d->hdr.subclass = cfg[10];
	d->hdr.class_code = cfg[11];
	d->cfg_phys = e->base + ((uint64_t)(bus - e->bus_start) << 20) + (dev << 15) + (fn << 12);
	d->type0 = err == KOSH_PCI_OK;
	if (d->type0 && kosh_pci_msix(cfg, sizeof(cfg), &msix) == KOSH_PCI_OK)
		d->msix_vectors = msix.table_size;
}

/* Every function of one bus; bridges' secondary buses onto the queue. */
static void scan_bus(const struct devmgr_ecam *e, uint32_t bus, uint8_t *queue, uint32_t *tail)
{
	uint64_t phys = e->base + ((uint64_t)(bus - e->bus_start) << 20);
	int64_t frame = kosh_mmio_create(devmgr.mmio_control, phys, BUS_BYTES, KOSH_MMIO_UNCACHED);
	kosh_err_t err = KOSH_OK;
	volatile uint8_t *base;
	if (frame < 0) {
		kosh_printf("bus %02x: mmio_create(0x%llx): %s", bus, (unsigned long long)phys,
			    kosh_strerror((kosh_err_t)frame));
		return;
	}
	base = kosh_frame_map((kosh_handle_t)frame, 0, BUS_BYTES,
			      KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!base) {
		kosh_printf("bus %02x: cannot map its ECAM: %s", bus, kosh_strerror(err));
		kosh_handle_close((kosh_handle_t)frame);
		return;
	}
	for (uint32_t dev = 0; dev < 32; dev++) {
		for (uint32_t fn = 0; fn < 8; fn++) {
			volatile uint8_t *f = base + (dev << 15) + (fn << 12);
			int child = -1;
			if ((rd32(f, 0) & 0xffff) == 0xffff) {
				if (fn == 0)
					break; /* no device */
				continue;
			}
			scan_function(e, f, bus, dev, fn, &child);
			if (child > (int)bus && child >= e->bus_start && child <= e->bus_end &&
			    *tail < BUSES_MAX)
				queue[(*tail)++] = (uint8_t)child;
			if (fn == 0 && !(f[0x0e] & 0x80))
				break; /* not multi-function */
		}
	}
	kosh_frame_unmap((void *)base, BUS_BYTES);
	kosh_handle_close((kosh_handle_t)frame);
}

void devmgr_pci_scan(void)
{
	static uint8_t queue[BUSES_MAX];
	static uint8_t seen[BUSES_MAX];
	if (!devmgr.mmio_control && devmgr.ecam_count) {
		kosh_printf("no mmio-control (grant = mmio-control): cannot read ECAM");
		return;
	}
	for (uint32_t w = 0; w < devmgr.ecam_count; w++) {
		const struct devmgr_ecam *e = &devmgr.ecam[w];
		uint32_t head = 0, tail = 0;
		memset(seen, 0, sizeof(seen));
		queue[tail++] = e->bus_start;
		/* Each bus once (a bridge may claim a bus twice); at most 256 of them. */
		while (head < tail) {
			uint8_t bus = queue[head++];
			if (seen[bus])
				continue;
			seen[bus] = 1;
			scan_bus(e, bus, queue, &tail);
		}
	}
}
