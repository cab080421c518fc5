/* SPDX-License-Identifier: MIT */
/*
 * The loader's table pages for shared/lib/pagetable.c (see pagetable.h): chunks
 * of 64 pages from AllocatePages, handed out one page at a time and never given
 * back one by one (the loader only adds mappings); a failed boot frees the chunks.
 */
#include "pagetable.h"

#include <kosh/string.h>

static uint64_t chunk_page(void *ctx)
{
	struct loader_pagetable *lp = ctx;
	if (!lp->pool_left) {
		EFI_PHYSICAL_ADDRESS addr;
		if (lp->chunk_count == sizeof(lp->chunks) / sizeof(lp->chunks[0])) {
			lp->alloc_status = EFI_OUT_OF_RESOURCES;
			return 0;
		}
		lp->alloc_status = lp->bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
							 PAGETABLE_CHUNK_PAGES, &addr);
		if (lp->alloc_status != EFI_SUCCESS)
			return 0;
		lp->chunks[lp->chunk_count++] = addr;
		lp->pool = addr;
		lp->pool_left = PAGETABLE_CHUNK_PAGES;
	}
	uint64_t page = lp->pool;
	memset((void *)(uintptr_t)page, 0, 4096);
	lp->pool += 4096;
	lp->pool_left--;
	return page;
}

static void chunk_page_free(void *ctx, uint64_t phys)
{
	/* Chunks are freed whole by loader_pagetable_free. */
}

static void *identity(void *ctx, uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

EFI_STATUS loader_pagetable_status(struct loader_pagetable *lp, int err)
{
	switch (err) {
	case PT_OK:
		return EFI_SUCCESS;
	case PT_E_NOMEM:
		return lp->alloc_status != EFI_SUCCESS ? lp->alloc_status : EFI_OUT_OF_RESOURCES;
	case PT_E_EXISTS:
		return EFI_ACCESS_DENIED;
	case PT_E_WX:
		return EFI_SECURITY_VIOLATION;
	default:
		return EFI_INVALID_PARAMETER;
	}
}

EFI_STATUS loader_pagetable_init(struct loader_pagetable *lp, EFI_BOOT_SERVICES *bs,
				 uint32_t features)
{
	memset(lp, 0, sizeof(*lp));
	lp->bs = bs;
	struct pt_alloc alloc = { chunk_page, chunk_page_free, identity, lp };
	return loader_pagetable_status(lp, pagetable_init(&lp->pt, &alloc, features));
}

EFI_STATUS loader_pagetable_map(struct loader_pagetable *lp, uint64_t va, uint64_t pa,
				uint64_t size, uint32_t attr)
{
	return loader_pagetable_status(lp, pagetable_map(&lp->pt, va, pa, size, attr));
}

void loader_pagetable_free(struct loader_pagetable *lp)
{
	for (uint32_t i = 0; i < lp->chunk_count; i++)
		lp->bs->FreePages(lp->chunks[i], PAGETABLE_CHUNK_PAGES);
	lp->chunk_count = 0;
	lp->pool_left = 0;
}
