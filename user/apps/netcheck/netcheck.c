/* SPDX-License-Identifier: MIT */
/*
 * netcheck [device]: a client of the raw network protocol (<kosh/proto/net.h>)
 * for the QEMU test (test/qemu/virtiotest.py). It opens dev:///net0 (or
 * dev:///<device>), asks the MAC address and MTU, attaches rings of 8 slots in
 * a frame of its own, and sends an ARP request for QEMU's user-mode gateway
 * 10.0.2.2 from 10.0.2.15 (the address QEMU's DHCP would give), again each
 * second, until an ARP reply from 10.0.2.2 comes back (at most TRIES times).
 * The reply is checked field by field: addressed to us, ARP over Ethernet and
 * IPv4, a reply, from 10.0.2.2 to 10.0.2.15 and our MAC. Prints
 * "netcheck: ok <what>" / "netcheck: FAIL <what>" per check and a summary;
 * the status is 0 when all passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <kosh/abi.h>
#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/proto/net.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "netring.h"

#define SLOTS	  8u
#define TRIES	  10
#define CALL_NS	  5000000000ull
#define SECOND_NS 1000000000ull
#define ETH_ARP	  0x0806
#define ARP_REPLY 2
#define ARP_LEN	  28u
#define FRAME_LEN 60u /* the shortest Ethernet frame without its FCS */

static const uint8_t our_ip[4] = {10, 0, 2, 15}, gateway_ip[4] = {10, 0, 2, 2};
static int failures;

static void check(int ok, const char *what)
{
	printf("netcheck: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An ARP request "who has 10.0.2.2, tell 10.0.2.15" from mac, broadcast. */
static void arp_request(uint8_t *f, const uint8_t mac[6])
{
	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, ETH_ARP);
	uint8_t *a = f + KOSH_NET_ETH_HEADER;
	put16(a, 1);	      /* Ethernet */
	put16(a + 2, 0x0800); /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1); /* request */
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, our_ip, 4);
	memcpy(a + 24, gateway_ip, 4);
}

/* Whether f is an ARP reply from the gateway (the checks come after, one by one). */
static int is_gateway_reply(const uint8_t *f, uint32_t len)
{
	return len >= KOSH_NET_ETH_HEADER + ARP_LEN && be16(f + 12) == ETH_ARP &&
	       be16(f + 20) == ARP_REPLY && memcmp(f + 28, gateway_ip, 4) == 0;
}

static void check_reply(const uint8_t *f, uint32_t len, const uint8_t mac[6])
{
	const uint8_t *a = f + KOSH_NET_ETH_HEADER;
	char text[96];
	check(memcmp(f, mac, 6) == 0, "the reply is addressed to our MAC");
	check(be16(a) == 1 && be16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4,
	      "ARP for Ethernet and IPv4");
	check(memcmp(a + 8, f + 6, 6) == 0, "the sender's MAC is the frame's source");
	check(memcmp(a + 18, mac, 6) == 0 && memcmp(a + 24, our_ip, 4) == 0,
	      "the target is our MAC and 10.0.2.15");
	snprintf(text, sizeof(text), "ARP reply from 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x",
		 a[8], a[9], a[10], a[11], a[12], a[13]);
	check(1, text);
	(void)len;
}

static kosh_err_t call(kosh_handle_t file, uint32_t label, uint64_t w0, uint64_t w1, uint32_t caps,
		       struct kosh_msg *reply)
{
	struct kosh_msg m = {kosh_msg_tag(label, KOSH_MSG_WORDS_REG, caps, 0), /* copies */
			     {w0, w1, 0, 0}};
	return kosh_call(file, &m, reply, CALL_NS);
}

/* Our side of the rings: a frame, mapped, and the notification the driver signals. */
struct client {
	kosh_handle_t file, frame, notify, kick;
	void *base;
	struct netring rx, tx;
	uint32_t frame_max;
	uint8_t mac[6];
};

