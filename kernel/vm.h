/* SPDX-License-Identifier: MIT */
/*
 * The kernel's virtual memory (docs/vm.md): its own page tables, built by
 * vm_init in place of the loader's; kernel stacks with unmapped guard pages; and
 * user address spaces, all on shared/lib/pagetable.c with table pages from the pmm.
 *
 * Invariants: no kernel leaf is writable and executable (vm_scan_wx counts any
 * that is); the kernel space maps only upper-half addresses and user spaces only
 * lower-half ones; every user space shares the one kernel half. Errors are the
 * negative PT_E_* values of kosh/pagetable.h (pagetable_strerror names them).
 * Each space has a lock; every function here may be called from any CPU.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <stdint.h>

#include <kosh/pagetable.h>

#include "spinlock.h"

struct kosh_bootinfo;

/*
 * Kernel stacks live in [VM_STACK_BASE, VM_STACK_BASE + VM_STACK_SLOTS *
 * VM_STACK_SLOT), just above the kernel image's 1 GiB window. Each slot holds one
 * stack at its top and leaves at least one page below it unmapped (the guard).
 */
#define VM_STACK_BASE  0xffffffffc0000000ull
#define VM_STACK_SLOT  (256ull << 10)
#define VM_STACK_SLOTS 2048u /* 512 MiB */
#define VM_STACK_MAX   (VM_STACK_SLOT - PT_PAGE_SIZE)

struct vm_space {
	struct pagetable pt;
	struct spinlock lock;
	int user; /* a user space: lower half only, PT_USER leaves */
};

/* The kernel image's sections as page-aligned virtual ranges [start, end). */
struct vm_image {
	uint64_t text_start, text_end;
	uint64_t rodata_start, rodata_end;
	uint64_t data_start, data_end; /* data and bss */
};

/*
 * Build the kernel's own tables (image by section with W^X, the HHDM as the loader
 * makes it) and switch this CPU to them. Needs pmm_init done; the boot CPU only,
 * before any other CPU starts. The image comes from the linker script's symbols.
 */
__attribute__((warn_unused_result)) int vm_init(const struct kosh_bootinfo *bi);

/* vm_init with the image's sections given (host tests). */
__attribute__((warn_unused_result)) int vm_init_image(const struct kosh_bootinfo *bi,
						      const struct vm_image *image);

/* The kernel's space (valid after vm_init). */
struct vm_space *vm_kernel_space(void);

/* A new user space sharing the kernel half (after vm_init); its tables come from the pmm. */
__attribute__((warn_unused_result)) int vm_space_create(struct vm_space *space);

/* Free a user space's tables (not the pages it maps). No CPU may be running on it. */
void vm_space_destroy(struct vm_space *space);

/*
 * Map, unmap, reprotect and look up memory of a space, as pagetable_map /
 * pagetable_unmap / pagetable_protect / pagetable_query do. User spaces take
 * lower-half addresses only and get PT_USER added; the kernel space takes upper-
 * half addresses only and gets PT_GLOBAL added; anything else is PT_E_RANGE.
 */
__attribute__((warn_unused_result)) int vm_map(struct vm_space *space, uint64_t va, uint64_t pa,
					       uint64_t size, uint32_t flags);
__attribute__((warn_unused_result)) int vm_unmap(struct vm_space *space, uint64_t va,
						 uint64_t size);
__attribute__((warn_unused_result)) int vm_protect(struct vm_space *space, uint64_t va,
						   uint64_t size, uint32_t flags);
__attribute__((warn_unused_result)) int vm_query(struct vm_space *space, uint64_t va,
						 uint64_t *pa, uint32_t *flags,
						 uint64_t *page_size);

/*
 * A kernel stack of size bytes (rounded up to pages, at most VM_STACK_MAX) of
 * zeroed RW pages with an unmapped guard below: its top (initial stack pointer),
 * or 0 when out of memory or stack slots.
 */
uint64_t vm_stack_alloc(uint64_t size);

/*
 * Unmap the stack whose top vm_stack_alloc returned (PT_E_RANGE if it is none).
 * Its pages and slot come back after the next batched TLB shoot-down of the
 * stack region (at most 32 freed stacks later, or when an allocation needs them).
 */
int vm_stack_free(uint64_t top);

/* The batched shoot-down now: every freed stack's pages and slot come back. */
void vm_stack_purge(void);

/*
 * Walk a space's tables (NULL: the kernel's) and count the leaves that are both
 * writable and executable: must be 0. *exec_pages, if given, gets the number of
 * executable 4 KiB pages seen, to show the scan looked at something.
 */
uint64_t vm_scan_wx(struct vm_space *space, uint64_t *exec_pages);

#endif
