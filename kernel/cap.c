/* SPDX-License-Identifier: MIT */
/*
 * Capability tables and object references (see cap.h). One lock per table,
 * taken as is: every caller runs with interrupts masked (under the big lock);
 * an object's reference count is atomic, and its release runs outside the
 * table lock (an object's release may close other capabilities).
 */
#include "cap.h"

void kobject_init(struct kobject *o, uint32_t type, void (*release)(struct kobject *o))
{
	o->type = type;
	o->refs = 1;
	o->release = release;
	o->handles = 0;
	o->closed = 0;
}

/* A capability to o went away: its closed hook on the last one, then its reference. */
static void drop_capability(struct kobject *o)
{
	if (__atomic_sub_fetch(&o->handles, 1, __ATOMIC_ACQ_REL) == 0 && o->closed)
		o->closed(o);
	kobject_put(o);
}

void kobject_get(struct kobject *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
}

void kobject_put(struct kobject *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0 && o->release)
		o->release(o);
}

kosh_err_t cap_table_init(struct cap_table *t, struct cap_slot *slots, uint32_t capacity)
{
	if (!slots || capacity < 2 || capacity > CAP_TABLE_MAX)
		return KOSH_E_INVALID_ARGUMENT;
	t->slots = slots;
	t->capacity = capacity;
	t->used = 0;
	t->lock = (struct spinlock)SPINLOCK_INIT;
	slots[0].state = CAP_SLOT_RETIRED; /* handle 0 is never valid */
	return KOSH_OK;
}

static kosh_handle_t handle_of(const struct cap_table *t, uint32_t slot)
{
	return (uint32_t)t->slots[slot].gen << KOSH_HANDLE_SLOT_BITS | slot;
}

/* The used slot h names, or NULL (caller holds the lock). */
static struct cap_slot *lookup(struct cap_table *t, kosh_handle_t h)
{
	uint32_t slot = KOSH_HANDLE_SLOT(h);
	if (slot == 0 || slot >= t->capacity)
		return 0;
	struct cap_slot *s = &t->slots[slot];
	if (s->state != CAP_SLOT_USED || s->gen != KOSH_HANDLE_GEN(h))
		return 0;
	return s;
}

/* A slot is free again: a new generation, or retired when that would wrap. */
static void retire_or_free(struct cap_slot *s)
{
	s->obj = 0;
	s->rights = 0;
	s->badge = 0;
	if (s->gen == CAP_GEN_MAX) {
		s->state = CAP_SLOT_RETIRED;
	} else {
		s->gen++;
		s->state = CAP_SLOT_FREE;
	}
}

kosh_err_t cap_reserve(struct cap_table *t, uint32_t *slot)
{
	spin_lock(&t->lock);
	kosh_err_t err = KOSH_E_NO_SLOTS;
	for (uint32_t i = 1; i < t->capacity; i++) {
		if (t->slots[i].state == CAP_SLOT_FREE) {
			t->slots[i].state = CAP_SLOT_RESERVED;
			t->used++;
			*slot = i;
			err = KOSH_OK;
			break;
		}
	}
	spin_unlock(&t->lock);
	return err;
}

kosh_handle_t cap_reserved_handle(struct cap_table *t, uint32_t slot)
{
	return handle_of(t, slot);
}

void cap_publish(struct cap_table *t, uint32_t slot, struct kobject *o, uint32_t rights,
		 uint64_t badge)
{
	spin_lock(&t->lock);
	struct cap_slot *s = &t->slots[slot];
	s->obj = o;
	s->rights = rights & KOSH_RIGHTS_ALL;
	s->badge = badge;
	s->state = CAP_SLOT_USED;
	__atomic_fetch_add(&o->handles, 1, __ATOMIC_RELAXED);
	spin_unlock(&t->lock);
}

void cap_unreserve(struct cap_table *t, uint32_t slot)
{
	spin_lock(&t->lock);
	t->slots[slot].state = CAP_SLOT_FREE;
	t->used--;
	spin_unlock(&t->lock);
}

kosh_err_t cap_insert(struct cap_table *t, struct kobject *o, uint32_t rights, uint64_t badge,
		      kosh_handle_t *out)
{
	uint32_t slot;
	kosh_err_t err = cap_reserve(t, &slot);
	if (err)
		return err;
	*out = cap_reserved_handle(t, slot);
	cap_publish(t, slot, o, rights, badge);
	return KOSH_OK;
}

kosh_err_t cap_get(struct cap_table *t, kosh_handle_t h, uint32_t type, uint32_t rights,
		   struct kobject **out, uint64_t *badge)
{
	spin_lock(&t->lock);
	struct cap_slot *s = lookup(t, h);
	kosh_err_t err = KOSH_OK;
	if (!s)
		err = KOSH_E_BAD_HANDLE;
	else if (type != KOSH_OBJ_NONE && s->obj->type != type)
		err = KOSH_E_WRONG_TYPE;
	else if ((s->rights & rights) != rights)
		err = KOSH_E_ACCESS_DENIED;
	if (!err) {
		kobject_get(s->obj);
		*out = s->obj;
		if (badge)
			*badge = s->badge;
	}
	spin_unlock(&t->lock);
	return err;
}

kosh_err_t cap_close(struct cap_table *t, kosh_handle_t h)
{
	spin_lock(&t->lock);
	struct cap_slot *s = lookup(t, h);
	struct kobject *o = s ? s->obj : 0;
	if (s) {
		retire_or_free(s);
		t->used--;
	}
	spin_unlock(&t->lock);
	if (!o)
		return KOSH_E_BAD_HANDLE;
	drop_capability(o); /* outside the lock: a release may close other capabilities */
	return KOSH_OK;
}

kosh_err_t cap_dup(struct cap_table *t, kosh_handle_t h, uint32_t rights, uint64_t badge,
		   kosh_handle_t *out)
{
	struct kobject *o;
	uint64_t old_badge;
	uint32_t type, have;
	kosh_err_t err = cap_info(t, h, &type, &have, &old_badge);
	if (err)
		return err;
	if (!(have & KOSH_RIGHT_DUPLICATE) || (rights & ~have))
		return KOSH_E_ACCESS_DENIED; /* rights never grow */
	err = cap_get(t, h, KOSH_OBJ_NONE, KOSH_RIGHT_DUPLICATE, &o, &old_badge);
	if (err)
		return err;
	err = cap_insert(t, o, rights, old_badge ? old_badge : badge, out);
	if (err)
		kobject_put(o);
	return err;
}

kosh_err_t cap_info(struct cap_table *t, kosh_handle_t h, uint32_t *type, uint32_t *rights,
		    uint64_t *badge)
{
	spin_lock(&t->lock);
	struct cap_slot *s = lookup(t, h);
	if (s) {
		*type = s->obj->type;
		*rights = s->rights;
		*badge = s->badge;
	}
	spin_unlock(&t->lock);
	return s ? KOSH_OK : KOSH_E_BAD_HANDLE;
}

void cap_table_clear(struct cap_table *t)
{
	for (uint32_t i = 1; i < t->capacity; i++) {
		spin_lock(&t->lock);
		struct cap_slot *s = &t->slots[i];
		struct kobject *o = s->state == CAP_SLOT_USED ? s->obj : 0;
		if (o) {
			retire_or_free(s);
			t->used--;
		}
		spin_unlock(&t->lock);
		if (o)
			drop_capability(o);
	}
}
