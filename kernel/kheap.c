/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap (see kheap.h).
 *
 * A slab is a pmm block of 2^order pages that starts with struct slab (its
 * cache, list links and a bitmap with one bit per object, set while the
 * object is allocated); the objects follow. The block is tagged PMM_TAG_SLAB
 * with the slab as owner, so pmm_find_block leads from any object pointer to
 * its slab. Nothing is kept inside free objects, so a write after free cannot
 * corrupt the allocator, and the bitmap catches double frees, pointers into an
 * object and frees to the wrong cache before anything changes.
 *
 * A cache keeps its slabs on three lists by fill (partial, full, empty) under
 * its own lock, and holds at most one empty slab: a slab that empties while
 * another is kept goes back to pmm at once. The slab order is the smallest
 * (up to SLAB_MAX_ORDER) that wastes at most 1/16 of the slab.
 *
 * kmalloc rounds up to a power-of-two class from 16 to KMALLOC_SLAB_MAX bytes,
 * one cache each; larger requests are whole pmm blocks tagged PMM_TAG_KMALLOC,
 * whose order pmm remembers for kfree. No cache lock is held while pmm is
 * called, so the locks never nest.
 */
#include "kheap.h"

#include "klog.h"
#include "pmm.h"
#include "spinlock.h"

#include <kosh/fmt.h>
#include <kosh/string.h>

#define SLAB_MAGIC      0x51ab51abu
#define SLAB_MAX_ORDER  3
#define KMALLOC_CLASSES 8 /* 16 << 0 .. 16 << 7 == KMALLOC_SLAB_MAX */

struct slab {
	struct slab *next, *prev; /* on the cache's list for its fill */
	struct slab_cache *cache;
	uint64_t phys;
	uint32_t in_use;
	uint32_t magic;    /* SLAB_MAGIC while the slab belongs to its cache */
	uint64_t bitmap[]; /* bit i: object i is allocated; bits past the last object are set */
};

struct slab_list {
	struct slab *head;
	uint64_t count;
};

struct slab_cache {
	struct spinlock lock;
	char name[SLAB_NAME_MAX];
	uint32_t size;     /* a multiple of align */
	uint32_t align;
	uint32_t order;
	uint32_t per_slab;
	uint32_t offset;   /* of the first object from the slab's start */
	uint32_t words;    /* of the bitmap */
	int kmalloc;       /* a kmalloc class: kfree takes its objects */
	struct slab_list partial, full, empty;
	uint64_t in_use, allocs, frees, alloc_failures, refused_frees;
};

static struct slab_cache caches[SLAB_MAX_CACHES];
static unsigned cache_count;
static struct spinlock table_lock = SPINLOCK_INIT;
static struct slab_cache *kmalloc_caches[KMALLOC_CLASSES];
static struct kheap_stats heap;

static void stat_add(uint64_t *counter, int64_t delta)
{
	__atomic_fetch_add(counter, (uint64_t)delta, __ATOMIC_RELAXED);
}

static uint64_t round_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/* How many objects fit a slab of bytes, with *offset set to the first one's. */
static uint32_t fit_objects(uint64_t bytes, uint32_t size, uint32_t align, uint32_t *offset)
{
	uint64_t n = (bytes - sizeof(struct slab)) / size;
	for (; n > 0; n--) {
		uint64_t off = round_up(sizeof(struct slab) + 8 * ((n + 63) / 64), align);
		if (off + n * size <= bytes) {
			*offset = (uint32_t)off;
			return (uint32_t)n;
		}
	}
	return 0;
}

/* Choose c's slab order: the smallest wasting at most 1/16, else the least wasteful. 0 or -1. */
static int choose_geometry(struct slab_cache *c)
{
	uint64_t best_waste = 0, best_bytes = 0;
	for (uint32_t o = 0; o <= SLAB_MAX_ORDER; o++) {
		uint64_t bytes = PMM_PAGE_SIZE << o;
		uint32_t offset = 0;
		uint32_t n = fit_objects(bytes, c->size, c->align, &offset);
		uint64_t waste = bytes - (uint64_t)n * c->size;
		if (!n || (best_bytes && waste * best_bytes >= best_waste * bytes))
			continue;
		best_waste = waste;
		best_bytes = bytes;
		c->order = o;
		c->per_slab = n;
		c->offset = offset;
		c->words = (n + 63) / 64;
		if (waste * 16 <= bytes)
			break;
	}
	return best_bytes ? 0 : -1;
}

