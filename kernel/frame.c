/* SPDX-License-Identifier: MIT */
/*
 * Frames (see frame.h). A RAM frame's quota pays for the whole pmm block (the
 * pages beyond its page-rounded size too: they are taken from everyone else)
 * and for the object; both come back at destruction, after every mapping is
 * gone from every space and every CPU's TLB (space_unmap_frame, through each
 * space's flush hook, smp_tlb_flush). Everything runs under the big kernel
 * lock (kentry.h), which is why nothing here takes a lock.
 */
#include "frame.h"

#include "kheap.h"
#include "pmm.h"
#include "quota.h"
#include "space.h"

#define PAGE PMM_PAGE_SIZE

_Static_assert(FRAME_MAX_SIZE == PMM_PAGE_SIZE << PMM_MAX_ORDER, "a frame is one pmm block");

static void release_frame(struct kobject *o)
{
	struct frame *f = frame_from(o);
	space_unmap_frame(f);
	if (f->flags & FRAME_RAM)
		pmm_free(f->phys, f->order);
	if (f->quota) {
		quota_uncharge(f->quota, f->charged);
		kobject_put(&f->quota->obj);
	}
	kfree(f);
}

static struct frame *frame_alloc(uint64_t phys, uint64_t size, uint32_t cache)
{
	struct frame *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	kobject_init(&f->obj, KOSH_OBJ_FRAME, release_frame);
	f->phys = phys;
	f->size = size;
	f->cache = cache;
	list_init(&f->mappings);
	return f;
}

/* The order of the smallest pmm block of at least pages pages. */
static unsigned order_for(uint64_t pages)
{
	unsigned order = 0;
	while ((1ull << order) < pages)
		order++;
	return order;
}

kosh_err_t frame_create_ram(struct quota *q, uint64_t size, uint32_t flags, struct frame **out)
{
	if (!size || (flags & ~KOSH_FRAME_LOW32))
		return KOSH_E_INVALID_ARGUMENT;
	if (size > FRAME_MAX_SIZE)
		return KOSH_E_TOO_BIG;
	size = (size + PAGE - 1) & ~(PAGE - 1);
	unsigned order = order_for(size / PAGE);
	uint64_t charge = (PAGE << order) + sizeof(struct frame);
	kosh_err_t err = quota_charge(q, charge);
	if (err)
		return err;
	uint64_t phys = pmm_alloc(order, PMM_ZERO | ((flags & KOSH_FRAME_LOW32) ? PMM_DMA32 : 0));
	if (!phys)
		goto out_uncharge;
	struct frame *f = frame_alloc(phys, size, FRAME_CACHE_NORMAL);
	if (!f)
		goto out_free;
	f->flags = FRAME_RAM;
	f->order = order;
	f->charged = charge;
	kobject_get(&q->obj);
	f->quota = q;
	*out = f;
	return KOSH_OK;
out_free:
	pmm_free(phys, order);
out_uncharge:
	quota_uncharge(q, charge);
	return KOSH_E_NO_MEMORY;
}

kosh_err_t frame_create_phys(uint64_t phys, uint64_t size, uint32_t cache, struct frame **out)
{
	if (!size || (phys | size) % PAGE || phys + size < phys || cache > FRAME_CACHE_WC)
		return KOSH_E_INVALID_ARGUMENT;
	struct frame *f = frame_alloc(phys, size, cache);
	if (!f)
		return KOSH_E_NO_MEMORY;
	*out = f;
	return KOSH_OK;
}

struct frame *frame_from(struct kobject *o)
{
	return (struct frame *)((char *)o - offsetof(struct frame, obj));
}

uint32_t frame_mapping_count(const struct frame *f)
{
	uint32_t n = 0;
	list_for_each(pos, &f->mappings)
		n++;
	return n;
}
