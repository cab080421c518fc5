/* SPDX-License-Identifier: MIT */
/*
 * The portable four-level page-table walker and builder (see kosh/pagetable.h);
 * entries are encoded by <arch/pte.h>.
 *
 * Every operation over a range is one recursive walk (for_entries) that applies a
 * per-operation function to each entry the range meets, descending into tables.
 * Changes that can fail come first and change no translation: argument checks,
 * the overlap check of map, the coverage check of protect, and the splitting of
 * large pages at the two edges of an unmap or protect range. After that nothing
 * can fail. Tables that an unmap empties are unlinked, the flush hook is called
 * once for everything that went stale (the tables' whole spans included, for the
 * walk caches), and only then are they freed. Where the architecture requires
 * break-before-make, a large page being split is made invalid and flushed before
 * its table goes in, and a protect that changes memory types parks the new
 * leaves invalid until one flush has dropped the old ones.
 */
#include <kosh/pagetable.h>
#include <kosh/string.h>

#include <arch/pte.h>

#define LEAF_LEVEL (PT_LEVELS - 1)

/* One walk over a range: the function applied to each entry it meets, and its state. */
struct op {
	struct pagetable *pt;
	int (*entry)(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last);
	uint64_t delta; /* map: pa - va */
	uint32_t flags; /* map, protect: PT_* and options */
	int dirty;      /* protect, unmap: [flush_lo, flush_last] went stale */
	int parked;     /* protect: some leaves wait, invalid, for the flush */
	uint64_t flush_lo, flush_last;
	uint64_t freed; /* unmap: tables to free after the flush, linked through entry 0 */
	int (*fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags); /* walk */
	void *ctx;
};

static uint64_t level_size(int level)
{
	return 1ull << (12 + 9 * (LEAF_LEVEL - level));
}

static unsigned level_index(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (LEAF_LEVEL - level))) & (PT_ENTRIES - 1);
}

static uint64_t leaf_base(uint64_t va, int level)
{
	return va & ~(level_size(level) - 1);
}

static uint64_t *table_at(const struct pagetable *pt, uint64_t phys)
{
	return pt->alloc.virt(pt->alloc.ctx, phys);
}

static uint64_t root_of(const struct pagetable *pt, uint64_t va)
{
	return (va >> 63) ? pt->root_hi : pt->root_lo;
}

/* 0 for the lower half, 1 for the upper half, -1 for the hole between them. */
static int half_of(uint64_t va)
{
	if (va < PTE_LOWER_END)
		return 0;
	return va >= PTE_UPPER_BASE ? 1 : -1;
}

/* One store, never torn or elided: the table walker may be reading the entry. */
static void set_entry(uint64_t *e, uint64_t pte)
{
	__atomic_store_n(e, pte, __ATOMIC_RELAXED);
}

static void flush(struct pagetable *pt, uint64_t va, uint64_t size)
{
	if (pt->flush)
		pt->flush(pt->flush_ctx, va, size);
}

static int alloc_table(struct pagetable *pt, uint64_t *phys)
{
	uint64_t p = pt->alloc.alloc(pt->alloc.ctx);
	if (!p)
		return PT_E_NOMEM;
	pt->tables++;
	*phys = p;
	return PT_OK;
}

static void free_table(struct pagetable *pt, uint64_t phys)
{
	pt->alloc.free(pt->alloc.ctx, phys);
	pt->tables--;
}

static int check_flags(uint32_t flags)
{
	if ((flags & PT_WRITE) && (flags & PT_EXEC))
		return PT_E_WX;
	if (flags & ~(PT_ATTR_MASK | PT_SKIP_MAPPED))
		return PT_E_INVAL;
	if (((flags & PT_DEVICE) && (flags & PT_WC)) || ((flags & PT_USER) && (flags & PT_GLOBAL)))
		return PT_E_INVAL;
	return PT_OK;
}

/* A non-empty, page-aligned range inside one half that this table may change. */
static int check_range(const struct pagetable *pt, uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;
	int half = half_of(va);
	if (!size)
		return PT_E_INVAL;
	if ((va | size) & (PT_PAGE_SIZE - 1))
		return PT_E_ALIGN;
	if (last < va || half < 0 || half_of(last) != half || (half && pt->shared_hi))
		return PT_E_RANGE;
	return root_of(pt, va) ? PT_OK : PT_E_RANGE;
}

