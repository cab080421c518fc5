/* SPDX-License-Identifier: MIT */
/*
 * The physical memory allocator (see pmm.h): a binary buddy allocator.
 *
 * Managed memory is a small table of ranges, each a contiguous run of page
 * frames with its own array of struct page, one entry per page, so holes in
 * the physical map cost no metadata. pmm_init carves all the arrays in one
 * piece off the end of the highest range that holds them (keeping LOW and
 * DMA32 memory for those who need it); pmm_add_range carves a new range's
 * array off its own end. Free blocks sit on one list per zone and order.
 *
 * Invariants, all kept under `lock`:
 *  - every managed page is either the first page of exactly one block (state
 *    FREE or USED, with the block's order) or lies inside one (state TAIL);
 *  - blocks are naturally aligned in physical address and never cross a range
 *    or zone boundary, so a block's zone is its first page's;
 *  - no two free buddies of one order are both free: freeing merges them;
 *  - page 0 and the metadata are in no range, so they are never handed out.
 * Splitting marks one new first page and merging clears one, so neither
 * touches the inside of a block: O(1) per order, O(log n) per call. The first
 * page of the block that holds any page is found by looking at the aligned
 * addresses below it, order by order: also O(log n).
 */
#include "pmm.h"

#include "klog.h"
#include "spinlock.h"

#include <kosh/string.h>

#define PAGE_SHIFT     12
#define MAX_RANGES     64
#define LOW_END_PFN    (0x100000ull >> PAGE_SHIFT)
#define DMA32_END_PFN  (0x100000000ull >> PAGE_SHIFT)
#define ORDER_PAGES(o) (1ull << (o))

enum page_state {
	PAGE_TAIL = 0, /* inside a block, not its first page */
	PAGE_FREE = 1, /* first page of a free block, on a free list */
	PAGE_USED = 2, /* first page of an allocated block */
};

struct page {
	union {
		struct {
			struct page *next, *prev;
		} free;      /* PAGE_FREE: links of its zone and order's list */
		void *owner; /* PAGE_USED: as pmm_set_owner left it */
	} u;
	uint8_t state; /* enum page_state */
	uint8_t order; /* PAGE_FREE, PAGE_USED: the block's */
	uint8_t range; /* index of its range in pmm.ranges */
	uint8_t unused;
	uint32_t tag; /* PAGE_USED: enum pmm_tag */
};
_Static_assert(sizeof(struct page) == 24, "struct page is 24 bytes a page");
_Static_assert(MAX_RANGES <= 256, "a range index fits in struct page");

struct range {
	uint64_t base;      /* first managed page frame */
	uint64_t count;     /* managed pages; metadata carved off the end is not */
	uint64_t span_end;  /* end of the memory given, metadata included */
	struct page *pages; /* one per page of [base, span_end) */
};

struct refusal {
	const char *why;
	uint64_t block; /* the block involved, when block_order is set */
	int block_order;
};

static struct {
	struct range ranges[MAX_RANGES];
	uint8_t by_base[MAX_RANGES]; /* indices into ranges, by increasing base */
	unsigned range_count;
	struct page *free[PMM_ZONE_COUNT][PMM_MAX_ORDER + 1];
	struct pmm_stats stats;
	uint64_t hhdm;
} pmm;

static struct spinlock lock = SPINLOCK_INIT;

void *phys_to_virt(uint64_t phys)
{
	return (void *)(uintptr_t)(pmm.hhdm + phys);
}

uint64_t virt_to_phys(const void *virt)
{
	return (uint64_t)(uintptr_t)virt - pmm.hhdm;
}

static enum pmm_zone zone_of(uint64_t pfn)
{
	if (pfn < LOW_END_PFN)
		return PMM_ZONE_LOW;
	return pfn < DMA32_END_PFN ? PMM_ZONE_DMA32 : PMM_ZONE_NORMAL;
}

static uint64_t zone_end(enum pmm_zone z)
{
	if (z == PMM_ZONE_LOW)
		return LOW_END_PFN;
	return z == PMM_ZONE_DMA32 ? DMA32_END_PFN : UINT64_MAX;
}

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PMM_PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static uint64_t page_pfn(const struct page *p)
{
	const struct range *r = &pmm.ranges[p->range];
	return r->base + (uint64_t)(p - r->pages);
}

