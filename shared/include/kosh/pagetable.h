/* SPDX-License-Identifier: MIT */
/*
 * The one page-table implementation, shared by the EFI loader (the kernel's first
 * tables), the kernel (kernel/vm.c) and the host tests.
 *
 * Both architectures use four levels of 512 entries over a 48-bit address: level 0
 * is the root, level 3 maps 4 KiB pages, leaves may also sit at level 2 (2 MiB)
 * and level 1 (1 GiB). Only the entry encoding differs; it comes from <arch/pte.h>
 * through the include path (arch-<arch>/include), so shared/lib/pagetable.c is
 * compiled once per architecture.
 *
 * Table memory comes through struct pt_alloc, so the loader (EFI pages, identity
 * mapped), the kernel (pmm pages through the direct map) and host tests (an arena)
 * all use the same code. Every change a caller must make visible to the TLB is
 * reported through the flush hook, always before a table page is given back.
 *
 * Invariants kept: no leaf is writable and executable at once (PT_E_WX), no
 * mapping is overwritten (PT_E_EXISTS) unless PT_SKIP_MAPPED asks to keep it, and
 * unmapping gives back every table that becomes empty. The names keep the loader's
 * historic PT_ and pagetable_ prefixes rather than kosh_ (the loader, the kernel
 * and the tests all spell them so).
 */
#ifndef KOSH_PAGETABLE_H
#define KOSH_PAGETABLE_H

#include <stdint.h>

#include <kosh/bootinfo.h>

#define PT_LEVELS    4 /* level 0 is the root; level 3 maps 4 KiB pages */
#define PT_ENTRIES   512
#define PT_PAGE_SIZE 4096ull

/* Generic leaf attributes; <arch/pte.h> encodes them. */
#define PT_WRITE  (1u << 0)
#define PT_EXEC   (1u << 1)
#define PT_DEVICE (1u << 2) /* device memory: uncached, never speculated */
#define PT_WC     (1u << 3) /* write-combining (x86 PAT) / normal non-cacheable (Arm) */
#define PT_USER   (1u << 4) /* reachable from user mode */
#define PT_GLOBAL (1u << 5) /* survives address-space switches (x86 G; Arm: every kernel leaf) */
#define PT_ATTR_MASK 0x3fu

/* A pagetable_map option, not an attribute: leave already-mapped pages as they are. */
#define PT_SKIP_MAPPED (1u << 16)

/* What the CPU offers, in struct pagetable.features. AArch64 needs none of them. */
#define PT_FEAT_NX     (1u << 0) /* x86: EFER.NXE is (or will be) set: non-executable leaves */
#define PT_FEAT_1G     (1u << 1) /* x86: 1 GiB leaves (CPUID pdpe1gb) */
#define PT_FEAT_PAT_WC (1u << 2) /* x86: PAT entry 1 is write-combining (else PT_WC is WB) */

enum pt_error {
	PT_OK = 0,
	PT_E_NOMEM = -1,      /* the allocator gave no table page */
	PT_E_EXISTS = -2,     /* part of the range is already mapped */
	PT_E_WX = -3,         /* writable and executable at once */
	PT_E_ALIGN = -4,      /* an address or size is not page-aligned */
	PT_E_RANGE = -5,      /* outside one half of the address space, or not this table's */
	PT_E_NOT_MAPPED = -6, /* part of the range is not mapped */
	PT_E_INVAL = -7,      /* unknown or contradictory flags, or an empty range */
};

/*
 * Table pages. alloc returns the physical address of a zeroed, page-aligned 4 KiB
 * page, or 0; free takes one back; virt gives a pointer to a table page.
 */
struct pt_alloc {
	uint64_t (*alloc)(void *ctx);
	void (*free)(void *ctx, uint64_t phys);
	void *(*virt)(void *ctx, uint64_t phys);
	void *ctx;
};

/*
 * One address space. The lower half (user) is under root_lo, the upper half
 * (kernel) under root_hi: the same table on x86-64, TTBR0 and TTBR1 on AArch64.
 *
 * flush(flush_ctx, va, size), when set, is called after entries covering
 * [va, va + size) stopped being valid or changed: the TLB (and walk caches) must
 * drop them before the call returns, and it is always called before a table page
 * that was reachable is freed. size 0 means entries were only added: nothing is
 * stale, but the writes must be made visible to the table walker (AArch64 dsb).
 * va + size may wrap to 0 at the top of the address space.
 */
