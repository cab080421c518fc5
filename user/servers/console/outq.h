/* SPDX-License-Identifier: MIT */
/*
 * A bounded byte queue from one producer thread to one consumer thread: the
 * console's output on its way to the framebuffer console (fbcon), so that the
 * console's main thread never waits for it. When the queue is full, new bytes
 * are dropped and counted: a slow or missing fbcon costs screen output, never
 * the serial line's.
 *
 * Pure C over the queue's own buffer, no system calls (host-tested in
 * outq_test). head is written only by the producer, tail only by the consumer,
 * each published with release and read with acquire ordering.
 */
#ifndef CONSOLE_OUTQ_H
#define CONSOLE_OUTQ_H

#include <stdint.h>

#define OUTQ_SIZE 65536u /* power of two */

struct outq {
	uint8_t buf[OUTQ_SIZE];
	uint32_t head, tail; /* free-running */
	uint64_t dropped;    /* bytes the producer could not queue */
};

/* Producer: queues what fits of len bytes; the rest is dropped. How many were queued. */
uint32_t outq_put(struct outq *q, const void *bytes, uint32_t len);

/* Consumer: copies up to max of the oldest queued bytes to out, leaving them queued. */
uint32_t outq_peek(const struct outq *q, void *out, uint32_t max);

/* Consumer: removes the n oldest bytes (at most what is queued). */
void outq_consume(struct outq *q, uint32_t n);

/* Either side: bytes queued now. */
uint32_t outq_used(const struct outq *q);

#endif
