/* SPDX-License-Identifier: MIT */
/*
 * One side's view of one ring of the raw network protocol (<kosh/proto/net.h>):
 * the producer puts frames, the consumer gets them. Pure: no system calls, so
 * the driver (sbin/drivers/virtio-net), its clients (bin/netcheck) and host
 * tests (test/unit/netring_test.c, test/fuzz/fuzz_netring.c) share it.
 *
 * The other side is not trusted. Our own index and the ring's geometry are
 * kept here, never read back from the shared page; the peer's index is read
 * once per call (acquire) and checked: a producer more than count ahead, or a
 * consumer ahead of the producer or more than count behind, breaks the ring for
 * good (NETRING_E_BROKEN from then on). A slot's length is read once: one
 * outside [KOSH_NET_FRAME_MIN, frame_max] or longer than the caller's buffer
 * is skipped (NETRING_E_LEN), the ring staying usable.
 */
#ifndef NETRING_H
#define NETRING_H

#include <stdint.h>

#include <kosh/proto/net.h>

enum netring_err {
	NETRING_E_LEN = -1,    /* a slot with a bad length was skipped */
	NETRING_E_BROKEN = -2, /* the peer moved its index impossibly: the ring is dead */
	NETRING_E_INVAL = -3,  /* a bad argument from the caller */
};

/* The most bytes a slot holds. */
#define NETRING_DATA_MAX ((uint32_t)sizeof(((struct kosh_net_slot *)0)->data))

struct netring {
	struct kosh_net_ring_ctl *ctl;
	struct kosh_net_slot *slots;
	uint32_t count;	    /* a power of two */
	uint32_t index;	    /* ours: the producer's head or the consumer's tail */
	uint32_t frame_max; /* the longest frame accepted */
	int producer;
	int broken;
	uint32_t bad_index; /* the peer's index that broke the ring, for the log */
};

/* Check a ring frame's geometry: 0 if rx and tx are powers of two in 1 .. KOSH_NET_SLOTS_MAX and
 * size holds them. */
int netring_check_geometry(uint32_t rx, uint32_t tx, uint64_t size);

/*
 * Set r up as one side of ring which (0 receive, 1 transmit) of the frame
 * mapped at base, with rx and tx slots (checked as netring_check_geometry says,
 * with the frame's size). It starts at index 0: a new attachment zeroes the
 * indices page first (netring_reset).
 */
int netring_init(struct netring *r, void *base, uint64_t size, uint32_t rx, uint32_t tx, int which,
		 int producer, uint32_t frame_max);

/* Zero both rings' indices (the driver, before a new client uses the frame). */
void netring_reset(void *base);

/* Producer: copy frame (len bytes) to the next slot and publish it. 1 put, 0 the ring is full,
 * or an error. */
int netring_put(struct netring *r, const void *frame, uint32_t len);

/* Producer: free slots now (0 when full or broken). */
uint32_t netring_space(struct netring *r);

/*
 * Consumer: the next frame into buf (room for cap bytes), its length in *len:
 * 1, 0 if the ring is empty, NETRING_E_LEN (a bad slot skipped, *len its
 * length), or NETRING_E_BROKEN.
 */
int netring_get(struct netring *r, void *buf, uint32_t cap, uint32_t *len);

#endif
