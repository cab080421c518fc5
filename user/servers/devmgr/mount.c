/* SPDX-License-Identifier: MIT */
/*
 * Mounting (docs/vfs.md, "Mounts"; <kosh/proto/mount.h>): on a thread of its
 * own, so that dev:// is served while a mount waits on a filesystem server.
 *
 * A mount of dev:///NAME at a target: the device opened at its block driver
 * (as dev:// forwards an OPEN), a sbin/fatfsd registered with init on drvreg
 * as the driver "fat-NAME" with that open file as its handle "device", its
 * answer to STATFS of "/" awaited (it answers once it has mounted the volume,
 * with the mount's error if it could not), then drvreg MOUNT at the target:
 * init mounts it with vfsd, and again whenever vfsd restarts. Any failure
 * REMOVEs the driver. An unmount is the reverse: drvreg UNMOUNT, UNMOUNT of
 * "/" at fatfsd (it writes back, marks the volume clean and exits), REMOVE.
 *
 * At boot, before "mount" is served: every disk's partition table is read
 * (<kosh/part.h>) and the plan made (mountplan.c): the first partition (or a
 * disk without a table) that fatfsd mounts goes at fs:///, the first EFI
 * system partition read-only at fs:///boot. A devmgr that restarted finds the
 * fat-* drivers its predecessor registered (drvreg LOOKUP) and keeps them.
 *
 * The mounts table is this thread's alone; drvreg is shared with start-up
 * under launch.c's lock.
 */
#include <kosh/blockdev.h>
#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/mount.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/services.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "devmgr.h"
#include "mountplan.h"

#define SECOND	     (1000ull * 1000 * 1000)
#define OPEN_TIMEOUT (10 * SECOND) /* a block driver still starting */
/* fatfsd: STATFS after its mount (which checks the whole volume), UNMOUNT after its write-back */
#define FS_TIMEOUT   (30 * SECOND)
#define FAT_BINARY   "initfs:///sbin/fatfsd"
#define FAT_QUOTA    (4ull << 20)
#define MOUNTS_MAX   16
#define THREAD_STACK (64 * 1024)
#define ROOT_TARGET  "fs:///"
#define BOOT_TARGET  "fs:///boot"

/* A mount of devmgr's. */
struct mount {
	int used;
	char device[KOSH_DEV_NAME_MAX]; /* "vda2" */
	char target[KOSH_DRV_URI_MAX];	/* "fs:///" */
	char driver[KOSH_DRV_NAME_MAX]; /* "fat-vda2" */
	uint32_t index;			/* its index at init (drvreg) */
	kosh_handle_t serve;		/* a send copy of fatfsd's endpoint */
};

static struct mount mounts[MOUNTS_MAX];
static struct kosh_thread thread;
static struct kosh_part_table table; /* one disk's, at boot */

static struct mount *find(const char *device, const char *target)
{
	for (uint32_t i = 0; i < MOUNTS_MAX; i++)
		if (mounts[i].used && ((device && strcmp(mounts[i].device, device) == 0) ||
				       (target && strcmp(mounts[i].target, target) == 0)))
			return &mounts[i];
	return NULL;
}

static struct mount *keep(const char *device, const char *target, uint32_t index,
			  kosh_handle_t serve)
{
	for (uint32_t i = 0; i < MOUNTS_MAX; i++) {
		struct mount *m = &mounts[i];
		if (m->used)
			continue;
		m->used = 1;
		strlcpy(m->device, device, sizeof(m->device));
		strlcpy(m->target, target, sizeof(m->target));
		kosh_snprintf(m->driver, sizeof(m->driver), "fat-%s", device);
		m->index = index;
		m->serve = serve;
		return m;
	}
	return NULL;
}

/* The block device called name: its driver's device entry (a disk of a block driver), or NULL. */
static const struct devmgr_device *block_owner(const char *name)
{
	const struct devmgr_device *d = devmgr_owner(name, (uint32_t)strlen(name));
	if (!d || d->driver < 0 || !devmgr_is_block_driver(devmgr.drivers.entries[d->driver].name))
		return NULL;
	return d;
}

