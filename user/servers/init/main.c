/* SPDX-License-Identifier: MIT */
/*
 * init: starts the services of initfs:///etc/services in dependency order and
 * supervises them (docs/services.md, docs/system.md "Boot, in userspace").
 *
 * bootstrap starts it with its share of the machine (klog, quota, initfs,
 * irq-control, ioport-control, mmio-control, klog-read, klog-console,
 * rootinfo, and the frames it describes: mmio<i>, acpi<i>, dtb<i>, fb<i>).
 * init reads etc/services straight from bootstrap's initfs endpoint, makes one
 * endpoint per endpoint name, serves svc:// on a second thread, and starts each
 * service of this architecture (launch.c). Every service's exit is a bit on one
 * notification (process_notify); the first thread waits on it, with a timeout
 * when a restart is due, and restarts per the service's policy and back-off
 * (policy.c). Whenever vfsd (the server of "vfs") starts, every scheme is
 * registered with it again. Every start, end and restart is logged with why.
 */
#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/proto/proc.h>
#include <kosh/proto/vfs.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/start.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/user.h>

#include "init.h"

#define SERVICES_PATH "/etc/services" /* in initfs:// */
#define SEND_RIGHTS   (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)

struct init init;

/* The handles bootstrap gave (docs/system.md); 0 where it gave none. */
static int take_handles(void)
{
	init.klog = kosh_self()->log;
	init.quota = kosh_self()->quota;
	init.initfs = kosh_start_handle("initfs", NULL);
	init.irq_control = kosh_start_handle("irq-control", NULL);
	init.ioport_control = kosh_start_handle("ioport-control", NULL);
	init.klog_read = kosh_start_handle("klog-read", NULL);
	init.klog_console = kosh_start_handle("klog-console", NULL);
	init.mmio_control = kosh_start_handle("mmio-control", NULL);
	init.arch = ARCH_USER_KOSH_ARCH == KOSH_ARCH_X86_64 ? KOSH_SERVICE_ARCH_X86_64
							    : KOSH_SERVICE_ARCH_AARCH64;
	if (!init.quota || !init.initfs) {
		kosh_printf("started without %s: this is bootstrap's job",
			    init.quota ? "an initfs endpoint" : "a quota");
		return -1;
	}
	return 0;
}

/* The start-page name of frames[i] of the rootinfo page, by its kind; "" for other kinds. */
static void frame_name(uint32_t kind, uint32_t i, char name[KOSH_START_NAME_MAX])
{
	const char *prefix = kind == KOSH_ROOT_FRAME_MMIO	   ? "mmio"
			     : kind == KOSH_ROOT_FRAME_ACPI	   ? "acpi"
			     : kind == KOSH_ROOT_FRAME_DTB	   ? "dtb"
			     : kind == KOSH_ROOT_FRAME_FRAMEBUFFER ? "fb"
								   : NULL;
	name[0] = '\0';
	if (prefix)
		kosh_snprintf(name, KOSH_START_NAME_MAX, "%s%u", prefix, i);
}

