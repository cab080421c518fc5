/* SPDX-License-Identifier: MIT */
/*
 * The rings of the raw network protocol (netring.h, <kosh/proto/net.h>).
 * Indices are free-running uint32_t: head - tail (mod 2^32) is the number of
 * filled slots, which a well-behaved pair keeps in 0 .. count. The peer's
 * index is loaded once with acquire ordering (the slots it covers were
 * written before it) and ours stored with release ordering (after the slot).
 */
#include "netring.h"

#include <stddef.h>

#include <kosh/string.h>

static int power_of_two_slots(uint32_t n)
{
	return n >= 1 && n <= KOSH_NET_SLOTS_MAX && (n & (n - 1)) == 0;
}

int netring_check_geometry(uint32_t rx, uint32_t tx, uint64_t size)
{
	if (!power_of_two_slots(rx) || !power_of_two_slots(tx))
		return NETRING_E_INVAL;
	return size >= KOSH_NET_RING_BYTES(rx, tx) ? 0 : NETRING_E_INVAL;
}

void netring_reset(void *base)
{
	memset(base, 0, sizeof(struct kosh_net_shared));
}

int netring_init(struct netring *r, void *base, uint64_t size, uint32_t rx, uint32_t tx, int which,
		 int producer, uint32_t frame_max)
{
	struct kosh_net_shared *sh = base;
	if (!base || netring_check_geometry(rx, tx, size) || (which != 0 && which != 1) ||
	    frame_max < KOSH_NET_FRAME_MIN || frame_max > NETRING_DATA_MAX)
		return NETRING_E_INVAL;
	uint8_t *slots = (uint8_t *)base + KOSH_NET_SLOTS_OFFSET;
	*r = (struct netring){
	    .ctl = which == 0 ? &sh->rx : &sh->tx,
	    .slots = (struct kosh_net_slot *)(slots +
					      (which == 0 ? 0 : (uint64_t)rx * KOSH_NET_SLOT_SIZE)),
	    .count = which == 0 ? rx : tx,
	    .frame_max = frame_max,
	    .producer = producer,
	};
	return 0;
}

static void break_ring(struct netring *r, uint32_t peer)
{
	r->broken = 1;
	r->bad_index = peer;
}

uint32_t netring_space(struct netring *r)
{
	if (r->broken || !r->producer)
		return 0;
	uint32_t tail = __atomic_load_n(&r->ctl->tail, __ATOMIC_ACQUIRE);
	uint32_t used = r->index - tail;
	if (used > r->count) { /* the consumer is ahead of us, or impossibly far behind */
		break_ring(r, tail);
		return 0;
	}
	return r->count - used;
}

int netring_put(struct netring *r, const void *frame, uint32_t len)
{
	if (!r->producer)
		return NETRING_E_INVAL;
	if (r->broken)
		return NETRING_E_BROKEN;
	if (len < KOSH_NET_FRAME_MIN || len > r->frame_max)
		return NETRING_E_INVAL;
	if (!netring_space(r))
		return r->broken ? NETRING_E_BROKEN : 0;
	struct kosh_net_slot *s = &r->slots[r->index & (r->count - 1)];
	memcpy(s->data, frame, len);
	__atomic_store_n(&s->len, len, __ATOMIC_RELAXED);
	r->index++;
	__atomic_store_n(&r->ctl->head, r->index, __ATOMIC_RELEASE);
	return 1;
}

int netring_get(struct netring *r, void *buf, uint32_t cap, uint32_t *len)
{
	if (r->producer)
		return NETRING_E_INVAL;
	if (r->broken)
		return NETRING_E_BROKEN;
	uint32_t head = __atomic_load_n(&r->ctl->head, __ATOMIC_ACQUIRE);
	uint32_t filled = head - r->index;
	if (filled > r->count) {
		break_ring(r, head);
		return NETRING_E_BROKEN;
	}
	if (!filled)
		return 0;
	struct kosh_net_slot *s = &r->slots[r->index & (r->count - 1)];
	uint32_t n = __atomic_load_n(&s->len, __ATOMIC_RELAXED); /* once: the peer may change it */
	int ok = n >= KOSH_NET_FRAME_MIN && n <= r->frame_max && n <= cap;
	if (ok)
		memcpy(buf, s->data, n);
	*len = n;
	r->index++;
	__atomic_store_n(&r->ctl->tail, r->index, __ATOMIC_RELEASE);
	return ok ? 1 : NETRING_E_LEN;
}
