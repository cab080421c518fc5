/* SPDX-License-Identifier: MIT */
/*
 * Address spaces (see space.h). Each operation validates everything first,
 * then takes what it may need (quota and memory for mapping records that a
 * split adds), then changes the page tables, which either succeed or change
 * no translation, and only then edits the mapping records, which cannot fail.
 *
 * Table pages: after vm_space_create, the space's pagetable allocates through
 * hooks here that charge each table page to the space's quota before taking it
 * from the pmm and uncharge it when it is freed; the root is charged up front.
 * So a map that would pass the quota fails with KOSH_E_NO_MEMORY and the
 * page-table code undoes it.
 *
 * TLB: every translation removed or changed goes through the space's flush
 * hook (space_flush: the CPUs that have the space loaded, only). space_activate
 * remembers which space each CPU runs on: activating the same one again keeps the TLB, and a space
 * destroyed while this CPU still runs on it (its process's last thread just
 * exited here) is left first, so no CPU ever walks a freed root.
 *
 * Locking: everything runs under the big kernel lock (kentry.h: every system
 * call and the scheduler hold it), so the mapping records, the frames' lists
 * and the active table need no lock of their own; the vm_space's spinlock
 * still guards its tables, as vm.c does.
 */
#include "space.h"

#include "arch.h"
#include "cpu.h"
#include "frame.h"
#include "kheap.h"
#include "klog.h"
#include "pmm.h"
#include "quota.h"
#include "smp.h"
#include "usercopy.h"

#define PAGE PT_PAGE_SIZE

/* The space each CPU runs on (space_activate), so a destroyed one is left first. */
static struct space *active[MAX_CPUS];

static kosh_err_t from_pt(int err)
{
	switch (err) {
	case PT_OK:
		return KOSH_OK;
	case PT_E_NOMEM:
		return KOSH_E_NO_MEMORY;
	case PT_E_EXISTS:
		return KOSH_E_ALREADY_EXISTS;
	case PT_E_RANGE:
		return KOSH_E_OUT_OF_RANGE;
	case PT_E_NOT_MAPPED:
		return KOSH_E_NOT_FOUND;
	default:
		return KOSH_E_INVALID_ARGUMENT;
	}
}

/* ---- table pages, charged to the space's quota ---- */

static uint64_t table_alloc(void *ctx)
{
	struct space *s = ctx;
	if (quota_charge(s->quota, PAGE))
		return 0;
	uint64_t phys = pmm_alloc(0, PMM_ZERO);
	if (!phys)
		quota_uncharge(s->quota, PAGE);
	return phys;
}

static void table_free(void *ctx, uint64_t phys)
{
	struct space *s = ctx;
	pmm_free(phys, 0);
	quota_uncharge(s->quota, PAGE);
}

static void *table_virt(void *ctx, uint64_t phys)
{
	return phys_to_virt(phys);
}

/* ---- mapping records ---- */

static struct mapping *next_of(const struct space *s, const struct mapping *m)
{
	struct list *n = m->space_link.next;
	return n == &s->mappings ? NULL : list_entry(n, struct mapping, space_link);
}

static uint64_t end_of(const struct mapping *m)
{
	return m->va + m->size;
}

/* A record charged to s's quota: KOSH_E_NO_MEMORY with nothing charged. */
static kosh_err_t record_alloc(struct space *s, struct mapping **out)
{
	if (quota_charge(s->quota, sizeof(struct mapping)))
		return KOSH_E_NO_MEMORY;
	struct mapping *m = kzalloc(sizeof(*m));
	if (!m) {
		quota_uncharge(s->quota, sizeof(struct mapping));
		return KOSH_E_NO_MEMORY;
	}
	list_init(&m->space_link);
	list_init(&m->frame_link);
	*out = m;
	return KOSH_OK;
}

static void record_free(struct space *s, struct mapping *m)
{
	if (!m)
		return;
	kfree(m);
	quota_uncharge(s->quota, sizeof(struct mapping));
}

/* Take m off its space and frame lists and free it (the pages are already unmapped). */
static void record_drop(struct space *s, struct mapping *m)
{
	list_remove(&m->space_link);
	list_remove(&m->frame_link);
	s->count--;
	record_free(s, m);
}

/* Fill spare as the part [va, va + size) of m, on m's frame, after prev in s. */
static void record_part(struct space *s, struct mapping *spare, const struct mapping *m,
			uint64_t va, uint64_t size, struct list *prev)
{
	spare->space = s;
	spare->frame = m->frame;
	spare->va = va;
	spare->size = size;
	spare->offset = m->offset + (va - m->va);
	spare->rights = m->rights;
	spare->max_rights = m->max_rights;
	list_insert_between(&spare->space_link, prev, prev->next);
	list_add_tail(&m->frame->mappings, &spare->frame_link);
	s->count++;
}

