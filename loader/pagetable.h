/* SPDX-License-Identifier: MIT */
/*
 * The kernel's first page tables: shared/lib/pagetable.c on pages from the
 * firmware (see docs/boot.md).
 *
 * Table pages are handed out from chunks of 64 pages (EfiLoaderData) so the
 * firmware's memory map does not fragment; the chunks are listed because the
 * AArch64 hand-off cleans them to the point of coherency, and a failed boot frees
 * them. The firmware identity-maps memory, so a table's physical address is also
 * a pointer to it.
 */
#ifndef LOADER_PAGETABLE_H
#define LOADER_PAGETABLE_H

#include <efi.h>
#include <stdint.h>

#include <kosh/pagetable.h>

#define PAGETABLE_CHUNK_PAGES 64
#define PAGETABLE_CHUNK_BYTES (PAGETABLE_CHUNK_PAGES * 4096ull)

struct loader_pagetable {
	struct pagetable pt; /* roots in pt.root_lo, pt.root_hi */
	EFI_BOOT_SERVICES *bs;
	EFI_STATUS alloc_status; /* why the last table allocation failed */
	uint64_t pool;           /* current chunk of free table pages */
	uint32_t pool_left;
	uint64_t chunks[32];     /* chunk base addresses */
	uint32_t chunk_count;
};

/* Allocate the roots; features are the PT_FEAT_* the CPU offers (arch_pt_probe). */
EFI_STATUS loader_pagetable_init(struct loader_pagetable *lp, EFI_BOOT_SERVICES *bs,
				 uint32_t features);

/*
 * Map [va, va + size) to [pa, pa + size) with attr (PT_* from kosh/pagetable.h).
 * Addresses and size are page-aligned. Without PT_SKIP_MAPPED, meeting a page that
 * is already mapped is an error (EFI_ACCESS_DENIED).
 */
EFI_STATUS loader_pagetable_map(struct loader_pagetable *lp, uint64_t va, uint64_t pa,
				uint64_t size, uint32_t attr);

/* The EFI status for a pagetable_* result (PT_E_NOMEM gives the allocation's). */
EFI_STATUS loader_pagetable_status(struct loader_pagetable *lp, int err);

/* Release every table page (on a failed boot). */
void loader_pagetable_free(struct loader_pagetable *lp);

#endif