/* Fill in *c for objects of size and align: 0, or -1 when they are unfit. */
static int cache_setup(struct slab_cache *c, const char *name, size_t size, size_t align)
{
	if (!align)
		align = KHEAP_MIN_ALIGN;
	if (!size || size > (PMM_PAGE_SIZE << SLAB_MAX_ORDER) || (align & (align - 1)) ||
	    align > PMM_PAGE_SIZE)
		return -1;
	if (align < KHEAP_MIN_ALIGN)
		align = KHEAP_MIN_ALIGN;
	c->align = (uint32_t)align;
	c->size = (uint32_t)round_up(size, align);
	if (choose_geometry(c) < 0)
		return -1;
	c->lock = (struct spinlock)SPINLOCK_INIT;
	kosh_snprintf(c->name, sizeof(c->name), "%s", name ? name : "?");
	return 0;
}

struct slab_cache *slab_cache_create(const char *name, size_t size, size_t align)
{
	struct slab_cache c = { 0 }, *out = NULL;
	if (cache_setup(&c, name, size, align) < 0) {
		klog_warn("kheap: cannot make cache %s of %zu bytes aligned to %zu",
			  name ? name : "?", size, align);
		return NULL;
	}
	uint64_t flags = spin_lock_irqsave(&table_lock);
	if (cache_count < SLAB_MAX_CACHES) {
		out = &caches[cache_count];
		*out = c;
		__atomic_store_n(&cache_count, cache_count + 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&table_lock, flags);
	if (!out)
		klog_warn("kheap: cannot make cache %s: all %u exist", c.name, SLAB_MAX_CACHES);
	return out;
}

unsigned slab_cache_count(void)
{
	return __atomic_load_n(&cache_count, __ATOMIC_ACQUIRE);
}

struct slab_cache *slab_cache_at(unsigned i)
{
	return i < slab_cache_count() ? &caches[i] : NULL;
}

static void list_push(struct slab_list *l, struct slab *s)
{
	s->prev = NULL;
	s->next = l->head;
	if (l->head)
		l->head->prev = s;
	l->head = s;
	l->count++;
}

static void list_unlink(struct slab_list *l, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		l->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	l->count--;
}

/* The list a slab with in_use objects belongs on. */
static struct slab_list *list_for(struct slab_cache *c, uint32_t in_use)
{
	if (!in_use)
		return &c->empty;
	return in_use == c->per_slab ? &c->full : &c->partial;
}

static void list_move(struct slab *s, struct slab_list *from, struct slab_list *to)
{
	if (from == to)
		return;
	list_unlink(from, s);
	list_push(to, s);
}

/* A new, empty slab for c from pmm, or NULL. */
static struct slab *slab_grow(struct slab_cache *c)
{
	uint64_t phys = pmm_alloc(c->order, 0);
	if (!phys)
		return NULL;
	struct slab *s = phys_to_virt(phys);
	memset(s, 0, c->offset);
	s->cache = c;
	s->phys = phys;
	s->magic = SLAB_MAGIC;
	for (uint32_t i = c->per_slab; i < c->words * 64; i++)
		s->bitmap[i / 64] |= 1ull << (i % 64);
	if (pmm_set_owner(phys, PMM_TAG_SLAB, s) < 0) {
		(void)pmm_free(phys, c->order);
		return NULL;
	}
	return s;
}

static uint32_t first_clear_bit(const uint64_t *bitmap, uint32_t words)
{
	uint32_t w = 0;
	while (w + 1 < words && !~bitmap[w])
		w++;
	return w * 64 + (uint32_t)__builtin_ctzll(~bitmap[w]);
}

/* Hand out a free object of s (which has one). */
static void *slab_take(struct slab_cache *c, struct slab *s)
{
	struct slab_list *from = list_for(c, s->in_use);
	uint32_t i = first_clear_bit(s->bitmap, c->words);
	s->bitmap[i / 64] |= 1ull << (i % 64);
	s->in_use++;
	list_move(s, from, list_for(c, s->in_use));
	c->in_use++;
	c->allocs++;
	return (char *)s + c->offset + (size_t)i * c->size;
}

void *slab_alloc(struct slab_cache *c)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	struct slab *s = c->partial.head ? c->partial.head : c->empty.head;
	if (!s) {
		/* not under this lock: pmm has its own */
		spin_unlock_irqrestore(&c->lock, flags);
		s = slab_grow(c);
		flags = spin_lock_irqsave(&c->lock);
		if (!s) {
			c->alloc_failures++;
			spin_unlock_irqrestore(&c->lock, flags);
			return NULL;
		}
		/* taken from at once, so a race with another grower leaves no second empty slab */
		list_push(&c->empty, s);
	}
	void *obj = slab_take(c, s);
	spin_unlock_irqrestore(&c->lock, flags);
	return obj;
}