/* The range that manages pfn, or NULL: a binary search by base. */
static struct range *find_range(uint64_t pfn)
{
	unsigned lo = 0, hi = pmm.range_count;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (pmm.ranges[pmm.by_base[mid]].base <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	struct range *r = &pmm.ranges[pmm.by_base[lo - 1]];
	return pfn - r->base < r->count ? r : NULL;
}

/* The first page of the block that holds pfn (a page of r), or NULL if the metadata is broken. */
static struct page *block_head(const struct range *r, uint64_t pfn)
{
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
		uint64_t head = pfn & ~(ORDER_PAGES(o) - 1);
		if (head < r->base)
			break;
		struct page *p = &r->pages[head - r->base];
		if (p->state != PAGE_TAIL)
			return head + ORDER_PAGES(p->order) > pfn ? p : NULL;
	}
	return NULL;
}

static void push_free(struct page *p, unsigned order, enum pmm_zone z)
{
	struct page **head = &pmm.free[z][order];
	p->state = PAGE_FREE;
	p->order = (uint8_t)order;
	p->u.free.prev = NULL;
	p->u.free.next = *head;
	if (*head)
		(*head)->u.free.prev = p;
	*head = p;
	pmm.stats.free_blocks[z][order]++;
}

static void unlink_free(struct page *p, enum pmm_zone z)
{
	if (p->u.free.prev)
		p->u.free.prev->u.free.next = p->u.free.next;
	else
		pmm.free[z][p->order] = p->u.free.next;
	if (p->u.free.next)
		p->u.free.next->u.free.prev = p->u.free.prev;
	pmm.stats.free_blocks[z][p->order]--;
}

/* The largest order of an aligned block at pfn that ends by end. */
static unsigned largest_order(uint64_t pfn, uint64_t end)
{
	unsigned o = 0;
	while (o < PMM_MAX_ORDER && !(pfn & ORDER_PAGES(o)) && pfn + ORDER_PAGES(o + 1) <= end)
		o++;
	return o;
}

/* Put [pfn, end) of r, all in zone z, on the free lists as the fewest aligned blocks. */
static void release_segment(struct range *r, uint64_t pfn, uint64_t end, enum pmm_zone z)
{
	pmm.stats.total_pages[z] += end - pfn;
	pmm.stats.free_pages[z] += end - pfn;
	while (pfn < end) {
		unsigned o = largest_order(pfn, end);
		push_free(&r->pages[pfn - r->base], o, z);
		pfn += ORDER_PAGES(o);
	}
}

/* Fill in the metadata of range idx and free all its pages, zone by zone. */
static void range_setup(unsigned idx)
{
	struct range *r = &pmm.ranges[idx];
	for (uint64_t i = 0; i < r->count; i++)
		r->pages[i] = (struct page){ .state = PAGE_TAIL, .range = (uint8_t)idx };
	uint64_t pfn = r->base, end = r->base + r->count;
	while (pfn < end) {
		enum pmm_zone z = zone_of(pfn);
		uint64_t seg_end = end < zone_end(z) ? end : zone_end(z);
		release_segment(r, pfn, seg_end, z);
		pfn = seg_end;
	}
}

static void warn_unused(uint64_t b, uint64_t e)
{
	klog_warn("pmm: more than %u ranges, leaving 0x%llx-0x%llx unused", MAX_RANGES,
		  (unsigned long long)(b << PAGE_SHIFT), (unsigned long long)(e << PAGE_SHIFT));
}

static void range_remove(unsigned i)
{
	memmove(&pmm.ranges[i], &pmm.ranges[i + 1],
		(pmm.range_count - i - 1) * sizeof(pmm.ranges[0]));
	pmm.range_count--;
}

/* With the table full: drop its smallest range if smaller than pages. 1 if there is room now. */
static int evict_smaller(uint64_t pages)
{
	unsigned small = 0;
	for (unsigned i = 1; i < pmm.range_count; i++)
		if (pmm.ranges[i].count < pmm.ranges[small].count)
			small = i;
	if (pmm.ranges[small].count >= pages)
		return 0;
	warn_unused(pmm.ranges[small].base, pmm.ranges[small].span_end);
	range_remove(small);
	return 1;
}

