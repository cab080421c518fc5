/* SPDX-License-Identifier: MIT */
/*
 * drvreg: the driver manager registers the drivers it matched to devices
 * (<kosh/proto/drv.h>, docs/devices.md "drvreg"), and init supervises each like
 * a service of etc/services.
 *
 * The messages arrive on the supervising thread (main.c receives on drvreg
 * with the exit notification bound to it), so the tables are only ever written
 * by that thread. One registration is in the making at a time (BEGIN, HANDLES
 * …, COMMIT); every message is checked (drvcheck.c) before anything is kept,
 * and a refused message's capabilities are closed. COMMIT only records the
 * driver and makes its endpoint: the start itself is the supervisor's (the
 * driver is due at once), so the reply never waits for a spawn, and the
 * scheme is registered with vfsd after the reply is sent (vfsd may be
 * forwarding to devmgr, who waits for this reply).
 *
 * MOUNT and UNMOUNT are vfsd's answer, so they call vfsd before the reply (a
 * bounded call: devmgr sends them from a thread of its own, while dev:// is
 * served). REMOVE frees the driver's run and its drivers[] entry for the next
 * COMMIT: the run's exit bit stays its own (a late bit of the old process is
 * told apart by kosh_wait, as ever), and the svc:// thread sees the run as not
 * here, with an empty name, never a dangling one.
 */
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "drvcheck.h"
#include "init.h"

#define SEND_RIGHTS (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define KEEP_RIGHTS (KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE) /* a handle init gives again */

#define KILL_WAIT_NS (2ull * 1000 * 1000 * 1000)

static struct driver pending;		  /* the registration in the making */
static const struct kosh_service removed; /* the service of a freed run: no name, not here */
static uint32_t vfs_error;		  /* KOSH_DRV_E_VFS's word 0 */
static int pending_active;
static uint32_t committed = UINT32_MAX; /* run whose scheme waits for init_drv_after */

static void close_caps(const struct kosh_msg *m)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(m->tag) && i < KOSH_MSG_CAPS_MAX; i++)
		kosh_handle_close(ipc->caps[i]);
}

static void drop_pending(void)
{
	if (!pending_active)
		return;
	if (pending.quota)
		kosh_handle_close(pending.quota);
	for (uint32_t i = 0; i < pending.handle_count; i++)
		kosh_handle_close(pending.handles[i]);
	memset(&pending, 0, sizeof(pending));
	pending_active = 0;
}

/* The services of this machine and the drivers, for init_drv_conflict. */
static uint32_t conflict(const struct kosh_service *d)
{
	static const struct kosh_service *all[INIT_RUNS_MAX];
	uint32_t n = 0;
	for (uint32_t i = 0; i < init.run_count; i++)
		if (init.runs[i].here)
			all[n++] = init.runs[i].svc;
	return init_drv_conflict(all, n, d);
}

static int shaped(const struct kosh_msg *m, uint32_t bytes, uint32_t caps)
{
	return init_drv_shaped(m->tag, bytes, caps);
}

static uint32_t drv_handle_begin(const struct kosh_msg *m)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	struct kosh_drv_spec spec;
	struct kosh_handle_info hi;
	uint32_t err;
	if (!shaped(m, sizeof(spec), 1))
		return KOSH_DRV_E_PROTO;
	memcpy(&spec, &ipc->words[KOSH_MSG_WORDS_REG], sizeof(spec));
	drop_pending();
	if ((err = init_drv_spec(&spec, &pending.svc)) || (err = conflict(&pending.svc)))
		return err;
	if (kosh_info(ipc->caps[0], &hi) != KOSH_OK || hi.type != KOSH_OBJ_QUOTA ||
	    (hi.rights & KEEP_RIGHTS) != KEEP_RIGHTS)
		return KOSH_DRV_E_QUOTA;
	pending.quota = ipc->caps[0];
	pending_active = 1;
	return 0;
}

