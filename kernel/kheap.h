/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: slab caches of fixed-size objects, and kmalloc/kfree on top
 * of them, all on pages from pmm.
 *
 * Every object is at least 16-byte aligned. A free of something the heap did
 * not hand out (a pointer into the middle of an object, an object of another
 * cache, a double free, an address no allocator gave) is refused with a kernel
 * log line and counted, never acted on. Safe from any CPU and any context (a
 * lock per cache, interrupts masked while held). Needs pmm_init, then
 * kheap_init.
 */
#ifndef KERNEL_KHEAP_H
#define KERNEL_KHEAP_H

#include <stddef.h>
#include <stdint.h>

#define SLAB_NAME_MAX     24   /* a cache's name, NUL included (longer ones are cut) */
#define SLAB_MAX_CACHES   64   /* caches that can exist, the kmalloc ones included */
#define KHEAP_MIN_ALIGN   16   /* every object is aligned to at least this */
#define KMALLOC_SLAB_MAX  2048 /* kmalloc above this takes whole pages */

struct slab_cache;

struct slab_stats {
	char name[SLAB_NAME_MAX];
	uint32_t object_size;      /* after rounding up to the alignment */
	uint32_t align;
	uint32_t objects_per_slab;
	uint32_t slab_order;       /* a slab is 2^slab_order pages */
	uint64_t objects_in_use;
	uint64_t slabs;            /* held, the empty one included */
	uint64_t empty_slabs;      /* at most one is kept */
	uint64_t pages;            /* slabs << slab_order */
	uint64_t allocs;           /* successful slab_alloc calls */
	uint64_t frees;            /* accepted frees */
	uint64_t alloc_failures;   /* slab_alloc found no memory */
	uint64_t refused_frees;
};

struct kheap_stats {
	uint64_t large_in_use;  /* kmalloc blocks above KMALLOC_SLAB_MAX */
	uint64_t large_pages;   /* the pages they take */
	uint64_t large_allocs;
	uint64_t large_frees;
	uint64_t refused_frees; /* kfree refusals (slab_free ones count in their cache) */
};

/*
 * Create the kmalloc size classes: 0, or -1 if they could not be. Calling it
 * again forgets every cache (host tests do, after pmm_init).
 */
__attribute__((warn_unused_result)) int kheap_init(void);

/*
 * A cache of objects of size bytes aligned to align (a power of two up to a
 * page; 0 means KHEAP_MIN_ALIGN). The name is copied. NULL when the arguments
 * are invalid, no slab of at most 8 pages holds an object, or the table is
 * full. Caches are never destroyed.
 */
__attribute__((warn_unused_result)) struct slab_cache *slab_cache_create(const char *name,
									 size_t size, size_t align);

/* An object of c, or NULL when memory is exhausted. Its contents are undefined. */
__attribute__((warn_unused_result)) void *slab_alloc(struct slab_cache *c);

/* Give obj back to c; NULL is ignored, anything c did not hand out is refused and logged. */
void slab_free(struct slab_cache *c, void *obj);

void slab_get_stats(struct slab_cache *c, struct slab_stats *out);

/* The caches, in creation order: slab_cache_at(i) for i < slab_cache_count(), else NULL. */
unsigned slab_cache_count(void);
struct slab_cache *slab_cache_at(unsigned i);

/* Give c's empty slab(s) back to pmm; the number of pages given. */
uint64_t slab_cache_shrink(struct slab_cache *c);

/* slab_cache_shrink on every cache; the number of pages given. */
uint64_t kheap_shrink(void);

/* size bytes, aligned to KHEAP_MIN_ALIGN (whole pages above KMALLOC_SLAB_MAX); NULL also for 0. */
__attribute__((warn_unused_result)) void *kmalloc(size_t size);

/* kmalloc, zeroed. */
__attribute__((warn_unused_result)) void *kzalloc(size_t size);

/* Free what kmalloc returned; NULL is ignored, anything else is refused and logged. */
void kfree(void *p);

void kheap_get_stats(struct kheap_stats *out);

#endif
