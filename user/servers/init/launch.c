/* SPDX-License-Identifier: MIT */
/*
 * Starting one service: exactly the capabilities its entry in etc/services
 * names (docs/services.md, "What init gives a service"), each made fresh for
 * this start and moved into the new process, then the process, then the exit
 * notification. Nothing of a start that fails survives it: what was made is
 * closed, and the supervisor tries again after the back-off.
 */
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/proto/vfs.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "init.h"

#define SERVE_RIGHTS                                                                               \
	(KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define USE_RIGHTS (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)

/* The handles of one start, all moved to the child. */
struct gift {
	struct kosh_spawn_handle h[KOSH_SPAWN_HANDLES_MAX];
	char names[KOSH_SPAWN_HANDLES_MAX][KOSH_START_NAME_MAX];
	uint32_t n;
	char *why; /* the run's last_error */
	size_t why_size;
};

/* Adds handle (or the error from making it) as name; -1 with g->why set on failure. */
static int gift_add(struct gift *g, const char *name, int64_t handle, uint64_t value)
{
	if (handle < 0) {
		kosh_snprintf(g->why, g->why_size, "%s: %s", name,
			      kosh_strerror((kosh_err_t)handle));
		return -1;
	}
	if (g->n == KOSH_SPAWN_HANDLES_MAX) {
		kosh_handle_close((kosh_handle_t)handle);
		kosh_snprintf(g->why, g->why_size, "more start handles than fit");
		return -1;
	}
	strlcpy(g->names[g->n], name, KOSH_START_NAME_MAX);
	g->h[g->n] = (struct kosh_spawn_handle){g->names[g->n], (kosh_handle_t)handle,
						KOSH_GIVE_MOVE, value};
	g->n++;
	return 0;
}

static void gift_undo(struct gift *g)
{
	for (uint32_t i = 0; i < g->n; i++)
		kosh_handle_close(g->h[i].handle);
	g->n = 0;
}

kosh_handle_t init_endpoint(const char *name)
{
	for (uint32_t i = 0; i < init.endpoint_count; i++)
		if (strcmp(init.endpoints[i].name, name) == 0)
			return init.endpoints[i].handle;
	return 0;
}

/* The service's copy of an endpoint: receive side to its server, send side to users. */
static int64_t endpoint_copy(const struct kosh_service_endpoint *e)
{
	kosh_handle_t ep = init_endpoint(e->name);
	if (!ep)
		return KOSH_E_NOT_FOUND;
	if (e->role == KOSH_SERVICE_SERVE)
		return kosh_handle_dup(ep, SERVE_RIGHTS, 0);
	if (strcmp(e->name, "vfs") == 0)
		return kosh_handle_dup(ep, USE_RIGHTS, KOSH_VFS_BADGE_CLIENT);
	return kosh_handle_dup(ep, USE_RIGHTS, 0);
}

/* irq<N> for each line, bound to one new notification given as irq-notify (line k: bit k). */
static int add_irqs(struct gift *g, const struct kosh_service *s)
{
	char name[KOSH_START_NAME_MAX];
	int64_t n;
	if (!s->irq_count)
		return 0;
	if (!init.irq_control)
		return gift_add(g, "irq-control", KOSH_E_NOT_FOUND, 0);
	n = kosh_notification_create(init.quota);
	if (n < 0)
		return gift_add(g, "irq-notify", n, 0);
	for (uint32_t k = 0; k < s->irq_count; k++) {
		kosh_snprintf(name, sizeof(name), "irq%u", s->irqs[k]);
		if (gift_add(g, name,
			     kosh_irq_create(init.irq_control, s->irqs[k], (uint64_t)n, 1ull << k),
			     s->irqs[k])) {
			kosh_handle_close((kosh_handle_t)n);
			return -1;
		}
	}
	return gift_add(g, "irq-notify", n, 0);
}

static int add_ioports(struct gift *g, const struct kosh_service *s)
{
	char name[KOSH_START_NAME_MAX];
	for (uint32_t k = 0; k < s->ioport_count; k++) {
		int64_t h = init.ioport_control
				? kosh_ioport_create(init.ioport_control, s->ioports[k].base,
						     s->ioports[k].size)
				: KOSH_E_NOT_SUPPORTED;
		kosh_snprintf(name, sizeof(name), "ioport%u", k);
		if (gift_add(g, name, h, s->ioports[k].size))
			return -1;
	}
	return 0;
}

/*
 * A copy of the frame bootstrap gave for r: one of exactly that range, else one
 * starting at its base and at least as large. KOSH_E_NOT_FOUND if none.
 */
static int64_t frame_for(const struct kosh_service_range *r)
{
	const struct given_frame *best = NULL;
	struct kosh_handle_info hi;
	for (uint32_t i = 0; i < init.frame_count; i++) {
		const struct given_frame *f = &init.frames[i];
		if (f->kind == KOSH_ROOT_FRAME_MMIO && f->phys == r->base && f->size >= r->size &&
		    (!best || f->size < best->size))
			best = f;
	}
	if (!best)
		return KOSH_E_NOT_FOUND;
	if (kosh_info(best->handle, &hi) != KOSH_OK)
		return KOSH_E_BAD_HANDLE;
	return kosh_handle_dup(best->handle, hi.rights, 0);
}

static int add_mmio(struct gift *g, const struct kosh_service *s)
{
	char name[KOSH_START_NAME_MAX];
	for (uint32_t k = 0; k < s->mmio_count; k++) {
		kosh_snprintf(name, sizeof(name), "mmio%u", k);
		if (gift_add(g, name, frame_for(&s->mmio[k]), s->mmio[k].size))
			return -1;
	}
	return 0;
}

/* name: uri opened through vfsd with flags (stdin, stdout, stderr). */
static int add_stdio(struct gift *g, const char *name, const char *uri, uint32_t flags)
{
	kosh_handle_t f;
	uint32_t err = init_open(uri, flags, &f);
	if (err) {
		kosh_snprintf(g->why, g->why_size, "%s: %s: %s", name, uri, kosh_vfs_strerror(err));
		return -1;
	}
	return gift_add(g, name, f, 0);
}

/* A copy of h with rights, or KOSH_E_NOT_FOUND when init was not given h. */
static int64_t narrowed(kosh_handle_t h, uint32_t rights)
{
	return h ? kosh_handle_dup(h, rights, 0) : KOSH_E_NOT_FOUND;
}

/*
 * A grant of the machine's authority that bootstrap may not have given init
 * (yet): without it the service starts all the same, told so in the log.
 */
static int add_optional(struct gift *g, const struct kosh_service *s, const char *name,
			kosh_handle_t h, uint32_t rights, uint64_t value)
{
	struct kosh_handle_info hi;
	if (!h) {
		kosh_printf("%s: init has no %s to grant; starting it without", s->name, name);
		return 0;
	}
	if (kosh_info(h, &hi) != KOSH_OK)
		return gift_add(g, name, KOSH_E_BAD_HANDLE, 0);
	return gift_add(g, name, kosh_handle_dup(h, hi.rights & rights, 0), value);
}

/* A copy of each given frame of kind (acpi<i>, dtb<i>, fb<i>: the same names), at most *max. */
static int add_frames(struct gift *g, const struct kosh_service *s, uint32_t kind, uint32_t *max)
{
	char name[KOSH_START_NAME_MAX];
	const char *prefix = kind == KOSH_ROOT_FRAME_ACPI  ? "acpi"
			     : kind == KOSH_ROOT_FRAME_DTB ? "dtb"
							   : "fb";
	struct kosh_handle_info hi;
	for (uint32_t i = 0; i < init.frame_count; i++) {
		const struct given_frame *f = &init.frames[i];
		if (f->kind != kind)
			continue;
		kosh_snprintf(name, sizeof(name), "%s%u", prefix, f->index);
		if (*max == 0) {
			kosh_printf("%s: more firmware frames than it may hold: %s left out",
				    s->name, name);
			continue;
		}
		(*max)--;
		if (kosh_info(f->handle, &hi) != KOSH_OK)
			return gift_add(g, name, KOSH_E_BAD_HANDLE, 0);
		/* Firmware tables are read-only; the framebuffer is written. */
		uint32_t rights =
		    hi.rights &
		    ~(uint32_t)(kind == KOSH_ROOT_FRAME_FRAMEBUFFER ? 0 : KOSH_RIGHT_WRITE);
		if (gift_add(g, name, kosh_handle_dup(f->handle, rights, 0), f->size))
			return -1;
	}
	return 0;
}

/*
 * firmware, framebuffer, boot-info, mmio-control, irq-control, ioport-control
 * (docs/devices.md, docs/services.md).
 */
static int add_machine_grants(struct gift *g, const struct kosh_service *s)
{
	uint32_t gr = s->grants, firmware = KOSH_SERVICES_FIRMWARE_MAX, fb = 1;
	uint32_t all = KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_MANAGE |
		       KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE;
	if ((gr & (KOSH_SERVICE_GRANT_FIRMWARE | KOSH_SERVICE_GRANT_FRAMEBUFFER |
		   KOSH_SERVICE_GRANT_BOOT_INFO)) &&
	    add_optional(g, s, "rootinfo", init.rootinfo,
			 KOSH_RIGHT_READ | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER, KOSH_PAGE_SIZE))
		return -1;
	if ((gr & KOSH_SERVICE_GRANT_FIRMWARE) &&
	    (add_frames(g, s, KOSH_ROOT_FRAME_ACPI, &firmware) ||
	     add_frames(g, s, KOSH_ROOT_FRAME_DTB, &firmware)))
		return -1;
	if ((gr & KOSH_SERVICE_GRANT_FRAMEBUFFER) &&
	    add_frames(g, s, KOSH_ROOT_FRAME_FRAMEBUFFER, &fb))
		return -1;
	if ((gr & KOSH_SERVICE_GRANT_MMIO_CONTROL) &&
	    add_optional(g, s, "mmio-control", init.mmio_control, all, 0))
		return -1;
	if ((gr & KOSH_SERVICE_GRANT_IRQ_CONTROL) &&
	    add_optional(g, s, "irq-control", init.irq_control, all, 0))
		return -1;
	if ((gr & KOSH_SERVICE_GRANT_IOPORT_CONTROL) &&
	    add_optional(g, s, "ioport-control", init.ioport_control, all, 0))
		return -1;
	return 0;
}

/* The parts of the kernel log's authority the entry grants, and the machine's. */
static int add_grants(struct gift *g, const struct kosh_service *s)
{
	if (add_machine_grants(g, s))
		return -1;
	if ((s->grants & KOSH_SERVICE_GRANT_KLOG_READ) &&
	    gift_add(g, "klog-read",
		     narrowed(init.klog_read, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER), 0))
		return -1;
	if ((s->grants & KOSH_SERVICE_GRANT_KLOG_CONSOLE) &&
	    gift_add(g, "klog-console",
		     narrowed(init.klog_console,
			      KOSH_RIGHT_WRITE | KOSH_RIGHT_MANAGE | KOSH_RIGHT_TRANSFER),
		     0))
		return -1;
	if ((s->grants & KOSH_SERVICE_GRANT_QUOTA_ROOT) &&
	    gift_add(g, "quota-root", narrowed(init.quota, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER),
		     0))
		return -1;
	return 0;
}

/* Everything after quota and klog, in the order of docs/services.md. */
static int add_rest(struct gift *g, const struct kosh_service *s)
{
	for (uint32_t k = 0; k < s->endpoint_count; k++)
		if (gift_add(g, s->endpoints[k].name, endpoint_copy(&s->endpoints[k]), 0))
			return -1;
	if (add_irqs(g, s) || add_ioports(g, s) || add_mmio(g, s))
		return -1;
	if (add_grants(g, s))
		return -1;
	if (s->stdio[0] && (add_stdio(g, "stdin", s->stdio, KOSH_VFS_O_READ) ||
			    add_stdio(g, "stdout", s->stdio, KOSH_VFS_O_WRITE) ||
			    add_stdio(g, "stderr", s->stdio, KOSH_VFS_O_WRITE)))
		return -1;
	return 0;
}

/*
 * A driver's handles (docs/devices.md, "drvreg"): "serve", "vfs" (client
 * badge), and a copy of each handle devmgr gave, under its name and value.
 */
static int add_driver(struct gift *g, const struct driver *d)
{
	kosh_handle_t vfs = init_endpoint("vfs");
	struct kosh_handle_info hi;
	if (gift_add(g, "serve", kosh_handle_dup(d->serve, SERVE_RIGHTS, 0), 0))
		return -1;
	if (vfs && gift_add(g, "vfs", kosh_handle_dup(vfs, USE_RIGHTS, KOSH_VFS_BADGE_CLIENT), 0))
		return -1;
	for (uint32_t k = 0; k < d->handle_count; k++) {
		int64_t copy = kosh_info(d->handles[k], &hi) == KOSH_OK
				   ? kosh_handle_dup(d->handles[k], hi.rights, 0)
				   : KOSH_E_BAD_HANDLE;
		if (gift_add(g, d->names[k], copy, d->values[k]))
			return -1;
	}
	return 0;
}

/* Spawn s from its binary with the gift; the gift is consumed. */
static kosh_err_t spawn(struct service_run *run, struct gift *g, kosh_handle_t quota,
			struct kosh_child *child)
{
	const struct kosh_service *s = run->svc;
	const char *argv[1 + KOSH_SERVICES_ARGS_MAX];
	const char *uri = s->binary;
	kosh_handle_t ns = init.vfs_client;
	argv[0] = s->binary;
	for (uint32_t k = 0; k < s->arg_count; k++)
		argv[1 + k] = s->arg_text + s->arg_offset[k];
	if (strncmp(uri, "initfs://", 9) == 0) {
		ns = init.initfs; /* straight to bootstrap: vfsd may be the one starting */
		uri += 9;
	}
	struct kosh_spawn sp = {
	    .name = s->name,
	    .argv = argv,
	    .argc = 1 + s->arg_count,
	    .handles = g->h,
	    .handle_count = g->n,
	    .quota = quota,
	};
	kosh_err_t err = kosh_spawn_file(ns, uri, &sp, child);
	g->n = 0; /* consumed either way */
	run->hopeless = (err == KOSH_E_NOT_FOUND && child->file_error == KOSH_VFS_ENOENT) ||
			(err == KOSH_E_INVALID_ARGUMENT && child->elf_error);
	if (err == KOSH_E_NOT_FOUND && child->file_error)
		kosh_snprintf(g->why, g->why_size, "%s: %s", s->binary,
			      kosh_vfs_strerror(child->file_error));
	else if (err)
		kosh_snprintf(g->why, g->why_size, "%s", kosh_strerror(err));
	return err;
}

/* The child is running: watch for its end, learn its id. */
static kosh_err_t watch(uint32_t i, const struct kosh_child *child)
{
	struct service_run *run = &init.runs[i];
	struct kosh_process_info info;
	int64_t r = kosh_process_notify(child->process, init.exits, 1ull << i);
	if (r < 0) {
		kosh_snprintf(run->last_error, sizeof(run->last_error), "process_notify: %s",
			      kosh_strerror((kosh_err_t)r));
		kosh_process_kill(child->process, 1);
		kosh_handle_close(child->process);
		return (kosh_err_t)r;
	}
	run->process = child->process;
	run->pid = kosh_process_info(child->process, (uint64_t)(uintptr_t)&info) == KOSH_OK
		       ? info.id
		       : run->sup.starts + 1;
	return KOSH_OK;
}

kosh_err_t init_launch(uint32_t i)
{
	struct service_run *run = &init.runs[i];
	const struct kosh_service *s = run->svc;
	uint64_t bytes = s->quota ? s->quota : INIT_DEFAULT_QUOTA;
	struct gift g = {.n = 0, .why = run->last_error, .why_size = sizeof(run->last_error)};
	struct kosh_child child = {0};
	int64_t quota;
	run->last_error[0] = '\0';
	run->hopeless = 0;
	/* A driver spends devmgr's quota for it (the same at every start); a service a new one. */
	if (run->driver) {
		struct kosh_handle_info hi;
		quota = kosh_info(run->driver->quota, &hi) == KOSH_OK
			    ? kosh_handle_dup(run->driver->quota, hi.rights, 0)
			    : KOSH_E_BAD_HANDLE;
	} else {
		quota = kosh_quota_create(init.quota, bytes);
	}
	if (gift_add(&g, "quota", quota, bytes) ||
	    gift_add(&g, "klog", narrowed(init.klog, KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER), 0) ||
	    (run->driver ? add_driver(&g, run->driver) : add_rest(&g, s))) {
		gift_undo(&g); /* the quota with the rest, if it was made */
		return KOSH_E_NOT_FOUND;
	}
	int64_t quota_ro = kosh_handle_dup(
	    (kosh_handle_t)quota, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE, 0);
	kosh_err_t err = spawn(run, &g, (kosh_handle_t)quota, &child);
	if (err) {
		if (quota_ro >= 0)
			kosh_handle_close((kosh_handle_t)quota_ro);
		return err;
	}
	run->quota_ro = quota_ro >= 0 ? (kosh_handle_t)quota_ro : 0;
	kosh_handle_close(child.thread);
	return watch(i, &child);
}