/* OPEN of /name at its block driver, with flags: 0 and *file, or a KOSH_VFS_E* error. */
static uint32_t open_device(const char *name, uint32_t flags, kosh_handle_t *file)
{
	const struct devmgr_device *d = block_owner(name);
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t len = (uint32_t)strlen(name) + 1, label, caps;
	struct kosh_msg m, r;
	if (!d)
		return KOSH_VFS_ENODEV;
	((char *)&ipc->words[KOSH_MSG_WORDS_REG])[0] = '/';
	memcpy((char *)&ipc->words[KOSH_MSG_WORDS_REG] + 1, name, len - 1);
	m = (struct kosh_msg){kosh_msg_tag(KOSH_VFS_OPEN, KOSH_MSG_WORDS_REG + (len + 7) / 8, 0, 0),
			      {flags, len, 0, 0}};
	if (kosh_call(d->serve, &m, &r, OPEN_TIMEOUT) != KOSH_OK)
		return KOSH_VFS_EIO;
	label = KOSH_MSG_LABEL(r.tag);
	caps = KOSH_MSG_CAPS(r.tag);
	if (label || caps != 1) {
		for (uint32_t i = 0; i < caps && i < KOSH_MSG_CAPS_MAX; i++)
			kosh_handle_close(ipc->caps[i]);
		if (label == KOSH_VFS_ENOENT)
			return KOSH_VFS_ENODEV;
		return label && label < 4096 ? label : KOSH_VFS_EIO;
	}
	*file = ipc->caps[0];
	return 0;
}

/* One path request ("/") at a filesystem server's endpoint, bounded: 0 or its error. */
static uint32_t fs_call(kosh_handle_t serve, uint32_t op, struct kosh_msg *r)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	struct kosh_msg m = {kosh_msg_tag(op, KOSH_MSG_WORDS_REG + 1, 0, 0), {0, 1, 0, 0}};
	uint32_t label;
	ipc->words[KOSH_MSG_WORDS_REG] = '/';
	if (kosh_call(serve, &m, r, FS_TIMEOUT) != KOSH_OK)
		return KOSH_VFS_EIO;
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(r->tag) && i < KOSH_MSG_CAPS_MAX; i++)
		kosh_handle_close(ipc->caps[i]);
	label = KOSH_MSG_LABEL(r->tag);
	return label && label < 4096 ? label : label ? KOSH_VFS_EIO : 0;
}

/* STATFS of "/" at serve: 0 and *st, or the mount's error. */
static uint32_t fs_statfs(kosh_handle_t serve, struct kosh_vfs_statfs *st)
{
	struct kosh_msg r;
	uint32_t err = fs_call(serve, KOSH_VFS_STATFS, &r);
	if (err)
		return err;
	if (KOSH_MSG_WORDS(r.tag) != KOSH_MSG_WORDS_REG + (sizeof(*st) + 7) / 8)
		return KOSH_VFS_EPROTO;
	memcpy(st, &kosh_ipc_buffer()->words[KOSH_MSG_WORDS_REG], sizeof(*st));
	st->type[sizeof(st->type) - 1] = '\0';
	return 0;
}

/* A KOSH_DRV_E_* refusal as the mount protocol's error. */
static uint32_t drv_to_vfs(uint32_t err)
{
	switch (err) {
	case KOSH_DRV_E_EXISTS:
	case KOSH_DRV_E_MOUNTED:
		return KOSH_VFS_EBUSY;
	case KOSH_DRV_E_FULL:
	case KOSH_DRV_E_NO_MEMORY:
		return KOSH_VFS_ENOMEM;
	case KOSH_DRV_E_URI:
		return KOSH_VFS_EINVAL;
	default:
		return KOSH_VFS_EIO;
	}
}

/* REMOVE a fatfsd that will not be (or is no longer) mounted. */
static void remove_driver(const char *driver, uint32_t index)
{
	uint32_t vfs_err, err = devmgr_drv_op(KOSH_DRV_REMOVE, index, NULL, &vfs_err);
	if (err)
		kosh_printf("cannot remove %s: %s", driver, kosh_drv_strerror(err));
}

