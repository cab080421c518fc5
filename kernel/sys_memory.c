/* SPDX-License-Identifier: MIT */
/*
 * System calls on frames and address spaces (syscalls.def rows 6-10). Thin
 * handlers, as STYLE.md says: look each handle up with its type and rights in
 * one call, let frame.c / space.c validate and commit (they change nothing
 * when they fail), drop the references. Under the big kernel lock.
 *
 * A mapping may never have a right the frame handle lacked: space_map needs
 * the handle to carry KOSH_RIGHT_MAP and every right asked for, and the
 * handle's rights are kept in the mapping as the most space_protect may give.
 */
#include "frame.h"
#include "mmio.h"
#include "process.h"
#include "quota.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

/* The rights of a new frame's and a new space's handle. */
#define FRAME_HANDLE_RIGHTS                                                                        \
	(KOSH_MAP_RIGHTS | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE |           \
	 KOSH_RIGHT_MANAGE)
#define MMIO_HANDLE_RIGHTS                                                                         \
	(KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER |               \
	 KOSH_RIGHT_DUPLICATE)
#define SPACE_HANDLE_RIGHTS \
	(KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE | KOSH_RIGHT_MANAGE)

/* frame_create(quota, size, flags) -> frame handle */
int64_t sys_frame_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *qo;
	struct frame *f;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_QUOTA, KOSH_RIGHT_MANAGE, &qo, NULL);
	if (err)
		return err;
	if (r[2] > UINT32_MAX)
		err = KOSH_E_INVALID_ARGUMENT;
	else /* struct quota starts with its kobject */
		err = frame_create_ram((struct quota *)qo, r[1], (uint32_t)r[2], &f);
	kobject_put(qo);
	if (err)
		return err;
	return sys_insert(self, &f->obj, FRAME_HANDLE_RIGHTS, 0);
}

/* space_create(quota) -> space handle */
int64_t sys_space_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *qo;
	struct space *s;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_QUOTA, KOSH_RIGHT_MANAGE, &qo, NULL);
	if (err)
		return err;
	err = space_create((struct quota *)qo, &s);
	kobject_put(qo);
	if (err)
		return err;
	return sys_insert(self, &s->obj, SPACE_HANDLE_RIGHTS, 0);
}

/* The frame handle h with KOSH_RIGHT_MAP and rights, and all its rights in *have. */
static kosh_err_t get_frame(struct thread *self, uint64_t h, uint32_t rights, struct kobject **out,
			    uint32_t *have)
{
	uint32_t type;
	uint64_t badge;
	kosh_err_t err = sys_get(self, h, KOSH_OBJ_FRAME, KOSH_RIGHT_MAP | rights, out, NULL);
	if (err)
		return err;
	/* sys_get gives no rights back; under the big lock the slot cannot change in between. */
	err = cap_info(&self->proc->caps, (kosh_handle_t)h, &type, have, &badge);
	if (err)
		kobject_put(*out);
	return err;
}

/* space_map(space, frame, offset, va, size, rights) */
int64_t sys_space_map(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *so, *fo;
	uint32_t have;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_SPACE, KOSH_RIGHT_MAP, &so, NULL);
	if (err)
		return err;
	if (r[5] & ~(uint64_t)KOSH_MAP_RIGHTS)
		err = KOSH_E_INVALID_ARGUMENT;
	else
		err = get_frame(self, r[1], (uint32_t)r[5], &fo, &have);
	if (!err) {
		err = space_map_cap(space_from(so), frame_from(fo), r[2], r[3], r[4], (uint32_t)r[5],
				    have);
		kobject_put(fo);
	}
	kobject_put(so);
	return err;
}

/* space_unmap(space, va, size) */
int64_t sys_space_unmap(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *so;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_SPACE, KOSH_RIGHT_MAP, &so, NULL);
	if (err)
		return err;
	err = space_unmap(space_from(so), r[1], r[2]);
	kobject_put(so);
	return err;
}

/* space_protect(space, va, size, rights) */
int64_t sys_space_protect(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *so;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_SPACE, KOSH_RIGHT_MAP, &so, NULL);
	if (err)
		return err;
	if (r[3] & ~(uint64_t)KOSH_MAP_RIGHTS)
		err = KOSH_E_INVALID_ARGUMENT;
	else
		err = space_protect(space_from(so), r[1], r[2], (uint32_t)r[3]);
	kobject_put(so);
	return err;
}

/*
 * frame_phys(frame) -> its first byte's physical address. A driver programs it
 * into its device for DMA; the handle needs KOSH_RIGHT_MANAGE, which a new
 * frame's handle has and a copy given away need not.
 */
int64_t sys_frame_phys(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_FRAME, KOSH_RIGHT_MANAGE, &o, NULL);
	if (err)
		return err;
	int64_t phys = (int64_t)frame_from(o)->phys;
	kobject_put(o);
	return phys;
}

/*
 * mmio_create(mmio_control, phys, size, cache) -> frame handle over device
 * memory (mmio.c says which ranges): never RAM, never the kernel's own
 * devices. The handle may be read, written, mapped and passed on, never
 * executed, and it has no manage right (frame_phys: the driver knows the
 * address already). The frame object is charged to the caller's quota.
 */
int64_t sys_mmio_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	struct frame *f;
	uint32_t cache;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_MMIO_CONTROL, KOSH_RIGHT_MANAGE, &o, NULL);
	if (err)
		return err;
	kobject_put(o); /* a static singleton */
	err = mmio_check(r[1], r[2], r[3], &cache);
	if (err)
		return err;
	/* The object is kernel memory: the caller's quota pays for it (release_frame gives it back). */
	struct quota *q = self->proc->quota;
	if (quota_charge(q, sizeof(struct frame)))
		return KOSH_E_NO_MEMORY;
	err = frame_create_phys(r[1], r[2], cache, &f);
	if (err) {
		quota_uncharge(q, sizeof(struct frame));
		return err;
	}
	f->charged = sizeof(struct frame);
	f->quota = q;
	kobject_get(&q->obj);
	return sys_insert(self, &f->obj, MMIO_HANDLE_RIGHTS, 0);
}
