/* SPDX-License-Identifier: MIT */
/*
 * Threads (see thread.h). A thread holds a reference to its process; from its
 * start until it is reaped it also holds one to itself, so a running thread
 * never disappears under its CPU even when every handle to it is closed. Its
 * kernel stack is freed by the CPU that switched away from it for the last
 * time (sched.c's zombie), never by the thread itself. Under the big lock.
 */
#include "thread.h"

#include "arch.h"
#include "cpu.h"
#include "ipc.h"
#include "kheap.h"
#include "klog.h"
#include "process.h"
#include "quota.h"
#include "sched.h"
#include "vm.h"

#include <arch/trap.h>
#include <kosh/string.h>

#include "kentry.h"

static uint32_t next_id = 1;

/* What a thread costs its quota: the object, its kernel stack and its message buffer. */
#define THREAD_CHARGE (sizeof(struct thread) + THREAD_KSTACK_SIZE + sizeof(struct message))

static void free_resources(struct thread *t)
{
	if (t->kstack_top)
		vm_stack_free(t->kstack_top);
	t->kstack_top = 0;
	kfree(t->msg);
	t->msg = NULL;
}

static void thread_release(struct kobject *o)
{
	struct thread *t = (struct thread *)o;
	list_remove(&t->threads); /* a NEW thread is still on its process's list */
	free_resources(t);
	if (t->fault_ep)
		kobject_put(t->fault_ep);
	struct quota *q = t->quota;
	struct process *p = t->proc;
	kfree(t);
	quota_uncharge(q, THREAD_CHARGE);
	kobject_put(&q->obj);
	kobject_put(&p->obj);
}

kosh_err_t thread_create(struct process *p, struct quota *q, uint8_t priority,
			 struct thread **out)
{
	if (quota_charge(q, THREAD_CHARGE))
		return KOSH_E_NO_MEMORY;
	struct thread *t = kzalloc(sizeof(*t));
	struct message *msg = kzalloc(sizeof(*msg));
	uint64_t stack = vm_stack_alloc(THREAD_KSTACK_SIZE);
	if (!t || !msg || !stack) {
		if (stack)
			vm_stack_free(stack);
		kfree(msg);
		kfree(t);
		quota_uncharge(q, THREAD_CHARGE);
		return KOSH_E_NO_MEMORY;
	}
	kobject_init(&t->obj, KOSH_OBJ_THREAD, thread_release);
	arch_thread_init(&t->arch);
	t->msg = msg;
	t->kstack_top = stack;
	t->proc = p;
	kobject_get(&p->obj);
	t->quota = q;
	kobject_get(&q->obj);
	t->id = next_id++;
	t->priority = priority;
	t->affinity = ~0ull;
	t->state = THREAD_NEW;
	list_init(&t->wait_link);
	list_init(&t->timeout_link);
	list_add_tail(&p->threads, &t->threads);
	*out = t;
	return KOSH_OK;
}

/* A new thread's first code, on its own stack: into user mode through its frame. */
static void first_run(void *arg)
{
	struct thread *t = arg;
	sched_after_switch();
	struct trap_frame *f = (struct trap_frame *)(t->kstack_top - sizeof(struct trap_frame));
	kernel_exit_to_user(f);
	arch_return_to_user(f);
}

kosh_err_t thread_start(struct thread *t, uint64_t pc, uint64_t sp, uint64_t arg,
			uint64_t ipc_buffer)
{
	if (t->state != THREAD_NEW || t->proc->state != PROCESS_ALIVE)
		return KOSH_E_BAD_STATE;
	struct trap_frame *f = arch_user_frame_init(t->kstack_top, pc, sp, arg);
	arch_context_init(&t->ctx, (uint64_t)(uintptr_t)f, first_run, t);
	t->ipc_buffer = ipc_buffer;
	kobject_get(&t->obj); /* the running reference, dropped by thread_reap */
	process_thread_started(t->proc);
	if (t->suspend) {
		t->state = THREAD_SUSPENDED;
		return KOSH_OK;
	}
	sched_ready(t);
	return KOSH_OK;
}

void thread_kill(struct thread *t)
{
	t->kill = 1;
	switch (t->state) {
	case THREAD_NEW:
		list_remove(&t->threads);
		list_init(&t->threads);
		t->state = THREAD_DEAD; /* never started: nothing runs, nothing to reap */
		break;
	case THREAD_BLOCKED:
		ipc_cancel_wait(t);
		sched_wake(t, KOSH_E_INTERRUPTED);
		break;
	case THREAD_SUSPENDED:
		sched_ready(t);
		break;
	case THREAD_RUNNING:
		sched_kick(t);
		break;
	default:
		break;
	}
}

void thread_suspend(struct thread *t)
{
	if (t->state == THREAD_DEAD)
		return;
	t->suspend = 1;
	if (t->state == THREAD_READY) {
		runqueue_remove(&t->cpu->rq, &t->run);
		t->state = THREAD_SUSPENDED;
	} else if (t->state == THREAD_RUNNING) {
		sched_kick(t);
	}
}

void thread_resume(struct thread *t)
{
	t->suspend = 0;
	if (t->state == THREAD_SUSPENDED)
		sched_ready(t);
}

void thread_exit_current(void)
{
	struct thread *t = thread_current();
	ipc_thread_dying(t);
	sched_exit_current();
}

void thread_reap(struct thread *t)
{
	struct process *p = t->proc;
	free_resources(t);
	list_remove(&t->threads);
	process_thread_gone(p);
	kobject_put(&t->obj);
}

const uint8_t *thread_ioport_bitmap(const struct thread *t)
{
	return t->proc->ioport_bitmap;
}