struct pagetable {
	uint64_t root_lo;
	uint64_t root_hi;
	uint32_t features;    /* PT_FEAT_* */
	uint8_t shared_hi;    /* the upper half belongs to another pagetable: hands off */
	uint8_t pinned_hi;    /* tables right under the upper root are never freed */
	uint64_t tables;      /* table pages this pagetable holds, roots included */
	struct pt_alloc alloc;
	void (*flush)(void *ctx, uint64_t va, uint64_t size);
	void *flush_ctx;
};

/* Allocate the root(s): one on x86-64, two on AArch64. flush starts unset. */
__attribute__((warn_unused_result))
int pagetable_init(struct pagetable *pt, const struct pt_alloc *alloc, uint32_t features);

/*
 * A user address space: a root of its own for the lower half, the upper half
 * shared with kernel (x86-64: its top-level entries copied; AArch64: root_hi is
 * kernel's TTBR1 root). The result refuses upper-half changes.
 */
__attribute__((warn_unused_result))
int pagetable_init_user(struct pagetable *pt, const struct pagetable *kernel);

/*
 * Make the upper half shareable with pagetable_init_user on architectures with one
 * root: give every upper root entry a table now and never free those, so later
 * kernel mappings appear in every user root. Nothing to do with split roots.
 */
__attribute__((warn_unused_result))
int pagetable_share_upper(struct pagetable *pt);

/*
 * Map [va, va + size) to [pa, pa + size) with attributes flags (PT_* | options),
 * using the largest pages that alignment and the CPU allow. Refuses W+X and,
 * without PT_SKIP_MAPPED, any overlap with existing mappings (then nothing
 * changes; running out of table pages undoes the partial mapping too). With
 * PT_SKIP_MAPPED, mapped pages are kept and only the holes are filled.
 */
__attribute__((warn_unused_result))
int pagetable_map(struct pagetable *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags);

/*
 * The direct map (HHDM) at hhdm_base, one policy for the loader and the kernel
 * (docs/boot.md): every range of map (RAM as normal memory, MMIO as device,
 * reserved ranges left out), then the framebuffer fb (write-combining; fb may be
 * NULL or absent), then the rest of the low 4 GiB as device memory. extra is
 * added to every leaf (the kernel's PT_GLOBAL).
 */
int pagetable_map_hhdm(struct pagetable *pt, uint64_t hhdm_base, const struct kosh_mem_range *map,
		       uint32_t count, const struct kosh_framebuffer *fb, uint32_t extra);

/*
 * Unmap [va, va + size), holes allowed. A large page that the range covers only
 * partly is split first (its other part stays mapped with the same attributes);
 * tables that become empty are freed. Fails only when a split finds no table page,
 * before anything is unmapped.
 */
__attribute__((warn_unused_result))
int pagetable_unmap(struct pagetable *pt, uint64_t va, uint64_t size);

/*
 * Give every page of [va, va + size) the attributes flags (all PT_* bits are
 * replaced), splitting large pages the range covers only partly. The whole range
 * must be mapped (else PT_E_NOT_MAPPED and nothing changes).
 */
__attribute__((warn_unused_result))
int pagetable_protect(struct pagetable *pt, uint64_t va, uint64_t size, uint32_t flags);

/* The translation of va: its physical address, attributes and the leaf's size. */
__attribute__((warn_unused_result))
int pagetable_query(const struct pagetable *pt, uint64_t va, uint64_t *pa, uint32_t *flags,
		    uint64_t *page_size);

/*
 * Call fn for every leaf that meets [va, va + size), in address order: the leaf's
 * whole page (even if the range covers only part of it) and its decoded PT_*
 * attributes. A non-zero return stops the walk and is returned.
 */
int pagetable_walk(const struct pagetable *pt, uint64_t va, uint64_t size,
		   int (*fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags),
		   void *ctx);

/* pagetable_walk over the lower half, then the upper half (unless it is shared). */
int pagetable_walk_all(const struct pagetable *pt,
		       int (*fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size,
				 uint32_t flags),
		       void *ctx);

/*
 * Free every table page: the lower half's, and unless lower_only the upper half's
 * too (never a shared upper half). A root still holding a kept half stays. The
 * pages that were mapped are not touched.
 */
void pagetable_destroy(struct pagetable *pt, int lower_only);

/* A message for a PT_E_* value. */
const char *pagetable_strerror(int err);

#endif