static int make_rings(struct client *c)
{
	uint64_t size = KOSH_NET_RING_BYTES(SLOTS, SLOTS);
	int64_t frame = kosh_frame_new(kosh_self()->quota, size);
	int64_t n = kosh_notification_create(kosh_self()->quota);
	if (frame < 0 || n < 0) {
		printf("netcheck: no memory for the rings\n");
		return -1;
	}
	kosh_err_t err;
	c->base = kosh_frame_map((kosh_handle_t)frame, 0, kosh_page_round(size),
				 KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!c->base) {
		printf("netcheck: cannot map the rings: %s\n", kosh_strerror(err));
		return -1;
	}
	c->frame = (kosh_handle_t)frame;
	c->notify = (kosh_handle_t)n;
	return 0;
}

/*
 * ATTACH with rx and tx slots and caps (frame, notification: copies; 0 leaves a cap
 * out): the reply's label (a KOSH_VFS_E* error), the kick notification in c->kick.
 */
static uint32_t attach_with(struct client *c, uint64_t rx, uint64_t tx, kosh_handle_t frame,
			    kosh_handle_t notify)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t caps = 0;
	if (frame)
		ipc->caps[caps++] = frame;
	if (notify)
		ipc->caps[caps++] = notify;
	struct kosh_msg reply;
	kosh_err_t err = call(c->file, KOSH_NET_ATTACH, rx, tx, caps, &reply);
	if (err) {
		printf("netcheck: ATTACH: %s\n", kosh_strerror(err));
		return KOSH_VFS_EIO;
	}
	uint32_t label = KOSH_MSG_LABEL(reply.tag);
	if (!label && KOSH_MSG_CAPS(reply.tag) != 1)
		return KOSH_VFS_EPROTO;
	if (!label)
		c->kick = ipc->caps[0];
	return label;
}

/* A proper ATTACH of our rings, and our sides of them set up. */
static int attach(struct client *c)
{
	int64_t give = kosh_handle_dup(c->notify, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER, 0);
	if (give < 0) {
		printf("netcheck: cannot share the notification\n");
		return -1;
	}
	uint32_t label = attach_with(c, SLOTS, SLOTS, c->frame, (kosh_handle_t)give);
	kosh_handle_close((kosh_handle_t)give);
	if (label) {
		printf("netcheck: ATTACH failed: %s\n", kosh_vfs_strerror(label));
		return -1;
	}
	uint64_t bytes = KOSH_NET_RING_BYTES(SLOTS, SLOTS);
	if (netring_init(&c->rx, c->base, bytes, SLOTS, SLOTS, 0, 0, c->frame_max) ||
	    netring_init(&c->tx, c->base, bytes, SLOTS, SLOTS, 1, 1, c->frame_max)) {
		printf("netcheck: the driver's largest frame (%u) does not fit a slot\n",
		       c->frame_max);
		return -1;
	}
	return 0;
}

static uint64_t stat_word(struct client *c, int i)
{
	struct kosh_msg reply;
	if (call(c->file, KOSH_NET_STATS, 0, 0, 0, &reply) || KOSH_MSG_LABEL(reply.tag))
		return UINT64_MAX;
	return reply.words[i];
}

/* Wait up to 2 s for any of bits on our notification. */
static int wait_bits(struct client *c, uint64_t want)
{
	uint64_t end = (uint64_t)kosh_clock_get() + 2 * SECOND_NS, bits;
	for (;;) {
		uint64_t now = (uint64_t)kosh_clock_get();
		if (now >= end)
			return 0;
		if (kosh_notify_wait(c->notify, end - now, &bits) == KOSH_OK && (bits & want))
			return 1;
	}
}