/* Apply op->entry to each entry of the table at level that [va, last] meets. */
static int for_entries(struct op *op, uint64_t table, int level, uint64_t va, uint64_t last)
{
	uint64_t *t = table_at(op->pt, table);
	for (;;) {
		uint64_t stop = va | (level_size(level) - 1);
		if (stop > last)
			stop = last;
		int err = op->entry(op, &t[level_index(va, level)], level, va, stop);
		if (err || stop == last)
			return err;
		va = stop + 1;
	}
}

/* Into the table *e points to; x86 wants U/S on every level above a user leaf. */
static int descend(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last)
{
	uint64_t user = pte_table(0, PT_USER) & ~pte_table(0, 0);
	if ((op->flags & PT_USER) && (*e & user) != user)
		set_entry(e, *e | user);
	return for_entries(op, pte_phys(*e, level), level + 1, va, last);
}

static int run(struct op *op, uint64_t va, uint64_t size)
{
	return for_entries(op, root_of(op->pt, va), 0, va, va + size - 1);
}

static void note_flush(struct op *op, uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;
	if (!op->dirty || va < op->flush_lo)
		op->flush_lo = va;
	if (!op->dirty || last > op->flush_last)
		op->flush_last = last;
	op->dirty = 1;
}

static void flush_op(struct op *op, uint64_t va)
{
	if (op->dirty)
		flush(op->pt, op->flush_lo, op->flush_last - op->flush_lo + 1);
	else
		flush(op->pt, va, 0); /* edge splits may have written tables */
}

/* Swap a valid entry for another valid one, breaking it first where required. */
static void replace(struct pagetable *pt, uint64_t *e, uint64_t pte, uint64_t va, uint64_t size)
{
	if (pte_break_before_make()) {
		set_entry(e, 0);
		flush(pt, va, size);
		set_entry(e, pte);
	} else {
		set_entry(e, pte);
		flush(pt, va, size);
	}
}

/* Turn the large leaf *e (at level, holding va) into a table of 512 smaller leaves. */
static int split_leaf(struct pagetable *pt, uint64_t *e, int level, uint64_t va)
{
	uint64_t table, pa = pte_phys(*e, level), sub = level_size(level + 1);
	uint32_t flags = pte_flags(*e, level, pt->features);
	int err = alloc_table(pt, &table);
	if (err)
		return err;
	uint64_t *t = table_at(pt, table);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = pte_leaf(pa + i * sub, level + 1, flags, pt->features);
	replace(pt, e, pte_table(table, flags), leaf_base(va, level), level_size(level));
	return PT_OK;
}

/* Split large leaves until one starts at va. */
static int split_at(struct pagetable *pt, uint64_t va)
{
	uint64_t table = root_of(pt, va);
	for (int level = 0; level < LEAF_LEVEL; level++) {
		uint64_t *e = &table_at(pt, table)[level_index(va, level)];
		if (!pte_present(*e))
			return PT_OK;
		if (!pte_is_table(*e, level)) {
			if (!(va & (level_size(level) - 1)))
				return PT_OK;
			int err = split_leaf(pt, e, level, va);
			if (err)
				return err;
		}
		table = pte_phys(*e, level);
	}
	return PT_OK;
}

/* Leaves start at va and end at va + size; nothing else changes. */
static int split_edges(struct pagetable *pt, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;
	int err = split_at(pt, va);
	if (!err && end && half_of(end) == half_of(va))
		err = split_at(pt, end);
	return err;
}

int pagetable_init(struct pagetable *pt, const struct pt_alloc *alloc, uint32_t features)
{
	memset(pt, 0, sizeof(*pt));
	pt->alloc = *alloc;
	pt->features = features;
	int err = alloc_table(pt, &pt->root_lo);
	if (!err && pte_split_roots())
		err = alloc_table(pt, &pt->root_hi);
	else
		pt->root_hi = pt->root_lo;
	if (err)
		pagetable_destroy(pt, 0);
	return err;
}

int pagetable_init_user(struct pagetable *pt, const struct pagetable *kernel)
{
	memset(pt, 0, sizeof(*pt));
	pt->alloc = kernel->alloc;
	pt->features = kernel->features;
	pt->shared_hi = 1;
	int err = alloc_table(pt, &pt->root_lo);
	if (err)
		return err;
	pt->root_hi = kernel->root_hi;
	if (!pte_split_roots()) {
		const uint64_t *from = table_at(kernel, kernel->root_hi);
		uint64_t *to = table_at(pt, pt->root_lo);
		for (unsigned i = level_index(PTE_UPPER_BASE, 0); i < PT_ENTRIES; i++)
			to[i] = from[i];
		pt->root_hi = pt->root_lo;
	}
	return PT_OK;
}