/* Add frames [b, e) to the sorted table being built, merged with what they touch. */
static void span_insert(uint64_t b, uint64_t e)
{
	unsigned i = 0;
	while (i < pmm.range_count) {
		struct range *r = &pmm.ranges[i];
		if (r->base <= e && b <= r->span_end) {
			b = r->base < b ? r->base : b;
			e = r->span_end > e ? r->span_end : e;
			range_remove(i);
		} else {
			i++;
		}
	}
	if (pmm.range_count == MAX_RANGES && !evict_smaller(e - b)) {
		warn_unused(b, e);
		return;
	}
	for (i = 0; i < pmm.range_count && pmm.ranges[i].base < b; i++)
		;
	memmove(&pmm.ranges[i + 1], &pmm.ranges[i],
		(pmm.range_count - i) * sizeof(pmm.ranges[0]));
	pmm.ranges[i] = (struct range){ .base = b, .count = e - b, .span_end = e };
	pmm.range_count++;
}

/* One usable map entry: whole pages only, never page 0. */
static void span_add(uint64_t base, uint64_t size)
{
	if (base > UINT64_MAX - PMM_PAGE_SIZE)
		return;
	uint64_t end = base + size < base ? UINT64_MAX : base + size;
	uint64_t b = (base + PMM_PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t e = end >> PAGE_SHIFT;
	if (b == 0)
		b = 1;
	if (b < e)
		span_insert(b, e);
}

/*
 * Carve every range's page array, in one piece, off the end of the highest
 * range that holds them all. With at most MAX_RANGES ranges the largest one
 * always does (the arrays take 0.6% of the memory), so -1 is theoretical.
 */
static int carve_metadata(void)
{
	uint64_t bytes = 0;
	for (unsigned i = 0; i < pmm.range_count; i++)
		bytes += pmm.ranges[i].count * sizeof(struct page);
	uint64_t need = pages_for(bytes);
	for (unsigned i = pmm.range_count; i-- > 0;) {
		struct range *r = &pmm.ranges[i];
		if (r->count <= need)
			continue;
		r->count -= need;
		struct page *meta = phys_to_virt((r->base + r->count) << PAGE_SHIFT);
		for (unsigned j = 0; j < pmm.range_count; j++) {
			pmm.ranges[j].pages = meta;
			meta += pmm.ranges[j].span_end - pmm.ranges[j].base;
		}
		pmm.stats.metadata_bytes = need << PAGE_SHIFT;
		return 0;
	}
	return -1;
}

static int init_locked(const struct kosh_mem_range *map, uint32_t count, uint64_t hhdm)
{
	memset(&pmm, 0, sizeof(pmm));
	pmm.hhdm = hhdm;
	for (uint32_t i = 0; i < count; i++)
		if (map[i].type == KOSH_MEM_USABLE)
			span_add(map[i].base, map[i].size);
	if (!pmm.range_count || carve_metadata() < 0) {
		pmm.range_count = 0;
		return -1;
	}
	for (unsigned i = 0; i < pmm.range_count; i++) {
		pmm.by_base[i] = (uint8_t)i;
		range_setup(i);
	}
	return 0;
}

static uint64_t total_pages(void)
{
	const uint64_t *t = pmm.stats.total_pages;
	return t[PMM_ZONE_LOW] + t[PMM_ZONE_DMA32] + t[PMM_ZONE_NORMAL];
}

int pmm_init(const struct kosh_mem_range *map, uint32_t count, uint64_t hhdm)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	int err = init_locked(map, count, hhdm);
	struct pmm_stats s = pmm.stats;
	unsigned ranges = pmm.range_count;
	uint64_t total = total_pages();
	spin_unlock_irqrestore(&lock, flags);
	if (err) {
		klog_error("pmm: no usable memory");
		return -1;
	}
	klog_info("pmm: %llu KiB in %u ranges (low %llu, dma32 %llu, normal %llu pages), "
		  "metadata %llu KiB",
		  (unsigned long long)(total * 4), ranges,
		  (unsigned long long)s.total_pages[PMM_ZONE_LOW],
		  (unsigned long long)s.total_pages[PMM_ZONE_DMA32],
		  (unsigned long long)s.total_pages[PMM_ZONE_NORMAL],
		  (unsigned long long)(s.metadata_bytes >> 10));
	return 0;
}

