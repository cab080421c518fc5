/* SPDX-License-Identifier: MIT */
/*
 * virtio-net: raw Ethernet frames between a virtio network device and one
 * client through the shared rings of <kosh/proto/net.h> (docs/virtio.md,
 * "virtio-net"). devmgr starts it per device (devinfo names it, "net0") and
 * forwards OPENs of dev:///net0 to its "serve" endpoint.
 *
 * One thread serves the endpoint, with the device's interrupts (devinfo's
 * irqs) bound to it, as every virtio driver has them. The client's kicks
 * (KOSH_NET_KICK) come on a notification of our own ("kick"): a notification
 * binds to one endpoint, and the client must not signal the device's. A
 * second thread waits on it and turns each wake-up (however many kicks it
 * gathers) into one message to our own endpoint, under a badge no file has
 * (KICK_BADGE). Everything else — the device, its queues, the rings — is
 * touched by the serving thread only. (A restarted driver binds the same irqs
 * to the same endpoint again, which the kernel answers ALREADY_EXISTS: fine;
 * its kick notification is new, and clients attach again.)
 *
 * Receive: RX_BUFFERS DMA buffers of BUFFER_SIZE bytes stay posted on queue 0;
 * a used one's frame (after the 12-byte virtio-net header) goes to the client's
 * receive ring (or is dropped and counted when there is no client or its ring
 * is full) and the buffer is posted again. Transmit: frames the client put on
 * its transmit ring are copied into free DMA buffers behind a zeroed header
 * and queued on queue 1; a completed buffer is free again. The client is not
 * trusted (netring.c checks its indices and lengths); the device is not
 * either (the virtqueue library checks its): a device that breaks the
 * protocol ends the driver with its reason logged (init restarts it).
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/proto/net.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>
#include <kosh/virtio_pci.h>

#include "netring.h"

/* §5.1.3 Feature bits, §5.1.4 the configuration, §5.1.6 the header. */
#define VIRTIO_NET_F_MAC     5
#define VIRTIO_NET_F_STATUS  16
#define VIRTIO_NET_S_LINK_UP 1u
#define NET_CFG_MAC	     0
#define NET_CFG_STATUS	     6
#define NET_HDR_SIZE	     12u /* struct virtio_net_hdr with num_buffers (VERSION_1) */

#define QUEUE_RX    0
#define QUEUE_TX    1
#define QUEUE_SIZE  64u
#define RX_BUFFERS  64u
#define TX_BUFFERS  64u
#define BUFFER_SIZE 2048u /* header + the largest frame, rounded */
#define MTU	    1500u
#define FRAME_MAX   (MTU + KOSH_NET_ETH_HEADER + 4u) /* one VLAN tag */
#define FILES_MAX   8u

#define KICK_BADGE (1ull << 63) /* our own kick thread's messages; no file's badge has bit 63 */
#define KICK_LABEL 1u

_Static_assert(NET_HDR_SIZE + FRAME_MAX <= BUFFER_SIZE, "a frame fits a buffer");

struct attachment {
	int active;
	uint64_t badge; /* the file that attached */
	void *base;	/* the ring frame, mapped */
	uint64_t size;
	kosh_handle_t frame, notify;
	struct netring rx, tx;
};

struct file {
	uint64_t badge; /* 0: a free slot */
};

static struct {
	struct virtio_pci dev;
	struct virtio_pci_queue *rxq, *txq;
	struct virtio_dma rx_mem, tx_mem;
	uint16_t tx_free[TX_BUFFERS]; /* a stack of free transmit buffers */
	uint32_t tx_free_count;
	uint8_t mac[6];
	int has_status;
	kosh_handle_t endpoint, kick, self; /* self: our endpoint, to send to, KICK_BADGE */
	struct file files[FILES_MAX];
	uint32_t generation; /* of files, 24 bits */
	uint64_t epoch;	     /* this run's: 31 bits from the clock at start */
	struct attachment att;
	uint64_t rx_frames, tx_frames, rx_dropped, tx_refused;
} net;

/* ---- the device ---- */

