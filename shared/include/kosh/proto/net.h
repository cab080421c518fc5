/* SPDX-License-Identifier: MIT */
/*
 * The raw network protocol (docs/virtio.md, "virtio-net"): Ethernet frames
 * between a network driver (sbin/drivers/virtio-net) and one client (later the
 * TCP/IP stack) through two rings in a shared frame, with no message per frame.
 *
 * Opening. The client opens dev:///net0 (devmgr forwards the file protocol's
 * OPEN, path "/net0", to the driver, which answers with a file: a badged copy
 * of its endpoint). On that file, besides the file protocol's CLOSE:
 *
 *   INFO    - | reply: w0 the MAC address (byte i in bits 8i .. 8i+7), w1 the
 *           MTU (payload bytes), w2 the largest frame accepted (MTU + the
 *           Ethernet header and one VLAN tag), w3 KOSH_NET_LINK_* flags
 *   ATTACH  w0 receive slots, w1 transmit slots (each a power of two,
 *           1 .. KOSH_NET_SLOTS_MAX); cap 0 the ring frame (read, write, map;
 *           at least KOSH_NET_RING_BYTES(rx, tx) bytes), cap 1 a notification
 *           (signal) the driver signals | reply: cap 0 a notification (signal)
 *           the client signals with KOSH_NET_KICK after putting frames on the
 *           transmit ring. One client at a time, and the last ATTACH wins: the
 *           driver cannot tell that a client died, so a new one (which could
 *           open dev:///net0, and so could drive the device anyway) takes
 *           over, and the previous one is signalled KOSH_NET_SIGNAL_DETACHED.
 *           Closing the file that attached detaches too.
 *   STATS   - | reply: w0 frames received, w1 frames sent, w2 received frames
 *           dropped (the receive ring was full), w3 transmit slots refused
 *           (a bad length)
 *
 * The ring frame. Page 0 holds the two rings' indices, each on its own cache
 * line; the slots follow from KOSH_NET_SLOTS_OFFSET: first the receive ring's,
 * then the transmit ring's, KOSH_NET_SLOT_SIZE bytes each. Indices are
 * free-running 32-bit counters (slot = index mod count). The producer fills
 * slot head mod count (length, then bytes), then stores head + 1 with release
 * ordering; the consumer loads head with acquire ordering, takes slots up to
 * it and stores its tail. The receive ring is the driver's to produce, the
 * transmit ring the client's.
 *
 * Why two notifications: waiting takes (and clears) every bit of a
 * notification, so two sides waiting on one would take each other's wake-ups.
 * The driver signals the client's with KOSH_NET_SIGNAL_RX when it put
 * received frames on the ring and KOSH_NET_SIGNAL_TX when it freed transmit
 * slots (once per batch, not per frame).
 *
 * The client is not trusted: the driver keeps its own copies of the counts and
 * of its own indices, never reads them back, reads each index the client writes
 * once and checks it (a transmit head more than count ahead of the driver's
 * tail, or a receive tail behind the driver's head by more than count, breaks
 * the attachment: it is logged and dropped), and checks every slot's length
 * (14 .. the largest frame: else the slot is skipped and counted).
 *
 * Labels 80 .. 82 lie past the file protocol's operations; replies carry a
 * KOSH_VFS_E* error as their label as the file protocol does.
 */
#ifndef KOSH_PROTO_NET_H
#define KOSH_PROTO_NET_H

#include <stdint.h>

#include <kosh/abi.h>

enum kosh_net_op {
	KOSH_NET_INFO = 80,
	KOSH_NET_ATTACH = 81,
	KOSH_NET_STATS = 82,
};

/* INFO w3. */
#define KOSH_NET_LINK_UP 0x1u

/* Bits of the notifications. */
#define KOSH_NET_SIGNAL_RX	 0x1u /* driver -> client: received frames are on the ring */
#define KOSH_NET_SIGNAL_TX	 0x2u /* driver -> client: transmit slots were freed */
#define KOSH_NET_SIGNAL_DETACHED 0x4u /* driver -> client: the rings are no longer served */
#define KOSH_NET_KICK		 0x1u /* client -> driver: frames are on the transmit ring */

#define KOSH_NET_ETH_HEADER   14u   /* destination, source, type */
#define KOSH_NET_FRAME_MIN    14u   /* the shortest slot length accepted */
#define KOSH_NET_SLOT_SIZE    2048u /* bytes per slot: its header, then the frame */
#define KOSH_NET_SLOTS_MAX    256u  /* per ring */
#define KOSH_NET_SLOTS_OFFSET 4096u /* the first slot, after the indices' page */

/* One ring's indices (page 0 holds the receive ring's, then the transmit ring's). */
struct kosh_net_ring_ctl {
	uint32_t head; /* written by the producer: slots filled */
	uint32_t pad0[15];
	uint32_t tail; /* written by the consumer: slots taken */
	uint32_t pad1[15];
};
_Static_assert(sizeof(struct kosh_net_ring_ctl) == 128, "two cache lines per ring");

struct kosh_net_shared {
	struct kosh_net_ring_ctl rx; /* driver -> client */
	struct kosh_net_ring_ctl tx; /* client -> driver */
};
_Static_assert(sizeof(struct kosh_net_shared) <= KOSH_NET_SLOTS_OFFSET, "indices fit page 0");

struct kosh_net_slot {
	uint32_t len; /* bytes of the frame in data */
	uint32_t reserved;
	uint8_t data[KOSH_NET_SLOT_SIZE - 8];
};
_Static_assert(sizeof(struct kosh_net_slot) == KOSH_NET_SLOT_SIZE, "slot size");

/* The bytes a ring frame with rx and tx slots needs. */
#define KOSH_NET_RING_BYTES(rx, tx)                                                                \
	((uint64_t)KOSH_NET_SLOTS_OFFSET + ((uint64_t)(rx) + (uint64_t)(tx)) * KOSH_NET_SLOT_SIZE)

/* The MAC address of INFO's w0 (byte i of mac from bits 8i). */
static inline void kosh_net_mac_unpack(uint64_t w, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(w >> (8 * i));
}

#endif
