/* SPDX-License-Identifier: MIT */
/*
 * Memory quotas (see quota.h). A split charges the child's whole limit to the
 * parent at once, so a charge only ever touches one quota's counters: no walk
 * up the tree, no lock ordering between levels.
 */
#include "quota.h"

static void release_quota(struct kobject *o)
{
	(void)o; /* quotas are embedded in their owners, which free them */
}

void quota_init_root(struct quota *q, uint64_t limit)
{
	kobject_init(&q->obj, KOSH_OBJ_QUOTA, release_quota);
	q->parent = 0;
	q->limit = limit;
	q->used = 0;
	q->lock = (struct spinlock)SPINLOCK_INIT;
}

kosh_err_t quota_charge(struct quota *q, uint64_t bytes)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	int fits = bytes <= q->limit - q->used;
	if (fits)
		q->used += bytes;
	spin_unlock_irqrestore(&q->lock, flags);
	return fits ? KOSH_OK : KOSH_E_NO_MEMORY;
}

void quota_uncharge(struct quota *q, uint64_t bytes)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	q->used -= bytes <= q->used ? bytes : q->used;
	spin_unlock_irqrestore(&q->lock, flags);
}

kosh_err_t quota_split(struct quota *parent, struct quota *child, uint64_t limit)
{
	kosh_err_t err = quota_charge(parent, limit);
	if (err)
		return err;
	quota_init_root(child, limit);
	child->parent = parent;
	return KOSH_OK;
}

kosh_err_t quota_dissolve(struct quota *child)
{
	uint64_t flags = spin_lock_irqsave(&child->lock);
	uint64_t used = child->used;
	spin_unlock_irqrestore(&child->lock, flags);
	if (used)
		return KOSH_E_BUSY;
	if (child->parent)
		quota_uncharge(child->parent, child->limit);
	child->limit = 0;
	return KOSH_OK;
}