/* Make m start at va (inside it). */
static void record_trim_head(struct mapping *m, uint64_t va)
{
	m->offset += va - m->va;
	m->size -= va - m->va;
	m->va = va;
}

/* The first mapping that ends above va, or NULL. */
static struct mapping *first_from(const struct space *s, uint64_t va)
{
	list_for_each(pos, &s->mappings) {
		struct mapping *m = list_entry(pos, struct mapping, space_link);
		if (end_of(m) > va)
			return m;
	}
	return NULL;
}

/* The first mapping of [va, end) if mappings cover every page of it, else NULL. */
static struct mapping *covering(const struct space *s, uint64_t va, uint64_t end)
{
	struct mapping *first = first_from(s, va);
	uint64_t at = va;
	for (struct mapping *m = first; m && at < end; m = next_of(s, m)) {
		if (m->va > at)
			return NULL;
		at = end_of(m);
	}
	return at >= end ? first : NULL;
}

/* ---- checks ---- */

static int rights_ok(uint32_t rights)
{
	uint32_t wx = KOSH_RIGHT_WRITE | KOSH_RIGHT_EXECUTE;
	/* Page tables cannot refuse reads: a mapping without READ would still allow them. */
	return (rights & KOSH_RIGHT_READ) && !(rights & ~KOSH_MAP_RIGHTS) && (rights & wx) != wx;
}

static kosh_err_t check_range(uint64_t va, uint64_t size)
{
	if (!size || (va | size) % PAGE)
		return KOSH_E_INVALID_ARGUMENT;
	return user_range_ok(va, size) ? KOSH_OK : KOSH_E_OUT_OF_RANGE;
}

static uint32_t pt_flags(uint32_t rights, const struct frame *f)
{
	uint32_t flags = 0;
	if (rights & KOSH_RIGHT_WRITE)
		flags |= PT_WRITE;
	if (rights & KOSH_RIGHT_EXECUTE)
		flags |= PT_EXEC;
	if (f->cache == FRAME_CACHE_DEVICE)
		flags |= PT_DEVICE;
	else if (f->cache == FRAME_CACHE_WC)
		flags |= PT_WC;
	return flags;
}

/* Code written through the data side becomes visible to instruction fetches (AArch64). */
static void sync_icache(const struct frame *f, uint64_t offset, uint64_t size)
{
	if (f->flags & FRAME_RAM)
		arch_sync_icache((uint64_t)(uintptr_t)phys_to_virt(f->phys + offset), size);
}

/* ---- the object ---- */

/* Unmap m's pages and drop it. Never needs memory: m's leaves lie inside it. */
static void mapping_remove(struct space *s, struct mapping *m)
{
	int err = vm_unmap(&s->vm, m->va, m->size);
	if (err)
		klog_error("space: unmap of 0x%llx+0x%llx failed: %s", (unsigned long long)m->va,
			   (unsigned long long)m->size, pagetable_strerror(err));
	record_drop(s, m);
}

/* s goes away: this CPU leaves it (its last thread may have just exited on it). */
static void leave(struct space *s)
{
	for (uint32_t i = 0; i < MAX_CPUS; i++) {
		if (active[i] != s)
			continue;
		if (i == arch_cpu_index())
			space_activate(NULL);
		else
			klog_error("space: destroyed while CPU %u runs on it", i);
	}
}

static void release_space(struct kobject *o)
{
	struct space *s = space_from(o);
	struct quota *q = s->quota;
	leave(s);
	list_for_each_safe(pos, tmp, &s->mappings)
		mapping_remove(s, list_entry(pos, struct mapping, space_link));
	vm_space_destroy(&s->vm); /* the root, through table_free: uncharged there */
	quota_uncharge(q, sizeof(struct space));
	kfree(s);
	kobject_put(&q->obj);
}

/*
 * The flush hook of every space. A space's TLB entries live only on the CPUs
 * that have it loaded: both ports drop the old lower half's entries when they
 * switch (x86-64 has no PCIDs here, AArch64 uses one ASID for all and flushes
 * it), and every switch happens under the big lock, as does every change to a
 * space. So a change is flushed where the space is loaded, and nowhere when it
 * is loaded nowhere (the common case of a process's teardown).
 */
static void space_flush(void *ctx, uint64_t va, uint64_t size)
{
	struct space *s = ctx;
	uint32_t me = arch_cpu_index(), n = cpu_count(), elsewhere = 0;
	for (uint32_t i = 0; i < n && i < MAX_CPUS; i++)
		elsewhere += i != me && active[i] == s;
	if (elsewhere)
		smp_tlb_flush(va, size);
	else if (!size || (me < MAX_CPUS && active[me] == s))
		arch_tlb_flush_range(va, size);
}

