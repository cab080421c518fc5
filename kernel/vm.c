/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual memory (see vm.h, docs/vm.md).
 *
 * vm_init replaces the loader's tables by the kernel's own, built the same way
 * (docs/boot.md) so that nothing the kernel already uses moves: the image at its
 * link address, one section at a time with W^X, and the HHDM over every range of
 * the memory map plus the framebuffer and the rest of the low 4 GiB. Kernel
 * leaves are global. On x86-64 every upper root entry gets its table at once
 * (pagetable_share_upper), so user roots, which copy those entries, see every
 * later kernel mapping.
 *
 * Table pages come from the pmm and are reached through the direct map; the
 * flush hook of every space is smp_tlb_flush (every CPU's TLB).
 */
#include "vm.h"

#include "arch.h"
#include "pmm.h"
#include "smp.h"

#include <kosh/bootinfo.h>
#include <kosh/string.h>

#define PAGE PT_PAGE_SIZE

/* The linker script's page-aligned section bounds (data_end: the end of bss). */
extern char __kernel_text_start[], __kernel_text_end[];
extern char __kernel_rodata_start[], __kernel_rodata_end[];
extern char __kernel_data_start[], __kernel_data_end[];

static struct vm_space kernel_space;

static struct spinlock stack_lock;
static uint8_t stack_used[VM_STACK_SLOTS / 8];

static uint64_t table_alloc(void *ctx)
{
	return pmm_alloc(0, PMM_ZERO);
}

static void table_free(void *ctx, uint64_t phys)
{
	pmm_free(phys, 0);
}

static void *table_virt(void *ctx, uint64_t phys)
{
	return phys_to_virt(phys);
}

static const struct pt_alloc table_pages = { table_alloc, table_free, table_virt, NULL };

#define STACK_REGION_END (VM_STACK_BASE + (uint64_t)VM_STACK_SLOTS * VM_STACK_SLOT)

/*
 * The kernel space's flush hook. Unmapped kernel stacks are the exception:
 * they are flushed lazily, in batches (vm_stack_purge), because a TLB shoot-down
 * per thread exit would cost an IPI round to every CPU.
 */
static void tlb_flush(void *ctx, uint64_t va, uint64_t size)
{
	if (size && va >= VM_STACK_BASE && va < STACK_REGION_END)
		return; /* stack_unmap: held until stack_purge flushes */
	smp_tlb_flush(va, size);
}

static int map_section(const struct kosh_bootinfo *bi, uint64_t start, uint64_t end,
		       uint32_t flags)
{
	if (start > end || start < bi->kernel_virt || end - bi->kernel_virt > bi->kernel_size)
		return PT_E_RANGE;
	if (start == end)
		return PT_OK;
	return pagetable_map(&kernel_space.pt, start, bi->kernel_phys + (start - bi->kernel_virt),
			     end - start, flags | PT_GLOBAL);
}

static int map_image(const struct kosh_bootinfo *bi, const struct vm_image *img)
{
	int err = map_section(bi, img->text_start, img->text_end, PT_EXEC);
	if (!err)
		err = map_section(bi, img->rodata_start, img->rodata_end, 0);
	if (!err)
		err = map_section(bi, img->data_start, img->data_end, PT_WRITE);
	return err;
}

int vm_init_image(const struct kosh_bootinfo *bi, const struct vm_image *image)
{
	struct pagetable *pt = &kernel_space.pt;
	memset(&kernel_space, 0, sizeof(kernel_space));
	int err = pagetable_init(pt, &table_pages, arch_mmu_features());
	if (err)
		return err;
	err = pagetable_share_upper(pt);
	if (!err)
		err = map_image(bi, image);
	if (!err)
		err = pagetable_map_hhdm(pt, bi->hhdm_base, phys_to_virt(bi->mem_map),
					 bi->mem_map_count, &bi->fb, PT_GLOBAL);
	if (err) {
		pagetable_destroy(pt, 0);
		return err;
	}
	arch_mmu_switch_kernel(pt->root_lo, pt->root_hi);
	pt->flush = tlb_flush;
	return PT_OK;
}

int vm_init(const struct kosh_bootinfo *bi)
{
	struct vm_image image = {
		(uintptr_t)__kernel_text_start, (uintptr_t)__kernel_text_end,
		(uintptr_t)__kernel_rodata_start, (uintptr_t)__kernel_rodata_end,
		(uintptr_t)__kernel_data_start, (uintptr_t)__kernel_data_end,
	};
	return vm_init_image(bi, &image);
}

struct vm_space *vm_kernel_space(void)
{
	return &kernel_space;
}

int vm_space_create(struct vm_space *space)
{
	memset(space, 0, sizeof(*space));
	space->user = 1;
	int err = pagetable_init_user(&space->pt, &kernel_space.pt);
	space->pt.flush = tlb_flush;
	return err;
}

void vm_space_destroy(struct vm_space *space)
{
	pagetable_destroy(&space->pt, 1);
}

/* The half a space may touch, and the attributes its leaves must carry. */
static int check_space(const struct vm_space *space, uint64_t va, uint32_t *flags)
{
	if ((va >> 63) == (uint64_t)space->user)
		return PT_E_RANGE;
	if (!flags)
		return PT_OK;
	if (*flags & (space->user ? PT_GLOBAL : PT_USER))
		return PT_E_INVAL;
	*flags |= space->user ? PT_USER : PT_GLOBAL;
	return PT_OK;
}

int vm_map(struct vm_space *space, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	int err = check_space(space, va, &flags);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&space->lock);
	err = pagetable_map(&space->pt, va, pa, size, flags);
	spin_unlock_irqrestore(&space->lock, irq);
	return err;
}

