/* SPDX-License-Identifier: MIT */
/*
 * Starting init with its share of the root task's authority (docs/system.md,
 * "Boot, in userspace"). Every handle init gets is a fresh duplicate with only
 * the rights it needs, moved into init's table, so bootstrap's own stay as the
 * kernel gave them:
 *
 *   klog            the kernel log, write
 *   quota           a child quota: everything bootstrap does not keep for itself
 *   initfs          the initfs:// endpoint, to call (write, transfer, duplicate)
 *   irq-control     binding interrupt lines
 *   ioport-control  I/O-port ranges (x86-64 only)
 *   klog-read       the kernel log, read (for logd)
 *   klog-console    the kernel log with the manage right (log_console, for the serial driver)
 *   mmio-control    frames over device memory (mmio_create), every right
 *   rootinfo        a read-only copy of the root info whose frame list holds
 *                   exactly the firmware frames given, frames[i] being the
 *                   handle named by its kind with the same i (their handle
 *                   fields, like the root task's own handles, are 0)
 *   mmio<i>         MMIO frames (value: the size)
 *   fb<i>           the framebuffer (read, write, map: write-combining)
 *   dtb<i>, acpi<i> the device tree blob, the ACPI table ranges (read-only)
 *
 * The frames go in this order while the start page has room: the MMIO frames
 * a service of etc/services asks for on this architecture, the framebuffer,
 * the device tree, the ACPI ranges, then the other MMIO frames.
 */
#include "bootstrap.h"

#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/services.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include <arch/user.h>

#define INIT_PATH     "sbin/init"
#define INIT_URI      "initfs:///sbin/init"
#define SERVICES_PATH "etc/services"
#define KEEP_BYTES    (4ull << 20) /* bootstrap's own: the initfs thread, deferred replies */

#define SEND_RIGHTS (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define FRAME_RO    (KOSH_RIGHT_READ | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)

struct give {
	struct kosh_spawn_handle h[KOSH_SPAWN_HANDLES_MAX];
	uint32_t n;
	char names[KOSH_SPAWN_HANDLES_MAX][KOSH_START_NAME_MAX];
};

static struct kosh_services services; /* about 51 KiB */

/* Adds handle (a fresh duplicate, or an error from making it) to be moved to init. */
static void add(struct give *g, const char *name, int64_t handle, uint64_t value)
{
	if (handle < 0) {
		kosh_printf("init will go without '%s': %s", name,
			    kosh_strerror((kosh_err_t)handle));
		return;
	}
	if (g->n == KOSH_SPAWN_HANDLES_MAX) {
		kosh_printf("init will go without '%s': the start page is full", name);
		kosh_handle_close((kosh_handle_t)handle);
		return;
	}
	strlcpy(g->names[g->n], name, KOSH_START_NAME_MAX);
	g->h[g->n] = (struct kosh_spawn_handle){g->names[g->n], (kosh_handle_t)handle,
						KOSH_GIVE_MOVE, value};
	g->n++;
}

static int64_t dup(kosh_handle_t h, uint32_t rights)
{
	return h ? kosh_handle_dup(h, rights, 0) : KOSH_E_NOT_FOUND;
}

/* Everything the root quota has left but KEEP_BYTES, as a child quota. */
static int64_t init_quota(uint64_t *bytes)
{
	struct kosh_quota_info qi;
	int64_t r = kosh_quota_info(kosh_self()->quota, (uint64_t)(uintptr_t)&qi);
	if (r < 0)
		return r;
	if (qi.limit - qi.used <= KEEP_BYTES + (1u << 20))
		return KOSH_E_NO_MEMORY;
	*bytes = (qi.limit - qi.used - KEEP_BYTES) & ~(uint64_t)(KOSH_PAGE_SIZE - 1);
	return kosh_quota_create(kosh_self()->quota, *bytes);
}

