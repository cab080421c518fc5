/* SPDX-License-Identifier: MIT */
/*
 * The kernel's first page tables, built by the loader before ExitBootServices.
 *
 * Both architectures use four levels of 512 entries over a 48-bit address
 * (x86-64 PML4, AArch64 4 KiB granule); only the entry encoding differs and comes
 * from arch.h. Tables come from pages allocated up front (EfiLoaderData). Mapping
 * picks the largest page that alignment and the architecture allow.
 */
#ifndef LOADER_PAGETABLE_H
#define LOADER_PAGETABLE_H

#include <efi.h>
#include <stdint.h>

struct pagetable {
	EFI_BOOT_SERVICES *bs;
	uint64_t root_lo; /* lower half (identity trampoline) */
	uint64_t root_hi; /* upper half (HHDM, kernel); equals root_lo on x86-64 */
	uint64_t pool;    /* current chunk of free table pages */
	uint32_t pool_left;
	uint32_t tables;  /* table pages used */
	uint64_t chunks[32]; /* chunk base addresses, for freeing on failure */
	uint32_t chunk_count;
};

#define PAGETABLE_CHUNK_PAGES 64
#define PAGETABLE_CHUNK_BYTES (PAGETABLE_CHUNK_PAGES * 4096ull)

#define PT_SKIP_MAPPED (1u << 16) /* leave already-mapped pages as they are */

EFI_STATUS pagetable_init(struct pagetable *pt, EFI_BOOT_SERVICES *bs);

/*
 * Map [va, va + size) to [pa, pa + size) with attr (PT_* from arch.h). Addresses
 * and size are page-aligned. Without PT_SKIP_MAPPED, meeting a page that is
 * already mapped is an error (EFI_ACCESS_DENIED).
 */
EFI_STATUS pagetable_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size,
			 uint32_t attr);

/* Release every table page (on a failed boot). */
void pagetable_free(struct pagetable *pt);

#endif
