/* SPDX-License-Identifier: MIT */
/*
 * What every system-call handler uses (syscall.h): the one lookup of a handle
 * with type and rights, and publishing a new capability in the caller's table.
 * Apart from the dispatcher so that host tests can link handlers without it.
 */
#include "process.h"
#include "syscall.h"
#include "thread.h"

kosh_err_t sys_get(struct thread *self, uint64_t h, uint32_t type, uint32_t rights,
		   struct kobject **out, uint64_t *badge)
{
	if (h > UINT32_MAX)
		return KOSH_E_BAD_HANDLE;
	return cap_get(&self->proc->caps, (kosh_handle_t)h, type, rights, out, badge);
}

int64_t sys_insert(struct thread *self, struct kobject *o, uint32_t rights, uint64_t badge)
{
	kosh_handle_t h;
	kosh_err_t e = cap_insert(&self->proc->caps, o, rights, badge, &h);
	if (e) {
		kobject_put(o);
		return e;
	}
	return h;
}