static uint32_t arch_bit(void)
{
	return ARCH_USER_KOSH_ARCH == KOSH_ARCH_X86_64 ? KOSH_SERVICE_ARCH_X86_64
						       : KOSH_SERVICE_ARCH_AARCH64;
}

/* 1 if a service of etc/services on this architecture asks for MMIO inside f. */
static int wanted(const struct kosh_root_frame *f)
{
	for (uint32_t i = 0; i < services.count; i++) {
		const struct kosh_service *s = &services.services[i];
		if (!(s->arches & arch_bit()))
			continue;
		for (uint32_t k = 0; k < s->mmio_count; k++)
			if (s->mmio[k].base < f->phys + f->size &&
			    f->phys < s->mmio[k].base + s->mmio[k].size)
				return 1;
	}
	return 0;
}

/* The parsed etc/services, or an empty list (init will say what is wrong with it). */
static void read_services(const void *archive, uint64_t size)
{
	struct kosh_tar_entry e;
	services.count = 0;
	if (kosh_tar_find(archive, size, SERVICES_PATH, &e) == KOSH_TAR_OK &&
	    kosh_services_parse((const char *)e.data, e.size, &services, NULL) != 0)
		services.count = 0;
}

/* Where frame f goes in init's list (lower first), or -1 for frames init is not given. */
static int rank(const struct kosh_root_frame *f)
{
	switch (f->kind) {
	case KOSH_ROOT_FRAME_MMIO:
		return wanted(f) ? 0 : 4;
	case KOSH_ROOT_FRAME_FRAMEBUFFER:
		return 1;
	case KOSH_ROOT_FRAME_DTB:
		return 2;
	case KOSH_ROOT_FRAME_ACPI:
		return 3;
	default:
		return -1;
	}
}

/* The start-page name of frames[i] of kind: mmio<i>, fb<i>, dtb<i> or acpi<i>. */
static void frame_name(uint32_t kind, uint32_t i, char name[KOSH_START_NAME_MAX])
{
	const char *prefix = kind == KOSH_ROOT_FRAME_MMIO	 ? "mmio"
			     : kind == KOSH_ROOT_FRAME_FRAMEBUFFER ? "fb"
			     : kind == KOSH_ROOT_FRAME_DTB	 ? "dtb"
								 : "acpi";
	kosh_snprintf(name, KOSH_START_NAME_MAX, "%s%u", prefix, i);
}

/*
 * Picks the firmware frames for init in rank order into order[]; returns how
 * many fit in room. Logs the ones left out.
 */
static uint32_t pick_frames(const struct kosh_root_info *info, uint32_t room, uint32_t *order)
{
	uint32_t n = 0;
	for (int pass = 0; pass <= 4; pass++) {
		for (uint32_t i = 0; i < info->frame_count; i++) {
			const struct kosh_root_frame *f = &info->frames[i];
			if (!f->handle || rank(f) != pass)
				continue;
			if (n < room) {
				order[n++] = i;
				continue;
			}
			kosh_printf("not given to init (no room in its start page): frame of kind "
				    "%u at 0x%llx+0x%llx%s",
				    f->kind, (unsigned long long)f->phys,
				    (unsigned long long)f->size,
				    pass == 0 ? ", which etc/services asks for" : "");
		}
	}
	return n;
}

/* The "rootinfo" page: a copy of ours listing the frames picked, in mmio<i> order. */
int64_t bootstrap_root_info_copy(const struct kosh_root_info *info, const uint32_t *order, uint32_t n)
{
	kosh_err_t err;
	int64_t frame = kosh_frame_new(kosh_self()->quota, KOSH_PAGE_SIZE), ro;
	struct kosh_root_info *copy;
	if (frame < 0)
		return frame;
	copy = kosh_frame_map((kosh_handle_t)frame, 0, KOSH_PAGE_SIZE,
			      KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!copy) {
		kosh_handle_close((kosh_handle_t)frame);
		return err;
	}
	*copy = *info;
	copy->process = copy->space = copy->thread = 0;
	copy->quota = copy->log = copy->irq_control = copy->ioport_control = 0;
	copy->mmio_control = 0;
	memset(copy->frames, 0, sizeof(copy->frames));
	for (uint32_t i = 0; i < n; i++) {
		copy->frames[i] = info->frames[order[i]];
		copy->frames[i].handle = 0;
	}
	copy->frame_count = n;
	kosh_frame_unmap(copy, KOSH_PAGE_SIZE);
	ro = kosh_handle_dup((kosh_handle_t)frame, FRAME_RO, 0);
	kosh_handle_close((kosh_handle_t)frame);
	return ro;
}

