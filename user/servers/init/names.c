/* SPDX-License-Identifier: MIT */
/*
 * init and the registries: registering the schemes of etc/services (and
 * initfs, and svc) with vfsd on the admin badge, opening a service's stdio
 * through the namespace, and telling procd about every process init starts
 * (KOSH_PROC_REGISTER on "procreg", <kosh/proto/proc.h>).
 *
 * These are the file protocol's REGISTER and OPEN as <kosh/file.h> sends them,
 * but with a timeout: init is the one that restarts vfsd, so it must never wait
 * on a vfsd that is not there (a call queued on the endpoint of a dead server
 * waits for its replacement, which would be started by … init).
 */
#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/proc.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "init.h"

/*
 * How long init waits for vfsd or procd: an OPEN may take vfsd's own forwarding
 * timeout (5 s) to fail; a REGISTER is answered at once by a server that runs.
 */
#define OPEN_TIMEOUT	 (10ull * 1000 * 1000 * 1000)
#define REGISTER_TIMEOUT (3ull * 1000 * 1000 * 1000)
#define SEND_RIGHTS	 (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)

/* Close the capabilities a reply brought from index keep on. */
static void drop_caps(const struct kosh_msg *reply, uint32_t keep)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	for (uint32_t i = keep; i < KOSH_MSG_CAPS(reply->tag) && i < KOSH_MSG_CAPS_MAX; i++)
		kosh_handle_close(ipc->caps[i]);
}

/*
 * One path-style request on ns: op, w0, the bytes of text, and cap (moved) if
 * not 0. 0 with the reply's first keep capabilities left in the IPC buffer, or
 * an error (KOSH_VFS_EIO when vfsd is not answering).
 */
static uint32_t names_call(kosh_handle_t ns, uint32_t op, uint64_t w0, const char *text,
			   kosh_handle_t cap, uint32_t keep, uint64_t timeout,
			   struct kosh_msg *reply)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t len = (uint32_t)strlen(text);
	struct kosh_msg m = {
	    .tag = kosh_msg_tag(op, KOSH_MSG_WORDS_REG + (len + 7) / 8, cap ? 1 : 0, cap ? 1 : 0),
	    .words = {w0, len},
	};
	if (!ns || len == 0 || len > KOSH_VFS_PATH_MAX)
		return KOSH_VFS_EINVAL;
	memcpy(&ipc->words[KOSH_MSG_WORDS_REG], text, len);
	if (cap)
		ipc->caps[0] = cap;
	kosh_err_t err = kosh_call(ns, &m, reply, timeout);
	if (err) {
		if (cap)
			kosh_handle_close(cap); /* still ours if it never left */
		return KOSH_VFS_EIO;
	}
	uint32_t label = KOSH_MSG_LABEL(reply->tag);
	if (label || KOSH_MSG_CAPS(reply->tag) < keep) {
		drop_caps(reply, 0);
		return label ? label : KOSH_VFS_EPROTO;
	}
	drop_caps(reply, keep);
	return 0;
}

/*
 * REGISTER scheme on ep (a send-only copy of it goes to vfsd). -1 when vfsd does
 * not answer: no use trying the others before it starts again.
 */
static int register_one(const char *scheme, kosh_handle_t ep)
{
	struct kosh_msg reply;
	int64_t copy = ep ? kosh_handle_dup(ep, SEND_RIGHTS, 0) : KOSH_E_NOT_FOUND;
	uint32_t err;
	if (copy < 0) {
		kosh_printf("cannot register %s://: %s", scheme, kosh_strerror((kosh_err_t)copy));
		return 0;
	}
	err = names_call(init.vfs_admin, KOSH_VFS_REGISTER, 0, scheme, (kosh_handle_t)copy, 0,
			 REGISTER_TIMEOUT, &reply);
	if (err)
		kosh_printf("cannot register %s:// with vfsd: %s", scheme, kosh_vfs_strerror(err));
	return err == KOSH_VFS_EIO ? -1 : 0;
}

/* Run i's schemes: a service's on the endpoints of those names, a driver's on its own. */
static int register_run(uint32_t i)
{
	const struct service_run *run = &init.runs[i];
	const struct kosh_service *s = run->svc;
	for (uint32_t k = 0; k < s->scheme_count && run->here; k++)
		if (register_one(s->schemes[k],
				 run->driver ? run->driver->serve : init_endpoint(s->schemes[k])))
			return -1;
	return 0;
}