/* Fill spec for fatfsd on device. */
static void fat_spec(const char *device, uint32_t flags, struct kosh_drv_spec *spec)
{
	uint32_t pos = 0;
	memset(spec, 0, sizeof(*spec));
	kosh_snprintf(spec->name, sizeof(spec->name), "fat-%s", device);
	strlcpy(spec->binary, FAT_BINARY, sizeof(spec->binary));
	pos += (uint32_t)kosh_snprintf(spec->args + pos, sizeof(spec->args) - pos, "--source") + 1;
	pos += (uint32_t)kosh_snprintf(spec->args + pos, sizeof(spec->args) - pos, "dev:///%s",
				       device) +
	       1;
	spec->arg_count = 2;
	if (flags & KOSH_MOUNT_READ_ONLY) {
		kosh_snprintf(spec->args + pos, sizeof(spec->args) - pos, "--read-only");
		spec->arg_count = 3;
	}
	spec->restart = KOSH_SERVICE_RESTART_ON_FAILURE;
	spec->quota = FAT_QUOTA;
}

/*
 * Mount dev:///device at target (normalised) with KOSH_MOUNT_* flags: 0, or the
 * KOSH_VFS_E* error of <kosh/proto/mount.h>, logged. quiet: a refusal of the
 * volume itself is the caller's to log (boot tries one device after another).
 */
static uint32_t mount_one(const char *device, const char *target, uint32_t flags, int quiet)
{
	struct kosh_drv_spec spec;
	struct kosh_vfs_statfs st;
	kosh_handle_t file, serve, old;
	uint32_t err, vfs_err, index;
	int64_t quota;
	if (find(device, target))
		return KOSH_VFS_EBUSY;
	if (strlen(device) + 4 >= KOSH_DRV_NAME_MAX)
		return KOSH_VFS_EINVAL;
	fat_spec(device, flags, &spec);
	if ((old = devmgr_drv_lookup(spec.name, &index))) {
		/* A predecessor's (devmgr restarted), mounted who knows where: not ours to redo. */
		kosh_handle_close(old);
		return KOSH_VFS_EBUSY;
	}
	err = open_device(
	    device, KOSH_VFS_O_READ | (flags & KOSH_MOUNT_READ_ONLY ? 0 : KOSH_VFS_O_WRITE), &file);
	if (err)
		return err;
	quota = kosh_quota_create(devmgr.quota, FAT_QUOTA);
	if (quota < 0) {
		kosh_handle_close(file);
		kosh_printf("dev:///%s: no quota for fatfsd: %s", device,
			    kosh_strerror((kosh_err_t)quota));
		return KOSH_VFS_ENOMEM;
	}
	err = devmgr_drv_add(&spec, (kosh_handle_t)quota, "device", file, &serve, &index);
	if (err)
		return drv_to_vfs(err);
	if ((err = fs_statfs(serve, &st))) {
		if (!quiet)
			kosh_printf("dev:///%s: not mounted: %s", device, kosh_vfs_strerror(err));
		remove_driver(spec.name, index);
		kosh_handle_close(serve);
		return err;
	}
	err = devmgr_drv_op(KOSH_DRV_MOUNT, index, target, &vfs_err);
	if (err) {
		err = err == KOSH_DRV_E_VFS ? vfs_err : drv_to_vfs(err);
		kosh_printf("dev:///%s: cannot mount at %s: %s", device, target,
			    kosh_vfs_strerror(err));
		remove_driver(spec.name, index);
		kosh_handle_close(serve);
		return err;
	}
	if (!keep(device, target, index, serve)) {
		/* Cannot happen with fewer drivers than mounts; undone all the same. */
		(void)devmgr_drv_op(KOSH_DRV_UNMOUNT, index, NULL, &vfs_err);
		remove_driver(spec.name, index);
		kosh_handle_close(serve);
		return KOSH_VFS_ENOMEM;
	}
	kosh_printf("mounted dev:///%s (%s%s) at %s", device, st.type,
		    st.flags & KOSH_VFS_STATFS_READ_ONLY ? ", read-only" : "", target);
	return 0;
}

