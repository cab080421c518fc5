/* SPDX-License-Identifier: MIT */
/*
 * The runtime's own memory: frames from the process's quota, mapped into its
 * own address space in the runtime's region [KOSH_USER_HEAP_BASE,
 * KOSH_USER_HEAP_END). Addresses there are handed out once and never reused
 * (the region is tens of TiB); a guard page stays unmapped after each block.
 * Not thread-safe yet: one thread allocates at a time.
 */
#ifndef KOSH_USER_PAGE_H
#define KOSH_USER_PAGE_H

#include <stdint.h>

#include <kosh/abi.h>

#define KOSH_PAGE_SIZE      4096u
#define KOSH_USER_IMAGE_MIN 0x0000000000010000ull /* programs lie in [MIN, HEAP_BASE) */
#define KOSH_USER_HEAP_BASE 0x0000100000000000ull
#define KOSH_USER_HEAP_END  0x0000700000000000ull

static inline uint64_t kosh_page_round(uint64_t size)
{
	return (size + KOSH_PAGE_SIZE - 1) & ~(uint64_t)(KOSH_PAGE_SIZE - 1);
}

/* A new frame of size bytes (rounded up to pages) from quota, zeroed by the kernel: a
 * handle, or a negative error. */
int64_t kosh_frame_new(kosh_handle_t quota, uint64_t size);

/* size bytes (whole pages) of fresh address space in the runtime region, or 0. */
uint64_t kosh_va_reserve(uint64_t size);

/* Map [offset, offset + size) of frame into our own space with rights; NULL on error (*err). */
void *kosh_frame_map(kosh_handle_t frame, uint64_t offset, uint64_t size, uint32_t rights,
		     kosh_err_t *err);

/* Undo kosh_frame_map. */
kosh_err_t kosh_frame_unmap(void *va, uint64_t size);

/* size bytes of zeroed, readable and writable, page-aligned memory; NULL if none. */
void *kosh_page_alloc(uint64_t size);

/* Give back a block from kosh_page_alloc (unmapped, its frame closed). */
void kosh_page_free(void *p);

/*
 * Unmap the pages of [va, va + size) (page-aligned) that kosh_page_alloc gave:
 * blocks wholly inside are freed; of the others only the pages go (the frame
 * stays charged until the whole block is given back). Nothing there: no error.
 */
kosh_err_t kosh_page_unmap(uint64_t va, uint64_t size);

/* 1 if [va, va + size) lies inside one block of kosh_page_alloc. */
int kosh_page_owned(uint64_t va, uint64_t size);

#endif
