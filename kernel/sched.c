/* SPDX-License-Identifier: MIT */
/*
 * The scheduler (see sched.h): the big kernel lock, per-CPU run queues, the
 * idle loop, blocking with timeouts, and switching threads.
 *
 * Invariants, all under the big lock: a READY thread is on exactly one run
 * queue (t->cpu's); a RUNNING thread is some CPU's current and on no queue; a
 * BLOCKED thread is on its wait queue (if any) and, with a deadline, on the
 * timeout list; a thread's kernel context is only resumed by the CPU that
 * holds the lock, so it is fully saved before anyone else can pick it.
 */
#include "sched.h"

#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "ipc.h"
#include "panic.h"
#include "process.h"
#include "smp.h"
#include "space.h"
#include "sys_irq.h"
#include "thread.h"
#include "timer.h"

static struct spinlock bkl_spin = SPINLOCK_INIT;
static uint32_t bkl_owner = UINT32_MAX; /* the holding CPU's index */
static struct list timeouts = LIST_INIT(timeouts); /* blocked threads by deadline */

/*
 * Taking the lock. Mostly first come, first served by trying (a ticket lock
 * is fair but collapses when the CPU whose turn it is does not run: virtual
 * CPUs under an emulator); a CPU that has waited BKL_PATIENCE rounds raises
 * its hand, and then no one else takes the lock before it, so no CPU starves
 * behind one that keeps entering the kernel. Waiting happens with interrupts
 * open, so TLB shoot-down IPIs are still answered (no interrupt handler takes it).
 */
#define BKL_PATIENCE 256
#define BKL_NOBODY UINT32_MAX
static uint32_t bkl_starving = BKL_NOBODY;

static int bkl_may_try(uint32_t me)
{
	uint32_t s = __atomic_load_n(&bkl_starving, __ATOMIC_ACQUIRE);
	return s == BKL_NOBODY || s == me;
}

void bkl_lock(void)
{
	uint32_t me = arch_cpu_index(), rounds = 0;
	while (!(bkl_may_try(me) && spin_trylock(&bkl_spin))) {
		arch_irq_enable();
		while (spin_is_locked(&bkl_spin) || !bkl_may_try(me))
			arch_cpu_relax();
		arch_irq_save();
		if (++rounds == BKL_PATIENCE) {
			uint32_t nobody = BKL_NOBODY;
			__atomic_compare_exchange_n(&bkl_starving, &nobody, me, 0, __ATOMIC_ACQ_REL,
						    __ATOMIC_RELAXED);
		}
	}
	if (__atomic_load_n(&bkl_starving, __ATOMIC_RELAXED) == me)
		__atomic_store_n(&bkl_starving, BKL_NOBODY, __ATOMIC_RELEASE);
	bkl_owner = me;
}

void bkl_unlock(void)
{
	bkl_owner = UINT32_MAX;
	spin_unlock(&bkl_spin);
}

int bkl_held(void)
{
	return __atomic_load_n(&bkl_owner, __ATOMIC_RELAXED) == arch_cpu_index();
}

void sched_post_work(uint32_t bits)
{
	__atomic_fetch_or(&this_cpu()->work, bits, __ATOMIC_RELAXED);
}

static void post_work_on(struct cpu *c, uint32_t bits)
{
	__atomic_fetch_or(&c->work, bits, __ATOMIC_RELEASE);
	if (c != this_cpu())
		arch_ipi_send(c, IPI_PING);
}

static struct thread *thread_of(struct run_entry *e)
{
	return e ? (struct thread *)((char *)e - __builtin_offsetof(struct thread, run)) : NULL;
}

static int allowed(const struct thread *t, const struct cpu *c)
{
	return c->in_scheduler && (c->index >= 64 || (t->affinity >> c->index & 1));
}

static int running_priority(const struct cpu *c)
{
	return c->current ? c->current->priority : -1;
}

/* Where a thread that becomes ready should go: its last CPU when it may run there and
 * would run soon, else an idle CPU it may use, else the allowed CPU with the least work. */