int vm_unmap(struct vm_space *space, uint64_t va, uint64_t size)
{
	int err = check_space(space, va, NULL);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&space->lock);
	err = pagetable_unmap(&space->pt, va, size);
	spin_unlock_irqrestore(&space->lock, irq);
	return err;
}

int vm_protect(struct vm_space *space, uint64_t va, uint64_t size, uint32_t flags)
{
	int err = check_space(space, va, &flags);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&space->lock);
	err = pagetable_protect(&space->pt, va, size, flags);
	spin_unlock_irqrestore(&space->lock, irq);
	return err;
}

int vm_query(struct vm_space *space, uint64_t va, uint64_t *pa, uint32_t *flags,
	     uint64_t *page_size)
{
	int err = check_space(space, va, NULL);
	if (err)
		return err;
	uint64_t irq = spin_lock_irqsave(&space->lock);
	err = pagetable_query(&space->pt, va, pa, flags, page_size);
	spin_unlock_irqrestore(&space->lock, irq);
	return err;
}

static int slot_take(void)
{
	int slot = -1;
	uint64_t irq = spin_lock_irqsave(&stack_lock);
	for (unsigned i = 0; i < VM_STACK_SLOTS && slot < 0; i++) {
		if (!(stack_used[i / 8] & (1u << (i % 8)))) {
			stack_used[i / 8] |= (uint8_t)(1u << (i % 8));
			slot = (int)i;
		}
	}
	spin_unlock_irqrestore(&stack_lock, irq);
	return slot;
}

static int slot_taken(unsigned slot)
{
	uint64_t irq = spin_lock_irqsave(&stack_lock);
	int taken = (stack_used[slot / 8] >> (slot % 8)) & 1;
	spin_unlock_irqrestore(&stack_lock, irq);
	return taken;
}

static void slot_give(unsigned slot)
{
	uint64_t irq = spin_lock_irqsave(&stack_lock);
	stack_used[slot / 8] &= (uint8_t)~(1u << (slot % 8));
	spin_unlock_irqrestore(&stack_lock, irq);
}

static int stack_page_map(uint64_t va)
{
	uint64_t pa = pmm_alloc(0, PMM_ZERO);
	if (!pa)
		return PT_E_NOMEM;
	int err = vm_map(&kernel_space, va, pa, PAGE, PT_WRITE);
	if (err)
		pmm_free(pa, 0);
	return err;
}

/*
 * Freed stacks are purged lazily, as Linux purges vmalloc areas: their pages
 * are unmapped at once but kept, with their slot, until a batch has gathered;
 * then one TLB shoot-down covers the whole stack region, and only after it are
 * the pages and slots given back. A stale TLB entry on another CPU can so only
 * ever reach pages that nobody else has been given yet.
 */
#define PURGE_PAGES 256
#define PURGE_SLOTS 32

static struct {
	uint64_t pages[PURGE_PAGES];
	unsigned slots[PURGE_SLOTS];
	unsigned page_count, slot_count;
} purge; /* under stack_lock */

