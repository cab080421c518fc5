/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng: random bytes as rng:// (docs/virtio.md, "virtio-rng"), with the
 * file-server library. devmgr starts it for each virtio entropy device
 * (devinfo names it, "rng0") and once without a device (devinfo's bus
 * KOSH_DEV_BUS_NONE) when there is none; then (and if the device will not
 * start) the CPU is the source (RDRAND on x86-64, cpu_random.h), and where
 * the CPU has none every read answers ENODEV, the reason logged once at start.
 *
 * Files: every path is the same endless stream of random bytes, read-only and
 * not seekable: rng:/// as vfsd routes the scheme, and /rng0 as devmgr
 * forwards an OPEN of dev:///rng0. A READ returns what was asked for (up to
 * KOSH_VFS_IO_MAX bytes). Bytes come from the device's single queue: a 4 KiB
 * DMA buffer is given to the device, which fills some of it; the bytes are
 * handed out once and never again. The device is waited for at most
 * DEVICE_TIMEOUT_NS per READ (then EIO, the buffer staying with the device
 * until it completes: it is never reused while the device may write it).
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fileserver.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/proto/dev.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/virtio_pci.h>

#include "cpu_random.h"

#define BUFFER_SIZE	  4096u
#define DEVICE_TIMEOUT_NS 3000000000ull
#define QUEUE_SIZE	  8u

enum source { SOURCE_NONE, SOURCE_DEVICE, SOURCE_CPU };

static struct {
	enum source source;
	const char *name; /* "rng0", or "cpu" */
	struct virtio_pci dev;
	struct virtio_pci_queue *q;
	struct virtio_dma buf;
	uint32_t have, used; /* bytes the device gave in buf, and those handed out */
	int in_flight;	     /* buf is the device's */
	int failed;	     /* the device broke the protocol: EIO from now on */
} rng;

/* ---- the device ---- */

static int device_start(void)
{
	struct virtio_pci *d = &rng.dev;
	int err = virtio_pci_open(d, VIRTIO_ID_RNG);
	if (!err)
		err = virtio_pci_negotiate(d, 0, NULL);
	if (!err)
		err = virtio_pci_queue_setup(d, 0, QUEUE_SIZE, &rng.q);
	if (!err)
		err = virtio_dma_alloc(BUFFER_SIZE, &rng.buf);
	if (!err)
		err = virtio_pci_ready(d);
	if (err) {
		kosh_printf("%s: cannot start the entropy device: %s", d->name[0] ? d->name : "rng",
			    virtio_pci_strerror(err));
		return -1;
	}
	rng.name = d->name;
	return 0;
}

/* Give buf to the device. */
static int device_request(void)
{
	struct virtq_buf b = {rng.buf.phys, BUFFER_SIZE};
	int head = virtq_add(&rng.q->vq, &b, 0, 1, &rng.buf);
	if (head < 0) {
		kosh_printf("%s: cannot queue a request: %s", rng.name, virtq_strerror(head));
		return -1;
	}
	rng.in_flight = 1;
	virtio_pci_notify(&rng.dev, rng.q);
	return 0;
}

/* Wait until the device has filled buf (up to the timeout). 0, or a KOSH_VFS_E* error. */
static uint32_t device_collect(void)
{
	uint64_t end = (uint64_t)kosh_clock_get() + DEVICE_TIMEOUT_NS;
	for (;;) {
		void *token;
		uint32_t len;
		int r = virtq_get_used(&rng.q->vq, &token, &len);
		if (r < 0) {
			virtio_pci_report_broken(&rng.dev, rng.q, r);
			rng.failed = 1;
			return KOSH_VFS_EIO;
		}
		if (r == 1) {
			rng.in_flight = 0;
			rng.have = len;
			rng.used = 0;
			if (!len)
				kosh_printf("%s: the device gave 0 bytes", rng.name);
			return 0;
		}
		uint64_t now = (uint64_t)kosh_clock_get(), events;
		if (now >= end) {
			kosh_printf("%s: no bytes from the device within %llu ms", rng.name,
				    (unsigned long long)(DEVICE_TIMEOUT_NS / 1000000));
			return KOSH_VFS_EIO;
		}
		if (virtq_enable_interrupts(&rng.q->vq) == 0) {
			int w = virtio_pci_wait(&rng.dev, end - now, &events);
			if (w == VIRTIO_PCI_E_NEEDS_RESET) {
				kosh_printf(
				    "%s: the device needs a reset: exiting (init restarts us)",
				    rng.name);
				kosh_terminate(3);
			}
		}
	}
}

/* len bytes from the device into out. 0, or a KOSH_VFS_E* error. */
static uint32_t device_fill(uint8_t *out, uint32_t len)
{
	while (len) {
		if (rng.failed)
			return KOSH_VFS_EIO;
		if (rng.used == rng.have) {
			if (!rng.in_flight && device_request())
				return KOSH_VFS_EIO;
			uint32_t err = device_collect();
			if (err)
				return err;
			continue;
		}
		uint32_t n = rng.have - rng.used;
		if (n > len)
			n = len;
		memcpy(out, (uint8_t *)rng.buf.virt + rng.used, n);
		/* Handed out once: wipe our copy. */
		memset((uint8_t *)rng.buf.virt + rng.used, 0, n);
		rng.used += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* ---- rng:// ---- */

static uint32_t rng_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			 struct kosh_fsrv_file *f)
{
	(void)s, (void)path, (void)len;
	if (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_TRUNC | KOSH_VFS_O_APPEND | KOSH_VFS_O_CREATE))
		return KOSH_VFS_EACCES;
	if (flags & KOSH_VFS_O_DIRECTORY)
		return KOSH_VFS_ENOTDIR;
	f->type = KOSH_VFS_DEV;
	f->seekable = 0;
	return 0;
}

