/* SPDX-License-Identifier: MIT */
/*
 * procd's registry (procd.h): KOSH_PROC_REGISTER on the "procreg" endpoint
 * (<kosh/proto/proc.h>). Each message is checked before anything is kept: the
 * label, at most two capabilities, cap 0 a process handle with the read right,
 * cap 1 (optional) a quota handle with the read right. Capabilities that are
 * not kept are closed.
 *
 * Exits are found by polling process_info: every second (the receive's
 * timeout), and before a registration is refused for want of room. procd does
 * not use process_notify, which keeps one notification per process and
 * belongs to the process's supervisor (init, the shell). A process that exited
 * stays listed until the next sweep, at most about a second; its handles are
 * closed then, so procd never holds a dead process's memory for long.
 */
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "procd.h"

#define SWEEP_NS 1000000000ull

struct proc_entry registry[KOSH_PROC_MAX];
static int table_lock;

void registry_lock(void)
{
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE))
		kosh_yield();
}

void registry_unlock(void)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

struct proc_entry *registry_find(uint64_t id)
{
	for (uint32_t i = 0; i < KOSH_PROC_MAX; i++)
		if (registry[i].used && registry[i].id == id)
			return &registry[i];
	return NULL;
}

static void drop(struct proc_entry *e)
{
	kosh_handle_close(e->process);
	if (e->quota)
		kosh_handle_close(e->quota);
	memset(e, 0, sizeof(*e));
}

/* Drop every process that has exited (or whose handle no longer answers). Lock held. */
static void sweep(void)
{
	struct kosh_process_info info;
	for (uint32_t i = 0; i < KOSH_PROC_MAX; i++) {
		struct proc_entry *e = &registry[i];
		if (e->used && (kosh_proc_info(e->process, &info) != KOSH_OK ||
				info.state == KOSH_PROCESS_EXITED))
			drop(e);
	}
}

static struct proc_entry *free_entry(void)
{
	for (uint32_t i = 0; i < KOSH_PROC_MAX; i++)
		if (!registry[i].used)
			return &registry[i];
	return NULL;
}

/* A handle of type with at least rights, or 0 for anything else. */
static int handle_is(kosh_handle_t h, uint32_t type, uint32_t rights)
{
	struct kosh_handle_info hi;
	return kosh_info(h, &hi) == KOSH_OK && hi.type == type && (hi.rights & rights) == rights;
}

/* Keep the process of a checked message: 0 (and its id), or a KOSH_VFS_E* error. */
static uint32_t keep(kosh_handle_t process, kosh_handle_t quota, uint64_t parent, uint64_t *id)
{
	struct kosh_process_info info;
	if (kosh_proc_info(process, &info) != KOSH_OK)
		return KOSH_VFS_EBADF;
	*id = info.id;
	if (info.state == KOSH_PROCESS_EXITED)
		return KOSH_VFS_ENOENT; /* nothing to keep; the caller answers 0 */
	uint32_t err = 0;
	registry_lock();
	if (registry_find(info.id)) {
		err = KOSH_VFS_EEXIST;
	} else {
		struct proc_entry *e = free_entry();
		if (!e) {
			sweep();
			e = free_entry();
		}
		if (e)
			*e = (struct proc_entry){1, process, quota, info.id, parent};
		else
			err = KOSH_VFS_ENFILE;
	}
	registry_unlock();
	return err;
}

static uint32_t do_register(const struct kosh_msg *m, const struct kosh_ipc_buffer *ipc,
			    uint64_t *id)
{
	uint32_t ncaps = KOSH_MSG_CAPS(m->tag), err = 0;
	kosh_handle_t caps[KOSH_MSG_CAPS_MAX] = {0};
	for (uint32_t i = 0; i < ncaps && i < KOSH_MSG_CAPS_MAX; i++)
		caps[i] = ipc->caps[i];
	if (KOSH_MSG_LABEL(m->tag) != KOSH_PROC_REGISTER || ncaps < 1 || ncaps > 2 ||
	    KOSH_MSG_WORDS(m->tag) > KOSH_MSG_WORDS_REG || m->words[1] != 0)
		err = KOSH_VFS_EPROTO;
	else if (!handle_is(caps[0], KOSH_OBJ_PROCESS, KOSH_RIGHT_READ) ||
		 (caps[1] && !handle_is(caps[1], KOSH_OBJ_QUOTA, KOSH_RIGHT_READ)))
		err = KOSH_VFS_EBADF;
	else
		err = keep(caps[0], caps[1], m->words[0], id);
	if (err != 0) /* not kept: not ours */
		for (uint32_t i = 0; i < ncaps && i < KOSH_MSG_CAPS_MAX; i++)
			if (caps[i])
				kosh_handle_close(caps[i]);
	return err == KOSH_VFS_ENOENT ? 0 : err;
}

static int on_message(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *r)
{
	uint64_t id = 0;
	uint32_t e = do_register(m, kosh_ipc_buffer(), &id);
	(void)ctx;
	(void)badge;
	*r = (struct kosh_msg){kosh_msg_tag(e, e ? 0 : 1, 0, 0), {e ? 0 : id}};
	return KOSH_SERVE_REPLY;
}

static void on_idle(void *ctx)
{
	(void)ctx;
	registry_lock();
	sweep();
	registry_unlock();
}

void registry_serve(kosh_handle_t ep)
{
	const struct kosh_serve loop = {
		.name = "registrations",
		.endpoint = ep,
		.other = on_message,
		.idle = on_idle,
		.idle_ns = SWEEP_NS,
	};
	kosh_serve_run(&loop);
}