int pagetable_share_upper(struct pagetable *pt)
{
	if (pte_split_roots())
		return PT_OK;
	uint64_t *root = table_at(pt, pt->root_hi);
	for (unsigned i = level_index(PTE_UPPER_BASE, 0); i < PT_ENTRIES; i++) {
		uint64_t table;
		if (pte_present(root[i]))
			continue;
		int err = alloc_table(pt, &table);
		if (err)
			return err;
		set_entry(&root[i], pte_table(table, 0));
	}
	pt->pinned_hi = 1;
	return PT_OK;
}

static int stop_at_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	return 1;
}

static int leaf_fits(const struct op *op, int level, uint64_t va, uint64_t last)
{
	uint64_t mask = level_size(level) - 1;
	return level >= pte_min_leaf_level(op->pt->features) && !(va & mask) &&
	       !((va + op->delta) & mask) && last - va == mask;
}

static int map_entry(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last)
{
	if (pte_present(*e) && !pte_is_table(*e, level))
		return (op->flags & PT_SKIP_MAPPED) ? PT_OK : PT_E_EXISTS;
	if (!pte_present(*e) && leaf_fits(op, level, va, last)) {
		set_entry(e, pte_leaf(va + op->delta, level, op->flags & PT_ATTR_MASK,
				      op->pt->features));
		return PT_OK;
	}
	if (!pte_present(*e)) {
		uint64_t table;
		int err = alloc_table(op->pt, &table);
		if (err)
			return err;
		set_entry(e, pte_table(table, op->flags));
	}
	return descend(op, e, level, va, last);
}

static int check_map(const struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size,
		     uint32_t flags)
{
	int err = check_flags(flags);
	if (!err)
		err = check_range(pt, va, size);
	if (!err && (pa & (PT_PAGE_SIZE - 1)))
		err = PT_E_ALIGN;
	if (!err && (pa >= PTE_PHYS_LIMIT || PTE_PHYS_LIMIT - pa < size))
		err = PT_E_RANGE;
	return err;
}

int pagetable_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	struct op op = { .pt = pt, .entry = map_entry, .delta = pa - va, .flags = flags };
	int err = check_map(pt, va, pa, size, flags);
	if (err)
		return err;
	if (!(flags & PT_SKIP_MAPPED) && pagetable_walk(pt, va, size, stop_at_leaf, NULL))
		return PT_E_EXISTS;
	err = run(&op, va, size);
	/* The range was empty: nothing straddles it, so unmapping needs no split. */
	if (err && !(flags & PT_SKIP_MAPPED))
		(void)pagetable_unmap(pt, va, size);
	flush(pt, va, 0);
	return err;
}

static int table_empty(const struct pagetable *pt, uint64_t table)
{
	const uint64_t *t = table_at(pt, table);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (pte_present(t[i]))
			return 0;
	return 1;
}

/* Unlink the table *e points to if it is empty; it is freed after the flush. */
static void drop_if_empty(struct op *op, uint64_t *e, int level, uint64_t va)
{
	uint64_t table = pte_phys(*e, level);
	if (level == 0 && op->pt->pinned_hi && (va >> 63))
		return; /* shared with user roots (pagetable_share_upper) */
	if (!table_empty(op->pt, table))
		return;
	set_entry(e, 0);
	note_flush(op, leaf_base(va, level), level_size(level));
	table_at(op->pt, table)[0] = op->freed; /* page-aligned: reads as invalid */
	op->freed = table;
}

static int unmap_entry(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last)
{
	if (!pte_present(*e))
		return PT_OK;
	if (!pte_is_table(*e, level)) {
		/* After split_edges every leaf met lies wholly inside the range. */
		set_entry(e, 0);
		note_flush(op, leaf_base(va, level), level_size(level));
		return PT_OK;
	}
	descend(op, e, level, va, last);
	drop_if_empty(op, e, level, va);
	return PT_OK;
}

static void free_list(struct pagetable *pt, uint64_t table)
{
	while (table) {
		uint64_t *t = table_at(pt, table);
		uint64_t next = t[0];
		t[0] = 0;
		free_table(pt, table);
		table = next;
	}
}

int pagetable_unmap(struct pagetable *pt, uint64_t va, uint64_t size)
{
	struct op op = { .pt = pt, .entry = unmap_entry };
	int err = check_range(pt, va, size);
	if (!err)
		err = split_edges(pt, va, size);
	if (err)
		return err;
	run(&op, va, size);
	flush_op(&op, va);
	free_list(pt, op.freed);
	return PT_OK;
}

