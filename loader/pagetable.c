/* SPDX-License-Identifier: MIT */
/*
 * Four-level page-table construction (see pagetable.h). Table pages are handed
 * out from chunks of 64 pages so the firmware's memory map does not fragment.
 * The firmware identity-maps memory, so a table's physical address is also a
 * pointer to it.
 */
#include "pagetable.h"

#include "arch.h"

#include <kosh/string.h>

#define ENTRIES 512

static uint64_t level_size(int level)
{
	return 1ull << (12 + 9 * (PT_LEVELS - 1 - level));
}

static unsigned level_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * (PT_LEVELS - 1 - level))) & (ENTRIES - 1);
}

static EFI_STATUS alloc_table(struct pagetable *pt, uint64_t *out)
{
	if (!pt->pool_left) {
		EFI_PHYSICAL_ADDRESS addr;
		if (pt->chunk_count == sizeof(pt->chunks) / sizeof(pt->chunks[0]))
			return EFI_OUT_OF_RESOURCES;
		EFI_STATUS st = pt->bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
						      PAGETABLE_CHUNK_PAGES, &addr);
		if (st != EFI_SUCCESS)
			return st;
		pt->chunks[pt->chunk_count++] = addr;
		pt->pool = addr;
		pt->pool_left = PAGETABLE_CHUNK_PAGES;
	}
	*out = pt->pool;
	memset((void *)(uintptr_t)*out, 0, 4096);
	pt->pool += 4096;
	pt->pool_left--;
	pt->tables++;
	return EFI_SUCCESS;
}

EFI_STATUS pagetable_init(struct pagetable *pt, EFI_BOOT_SERVICES *bs)
{
	memset(pt, 0, sizeof(*pt));
	pt->bs = bs;
	EFI_STATUS st = alloc_table(pt, &pt->root_lo);
	if (st != EFI_SUCCESS)
		return st;
	pt->root_hi = pt->root_lo;
	if (arch_pt_split_roots())
		st = alloc_table(pt, &pt->root_hi);
	return st;
}

void pagetable_free(struct pagetable *pt)
{
	for (uint32_t i = 0; i < pt->chunk_count; i++)
		pt->bs->FreePages(pt->chunks[i], PAGETABLE_CHUNK_PAGES);
	pt->chunk_count = 0;
	pt->pool_left = 0;
}

static int leaf_allowed(int level, uint64_t va, uint64_t pa, uint64_t left)
{
	uint64_t sz = level_size(level);
	if (level < arch_pt_min_leaf_level())
		return 0;
	return !(va & (sz - 1)) && !(pa & (sz - 1)) && left >= sz;
}

/*
 * Map as much of [va, va + left) as fits under one entry of the table at level,
 * recursing into next-level tables; returns the bytes covered in *done.
 */
static EFI_STATUS map_at(struct pagetable *pt, uint64_t table, int level, uint64_t va,
			 uint64_t pa, uint64_t left, uint32_t attr, uint64_t *done)
{
	uint64_t *e = (uint64_t *)(uintptr_t)table + level_index(va, level);
	uint64_t sz = level_size(level);
	uint64_t span = sz - (va & (sz - 1));
	if (span > left)
		span = left;
	*done = span;
	if (arch_pte_present(*e) && !arch_pte_is_table(*e, level))
		return (attr & PT_SKIP_MAPPED) ? EFI_SUCCESS : EFI_ACCESS_DENIED;
	if (!arch_pte_present(*e) && leaf_allowed(level, va, pa, left)) {
		*e = arch_pte_leaf(pa, level, attr & 0xffff);
		return EFI_SUCCESS;
	}
	if (!arch_pte_present(*e)) {
		uint64_t next;
		EFI_STATUS st = alloc_table(pt, &next);
		if (st != EFI_SUCCESS)
			return st;
		*e = arch_pte_table(next);
	}
	uint64_t sub = 0;
	for (uint64_t off = 0; off < span; off += sub) {
		EFI_STATUS st = map_at(pt, arch_pte_phys(*e), level + 1, va + off, pa + off,
				       span - off, attr, &sub);
		if (st != EFI_SUCCESS)
			return st;
	}
	return EFI_SUCCESS;
}

EFI_STATUS pagetable_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size,
			 uint32_t attr)
{
	uint64_t root = (va >> 63) ? pt->root_hi : pt->root_lo;
	uint64_t done = 0;
	if ((va | pa | size) & 4095)
		return EFI_INVALID_PARAMETER;
	for (uint64_t off = 0; off < size; off += done) {
		EFI_STATUS st = map_at(pt, root, 0, va + off, pa + off, size - off, attr, &done);
		if (st != EFI_SUCCESS)
			return st;
	}
	return EFI_SUCCESS;
}