/* Why obj is not a live object of s in c, or NULL with *index set to it. */
static const char *object_check(struct slab_cache *c, struct slab *s, void *obj, uint32_t *index)
{
	uintptr_t first = (uintptr_t)s + c->offset;
	if (s->magic != SLAB_MAGIC || s->cache != c)
		return "not in a slab of this cache";
	if ((uintptr_t)obj < first || ((uintptr_t)obj - first) % c->size)
		return "not the start of an object";
	uint64_t i = ((uintptr_t)obj - first) / c->size;
	if (i >= c->per_slab)
		return "past the slab's last object";
	if (!(s->bitmap[i / 64] & (1ull << (i % 64))))
		return "already free (double free)";
	*index = (uint32_t)i;
	return NULL;
}

/* Mark object i of s free. Returns s if it must go back to pmm (unlinked by then), else NULL. */
static struct slab *object_release(struct slab_cache *c, struct slab *s, uint32_t i)
{
	struct slab_list *from = list_for(c, s->in_use);
	s->bitmap[i / 64] &= ~(1ull << (i % 64));
	s->in_use--;
	c->in_use--;
	c->frees++;
	if (!s->in_use && c->empty.head) {
		list_unlink(from, s);
		s->magic = 0;
		return s;
	}
	list_move(s, from, list_for(c, s->in_use));
	return NULL;
}

static void slab_release(struct slab_cache *c, struct slab *s)
{
	if (pmm_free(s->phys, c->order) < 0)
		klog_error("kheap: cache %s: pmm refused slab 0x%llx", c->name,
			   (unsigned long long)s->phys);
}

/* Free obj, an object of s, to c: NULL, or why not (nothing changed but the refusal count). */
static const char *slab_put(struct slab_cache *c, struct slab *s, void *obj)
{
	uint32_t i = 0;
	struct slab *release = NULL;
	uint64_t flags = spin_lock_irqsave(&c->lock);
	const char *why = object_check(c, s, obj, &i);
	if (why)
		c->refused_frees++;
	else
		release = object_release(c, s, i);
	spin_unlock_irqrestore(&c->lock, flags);
	if (release)
		slab_release(c, release);
	return why;
}

/* The slab obj lies in, into *s: NULL, or why there is none. */
static const char *find_slab(const void *obj, struct slab **s)
{
	struct pmm_block b;
	if (pmm_find_block(virt_to_phys(obj), &b) < 0)
		return "not in allocated memory";
	if (b.tag != PMM_TAG_SLAB)
		return "not in a slab";
	*s = b.owner;
	return NULL;
}

static void count_refusal(struct slab_cache *c)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	c->refused_frees++;
	spin_unlock_irqrestore(&c->lock, flags);
}

void slab_free(struct slab_cache *c, void *obj)
{
	struct slab *s = NULL;
	if (!obj)
		return;
	const char *why = find_slab(obj, &s);
	if (!why && s->cache != c) {
		klog_warn("kheap: slab_free(%s, %p): an object of cache %s", c->name, obj,
			  s->cache->name);
		count_refusal(c);
		return;
	}
	if (why)
		count_refusal(c);
	else
		why = slab_put(c, s, obj);
	if (why)
		klog_warn("kheap: slab_free(%s, %p): %s", c->name, obj, why);
}

void slab_get_stats(struct slab_cache *c, struct slab_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	uint64_t slabs = c->partial.count + c->full.count + c->empty.count;
	*out = (struct slab_stats){
		.object_size = c->size, .align = c->align, .objects_per_slab = c->per_slab,
		.slab_order = c->order, .objects_in_use = c->in_use, .slabs = slabs,
		.empty_slabs = c->empty.count, .pages = slabs << c->order, .allocs = c->allocs,
		.frees = c->frees, .alloc_failures = c->alloc_failures,
		.refused_frees = c->refused_frees,
	};
	memcpy(out->name, c->name, sizeof(out->name));
	spin_unlock_irqrestore(&c->lock, flags);
}

uint64_t slab_cache_shrink(struct slab_cache *c)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	struct slab *s = c->empty.head;
	for (struct slab *e = s; e; e = e->next)
		e->magic = 0;
	uint64_t pages = c->empty.count << c->order;
	c->empty = (struct slab_list){ NULL, 0 };
	spin_unlock_irqrestore(&c->lock, flags);
	while (s) {
		struct slab *next = s->next;
		slab_release(c, s);
		s = next;
	}
	return pages;
}