static __attribute__((noreturn)) void device_broken(struct virtio_pci_queue *q, int err)
{
	virtio_pci_report_broken(&net.dev, q, err);
	kosh_printf("%s: exiting: init restarts the driver", net.dev.name);
	kosh_terminate(3);
}

static void *rx_buffer(uint32_t i)
{
	return (uint8_t *)net.rx_mem.virt + (uint64_t)i * BUFFER_SIZE;
}

static void *tx_buffer(uint32_t i)
{
	return (uint8_t *)net.tx_mem.virt + (uint64_t)i * BUFFER_SIZE;
}

/* Post receive buffer i (the token is its index + 1: never NULL). */
static void rx_post(uint32_t i)
{
	struct virtq_buf b = {net.rx_mem.phys + (uint64_t)i * BUFFER_SIZE, BUFFER_SIZE};
	int head = virtq_add(&net.rxq->vq, &b, 0, 1, (void *)(uintptr_t)(i + 1));
	if (head < 0)
		device_broken(net.rxq, head);
}

static int device_start(void)
{
	struct virtio_pci *d = &net.dev;
	uint64_t agreed = 0;
	int err = virtio_pci_open(d, VIRTIO_ID_NET);
	if (!err)
		err = virtio_pci_negotiate(
		    d, VIRTIO_FEATURE(VIRTIO_NET_F_MAC) | VIRTIO_FEATURE(VIRTIO_NET_F_STATUS),
		    &agreed);
	if (!err && !(agreed & VIRTIO_FEATURE(VIRTIO_NET_F_MAC))) {
		kosh_printf("%s: the device has no MAC address (VIRTIO_NET_F_MAC)", d->name);
		return -1;
	}
	if (!err)
		err = virtio_pci_config_read(d, NET_CFG_MAC, net.mac, sizeof(net.mac));
	net.has_status = (agreed & VIRTIO_FEATURE(VIRTIO_NET_F_STATUS)) != 0;
	if (!err)
		err = virtio_pci_queue_setup(d, QUEUE_RX, QUEUE_SIZE, &net.rxq);
	if (!err)
		err = virtio_pci_queue_setup(d, QUEUE_TX, QUEUE_SIZE, &net.txq);
	if (!err)
		err = virtio_dma_alloc((uint64_t)RX_BUFFERS * BUFFER_SIZE, &net.rx_mem);
	if (!err)
		err = virtio_dma_alloc((uint64_t)TX_BUFFERS * BUFFER_SIZE, &net.tx_mem);
	if (err) {
		kosh_printf("%s: cannot start the network device: %s", d->name[0] ? d->name : "net",
			    virtio_pci_strerror(err));
		return -1;
	}
	/* A queue smaller than our buffers: post what fits. */
	uint32_t rx_count = net.rxq->size < RX_BUFFERS ? net.rxq->size : RX_BUFFERS;
	for (uint32_t i = 0; i < rx_count; i++)
		rx_post(i);
	net.tx_free_count = net.txq->size < TX_BUFFERS ? net.txq->size : TX_BUFFERS;
	for (uint32_t i = 0; i < net.tx_free_count; i++)
		net.tx_free[i] = (uint16_t)i;
	if ((err = virtio_pci_ready(d))) {
		kosh_printf("%s: DRIVER_OK: %s", d->name, virtio_pci_strerror(err));
		return -1;
	}
	virtio_pci_notify(d, net.rxq);
	return 0;
}

static int link_up(void)
{
	uint16_t status = VIRTIO_NET_S_LINK_UP;
	if (net.has_status && virtio_pci_config_read(&net.dev, NET_CFG_STATUS, &status, 2))
		return 0;
	return (status & VIRTIO_NET_S_LINK_UP) != 0;
}

/* ---- the client's rings ---- */

static void detach(const char *why)
{
	struct attachment *a = &net.att;
	if (!a->active)
		return;
	if (why)
		kosh_printf("%s: client detached: %s", net.dev.name, why);
	(void)kosh_notification_signal(a->notify, KOSH_NET_SIGNAL_DETACHED);
	(void)kosh_frame_unmap(a->base, kosh_page_round(a->size));
	kosh_handle_close(a->frame);
	kosh_handle_close(a->notify);
	*a = (struct attachment){0};
}

