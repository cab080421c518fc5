/* SPDX-License-Identifier: MIT */
/*
 * ACPI table dump (see fwdump.h). Format, one table after another:
 *   acpidump: SIG at 0xPHYS, LEN bytes
 *   acpidump: OFFSET: 32 hex bytes
 * The DSDT and FACS are reached through the FADT and dumped too.
 */
#include "fwdump.h"

#include "acpi.h"
#include "acpi_bytes.h"
#include "klog.h"

#include <kosh/string.h>

#define LINE_BYTES 32

static void dump_table(const struct acpi *a, uint64_t phys)
{
	const uint8_t *h = a->map(a->ctx, phys, ACPI_HEADER_SIZE);
	if (!h)
		return;
	uint32_t len = acpi_le32(h + 4);
	const uint8_t *t = len <= ACPI_TABLE_MAX ? a->map(a->ctx, phys, len) : NULL;
	if (!t) {
		klog_warn("acpidump: %.4s at 0x%llx: cannot map %u bytes", (const char *)h,
			  (unsigned long long)phys, len);
		return;
	}
	klog_info("acpidump: %c%c%c%c at 0x%llx, %u bytes", t[0], t[1], t[2], t[3],
		  (unsigned long long)phys, len);
	for (uint32_t off = 0; off < len; off += LINE_BYTES) {
		char hex[2 * LINE_BYTES + 1];
		uint32_t n = len - off < LINE_BYTES ? len - off : LINE_BYTES;
		for (uint32_t i = 0; i < n; i++) {
			hex[2 * i] = "0123456789abcdef"[t[off + i] >> 4];
			hex[2 * i + 1] = "0123456789abcdef"[t[off + i] & 15];
		}
		hex[2 * n] = 0;
		klog_info("acpidump: %06x: %s", off, hex);
	}
}

/* The DSDT and FACS, which the FADT points to rather than the root table. */
static void dump_fadt_children(const struct acpi *a, const uint8_t *fadt, uint32_t len)
{
	uint64_t dsdt = acpi_fadt_dsdt(fadt, len);
	uint64_t facs = len >= 140 && acpi_le64(fadt + 132) ? acpi_le64(fadt + 132)
							     : acpi_le32(fadt + 36);
	if (dsdt)
		dump_table(a, dsdt);
	if (facs)
		dump_table(a, facs);
}

void fwdump_acpi(const struct acpi *a)
{
	uint32_t entry = a->xsdt ? 8 : 4;
	const uint8_t *root = a->map(a->ctx, a->root_phys, ACPI_HEADER_SIZE + a->count * entry);
	if (!root)
		return;
	dump_table(a, a->root_phys);
	for (uint32_t i = 0; i < a->count; i++) {
		const uint8_t *e = root + ACPI_HEADER_SIZE + i * entry;
		uint64_t phys = a->xsdt ? acpi_le64(e) : acpi_le32(e);
		dump_table(a, phys);
		const uint8_t *h = a->map(a->ctx, phys, ACPI_HEADER_SIZE);
		if (!h || memcmp(h, "FACP", 4))
			continue;
		uint32_t len = acpi_le32(h + 4);
		const uint8_t *fadt = a->map(a->ctx, phys, len);
		if (fadt)
			dump_fadt_children(a, fadt, len);
	}
}
