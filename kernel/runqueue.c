/* SPDX-License-Identifier: MIT */
/*
 * Run queues (see runqueue.h): one circular doubly linked list per priority
 * with a sentinel head, and a 64-bit bitmap of the non-empty ones.
 */
#include "runqueue.h"

void runqueue_init(struct runqueue *rq)
{
	rq->nonempty = 0;
	rq->count = 0;
	for (int p = 0; p < SCHED_PRIORITIES; p++)
		rq->heads[p].next = rq->heads[p].prev = &rq->heads[p];
}

void runqueue_push(struct runqueue *rq, struct run_entry *e, int front)
{
	struct run_entry *head = &rq->heads[e->priority & (SCHED_PRIORITIES - 1)];
	struct run_entry *after = front ? head : head->prev;
	e->prev = after;
	e->next = after->next;
	after->next->prev = e;
	after->next = e;
	e->queued = 1;
	rq->nonempty |= 1ull << (e->priority & (SCHED_PRIORITIES - 1));
	rq->count++;
}

void runqueue_remove(struct runqueue *rq, struct run_entry *e)
{
	unsigned p = e->priority & (SCHED_PRIORITIES - 1);
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e->prev = 0;
	e->queued = 0;
	if (rq->heads[p].next == &rq->heads[p])
		rq->nonempty &= ~(1ull << p);
	rq->count--;
}

int runqueue_top_priority(const struct runqueue *rq)
{
	return rq->nonempty ? 63 - __builtin_clzll(rq->nonempty) : -1;
}

struct run_entry *runqueue_pop(struct runqueue *rq)
{
	int p = runqueue_top_priority(rq);
	if (p < 0)
		return 0;
	struct run_entry *e = rq->heads[p].next;
	runqueue_remove(rq, e);
	return e;
}