static int overlaps_managed(uint64_t b, uint64_t e)
{
	for (unsigned i = 0; i < pmm.range_count; i++)
		if (b < pmm.ranges[i].span_end && pmm.ranges[i].base < e)
			return 1;
	return 0;
}

/* Keep by_base sorted with the new range idx in it. */
static void insert_by_base(unsigned idx)
{
	unsigned i = pmm.range_count - 1;
	for (; i > 0 && pmm.ranges[pmm.by_base[i - 1]].base > pmm.ranges[idx].base; i--)
		pmm.by_base[i] = pmm.by_base[i - 1];
	pmm.by_base[i] = (uint8_t)idx;
}

/* Why [base, base + size) cannot be added, or NULL once it has been. */
static const char *add_locked(uint64_t base, uint64_t size)
{
	if ((base | size) & (PMM_PAGE_SIZE - 1))
		return "not page-aligned";
	if (!size || base + size < base)
		return "empty or wrapping";
	uint64_t b = base >> PAGE_SHIFT, e = (base + size) >> PAGE_SHIFT;
	if (b == 0)
		b = 1;
	if (overlaps_managed(b, e))
		return "overlaps managed memory";
	if (pmm.range_count == MAX_RANGES)
		return "range table full";
	uint64_t meta = pages_for((e - b) * sizeof(struct page));
	if (e - b <= meta)
		return "too small to hold its own metadata";
	unsigned idx = pmm.range_count++;
	pmm.ranges[idx] = (struct range){ .base = b, .count = e - b - meta, .span_end = e,
					  .pages = phys_to_virt((e - meta) << PAGE_SHIFT) };
	insert_by_base(idx);
	pmm.stats.metadata_bytes += meta << PAGE_SHIFT;
	range_setup(idx);
	return NULL;
}

int pmm_add_range(uint64_t base, uint64_t size)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	const char *why = add_locked(base, size);
	spin_unlock_irqrestore(&lock, flags);
	if (why) {
		klog_warn("pmm: not adding 0x%llx+0x%llx: %s", (unsigned long long)base,
			  (unsigned long long)size, why);
		return -1;
	}
	return 0;
}

/* Take a free block of exactly order from zone z, splitting a larger one. */
static struct page *take_block(enum pmm_zone z, unsigned order)
{
	unsigned o = order;
	while (o <= PMM_MAX_ORDER && !pmm.free[z][o])
		o++;
	if (o > PMM_MAX_ORDER)
		return NULL;
	struct page *p = pmm.free[z][o];
	unlink_free(p, z);
	while (o > order) {
		o--;
		push_free(p + ORDER_PAGES(o), o, z);
	}
	uint8_t range = p->range;
	*p = (struct page){ .state = PAGE_USED, .order = (uint8_t)order, .range = range };
	pmm.stats.free_pages[z] -= ORDER_PAGES(order);
	return p;
}

/* The zones flags allow, in order of preference; returns how many. */
static unsigned allowed_zones(unsigned flags, enum pmm_zone zones[PMM_ZONE_COUNT])
{
	unsigned n = 0;
	if (!(flags & (PMM_LOW | PMM_DMA32)))
		zones[n++] = PMM_ZONE_NORMAL;
	if (!(flags & PMM_LOW))
		zones[n++] = PMM_ZONE_DMA32;
	zones[n++] = PMM_ZONE_LOW; /* last: the x86 AP trampoline needs it */
	return n;
}

uint64_t pmm_alloc(unsigned order, unsigned flags)
{
	enum pmm_zone zones[PMM_ZONE_COUNT];
	unsigned n = allowed_zones(flags, zones);
	struct page *p = NULL;
	uint64_t phys = 0;
	if (order > PMM_MAX_ORDER)
		return 0;
	uint64_t irq = spin_lock_irqsave(&lock);
	for (unsigned i = 0; i < n && !p; i++)
		p = take_block(zones[i], order);
	if (p)
		phys = page_pfn(p) << PAGE_SHIFT;
	spin_unlock_irqrestore(&lock, irq);
	if (phys && (flags & PMM_ZERO))
		memset(phys_to_virt(phys), 0, PMM_PAGE_SIZE << order);
	return phys;
}

/*
 * 1 if the block of order at pfn (in zone z of r) has a free buddy to merge
 * with. The zone test never fires today (page 0 is never managed, so no LOW
 * block reaches order 8, and 4 GiB is aligned beyond PMM_MAX_ORDER); it keeps
 * that true if either changes.
 */