static uint32_t drv_handle_handles(const struct kosh_msg *m)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t count = (uint32_t)m->words[0], err;
	struct kosh_drv_handles h;
	struct kosh_handle_info hi;
	if (count < 1 || count > KOSH_DRV_CAPS_PER_MSG || !shaped(m, sizeof(h), count))
		return KOSH_DRV_E_PROTO;
	if (!pending_active)
		return KOSH_DRV_E_STATE;
	memcpy(&h, &ipc->words[KOSH_MSG_WORDS_REG], sizeof(h));
	/* Check them all, then keep them all: a refused message leaves nothing behind. */
	if (pending.handle_count + count > KOSH_DRV_HANDLES_MAX)
		return KOSH_DRV_E_TOO_MANY;
	for (uint32_t k = 0; k < count; k++) {
		err = init_drv_handle_name(h.names[k], pending.names, pending.handle_count + k);
		if (err)
			return err;
		memcpy(pending.names[pending.handle_count + k], h.names[k], KOSH_DRV_HNAME_MAX);
		if (kosh_info(ipc->caps[k], &hi) != KOSH_OK ||
		    (hi.rights & KEEP_RIGHTS) != KEEP_RIGHTS)
			return KOSH_DRV_E_HANDLE;
	}
	for (uint32_t k = 0; k < count; k++) {
		pending.handles[pending.handle_count] = ipc->caps[k];
		pending.values[pending.handle_count++] = h.values[k];
	}
	return 0;
}

/* The endpoint the new driver serves: init's named one (a copy), or a fresh one. */
static uint32_t make_serve(struct driver *d)
{
	int64_t ep;
	if (d->svc.endpoint_count) {
		kosh_handle_t named = init_endpoint(d->svc.endpoints[0].name);
		if (!named)
			return KOSH_DRV_E_ENDPOINT;
		ep = kosh_handle_dup(named,
				     KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER |
					 KOSH_RIGHT_DUPLICATE,
				     0);
	} else {
		ep = kosh_endpoint_create(init.quota);
	}
	if (ep < 0)
		return KOSH_DRV_E_NO_MEMORY;
	d->serve = (kosh_handle_t)ep;
	return 0;
}

/* Reply cap 0: a send copy of run i's driver endpoint; w0 i. */
static uint32_t give_serve(uint32_t i, struct kosh_msg *reply)
{
	int64_t copy = kosh_handle_dup(init.runs[i].driver->serve, SEND_RIGHTS, 0);
	if (copy < 0)
		return KOSH_DRV_E_NO_MEMORY;
	kosh_ipc_buffer()->caps[0] = (kosh_handle_t)copy;
	*reply = (struct kosh_msg){kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 1, 1), {i, 0, 0, 0}};
	return 0;
}

static uint32_t drv_handle_commit(const struct kosh_msg *m, struct kosh_msg *reply, uint64_t now)
{
	struct driver *d;
	struct service_run *run;
	uint32_t i = init.services.count, k = 0, err;
	if (!shaped(m, 0, 0))
		return KOSH_DRV_E_PROTO;
	if (!pending_active)
		return KOSH_DRV_E_STATE;
	if ((err = conflict(&pending.svc)))
		return err;
	/* A run and a drivers[] entry REMOVE freed, else new ones. */
	while (i < init.run_count && init.runs[i].svc != &removed)
		i++;
	while (k < init.driver_count && init.drivers[k].svc.name[0])
		k++;
	if (k == INIT_DRIVERS_MAX || i == INIT_RUNS_MAX)
		return KOSH_DRV_E_FULL;
	d = &init.drivers[k];
	*d = pending;
	if ((err = make_serve(d))) {
		memset(d, 0, sizeof(*d));
		return err;
	}
	memset(&pending, 0, sizeof(pending)); /* its handles are d's now */
	pending_active = 0;
	if (k == init.driver_count)
		init.driver_count++;
	run = &init.runs[i];
	run->here = 0; /* for the svc:// thread, while the rest changes */
	__atomic_store_n(&run->svc, &d->svc, __ATOMIC_RELEASE);
	run->driver = d;
	memset(&run->sup, 0, sizeof(run->sup));
	run->process = 0;
	run->pid = 0;
	run->last_exit[0] = run->last_error[0] = '\0';
	run->hopeless = 0;
	run->quota_ro = 0;
	/* Due at once: the supervisor starts it (and logs it) right after this reply. */
	run->sup.state = INIT_STATE_WAITING;
	run->sup.restart_at_ns = now;
	__atomic_store_n(&run->here, 1, __ATOMIC_RELEASE);
	if (i == init.run_count) { /* a freed run is in the order already */
		init.order[init.order_count++] = (uint8_t)i;
		__atomic_store_n(&init.run_count, i + 1, __ATOMIC_RELEASE);
	}
	kosh_printf("driver %s registered (%s, %u handles%s%s)", d->svc.name, d->svc.binary,
		    d->handle_count, d->svc.scheme_count ? ", scheme " : "",
		    d->svc.scheme_count ? d->svc.schemes[0] : "");
	if (d->svc.scheme_count)
		committed = i;
	return give_serve(i, reply);
}