kosh_err_t space_create(struct quota *q, struct space **out)
{
	/* The object and the root table, the only page vm_space_create takes. */
	kosh_err_t err = quota_charge(q, sizeof(struct space) + PAGE);
	if (err)
		return err;
	struct space *s = kzalloc(sizeof(*s));
	if (!s)
		goto out_uncharge;
	if (vm_space_create(&s->vm))
		goto out_free;
	s->vm.pt.flush = space_flush;
	s->vm.pt.flush_ctx = s;
	s->vm.pt.alloc = (struct pt_alloc){ table_alloc, table_free, table_virt, s };
	kobject_init(&s->obj, KOSH_OBJ_SPACE, release_space);
	list_init(&s->mappings);
	kobject_get(&q->obj);
	s->quota = q;
	*out = s;
	return KOSH_OK;
out_free:
	kfree(s);
out_uncharge:
	quota_uncharge(q, sizeof(struct space) + PAGE);
	return KOSH_E_NO_MEMORY;
}

static kosh_err_t check_map(const struct space *s, const struct frame *f, uint64_t offset,
			    uint64_t va, uint64_t size, uint32_t rights)
{
	if (!rights_ok(rights) || offset % PAGE)
		return KOSH_E_INVALID_ARGUMENT;
	kosh_err_t err = check_range(va, size);
	if (err)
		return err;
	if (offset > f->size || size > f->size - offset)
		return KOSH_E_OUT_OF_RANGE;
	struct mapping *m = first_from(s, va);
	if (m && m->va < va + size)
		return KOSH_E_ALREADY_EXISTS;
	return KOSH_OK;
}

kosh_err_t space_map_cap(struct space *s, struct frame *f, uint64_t offset, uint64_t va,
			 uint64_t size, uint32_t rights, uint32_t cap_rights)
{
	kosh_err_t err = check_map(s, f, offset, va, size, rights);
	if (err)
		return err;
	if (rights & ~cap_rights)
		return KOSH_E_ACCESS_DENIED;
	struct mapping *m;
	err = record_alloc(s, &m);
	if (err)
		return err;
	if (rights & KOSH_RIGHT_EXECUTE)
		sync_icache(f, offset, size);
	err = from_pt(vm_map(&s->vm, va, f->phys + offset, size, pt_flags(rights, f)));
	if (err) {
		record_free(s, m);
		return err;
	}
	struct mapping *after = first_from(s, va);
	struct mapping proto = { .frame = f, .va = va, .offset = offset, .rights = rights,
				 .max_rights = cap_rights & KOSH_MAP_RIGHTS };
	record_part(s, m, &proto, va, size, after ? after->space_link.prev : s->mappings.prev);
	return KOSH_OK;
}

kosh_err_t space_map(struct space *s, struct frame *f, uint64_t offset, uint64_t va,
		     uint64_t size, uint32_t rights)
{
	return space_map_cap(s, f, offset, va, size, rights, KOSH_MAP_RIGHTS);
}

/* Cut [va, end) out of the records from first on (the pages are already unmapped). */
static void unmap_records(struct space *s, struct mapping *first, uint64_t va, uint64_t end,
			  struct mapping *spare)
{
	struct mapping *next;
	for (struct mapping *m = first; m && m->va < end; m = next) {
		next = next_of(s, m);
		uint64_t m_end = end_of(m);
		if (m->va >= va && m_end <= end) {
			record_drop(s, m);
		} else if (m->va < va && m_end > end) {
			record_part(s, spare, m, end, m_end - end, &m->space_link);
			m->size = va - m->va;
			next = NULL;
		} else if (m->va < va) {
			m->size = va - m->va;
		} else {
			record_trim_head(m, end);
		}
	}
}

kosh_err_t space_unmap(struct space *s, uint64_t va, uint64_t size)
{
	kosh_err_t err = check_range(va, size);
	if (err)
		return err;
	uint64_t end = va + size;
	struct mapping *first = covering(s, va, end);
	if (!first)
		return KOSH_E_NOT_FOUND;
	struct mapping *spare = NULL;
	if (first->va < va && end_of(first) > end) { /* a hole in one mapping: it becomes two */
		err = record_alloc(s, &spare);
		if (err)
			return err;
	}
	err = from_pt(vm_unmap(&s->vm, va, size));
	if (err) {
		record_free(s, spare);
		return err;
	}
	unmap_records(s, first, va, end, spare);
	return KOSH_OK;
}

