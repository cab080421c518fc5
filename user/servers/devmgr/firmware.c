/* SPDX-License-Identifier: MIT */
/*
 * What the firmware says about the machine's devices (docs/devices.md,
 * "devmgr"): the ECAM windows of PCI Express (the ACPI MCFG, or a device
 * tree's pci-host-ecam-generic node), the devices of the ACPI static tables
 * and the device tree's nodes with a compatible string (for lsdev and for
 * etc/drivers' compatible matches), and a device tree's interrupt-map (the
 * INTx lines of PCI devices on AArch64).
 *
 * The tables come as frames (acpi<i>, dtb<i> from init with "grant =
 * firmware"), described by the "rootinfo" page; they are mapped read-only and
 * read with the kernel's own parsers (kernel/acpi.c, acpi_tables.c, fdt.c,
 * compiled in here unchanged: they read through a map function and check every
 * length themselves). Nothing here trusts the tables: a table that is not
 * inside a frame we were given is simply not found.
 */
#include <kosh/fmt.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/start.h>
#include <kosh/string.h>

#include "acpi.h"
#include "devmgr.h"
#include "fdt.h"

#define MAPPED_MAX 16

struct mapped {
	uint64_t phys, size;
	const uint8_t *va;
	uint32_t kind;
};

static struct mapped mapped[MAPPED_MAX];
static uint32_t mapped_count;

/* fw_map_fn over the frames we mapped: NULL unless [phys, phys + len) lies inside one. */
static const void *fw_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	for (uint32_t i = 0; i < mapped_count; i++) {
		const struct mapped *m = &mapped[i];
		if (phys >= m->phys && len <= m->size && phys - m->phys <= m->size - len)
			return m->va + (phys - m->phys);
	}
	return NULL;
}

