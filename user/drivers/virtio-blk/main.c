/* SPDX-License-Identifier: MIT */
/*
 * sbin/drivers/virtio-blk: a virtio 1.x block device over PCI (virtio 1.2 §5.2),
 * served as block devices (docs/block.md): the whole disk under devinfo's
 * name ("vda") and each MBR or GPT partition ("vda1" …).
 *
 * devmgr forwards opens of dev:///vda1 to our "serve" endpoint (the file
 * protocol's OPEN): the answer is a copy of the endpoint badged for that device
 * and that client (blkstate.h), on which the block protocol then arrives. One
 * thread: the device's interrupts are bound to the endpoint, so a receive
 * gives either a request or an interrupt. A READ or WRITE takes a slot (its
 * bounce buffer in our DMA memory, its request header and status byte), its
 * reply is saved (reply_save), and it goes to the device in chunks of at most
 * a slot's buffer; the reply goes out when its last chunk completes, in
 * whatever order the device finishes them. With every slot taken a request is
 * answered EAGAIN. Clients' buffers are not DMA-able by contract, so data is
 * copied between them and the bounce buffers.
 *
 * A restarted driver has forgotten its clients: their badges still name a
 * device (the partition number is in the badge), so GET_INFO works at once and
 * READ/WRITE answer ENOBUFS until the client sends SET_BUFFER again.
 *
 * A device that breaks the virtqueue protocol stops the driver with the named
 * error (init restarts it, and the restart resets the device).
 */
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/part.h>
#include <kosh/proto/block.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/virtio_pci.h>

#include "blkstate.h"

/* §5.2.3 Feature bits. */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO	      5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

/* §5.2.4 Device configuration layout (offsets). */
#define CFG_CAPACITY 0	/* u64, in 512-byte sectors whatever blk_size is */
#define CFG_SIZE_MAX 8	/* u32 */
#define CFG_BLK_SIZE 20 /* u32 */

/* §5.2.6 Device operation. */
#define VIRTIO_BLK_T_IN	   0u
#define VIRTIO_BLK_T_OUT   1u
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_S_OK	   0u

struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_req) == 16, "virtio_blk_req");

#define QUEUE_SIZE    128u
#define CHUNK_MAX     (64u << 10)	 /* a slot's bounce buffer */
#define SLOTS_WANTED  32u
#define SYNC_TIMEOUT  5000000000ull /* a request at start-up that takes longer: the disk is dead */
#define STATUS_UNSET  0xffu

enum slot_op { OP_NONE, OP_READ, OP_WRITE, OP_FLUSH, OP_SYNC };

struct slot {
	uint32_t op;
	kosh_handle_t reply; /* saved (0 for OP_SYNC) */
	struct blk_client *client;
	uint64_t badge; /* the client's, to tell whether its entry is still it */
	struct blk_cursor cur;
	int done; /* OP_SYNC: completed */
};

static struct {
	struct virtio_pci d;
	struct virtio_pci_queue *q;
	kosh_handle_t serve, quota;
	uint64_t features;
	uint32_t sector_size; /* logical: blk_size, or 512 */
	uint64_t sectors;     /* of the disk, in sector_size units */
	uint32_t flags;	      /* KOSH_BLOCK_F_* */
	uint32_t chunk;	      /* bytes per chunk: CHUNK_MAX, or less (size_max) */
	struct blk_dev devs[BLK_DEVS_MAX];
	uint32_t dev_count;
	struct blk_clients clients;
	struct blk_slots slots;
	struct slot slot[BLK_SLOTS_MAX];
	struct virtio_dma hdr_dma;    /* headers at 16 · i, status bytes at 2048 + i */
	struct virtio_dma bounce_dma; /* chunk bytes per slot */
	uint64_t serial;
	uint64_t completed, errors;
} blk;

static struct virtio_blk_req *slot_hdr(uint32_t i)
{
	return (struct virtio_blk_req *)((uint8_t *)blk.hdr_dma.virt + 16u * i);
}
static volatile uint8_t *slot_status(uint32_t i)
{
	return (volatile uint8_t *)blk.hdr_dma.virt + 2048u + i;
}
static uint8_t *slot_bounce(uint32_t i)
{
	return (uint8_t *)blk.bounce_dma.virt + (uint64_t)blk.chunk * i;
}

static __attribute__((noreturn)) void die(const char *why, int err)
{
	kosh_printf("%s: %s: %s; stopping", blk.d.name, why,
		    err < 0 ? virtio_pci_strerror(err) : "");
	kosh_terminate(1);
}

