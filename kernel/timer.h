/* SPDX-License-Identifier: MIT */
/*
 * One-shot timer events, per CPU. An event belongs to its caller (no
 * allocation); it is armed on the calling CPU for an absolute deadline on the
 * monotonic clock (clock.h) and its function runs from that CPU's timer
 * interrupt, with interrupts masked, once the deadline has passed. The
 * architecture's one-shot timer is always programmed for the soonest event.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdint.h>

struct timer_event;
typedef void (*timer_fn)(struct timer_event *ev, void *ctx);

struct timer_event {
	uint64_t deadline_ns;
	timer_fn fn;
	void *ctx;
	struct timer_event *next;
	int armed;
};

/* Arm ev on this CPU (re-arming an armed event moves it). */
void timer_arm(struct timer_event *ev, uint64_t deadline_ns, timer_fn fn, void *ctx);

/* Disarm ev if it is still pending on this CPU; 1 if it was. */
int timer_cancel(struct timer_event *ev);

/* The architecture's timer interrupt: run every expired event, re-program. */
void timer_interrupt(void);

#endif
