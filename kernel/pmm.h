/* SPDX-License-Identifier: MIT */
/*
 * Physical memory: a buddy allocator over the usable RAM of the boot info.
 *
 * Blocks are 2^order pages (order 0 .. PMM_MAX_ORDER), naturally aligned.
 * Memory is kept in zones by address so that callers with addressing limits
 * (the x86 AP trampoline below 1 MiB, 32-bit DMA) can be served; an allocation
 * without a zone flag prefers NORMAL, then DMA32, then LOW. Allocation and free
 * are O(log n) in the block count. Physical page 0 is never handed out, so 0
 * means failure. Safe from any CPU and any context (one lock, interrupts
 * masked while held).
 *
 * An allocated block can carry a tag and an owner pointer (pmm_set_owner), so
 * an allocator layered on top (kheap.c) finds its own bookkeeping from any
 * address inside the block (pmm_find_block).
 */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/bootinfo.h>

#define PMM_PAGE_SIZE 4096ull
#define PMM_MAX_ORDER 18 /* 1 GiB */

enum pmm_zone {
	PMM_ZONE_LOW = 0,    /* below 1 MiB */
	PMM_ZONE_DMA32 = 1,  /* 1 MiB .. 4 GiB */
	PMM_ZONE_NORMAL = 2, /* 4 GiB and above */
	PMM_ZONE_COUNT
};

/* pmm_alloc flags */
#define PMM_ZERO  (1u << 0) /* zero the block */
#define PMM_DMA32 (1u << 1) /* the whole block below 4 GiB */
#define PMM_LOW   (1u << 2) /* the whole block below 1 MiB */

struct pmm_stats {
	uint64_t total_pages[PMM_ZONE_COUNT]; /* managed by the allocator */
	uint64_t free_pages[PMM_ZONE_COUNT];
	uint64_t metadata_bytes;              /* taken for the allocator's own bookkeeping */
	uint64_t free_blocks[PMM_ZONE_COUNT][PMM_MAX_ORDER + 1]; /* free blocks by order */
};

/* What an allocated block is for: the tag pmm_set_owner records. */
enum pmm_tag {
	PMM_TAG_NONE = 0,    /* a plain pmm_alloc block */
	PMM_TAG_SLAB = 1,    /* a slab of kheap.c; the owner is its struct slab */
	PMM_TAG_KMALLOC = 2, /* a large kmalloc block of kheap.c; no owner */
};

/* An allocated block, as pmm_find_block reports it. */
struct pmm_block {
	uint64_t phys; /* its first page */
	unsigned order;
	uint32_t tag;  /* enum pmm_tag */
	void *owner;
};

/*
 * Take over the KOSH_MEM_USABLE ranges of map, reached through the direct map
 * at hhdm (physical p is at hhdm + p). The allocator's metadata is carved from
 * that memory. 0, or -1 when there is no usable memory at all. Calling it
 * again starts over and forgets every block (host tests do).
 */
__attribute__((warn_unused_result)) int pmm_init(const struct kosh_mem_range *map, uint32_t count,
						 uint64_t hhdm);

/*
 * Give more memory to the allocator (e.g. loader-reclaimable memory once the
 * kernel no longer needs it). Page-aligned; must not overlap managed memory.
 * Its metadata is carved off its own end; its blocks never merge with those of
 * the memory next to it. 0, or -1 (with a log line) when refused.
 */
__attribute__((warn_unused_result)) int pmm_add_range(uint64_t base, uint64_t size);

/* A block of 2^order pages, or 0 when none is free (in the allowed zones). */
__attribute__((warn_unused_result)) uint64_t pmm_alloc(unsigned order, unsigned flags);

/*
 * Free a block. Freeing a block that is already free, one the allocator does
 * not manage, or with an order or alignment other than its allocation's is
 * refused with a kernel log line naming the address: -1, and nothing changes.
 */
int pmm_free(uint64_t phys, unsigned order);

void pmm_get_stats(struct pmm_stats *out);

/*
 * Record tag and owner on the allocated block that starts at phys (both are
 * cleared when a block is allocated). 0, or -1 when no allocated block starts
 * there.
 */
__attribute__((warn_unused_result)) int pmm_set_owner(uint64_t phys, uint32_t tag, void *owner);

/* The allocated block that holds phys, into *out: 0, or -1 when phys is free or not managed. */
__attribute__((warn_unused_result)) int pmm_find_block(uint64_t phys, struct pmm_block *out);

/*
 * Check every invariant of the metadata (block structure, free lists, counts):
 * 0, or -1 with a log line naming the first fault. O(pages): for tests and
 * self-checks.
 */
int pmm_check(void);

/* The direct-map address of physical memory, and back. */
void *phys_to_virt(uint64_t phys);
uint64_t virt_to_phys(const void *virt);

#endif
