/* SPDX-License-Identifier: MIT */
/*
 * x86-64 page-table entries for shared/lib/pagetable.c: 4-level paging (Intel SDM
 * Vol. 3A §4.5, tables 4-14 to 4-20; AMD APM Vol. 2 §5.3). Freestanding, used by
 * the loader, the kernel and host tests alike; the AArch64 port has the same
 * functions.
 *
 * Bits written: P (0), R/W (1), U/S (2), PWT (3), PCD (4), PS (7, leaves above
 * level 3), G (8), NX (63). A (5) and D (6) are left to the CPU. Memory types go
 * through the PAT index {PAT, PCD, PWT}: the reset PAT is WB, WT, UC-, UC, so
 * device memory is PCD|PWT (UC), and write-combining is PWT alone, index 1, only
 * when PT_FEAT_PAT_WC says the kernel reprogrammed that entry to WC (the loader
 * leaves the framebuffer WB and to the firmware's MTRRs). NX is written only with
 * PT_FEAT_NX (EFER.NXE), 1 GiB leaves only with PT_FEAT_1G. One root serves both
 * halves: entries 0-255 the lower, 256-511 the upper.
 */
#ifndef ARCH_PTE_H
#define ARCH_PTE_H

#include <stdint.h>

#include <kosh/pagetable.h>

#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_US   (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7) /* a leaf at level 1 or 2; at level 3 this is the PAT bit */
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull /* bits 51:12 */

#define PTE_LOWER_END  0x0000800000000000ull /* canonical lower half: [0, this) */
#define PTE_UPPER_BASE 0xffff800000000000ull /* canonical upper half: [this, 2^64) */
#define PTE_PHYS_LIMIT (1ull << 52)

/* 1 if the lower and upper halves have separate roots. */
static inline int pte_split_roots(void)
{
	return 0;
}

/* 1 if replacing a valid entry by another valid one needs an invalid one between. */
static inline int pte_break_before_make(void)
{
	return 0;
}

/* The lowest level at which a leaf may sit: 1 (1 GiB) or 2 (2 MiB). */
static inline int pte_min_leaf_level(uint32_t features)
{
	return (features & PT_FEAT_1G) ? 1 : 2;
}

/* An entry pointing to a next-level table; PT_USER in flags lets user leaves below. */
static inline uint64_t pte_table(uint64_t table_phys, uint32_t flags)
{
	return table_phys | PTE_P | PTE_RW | ((flags & PT_USER) ? PTE_US : 0);
}

static inline int pte_present(uint64_t pte)
{
	return (pte & PTE_P) != 0;
}

/*
 * An entry with its present/valid bit cleared, which the walker ignores, and back:
 * break-before-make parks the new contents of many entries this way while one
 * flush drops the old ones.
 */
static inline uint64_t pte_parked(uint64_t pte)
{
	return pte & ~PTE_P;
}

static inline uint64_t pte_unparked(uint64_t pte)
{
	return pte | PTE_P;
}

/* A pointer to a next-level table (rather than a leaf) at this level. */
static inline int pte_is_table(uint64_t pte, int level)
{
	return level < PT_LEVELS - 1 && (pte & PTE_P) && !(pte & PTE_PS);
}

/* The next table's address, or a leaf's page base (PAT bit 12 of large leaves masked). */
static inline uint64_t pte_phys(uint64_t pte, int level)
{
	if (level < PT_LEVELS - 1 && (pte & PTE_PS))
		return pte & PTE_ADDR & ~((1ull << (12 + 9 * (PT_LEVELS - 1 - level))) - 1);
	return pte & PTE_ADDR;
}

/* A leaf mapping phys at level with PT_* flags; writable leaves are never executable. */
static inline uint64_t pte_leaf(uint64_t phys, int level, uint32_t flags, uint32_t features)
{
	uint64_t pte = phys | PTE_P;
	if (level < PT_LEVELS - 1)
		pte |= PTE_PS;
	if (flags & PT_WRITE)
		pte |= PTE_RW;
	if (flags & PT_USER)
		pte |= PTE_US;
	else if (flags & PT_GLOBAL)
		pte |= PTE_G;
	if (flags & PT_DEVICE)
		pte |= PTE_PCD | PTE_PWT;
	else if ((flags & PT_WC) && (features & PT_FEAT_PAT_WC))
		pte |= PTE_PWT;
	if ((features & PT_FEAT_NX) && (!(flags & PT_EXEC) || (flags & PT_WRITE)))
		pte |= PTE_NX;
	return pte;
}

/* The PT_* attributes of a leaf (without NX everything is executable). */
static inline uint32_t pte_flags(uint64_t pte, int level, uint32_t features)
{
	uint32_t f = 0;
	(void)level;
	if (pte & PTE_RW)
		f |= PT_WRITE;
	if (pte & PTE_US)
		f |= PT_USER;
	if (pte & PTE_G)
		f |= PT_GLOBAL;
	if (pte & PTE_PCD)
		f |= PT_DEVICE;
	else if ((pte & PTE_PWT) && (features & PT_FEAT_PAT_WC))
		f |= PT_WC;
	if (!(features & PT_FEAT_NX) || !(pte & PTE_NX))
		f |= PT_EXEC;
	return f;
}

#endif