/* Send requests and wait for the gateway's reply into f; its length, or 0. */
static uint32_t exchange(struct client *c, uint8_t *f)
{
	struct netring *tx = &c->tx, *rx = &c->rx;
	kosh_handle_t notify = c->notify, kick = c->kick;
	const uint8_t *mac = c->mac;
	uint8_t req[FRAME_LEN];
	arp_request(req, mac);
	for (int t = 0; t < TRIES; t++) {
		int put = netring_put(tx, req, FRAME_LEN);
		if (put != 1)
			printf("netcheck: cannot put the request on the ring (%d)\n", put);
		(void)kosh_notification_signal(kick, KOSH_NET_KICK);
		uint64_t end = (uint64_t)kosh_clock_get() + SECOND_NS;
		for (;;) {
			uint32_t len;
			int r;
			while ((r = netring_get(rx, f, NETRING_DATA_MAX, &len)) != 0) {
				if (r == 1 && is_gateway_reply(f, len))
					return len;
				if (r < 0) {
					printf("netcheck: receive ring error %d\n", r);
					if (r == NETRING_E_BROKEN)
						return 0;
				}
			}
			uint64_t now = (uint64_t)kosh_clock_get(), bits;
			if (now >= end)
				break;
			if (kosh_notify_wait(notify, end - now, &bits) == KOSH_OK &&
			    (bits & KOSH_NET_SIGNAL_DETACHED)) {
				printf("netcheck: the driver detached us\n");
				return 0;
			}
		}
	}
	return 0;
}

/*
 * A client that breaks the rules (the bad-input tests): ATTACHes that must be
 * refused without disturbing the rings in use, a transmit slot with a bad
 * length (skipped and counted), and a transmit head far ahead of the driver
 * (the rings are dropped: KOSH_NET_SIGNAL_DETACHED). Ends attached afresh.
 */
static void hostile(struct client *c)
{
	int64_t give = kosh_handle_dup(c->notify, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER, 0);
	int64_t small = kosh_frame_new(kosh_self()->quota, KOSH_PAGE_SIZE);
	int64_t readonly =
	    kosh_handle_dup(c->frame, KOSH_RIGHT_READ | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER, 0);
	kosh_handle_t keep = c->kick;
	if (give < 0 || small < 0 || readonly < 0) {
		check(0, "handles for the bad ATTACHes");
		return;
	}
	kosh_handle_t g = (kosh_handle_t)give;
	check(attach_with(c, 3, SLOTS, c->frame, g) == KOSH_VFS_EINVAL,
	      "ATTACH with 3 receive slots is EINVAL");
	check(attach_with(c, SLOTS, 512, c->frame, g) == KOSH_VFS_EINVAL,
	      "ATTACH with 512 transmit slots is EINVAL");
	check(attach_with(c, SLOTS, SLOTS, (kosh_handle_t)small, g) == KOSH_VFS_EINVAL,
	      "ATTACH with a frame smaller than the rings is EINVAL");
	check(attach_with(c, SLOTS, SLOTS, (kosh_handle_t)readonly, g) == KOSH_VFS_EINVAL,
	      "ATTACH with a read-only frame is EINVAL");
	check(attach_with(c, SLOTS, SLOTS, g, c->frame) == KOSH_VFS_EINVAL,
	      "ATTACH with the capabilities swapped is EINVAL");
	check(attach_with(c, SLOTS, SLOTS, c->frame, 0) == KOSH_VFS_EPROTO,
	      "ATTACH without the notification is EPROTO");
	c->kick = keep;
	kosh_handle_close(g);
	kosh_handle_close((kosh_handle_t)small);
	kosh_handle_close((kosh_handle_t)readonly);

	/* A frame whose slot then says 5000 bytes: skipped, counted, the rings go on. */
	uint64_t refused = stat_word(c, 3);
	uint8_t req[FRAME_LEN];
	arp_request(req, c->mac);
	(void)kosh_notify_poll(c->notify, &(uint64_t){0});
	if (netring_put(&c->tx, req, FRAME_LEN) == 1)
		c->tx.slots[(c->tx.index - 1) & (c->tx.count - 1)].len = 5000;
	(void)kosh_notification_signal(c->kick, KOSH_NET_KICK);
	/*
	 * A TX signal of the driver's pass over earlier frames may come first (it
	 * was busy with them when the poll above cleared the bits), and a refusal
	 * need not be signalled at all: look at the count after every signal, or
	 * every 50 ms, until it moves, for at most ten seconds (a host loaded
	 * with other QEMUs has taken more than two).
	 */
	uint64_t end = (uint64_t)kosh_clock_get() + 10 * SECOND_NS, bits;
	while (stat_word(c, 3) == refused && (uint64_t)kosh_clock_get() < end)
		(void)kosh_notify_wait(c->notify, SECOND_NS / 20, &bits);
	check(stat_word(c, 3) == refused + 1,
	      "a transmit slot of 5000 bytes is refused and counted");

	/* A transmit head 1000 slots ahead: the driver drops our rings. */
	__atomic_store_n(&c->tx.ctl->head, c->tx.index + 1000, __ATOMIC_RELEASE);
	(void)kosh_notification_signal(c->kick, KOSH_NET_KICK);
	check(wait_bits(c, KOSH_NET_SIGNAL_DETACHED),
	      "a transmit head 1000 slots ahead detaches the client");
	kosh_handle_close(c->kick);
	if (attach(c))
		check(0, "ATTACH again after being detached");
}

