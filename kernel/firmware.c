/* SPDX-License-Identifier: MIT */
/*
 * Opening the firmware tables (see firmware.h). A table pointer is followed only
 * into memory the HHDM maps: a range of the memory map, or the low 4 GiB.
 */
#include "firmware.h"

#include "bootinfo.h"
#include "fdt.h"

#include <kosh/string.h>

#define LOW_4G (4ull << 30)

const void *firmware_map(void *ctx, uint64_t phys, uint64_t len)
{
	const struct kosh_bootinfo *bi = ctx;
	const struct kosh_mem_range *map = (const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map);
	if (phys + len < phys)
		return NULL;
	if (phys + len > LOW_4G && !bootinfo_range_type(map, bi->mem_map_count, phys, len))
		return NULL;
	return (const void *)(uintptr_t)(bi->hhdm_base + phys);
}

void firmware_init(struct firmware *fw, const struct kosh_bootinfo *bi)
{
	memset(fw, 0, sizeof(*fw));
	fw->bi = bi;
	if (bi->acpi_rsdp) {
		fw->acpi_error = acpi_init(&fw->acpi, bi->acpi_rsdp, firmware_map, (void *)bi);
		fw->have_acpi = fw->acpi_error == 0;
	}
	if (bi->dtb && bi->dtb_size) {
		const void *blob = firmware_map((void *)bi, bi->dtb, bi->dtb_size);
		fw->dtb_error = blob ? fdt_check(blob, bi->dtb_size) : -1;
		if (blob && fw->dtb_error == 0) {
			fw->dtb = blob;
			fw->dtb_size = bi->dtb_size;
		}
	}
}