static void add_frames(struct give *g, const struct kosh_root_info *info, const void *archive,
		       uint64_t size)
{
	uint32_t order[KOSH_SPAWN_HANDLES_MAX], n;
	char name[KOSH_START_NAME_MAX];
	read_services(archive, size);
	/* One slot for rootinfo. */
	n = pick_frames(info, KOSH_SPAWN_HANDLES_MAX - g->n - 1, order);
	add(g, "rootinfo", bootstrap_root_info_copy(info, order, n), KOSH_PAGE_SIZE);
	for (uint32_t i = 0; i < n; i++) {
		const struct kosh_root_frame *f = &info->frames[order[i]];
		struct kosh_handle_info hi;
		int64_t h = kosh_info(f->handle, &hi) ? KOSH_E_BAD_HANDLE
						      : kosh_handle_dup(f->handle, hi.rights, 0);
		frame_name(f->kind, i, name);
		add(g, name, h, f->size);
	}
}

kosh_err_t bootstrap_start_init(const struct kosh_root_info *info, kosh_handle_t initfs,
				kosh_handle_t *process)
{
	const struct kosh_self *self = kosh_self();
	struct give g = {.n = 0};
	struct kosh_tar_entry e;
	struct kosh_child child;
	const void *archive;
	uint64_t size, bytes = 0;
	kosh_err_t err = kosh_initfs(&archive, &size);
	if (err || kosh_tar_find(archive, size, INIT_PATH, &e) != KOSH_TAR_OK) {
		kosh_printf("no %s in the initfs", INIT_PATH);
		return KOSH_E_NOT_FOUND;
	}
	int64_t quota = init_quota(&bytes);
	if (quota < 0) {
		kosh_printf("no quota for init: %s", kosh_strerror((kosh_err_t)quota));
		return (kosh_err_t)quota;
	}
	add(&g, "klog", dup(self->log, SEND_RIGHTS), 0);
	add(&g, "quota", quota, bytes);
	add(&g, "initfs", dup(initfs, SEND_RIGHTS), 0);
	add(&g, "irq-control", dup(info->irq_control, KOSH_RIGHTS_ALL), 0);
	if (info->ioport_control)
		add(&g, "ioport-control", dup(info->ioport_control, KOSH_RIGHTS_ALL), 0);
	add(&g, "mmio-control", dup(info->mmio_control, KOSH_RIGHTS_ALL), 0);
	add(&g, "klog-read",
	    dup(self->log, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE), 0);
	add(&g, "klog-console", dup(self->log, SEND_RIGHTS | KOSH_RIGHT_MANAGE), 0);
	add_frames(&g, info, archive, size);
	const char *argv[] = {INIT_URI};
	struct kosh_spawn s = {
	    .name = "init",
	    .image = e.data,
	    .image_size = e.size,
	    .argv = argv,
	    .argc = 1,
	    .handles = g.h,
	    .handle_count = g.n,
	    .quota = (kosh_handle_t)quota,
	};
	kosh_printf("starting init with %llu MiB and %u handles", (unsigned long long)(bytes >> 20),
		    g.n);
	err = kosh_spawn(&s, &child);
	if (err) {
		kosh_printf("cannot start init: %s", kosh_strerror(err));
		return err;
	}
	kosh_handle_close(child.thread);
	*process = child.process;
	return KOSH_OK;
}