int main(int argc, char **argv)
{
	char uri[64];
	static uint8_t f[NETRING_DATA_MAX];
	snprintf(uri, sizeof(uri), "dev:///%s", argc > 1 ? argv[1] : "net0");
	static struct client c;
	kosh_handle_t file;
	uint32_t type;
	uint64_t size;
	uint32_t e = kosh_file_open(kosh_vfs(), uri, KOSH_VFS_O_READ | KOSH_VFS_O_WRITE, &file,
				    &type, &size);
	if (e) {
		printf("netcheck: cannot open %s: %s\n", uri, kosh_vfs_strerror(e));
		return 2;
	}
	c.file = file;
	struct kosh_msg reply;
	kosh_err_t err = call(file, KOSH_NET_INFO, 0, 0, 0, &reply);
	if (err || KOSH_MSG_LABEL(reply.tag)) {
		printf("netcheck: INFO failed: %s\n",
		       err ? kosh_strerror(err) : kosh_vfs_strerror(KOSH_MSG_LABEL(reply.tag)));
		return 2;
	}
	uint8_t mac[6];
	kosh_net_mac_unpack(reply.words[0], mac);
	uint32_t frame_max = (uint32_t)reply.words[2];
	printf("netcheck: %s: MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %llu, link %s\n", uri, mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5], (unsigned long long)reply.words[1],
	       reply.words[3] & KOSH_NET_LINK_UP ? "up" : "down");
	check(!(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]),
	      "the MAC is a unicast address");
	check(reply.words[1] >= 576 && frame_max >= reply.words[1] + KOSH_NET_ETH_HEADER &&
		  frame_max <= NETRING_DATA_MAX,
	      "MTU and largest frame");
	c.frame_max = frame_max;
	memcpy(c.mac, mac, 6);
	if (make_rings(&c) || attach(&c))
		return 2;
	uint32_t len = exchange(&c, f);
	check(len != 0, "an ARP reply from 10.0.2.2 arrived");
	if (len)
		check_reply(f, len, mac);
	hostile(&c);
	len = exchange(&c, f);
	check(len != 0, "after all that, a new ATTACH gets an ARP reply again");
	printf("netcheck: driver counts: %llu received, %llu sent, %llu dropped, %llu refused\n",
	       (unsigned long long)stat_word(&c, 0), (unsigned long long)stat_word(&c, 1),
	       (unsigned long long)stat_word(&c, 2), (unsigned long long)stat_word(&c, 3));
	(void)kosh_file_close(file);
	printf("netcheck: %s\n", failures ? "FAILED" : "passed");
	return failures ? 1 : 0;
}
