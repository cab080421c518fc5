/* SPDX-License-Identifier: MIT */
/*
 * The runtime's page allocator (<kosh/page.h>): blocks mapped at addresses
 * handed out once from the runtime region, with a guard page after each.
 *
 * The kernel makes frames of a power of two of pages and charges the whole
 * power, so a block is built of frames whose sizes are the binary digits of
 * its page count (3 MiB: 2 MiB + 1 MiB), each at most PAGE_CHUNK_MAX so that no
 * large physically contiguous run is needed: the quota is charged exactly what
 * was asked. A table has an entry per frame, with the block it belongs to, so
 * the block can be given back. kosh_page_unmap (munmap) may unmap part of a
 * block: those pages go, but its frames stay charged until a call covers the
 * whole block (the pages left mapped must not vanish with their frame).
 */
#include <stddef.h>

#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#define PAGE_FRAMES_MAX 1024        /* frames of all blocks together */
#define PAGE_CHUNK_MAX	(4ull << 20) /* the largest frame of a block */

struct page_frame {
	uint64_t base, bsize; /* the block it belongs to: [base, base + bsize) */
	uint64_t va, size;    /* where this frame is mapped in it */
	kosh_handle_t frame;  /* 0: a free entry */
};

static struct page_frame frames[PAGE_FRAMES_MAX];
static uint64_t va_next = KOSH_USER_HEAP_BASE;

int64_t kosh_frame_new(kosh_handle_t quota, uint64_t size)
{
	return kosh_frame_create(quota, kosh_page_round(size), 0);
}

uint64_t kosh_va_reserve(uint64_t size)
{
	size = kosh_page_round(size);
	if (size == 0 || size > KOSH_USER_HEAP_END - va_next - KOSH_PAGE_SIZE)
		return 0;
	uint64_t va = va_next;
	va_next += size + KOSH_PAGE_SIZE; /* the guard page */
	return va;
}

void *kosh_frame_map(kosh_handle_t frame, uint64_t offset, uint64_t size, uint32_t rights,
		     kosh_err_t *err)
{
	size = kosh_page_round(size);
	uint64_t va = kosh_va_reserve(size);
	int64_t r = va ? kosh_space_map(kosh_self()->space, frame, offset, va, size, rights)
		       : KOSH_E_NO_MEMORY;
	if (err)
		*err = r < 0 ? (kosh_err_t)r : KOSH_OK;
	return r < 0 ? NULL : (void *)(uintptr_t)va;
}

kosh_err_t kosh_frame_unmap(void *va, uint64_t size)
{
	return (kosh_err_t)kosh_space_unmap(kosh_self()->space, (uint64_t)(uintptr_t)va,
					    kosh_page_round(size));
}

static struct page_frame *free_entry(void)
{
	for (int i = 0; i < PAGE_FRAMES_MAX; i++)
		if (!frames[i].frame)
			return &frames[i];
	return NULL;
}

/* The largest power of two of bytes, in whole pages, not above n or PAGE_CHUNK_MAX. */
static uint64_t chunk_for(uint64_t n)
{
	uint64_t c = KOSH_PAGE_SIZE;
	while (c * 2 <= n && c * 2 <= PAGE_CHUNK_MAX)
		c *= 2;
	return c;
}

/* Unmap and close every frame of the block at base. */
static void block_free(uint64_t base)
{
	for (int i = 0; i < PAGE_FRAMES_MAX; i++) {
		struct page_frame *f = &frames[i];
		if (f->frame && f->base == base) {
			kosh_space_unmap(kosh_self()->space, f->va, f->size);
			kosh_handle_close(f->frame);
			*f = (struct page_frame){ 0 };
		}
	}
}

void *kosh_page_alloc(uint64_t size)
{
	size = kosh_page_round(size);
	uint64_t base = size ? kosh_va_reserve(size) : 0;
	if (!base || !kosh_self()->quota)
		return NULL;
	for (uint64_t at = 0; at < size;) {
		uint64_t n = chunk_for(size - at);
		struct page_frame *f = free_entry();
		int64_t h = f ? kosh_frame_new(kosh_self()->quota, n) : KOSH_E_NO_MEMORY;
		if (h < 0)
			goto out_free;
		*f = (struct page_frame){ base, size, base + at, n, (kosh_handle_t)h };
		if (kosh_space_map(kosh_self()->space, f->frame, 0, f->va, n,
				   KOSH_RIGHT_READ | KOSH_RIGHT_WRITE) < 0)
			goto out_free;
		at += n;
	}
	return (void *)(uintptr_t)base;
out_free:
	block_free(base);
	return NULL;
}

void kosh_page_free(void *p)
{
	if (p)
		block_free((uint64_t)(uintptr_t)p);
}

kosh_err_t kosh_page_unmap(uint64_t va, uint64_t size)
{
	uint64_t end = va + size;
	if ((va | size) & (KOSH_PAGE_SIZE - 1) || end < va)
		return KOSH_E_INVALID_ARGUMENT;
	for (int i = 0; i < PAGE_FRAMES_MAX; i++) {
		struct page_frame *f = &frames[i];
		if (!f->frame || f->va >= end || f->va + f->size <= va)
			continue;
		if (va <= f->base && end >= f->base + f->bsize) {
			block_free(f->base); /* the whole block */
			continue;
		}
		uint64_t lo = f->va > va ? f->va : va;
		uint64_t hi = f->va + f->size < end ? f->va + f->size : end;
		kosh_space_unmap(kosh_self()->space, lo, hi - lo);
	}
	return KOSH_OK;
}

int kosh_page_owned(uint64_t va, uint64_t size)
{
	for (int i = 0; i < PAGE_FRAMES_MAX; i++) {
		const struct page_frame *f = &frames[i];
		if (f->frame && va >= f->base && va - f->base < f->bsize &&
		    size <= f->bsize - (va - f->base))
			return 1;
	}
	return 0;
}