/* Map acpi<i> and dtb<i> (read-only) as rootinfo describes them; the root info itself. */
static const struct kosh_root_info *map_frames(void)
{
	const struct kosh_root_info *ri;
	char name[KOSH_START_NAME_MAX];
	kosh_err_t err;
	if (!devmgr.rootinfo) {
		kosh_printf("no rootinfo: init gave no firmware (grant = firmware)");
		return NULL;
	}
	ri = kosh_frame_map(devmgr.rootinfo, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
	if (!ri || ri->magic != KOSH_ROOT_INFO_MAGIC || ri->frame_count > KOSH_ROOT_FRAMES_MAX) {
		kosh_printf("rootinfo is not a root info page");
		return NULL;
	}
	for (uint32_t i = 0; i < ri->frame_count && mapped_count < MAPPED_MAX; i++) {
		uint32_t kind = ri->frames[i].kind;
		if (kind != KOSH_ROOT_FRAME_ACPI && kind != KOSH_ROOT_FRAME_DTB)
			continue;
		kosh_snprintf(name, sizeof(name), "%s%u",
			      kind == KOSH_ROOT_FRAME_ACPI ? "acpi" : "dtb", i);
		kosh_handle_t h = kosh_start_handle(name, NULL);
		const void *va =
		    h ? kosh_frame_map(h, 0, ri->frames[i].size, KOSH_RIGHT_READ, &err) : NULL;
		if (!va) {
			kosh_printf("cannot map %s: %s", name,
				    h ? kosh_strerror(err) : "not given");
			continue;
		}
		mapped[mapped_count++] =
		    (struct mapped){ri->frames[i].phys, ri->frames[i].size, va, kind};
	}
	return ri;
}

static void add_ecam(uint64_t base, uint16_t segment, uint8_t start, uint8_t end, const char *from)
{
	if (devmgr.ecam_count == DEVMGR_ECAM_MAX)
		return;
	devmgr.ecam[devmgr.ecam_count++] = (struct devmgr_ecam){base, segment, start, end};
	kosh_printf("ECAM %04x:%02x-%02x at 0x%llx (%s)", segment, start, end,
		    (unsigned long long)base, from);
}

static void add_platform(const char *compatible, const char *where, uint64_t reg)
{
	struct devmgr_device *d = devmgr_device_add();
	if (!d)
		return;
	d->bus = DEVMGR_PLATFORM;
	strlcpy(d->compatible, compatible, sizeof(d->compatible));
	strlcpy(d->where, where, sizeof(d->where));
	d->reg = reg;
}

/* ---- ACPI ---- */

/* The devices the static tables describe (there is no AML interpreter: no _HID devices). */
static void acpi_devices(const struct acpi *a)
{
	struct acpi_madt madt;
	struct acpi_madt_entry e;
	struct acpi_hpet hpet;
	struct fw_uart uart;
	char where[40];
	uint32_t cursor = 0;
	if (acpi_hpet(a, &hpet) == 0)
		add_platform("acpi,hpet", "acpi:HPET", hpet.base.address);
	if (acpi_spcr_uart(a, &uart) == 0)
		add_platform(uart.type == FW_UART_PL011 ? "arm,pl011" : "ns16550a", "acpi:SPCR",
			     uart.base);
	if (acpi_madt_open(a, &madt) != 0)
		return;
	while (acpi_madt_next(&madt, &cursor, &e) == 1) {
		if (e.type == ACPI_MADT_IOAPIC) {
			kosh_snprintf(where, sizeof(where), "acpi:MADT/ioapic%u", e.ioapic.id);
			add_platform("acpi,ioapic", where, e.ioapic.address);
		} else if (e.type == ACPI_MADT_GICD) {
			add_platform("arm,gic", "acpi:MADT/gicd", e.gicd.base);
		} else if (e.type == ACPI_MADT_GIC_MSI) {
			add_platform("arm,gic-v2m-frame", "acpi:MADT/gic-msi", e.msi_frame.base);
		} else if (e.type == ACPI_MADT_GIC_ITS) {
			add_platform("arm,gic-v3-its", "acpi:MADT/gic-its", e.its.base);
		}
	}
}

static int acpi_scan(const struct kosh_root_info *ri)
{
	struct acpi a;
	struct fw_ecam ecam;
	int err;
	if (!ri->acpi_rsdp)
		return -1;
	err = acpi_init(&a, ri->acpi_rsdp, fw_map, NULL);
	if (err) {
		kosh_printf("ACPI: %s", acpi_strerror(err));
		return -1;
	}
	for (uint32_t i = 0; acpi_mcfg(&a, i, &ecam) == 0; i++)
		add_ecam(ecam.base, ecam.segment, ecam.bus_start, ecam.bus_end, "ACPI MCFG");
	acpi_devices(&a);
	return 0;
}

/* ---- the device tree ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The node whose phandle is ph, or a negative error. */
static int by_phandle(const void *blob, uint32_t ph)
{
	int depth = 0, len;
	for (int node = fdt_next_node(blob, -1, &depth); node >= 0;
	     node = fdt_next_node(blob, node, &depth)) {
		const uint8_t *v = fdt_get_prop(blob, node, "phandle", &len);
		if (v && len == 4 && be32(v) == ph)
			return node;
	}
	return FDT_E_NOTFOUND;
}

static uint32_t cells(const void *blob, int node, const char *name, uint32_t otherwise)
{
	int len;
	const uint8_t *v = fdt_get_prop(blob, node, name, &len);
	return v && len == 4 ? be32(v) : otherwise;
}

/*
 * The PCI host's interrupt-map: rows of (unit address: 3 cells, pin: 1 cell,
 * parent phandle, parent unit address, parent interrupt: GIC type, number,
 * flags). Only rows routed to a GIC with 3 interrupt cells are kept.
 */
static void fdt_intx(const void *blob, int host)
{
	int len, mlen;
	const uint8_t *map = fdt_get_prop(blob, host, "interrupt-map", &len);
	const uint8_t *mask = fdt_get_prop(blob, host, "interrupt-map-mask", &mlen);
	uint32_t pos = 0;
	if (!map || len <= 0 || cells(blob, host, "#address-cells", 0) != 3 ||
	    cells(blob, host, "#interrupt-cells", 0) != 1)
		return;
	devmgr.intx_mask[0] = mask && mlen == 16 ? be32(mask) : 0xffffffffu;
	devmgr.intx_mask[1] = mask && mlen == 16 ? be32(mask + 12) : 0xffffffffu;
	while (pos + 5 * 4 <= (uint32_t)len && devmgr.intx_count < DEVMGR_INTX_MAX) {
		const uint8_t *row = map + pos;
		int parent = by_phandle(blob, be32(row + 16));
		if (parent < 0)
			return;
		uint32_t pa = cells(blob, parent, "#address-cells", 0);
		uint32_t pi = cells(blob, parent, "#interrupt-cells", 0);
		uint32_t size = (5 + pa + pi) * 4;
		if (pa > 3 || pi == 0 || pi > 4 || pos + size > (uint32_t)len)
			return;
		const uint8_t *irq = row + (5 + pa) * 4;
		if (pi == 3) /* GIC: type 0 SPI (INTID 32 + n), 1 PPI (16 + n) */
			devmgr.intx[devmgr.intx_count++] = (struct devmgr_intx){
			    be32(row) & devmgr.intx_mask[0], be32(row + 12) & devmgr.intx_mask[1],
			    be32(irq + 4) + (be32(irq) == 0 ? 32 : 16)};
		pos += size;
	}
}

/* Every enabled node with a compatible string, as a platform device. */
static void fdt_devices(const void *blob)
{
	int depth = 0, clen, slen;
	char where[40];
	for (int node = fdt_next_node(blob, -1, &depth); node >= 0;
	     node = fdt_next_node(blob, node, &depth)) {
		const char *compat = fdt_get_prop(blob, node, "compatible", &clen);
		const char *status = fdt_get_prop(blob, node, "status", &slen);
		uint64_t reg = 0;
		/* Property values are bytes: strings only when they end in a NUL. */
		if (!compat || clen <= 1 || compat[clen - 1] != '\0')
			continue;
		if (status && (slen <= 0 || status[slen - 1] != '\0' ||
			       (strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)))
			continue;
		if (fdt_reg(blob, node, 0, &reg, NULL) != 0)
			reg = 0;
		kosh_snprintf(where, sizeof(where), "/%s", fdt_node_name(blob, node));
		add_platform(compat, where, reg);
	}
}

static int fdt_scan(const struct kosh_root_info *ri)
{
	const void *blob = ri->dtb ? fw_map(NULL, ri->dtb, ri->dtb_size) : NULL;
	struct fw_ecam ecam;
	int err, host;
	if (!blob)
		return -1;
	err = fdt_check(blob, ri->dtb_size);
	if (err) {
		kosh_printf("device tree: %s", fdt_strerror(err));
		return -1;
	}
	if (devmgr.ecam_count == 0)
		for (uint32_t i = 0; fdt_ecam(blob, i, &ecam) == 0; i++)
			add_ecam(ecam.base, ecam.segment, ecam.bus_start, ecam.bus_end,
				 "device tree");
	host = fdt_find_compatible(blob, -1, "pci-host-ecam-generic");
	if (host >= 0)
		fdt_intx(blob, host);
	fdt_devices(blob);
	return 0;
}

void devmgr_firmware_scan(void)
{
	const struct kosh_root_info *ri = map_frames();
	int acpi, dtb;
	if (!ri)
		return;
	acpi = acpi_scan(ri);
	dtb = fdt_scan(ri);
	if (acpi && dtb)
		kosh_printf("neither ACPI tables nor a device tree in the frames given: no PCI");
	else if (devmgr.ecam_count == 0)
		kosh_printf("no ECAM window (no MCFG, no pci-host-ecam-generic): no PCI");
	if (devmgr.intx_count)
		kosh_printf("INTx: %u interrupt-map rows", devmgr.intx_count);
}
