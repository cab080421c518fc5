/* SPDX-License-Identifier: MIT */
/*
 * Frames (DESIGN.md §4, docs/vm.md "Frames and address spaces"): physically
 * contiguous memory as a capability object. A RAM frame owns 2^order pages from
 * the pmm, zeroed, charged (pages and object) to a quota it holds a reference
 * to, and given back at destruction. A fixed frame covers physical memory the
 * kernel does not own (device MMIO, firmware tables, the framebuffer): charged
 * to nothing, never freed. A frame knows every mapping of itself (space.c keeps
 * the list); its destruction, at the last reference, removes them all from
 * their spaces, with the TLB shoot-down every CPU needs, before the memory goes.
 * Mappings do not hold references: closing the last handle unmaps everywhere.
 * Runs under the big kernel lock: no lock of its own.
 */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <stdint.h>

#include <kosh/abi.h>

#include "cap.h"
#include "list.h"

struct quota;

/* struct frame.flags */
#define FRAME_RAM (1u << 0) /* pages owned by the frame: freed and uncharged at destruction */

/* Memory types of a frame (struct frame.cache): how its mappings are made. */
enum frame_cache {
	FRAME_CACHE_NORMAL = 0, /* write-back */
	FRAME_CACHE_DEVICE = 1, /* uncached device memory (PT_DEVICE) */
	FRAME_CACHE_WC = 2,     /* write-combining (PT_WC) */
};

struct frame {
	struct kobject obj; /* KOSH_OBJ_FRAME */
	uint64_t phys;      /* page-aligned */
	uint64_t size;      /* page multiple: what may be mapped */
	uint32_t flags;     /* FRAME_RAM */
	uint32_t cache;     /* enum frame_cache */
	unsigned order;     /* RAM: the pmm block is 2^order pages */
	uint64_t charged;   /* bytes charged to quota */
	struct quota *quota; /* a reference (RAM frames), else NULL */
	struct list mappings; /* struct mapping.frame_link, in no order */
};

/* The largest frame: one pmm block of the highest order. */
#define FRAME_MAX_SIZE (4096ull << 18)

/*
 * A RAM frame of size bytes (rounded up to pages) charged to q: 2^order zeroed
 * pages, below 4 GiB with KOSH_FRAME_LOW32. q is charged the whole block plus
 * the object. KOSH_E_INVALID_ARGUMENT (size 0, unknown flags), KOSH_E_TOO_BIG
 * (above FRAME_MAX_SIZE), KOSH_E_NO_MEMORY (quota or pmm; nothing charged).
 * *out holds the one reference.
 */
__attribute__((warn_unused_result)) kosh_err_t frame_create_ram(struct quota *q, uint64_t size,
								uint32_t flags,
								struct frame **out);

/*
 * A frame over the fixed physical range [phys, phys + size) (page-aligned, not
 * empty, not wrapping) with cache an enum frame_cache: charged to nothing,
 * never freed. KOSH_E_INVALID_ARGUMENT, KOSH_E_NO_MEMORY (no kernel memory).
 */
__attribute__((warn_unused_result)) kosh_err_t frame_create_phys(uint64_t phys, uint64_t size,
								 uint32_t cache,
								 struct frame **out);

/* The frame o is (o->type must be KOSH_OBJ_FRAME). */
struct frame *frame_from(struct kobject *o);

/* Number of mappings of f in every space (tests, debugging). */
uint32_t frame_mapping_count(const struct frame *f);

#endif
