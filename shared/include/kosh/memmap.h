/* SPDX-License-Identifier: MIT */
/*
 * Conversion of the UEFI memory map into Kosh's (struct kosh_mem_range).
 *
 * The firmware's map is stepped through by the descriptor size it reports, never
 * sizeof. The result is sorted, page-aligned, non-overlapping, free of empty
 * ranges, with adjacent ranges of one type merged. Where firmware ranges overlap,
 * the more restrictive type wins; overlays (the kernel image, initfs, boot info,
 * which the loader allocated as EfiLoaderData) override whatever lies beneath.
 * Unknown UEFI types become KOSH_MEM_RESERVED. Needs no allocator: O(n^2) in the
 * number of descriptors, which is a few hundred at most.
 */
#ifndef KOSH_MEMMAP_H
#define KOSH_MEMMAP_H

#include <stdint.h>
#include <kosh/bootinfo.h>

#define KOSH_PAGE_SIZE 4096ull

/* The UEFI 2.x EFI_MEMORY_DESCRIPTOR, version 1. */
struct kosh_efi_memory_descriptor {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages;
	uint64_t attribute;
};
_Static_assert(sizeof(struct kosh_efi_memory_descriptor) == 40, "EFI descriptor layout");

/* UEFI memory types (UEFI 2.10 table 7.10), including the ones gnu-efi lacks. */
enum kosh_efi_memory_type {
	KOSH_EFI_RESERVED = 0,
	KOSH_EFI_LOADER_CODE = 1,
	KOSH_EFI_LOADER_DATA = 2,
	KOSH_EFI_BOOT_SERVICES_CODE = 3,
	KOSH_EFI_BOOT_SERVICES_DATA = 4,
	KOSH_EFI_RUNTIME_SERVICES_CODE = 5,
	KOSH_EFI_RUNTIME_SERVICES_DATA = 6,
	KOSH_EFI_CONVENTIONAL = 7,
	KOSH_EFI_UNUSABLE = 8,
	KOSH_EFI_ACPI_RECLAIM = 9,
	KOSH_EFI_ACPI_NVS = 10,
	KOSH_EFI_MMIO = 11,
	KOSH_EFI_MMIO_PORT_SPACE = 12,
	KOSH_EFI_PAL_CODE = 13,
	KOSH_EFI_PERSISTENT = 14,
	KOSH_EFI_UNACCEPTED = 15,
};

struct kosh_memmap_overlay {
	uint64_t base; /* page-aligned */
	uint64_t size; /* page multiple */
	uint32_t type; /* enum kosh_mem_type */
};

enum kosh_memmap_error {
	KOSH_MEMMAP_OK = 0,
	KOSH_MEMMAP_E_DESC_SIZE = -1, /* descriptor size < 40 or not a multiple of 8 */
	KOSH_MEMMAP_E_MAP_SIZE = -2,  /* map size not a multiple of the descriptor size */
	KOSH_MEMMAP_E_RANGE = -3,     /* a range wraps past 2^64 */
	KOSH_MEMMAP_E_FULL = -4,      /* more ranges than the output holds */
};

/* Kosh's type for a UEFI type. */
enum kosh_mem_type kosh_memmap_type_from_efi(uint32_t efi_type);

/* Convert; on success *count ranges are in out[0..*count). */
__attribute__((warn_unused_result)) enum kosh_memmap_error
kosh_memmap_convert(const void *efi_map, uint64_t map_size, uint64_t desc_size,
		    const struct kosh_memmap_overlay *overlays, uint32_t overlay_count,
		    struct kosh_mem_range *out, uint32_t capacity, uint32_t *count);

/* Sum of the sizes of the ranges whose type bit (1u << type) is in type_mask. */
uint64_t kosh_memmap_sum(const struct kosh_mem_range *map, uint32_t count, uint32_t type_mask);

/* Bytes of RAM: every type but RESERVED and MMIO. */
#define KOSH_MEM_RAM_MASK                                                                     \
	((1u << KOSH_MEM_USABLE) | (1u << KOSH_MEM_ACPI_RECLAIM) | (1u << KOSH_MEM_ACPI_NVS) |  \
	 (1u << KOSH_MEM_FW_CODE) | (1u << KOSH_MEM_FW_DATA) | (1u << KOSH_MEM_LOADER_RECLAIM) | \
	 (1u << KOSH_MEM_KERNEL) | (1u << KOSH_MEM_INITFS) | (1u << KOSH_MEM_BOOTINFO))

const char *kosh_memmap_type_name(uint32_t type);

/* "x86-64", "AArch64" (enum kosh_arch), or "an unknown architecture". */
const char *kosh_arch_name(uint32_t arch);

#endif