static void ring_broken(struct netring *r, const char *which)
{
	kosh_printf("%s: the client moved its %s index to %u (ours %u): ring dropped", net.dev.name,
		    which, r->bad_index, r->index);
	detach(NULL);
}

/* Used receive buffers to the client; each posted again. */
static void receive(void)
{
	int delivered = 0, posted = 0;
	for (;;) {
		void *token;
		uint32_t len;
		int r = virtq_get_used(&net.rxq->vq, &token, &len);
		if (r < 0)
			device_broken(net.rxq, r);
		if (r == 0)
			break;
		uint32_t i = (uint32_t)(uintptr_t)token - 1;
		uint32_t frame = len > NET_HDR_SIZE ? len - NET_HDR_SIZE : 0;
		if (frame < KOSH_NET_FRAME_MIN || frame > FRAME_MAX) {
			net.rx_dropped++; /* runt or giant: not for the client */
		} else if (net.att.active) {
			int put =
			    netring_put(&net.att.rx, (uint8_t *)rx_buffer(i) + NET_HDR_SIZE, frame);
			if (put == NETRING_E_BROKEN)
				ring_broken(&net.att.rx, "receive tail");
			if (put == 1) {
				net.rx_frames++;
				delivered = 1;
			} else {
				net.rx_dropped++;
			}
		} else {
			net.rx_dropped++;
		}
		rx_post(i);
		posted = 1;
	}
	if (posted)
		virtio_pci_notify(&net.dev, net.rxq);
	if (delivered && net.att.active)
		(void)kosh_notification_signal(net.att.notify, KOSH_NET_SIGNAL_RX);
}

/* Completed transmit buffers are free again. */
static void reap_tx(void)
{
	for (;;) {
		void *token;
		uint32_t len;
		int r = virtq_get_used(&net.txq->vq, &token, &len);
		if (r < 0)
			device_broken(net.txq, r);
		if (r == 0)
			return;
		net.tx_free[net.tx_free_count++] = (uint16_t)((uintptr_t)token - 1);
	}
}

/* Frames from the client's transmit ring into free buffers and onto queue 1. */
static void transmit(void)
{
	int taken = 0, queued = 0;
	while (net.att.active && net.tx_free_count) {
		uint32_t i = net.tx_free[net.tx_free_count - 1], len;
		uint8_t *buf = tx_buffer(i);
		int r = netring_get(&net.att.tx, buf + NET_HDR_SIZE, FRAME_MAX, &len);
		if (r == 0)
			break;
		taken = 1;
		if (r == NETRING_E_BROKEN) {
			ring_broken(&net.att.tx, "transmit head");
			break;
		}
		if (r == NETRING_E_LEN) {
			net.tx_refused++;
			continue;
		}
		memset(buf, 0, NET_HDR_SIZE); /* no checksum offload, no segmentation */
		struct virtq_buf b = {net.tx_mem.phys + (uint64_t)i * BUFFER_SIZE,
				      NET_HDR_SIZE + len};
		int head = virtq_add(&net.txq->vq, &b, 1, 0, (void *)(uintptr_t)(i + 1));
		if (head < 0)
			device_broken(net.txq, head);
		net.tx_free_count--;
		net.tx_frames++;
		queued = 1;
	}
	if (queued)
		virtio_pci_notify(&net.dev, net.txq);
	if (taken && net.att.active)
		(void)kosh_notification_signal(net.att.notify, KOSH_NET_SIGNAL_TX);
}

static void service_device(uint64_t events)
{
	if (events & VIRTIO_PCI_EVENT_QUEUE(QUEUE_RX))
		receive();
	if (events & VIRTIO_PCI_EVENT_QUEUE(QUEUE_TX))
		reap_tx();
	if (virtq_enable_interrupts(&net.rxq->vq) > 0)
		receive();
	if (virtq_enable_interrupts(&net.txq->vq) > 0)
		reap_tx();
	transmit();
}

