/* SPDX-License-Identifier: MIT */
/*
 * Kernel objects and capabilities (DESIGN.md §4).
 *
 * Every kernel object starts with a struct kobject: its type and a reference
 * count; the last reference's release destroys it. Capabilities are counted
 * apart (handles): when the last one is closed, the object's closed hook runs,
 * so threads blocked on it wake (KOSH_E_PEER_CLOSED) even while the kernel
 * still holds references. A process holds objects only
 * through its flat capability table: a slot has the object, the rights and a
 * badge, and a handle names a slot together with the slot's generation, so a
 * handle whose slot was closed and reused is refused, never aliased. A slot
 * whose generation would wrap is retired instead of reused.
 *
 * Capabilities are published in phases (reserve a slot, build the object, copy
 * the handle out, publish), so no one ever sees a half-made one; every lookup
 * checks type and rights in one step. Rights only ever shrink.
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <stdint.h>

#include <kosh/abi.h>

#include "spinlock.h"

struct kobject {
	uint32_t type; /* enum kosh_obj_type */
	uint32_t refs;
	void (*release)(struct kobject *o); /* called once, when refs reaches 0 */
	uint32_t handles; /* capabilities naming it, in every table */
	/* Called when its last capability is closed (it may live on, referenced). */
	void (*closed)(struct kobject *o);
};

/* One reference, held by the caller. */
void kobject_init(struct kobject *o, uint32_t type, void (*release)(struct kobject *o));
void kobject_get(struct kobject *o);
void kobject_put(struct kobject *o);

struct cap_slot {
	struct kobject *obj; /* NULL: free (or reserved, see state) */
	uint64_t badge;
	uint32_t rights;
	uint16_t gen;
	uint8_t state; /* CAP_SLOT_FREE / _RESERVED / _USED / _RETIRED */
};

enum { CAP_SLOT_FREE, CAP_SLOT_RESERVED, CAP_SLOT_USED, CAP_SLOT_RETIRED };

struct cap_table {
	struct cap_slot *slots;
	uint32_t capacity; /* slot 0 is never used: handle 0 is invalid */
	uint32_t used;
	struct spinlock lock;
};

#define CAP_GEN_MAX ((1u << (32 - KOSH_HANDLE_SLOT_BITS)) - 1)
#define CAP_TABLE_MAX (1u << KOSH_HANDLE_SLOT_BITS)

/* Use slots[0 .. capacity) (zeroed by the caller), at most CAP_TABLE_MAX. */
kosh_err_t cap_table_init(struct cap_table *t, struct cap_slot *slots, uint32_t capacity);

/* Drop every capability (their objects' references). The table is then empty. */
void cap_table_clear(struct cap_table *t);

/* Phase 1: a free slot, held for the caller; *slot is its index. */
__attribute__((warn_unused_result)) kosh_err_t cap_reserve(struct cap_table *t, uint32_t *slot);

/* The handle a reserved slot will have once published (to copy out first). */
kosh_handle_t cap_reserved_handle(struct cap_table *t, uint32_t slot);

/* Phase 2: put o (taking over one reference) with rights and badge into the slot. */
void cap_publish(struct cap_table *t, uint32_t slot, struct kobject *o, uint32_t rights,
		 uint64_t badge);

/* Undo cap_reserve. */
void cap_unreserve(struct cap_table *t, uint32_t slot);

/* Reserve and publish in one (o's reference is taken over on success). */
__attribute__((warn_unused_result)) kosh_err_t cap_insert(struct cap_table *t, struct kobject *o,
							  uint32_t rights, uint64_t badge,
							  kosh_handle_t *out);

/*
 * Look h up: it must name a used slot of the current generation holding an
 * object of type (KOSH_OBJ_NONE: any) and carry every right in rights. On
 * success *out holds a new reference (kobject_put it) and *badge the badge.
 */
__attribute__((warn_unused_result)) kosh_err_t cap_get(struct cap_table *t, kosh_handle_t h,
						       uint32_t type, uint32_t rights,
						       struct kobject **out, uint64_t *badge);

/* Close h: the slot's generation moves on, the object loses a reference. */
kosh_err_t cap_close(struct cap_table *t, kosh_handle_t h);

/*
 * A new handle to h's object with rights (a subset of h's; h needs
 * KOSH_RIGHT_DUPLICATE) and badge (h's badge is kept when h's is non-zero).
 */
__attribute__((warn_unused_result)) kosh_err_t cap_dup(struct cap_table *t, kosh_handle_t h,
						       uint32_t rights, uint64_t badge,
						       kosh_handle_t *out);

/* Type, rights and badge of h. */
kosh_err_t cap_info(struct cap_table *t, kosh_handle_t h, uint32_t *type, uint32_t *rights,
		    uint64_t *badge);

#endif
