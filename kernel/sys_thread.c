/* SPDX-License-Identifier: MIT */
/*
 * Thread and process system calls, and the three that need no handle (yield,
 * exit, clock_get). Thin: the rules live in thread.c, process.c and sched.c.
 */
#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "process.h"
#include "quota.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"

int64_t sys_yield(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	sched_yield();
	return KOSH_OK;
}

int64_t sys_exit(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	process_kill(self->proc, (uint32_t)r[0]);
	return KOSH_OK; /* not seen: the thread dies on its way out */
}

int64_t sys_thread_exit(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	self->kill = 1;
	return KOSH_OK;
}

int64_t sys_clock_get(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	return (int64_t)clock_ns();
}

int64_t sys_process_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *qo, *so;
	char name[32] = { 0 };
	struct process *p;
	if (r[3] >= sizeof(name))
		return KOSH_E_TOO_BIG;
	kosh_err_t e = copy_from_user(name, user_ptr(r[2]), r[3]);
	if (e)
		return e;
	e = sys_get(self, r[0], KOSH_OBJ_QUOTA, KOSH_RIGHT_MANAGE, &qo, NULL);
	if (e)
		return e;
	e = sys_get(self, r[1], KOSH_OBJ_SPACE, KOSH_RIGHT_MANAGE, &so, NULL);
	if (!e) {
		e = process_create((struct quota *)qo, space_from(so), name, &p);
		kobject_put(so);
	}
	kobject_put(qo);
	return e ? e : sys_insert(self, &p->obj, KOSH_RIGHTS_ALL & ~KOSH_RIGHT_EXECUTE, 0);
}

int64_t sys_process_wait(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	uint64_t status = 0;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_WAIT, &o, NULL);
	if (e)
		return e;
	e = process_wait((struct process *)o, r[1], &status);
	kobject_put(o);
	r[1] = status;
	return e;
}

int64_t sys_thread_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	struct thread *t;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_MANAGE, &o, NULL);
	if (e)
		return e;
	struct process *p = (struct process *)o;
	e = p->state == PROCESS_ALIVE ? thread_create(p, self->proc->quota, self->priority, &t) :
					KOSH_E_BAD_STATE;
	kobject_put(o);
	return e ? e : sys_insert(self, &t->obj, KOSH_RIGHTS_ALL & ~KOSH_RIGHT_EXECUTE, 0);
}

/* The thread a handle names, with MANAGE. */
static kosh_err_t get_thread(struct thread *self, uint64_t h, struct thread **out)
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, h, KOSH_OBJ_THREAD, KOSH_RIGHT_MANAGE, &o, NULL);
	*out = (struct thread *)o;
	return e;
}

int64_t sys_thread_start(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	uint64_t top = arch_user_top();
	if (r[1] >= top || r[2] > top || (r[4] & 4095) || r[4] >= top ||
	    (r[4] && top - r[4] < KOSH_IPC_BUFFER_SIZE))
		return KOSH_E_BAD_ADDRESS;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	e = thread_start(t, r[1], r[2], r[3], r[4]);
	kobject_put(&t->obj);
	return e;
}

int64_t sys_thread_set_priority(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	if (r[1] > self->priority)
		return r[1] > KOSH_PRIORITY_MAX ? KOSH_E_OUT_OF_RANGE : KOSH_E_ACCESS_DENIED;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	t->priority = (uint8_t)r[1];
	sched_update(t);
	kobject_put(&t->obj);
	return KOSH_OK;
}

int64_t sys_thread_set_affinity(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	uint32_t n = cpu_count();
	uint64_t online = n >= 64 ? ~0ull : (1ull << n) - 1;
	if (!(r[1] & online))
		return KOSH_E_INVALID_ARGUMENT;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	t->affinity = r[1];
	sched_update(t);
	kobject_put(&t->obj);
	return KOSH_OK;
}

int64_t sys_thread_suspend(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	thread_suspend(t);
	kobject_put(&t->obj);
	return KOSH_OK;
}

int64_t sys_thread_resume(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	thread_resume(t);
	kobject_put(&t->obj);
	return KOSH_OK;
}

int64_t sys_thread_set_fault_endpoint(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	struct kobject *ep = NULL;
	uint64_t badge = 0;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	if (r[1])
		e = sys_get(self, r[1], KOSH_OBJ_ENDPOINT, KOSH_RIGHT_WRITE, &ep, &badge);
	if (!e) {
		if (t->fault_ep)
			kobject_put(t->fault_ep);
		t->fault_ep = ep; /* takes over sys_get's reference */
		t->fault_badge = badge;
	}
	kobject_put(&t->obj);
	return e;
}

int64_t sys_process_kill(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_MANAGE, &o, NULL);
	if (e)
		return e;
	/* A status is 32 bits; KOSH_EXIT_KILLED alone says "killed" as the kernel does. */
	process_kill((struct process *)o, r[1] == KOSH_EXIT_KILLED ? KOSH_EXIT_KILLED : (uint32_t)r[1]);
	kobject_put(o);
	return KOSH_OK;
}

int64_t sys_process_notify(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o, *n = NULL;
	if (r[1] && !r[2])
		return KOSH_E_INVALID_ARGUMENT;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_WAIT, &o, NULL);
	if (e)
		return e;
	if (r[1])
		e = sys_get(self, r[1], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_SIGNAL, &n, NULL);
	if (!e)
		process_notify((struct process *)o, (struct notification *)n, r[2]);
	if (n)
		kobject_put(n);
	kobject_put(o);
	return e;
}

int64_t sys_thread_set_tls(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *t;
	if (r[1] >= arch_user_top())
		return KOSH_E_BAD_ADDRESS;
	kosh_err_t e = get_thread(self, r[0], &t);
	if (e)
		return e;
	arch_thread_set_tls(&t->arch, r[1], t == self);
	kobject_put(&t->obj);
	return KOSH_OK;
}

/* process_info(process, struct kosh_process_info *out) */
int64_t sys_process_info(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	struct kosh_process_info info;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_READ, &o, NULL);
	if (e)
		return e;
	process_info((struct process *)o, &info);
	kobject_put(o);
	return copy_to_user(user_ptr(r[1]), &info, sizeof(info));
}