static uint32_t drv_handle_lookup(const struct kosh_msg *m, struct kosh_msg *reply)
{
	char name[KOSH_DRV_NAME_MAX];
	if (!shaped(m, sizeof(name), 0))
		return KOSH_DRV_E_PROTO;
	memcpy(name, &kosh_ipc_buffer()->words[KOSH_MSG_WORDS_REG], sizeof(name));
	name[sizeof(name) - 1] = '\0';
	for (uint32_t i = init.services.count; i < init.run_count; i++)
		if (init.runs[i].driver && strcmp(init.runs[i].svc->name, name) == 0)
			return give_serve(i, reply);
	return KOSH_DRV_E_NOT_FOUND;
}

/* The run of the driver a MOUNT, UNMOUNT or REMOVE names, checked: 0 and *i, or the error. */
static uint32_t target(const struct kosh_msg *m, uint32_t op, uint32_t *i)
{
	static uint8_t slot[INIT_RUNS_MAX];
	uint32_t first = init.services.count;
	for (uint32_t k = first; k < init.run_count; k++) {
		const struct driver *d = init.runs[k].driver;
		slot[k - first] = !d		? INIT_DRV_FREE
				  : d->mount[0] ? INIT_DRV_MOUNTED
						: INIT_DRV_COMMITTED;
	}
	return init_drv_target(op, m->tag, m->words[0],
			       (const char *)&kosh_ipc_buffer()->words[KOSH_MSG_WORDS_REG], first,
			       init.run_count, slot, i);
}

static uint32_t drv_handle_mount(const struct kosh_msg *m)
{
	char uri[KOSH_DRV_URI_MAX];
	struct driver *d;
	uint32_t i, err;
	if ((err = target(m, KOSH_DRV_MOUNT, &i)))
		return err;
	memcpy(uri, &kosh_ipc_buffer()->words[KOSH_MSG_WORDS_REG], sizeof(uri));
	d = init.runs[i].driver;
	if ((vfs_error = init_vfs_mount(uri, d->serve))) {
		kosh_printf("vfsd refused to mount %s at %s: %s", d->svc.name, uri,
			    kosh_vfs_strerror(vfs_error));
		return KOSH_DRV_E_VFS;
	}
	memcpy(d->mount, uri, sizeof(d->mount));
	kosh_printf("driver %s mounted at %s", d->svc.name, uri);
	return 0;
}

/* Take d's mount away at vfsd: 0, or KOSH_DRV_E_VFS with vfs_error when vfsd keeps it. */
static uint32_t unmount(struct driver *d)
{
	uint32_t err = init_vfs_unmount(d->mount);
	if (err)
		kosh_printf("vfsd: unmount of %s at %s: %s", d->svc.name, d->mount,
			    kosh_vfs_strerror(err));
	if (!init_drv_unmount_forgets(err)) {
		vfs_error = err;
		return KOSH_DRV_E_VFS;
	}
	kosh_printf("driver %s unmounted from %s", d->svc.name, d->mount);
	d->mount[0] = '\0';
	return 0;
}

