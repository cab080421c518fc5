/* SPDX-License-Identifier: MIT */
/*
 * dev:// (docs/devices.md, "dev://"), served with the fileserver library:
 *
 *   dev:///          a directory: pci, devices, and the name of every device
 *                    whose driver runs
 *   dev:///pci       one line per PCI function (text.h)
 *   dev:///devices   one line per device found, PCI and platform
 *   dev:///<name>…   an OPEN forwarded unchanged (the path inside dev://,
 *                    "/vda1") to the driver whose device name is the longest
 *                    prefix of it; the driver's answer, a file of its own,
 *                    goes back to the client as vfsd passes on a scheme's.
 *
 * Forwarding waits for the driver at most FORWARD_TIMEOUT (a restarting
 * driver answers when it is up again); the answer goes out through a saved
 * reply, and a file whose client is gone by then is CLOSEd at the driver.
 */
#include <kosh/fileserver.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "devmgr.h"
#include "text.h"

#define DIR_NODE	0xffffffffu
#define PCI_NODE	0xfffffffeu
#define DEVICES_NODE	0xfffffffdu
#define TEXT_MAX	16384
#define FORWARD_TIMEOUT (4ull * 1000 * 1000 * 1000) /* below vfsd's 5 s */
#define CLOSE_TIMEOUT	(1ull * 1000 * 1000 * 1000)

static char text[TEXT_MAX];
static const struct devmgr_device *all[DEVMGR_DEVICES_MAX + DRIVERS_MAX];

/* Every device, then the drivers started without one. */
static uint32_t gather(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < devmgr.device_count; i++)
		all[n++] = &devmgr.devices[i];
	for (uint32_t i = 0; i < DRIVERS_MAX; i++)
		if (devmgr_nodevice(i)->name[0])
			all[n++] = devmgr_nodevice(i);
	return n;
}

static uint32_t render(uint64_t node)
{
	uint32_t n = gather();
	if (node == PCI_NODE)
		return devmgr_text_pci(all, n, &devmgr.drivers, text, sizeof(text));
	return devmgr_text_devices(all, n, &devmgr.drivers, text, sizeof(text));
}

/* Send the driver's OPEN answer (its file in cap 0 of our IPC buffer) back through a saved reply.
 */
static uint32_t pass_file(struct kosh_fsrv *s, const struct kosh_msg *r)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	kosh_handle_t file = ipc->caps[0], reply;
	struct kosh_msg m = {kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 1, 1),
			     {r->words[0], r->words[1], 0, 0}};
	if (kosh_fsrv_defer(s, &reply) != KOSH_OK) {
		kosh_handle_close(file);
		return KOSH_VFS_ENOMEM;
	}
	ipc->caps[0] = file;
	if (kosh_reply_answer(reply, &m, KOSH_VFS_EIO) != KOSH_OK) {
		struct kosh_msg c = {kosh_msg_tag(KOSH_VFS_CLOSE, 0, 0, 0), {0}};
		kosh_call(file, &c, &c, CLOSE_TIMEOUT);
		kosh_handle_close(file);
	}
	return KOSH_FSRV_DEFER;
}

/* OPEN of dev:///<name>…: to the owner's driver, path unchanged. */
static uint32_t forward_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags)
{
	const struct devmgr_device *d = devmgr_owner(path + 1, len - 1);
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	struct kosh_msg m, r;
	if (!d)
		return KOSH_VFS_ENOENT;
	memmove(&ipc->words[KOSH_MSG_WORDS_REG], path, len);
	m = (struct kosh_msg){kosh_msg_tag(KOSH_VFS_OPEN, KOSH_MSG_WORDS_REG + (len + 7) / 8, 0, 0),
			      {flags, len, 0, 0}};
	kosh_err_t err = kosh_call(d->serve, &m, &r, FORWARD_TIMEOUT);
	if (err) {
		kosh_printf("dev:///%s: its driver did not answer: %s", d->name,
			    kosh_strerror(err));
		return KOSH_VFS_EIO;
	}
	uint32_t label = KOSH_MSG_LABEL(r.tag), caps = KOSH_MSG_CAPS(r.tag);
	if (label || caps != 1 || label >= 4096) {
		for (uint32_t i = 0; i < caps && i < KOSH_MSG_CAPS_MAX; i++)
			kosh_handle_close(ipc->caps[i]);
		return label && label < 4096 ? label : KOSH_VFS_EIO;
	}
	return pass_file(s, &r);
}