static struct cpu *choose_cpu(struct thread *t)
{
	struct cpu *best = NULL;
	if (t->cpu && allowed(t, t->cpu) && running_priority(t->cpu) < t->priority &&
	    runqueue_top_priority(&t->cpu->rq) < t->priority)
		return t->cpu;
	for (uint32_t i = 0; i < cpu_count(); i++) {
		struct cpu *c = &cpus[i];
		if (!allowed(t, c))
			continue;
		if (!c->current && !c->rq.count)
			return c;
		if (!best || c->rq.count < best->rq.count)
			best = c;
	}
	if (!best)
		panic("sched: thread %u may run on no online CPU", t->id);
	return best;
}

static void enqueue(struct cpu *c, struct thread *t, int front)
{
	t->cpu = c;
	t->state = THREAD_READY;
	t->run.priority = t->priority;
	runqueue_push(&c->rq, &t->run, front);
}

void sched_ready(struct thread *t)
{
	struct cpu *c = choose_cpu(t);
	enqueue(c, t, 0);
	if (t->priority > running_priority(c))
		post_work_on(c, SCHED_WORK_RESCHED);
}

/* The highest-priority thread on c's queue that self may run, or NULL. */
static struct thread *stealable(struct cpu *c, const struct cpu *self)
{
	for (int p = runqueue_top_priority(&c->rq); p >= 0; p--) {
		struct run_entry *head = &c->rq.heads[p];
		for (struct run_entry *e = head->next; e != head; e = e->next)
			if (allowed(thread_of(e), self))
				return thread_of(e);
	}
	return NULL;
}

/* An idle CPU takes the best thread waiting on another CPU's queue that it may run. */
static struct thread *steal(struct cpu *self)
{
	struct thread *best = NULL;
	for (uint32_t i = 0; i < cpu_count(); i++) {
		struct cpu *c = &cpus[i];
		/* An idle CPU's one queued thread runs there next anyway. */
		if (c == self || c->rq.count < (c->current ? 1u : 2u))
			continue;
		struct thread *t = stealable(c, self);
		if (t && (!best || t->priority > best->priority))
			best = t;
	}
	if (best)
		runqueue_remove(&best->cpu->rq, &best->run);
	return best;
}

static struct thread *pick(struct cpu *c)
{
	struct thread *t = thread_of(runqueue_pop(&c->rq));
	return t ? t : steal(c);
}

static void reap_zombie(struct cpu *c)
{
	struct thread *z = c->zombie;
	if (z) {
		c->zombie = NULL;
		thread_reap(z);
	}
}

void sched_after_switch(void)
{
	reap_zombie(this_cpu());
}

/* Program this CPU's timer for the slice's end or the soonest timeout. */
static void sched_timer_fired(struct timer_event *ev, void *ctx)
{
	sched_post_work(SCHED_WORK_TIMER);
}

static void arm_timer(struct cpu *c)
{
	uint64_t when = c->current ? c->slice_end : 0;
	struct list *first = list_first(&timeouts);
	if (first) {
		uint64_t d = list_entry(first, struct thread, timeout_link)->deadline;
		if (!when || d < when)
			when = d;
	}
	if (when && c->sched_timer.armed && c->sched_timer.deadline_ns == when)
		return; /* already so: spare the hardware timer a write (every IPC switch) */
	if (when)
		timer_arm(&c->sched_timer, when, sched_timer_fired, NULL);
	else if (c->sched_timer.armed)
		timer_cancel(&c->sched_timer);
}

/*
 * prev leaves this CPU: its time here counts to it and to its process (exited
 * threads too). In counter ticks: a clock read without clock_ns's divisions,
 * on the IPC hand-off path too.
 */
static void account(struct cpu *c, struct thread *prev)
{
	uint64_t now = clock_ticks();
	if (prev) {
		uint64_t ran = now - c->run_since;
		prev->cpu_ticks += ran;
		prev->proc->cpu_ticks += ran;
	}
	c->run_since = now;
}

uint64_t sched_unaccounted_ticks(const struct thread *t)
{
	if (t->state != THREAD_RUNNING || !t->cpu)
		return 0;
	uint64_t now = clock_ticks();
	return now > t->cpu->run_since ? now - t->cpu->run_since : 0;
}