/* Give chunk or flush i to the device. 0, or a KOSH_BLOCK_E* error (nothing in flight). */
static uint32_t submit(uint32_t i)
{
	struct slot *s = &blk.slot[i];
	struct virtio_blk_req *h = slot_hdr(i);
	uint64_t hdr_phys = blk.hdr_dma.phys + 16u * i;
	uint64_t status_phys = blk.hdr_dma.phys + 2048u + i;
	uint64_t data_phys = blk.bounce_dma.phys + (uint64_t)blk.chunk * i;
	struct virtq_buf bufs[3];
	uint32_t n_out, n_in;

	*slot_status(i) = STATUS_UNSET;
	bufs[0] = (struct virtq_buf){ hdr_phys, sizeof(*h) };
	if (s->op == OP_FLUSH) {
		*h = (struct virtio_blk_req){ VIRTIO_BLK_T_FLUSH, 0, 0 };
		bufs[1] = (struct virtq_buf){ status_phys, 1 };
		n_out = 1, n_in = 1;
	} else {
		int write = s->op == OP_WRITE;
		*h = (struct virtio_blk_req){ write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0,
					      s->cur.vsector };
		if (write)
			memcpy(slot_bounce(i), s->client->buffer + s->cur.offset, s->cur.chunk);
		bufs[1] = (struct virtq_buf){ data_phys, s->cur.chunk };
		bufs[2] = (struct virtq_buf){ status_phys, 1 };
		n_out = write ? 2 : 1;
		n_in = write ? 1 : 2;
	}
	int r = virtq_add(&blk.q->vq, bufs, n_out, n_in, (void *)(uintptr_t)(i + 1));
	if (r == VIRTQ_E_BROKEN)
		die("the queue is broken", VIRTIO_PCI_E_BROKEN);
	if (r < 0) {
		kosh_printf("%s: cannot queue a request: %s", blk.d.name, virtq_strerror(r));
		return r == VIRTQ_E_FULL ? KOSH_BLOCK_EAGAIN : KOSH_BLOCK_EIO;
	}
	virtio_pci_notify(&blk.d, blk.q);
	return 0;
}

/* Answer slot i's request with err, free the slot, let the client go if it closed. */
static void finish(uint32_t i, uint32_t err)
{
	struct slot *s = &blk.slot[i];
	if (s->reply) {
		const struct kosh_msg m = { kosh_msg_tag(err, 0, 0, 0), { 0 } };
		kosh_err_t e = kosh_reply_answer(s->reply, &m, KOSH_BLOCK_EIO);
		if (e != KOSH_OK && e != KOSH_E_PEER_CLOSED)
			kosh_printf("%s: a reply was refused (%s): answered EIO", blk.d.name,
				    kosh_strerror(e));
	}
	if (err)
		blk.errors++;
	struct blk_client *c = s->client;
	if (c && c->badge == s->badge && c->inflight) {
		c->inflight--;
		if (c->closed && !c->inflight) {
			if (c->buffer)
				(void)kosh_frame_unmap(c->buffer, c->buffer_size);
			if (c->frame)
				kosh_handle_close(c->frame);
			blk_client_remove(&blk.clients, c);
		}
	}
	*s = (struct slot){ 0 };
	blk_slot_put(&blk.slots, i);
}

/*
 * The device finished slot i's chunk (or flush), having written len bytes into
 * its writable part (virtqueue.c checked it is no more than that part).
 */
static void complete(uint32_t i, uint32_t len)
{
	struct slot *s = &blk.slot[i];
	uint8_t status = *slot_status(i);
	blk.completed++;
	/* A read that did not fill its buffer would hand over stale bytes: EIO instead. */
	if ((s->op == OP_READ || s->op == OP_SYNC) && status == VIRTIO_BLK_S_OK &&
	    len != s->cur.chunk + 1u) {
		kosh_printf("%s: the device wrote %u bytes of a %u-byte read", blk.d.name, len,
			    s->cur.chunk + 1u);
		status = STATUS_UNSET;
	}
	if (s->op == OP_SYNC) {
		s->done = status == VIRTIO_BLK_S_OK ? 1 : -1;
		return;
	}
	if (status != VIRTIO_BLK_S_OK) {
		if (blk.errors < 16) /* the first few: a failing disk would flood the log */
			kosh_printf("%s: %s at sector %llu: device status %u", blk.d.name,
				    s->op == OP_FLUSH ? "flush" : s->op == OP_WRITE ? "write" : "read",
				    (unsigned long long)s->cur.vsector, status);
		finish(i, KOSH_BLOCK_EIO);
		return;
	}
	if (s->op == OP_FLUSH) {
		finish(i, 0);
		return;
	}
	struct blk_client *c = s->client;
	if (c->badge != s->badge || c->closed) { /* nobody to give the data to */
		finish(i, KOSH_BLOCK_EIO);
		return;
	}
	if (s->op == OP_READ)
		memcpy(c->buffer + s->cur.offset, slot_bounce(i), s->cur.chunk);
	blk_cursor_advance(&s->cur);
	if (!blk_cursor_next(&s->cur, blk.chunk)) {
		finish(i, 0);
		return;
	}
	uint32_t err = submit(i);
	if (err)
		finish(i, err);
}