static int free_buddy(const struct range *r, uint64_t pfn, unsigned order, enum pmm_zone z)
{
	uint64_t buddy = pfn ^ ORDER_PAGES(order);
	if (buddy < r->base || buddy + ORDER_PAGES(order) > r->base + r->count ||
	    zone_of(buddy) != z)
		return 0;
	const struct page *b = &r->pages[buddy - r->base];
	return b->state == PAGE_FREE && b->order == order;
}

/* Give back the block at p (in use, of order), merging it with free buddies. */
static void release_block(struct page *p, unsigned order)
{
	const struct range *r = &pmm.ranges[p->range];
	uint64_t pfn = page_pfn(p);
	enum pmm_zone z = zone_of(pfn);
	pmm.stats.free_pages[z] += ORDER_PAGES(order);
	p->state = PAGE_TAIL;
	for (; order < PMM_MAX_ORDER && free_buddy(r, pfn, order, z); order++) {
		struct page *b = &r->pages[(pfn ^ ORDER_PAGES(order)) - r->base];
		unlink_free(b, z);
		b->state = PAGE_TAIL;
		pfn &= ~ORDER_PAGES(order);
	}
	push_free(&r->pages[pfn - r->base], order, z);
}

static struct page *refuse(struct refusal *no, const char *why, const struct page *block)
{
	no->why = why;
	no->block_order = block ? block->order : -1;
	no->block = block ? page_pfn(block) << PAGE_SHIFT : 0;
	return NULL;
}

/* The block pmm_free(phys, order) may free, or NULL with the reason in *no. */
static struct page *check_free(uint64_t phys, unsigned order, struct refusal *no)
{
	if (phys & (PMM_PAGE_SIZE - 1))
		return refuse(no, "not page-aligned", NULL);
	if (order > PMM_MAX_ORDER)
		return refuse(no, "order above the largest", NULL);
	const struct range *r = find_range(phys >> PAGE_SHIFT);
	if (!r)
		return refuse(no, "not memory the allocator manages", NULL);
	struct page *p = block_head(r, phys >> PAGE_SHIFT);
	if (!p)
		return refuse(no, "metadata inconsistent", NULL);
	if (p->state == PAGE_FREE)
		return refuse(no, "already free (double free)", p);
	if (page_pfn(p) != phys >> PAGE_SHIFT)
		return refuse(no, "not the start of its block", p);
	if (p->order != order)
		return refuse(no, "allocated with another order", p);
	return p;
}

int pmm_free(uint64_t phys, unsigned order)
{
	struct refusal no;
	uint64_t flags = spin_lock_irqsave(&lock);
	struct page *p = check_free(phys, order, &no);
	if (p)
		release_block(p, order);
	spin_unlock_irqrestore(&lock, flags);
	if (p)
		return 0;
	if (no.block_order < 0)
		klog_warn("pmm: refusing to free 0x%llx order %u: %s", (unsigned long long)phys,
			  order, no.why);
	else
		klog_warn("pmm: refusing to free 0x%llx order %u: %s (block 0x%llx order %d)",
			  (unsigned long long)phys, order, no.why, (unsigned long long)no.block,
			  no.block_order);
	return -1;
}

void pmm_get_stats(struct pmm_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	*out = pmm.stats;
	spin_unlock_irqrestore(&lock, flags);
}

/* The page at phys, or NULL if phys is not a managed page's start. */
static struct page *page_at(uint64_t phys)
{
	const struct range *r = find_range(phys >> PAGE_SHIFT);
	if (!r || (phys & (PMM_PAGE_SIZE - 1)))
		return NULL;
	return &r->pages[(phys >> PAGE_SHIFT) - r->base];
}

int pmm_set_owner(uint64_t phys, uint32_t tag, void *owner)
{
	int err = -1;
	uint64_t flags = spin_lock_irqsave(&lock);
	struct page *p = page_at(phys);
	if (p && p->state == PAGE_USED) {
		p->tag = tag;
		p->u.owner = owner;
		err = 0;
	}
	spin_unlock_irqrestore(&lock, flags);
	return err;
}