static void fill_stat(struct kosh_vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->type = KOSH_VFS_DEV;
	st->mode = 0444;
	st->ino = 1;
	st->nlink = 1;
	st->blksize = KOSH_VFS_IO_MAX;
}

static uint32_t rng_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			  struct kosh_vfs_stat *st)
{
	(void)s, (void)path, (void)len;
	fill_stat(st);
	return 0;
}

static uint32_t rng_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	(void)s, (void)f;
	fill_stat(st);
	return 0;
}

static uint32_t rng_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			 uint32_t want, uint32_t *got)
{
	(void)s, (void)f, (void)off;
	*got = 0;
	if (want > KOSH_VFS_IO_MAX)
		want = KOSH_VFS_IO_MAX;
	uint32_t err = 0;
	switch (rng.source) {
	case SOURCE_DEVICE:
		err = device_fill(buf, want);
		break;
	case SOURCE_CPU:
		if (cpu_random_fill(buf, want)) {
			kosh_printf("the CPU's random instruction keeps failing");
			err = KOSH_VFS_EIO;
		}
		break;
	default:
		err = KOSH_VFS_ENODEV;
	}
	if (!err)
		*got = want;
	return err;
}

static uint32_t rng_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			  const void *buf, uint32_t len, uint32_t *taken)
{
	(void)s, (void)f, (void)off, (void)buf, (void)len, (void)taken;
	return KOSH_VFS_EBADF; /* opened read-only, always */
}

static uint32_t rng_refuse_path(struct kosh_fsrv *s, const char *path, uint32_t len)
{
	(void)s, (void)path, (void)len;
	return KOSH_VFS_EACCES;
}

static uint32_t rng_unlink(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags)
{
	(void)flags;
	return rng_refuse_path(s, path, len);
}

static uint32_t rng_rename(struct kosh_fsrv *s, const char *from, uint32_t from_len, const char *to,
			   uint32_t to_len)
{
	(void)to, (void)to_len;
	return rng_refuse_path(s, from, from_len);
}

static const struct kosh_fsrv_ops rng_ops = {
    .open = rng_open,
    .statp = rng_statp,
    .mkdir = rng_refuse_path,
    .unlink = rng_unlink,
    .rename = rng_rename,
    .read = rng_read,
    .write = rng_write,
    .stat = rng_stat,
};

/* ---- start ---- */

/* Whether devinfo names a device (a PCI function) or none (bus NONE, or no devinfo at all). */
static int have_device(void)
{
	uint64_t size = 0;
	kosh_handle_t h = kosh_start_handle("devinfo", &size);
	if (!h)
		return 0;
	kosh_err_t err;
	const struct kosh_dev_info *info =
	    kosh_frame_map(h, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
	if (!info) {
		kosh_printf("cannot map devinfo: %s", kosh_strerror(err));
		return 0;
	}
	uint32_t bus = info->bus;
	int valid = info->magic == KOSH_DEV_INFO_MAGIC && info->version == KOSH_DEV_INFO_VERSION;
	(void)kosh_frame_unmap((void *)info, KOSH_PAGE_SIZE);
	if (!valid) {
		kosh_printf("devinfo: bad magic or version");
		return 0;
	}
	return bus != KOSH_DEV_BUS_NONE;
}

/* The device devinfo names; else (none, or one that would not start) the CPU; else nothing. */
static void choose_source(void)
{
	const char *why = "";
	int device = have_device();
	if (device && device_start() == 0) {
		rng.source = SOURCE_DEVICE;
		kosh_printf("%s: serving the virtio entropy device", rng.name);
		return;
	}
	if (cpu_random_probe(&why) == 0) {
		rng.source = SOURCE_CPU;
		rng.name = "cpu";
		kosh_printf("%s: serving the CPU's random numbers (RDRAND)",
			    device ? "the entropy device did not start" : "no entropy device");
		return;
	}
	rng.source = SOURCE_NONE;
	kosh_printf("%s, and %s: reads answer ENODEV",
		    device ? "the entropy device did not start" : "no entropy device", why);
}

int main(int argc, char **argv)
{
	struct kosh_fsrv *srv;
	(void)argv;
	if (argc > 1) {
		kosh_printf("usage: virtio-rng (the device comes from the start handles)");
		return 2;
	}
	/* devmgr names the endpoint "serve"; a hand-written etc/services entry may say "rng". */
	kosh_handle_t ep = kosh_start_handle("serve", NULL);
	if (!ep)
		ep = kosh_start_handle("rng", NULL);
	if (!ep) {
		kosh_printf("no endpoint given (\"serve\" or \"rng\")");
		return 1;
	}
	choose_source();
	struct kosh_fsrv_config cfg = {
	    .name = "virtio-rng",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &rng_ops,
	};
	kosh_err_t err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK) {
		kosh_printf("cannot serve: %s", kosh_strerror(err));
		return 1;
	}
	return kosh_fsrv_run(srv) == KOSH_OK ? 0 : 1;
}