static int memory_type(uint64_t pte, int level, uint32_t features)
{
	return pte_flags(pte, level, features) & (PT_DEVICE | PT_WC);
}

/*
 * Give a leaf its new attributes. Where break-before-make applies and the memory
 * type changes, the new entry is parked (invalid) until the flush has dropped
 * the old one; unpark_entry makes it valid afterwards.
 */
static int protect_entry(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last)
{
	uint32_t features = op->pt->features;
	if (pte_is_table(*e, level))
		return descend(op, e, level, va, last);
	uint64_t pte = pte_leaf(pte_phys(*e, level), level, op->flags, features);
	if (!pte_present(*e) || pte == *e)
		return PT_OK;
	if (pte_break_before_make() &&
	    memory_type(pte, level, features) != memory_type(*e, level, features)) {
		pte = pte_parked(pte);
		op->parked = 1;
	}
	set_entry(e, pte);
	note_flush(op, leaf_base(va, level), level_size(level));
	return PT_OK;
}

/* Only parked leaves are invalid and non-zero: empty entries are 0. */
static int unpark_entry(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last)
{
	if (pte_is_table(*e, level))
		return descend(op, e, level, va, last);
	if (!pte_present(*e) && *e)
		set_entry(e, pte_unparked(*e));
	return PT_OK;
}

struct coverage {
	uint64_t va, last, bytes;
};

static int count_mapped(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	struct coverage *c = ctx;
	uint64_t lo = va > c->va ? va : c->va;
	uint64_t hi = va + size - 1 < c->last ? va + size - 1 : c->last;
	c->bytes += hi - lo + 1;
	return 0;
}

static int check_protect(const struct pagetable *pt, uint64_t va, uint64_t size, uint32_t flags)
{
	struct coverage c = { va, va + size - 1, 0 };
	int err = check_flags(flags);
	if (!err && (flags & PT_SKIP_MAPPED))
		err = PT_E_INVAL;
	if (!err)
		err = check_range(pt, va, size);
	if (!err)
		pagetable_walk(pt, va, size, count_mapped, &c);
	if (!err && c.bytes != size)
		err = PT_E_NOT_MAPPED;
	return err;
}

int pagetable_protect(struct pagetable *pt, uint64_t va, uint64_t size, uint32_t flags)
{
	struct op op = { .pt = pt, .entry = protect_entry, .flags = flags };
	int err = check_protect(pt, va, size, flags);
	if (!err)
		err = split_edges(pt, va, size);
	if (err)
		return err;
	run(&op, va, size);
	flush_op(&op, va);
	if (op.parked) {
		op.entry = unpark_entry;
		run(&op, va, size);
		flush(pt, va, 0);
	}
	return PT_OK;
}

int pagetable_query(const struct pagetable *pt, uint64_t va, uint64_t *pa, uint32_t *flags,
		    uint64_t *page_size)
{
	uint64_t table = root_of(pt, va);
	if (half_of(va) < 0 || !table)
		return PT_E_RANGE;
	for (int level = 0; level < PT_LEVELS; level++) {
		uint64_t e = table_at(pt, table)[level_index(va, level)];
		if (!pte_present(e))
			return PT_E_NOT_MAPPED;
		if (pte_is_table(e, level)) {
			table = pte_phys(e, level);
			continue;
		}
		if (pa)
			*pa = pte_phys(e, level) + (va & (level_size(level) - 1));
		if (flags)
			*flags = pte_flags(e, level, pt->features);
		if (page_size)
			*page_size = level_size(level);
		return PT_OK;
	}
	return PT_E_NOT_MAPPED;
}

static int walk_entry(struct op *op, uint64_t *e, int level, uint64_t va, uint64_t last)
{
	if (pte_is_table(*e, level))
		return descend(op, e, level, va, last);
	if (!pte_present(*e))
		return 0;
	return op->fn(op->ctx, leaf_base(va, level), pte_phys(*e, level), level_size(level),
		      pte_flags(*e, level, op->pt->features));
}

int pagetable_walk(const struct pagetable *pt, uint64_t va, uint64_t size,
		   int (*fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags),
		   void *ctx)
{
	/* The walk only reads: descend() writes nothing without PT_USER in op.flags. */
	struct op op = { .pt = (struct pagetable *)pt, .entry = walk_entry, .fn = fn, .ctx = ctx };
	uint64_t last = va + size - 1;
	if (!size)
		return 0;
	if (last < va || half_of(va) < 0 || half_of(last) != half_of(va) || !root_of(pt, va))
		return PT_E_RANGE;
	return run(&op, va, size);
}

