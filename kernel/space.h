/* SPDX-License-Identifier: MIT */
/*
 * Address spaces as capability objects (DESIGN.md §4, docs/vm.md "Frames and
 * address spaces"): a user vm_space plus the record of every mapping in it,
 * each a page range of one frame with rights.
 *
 * Invariants: the mappings of a space never overlap and are kept sorted by
 * address; every mapped user page of the vm_space belongs to exactly one
 * mapping and every page leaf lies inside one mapping (ranges are only ever
 * cut where the page-table code split its leaves), so removing a whole
 * mapping never needs memory; a mapping is never writable and executable, and
 * never has rights its frame handle did not carry (max_rights). The object,
 * its table pages and its mapping records are charged to its quota and given
 * back exactly. Every operation either succeeds or changes nothing.
 */
#ifndef KERNEL_SPACE_H
#define KERNEL_SPACE_H

#include <stdint.h>

#include <kosh/abi.h>

#include "cap.h"
#include "list.h"
#include "vm.h"

struct frame;
struct quota;

struct mapping {
	struct list space_link; /* in its space's list, by address */
	struct list frame_link; /* in its frame's list */
	struct space *space;
	struct frame *frame;    /* no reference: the frame's destruction removes the mapping */
	uint64_t va, size;      /* page-aligned, inside the user half */
	uint64_t offset;        /* of va into the frame */
	uint32_t rights;        /* KOSH_RIGHT_READ | _WRITE | _EXECUTE, READ always, never W+X */
	uint32_t max_rights;    /* what space_protect may give: the frame handle's map rights */
};

struct space {
	struct kobject obj; /* KOSH_OBJ_SPACE */
	struct vm_space vm;
	struct list mappings; /* struct mapping.space_link, sorted by va */
	uint32_t count;       /* mappings */
	struct quota *quota;  /* a reference */
};

/*
 * A new, empty user space charged to q (the object and its root table; later
 * tables and mapping records as they come). KOSH_E_NO_MEMORY with nothing
 * charged. *out holds the one reference.
 */
__attribute__((warn_unused_result)) kosh_err_t space_create(struct quota *q, struct space **out);

/*
 * Map [offset, offset + size) of f at va with rights (see struct mapping);
 * space_protect may later give any rights of KOSH_MAP_RIGHTS (a mapping the
 * kernel makes). Device frames map uncached, write-combining ones as such.
 * KOSH_E_INVALID_ARGUMENT (rights, alignment, size 0), KOSH_E_OUT_OF_RANGE (not
 * inside f, not inside the user half), KOSH_E_ALREADY_EXISTS (overlaps a
 * mapping), KOSH_E_NO_MEMORY; then nothing changed.
 */
__attribute__((warn_unused_result)) kosh_err_t space_map(struct space *s, struct frame *f,
							 uint64_t offset, uint64_t va,
							 uint64_t size, uint32_t rights);

/*
 * space_map from a frame handle whose rights were cap_rights: rights must be
 * among them (else KOSH_E_ACCESS_DENIED), and space_protect never gives the
 * mapping more than they allow.
 */
__attribute__((warn_unused_result)) kosh_err_t space_map_cap(struct space *s, struct frame *f,
							     uint64_t offset, uint64_t va,
							     uint64_t size, uint32_t rights,
							     uint32_t cap_rights);

/*
 * Unmap [va, va + size): it may cut mappings (split them). Every page of the
 * range must be mapped, else KOSH_E_NOT_FOUND; KOSH_E_INVALID_ARGUMENT,
 * KOSH_E_OUT_OF_RANGE, KOSH_E_NO_MEMORY (a split found no memory); on error
 * nothing changed. The TLB of every CPU drops the range.
 */
__attribute__((warn_unused_result)) kosh_err_t space_unmap(struct space *s, uint64_t va,
							   uint64_t size);

/*
 * Give every page of [va, va + size) rights, splitting mappings the range cuts.
 * Every page must be mapped (KOSH_E_NOT_FOUND), and rights be allowed by each
 * mapping's max_rights (KOSH_E_ACCESS_DENIED); errors as space_map; on error
 * nothing changed.
 */
__attribute__((warn_unused_result)) kosh_err_t space_protect(struct space *s, uint64_t va,
							     uint64_t size, uint32_t rights);

/* Make s this CPU's lower half (NULL: none, the kernel half only). */
void space_activate(struct space *s);

/* The mapping holding va, or NULL. */
const struct mapping *space_find(const struct space *s, uint64_t va);

/* The space o is (o->type must be KOSH_OBJ_SPACE). */
struct space *space_from(struct kobject *o);

/* Remove every mapping of f from its space (frame destruction, frame.c). */
void space_unmap_frame(struct frame *f);

#endif