uint32_t init_vfs_mount(const char *uri, kosh_handle_t ep)
{
	struct kosh_msg reply;
	int64_t copy = ep ? kosh_handle_dup(ep, SEND_RIGHTS, 0) : KOSH_E_NOT_FOUND;
	if (copy < 0)
		return KOSH_VFS_ENOMEM;
	return names_call(init.vfs_admin, KOSH_VFS_MOUNT, 0, uri, (kosh_handle_t)copy, 0,
			  REGISTER_TIMEOUT, &reply);
}

uint32_t init_vfs_unmount(const char *uri)
{
	struct kosh_msg reply;
	return names_call(init.vfs_admin, KOSH_VFS_UNMOUNT, 0, uri, 0, 0, REGISTER_TIMEOUT, &reply);
}

/*
 * The drivers' mounts, after every registration: REGISTER keeps a scheme's
 * mount at the bottom in vfsd, so either order would do, but a mount is over
 * its scheme's tree and reads best after it.
 */
static void mount_drivers(void)
{
	for (uint32_t i = init.services.count; i < init.run_count; i++) {
		const struct driver *d = init.runs[i].driver;
		uint32_t err;
		if (!d || !d->mount[0])
			continue;
		err = init_vfs_mount(d->mount, d->serve);
		if (err)
			kosh_printf("cannot mount %s at %s again: %s", d->svc.name, d->mount,
				    kosh_vfs_strerror(err));
		if (err == KOSH_VFS_EIO)
			return; /* vfsd is gone again */
	}
}

void init_register_schemes(void)
{
	if (!init.vfs_admin || register_one("initfs", init.initfs) || register_one("svc", init.svc))
		return;
	for (uint32_t i = 0; i < init.run_count; i++)
		if (register_run(i))
			return;
	mount_drivers();
}

void init_register_run_schemes(uint32_t i)
{
	if (init.vfs_admin && i < init.run_count)
		(void)register_run(i);
}

uint32_t init_open(const char *uri, uint32_t flags, kosh_handle_t *file)
{
	struct kosh_msg reply;
	uint32_t err =
	    names_call(init.vfs_client, KOSH_VFS_OPEN, flags, uri, 0, 1, OPEN_TIMEOUT, &reply);
	if (err == 0)
		*file = kosh_ipc_buffer()->caps[0];
	return err;
}

/*
 * KOSH_PROC_REGISTER of service i's process: a copy of its handle (read, manage)
 * and of its quota (read). Nothing while procd is not running: it hears of
 * every running service when it starts (init_proc_register_all). -1 when procd
 * does not answer.
 */
static int proc_register(uint32_t i)
{
	struct service_run *run = &init.runs[i];
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	kosh_handle_t reg = init_endpoint(KOSH_PROC_REGISTER_ENDPOINT);
	struct kosh_process_info self;
	struct kosh_msg m, reply;
	int64_t proc, quota;
	if (!reg || !init.proc_up || run->sup.state != INIT_STATE_RUNNING || !run->quota_ro)
		return 0;
	proc = kosh_handle_dup(run->process, KOSH_PROC_RIGHTS, 0);
	quota = kosh_handle_dup(run->quota_ro, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER, 0);
	if (proc < 0 || quota < 0) {
		if (proc >= 0)
			kosh_handle_close((kosh_handle_t)proc);
		if (quota >= 0)
			kosh_handle_close((kosh_handle_t)quota);
		return 0;
	}
	m.tag = kosh_msg_tag(KOSH_PROC_REGISTER, KOSH_MSG_WORDS_REG, 2, 3);
	m.words[0] = kosh_process_info(kosh_self()->process, (uint64_t)(uintptr_t)&self) == KOSH_OK
			 ? self.id
			 : 0;
	m.words[1] = m.words[2] = m.words[3] = 0;
	ipc->caps[0] = (kosh_handle_t)proc;
	ipc->caps[1] = (kosh_handle_t)quota;
	kosh_err_t err = kosh_call(reg, &m, &reply, REGISTER_TIMEOUT);
	if (err) {
		/* Still ours if the call never got through. */
		kosh_handle_close((kosh_handle_t)proc);
		kosh_handle_close((kosh_handle_t)quota);
		kosh_printf("cannot register %s with procd: %s", run->svc->name,
			    kosh_strerror(err));
		return -1;
	}
	drop_caps(&reply, 0);
	if (KOSH_MSG_LABEL(reply.tag) && KOSH_MSG_LABEL(reply.tag) != KOSH_VFS_EEXIST)
		kosh_printf("procd refused %s: %s", run->svc->name,
			    kosh_vfs_strerror(KOSH_MSG_LABEL(reply.tag)));
	return 0;
}

void init_proc_register(uint32_t i)
{
	proc_register(i);
}

void init_proc_register_all(void)
{
	for (uint32_t k = 0; k < init.order_count; k++)
		if (proc_register(init.order[k]))
			return;
}