int pagetable_walk_all(const struct pagetable *pt,
		       int (*fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size,
				 uint32_t flags),
		       void *ctx)
{
	int r = 0;
	if (pt->root_lo)
		r = pagetable_walk(pt, 0, PTE_LOWER_END, fn, ctx);
	if (!r && pt->root_hi && !pt->shared_hi)
		r = pagetable_walk(pt, PTE_UPPER_BASE, 0 - PTE_UPPER_BASE, fn, ctx);
	return r;
}

/* Free every table below entries [first, last] of a table (not the table itself). */
static void free_below(struct pagetable *pt, uint64_t table, int level, unsigned first,
		       unsigned last)
{
	uint64_t *t = table_at(pt, table);
	for (unsigned i = first; i <= last; i++) {
		if (!pte_is_table(t[i], level))
			continue;
		uint64_t child = pte_phys(t[i], level);
		free_below(pt, child, level + 1, 0, PT_ENTRIES - 1);
		t[i] = 0;
		free_table(pt, child);
	}
}

static void free_roots(struct pagetable *pt, int upper)
{
	if (pte_split_roots()) {
		if (pt->root_lo)
			free_table(pt, pt->root_lo);
		pt->root_lo = 0;
		if (upper && pt->root_hi)
			free_table(pt, pt->root_hi);
		if (upper || pt->shared_hi)
			pt->root_hi = 0;
	} else if ((upper || pt->shared_hi) && pt->root_lo) {
		free_table(pt, pt->root_lo);
		pt->root_lo = pt->root_hi = 0;
	}
}

void pagetable_destroy(struct pagetable *pt, int lower_only)
{
	int upper = !lower_only && !pt->shared_hi;
	if (pt->root_lo) {
		flush(pt, 0, PTE_LOWER_END);
		free_below(pt, pt->root_lo, 0, 0, level_index(PTE_LOWER_END - 1, 0));
	}
	if (upper && pt->root_hi) {
		flush(pt, PTE_UPPER_BASE, 0 - PTE_UPPER_BASE);
		free_below(pt, pt->root_hi, 0, level_index(PTE_UPPER_BASE, 0), PT_ENTRIES - 1);
	}
	free_roots(pt, upper);
}

const char *pagetable_strerror(int err)
{
	switch (err) {
	case PT_OK:
		return "success";
	case PT_E_NOMEM:
		return "out of memory for page tables";
	case PT_E_EXISTS:
		return "already mapped";
	case PT_E_WX:
		return "writable and executable at once";
	case PT_E_ALIGN:
		return "address or size not page-aligned";
	case PT_E_RANGE:
		return "address range not allowed here";
	case PT_E_NOT_MAPPED:
		return "not mapped";
	case PT_E_INVAL:
		return "invalid flags or empty range";
	default:
		return "unknown page-table error";
	}
}

static uint32_t hhdm_flags(uint32_t type)
{
	switch (type) {
	case KOSH_MEM_RESERVED:
		return 0; /* not mapped as RAM: may be secure or absent memory */
	case KOSH_MEM_MMIO:
		return PT_WRITE | PT_DEVICE;
	default:
		return PT_WRITE;
	}
}

int pagetable_map_hhdm(struct pagetable *pt, uint64_t hhdm_base, const struct kosh_mem_range *map,
		       uint32_t count, const struct kosh_framebuffer *fb, uint32_t extra)
{
	int err = PT_OK;
	for (uint32_t i = 0; i < count && !err; i++) {
		uint32_t flags = hhdm_flags(map[i].type);
		if (flags)
			err = pagetable_map(pt, hhdm_base + map[i].base, map[i].base, map[i].size,
					    flags | extra);
	}
	if (!err && fb && fb->phys) {
		uint64_t base = fb->phys & ~(PT_PAGE_SIZE - 1);
		uint64_t end = (fb->phys + fb->size + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
		err = pagetable_map(pt, hhdm_base + base, base, end - base,
				    PT_WRITE | PT_WC | PT_SKIP_MAPPED | extra);
	}
	if (!err) /* where PCs and boards keep their APIC, IOAPIC, HPET, UART, GIC */
		err = pagetable_map(pt, hhdm_base, 0, 4ull << 30,
				    PT_WRITE | PT_DEVICE | PT_SKIP_MAPPED | extra);
	return err;
}
