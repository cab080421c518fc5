/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU one-shot events (see timer.h): a sorted singly linked list per CPU,
 * touched only by its own CPU with interrupts masked. Lists are short (a
 * handful of sleepers per CPU), so insertion is a linear walk.
 */
#include "timer.h"

#include "arch.h"
#include "clock.h"
#include "cpu.h"

static void unlink_event(struct cpu *c, struct timer_event *ev)
{
	for (struct timer_event **p = &c->timers; *p; p = &(*p)->next) {
		if (*p == ev) {
			*p = ev->next;
			break;
		}
	}
	ev->armed = 0;
	ev->next = 0;
}

static void program(struct cpu *c)
{
	arch_timer_set(c->timers ? c->timers->deadline_ns : 0);
}

void timer_arm(struct timer_event *ev, uint64_t deadline_ns, timer_fn fn, void *ctx)
{
	uint64_t flags = arch_irq_save();
	struct cpu *c = this_cpu();
	if (ev->armed)
		unlink_event(c, ev);
	ev->deadline_ns = deadline_ns;
	ev->fn = fn;
	ev->ctx = ctx;
	struct timer_event **p = &c->timers;
	while (*p && (*p)->deadline_ns <= deadline_ns)
		p = &(*p)->next;
	ev->next = *p;
	*p = ev;
	ev->armed = 1;
	program(c); /* the soonest may have changed either way (a moved head) */
	arch_irq_restore(flags);
}

int timer_cancel(struct timer_event *ev)
{
	uint64_t flags = arch_irq_save();
	struct cpu *c = this_cpu();
	int was = ev->armed;
	if (was) {
		int first = c->timers == ev;
		unlink_event(c, ev);
		if (first)
			program(c);
	}
	arch_irq_restore(flags);
	return was;
}

void timer_interrupt(void)
{
	struct cpu *c = this_cpu();
	c->timer_interrupts++;
	uint64_t now = clock_ns();
	while (c->timers && c->timers->deadline_ns <= now) {
		struct timer_event *ev = c->timers;
		c->timers = ev->next;
		ev->next = 0;
		ev->armed = 0;
		ev->fn(ev, ev->ctx); /* may re-arm itself */
		now = clock_ns();
	}
	program(c);
}