/* Flush the stack region on every CPU, then free what waited for it. */
void vm_stack_purge(void)
{
	uint64_t irq = spin_lock_irqsave(&stack_lock);
	unsigned pages = purge.page_count, slots = purge.slot_count;
	uint64_t page[PURGE_PAGES];
	unsigned slot[PURGE_SLOTS];
	memcpy(page, purge.pages, pages * sizeof(page[0]));
	memcpy(slot, purge.slots, slots * sizeof(slot[0]));
	purge.page_count = purge.slot_count = 0;
	spin_unlock_irqrestore(&stack_lock, irq);
	if (!pages && !slots)
		return;
	smp_tlb_flush(VM_STACK_BASE, STACK_REGION_END - VM_STACK_BASE);
	for (unsigned i = 0; i < pages; i++)
		pmm_free(page[i], 0);
	for (unsigned i = 0; i < slots; i++)
		slot_give(slot[i]);
}

/* Keep a stack's pages and slot for the next purge; 1 if the batch is full. */
static int stack_defer(const uint64_t *pages, unsigned n, unsigned slot)
{
	uint64_t irq = spin_lock_irqsave(&stack_lock);
	for (unsigned i = 0; i < n; i++)
		purge.pages[purge.page_count++] = pages[i];
	purge.slots[purge.slot_count++] = slot;
	int full = purge.slot_count == PURGE_SLOTS ||
		   purge.page_count + VM_STACK_MAX / PAGE > PURGE_PAGES;
	spin_unlock_irqrestore(&stack_lock, irq);
	return full;
}

/* Unmap the pages below top down to the first hole (the guard); their addresses in pages. */
static unsigned stack_unmap(uint64_t top, uint64_t *pages)
{
	uint64_t pa;
	unsigned n = 0;
	for (uint64_t va = top - PAGE; vm_query(&kernel_space, va, &pa, NULL, NULL) == PT_OK;
	     va -= PAGE) {
		if (vm_unmap(&kernel_space, va, PAGE) == PT_OK)
			pages[n++] = pa;
	}
	return n;
}

/* Give a stack back (slot taken, pages mapped below top): lazily, as above. */
static void stack_release(uint64_t top, unsigned slot)
{
	uint64_t pages[VM_STACK_MAX / PAGE];
	unsigned n = stack_unmap(top, pages);
	if (stack_defer(pages, n, slot))
		vm_stack_purge();
}

uint64_t vm_stack_alloc(uint64_t size)
{
	size = (size + PAGE - 1) & ~(PAGE - 1);
	if (!size || size > VM_STACK_MAX)
		return 0;
	int slot = slot_take();
	if (slot < 0) {
		vm_stack_purge(); /* slots may be waiting for it */
		slot = slot_take();
	}
	if (slot < 0)
		return 0;
	uint64_t top = VM_STACK_BASE + (uint64_t)(slot + 1) * VM_STACK_SLOT;
	for (uint64_t off = PAGE; off <= size; off += PAGE) {
		if (stack_page_map(top - off)) {
			stack_release(top, (unsigned)slot);
			vm_stack_purge(); /* memory may be waiting for it */
			return 0;
		}
	}
	return top;
}

int vm_stack_free(uint64_t top)
{
	uint64_t off = top - VM_STACK_BASE;
	if (top <= VM_STACK_BASE || off % VM_STACK_SLOT || off / VM_STACK_SLOT > VM_STACK_SLOTS)
		return PT_E_RANGE;
	unsigned slot = (unsigned)(off / VM_STACK_SLOT) - 1;
	/* A live stack has its top page; a freed one waiting for the purge has none. */
	if (!slot_taken(slot) || vm_query(&kernel_space, top - PAGE, NULL, NULL, NULL) != PT_OK)
		return PT_E_RANGE;
	stack_release(top, slot);
	return PT_OK;
}

struct wx_scan {
	uint64_t wx;
	uint64_t exec_pages;
};

static int scan_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
	struct wx_scan *scan = ctx;
	if ((flags & PT_WRITE) && (flags & PT_EXEC))
		scan->wx++;
	if (flags & PT_EXEC)
		scan->exec_pages += size / PAGE;
	return 0;
}

uint64_t vm_scan_wx(struct vm_space *space, uint64_t *exec_pages)
{
	struct vm_space *s = space ? space : &kernel_space;
	struct wx_scan scan = { 0, 0 };
	uint64_t irq = spin_lock_irqsave(&s->lock);
	pagetable_walk_all(&s->pt, scan_leaf, &scan);
	spin_unlock_irqrestore(&s->lock, irq);
	if (exec_pages)
		*exec_pages = scan.exec_pages;
	return scan.wx;
}
