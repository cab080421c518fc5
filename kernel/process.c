/* SPDX-License-Identifier: MIT */
/*
 * Processes (see process.h). Each thread holds a reference to its process, so
 * a process lives at least as long as its threads; it exits when its last
 * started thread has been reaped, which is also the first moment no CPU can be
 * running in its address space. Its capability table is closed then (which
 * breaks any cycle through handles to itself), not at destruction.
 */
#include "process.h"

#include "arch.h"

#include "clock.h"
#include "ipc.h"
#include "kheap.h"
#include "klog.h"
#include "quota.h"
#include "sched.h"
#include "space.h"
#include "thread.h"

#include <kosh/string.h>

#define PROCESS_CHARGE (sizeof(struct process) + PROCESS_CAP_SLOTS * sizeof(struct cap_slot))

static uint32_t next_id = 1;
static struct process *root;
static void (*root_exit)(uint64_t status);

static void wake_waiters(struct process *p, kosh_err_t result)
{
	struct list *n;
	while ((n = list_first(&p->waiters))) {
		struct thread *t = list_entry(n, struct thread, wait_link);
		t->exit_status = p->exit_status;
		sched_wake(t, result);
	}
}

/* No capability names it any more: nobody can wait for it. */
static void process_closed(struct kobject *o)
{
	wake_waiters((struct process *)o, KOSH_E_PEER_CLOSED);
}

static void process_release(struct kobject *o)
{
	struct process *p = (struct process *)o;
	wake_waiters(p, KOSH_E_PEER_CLOSED);
	if (p->exit_ntf)
		kobject_put(&p->exit_ntf->obj);
	cap_table_clear(&p->caps);
	if (p->space)
		kobject_put(&p->space->obj);
	kfree(p->caps.slots);
	struct quota *q = p->quota;
	if (p->ioport_bitmap) {
		kfree(p->ioport_bitmap);
		quota_uncharge(q, ARCH_IOPORT_BITMAP_BYTES);
	}
	kfree(p);
	quota_uncharge(q, PROCESS_CHARGE);
	kobject_put(&q->obj);
}

kosh_err_t process_create(struct quota *q, struct space *space, const char *name,
			  struct process **out)
{
	if (quota_charge(q, PROCESS_CHARGE))
		return KOSH_E_NO_MEMORY;
	struct process *p = kzalloc(sizeof(*p));
	struct cap_slot *slots = kzalloc(PROCESS_CAP_SLOTS * sizeof(*slots));
	if (!p || !slots) {
		kfree(slots);
		kfree(p);
		quota_uncharge(q, PROCESS_CHARGE);
		return KOSH_E_NO_MEMORY;
	}
	kobject_init(&p->obj, KOSH_OBJ_PROCESS, process_release);
	p->obj.closed = process_closed;
	if (cap_table_init(&p->caps, slots, PROCESS_CAP_SLOTS))
		return KOSH_E_INVALID_ARGUMENT; /* cannot happen: the size is fixed */
	p->space = space;
	kobject_get(&space->obj);
	p->quota = q;
	kobject_get(&q->obj);
	list_init(&p->threads);
	list_init(&p->waiters);
	p->id = next_id++;
	p->state = PROCESS_ALIVE;
	p->created_ns = clock_ns();
	strlcpy(p->name, name, sizeof(p->name));
	*out = p;
	return KOSH_OK;
}

void process_kill(struct process *p, uint64_t status)
{
	if (p->state != PROCESS_ALIVE)
		return;
	p->state = PROCESS_EXITING;
	p->exit_status = status;
	list_for_each_safe(pos, tmp, &p->threads)
		thread_kill(list_entry(pos, struct thread, threads));
	if (!p->live_threads)
		process_thread_gone(p); /* nothing was running: it has exited now */
}

void process_thread_started(struct process *p)
{
	p->live_threads++;
}

/* The last thread is gone: close everything and tell the waiters. */
static void exited(struct process *p)
{
	if (p->state == PROCESS_ALIVE)
		p->exit_status = KOSH_EXIT_KILLED;
	p->state = PROCESS_EXITED;
	kobject_get(&p->obj); /* closing its table may drop the last outside reference */
	cap_table_clear(&p->caps);
	struct space *s = p->space;
	p->space = NULL;
	if (s)
		kobject_put(&s->obj);
	wake_waiters(p, KOSH_OK);
	if (p->exit_ntf) {
		notification_signal(p->exit_ntf, p->exit_bits);
		kobject_put(&p->exit_ntf->obj);
		p->exit_ntf = NULL;
	}
	if (p == root && root_exit) {
		root = NULL;
		root_exit(p->exit_status);
	}
	kobject_put(&p->obj);
}

void process_thread_gone(struct process *p)
{
	if (p->live_threads)
		p->live_threads--;
	if (!p->live_threads && p->state != PROCESS_EXITED &&
	    (p->state == PROCESS_EXITING || list_empty(&p->threads)))
		exited(p);
}

kosh_err_t process_wait(struct process *p, uint64_t timeout_ns, uint64_t *status)
{
	if (p->state == PROCESS_EXITED) {
		*status = p->exit_status;
		return KOSH_OK;
	}
	if (!timeout_ns)
		return KOSH_E_TIMED_OUT;
	struct thread *t = thread_current();
	t->wait = WAIT_PROCESS;
	t->wait_obj = p;
	list_add_tail(&p->waiters, &t->wait_link);
	kosh_err_t e = sched_block(timeout_ns);
	if (e == KOSH_OK)
		*status = t->exit_status;
	return e;
}

void process_notify(struct process *p, struct notification *n, uint64_t bits)
{
	if (p->state == PROCESS_EXITED) {
		if (n)
			notification_signal(n, bits);
		return;
	}
	if (n)
		kobject_get(&n->obj);
	if (p->exit_ntf)
		kobject_put(&p->exit_ntf->obj);
	p->exit_ntf = n;
	p->exit_bits = bits;
}

void process_info(struct process *p, struct kosh_process_info *out)
{
	memset(out, 0, sizeof(*out));
	out->id = p->id;
	out->state = p->state == PROCESS_ALIVE	 ? KOSH_PROCESS_RUNNING :
		     p->state == PROCESS_EXITING ? KOSH_PROCESS_EXITING :
						   KOSH_PROCESS_EXITED;
	out->threads = p->live_threads;
	uint64_t ticks = p->cpu_ticks;
	list_for_each(pos, &p->threads)
		ticks += sched_unaccounted_ticks(list_entry(pos, struct thread, threads));
	out->cpu_ns = clock_ticks_ns(ticks);
	out->exit_status = p->state == PROCESS_EXITED ? p->exit_status : 0;
	out->created_ns = p->created_ns;
	strlcpy(out->name, p->name, sizeof(out->name));
}

kosh_err_t process_ioport_bitmap(struct process *p)
{
	if (quota_charge(p->quota, ARCH_IOPORT_BITMAP_BYTES))
		return KOSH_E_NO_MEMORY;
	p->ioport_bitmap = kmalloc(ARCH_IOPORT_BITMAP_BYTES);
	if (!p->ioport_bitmap) {
		quota_uncharge(p->quota, ARCH_IOPORT_BITMAP_BYTES);
		return KOSH_E_NO_MEMORY;
	}
	memset(p->ioport_bitmap, 0xff, ARCH_IOPORT_BITMAP_BYTES); /* every port refused */
	return KOSH_OK;
}

void process_set_root(struct process *p, void (*on_exit)(uint64_t status))
{
	root = p;
	root_exit = on_exit;
}