int pmm_find_block(uint64_t phys, struct pmm_block *out)
{
	int err = -1;
	uint64_t flags = spin_lock_irqsave(&lock);
	const struct range *r = find_range(phys >> PAGE_SHIFT);
	const struct page *p = r ? block_head(r, phys >> PAGE_SHIFT) : NULL;
	if (p && p->state == PAGE_USED) {
		*out = (struct pmm_block){ .phys = page_pfn(p) << PAGE_SHIFT, .order = p->order,
					   .tag = p->tag, .owner = p->u.owner };
		err = 0;
	}
	spin_unlock_irqrestore(&lock, flags);
	return err;
}

/* Check the block at pfn of r and count it into *seen: NULL, or what is wrong. */
static const char *check_block(const struct range *r, uint64_t pfn, struct pmm_stats *seen)
{
	const struct page *p = &r->pages[pfn - r->base];
	enum pmm_zone z = zone_of(pfn);
	if (p->state != PAGE_FREE && p->state != PAGE_USED)
		return "a block starts with a tail page";
	if (p->order > PMM_MAX_ORDER)
		return "a block has an impossible order";
	uint64_t n = ORDER_PAGES(p->order);
	if ((pfn & (n - 1)) || pfn + n > r->base + r->count)
		return "a block is misaligned or leaves its range";
	if (zone_of(pfn + n - 1) != z)
		return "a block straddles a zone boundary";
	for (uint64_t i = 1; i < n; i++)
		if (p[i].state != PAGE_TAIL)
			return "a block holds another block's first page";
	if (p->state != PAGE_FREE)
		return NULL;
	/* Blocks of the top order have no buddy to merge with. */
	if (p->order < PMM_MAX_ORDER && free_buddy(r, pfn, p->order, z))
		return "two free buddies were not merged";
	seen->free_pages[z] += n;
	seen->free_blocks[z][p->order]++;
	return NULL;
}

/* Check every block of r, counting free ones into *seen; *at is the last looked at. */
static const char *check_range(const struct range *r, struct pmm_stats *seen, uint64_t *at)
{
	for (*at = r->base; *at < r->base + r->count;) {
		const char *why = check_block(r, *at, seen);
		if (why)
			return why;
		*at += ORDER_PAGES(r->pages[*at - r->base].order);
	}
	return NULL;
}

/* Walk the free list of zone z and order o: NULL, or what is wrong. */
static const char *check_list(enum pmm_zone z, unsigned o, uint64_t *at)
{
	uint64_t n = 0;
	const struct page *prev = NULL;
	for (const struct page *p = pmm.free[z][o]; p; prev = p, p = p->u.free.next) {
		*at = page_pfn(p);
		if (p->state != PAGE_FREE || p->order != o || zone_of(*at) != z)
			return "a free list holds a block of another state, order or zone";
		if (p->u.free.prev != prev)
			return "a free list's back link is wrong";
		if (++n > pmm.stats.free_blocks[z][o])
			return "a free list is longer than its count";
	}
	return n == pmm.stats.free_blocks[z][o] ? NULL : "a free list is shorter than its count";
}

static const char *check_locked(uint64_t *at)
{
	struct pmm_stats seen;
	memset(&seen, 0, sizeof(seen));
	for (unsigned i = 0; i < pmm.range_count; i++) {
		const char *why = check_range(&pmm.ranges[i], &seen, at);
		if (why)
			return why;
	}
	*at = 0;
	if (memcmp(seen.free_pages, pmm.stats.free_pages, sizeof(seen.free_pages)) ||
	    memcmp(seen.free_blocks, pmm.stats.free_blocks, sizeof(seen.free_blocks)))
		return "the free counts do not match the blocks";
	for (unsigned z = 0; z < PMM_ZONE_COUNT; z++)
		for (unsigned o = 0; o <= PMM_MAX_ORDER; o++) {
			const char *why = check_list((enum pmm_zone)z, o, at);
			if (why)
				return why;
		}
	return NULL;
}

int pmm_check(void)
{
	uint64_t at = 0;
	uint64_t flags = spin_lock_irqsave(&lock);
	const char *why = check_locked(&at);
	spin_unlock_irqrestore(&lock, flags);
	if (why)
		klog_warn("pmm: check failed at 0x%llx: %s", (unsigned long long)(at << PAGE_SHIFT),
			  why);
	return why ? -1 : 0;
}