/* Switch this CPU from its current context to next (NULL: the idle loop). */
static void switch_to(struct cpu *c, struct thread *next)
{
	struct thread *prev = c->current;
	if (prev == next)
		return;
	account(c, prev);
	struct arch_context *from = prev ? (prev->state == THREAD_DEAD ? NULL : &prev->ctx) :
					   &c->idle_ctx;
	arch_thread_switch(prev, next);
	space_activate(next ? next->proc->space : NULL);
	c->current = next;
	if (next) {
		next->state = THREAD_RUNNING;
		next->cpu = c;
	}
	c->switches++;
	arm_timer(c);
	arch_context_switch(from, next ? &next->ctx : &c->idle_ctx);
	/* Back on this context, possibly on another CPU. */
	reap_zombie(this_cpu());
}

/* next gets a fresh slice on this CPU (the timer is armed by switch_to). */
static void start_slice(struct cpu *c)
{
	c->slice_end = clock_ns() + SCHED_SLICE_NS;
}

/*
 * Pick what runs next on this CPU. The running thread (if still RUNNING) keeps
 * the CPU unless a higher priority waits, or an equal one does and its slice
 * is over (or it yields: requeue).
 */
static void schedule(int requeue)
{
	struct cpu *c = this_cpu();
	struct thread *cur = c->current;
	__atomic_fetch_and(&c->work, ~SCHED_WORK_RESCHED, __ATOMIC_RELAXED);
	if (cur && cur->state == THREAD_RUNNING) {
		int top = runqueue_top_priority(&c->rq);
		int over = clock_ns() >= c->slice_end;
		if (top < cur->priority || (top == cur->priority && !over && !requeue)) {
			if (over) {
				start_slice(c);
				arm_timer(c);
			}
			return;
		}
		/* Preempted by a higher priority: first in line again. Slice over or yield: last. */
		enqueue(c, cur, top > cur->priority && !over && !requeue);
	}
	struct thread *next = pick(c);
	if (next)
		start_slice(c);
	if (next == cur && cur) {
		cur->state = THREAD_RUNNING;
		arm_timer(c);
		return;
	}
	switch_to(c, next);
}

static void expire_timeouts(void)
{
	uint64_t now = clock_ns();
	struct list *n;
	while ((n = list_first(&timeouts))) {
		struct thread *t = list_entry(n, struct thread, timeout_link);
		if (t->deadline > now)
			break;
		ipc_cancel_wait(t);
		sched_wake(t, KOSH_E_TIMED_OUT);
	}
}

void sched_do_work(void)
{
	struct cpu *c = this_cpu();
	uint32_t work = __atomic_fetch_and(&c->work, ~(SCHED_WORK_IRQ | SCHED_WORK_TIMER),
					   __ATOMIC_ACQUIRE);
	if (work & SCHED_WORK_IRQ)
		irqobj_deliver_pending();
	if (work & SCHED_WORK_TIMER)
		expire_timeouts();
	if (c->current && clock_ns() >= c->slice_end)
		__atomic_fetch_or(&c->work, SCHED_WORK_RESCHED, __ATOMIC_RELAXED);
	arm_timer(c);
}

void sched_init_cpu(void)
{
	struct cpu *c = this_cpu();
	if (c->in_scheduler)
		return;
	runqueue_init(&c->rq);
	__atomic_store_n(&c->in_scheduler, 1, __ATOMIC_RELEASE);
}

void sched_run_cpu(void)
{
	struct cpu *c = this_cpu();
	arch_irq_save();
	bkl_lock();
	sched_init_cpu();
	for (;;) {
		reap_zombie(c);
		sched_do_work();
		__atomic_fetch_and(&c->work, ~SCHED_WORK_RESCHED, __ATOMIC_RELAXED);
		struct thread *next = pick(c);
		if (next) {
			start_slice(c);
			switch_to(c, next);
			continue;
		}
		arm_timer(c);
		bkl_unlock();
		uint64_t t0 = clock_ns();
		if (!__atomic_load_n(&c->work, __ATOMIC_ACQUIRE))
			arch_idle();
		arch_irq_save();
		c->idle_ns += clock_ns() - t0;
		bkl_lock();
	}
}

