/* SPDX-License-Identifier: MIT */
/*
 * Memory quotas (DESIGN.md §4): every kernel object and every frame is charged
 * to a quota; a charge that would pass the limit fails with KOSH_E_NO_MEMORY
 * and changes nothing, so no process can starve the kernel or another process.
 * Quotas form a tree: a child is carved out of its parent (quota_split), its
 * charges count against every ancestor too, and destroying it gives its unused
 * limit back.
 */
#ifndef KERNEL_QUOTA_H
#define KERNEL_QUOTA_H

#include <stdint.h>

#include <kosh/abi.h>

#include "cap.h"
#include "spinlock.h"

struct quota {
	struct kobject obj; /* KOSH_OBJ_QUOTA */
	struct quota *parent;
	uint64_t limit; /* bytes this quota may hold, its children's limits included */
	uint64_t used;  /* bytes charged here, plus the limits handed to children */
	struct spinlock lock;
};

/* The root quota over all memory the kernel gives out (the root task holds it). */
void quota_init_root(struct quota *q, uint64_t limit);

/* Charge bytes to q: KOSH_OK, or KOSH_E_NO_MEMORY with nothing charged. */
__attribute__((warn_unused_result)) kosh_err_t quota_charge(struct quota *q, uint64_t bytes);

/* Give back bytes charged earlier (never more than was charged). */
void quota_uncharge(struct quota *q, uint64_t bytes);

/*
 * Carve a child with limit bytes out of parent (charged to parent as used).
 * KOSH_E_NO_MEMORY if parent has less than that to spare.
 */
__attribute__((warn_unused_result)) kosh_err_t quota_split(struct quota *parent,
							   struct quota *child, uint64_t limit);

/* Dissolve a child: it must hold no charges; its limit returns to the parent. */
__attribute__((warn_unused_result)) kosh_err_t quota_dissolve(struct quota *child);

#endif