/* ---- files and requests ---- */

static struct file *file_of(uint64_t badge)
{
	for (uint32_t i = 0; i < FILES_MAX; i++)
		if (badge && net.files[i].badge == badge)
			return &net.files[i];
	return NULL;
}

static uint32_t reply_error(struct kosh_msg *reply, uint32_t err)
{
	reply->tag = kosh_msg_tag(err, 0, 0, 0);
	return err;
}

/* OPEN of "/<our name>" (forwarded by devmgr): a badged copy of our endpoint. */
static void handle_open(const struct kosh_vfs_request *req, struct kosh_msg *reply)
{
	uint32_t n = (uint32_t)strlen(net.dev.name);
	if (req->path_len != n + 1 || memcmp(req->path + 1, net.dev.name, n) != 0) {
		reply_error(reply, KOSH_VFS_ENOENT);
		return;
	}
	if (req->arg[0] & (KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC | KOSH_VFS_O_DIRECTORY)) {
		reply_error(reply, KOSH_VFS_EINVAL);
		return;
	}
	struct file *f = NULL;
	for (uint32_t i = 0; i < FILES_MAX && !f; i++)
		if (!net.files[i].badge)
			f = &net.files[i];
	if (!f) {
		reply_error(reply, KOSH_VFS_ENFILE);
		return;
	}
	/*
	 * slot + 1 | generation << 8 | epoch << 32: a closed file's badge is not reused
	 * soon, and a restarted driver (another epoch) never takes its predecessor's
	 * files for its own. Bit 63 stays clear (KICK_BADGE).
	 */
	net.generation = (net.generation + 1) & 0xffffff;
	uint64_t badge =
	    (uint64_t)(f - net.files) + 1 | (uint64_t)net.generation << 8 | net.epoch << 32;
	int64_t h = kosh_handle_dup(
	    net.endpoint, KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE, badge);
	if (h < 0) {
		reply_error(reply, KOSH_VFS_ENOMEM);
		return;
	}
	f->badge = badge;
	kosh_ipc_buffer()->caps[0] = (kosh_handle_t)h;
	reply->tag = kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 1, 1);
	reply->words[0] = KOSH_VFS_DEV;
	reply->words[1] = 0;
}

static void handle_close(struct file *f)
{
	if (net.att.active && net.att.badge == f->badge)
		detach("its file was closed");
	f->badge = 0;
}

/* Check ATTACH's two capabilities: a frame to map read-write, a notification to signal. */
static uint32_t check_attach_caps(kosh_handle_t frame, kosh_handle_t notify)
{
	struct kosh_handle_info fi, ni;
	if (kosh_info(frame, &fi) || kosh_info(notify, &ni))
		return KOSH_VFS_EINVAL;
	uint32_t need = KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_MAP;
	if (fi.type != KOSH_OBJ_FRAME || (fi.rights & need) != need)
		return KOSH_VFS_EINVAL;
	if (ni.type != KOSH_OBJ_NOTIFICATION || !(ni.rights & KOSH_RIGHT_SIGNAL))
		return KOSH_VFS_EINVAL;
	return 0;
}