static void add_timeout(struct thread *t, uint64_t timeout_ns)
{
	uint64_t now = clock_ns();
	t->deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	list_for_each(pos, &timeouts) {
		if (list_entry(pos, struct thread, timeout_link)->deadline > t->deadline) {
			list_insert_between(&t->timeout_link, pos->prev, pos);
			return;
		}
	}
	list_add_tail(&timeouts, &t->timeout_link);
}

static void prepare_block(struct thread *t, uint64_t timeout_ns)
{
	t->state = THREAD_BLOCKED;
	t->wait_result = KOSH_OK;
	t->deadline = 0;
	if (timeout_ns != KOSH_TIMEOUT_NEVER)
		add_timeout(t, timeout_ns);
}

/*
 * A thread killed while it was running is only kicked (thread_kill): it may be
 * on its way into a wait, already queued on the object. It must not block then,
 * for nothing would ever wake it and its process would never exit; it leaves
 * the wait as a blocked thread that is killed does.
 */
static int killed(struct thread *t)
{
	if (!t->kill)
		return 0;
	ipc_cancel_wait(t);
	sched_unhook(t, KOSH_E_INTERRUPTED);
	return 1;
}

kosh_err_t sched_block(uint64_t timeout_ns)
{
	struct thread *t = thread_current();
	if (killed(t))
		return KOSH_E_INTERRUPTED;
	prepare_block(t, timeout_ns);
	schedule(0);
	return t->wait_result;
}

kosh_err_t sched_block_handoff(struct thread *next, uint64_t timeout_ns)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	if (killed(t)) {
		sched_ready(next);
		return KOSH_E_INTERRUPTED;
	}
	prepare_block(t, timeout_ns);
	if (!allowed(next, c) || next->priority < runqueue_top_priority(&c->rq)) {
		sched_ready(next); /* a higher priority is waiting here: no hand-off */
		schedule(0);
	} else {
		switch_to(c, next); /* next inherits the slice */
	}
	return t->wait_result;
}

void sched_unhook(struct thread *t, kosh_err_t result)
{
	if (list_linked(&t->wait_link))
		list_remove(&t->wait_link);
	if (list_linked(&t->timeout_link))
		list_remove(&t->timeout_link);
	t->deadline = 0;
	t->wait = WAIT_NONE;
	t->wait_obj = NULL;
	t->wait_result = result;
}

void sched_wake(struct thread *t, kosh_err_t result)
{
	if (t->state != THREAD_BLOCKED)
		return;
	sched_unhook(t, result);
	sched_ready(t);
}

void sched_yield(void)
{
	schedule(1);
}

void sched_exit_current(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;
	t->state = THREAD_DEAD;
	c->zombie = t; /* its stack is freed once this CPU has left it */
	struct thread *next = pick(c);
	if (next)
		start_slice(c);
	switch_to(c, next);
	panic("sched: a dead thread was resumed");
}

void sched_suspend_current(void)
{
	struct thread *t = thread_current();
	t->state = THREAD_SUSPENDED;
	schedule(0);
}

void sched_update(struct thread *t)
{
	if (t->state == THREAD_READY) {
		runqueue_remove(&t->cpu->rq, &t->run);
		sched_ready(t);
	} else if (t->state == THREAD_RUNNING) {
		post_work_on(t->cpu, SCHED_WORK_RESCHED);
	}
}

void sched_kick(struct thread *t)
{
	if (t->state == THREAD_RUNNING && t->cpu != this_cpu())
		post_work_on(t->cpu, SCHED_WORK_RESCHED);
}

/* Keep the running thread only while it may run here (affinity changed under it). */
void sched_preempt(void)
{
	struct cpu *c = this_cpu();
	struct thread *cur = c->current;
	if (!(__atomic_load_n(&c->work, __ATOMIC_RELAXED) & SCHED_WORK_RESCHED))
		return; /* nothing asked for: an affinity change asks too (sched_update) */
	if (cur && cur->state == THREAD_RUNNING && !allowed(cur, c)) {
		sched_ready(cur);
		struct thread *next = pick(c);
		if (next)
			start_slice(c);
		switch_to(c, next);
		return;
	}
	schedule(0);
}

struct thread *thread_current(void)
{
	return this_cpu()->current;
}