static uint32_t unmount_one(const char *target)
{
	struct mount *m = find(NULL, target);
	struct kosh_msg r;
	uint32_t err, vfs_err;
	if (!m)
		return KOSH_VFS_ENOENT;
	err = devmgr_drv_op(KOSH_DRV_UNMOUNT, m->index, NULL, &vfs_err);
	if (err == KOSH_DRV_E_VFS)
		return vfs_err; /* vfsd keeps it (EBUSY): nothing changed */
	if (err && err != KOSH_DRV_E_NOT_MOUNTED)
		return drv_to_vfs(err);
	if ((err = fs_call(m->serve, KOSH_VFS_UNMOUNT, &r)))
		kosh_printf("%s: unmount: %s (removed all the same)", m->driver,
			    kosh_vfs_strerror(err));
	remove_driver(m->driver, m->index);
	kosh_handle_close(m->serve);
	kosh_printf("unmounted dev:///%s from %s", m->device, m->target);
	memset(m, 0, sizeof(*m));
	return 0;
}

/* ---- boot ---- */

static int read_sector(void *ctx, uint64_t lba, void *buf)
{
	struct kosh_blockdev *b = ctx;
	if (kosh_blockdev_read(b, lba, 1, 0))
		return -1;
	memcpy(buf, b->buffer, b->sector_size);
	return 0;
}

/* Disk name's partition table into table: a kosh_part_err, or -1 when it cannot be opened. */
static int read_table(const char *name)
{
	struct kosh_blockdev b;
	kosh_handle_t file;
	uint32_t err = open_device(name, KOSH_VFS_O_READ, &file);
	int r;
	if (err) {
		kosh_printf("dev:///%s: cannot open: %s", name, kosh_vfs_strerror(err));
		return -1;
	}
	if ((err = kosh_blockdev_attach(&b, file, 0))) {
		kosh_printf("dev:///%s: not a block device: %s", name, kosh_block_strerror(err));
		return -1;
	}
	struct kosh_part_disk disk = {b.sector_size, b.sectors, read_sector, &b};
	r = (int)kosh_part_read(&disk, &table);
	kosh_blockdev_close(&b);
	return r;
}

/* A fat-<device> an earlier devmgr registered: kept as mounted at target. 1 if there was one. */
static int found_before(const char *device, const char *target)
{
	char name[KOSH_DRV_NAME_MAX];
	uint32_t index;
	kosh_handle_t serve;
	kosh_snprintf(name, sizeof(name), "fat-%s", device);
	if (!(serve = devmgr_drv_lookup(name, &index)))
		return 0;
	if (!keep(device, target, index, serve))
		kosh_handle_close(serve);
	kosh_printf("dev:///%s: %s was registered before: kept at %s", device, name, target);
	return 1;
}