/* Take every used chain; a device that breaks the protocol stops us. */
static void drain(void)
{
	for (;;) {
		void *token;
		uint32_t len;
		int r;
		while ((r = virtq_get_used(&blk.q->vq, &token, &len)) == 1) {
			uintptr_t t = (uintptr_t)token;
			if (t == 0 || t > blk.slots.count || !blk.slots.busy[t - 1])
				die("a completion for no request", VIRTIO_PCI_E_BROKEN);
			complete((uint32_t)(t - 1), len);
		}
		if (r < 0) {
			virtio_pci_report_broken(&blk.d, blk.q, r);
			die("the device broke the virtqueue protocol", VIRTIO_PCI_E_BROKEN);
		}
		r = virtq_enable_interrupts(&blk.q->vq);
		if (r < 0)
			die("the queue is broken", VIRTIO_PCI_E_BROKEN);
		if (r == 0)
			return;
	}
}

/* Start-up: read one sector into the caller's buffer, synchronously. 0 or -1. */
static int sync_read(void *ctx, uint64_t lba, void *buf)
{
	(void)ctx;
	int i = blk_slot_get(&blk.slots);
	if (i < 0 || lba >= blk.sectors)
		return -1;
	struct slot *s = &blk.slot[i];
	*s = (struct slot){ .op = OP_SYNC };
	blk_cursor_start(&s->cur, &blk.devs[0], blk.sector_size, lba, 1, 0);
	blk_cursor_next(&s->cur, blk.chunk);
	s->op = OP_READ; /* as a read for submit */
	uint32_t err = submit((uint32_t)i);
	s->op = OP_SYNC;
	uint64_t start = (uint64_t)kosh_clock_get();
	while (!err && !s->done && (uint64_t)kosh_clock_get() - start < SYNC_TIMEOUT) {
		uint64_t events;
		int r = virtio_pci_wait(&blk.d, 10000000, &events);
		if (r == VIRTIO_PCI_E_NEEDS_RESET)
			die("the device needs a reset", r);
		drain();
	}
	int ok = !err && s->done == 1;
	if (ok)
		memcpy(buf, slot_bounce((uint32_t)i), blk.sector_size);
	else if (!s->done && !err)
		die("a read at start-up did not complete", VIRTIO_PCI_E_TIMED_OUT);
	*s = (struct slot){ 0 };
	blk_slot_put(&blk.slots, (uint32_t)i);
	return ok ? 0 : -1;
}

