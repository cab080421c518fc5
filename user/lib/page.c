/* SPDX-License-Identifier: MIT */
/*
 * The runtime's page allocator (<kosh/page.h>): a frame per block, mapped at
 * addresses handed out once from the runtime region, with a guard page after
 * each. A small table remembers each block's frame so it can be given back.
 */
#include <stddef.h>

#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#define PAGE_BLOCKS_MAX 128

struct page_block {
	uint64_t va;
	uint64_t size;
	kosh_handle_t frame; /* 0: free entry */
};

static struct page_block blocks[PAGE_BLOCKS_MAX];
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

static struct page_block *block_free_entry(void)
{
	for (int i = 0; i < PAGE_BLOCKS_MAX; i++)
		if (!blocks[i].frame)
			return &blocks[i];
	return NULL;
}

void *kosh_page_alloc(uint64_t size)
{
	struct page_block *b = block_free_entry();
	size = kosh_page_round(size);
	if (!b || size == 0 || !kosh_self()->quota)
		return NULL;
	int64_t frame = kosh_frame_new(kosh_self()->quota, size);
	if (frame < 0)
		return NULL;
	void *p = kosh_frame_map((kosh_handle_t)frame, 0, size,
				 KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, NULL);
	if (!p) {
		kosh_handle_close((uint64_t)frame);
		return NULL;
	}
	*b = (struct page_block){ (uint64_t)(uintptr_t)p, size, (kosh_handle_t)frame };
	return p;
}

void kosh_page_free(void *p)
{
	for (int i = 0; i < PAGE_BLOCKS_MAX; i++) {
		struct page_block *b = &blocks[i];
		if (b->frame && b->va == (uint64_t)(uintptr_t)p) {
			kosh_frame_unmap(p, b->size);
			kosh_handle_close(b->frame);
			*b = (struct page_block){ 0 };
			return;
		}
	}
}