/* Give the pages of m inside [va, end) rights (or, undoing, m's own rights). */
static int protect_part(struct space *s, struct mapping *m, uint64_t va, uint64_t end,
			uint32_t rights)
{
	uint64_t from = m->va > va ? m->va : va;
	uint64_t to = end_of(m) < end ? end_of(m) : end;
	if ((rights & KOSH_RIGHT_EXECUTE) && !(m->rights & KOSH_RIGHT_EXECUTE))
		sync_icache(m->frame, m->offset + (from - m->va), to - from);
	return vm_protect(&s->vm, from, to - from, pt_flags(rights, m->frame));
}

/*
 * Reprotect the pages of every mapping from first in [va, end). A mapping's
 * memory type decides its flags, so one call per mapping; a failure (a split
 * without memory) gives the mappings done so far their old rights back, which
 * needs no split any more.
 */
static kosh_err_t protect_pages(struct space *s, struct mapping *first, uint64_t va,
				uint64_t end, uint32_t rights)
{
	for (struct mapping *m = first; m && m->va < end; m = next_of(s, m)) {
		int err = protect_part(s, m, va, end, rights);
		if (!err)
			continue;
		for (struct mapping *u = first; u != m; u = next_of(s, u))
			if (protect_part(s, u, va, end, u->rights))
				klog_error("space: protect undo at 0x%llx failed",
					   (unsigned long long)u->va);
		return from_pt(err);
	}
	return KOSH_OK;
}

/* Split the records at va and end, give those inside rights. */
static void protect_records(struct space *s, struct mapping *first, uint64_t va, uint64_t end,
			    uint32_t rights, struct mapping *spares[2])
{
	unsigned used = 0;
	struct mapping *next;
	for (struct mapping *m = first; m && m->va < end; m = next) {
		next = next_of(s, m);
		uint64_t m_end = end_of(m);
		if (m->va < va) {
			record_part(s, spares[used++], m, m->va, va - m->va, m->space_link.prev);
			record_trim_head(m, va);
		}
		if (m_end > end) {
			record_part(s, spares[used++], m, end, m_end - end, &m->space_link);
			m->size = end - m->va;
			next = NULL;
		}
		m->rights = rights;
	}
	for (; used < 2; used++)
		record_free(s, spares[used]);
}

/* The last mapping of [va, end) from first. */
static struct mapping *last_in(const struct space *s, struct mapping *first, uint64_t end)
{
	struct mapping *last = first;
	for (struct mapping *m = next_of(s, first); m && m->va < end; m = next_of(s, m))
		last = m;
	return last;
}

static kosh_err_t check_protect(const struct space *s, uint64_t va, uint64_t size,
				uint32_t rights, struct mapping **first)
{
	kosh_err_t err = check_range(va, size);
	if (err)
		return err;
	if (!rights_ok(rights))
		return KOSH_E_INVALID_ARGUMENT;
	*first = covering(s, va, va + size);
	if (!*first)
		return KOSH_E_NOT_FOUND;
	for (struct mapping *m = *first; m && m->va < va + size; m = next_of(s, m))
		if (rights & ~m->max_rights)
			return KOSH_E_ACCESS_DENIED;
	return KOSH_OK;
}

kosh_err_t space_protect(struct space *s, uint64_t va, uint64_t size, uint32_t rights)
{
	struct mapping *first, *spares[2] = { NULL, NULL };
	kosh_err_t err = check_protect(s, va, size, rights, &first);
	if (err)
		return err;
	uint64_t end = va + size;
	unsigned need = (first->va < va) + (end_of(last_in(s, first, end)) > end);
	for (unsigned i = 0; i < need && !err; i++)
		err = record_alloc(s, &spares[i]);
	if (!err)
		err = protect_pages(s, first, va, end, rights);
	if (err) {
		record_free(s, spares[0]);
		record_free(s, spares[1]);
		return err;
	}
	protect_records(s, first, va, end, rights, spares);
	return KOSH_OK;
}

void space_activate(struct space *s)
{
	uint32_t cpu = arch_cpu_index();
	if (cpu < MAX_CPUS) {
		if (active[cpu] == s)
			return; /* the same tables: keep the TLB */
		active[cpu] = s;
	}
	arch_mmu_switch_user(s ? s->vm.pt.root_lo : 0);
}

const struct mapping *space_find(const struct space *s, uint64_t va)
{
	const struct mapping *m = first_from(s, va);
	return m && m->va <= va ? m : NULL;
}

struct space *space_from(struct kobject *o)
{
	return (struct space *)((char *)o - offsetof(struct space, obj));
}

void space_unmap_frame(struct frame *f)
{
	list_for_each_safe(pos, tmp, &f->mappings) {
		struct mapping *m = list_entry(pos, struct mapping, frame_link);
		mapping_remove(m->space, m);
	}
}
