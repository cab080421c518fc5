/* SPDX-License-Identifier: MIT */
/*
 * Endpoint and notification system calls. Thin: the rules live in ipc.c. A
 * handler holds its reference to the endpoint or notification while it
 * blocks, so the object outlives the call.
 */
#include "ipc.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"

static int64_t create(struct thread *self, uint64_t quota, int endpoint)
{
	struct kobject *qo;
	struct endpoint *ep;
	struct notification *n;
	kosh_err_t e = sys_get(self, quota, KOSH_OBJ_QUOTA, KOSH_RIGHT_MANAGE, &qo, NULL);
	if (e)
		return e;
	e = endpoint ? endpoint_create((struct quota *)qo, &ep) :
		       notification_create((struct quota *)qo, &n);
	kobject_put(qo);
	if (e)
		return e;
	if (endpoint)
		return sys_insert(self, &ep->obj,
				  KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER |
					  KOSH_RIGHT_DUPLICATE,
				  0);
	return sys_insert(self, &n->obj,
			  KOSH_RIGHT_SIGNAL | KOSH_RIGHT_WAIT | KOSH_RIGHT_TRANSFER |
				  KOSH_RIGHT_DUPLICATE,
			  0);
}

int64_t sys_endpoint_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	return create(self, r[0], 1);
}

int64_t sys_notification_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	return create(self, r[0], 0);
}

int64_t sys_endpoint_call(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	uint64_t badge;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_ENDPOINT, KOSH_RIGHT_WRITE, &o, &badge);
	if (e)
		return e;
	e = ipc_call((struct endpoint *)o, badge, r);
	kobject_put(o);
	return e;
}

int64_t sys_endpoint_recv(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_ENDPOINT, KOSH_RIGHT_READ, &o, NULL);
	if (e)
		return e;
	e = ipc_recv((struct endpoint *)o, r);
	kobject_put(o);
	return e;
}

int64_t sys_endpoint_reply_recv(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_ENDPOINT, KOSH_RIGHT_READ, &o, NULL);
	if (e)
		return e;
	e = ipc_reply_recv((struct endpoint *)o, r);
	kobject_put(o);
	return e;
}

int64_t sys_notification_signal(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_SIGNAL, &o, NULL);
	if (e)
		return e;
	notification_signal((struct notification *)o, r[1]);
	kobject_put(o);
	return KOSH_OK;
}

int64_t sys_notification_wait(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	uint64_t bits = 0;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_WAIT, &o, NULL);
	if (e)
		return e;
	e = notification_wait((struct notification *)o, r[1], &bits);
	kobject_put(o);
	r[1] = bits;
	return e;
}

int64_t sys_notification_poll(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_WAIT, &o, NULL);
	if (e)
		return e;
	r[1] = notification_poll((struct notification *)o);
	kobject_put(o);
	return KOSH_OK;
}

int64_t sys_notification_bind(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *n, *ep;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_WAIT, &n, NULL);
	if (e)
		return e;
	e = sys_get(self, r[1], KOSH_OBJ_ENDPOINT, KOSH_RIGHT_READ, &ep, NULL);
	if (!e) {
		e = notification_bind((struct notification *)n, (struct endpoint *)ep);
		kobject_put(ep);
	}
	kobject_put(n);
	return e;
}

/*
 * reply_save(quota) -> a reply handle. Published in phases: the slot first, so
 * that nothing can fail once the reply has left the thread.
 */
int64_t sys_reply_save(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *qo;
	struct reply *rp;
	uint32_t slot;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_QUOTA, KOSH_RIGHT_MANAGE, &qo, NULL);
	if (e)
		return e;
	e = self->reply_to ? cap_reserve(&self->proc->caps, &slot) : KOSH_E_BAD_STATE;
	if (!e) {
		e = ipc_reply_save((struct quota *)qo, &rp);
		if (e)
			cap_unreserve(&self->proc->caps, slot);
	}
	kobject_put(qo);
	if (e)
		return e;
	kosh_handle_t h = cap_reserved_handle(&self->proc->caps, slot);
	cap_publish(&self->proc->caps, slot, &rp->obj, KOSH_RIGHT_WRITE, 0);
	return h;
}

/* reply_send(reply, tag, w0 .. w3): the handle is closed once the reply is spent. */
int64_t sys_reply_send(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_REPLY, KOSH_RIGHT_WRITE, &o, NULL);
	if (e)
		return e;
	e = ipc_reply_send((struct reply *)o, r);
	if (e == KOSH_OK || e == KOSH_E_PEER_CLOSED)
		(void)cap_close(&self->proc->caps, (kosh_handle_t)r[0]);
	kobject_put(o);
	return e;
}
