/* SPDX-License-Identifier: MIT */
/*
 * What the loader gathers from firmware for the boot info: configuration tables
 * (ACPI RSDP, SMBIOS, device tree), the GOP framebuffer, an RNG seed.
 */
#ifndef LOADER_FIRMWARE_H
#define LOADER_FIRMWARE_H

#include <efi.h>
#include <kosh/bootinfo.h>

struct firmware_tables {
	uint64_t acpi_rsdp;
	uint64_t smbios;
	uint64_t smbios3;
	const void *dtb; /* the firmware's copy; the loader copies it into the boot info */
	uint64_t dtb_size;
};

/* Scan the configuration tables. A malformed DTB is reported and ignored. */
void firmware_tables(EFI_SYSTEM_TABLE *st, struct firmware_tables *out);

/*
 * Find the GOP (preferring the one on ConOut, skipping Blt-only modes), switch to
 * width×height when both are non-zero and offered, and describe it in *fb.
 * Leaves fb->phys == 0 when there is no usable framebuffer.
 */
void firmware_framebuffer(EFI_SYSTEM_TABLE *st, uint32_t width, uint32_t height,
			  struct kosh_framebuffer *fb);

/* Fill seed[0..len) from EFI_RNG_PROTOCOL; 1 on success, 0 when there is none. */
int firmware_rng_seed(EFI_BOOT_SERVICES *bs, uint8_t *seed, UINTN len);

/*
 * The firmware's clock (GetTime) into *out with the counter's value then: 1, or
 * 0 when the firmware has none (DESIGN: read it before ExitBootServices, call
 * no runtime service after).
 */
int firmware_time(EFI_RUNTIME_SERVICES *rt, struct kosh_efi_time *out);

#endif