uint64_t kheap_shrink(void)
{
	uint64_t pages = 0;
	for (unsigned i = 0; i < slab_cache_count(); i++)
		pages += slab_cache_shrink(&caches[i]);
	return pages;
}

int kheap_init(void)
{
	uint64_t flags = spin_lock_irqsave(&table_lock);
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	memset(&heap, 0, sizeof(heap));
	__atomic_store_n(&cache_count, 0, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&table_lock, flags);
	for (unsigned i = 0; i < KMALLOC_CLASSES; i++) {
		char name[SLAB_NAME_MAX];
		kosh_snprintf(name, sizeof(name), "kmalloc-%u", 16u << i);
		struct slab_cache *c = slab_cache_create(name, 16u << i, KHEAP_MIN_ALIGN);
		if (!c)
			return -1;
		c->kmalloc = 1;
		kmalloc_caches[i] = c;
	}
	return 0;
}

static unsigned size_class(size_t size)
{
	return size <= 16 ? 0 : 64 - (unsigned)__builtin_clzll((unsigned long long)size - 1) - 4;
}

/* A whole pmm block of at least size bytes, tagged for kfree, or NULL. */
static void *kmalloc_large(size_t size, unsigned pmm_flags)
{
	unsigned order = 0;
	if (size > (PMM_PAGE_SIZE << PMM_MAX_ORDER))
		return NULL;
	while ((PMM_PAGE_SIZE << order) < size)
		order++;
	uint64_t phys = pmm_alloc(order, pmm_flags);
	if (!phys)
		return NULL;
	if (pmm_set_owner(phys, PMM_TAG_KMALLOC, NULL) < 0) {
		(void)pmm_free(phys, order);
		return NULL;
	}
	stat_add(&heap.large_in_use, 1);
	stat_add(&heap.large_pages, (int64_t)1 << order);
	stat_add(&heap.large_allocs, 1);
	return phys_to_virt(phys);
}

void *kmalloc(size_t size)
{
	if (!size)
		return NULL;
	if (size > KMALLOC_SLAB_MAX)
		return kmalloc_large(size, 0);
	struct slab_cache *c = kmalloc_caches[size_class(size)];
	return c ? slab_alloc(c) : NULL;
}

void *kzalloc(size_t size)
{
	if (size > KMALLOC_SLAB_MAX)
		return kmalloc_large(size, PMM_ZERO);
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

static void kfree_refuse(const void *p, const char *why)
{
	stat_add(&heap.refused_frees, 1);
	klog_warn("kheap: kfree(%p): %s", p, why);
}

static void kfree_large(void *p, const struct pmm_block *b)
{
	if (virt_to_phys(p) != b->phys) {
		kfree_refuse(p, "inside a large allocation, not its start");
		return;
	}
	if (pmm_free(b->phys, b->order) < 0)
		return; /* lost a race with another free of it: pmm logged that */
	stat_add(&heap.large_in_use, -1);
	stat_add(&heap.large_pages, -((int64_t)1 << b->order));
	stat_add(&heap.large_frees, 1);
}

static void kfree_object(void *p, struct slab *s)
{
	if (!s->cache->kmalloc) {
		stat_add(&heap.refused_frees, 1);
		klog_warn("kheap: kfree(%p): an object of cache %s, not from kmalloc", p,
			  s->cache->name);
		return;
	}
	const char *why = slab_put(s->cache, s, p);
	if (why)
		kfree_refuse(p, why);
}

void kfree(void *p)
{
	struct pmm_block b;
	if (!p)
		return;
	if (pmm_find_block(virt_to_phys(p), &b) < 0)
		kfree_refuse(p, "not in allocated memory");
	else if (b.tag == PMM_TAG_KMALLOC)
		kfree_large(p, &b);
	else if (b.tag == PMM_TAG_SLAB)
		kfree_object(p, b.owner);
	else
		kfree_refuse(p, "not from kmalloc");
}

void kheap_get_stats(struct kheap_stats *out)
{
	out->large_in_use = __atomic_load_n(&heap.large_in_use, __ATOMIC_RELAXED);
	out->large_pages = __atomic_load_n(&heap.large_pages, __ATOMIC_RELAXED);
	out->large_allocs = __atomic_load_n(&heap.large_allocs, __ATOMIC_RELAXED);
	out->large_frees = __atomic_load_n(&heap.large_frees, __ATOMIC_RELAXED);
	out->refused_frees = __atomic_load_n(&heap.refused_frees, __ATOMIC_RELAXED);
}