static uint32_t handle_attach(uint64_t badge, const struct kosh_msg *m, struct kosh_msg *reply)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	if (KOSH_MSG_CAPS(m->tag) != 2 || KOSH_MSG_WORDS(m->tag) != KOSH_MSG_WORDS_REG)
		return reply_error(reply, KOSH_VFS_EPROTO);
	kosh_handle_t frame = ipc->caps[0], notify = ipc->caps[1];
	ipc->caps[0] = ipc->caps[1] = 0; /* ours now: closed below unless kept */
	uint64_t rx = m->words[0], tx = m->words[1];
	uint32_t err = rx > KOSH_NET_SLOTS_MAX || tx > KOSH_NET_SLOTS_MAX
			   ? KOSH_VFS_EINVAL
			   : check_attach_caps(frame, notify);
	uint64_t size = KOSH_NET_RING_BYTES(rx, tx);
	if (!err && netring_check_geometry((uint32_t)rx, (uint32_t)tx, size))
		err = KOSH_VFS_EINVAL;
	void *base = NULL;
	kosh_err_t e = KOSH_OK;
	if (!err) {
		base = kosh_frame_map(frame, 0, kosh_page_round(size),
				      KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &e);
		if (!base)
			err = KOSH_VFS_EINVAL; /* smaller than the rings need, most likely */
	}
	if (err) {
		kosh_handle_close(frame);
		kosh_handle_close(notify);
		return reply_error(reply, err);
	}
	if (net.att.active)
		detach("another client attached"); /* the last ATTACH wins (docs/virtio.md) */
	struct attachment *a = &net.att;
	netring_reset(base);
	if (netring_init(&a->rx, base, size, (uint32_t)rx, (uint32_t)tx, 0, 1, FRAME_MAX) ||
	    netring_init(&a->tx, base, size, (uint32_t)rx, (uint32_t)tx, 1, 0, FRAME_MAX)) {
		(void)kosh_frame_unmap(base, kosh_page_round(size));
		kosh_handle_close(frame);
		kosh_handle_close(notify);
		return reply_error(reply, KOSH_VFS_EINVAL);
	}
	a->active = 1;
	a->badge = badge;
	a->base = base;
	a->size = size;
	a->frame = frame;
	a->notify = notify;
	int64_t kick = kosh_handle_dup(net.kick, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER, 0);
	if (kick < 0) {
		detach("no handle for its kicks");
		return reply_error(reply, KOSH_VFS_ENOMEM);
	}
	kosh_printf("%s: client attached: %llu receive and %llu transmit slots", net.dev.name,
		    (unsigned long long)rx, (unsigned long long)tx);
	ipc->caps[0] = (kosh_handle_t)kick;
	reply->tag = kosh_msg_tag(0, 0, 1, 1);
	return 0;
}

static void handle_file(struct file *f, const struct kosh_msg *m, struct kosh_msg *reply)
{
	uint32_t label = KOSH_MSG_LABEL(m->tag);
	if (label != KOSH_NET_ATTACH && KOSH_MSG_CAPS(m->tag)) {
		reply_error(reply, KOSH_VFS_EPROTO);
		return;
	}
	switch (label) {
	case KOSH_NET_INFO:
		reply->tag = kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 0, 0);
		for (int i = 0; i < 6; i++)
			reply->words[0] |= (uint64_t)net.mac[i] << (8 * i);
		reply->words[1] = MTU;
		reply->words[2] = FRAME_MAX;
		reply->words[3] = link_up() ? KOSH_NET_LINK_UP : 0;
		return;
	case KOSH_NET_ATTACH:
		(void)handle_attach(f->badge, m, reply);
		return;
	case KOSH_NET_STATS:
		reply->tag = kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 0, 0);
		reply->words[0] = net.rx_frames;
		reply->words[1] = net.tx_frames;
		reply->words[2] = net.rx_dropped;
		reply->words[3] = net.tx_refused;
		return;
	case KOSH_VFS_CLOSE:
		handle_close(f);
		reply->tag = kosh_msg_tag(0, 0, 0, 0);
		return;
	default:
		reply_error(reply, KOSH_VFS_ENOSYS);
	}
}

static int on_request(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *reply)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	(void)ctx;
	memset(reply, 0, sizeof(*reply));
	if (badge == KICK_BADGE) { /* our kick thread: the client put frames on its ring */
		service_device(0);
		reply->tag = kosh_msg_tag(0, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	if (badge == 0) { /* the endpoint itself: path operations (devmgr, vfsd) */
		struct kosh_vfs_request req;
		uint32_t err = kosh_vfs_decode(m->tag, m->words, &ipc->words[4], &req);
		if (!err && req.op != KOSH_VFS_OPEN)
			err = req.op == KOSH_VFS_STATP ? KOSH_VFS_ENOSYS : KOSH_VFS_EROFS;
		if (err)
			reply_error(reply, err);
		else
			handle_open(&req, reply);
	} else {
		struct file *f = file_of(badge);
		if (f)
			handle_file(f, m, reply);
		else
			reply_error(reply, KOSH_VFS_EBADF);
	}
	/* Capabilities nobody took (a refused request's) are closed. */
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(m->tag) && i < KOSH_MSG_CAPS_MAX; i++) {
		if (ipc->caps[i] && !(KOSH_MSG_CAPS(reply->tag) > i)) {
			kosh_handle_close(ipc->caps[i]);
			ipc->caps[i] = 0;
		}
	}
	return KOSH_SERVE_REPLY;
}

