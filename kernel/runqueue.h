/* SPDX-License-Identifier: MIT */
/*
 * A CPU's run queue: threads ready to run, by fixed priority (0 lowest .. 63
 * highest), first in first out within a priority (round robin when a thread
 * whose slice ended goes to the back). Picking the next thread is O(1): a
 * bitmap says which priorities have threads. Entries are embedded in the
 * threads; the caller holds the queue's CPU lock.
 */
#ifndef KERNEL_RUNQUEUE_H
#define KERNEL_RUNQUEUE_H

#include <stdint.h>

#define SCHED_PRIORITIES 64

struct run_entry {
	struct run_entry *next, *prev;
	uint8_t priority;
	uint8_t queued;
};

struct runqueue {
	uint64_t nonempty; /* bit p: priority p has entries */
	struct run_entry heads[SCHED_PRIORITIES]; /* circular lists, heads are sentinels */
	uint32_t count;
};

void runqueue_init(struct runqueue *rq);

/* Queue e at the back (or, with front, the front) of its priority. e must not be queued. */
void runqueue_push(struct runqueue *rq, struct run_entry *e, int front);

/* Take e out (it must be queued here). */
void runqueue_remove(struct runqueue *rq, struct run_entry *e);

/* The first entry of the highest priority, taken out; NULL when empty. */
struct run_entry *runqueue_pop(struct runqueue *rq);

/* The highest priority with entries, or -1 when empty. */
int runqueue_top_priority(const struct runqueue *rq);

#endif
