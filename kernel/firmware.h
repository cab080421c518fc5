/* SPDX-License-Identifier: MIT */
/*
 * The firmware's description of the machine as the kernel sees it: the ACPI
 * tables (when the RSDP is valid) or the device tree (when it checks out).
 */
#ifndef KERNEL_FIRMWARE_H
#define KERNEL_FIRMWARE_H

#include <stdint.h>

#include "acpi.h"

struct kosh_bootinfo;

struct firmware {
	const struct kosh_bootinfo *bi;
	int have_acpi;
	struct acpi acpi;
	int acpi_error;      /* acpi_init's result when have_acpi is 0 and an RSDP was given */
	const void *dtb;     /* NULL unless fdt_check passed */
	uint64_t dtb_size;
	int dtb_error;
};

/* Open ACPI and the DTB from the boot info. Never fails: what is broken is absent. */
void firmware_init(struct firmware *fw, const struct kosh_bootinfo *bi);

/* Physical memory the firmware tables may point to, through the HHDM; NULL if not RAM. */
const void *firmware_map(void *ctx, uint64_t phys, uint64_t len);

#endif