/* The disk's geometry from the device configuration. */
static int read_geometry(void)
{
	uint64_t capacity;
	if (virtio_pci_config_read(&blk.d, CFG_CAPACITY, &capacity, 8))
		return -1;
	blk.sector_size = 512;
	if (blk.features & VIRTIO_FEATURE(VIRTIO_BLK_F_BLK_SIZE)) {
		uint32_t bs;
		if (virtio_pci_config_read(&blk.d, CFG_BLK_SIZE, &bs, 4))
			return -1;
		if (bs < KOSH_BLOCK_SECTOR_MIN || bs > KOSH_BLOCK_SECTOR_MAX || (bs & (bs - 1)))
			kosh_printf("%s: block size %u is not a power of two in 512 .. 4096: using "
				    "512",
				    blk.d.name, bs);
		else
			blk.sector_size = bs;
	}
	blk.chunk = CHUNK_MAX;
	if (blk.features & VIRTIO_FEATURE(VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t sm;
		if (virtio_pci_config_read(&blk.d, CFG_SIZE_MAX, &sm, 4))
			return -1;
		sm &= ~(blk.sector_size - 1); /* whole sectors */
		if (sm < blk.sector_size) {
			kosh_printf("%s: size_max %u is below a sector", blk.d.name, sm);
			return -1;
		}
		if (sm < blk.chunk)
			blk.chunk = sm;
	}
	blk.sectors = capacity / (blk.sector_size / 512u);
	if (blk.sectors > UINT64_MAX / blk.sector_size) { /* a byte size must fit 64 bits */
		kosh_printf("%s: capacity %llu is too large: using the first 2^64 bytes", blk.d.name,
			    (unsigned long long)capacity);
		blk.sectors = UINT64_MAX / blk.sector_size;
	}
	if (!blk.sectors) {
		kosh_printf("%s: the disk is empty", blk.d.name);
		return -1;
	}
	if (blk.features & VIRTIO_FEATURE(VIRTIO_BLK_F_RO))
		blk.flags |= KOSH_BLOCK_F_READ_ONLY;
	return 0;
}

/* Headers and bounce buffers: as many slots as memory allows, 4 at least. */
static int alloc_slots(void)
{
	if (virtio_dma_alloc(KOSH_PAGE_SIZE, &blk.hdr_dma))
		return -1;
	for (uint32_t n = SLOTS_WANTED; n >= 4; n /= 2)
		if (!virtio_dma_alloc((uint64_t)n * blk.chunk, &blk.bounce_dma)) {
			blk_slots_init(&blk.slots, n);
			return 0;
		}
	return -1;
}

/* Read the partition table and build the devices. */
static void find_partitions(void)
{
	static struct kosh_part_table table;
	const struct kosh_part_disk disk = { blk.sector_size, blk.sectors, sync_read, NULL };
	enum kosh_part_err e = kosh_part_read(&disk, &table);
	if (e != KOSH_PART_OK && e != KOSH_PART_E_NO_TABLE)
		kosh_printf("%s: partition table: %s", blk.d.name, kosh_part_strerror(e));
	for (uint32_t i = 0; i < table.skipped_count && i < KOSH_PART_SKIPPED_MAX; i++)
		kosh_printf("%s: partition %u left out: %s", blk.d.name, table.skipped[i].index,
			    kosh_part_skip_text(table.skipped[i].reason));
	blk.dev_count = blk_devs_build(blk.d.name, blk.sectors, e == KOSH_PART_OK ? &table : NULL,
				       blk.devs, BLK_DEVS_MAX);
	for (uint32_t i = 1; i < blk.dev_count; i++)
		kosh_printf("%s: %s: sectors %llu .. %llu", blk.d.name, blk.devs[i].name,
			    (unsigned long long)blk.devs[i].first,
			    (unsigned long long)(blk.devs[i].first + blk.devs[i].sectors - 1));
}

/* The block protocol on device dev_i for the client with this badge. */
static int block_request(const struct kosh_msg *m, uint64_t badge, uint32_t dev_i,
			 struct kosh_msg *reply)
{
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	struct blk_client *c = blk_client_find(&blk.clients, badge);
	const struct blk_dev *dev = &blk.devs[dev_i];
	struct kosh_block_limits lim = { blk.sector_size, blk.flags, dev->sectors,
					 c ? c->buffer_size : 0 };
	struct kosh_block_request req;
	uint32_t caps = KOSH_MSG_CAPS(m->tag) <= KOSH_MSG_CAPS_MAX ? KOSH_MSG_CAPS(m->tag) : 0;
	kosh_handle_t frame = caps ? ipc->caps[0] : 0;
	uint32_t err = kosh_block_decode(m->tag, m->words, &lim, &req);
	for (uint32_t i = err == 0 && req.op == KOSH_BLOCK_SET_BUFFER ? 1 : 0; i < caps; i++)
		kosh_handle_close(ipc->caps[i]); /* none but SET_BUFFER's frame are taken */
	*reply = (struct kosh_msg){ kosh_msg_tag(err, 0, 0, 0), { 0 } };
	if (err)
		return KOSH_SERVE_REPLY;
	switch (req.op) {
	case KOSH_BLOCK_GET_INFO:
		reply->tag = kosh_msg_tag(0, 3, 0, 0);
		reply->words[0] = blk.sector_size;
		reply->words[1] = dev->sectors;
		reply->words[2] = blk.flags;
		return KOSH_SERVE_REPLY;
	case KOSH_BLOCK_SET_BUFFER: {
		kosh_err_t e;
		void *va = kosh_frame_map(frame, 0, req.bytes, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &e);
		if (!va) {
			kosh_handle_close(frame);
			reply->tag = kosh_msg_tag(KOSH_BLOCK_ENOMEM, 0, 0, 0);
			return KOSH_SERVE_REPLY;
		}
		if (c && (c->inflight || c->closed)) {
			/* Its requests still use the old buffer: once they are answered. */
			(void)kosh_frame_unmap(va, req.bytes);
			kosh_handle_close(frame);
			reply->tag = kosh_msg_tag(KOSH_BLOCK_EAGAIN, 0, 0, 0);
			return KOSH_SERVE_REPLY;
		}
		if (c) {
			/* A new buffer for the same handle: a client restarted on it. */
			(void)kosh_frame_unmap(c->buffer, c->buffer_size);
			kosh_handle_close(c->frame);
			c->buffer = va;
			c->buffer_size = req.bytes;
			c->frame = frame;
			return KOSH_SERVE_REPLY;
		}
		struct blk_client old;
		int evicted;
		c = blk_client_add(&blk.clients, badge, dev_i, &old, &evicted);
		if (!c) {
			(void)kosh_frame_unmap(va, req.bytes);
			kosh_handle_close(frame);
			reply->tag = kosh_msg_tag(KOSH_BLOCK_EAGAIN, 0, 0, 0);
			return KOSH_SERVE_REPLY;
		}
		if (evicted) { /* it will get ENOBUFS and give its buffer again */
			(void)kosh_frame_unmap(old.buffer, old.buffer_size);
			kosh_handle_close(old.frame);
		}
		c->buffer = va;
		c->buffer_size = req.bytes;
		c->frame = frame;
		return KOSH_SERVE_REPLY;
	}
	case KOSH_BLOCK_FLUSH:
		if (!(blk.features & VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH)) ||
		    (blk.flags & KOSH_BLOCK_F_READ_ONLY))
			return KOSH_SERVE_REPLY; /* write-through, or nothing written */
		break;
	default:
		break;
	}
	/* READ, WRITE, FLUSH: a slot, a saved reply, and the device. */
	int i = blk_slot_get(&blk.slots);
	if (i < 0) {
		reply->tag = kosh_msg_tag(KOSH_BLOCK_EAGAIN, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	struct slot *s = &blk.slot[i];
	*s = (struct slot){ 0 };
	int64_t r = kosh_reply_save(blk.quota);
	if (r < 0) {
		blk_slot_put(&blk.slots, (uint32_t)i);
		reply->tag = kosh_msg_tag(KOSH_BLOCK_EAGAIN, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	s->reply = (kosh_handle_t)r;
	if (req.op == KOSH_BLOCK_FLUSH) {
		s->op = OP_FLUSH;
	} else {
		s->op = req.op == KOSH_BLOCK_READ ? OP_READ : OP_WRITE;
		s->client = c;
		s->badge = badge;
		c->inflight++;
		blk_cursor_start(&s->cur, dev, blk.sector_size, req.sector, req.count, req.offset);
		blk_cursor_next(&s->cur, blk.chunk);
	}
	err = submit((uint32_t)i);
	if (err)
		finish((uint32_t)i, err);
	return KOSH_SERVE_NO_REPLY;
}

/* A device's stat. */
static void dev_stat(const struct blk_dev *dev, struct kosh_vfs_stat *st)
{
	*st = (struct kosh_vfs_stat){ 0 };
	st->type = KOSH_VFS_DEV;
	st->mode = blk.flags & KOSH_BLOCK_F_READ_ONLY ? 0444 : 0644;
	st->size = dev->sectors * blk.sector_size;
	st->ino = dev->index + 1;
	st->nlink = 1;
	st->blksize = blk.sector_size;
}

/* Reply with a stat as data. */
static int reply_stat(const struct blk_dev *dev, struct kosh_msg *reply)
{
	struct kosh_vfs_stat st;
	dev_stat(dev, &st);
	memcpy(&kosh_self()->ipc_buffer->words[4], &st, sizeof(st));
	reply->tag = kosh_msg_tag(0, 4 + sizeof(st) / 8, 0, 0);
	return KOSH_SERVE_REPLY;
}

/* OPEN: a badged copy of our endpoint for the device, sent through a saved reply. */
static int open_dev(const struct kosh_vfs_request *req, struct kosh_msg *reply)
{
	int i = blk_dev_find(blk.devs, blk.dev_count, req->path, req->path_len);
	uint32_t flags = (uint32_t)req->arg[0];
	uint32_t err = i < 0 ? KOSH_VFS_ENOENT
		       : flags & KOSH_VFS_O_DIRECTORY ? KOSH_VFS_ENOTDIR
		       : (flags & (KOSH_VFS_O_CREATE | KOSH_VFS_O_EXCL)) == (KOSH_VFS_O_CREATE | KOSH_VFS_O_EXCL)
			   ? KOSH_VFS_EEXIST
		       : flags & KOSH_VFS_O_TRUNC ? KOSH_VFS_EINVAL
		       : (flags & KOSH_VFS_O_WRITE) && (blk.flags & KOSH_BLOCK_F_READ_ONLY)
			   ? KOSH_VFS_EROFS
			   : 0;
	*reply = (struct kosh_msg){ kosh_msg_tag(err, 0, 0, 0), { 0 } };
	if (err)
		return KOSH_SERVE_REPLY;
	uint64_t now = (uint64_t)kosh_clock_get() >> 4;
	blk.serial = now > blk.serial ? now : blk.serial + 1;
	uint64_t badge = blk_badge_make(blk.devs[i].index, blk.serial);
	int64_t h = kosh_handle_dup(blk.serve,
				    KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE,
				    badge);
	if (h < 0) {
		kosh_printf("%s: cannot make a handle: %s", blk.d.name,
			    kosh_strerror((kosh_err_t)h));
		reply->tag = kosh_msg_tag(KOSH_VFS_ENFILE, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	int64_t saved = kosh_reply_save(blk.quota);
	struct kosh_msg m = { kosh_msg_tag(0, 4, 1, 1),
			      { KOSH_VFS_DEV, blk.devs[i].sectors * blk.sector_size } };
	kosh_self()->ipc_buffer->caps[0] = (kosh_handle_t)h;
	if (saved < 0) {
		*reply = m; /* the ordinary way: if the caller is gone the handle stays ours */
		return KOSH_SERVE_REPLY;
	}
	if (kosh_reply_answer((kosh_handle_t)saved, &m, KOSH_VFS_EIO) != KOSH_OK)
		kosh_handle_close((kosh_handle_t)h);
	return KOSH_SERVE_NO_REPLY;
}

/* The file protocol: OPEN and STATP on the root, STAT, SYNC and CLOSE on a device. */
static int file_request(const struct kosh_msg *m, uint64_t badge, int dev_i,
			struct kosh_msg *reply)
{
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	struct kosh_vfs_request req;
	uint32_t caps = KOSH_MSG_CAPS(m->tag) <= KOSH_MSG_CAPS_MAX ? KOSH_MSG_CAPS(m->tag) : 0;
	for (uint32_t i = 0; i < caps; i++)
		kosh_handle_close(ipc->caps[i]); /* no operation here takes one */
	uint32_t err = kosh_vfs_decode(m->tag, m->words, &ipc->words[4], &req);
	*reply = (struct kosh_msg){ kosh_msg_tag(err, 0, 0, 0), { 0 } };
	if (err)
		return KOSH_SERVE_REPLY;
	if (dev_i < 0) { /* the root: devmgr (or vfsd) */
		switch (req.op) {
		case KOSH_VFS_OPEN:
			return open_dev(&req, reply);
		case KOSH_VFS_STATP: {
			int i = blk_dev_find(blk.devs, blk.dev_count, req.path, req.path_len);
			if (i < 0) {
				reply->tag = kosh_msg_tag(KOSH_VFS_ENOENT, 0, 0, 0);
				return KOSH_SERVE_REPLY;
			}
			return reply_stat(&blk.devs[i], reply);
		}
		default:
			reply->tag = kosh_msg_tag(req.op >= KOSH_VFS_READ ? KOSH_VFS_EBADF
									  : KOSH_VFS_ENOSYS,
						  0, 0, 0);
			return KOSH_SERVE_REPLY;
		}
	}
	switch (req.op) {
	case KOSH_VFS_STAT:
		return reply_stat(&blk.devs[dev_i], reply);
	case KOSH_VFS_CLOSE: {
		struct blk_client *c = blk_client_find(&blk.clients, badge);
		if (c && c->inflight) {
			c->closed = 1; /* the last completion lets it go */
		} else if (c) {
			(void)kosh_frame_unmap(c->buffer, c->buffer_size);
			kosh_handle_close(c->frame);
			blk_client_remove(&blk.clients, c);
		}
		return KOSH_SERVE_REPLY;
	}
	default:
		reply->tag = kosh_msg_tag(KOSH_VFS_ENOSYS, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
}

static int on_message(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *reply)
{
	(void)ctx;
	uint32_t index;
	int dev_i = -1;
	int ours = blk_badge_index(badge, &index);
	if (ours)
		dev_i = blk_dev_by_index(blk.devs, blk.dev_count, index);
	uint32_t label = KOSH_MSG_LABEL(m->tag);
	if (label >= KOSH_BLOCK_GET_INFO && label < KOSH_BLOCK_GET_INFO + 64) {
		if (dev_i < 0) {
			uint32_t caps = KOSH_MSG_CAPS(m->tag);
			for (uint32_t i = 0; i < caps && i < KOSH_MSG_CAPS_MAX; i++)
				kosh_handle_close(kosh_self()->ipc_buffer->caps[i]);
			/* A partition a new table no longer lists, or not a device at all. */
			*reply = (struct kosh_msg){ kosh_msg_tag(KOSH_BLOCK_ENODEV, 0, 0, 0), { 0 } };
			return KOSH_SERVE_REPLY;
		}
		return block_request(m, badge, (uint32_t)dev_i, reply);
	}
	if (ours && dev_i < 0) {
		*reply = (struct kosh_msg){ kosh_msg_tag(KOSH_VFS_EBADF, 0, 0, 0), { 0 } };
		return KOSH_SERVE_REPLY;
	}
	return file_request(m, badge, dev_i, reply);
}

static void on_irq(void *ctx, uint64_t bits)
{
	(void)ctx;
	if (virtio_pci_events(&blk.d, bits) & VIRTIO_PCI_EVENT_QUEUE(0))
		drain();
	if (virtio_pci_needs_reset(&blk.d))
		die("the device needs a reset", VIRTIO_PCI_E_NEEDS_RESET);
}

/* The device has used chains we have not taken (a peek: drain checks them). */
static int used_pending(void)
{
	const struct virtq *vq = &blk.q->vq;
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) != vq->last_used;
}

/*
 * Polling (no interrupt): look at the queue after each message (and at each
 * timeout of the loop, serve()).
 *
 * With interrupts, after a message that left exactly one request in flight (a
 * client reading or writing one request at a time), watch the used ring for up
 * to SPIN_NS before going back to receive (hybrid polling, as Linux's block
 * layer does for fast devices): a device that answers within microseconds is
 * answered without an interrupt and without this CPU going idle, which also
 * keeps QEMU's -icount clock from jumping to the next timer while the CPU waits
 * (docs/block.md, "Throughput"). With more in flight the device is busy and
 * other clients may be waiting to be received: the interrupt does. A slow
 * device (SPIN_MISSES spins in a row that saw nothing) is not spun for during
 * the next SPIN_PAUSE requests, then tried again.
 */
#define SPIN_NS	    1000000u
#define SPIN_MISSES 8u
#define SPIN_PAUSE  256u
static struct {
	uint32_t misses, pause;
} spin;

static void on_poll(void *ctx)
{
	(void)ctx;
	if (!blk.slots.used)
		return;
	if (blk.d.irq_kind == KOSH_DEV_IRQ_NONE) {
		drain();
		return;
	}
	if (blk.slots.used != 1)
		return;
	if (spin.pause) {
		spin.pause--;
		return;
	}
	uint64_t end = (uint64_t)kosh_clock_get() + SPIN_NS;
	while (!used_pending() && (uint64_t)kosh_clock_get() < end)
		; /* clock_get is a system call: the loop does not hammer the ring */
	if (!used_pending()) {
		if (++spin.misses >= SPIN_MISSES) {
			spin.misses = 0;
			spin.pause = SPIN_PAUSE;
		}
		return;
	}
	spin.misses = 0;
	drain();
}

/*
 * The server loop (as <kosh/server.h>'s, with a timeout that depends on the
 * state): receive requests and interrupts; while requests are in flight, wake
 * after INFLIGHT_POLL_NS at the latest and look at the ring. That bounds what a
 * lost interrupt could cost, and under QEMU's -icount (sleep=off) it bounds
 * how far the guest clock jumps while the CPU idles waiting for the device.
 * Without an interrupt it polls every VIRTIO_PCI_POLL_NS.
 */
#define INFLIGHT_POLL_NS 1000000u
static void serve(void)
{
	struct kosh_msg m, reply;
	uint64_t badge;
	int owe = 0;
	for (;;) {
		uint64_t timeout = blk.d.irq_kind == KOSH_DEV_IRQ_NONE ? VIRTIO_PCI_POLL_NS
				   : blk.slots.used				 ? INFLIGHT_POLL_NS
									 : KOSH_TIMEOUT_NEVER;
		kosh_err_t err = owe ? kosh_reply_recv(blk.serve, &reply, &m, &badge, timeout)
				     : kosh_recv(blk.serve, &m, &badge, timeout);
		int replied = owe;
		owe = 0;
		if (err == KOSH_E_TIMED_OUT) {
			if (blk.slots.used)
				drain();
			continue;
		}
		/* Interrupted, or the reply went wrong (the caller gone): receive again. */
		if (err == KOSH_E_INTERRUPTED || (err && replied))
			continue;
		if (err) {
			kosh_printf("%s: receive failed: %s; stopping", blk.d.name, kosh_strerror(err));
			return;
		}
		uint32_t label = KOSH_MSG_LABEL(m.tag);
		if (label == KOSH_LABEL_NOTIFY)
			on_irq(NULL, m.words[0]);
		else if (label < KOSH_LABEL_KERNEL)
			owe = on_message(NULL, &m, badge, &reply) == KOSH_SERVE_REPLY;
		on_poll(NULL);
	}
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		kosh_printf("usage: virtio-blk (the device comes from the start handles)");
		return 2;
	}
	blk.quota = kosh_self()->quota;
	blk.serve = kosh_start_handle("serve", NULL);
	if (!blk.serve || !blk.quota) {
		kosh_printf("virtio-blk: missing start handles (serve, quota)");
		return 2;
	}
	int r = virtio_pci_open(&blk.d, VIRTIO_ID_BLOCK);
	if (r)
		return 3;
	uint64_t want = VIRTIO_FEATURE(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_FEATURE(VIRTIO_BLK_F_SEG_MAX) |
			VIRTIO_FEATURE(VIRTIO_BLK_F_RO) | VIRTIO_FEATURE(VIRTIO_BLK_F_BLK_SIZE) |
			VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH) | VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX);
	if ((r = virtio_pci_negotiate(&blk.d, want, &blk.features)))
		return 3;
	if (read_geometry())
		return 3;
	if ((r = virtio_pci_queue_setup(&blk.d, 0, QUEUE_SIZE, &blk.q)))
		return 3;
	if (alloc_slots()) {
		kosh_printf("%s: no memory for request buffers", blk.d.name);
		return 4;
	}
	/* Three descriptors per request: every slot always finds room. */
	if (blk.slots.count * 3 > blk.q->size)
		blk_slots_init(&blk.slots, blk.q->size / 3 ? blk.q->size / 3 : 1);
	if ((r = virtio_pci_ready(&blk.d)))
		return 3;
	if (virtq_enable_interrupts(&blk.q->vq) < 0)
		return 3;
	/* The disk alone first, so the table can be read through the same paths. */
	blk.dev_count = blk_devs_build(blk.d.name, blk.sectors, NULL, blk.devs, BLK_DEVS_MAX);
	if (!blk.dev_count) {
		kosh_printf("%s: bad device name", blk.d.name);
		return 3;
	}
	find_partitions();
	kosh_handle_t irqs = virtio_pci_notification(&blk.d);
	if (irqs) {
		kosh_err_t e = (kosh_err_t)kosh_notification_bind(irqs, blk.serve);
		if (e && e != KOSH_E_ALREADY_EXISTS) {
			kosh_printf("%s: cannot bind the interrupts: %s", blk.d.name,
				    kosh_strerror(e));
			return 4;
		}
	}
	kosh_printf("%s: %llu sectors of %u bytes%s%s, %u partitions, %u requests in flight, %s",
		    blk.d.name, (unsigned long long)blk.sectors, blk.sector_size,
		    blk.flags & KOSH_BLOCK_F_READ_ONLY ? ", read-only" : "",
		    blk.features & VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH) ? ", write cache" : "",
		    blk.dev_count - 1, blk.slots.count,
		    blk.d.irq_kind == KOSH_DEV_IRQ_MSIX   ? "MSI-X"
		    : blk.d.irq_kind == KOSH_DEV_IRQ_INTX ? "INTx"
							  : "polling");
	serve();
	return 1;
}
