/* SPDX-License-Identifier: MIT */
/*
 * System calls on memory quotas (syscalls.def rows 33 and 39). quota_create
 * carves a child out of a quota (quota_split): the parent is charged the
 * child's limit and the child object itself, and the child holds a reference
 * to its parent. Everything charged to a quota holds a reference to it, so at
 * the child's last reference nothing is charged to it any more: it dissolves,
 * giving its limit and its object back to the parent. Under the big kernel lock.
 */
#include "kheap.h"
#include "klog.h"
#include "quota.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"

#define QUOTA_HANDLE_RIGHTS \
	(KOSH_RIGHT_READ | KOSH_RIGHT_MANAGE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)

static void release_child(struct kobject *o)
{
	struct quota *q = (struct quota *)o; /* struct quota starts with its kobject */
	struct quota *parent = q->parent;
	if (quota_dissolve(q)) {
		/* Someone charged without holding a reference: keep it all counted. */
		klog_error("quota: child destroyed with %llu bytes in use, leaked",
			   (unsigned long long)q->used);
		return;
	}
	kfree(q);
	quota_uncharge(parent, sizeof(struct quota));
	kobject_put(&parent->obj);
}

/* A child of parent with limit bytes: KOSH_E_NO_MEMORY with nothing charged. */
static kosh_err_t child_create(struct quota *parent, uint64_t limit, struct quota **out)
{
	kosh_err_t err = quota_charge(parent, sizeof(struct quota));
	if (err)
		return err;
	struct quota *q = kzalloc(sizeof(*q));
	if (!q) {
		err = KOSH_E_NO_MEMORY;
		goto out_uncharge;
	}
	err = quota_split(parent, q, limit);
	if (err)
		goto out_free;
	q->obj.release = release_child;
	kobject_get(&parent->obj);
	*out = q;
	return KOSH_OK;
out_free:
	kfree(q);
out_uncharge:
	quota_uncharge(parent, sizeof(struct quota));
	return err;
}

/* quota_create(quota, limit) -> quota handle */
int64_t sys_quota_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	struct quota *child;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_QUOTA, KOSH_RIGHT_MANAGE, &o, NULL);
	if (err)
		return err;
	err = child_create((struct quota *)o, r[1], &child);
	kobject_put(o);
	if (err)
		return err;
	return sys_insert(self, &child->obj, QUOTA_HANDLE_RIGHTS, 0);
}

/* quota_info(quota, struct kosh_quota_info *out) */
int64_t sys_quota_info(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_QUOTA, KOSH_RIGHT_READ, &o, NULL);
	if (err)
		return err;
	struct quota *q = (struct quota *)o;
	uint64_t irq = spin_lock_irqsave(&q->lock);
	struct kosh_quota_info info = { q->limit, q->used };
	spin_unlock_irqrestore(&q->lock, irq);
	kobject_put(o);
	return copy_to_user(user_ptr(r[1]), &info, sizeof(info));
}