static int is(const char *path, uint32_t len, const char *name)
{
	return len == strlen(name) && memcmp(path, name, len) == 0;
}

static uint32_t dev_handle_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
				struct kosh_fsrv_file *f)
{
	uint64_t node = is(path, len, "/")	    ? DIR_NODE
			: is(path, len, "/pci")	    ? PCI_NODE
			: is(path, len, "/devices") ? DEVICES_NODE
						    : 0;
	if (!node)
		return forward_open(s, path, len, flags);
	if (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC | KOSH_VFS_O_APPEND))
		return node == DIR_NODE ? KOSH_VFS_EISDIR : KOSH_VFS_EROFS;
	if ((flags & KOSH_VFS_O_DIRECTORY) && node != DIR_NODE)
		return KOSH_VFS_ENOTDIR;
	f->priv = node;
	f->type = node == DIR_NODE ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	f->seekable = node != DIR_NODE;
	return 0;
}

static void stat_of(uint64_t node, struct kosh_vfs_stat *st)
{
	*st = (struct kosh_vfs_stat){
	    .type = node == DIR_NODE ? KOSH_VFS_DIR : KOSH_VFS_FILE,
	    .mode = node == DIR_NODE ? 0555 : 0444,
	    .size = node == DIR_NODE ? 2 : render(node),
	    .ino = node == DIR_NODE   ? 1
		   : node == PCI_NODE ? 2
				      : 3,
	    .nlink = 1,
	    .blksize = KOSH_VFS_IO_MAX,
	};
}

static uint32_t dev_handle_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
				 struct kosh_vfs_stat *st)
{
	if (is(path, len, "/"))
		stat_of(DIR_NODE, st);
	else if (is(path, len, "/pci"))
		stat_of(PCI_NODE, st);
	else if (is(path, len, "/devices"))
		stat_of(DEVICES_NODE, st);
	else if (devmgr_owner(path + 1, len - 1))
		*st = (struct kosh_vfs_stat){.type = KOSH_VFS_FILE, .mode = 0666, .nlink = 1};
	else
		return KOSH_VFS_ENOENT;
	return 0;
}

static uint32_t dev_handle_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
				void *buf, uint32_t want, uint32_t *got)
{
	return kosh_fsrv_read_text(text, render(f->priv), off, buf, want, got);
}

static uint32_t dev_handle_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
				struct kosh_vfs_stat *st)
{
	stat_of(f->priv, st);
	return 0;
}

/* Cookie 0: pci, 1: devices, 2 + i: entry i of gather() when its driver runs. */
static uint32_t dev_handle_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
				   void *buf, uint32_t size, uint32_t *used, uint64_t *next,
				   int *end)
{
	uint32_t n = gather();
	uint64_t c = cookie;
	*used = 0;
	for (; c < 2 + (uint64_t)n; c++) {
		const char *name = c == 0 ? "pci" : c == 1 ? "devices" : all[c - 2]->name;
		if (c >= 2 && (!all[c - 2]->serve || !name[0]))
			continue;
		if (kosh_vfs_dirent_put(buf, size, used, 2 + c, KOSH_VFS_FILE, name,
					(uint32_t)strlen(name))) {
			*next = c;
			*end = 0;
			return *used ? 0 : KOSH_VFS_EINVAL;
		}
	}
	*next = c;
	*end = 1;
	return 0;
}

static const struct kosh_fsrv_ops dev_ops = {
    .open = dev_handle_open,
    .statp = dev_handle_statp,
    .read = dev_handle_read,
    .stat = dev_handle_stat,
    .readdir = dev_handle_readdir,
};

void devmgr_serve(void)
{
	struct kosh_fsrv_config cfg = {
	    .name = "dev",
	    .endpoint = devmgr.dev,
	    .quota = devmgr.quota,
	    .ops = &dev_ops,
	};
	struct kosh_fsrv *s;
	kosh_err_t err = kosh_fsrv_init(&s, &cfg);
	if (err == KOSH_OK)
		err = kosh_fsrv_run(s);
	kosh_printf("dev://: the server stopped: %s", kosh_strerror(err));
}