static uint32_t drv_handle_unmount(const struct kosh_msg *m)
{
	uint32_t i, err = target(m, KOSH_DRV_UNMOUNT, &i);
	return err ? err : unmount(init.runs[i].driver);
}

/*
 * REMOVE: the mount (even one vfsd keeps: the server is going), the process
 * (killed, and waited for, boundedly), the handles and the quota, the entry.
 */
static uint32_t drv_handle_remove(const struct kosh_msg *m)
{
	struct service_run *run;
	struct driver *d;
	uint64_t status;
	uint32_t i, err;
	if ((err = target(m, KOSH_DRV_REMOVE, &i)))
		return err;
	run = &init.runs[i];
	d = run->driver;
	if (d->mount[0])
		(void)unmount(d);
	kosh_printf("driver %s removed", d->svc.name);
	__atomic_store_n(&run->here, 0, __ATOMIC_RELEASE);
	if (run->sup.state == INIT_STATE_RUNNING && run->process) {
		kosh_process_kill(run->process, 1);
		(void)kosh_wait(run->process, KILL_WAIT_NS, &status);
	}
	if (run->process)
		kosh_handle_close(run->process);
	if (run->quota_ro)
		kosh_handle_close(run->quota_ro);
	run->process = run->quota_ro = 0;
	run->sup.state = INIT_STATE_STOPPED; /* never due: the supervisor leaves it */
	__atomic_store_n(&run->svc, &removed, __ATOMIC_RELEASE);
	run->driver = NULL;
	if (d->serve)
		kosh_handle_close(d->serve);
	if (d->quota)
		kosh_handle_close(d->quota);
	for (uint32_t k = 0; k < d->handle_count; k++)
		kosh_handle_close(d->handles[k]);
	memset(d, 0, sizeof(*d)); /* svc.name "": free for COMMIT */
	return 0;
}

int init_drv_handle(const struct kosh_msg *m, struct kosh_msg *reply, uint64_t now)
{
	uint32_t err;
	*reply = (struct kosh_msg){kosh_msg_tag(0, 0, 0, 0), {0}};
	switch (KOSH_MSG_LABEL(m->tag)) {
	case KOSH_DRV_BEGIN:
		err = drv_handle_begin(m);
		if (err)
			close_caps(m); /* the quota, unless it was kept */
		break;
	case KOSH_DRV_HANDLES:
		err = drv_handle_handles(m);
		if (err)
			close_caps(m);
		break;
	case KOSH_DRV_COMMIT:
		err = drv_handle_commit(m, reply, now);
		break;
	case KOSH_DRV_CANCEL:
		drop_pending();
		err = 0;
		break;
	case KOSH_DRV_LOOKUP:
		err = drv_handle_lookup(m, reply);
		break;
	case KOSH_DRV_MOUNT:
		err = drv_handle_mount(m);
		break;
	case KOSH_DRV_UNMOUNT:
		err = drv_handle_unmount(m);
		break;
	case KOSH_DRV_REMOVE:
		err = drv_handle_remove(m);
		break;
	default:
		close_caps(m);
		err = KOSH_DRV_E_PROTO;
	}
	if (err) {
		if (err != KOSH_DRV_E_NOT_FOUND) /* a LOOKUP of a new driver is no failure */
			kosh_printf("drvreg: refused message %u: %s", KOSH_MSG_LABEL(m->tag),
				    kosh_drv_strerror(err));
		*reply = err == KOSH_DRV_E_VFS
			     ? (struct kosh_msg){kosh_msg_tag(err, KOSH_MSG_WORDS_REG, 0, 0),
						 {vfs_error, 0, 0, 0}}
			     : (struct kosh_msg){kosh_msg_tag(err, 0, 0, 0), {0}};
	}
	return committed != UINT32_MAX;
}

void init_drv_after(void)
{
	uint32_t i = committed;
	committed = UINT32_MAX;
	if (i < init.run_count)
		init_register_run_schemes(i);
}
