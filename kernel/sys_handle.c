/* SPDX-License-Identifier: MIT */
/*
 * Handle system calls: dup, close, info, and process_give (the spawner's one
 * way to hand a new process its first capabilities). Thin: the rules live in
 * cap.c.
 */
#include "process.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"

int64_t sys_handle_dup(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	kosh_handle_t h;
	if (r[0] > UINT32_MAX)
		return KOSH_E_BAD_HANDLE;
	if (r[1] > UINT32_MAX || (r[1] & ~(uint64_t)KOSH_RIGHTS_ALL))
		return KOSH_E_INVALID_ARGUMENT;
	kosh_err_t e = cap_dup(&self->proc->caps, (kosh_handle_t)r[0], (uint32_t)r[1], r[2], &h);
	return e ? e : (int64_t)h;
}

int64_t sys_handle_close(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	if (r[0] > UINT32_MAX)
		return KOSH_E_BAD_HANDLE;
	return cap_close(&self->proc->caps, (kosh_handle_t)r[0]);
}

int64_t sys_handle_info(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kosh_handle_info info = { 0 };
	if (r[0] > UINT32_MAX)
		return KOSH_E_BAD_HANDLE;
	kosh_err_t e = cap_info(&self->proc->caps, (kosh_handle_t)r[0], &info.type, &info.rights,
				&info.badge);
	return e ? e : copy_to_user(user_ptr(r[1]), &info, sizeof(info));
}

int64_t sys_process_give(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *po, *o;
	uint64_t badge;
	uint32_t type, rights;
	if (r[2] & ~(uint64_t)KOSH_GIVE_MOVE)
		return KOSH_E_INVALID_ARGUMENT;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_MANAGE, &po, NULL);
	if (e)
		return e;
	struct process *target = (struct process *)po;
	e = r[1] > UINT32_MAX ? KOSH_E_BAD_HANDLE :
				cap_info(&self->proc->caps, (kosh_handle_t)r[1], &type, &rights, &badge);
	if (!e && !(r[2] & KOSH_GIVE_MOVE) && !(rights & KOSH_RIGHT_TRANSFER))
		e = KOSH_E_ACCESS_DENIED;
	if (!e && target->state != PROCESS_ALIVE)
		e = KOSH_E_BAD_STATE;
	if (!e)
		e = sys_get(self, r[1], KOSH_OBJ_NONE, 0, &o, NULL);
	if (e) {
		kobject_put(po);
		return e;
	}
	kosh_handle_t h;
	e = cap_insert(&target->caps, o, rights, badge, &h);
	if (e)
		kobject_put(o);
	else if (r[2] & KOSH_GIVE_MOVE)
		(void)cap_close(&self->proc->caps, (kosh_handle_t)r[1]);
	kobject_put(po);
	return e ? e : (int64_t)h;
}
