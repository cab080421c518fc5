/* SPDX-License-Identifier: MIT */
/*
 * AArch64 translation-table descriptors for shared/lib/pagetable.c: VMSAv8-64,
 * 4 KiB granule, 48-bit VA, four levels (Arm ARM D8.3, "Translation table
 * descriptor formats"). Freestanding, used by the loader, the kernel and host
 * tests alike; the x86-64 port has the same functions.
 *
 * Bits written: [1:0] 0b11 table (levels 0-2) or page (level 3), 0b01 block
 * (levels 1-2); AttrIndx [4:2] into MAIR_EL1 as the loader's trampoline programs
 * it (0 Device-nGnRE, 1 Normal write-back, 2 Normal non-cacheable); AP[2:1] [7:6]
 * (AP[1] EL0 access, AP[2] read-only); SH [9:8] inner shareable for normal memory;
 * AF [10] always set (no access-flag faults); nG [11] for user pages; PXN [53];
 * UXN [54]. Kernel leaves are never EL0-executable (UXN), user leaves never
 * EL1-executable (PXN), and a writable leaf is executable nowhere. PT_GLOBAL has
 * no bit of its own: kernel leaves are global, user leaves are not. Lower half
 * under TTBR0, upper half under TTBR1, each a root of 512 entries.
 */
#ifndef ARCH_PTE_H
#define ARCH_PTE_H

#include <stdint.h>

#include <kosh/pagetable.h>

#define PTE_VALID      (1ull << 0)
#define PTE_TABLE      (1ull << 1) /* with VALID: a table at levels 0-2, a page at level 3 */
#define PTE_ATTR(i)    ((uint64_t)(i) << 2)
#define PTE_ATTR_MASK  (7ull << 2)
#define PTE_AP_EL0     (1ull << 6) /* AP[1]: EL0 has the same access as EL1 */
#define PTE_AP_RO      (1ull << 7) /* AP[2]: read-only */
#define PTE_SH_INNER   (3ull << 8)
#define PTE_AF         (1ull << 10)
#define PTE_NG         (1ull << 11)
#define PTE_PXN        (1ull << 53)
#define PTE_UXN        (1ull << 54)
#define PTE_ADDR       0x0000fffffffff000ull /* bits 47:12 */

/* MAIR_EL1 indices (arch-aarch64/loader/trampoline.S programs the register). */
#define PTE_MAIR_DEVICE 0 /* Device-nGnRE */
#define PTE_MAIR_NORMAL 1 /* Normal, write-back, read/write-allocate */
#define PTE_MAIR_NC     2 /* Normal, non-cacheable */

#define PTE_LOWER_END  0x0001000000000000ull /* TTBR0, T0SZ = 16: [0, this) */
#define PTE_UPPER_BASE 0xffff000000000000ull /* TTBR1, T1SZ = 16: [this, 2^64) */
#define PTE_PHYS_LIMIT (1ull << 48)

/* 1 if the lower and upper halves have separate roots. */
static inline int pte_split_roots(void)
{
	return 1;
}

/*
 * 1 if replacing a valid entry by another valid one needs an invalid one between:
 * a block's size or memory type may not change under a live TLB entry.
 */
static inline int pte_break_before_make(void)
{
	return 1;
}

/* The lowest level at which a leaf (block) may sit: level 1, 1 GiB, with a 4 KiB granule. */
static inline int pte_min_leaf_level(uint32_t features)
{
	(void)features;
	return 1;
}

/* An entry pointing to a next-level table (no hierarchical restrictions). */
static inline uint64_t pte_table(uint64_t table_phys, uint32_t flags)
{
	(void)flags;
	return table_phys | PTE_VALID | PTE_TABLE;
}

static inline int pte_present(uint64_t pte)
{
	return (pte & PTE_VALID) != 0;
}

/*
 * An entry with its present/valid bit cleared, which the walker ignores, and back:
 * break-before-make parks the new contents of many entries this way while one
 * flush drops the old ones.
 */
static inline uint64_t pte_parked(uint64_t pte)
{
	return pte & ~PTE_VALID;
}

static inline uint64_t pte_unparked(uint64_t pte)
{
	return pte | PTE_VALID;
}

/* A pointer to a next-level table (rather than a block or page) at this level. */
static inline int pte_is_table(uint64_t pte, int level)
{
	return level < PT_LEVELS - 1 && (pte & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

/* The next table's address, or a leaf's page base. */
static inline uint64_t pte_phys(uint64_t pte, int level)
{
	if (pte_is_table(pte, level))
		return pte & PTE_ADDR;
	return pte & PTE_ADDR & ~((1ull << (12 + 9 * (PT_LEVELS - 1 - level))) - 1);
}

/* A block or page descriptor mapping phys at level with PT_* flags. */
static inline uint64_t pte_leaf(uint64_t phys, int level, uint32_t flags, uint32_t features)
{
	uint64_t d = phys | PTE_VALID | PTE_AF;
	int exec = (flags & PT_EXEC) && !(flags & PT_WRITE);
	(void)features;
	if (level == PT_LEVELS - 1)
		d |= PTE_TABLE; /* a page descriptor */
	if (flags & PT_DEVICE)
		d |= PTE_ATTR(PTE_MAIR_DEVICE);
	else
		d |= PTE_ATTR((flags & PT_WC) ? PTE_MAIR_NC : PTE_MAIR_NORMAL) | PTE_SH_INNER;
	if (!(flags & PT_WRITE))
		d |= PTE_AP_RO;
	if (flags & PT_USER)
		d |= PTE_AP_EL0 | PTE_NG | PTE_PXN | (exec ? 0 : PTE_UXN);
	else
		d |= PTE_UXN | (exec ? 0 : PTE_PXN);
	return d;
}

/* The PT_* attributes of a leaf; PT_EXEC if it is executable at EL0 or EL1. */
static inline uint32_t pte_flags(uint64_t pte, int level, uint32_t features)
{
	uint32_t f = 0;
	uint64_t attr = (pte & PTE_ATTR_MASK) >> 2;
	(void)level;
	(void)features;
	if (!(pte & PTE_AP_RO))
		f |= PT_WRITE;
	if (pte & PTE_AP_EL0)
		f |= PT_USER;
	if (!(pte & PTE_NG))
		f |= PT_GLOBAL;
	if (attr == PTE_MAIR_DEVICE)
		f |= PT_DEVICE;
	else if (attr == PTE_MAIR_NC)
		f |= PT_WC;
	if ((pte & (PTE_PXN | PTE_UXN)) != (PTE_PXN | PTE_UXN))
		f |= PT_EXEC;
	return f;
}

#endif