/* The frames bootstrap gave (mmio<i>, acpi<i>, dtb<i>, fb<i>) with their place from rootinfo. */
static void take_frames(void)
{
	kosh_handle_t page = kosh_start_handle("rootinfo", NULL);
	const struct kosh_root_info *ri;
	char name[KOSH_START_NAME_MAX];
	kosh_err_t err;
	if (!page)
		return;
	ri = kosh_frame_map(page, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
	if (!ri) {
		kosh_printf("cannot map rootinfo: %s", kosh_strerror(err));
		return;
	}
	if (ri->magic != KOSH_ROOT_INFO_MAGIC || ri->frame_count > KOSH_ROOT_FRAMES_MAX) {
		kosh_printf("rootinfo is not a root info page: no frames");
	} else {
		init.rootinfo = page;
		for (uint32_t i = 0; i < ri->frame_count; i++) {
			frame_name(ri->frames[i].kind, i, name);
			kosh_handle_t h = name[0] ? kosh_start_handle(name, NULL) : 0;
			if (!h)
				continue;
			if (init.frame_count == INIT_FRAMES_MAX) {
				kosh_printf("more frames than init keeps: %s left out", name);
				continue;
			}
			init.frames[init.frame_count++] = (struct given_frame){
			    h, ri->frames[i].kind, i, ri->frames[i].phys, ri->frames[i].size};
		}
	}
	kosh_frame_unmap((void *)ri, KOSH_PAGE_SIZE);
}

static int read_services(void)
{
	struct kosh_services_error perr;
	void *text;
	uint64_t len;
	uint32_t err = kosh_file_load(init.initfs, SERVICES_PATH, &text, &len);
	if (err) {
		kosh_printf("cannot read initfs://%s: %s", SERVICES_PATH, kosh_vfs_strerror(err));
		return -1;
	}
	int r = kosh_services_parse(text, len, &init.services, &perr);
	kosh_page_free(text);
	if (r) {
		kosh_printf("initfs://%s: %s", SERVICES_PATH, perr.message);
		return -1;
	}
	init.order_count = kosh_services_order(&init.services, init.order);
	for (uint32_t i = 0; i < init.services.count; i++) {
		init.runs[i].svc = &init.services.services[i];
		init.runs[i].here = (init.services.services[i].arches & init.arch) != 0;
	}
	init.run_count = init.services.count;
	return 0;
}

static int add_endpoint(const char *name, kosh_handle_t h)
{
	struct named_endpoint *e = &init.endpoints[init.endpoint_count];
	if (init.endpoint_count == INIT_ENDPOINTS_MAX)
		return -1;
	strlcpy(e->name, name, sizeof(e->name));
	e->handle = h;
	init.endpoint_count++;
	return 0;
}

/* One endpoint per name of this machine's services, and init's own: svc, exits. */
static int make_endpoints(void)
{
	int64_t svc = kosh_endpoint_create(init.quota),
		exits = kosh_notification_create(init.quota);
	if (svc < 0 || exits < 0) {
		kosh_printf("no memory for init's own endpoint");
		return -1;
	}
	init.svc = (kosh_handle_t)svc;
	init.exits = (kosh_handle_t)exits;
	add_endpoint("initfs", init.initfs);
	add_endpoint("svc", init.svc);
	for (uint32_t i = 0; i < init.services.count; i++) {
		const struct kosh_service *s = &init.services.services[i];
		for (uint32_t k = 0; k < s->endpoint_count && init.runs[i].here; k++) {
			if (init_endpoint(s->endpoints[k].name))
				continue;
			int64_t ep = kosh_endpoint_create(init.quota);
			if (ep < 0 || add_endpoint(s->endpoints[k].name, (kosh_handle_t)ep)) {
				kosh_printf("cannot make endpoint %s", s->endpoints[k].name);
				return -1;
			}
		}
	}
	kosh_handle_t vfs = init_endpoint("vfs");
	if (vfs) {
		int64_t admin = kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_ADMIN);
		int64_t client = kosh_handle_dup(vfs, SEND_RIGHTS, KOSH_VFS_BADGE_CLIENT);
		init.vfs_admin = admin > 0 ? (kosh_handle_t)admin : 0;
		init.vfs_client = client > 0 ? (kosh_handle_t)client : 0;
	}
	return 0;
}

/* 1 if service i serves the endpoint called name. */
static int serves(uint32_t i, const char *name)
{
	const struct kosh_service *s = init.runs[i].svc;
	for (uint32_t k = 0; k < s->endpoint_count; k++)
		if (s->endpoints[k].role == KOSH_SERVICE_SERVE &&
		    strcmp(s->endpoints[k].name, name) == 0)
			return 1;
	return 0;
}

static void start(uint32_t i, uint64_t now)
{
	struct service_run *run = &init.runs[i];
	int64_t delay;
	if (init_launch(i) == KOSH_OK) {
		init_started(&run->sup, now);
		if (run->sup.restarts)
			kosh_printf("%s restarted (pid %llu, restart %u)", run->svc->name,
				    (unsigned long long)run->pid, run->sup.restarts);
		else
			kosh_printf("%s started (pid %llu)", run->svc->name,
				    (unsigned long long)run->pid);
		if (serves(i, "vfs"))
			init_register_schemes();
		if (serves(i, KOSH_PROC_REGISTER_ENDPOINT)) {
			init.proc_up = 1;
			init_proc_register_all();
		} else {
			init_proc_register(i);
		}
		return;
	}
	delay = init_start_failed(&run->sup, run->svc, now, run->hopeless);
	if (delay >= 0)
		kosh_printf("cannot start %s: %s; trying again in %lld ms", run->svc->name,
			    run->last_error, (long long)delay);
	else
		kosh_printf("cannot start %s: %s; giving up", run->svc->name, run->last_error);
}