static void mount_at_boot(void)
{
	static struct devmgr_candidate c[DEVMGR_CANDIDATES_MAX];
	uint32_t root[DEVMGR_CANDIDATES_MAX], n = 0, roots, err;
	int esp, r;
	for (uint32_t i = 0; i < devmgr.device_count; i++) {
		const struct devmgr_device *d = &devmgr.devices[i];
		if (!d->serve || d->driver < 0 ||
		    !devmgr_is_block_driver(devmgr.drivers.entries[d->driver].name))
			continue;
		if ((r = read_table(d->name)) < 0)
			continue;
		if (r != KOSH_PART_OK && r != KOSH_PART_E_NO_TABLE)
			kosh_printf("dev:///%s: partition table: %s", d->name,
				    kosh_part_strerror((uint32_t)r));
		devmgr_candidates(d->name, (uint32_t)r, &table, c, &n, DEVMGR_CANDIDATES_MAX);
	}
	roots = devmgr_plan(c, n, root, &esp);
	err = KOSH_VFS_ENOENT;
	/* A predecessor's root first: a volume it failed to mount might mount now. */
	for (uint32_t k = 0; k < roots && err; k++)
		if (found_before(c[root[k]].name, ROOT_TARGET))
			err = 0;
	for (uint32_t k = 0; k < roots && err; k++) {
		const char *dev = c[root[k]].name;
		err = mount_one(dev, ROOT_TARGET, 0, 1);
		if (err == KOSH_VFS_EINVAL)
			kosh_printf("dev:///%s: not a FAT volume: %s", dev, kosh_vfs_strerror(err));
		else if (err)
			kosh_printf("dev:///%s: not mounted at %s: %s", dev, ROOT_TARGET,
				    kosh_vfs_strerror(err));
	}
	if (err)
		kosh_printf("no volume mounted at %s: it stays ramfs", ROOT_TARGET);
	if (esp < 0)
		return;
	if (found_before(c[esp].name, BOOT_TARGET))
		return;
	err = kosh_vfs() ? kosh_file_mkdir(kosh_vfs(), BOOT_TARGET) : KOSH_VFS_ENOENT;
	if (err && err != KOSH_VFS_EEXIST && err != KOSH_VFS_EROFS)
		kosh_printf("cannot make %s: %s (mounting there all the same)", BOOT_TARGET,
			    kosh_vfs_strerror(err));
	err = mount_one(c[esp].name, BOOT_TARGET, KOSH_MOUNT_READ_ONLY, 1);
	if (err)
		kosh_printf("dev:///%s: the EFI system partition not mounted at %s: %s",
			    c[esp].name, BOOT_TARGET, kosh_vfs_strerror(err));
}

/* ---- the "mount" endpoint ---- */

static uint32_t handle(const struct kosh_msg *m)
{
	struct devmgr_mount_req req;
	uint32_t err = devmgr_mount_decode(m->tag, m->words,
					   &kosh_ipc_buffer()->words[KOSH_MSG_WORDS_REG], &req);
	if (err)
		return err;
	if (req.op == KOSH_MOUNT_UNMOUNT)
		return unmount_one(req.target);
	err = mount_one(req.device, req.target, req.flags, 0);
	if (err)
		kosh_printf("mount of dev:///%s at %s refused: %s", req.device, req.target,
			    kosh_vfs_strerror(err));
	return err;
}

static void serve(void)
{
	struct kosh_msg m, reply;
	uint64_t badge;
	kosh_err_t err = kosh_recv(devmgr.mount, &m, &badge, KOSH_TIMEOUT_NEVER);
	for (;;) {
		if (err) {
			kosh_printf("mount: receive failed: %s", kosh_strerror(err));
			return;
		}
		if (KOSH_MSG_LABEL(m.tag) >= KOSH_LABEL_KERNEL) {
			err = kosh_recv(devmgr.mount, &m, &badge, KOSH_TIMEOUT_NEVER);
			continue; /* nothing to answer */
		}
		/* Capabilities are never wanted: whatever came is closed. */
		for (uint32_t i = 0; i < KOSH_MSG_CAPS(m.tag) && i < KOSH_MSG_CAPS_MAX; i++)
			kosh_handle_close(kosh_ipc_buffer()->caps[i]);
		reply = (struct kosh_msg){kosh_msg_tag(handle(&m), 0, 0, 0), {0}};
		err = kosh_reply_recv(devmgr.mount, &reply, &m, &badge, KOSH_TIMEOUT_NEVER);
	}
}

static void mount_main(void *arg)
{
	mount_at_boot();
	if (devmgr.mount)
		serve();
}

void devmgr_mount_start(void)
{
	kosh_err_t err;
	if (!devmgr.drvreg) {
		kosh_printf("no drvreg endpoint: nothing mounted");
		return;
	}
	err = kosh_thread_spawn(&thread, mount_main, NULL, THREAD_STACK);
	if (err)
		kosh_printf("cannot start the mount thread: %s: nothing mounted",
			    kosh_strerror(err));
}
