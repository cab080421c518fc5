/* SPDX-License-Identifier: MIT */
/*
 * The console's output queue to fbcon (see outq.h).
 */
#include "outq.h"

#include <kosh/string.h>

uint32_t outq_used(const struct outq *q)
{
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
}

/* Copies len bytes between the ring at position pos and flat memory, wrapping once. */
static void ring_copy(uint8_t *ring, uint32_t pos, uint8_t *flat, uint32_t len, int to_ring)
{
	uint32_t at = pos % OUTQ_SIZE, first = OUTQ_SIZE - at < len ? OUTQ_SIZE - at : len;
	if (to_ring) {
		memcpy(ring + at, flat, first);
		memcpy(ring, flat + first, len - first);
	} else {
		memcpy(flat, ring + at, first);
		memcpy(flat + first, ring, len - first);
	}
}

uint32_t outq_put(struct outq *q, const void *bytes, uint32_t len)
{
	uint32_t head = q->head; /* ours */
	uint32_t room = OUTQ_SIZE - (head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE));
	uint32_t n = len < room ? len : room;
	ring_copy(q->buf, head, (uint8_t *)bytes, n, 1);
	__atomic_store_n(&q->head, head + n, __ATOMIC_RELEASE);
	q->dropped += len - n;
	return n;
}

uint32_t outq_peek(const struct outq *q, void *out, uint32_t max)
{
	uint32_t tail = q->tail; /* ours */
	uint32_t used = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - tail;
	uint32_t n = used < max ? used : max;
	ring_copy((uint8_t *)q->buf, tail, out, n, 0);
	return n;
}

void outq_consume(struct outq *q, uint32_t n)
{
	uint32_t tail = q->tail;
	uint32_t used = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - tail;
	__atomic_store_n(&q->tail, tail + (n < used ? n : used), __ATOMIC_RELEASE);
}