static void ended(uint32_t i, uint64_t now)
{
	struct service_run *run = &init.runs[i];
	uint64_t status;
	int64_t delay;
	if (run->sup.state != INIT_STATE_RUNNING || kosh_wait(run->process, 0, &status) != KOSH_OK)
		return; /* not ours, or not ended after all */
	kosh_handle_close(run->process);
	run->process = 0;
	if (run->quota_ro)
		kosh_handle_close(run->quota_ro);
	run->quota_ro = 0;
	if (serves(i, KOSH_PROC_REGISTER_ENDPOINT))
		init.proc_up = 0;
	init_exit_describe(status, run->last_exit, sizeof(run->last_exit));
	delay = init_exited(&run->sup, run->svc, status, now);
	if (delay >= 0)
		kosh_printf("%s (pid %llu) ended: %s; restarting in %lld ms", run->svc->name,
			    (unsigned long long)run->pid, run->last_exit, (long long)delay);
	else
		kosh_printf("%s (pid %llu) ended: %s; not restarted (restart = %s)", run->svc->name,
			    (unsigned long long)run->pid, run->last_exit,
			    run->svc->restart == KOSH_SERVICE_RESTART_NEVER ? "never"
									    : "on-failure");
}

/* Nanoseconds until the earliest restart due, or KOSH_TIMEOUT_NEVER. */
static uint64_t next_timeout(uint64_t now)
{
	uint64_t first = KOSH_TIMEOUT_NEVER;
	for (uint32_t i = 0; i < init.run_count; i++)
		if (init.runs[i].sup.state == INIT_STATE_WAITING &&
		    init.runs[i].sup.restart_at_ns < first)
			first = init.runs[i].sup.restart_at_ns;
	if (first == KOSH_TIMEOUT_NEVER)
		return first;
	return first > now ? first - now : 0;
}

/*
 * Wait for an exit, a restart due or (with drvreg) a registration message:
 * the exit bits, 0 on a timeout. A message is handled and answered here.
 */
static uint64_t wait_event(uint64_t timeout)
{
	struct kosh_msg m, reply;
	uint64_t bits = 0, badge;
	kosh_err_t err;
	if (!init.drvreg) {
		err = kosh_notify_wait(init.exits, timeout, &bits);
	} else {
		err = kosh_recv(init.drvreg, &m, &badge, timeout);
		if (err == KOSH_OK && KOSH_MSG_LABEL(m.tag) == KOSH_LABEL_NOTIFY) {
			bits = m.words[0];
		} else if (err == KOSH_OK && KOSH_MSG_LABEL(m.tag) < KOSH_LABEL_KERNEL) {
			int after = init_drv_handle(&m, &reply, (uint64_t)kosh_clock_get());
			(void)kosh_reply_recv(init.drvreg, &reply, &m, &badge, 0); /* reply only */
			if (after)
				init_drv_after();
		}
	}
	if (err && err != KOSH_E_TIMED_OUT) {
		kosh_printf("waiting for services failed: %s", kosh_strerror(err));
		kosh_terminate(1);
	}
	return bits;
}

static __attribute__((noreturn)) void supervise(void)
{
	for (;;) {
		uint64_t now = (uint64_t)kosh_clock_get();
		uint64_t bits = wait_event(next_timeout(now));
		now = (uint64_t)kosh_clock_get();
		for (uint32_t i = 0; i < init.run_count; i++)
			if (bits & (1ull << i))
				ended(i, now);
		for (uint32_t k = 0; k < init.order_count; k++)
			if (init_restart_due(&init.runs[init.order[k]].sup, now))
				start(init.order[k], now);
	}
}

/* drvreg (when a service uses it) receives the exit bits too: one place to wait. */
static void take_drvreg(void)
{
	kosh_handle_t ep = init_endpoint(KOSH_DRV_ENDPOINT);
	kosh_err_t err;
	if (!ep)
		return;
	err = (kosh_err_t)kosh_notification_bind(init.exits, ep);
	if (err) {
		kosh_printf("cannot serve drvreg: %s", kosh_strerror(err));
		return;
	}
	init.drvreg = ep;
}

int main(int argc, char **argv)
{
	uint32_t here = 0;
	if (take_handles() || read_services() || make_endpoints())
		return 1;
	take_frames();
	take_drvreg();
	if (init_serve_svc() != KOSH_OK)
		return 1;
	for (uint32_t i = 0; i < init.services.count; i++)
		here += init.runs[i].here;
	kosh_printf("%u services for %s in initfs://%s", here, ARCH_USER_NAME, SERVICES_PATH);
	for (uint32_t k = 0; k < init.order_count; k++)
		if (init.runs[init.order[k]].here)
			start(init.order[k], (uint64_t)kosh_clock_get());
	supervise();
}