static void on_irq(void *ctx, uint64_t bits)
{
	(void)ctx;
	service_device(virtio_pci_events(&net.dev, bits));
}

static void on_idle(void *ctx)
{
	(void)ctx;
	service_device(virtio_pci_events(&net.dev, 0)); /* polling: every queue */
}

/* The second thread: a wake-up of kick becomes one message to the serving thread. */
static void forward_kicks(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t bits;
		struct kosh_msg m = {kosh_msg_tag(KICK_LABEL, 0, 0, 0), {0}}, reply;
		kosh_err_t err = kosh_notify_wait(net.kick, KOSH_TIMEOUT_NEVER, &bits);
		if (!err)
			err = kosh_call(net.self, &m, &reply, KOSH_TIMEOUT_NEVER);
		if (err) {
			kosh_printf("%s: forwarding kicks: %s", net.dev.name, kosh_strerror(err));
			kosh_terminate(4);
		}
	}
}

static int start_kicks(void)
{
	int64_t h = kosh_notification_create(kosh_self()->quota);
	int64_t self = kosh_handle_dup(net.endpoint, KOSH_RIGHT_WRITE, KICK_BADGE);
	if (h < 0 || self < 0) {
		kosh_printf("cannot make the kick notification: %s",
			    kosh_strerror((kosh_err_t)(h < 0 ? h : self)));
		return -1;
	}
	net.kick = (kosh_handle_t)h;
	net.self = (kosh_handle_t)self;
	static struct kosh_thread forwarder;
	kosh_err_t err = kosh_thread_spawn(&forwarder, forward_kicks, NULL, 16384);
	if (err) {
		kosh_printf("cannot start the kick thread: %s", kosh_strerror(err));
		return -1;
	}
	kosh_handle_t irqs = virtio_pci_notification(&net.dev);
	err = irqs ? (kosh_err_t)kosh_notification_bind(irqs, net.endpoint) : KOSH_OK;
	if (err && err != KOSH_E_ALREADY_EXISTS) {
		kosh_printf("cannot bind the interrupts to the endpoint: %s", kosh_strerror(err));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		kosh_printf("usage: virtio-net (the device comes from the start handles)");
		return 2;
	}
	net.endpoint = kosh_start_handle("serve", NULL);
	if (!net.endpoint) {
		kosh_printf("no \"serve\" endpoint given");
		return 1;
	}
	net.epoch = ((uint64_t)kosh_clock_get() / 1000) & 0x7fffffff;
	if (device_start() || start_kicks())
		return 1;
	kosh_printf("%s: %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s", net.dev.name, net.mac[0],
		    net.mac[1], net.mac[2], net.mac[3], net.mac[4], net.mac[5],
		    link_up() ? "up" : "down",
		    virtio_pci_notification(&net.dev) ? "interrupts" : "polling");
	const struct kosh_serve loop = {
	    .name = "virtio-net",
	    .endpoint = net.endpoint,
	    .other = on_request,
	    .notify = on_irq,
	    .idle = virtio_pci_notification(&net.dev) ? NULL : on_idle,
	    .after = virtio_pci_notification(&net.dev) ? NULL : on_idle,
	    .idle_ns = virtio_pci_notification(&net.dev) ? 0 : VIRTIO_PCI_POLL_NS,
	    .ctx = &net,
	};
	kosh_err_t err = kosh_serve_run(&loop);
	kosh_printf("%s: the endpoint failed: %s", net.dev.name, kosh_strerror(err));
	return 1;
}
