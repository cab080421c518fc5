/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the scheduler, threads and processes (kernel/sched.c,
 * thread.c, process.c, sys_thread.c) on real context switches of the fake port
 * (test/fake/thread_fake.c): preemption, round robin, timeouts, wake-ups,
 * kills, the zombie stack, process exit and faults, quota accounting of every
 * object, and the handle checks of every system call of sys_thread.c,
 * sys_ipc.c and sys_handle.c, generated from syscalls.def.
 *
 * Known kernel bugs have a test that is skipped with "BUG-n" (see the report
 * in each); nothing else is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kheap_fake.h"
#include "thread_harness.h"

#include "arch_fake.h"
#include "clock.h"
#include "klog.h"
#include "space.h"
#include "syscall.h"
#include "timer.h"

#define MS 1000000ull

static kosh_handle_t g_n, g_h[8];
static int64_t g_ret[16];
static uint64_t g_bits;

#define ALL_RIGHTS KOSH_RIGHTS_ALL

static struct process *proc_with_notification(struct notification **out)
{
	struct process *p = th_process("p", NULL);
	struct notification *n = th_notification();
	g_n = th_give(p, &n->obj, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_WAIT, 0);
	if (out)
		*out = n;
	return p;
}

/* ---- Preemption ---- */

static void high_waiter(uint64_t arg)
{
	uint64_t bits = 0;
	th_mark("H0");
	UCHECK_EQ(u_wait(g_n, KOSH_TIMEOUT_NEVER, &bits), KOSH_OK);
	UCHECK_EQ(bits, 1);
	th_mark("H1");
}

static void low_signaller(uint64_t arg)
{
	th_mark("L1");
	UCHECK_EQ(u_signal(g_n, 1), KOSH_OK);
	th_mark("L2");
}

static void test_sched_higher_priority_wake_preempts_at_kernel_exit(void **state)
{
	struct process *p = proc_with_notification(NULL);
	th_thread(p, 20, high_waiter, 0);
	th_thread(p, 10, low_signaller, 0);
	th_run();
	/* H runs first; L's signal makes H ready, and L's way back to user mode gives way. */
	assert_string_equal(th_trace, "H0 L1 H1 L2");
}

static void high_sleeper(uint64_t arg)
{
	th_mark("H0");
	g_ret[0] = u_wait(g_n, 5 * MS, NULL);
	th_mark("H1");
}

static void low_spinner(uint64_t arg)
{
	th_mark("L1");
	thread_fake_set_clock(TH_START_NS + 5 * MS - 1);
	user_interrupt(timer_interrupt);
	th_mark("L2");
	thread_fake_set_clock(TH_START_NS + 5 * MS);
	user_interrupt(timer_interrupt); /* H's timeout: H preempts L here */
	th_mark("L3");
}

static void test_sched_timeout_in_interrupt_preempts_lower(void **state)
{
	struct process *p = proc_with_notification(NULL);
	th_thread(p, 20, high_sleeper, 0);
	th_thread(p, 10, low_spinner, 0);
	th_run();
	assert_string_equal(th_trace, "H0 L1 L2 H1 L3");
	assert_int_equal(g_ret[0], KOSH_E_TIMED_OUT);
}

/* ---- Round robin ---- */

static void yielder(uint64_t arg)
{
	for (int i = 0; i < 3; i++) {
		th_mark("%c%d", (char)arg, i);
		UCHECK_EQ(u_yield(), KOSH_OK);
	}
}

static void test_sched_equal_priorities_round_robin_on_yield(void **state)
{
	struct process *p = th_process("p", NULL);
	th_thread(p, 10, yielder, 'A');
	th_thread(p, 10, yielder, 'B');
	th_thread(p, 10, yielder, 'C');
	th_run();
	assert_string_equal(th_trace, "A0 B0 C0 A1 B1 C1 A2 B2 C2");
}

static void marker(uint64_t arg)
{
	th_mark("%c", (char)arg);
}

static void test_sched_yield_keeps_cpu_over_lower_priority(void **state)
{
	struct process *p = th_process("p", NULL);
	th_thread(p, 10, yielder, 'A');
	th_thread(p, 5, marker, 'B');
	th_run();
	assert_string_equal(th_trace, "A0 A1 A2 B");
}

static void slice_user(uint64_t arg)
{
	for (int i = 0; i < 2; i++) {
		th_mark("%c%d", (char)arg, i);
		/* Spin through a whole slice: the slice timer interrupts. */
		thread_fake_set_clock(clock_ns() + SCHED_SLICE_NS);
		user_interrupt(timer_interrupt);
	}
}

static void test_sched_slice_end_round_robin(void **state)
{
	struct process *p = th_process("p", NULL);
	th_thread(p, 10, slice_user, 'A');
	th_thread(p, 10, slice_user, 'B');
	th_run();
	assert_string_equal(th_trace, "A0 B0 A1 B1");
}

static void test_sched_slice_end_alone_keeps_running(void **state)
{
	struct process *p = th_process("p", NULL);
	th_thread(p, 10, slice_user, 'A');
	th_thread(p, 9, marker, 'B');
	th_run();
	assert_string_equal(th_trace, "A0 A1 B");
}

/* ---- Timeouts ---- */

static void sleeper(uint64_t arg)
{
	th_mark("S0");
	g_ret[0] = u_wait(g_n, arg, &g_bits);
	th_mark("S1");
}

static void test_sched_timeout_wakes_at_deadline_not_before(void **state)
{
	struct process *p = proc_with_notification(NULL);
	struct thread *t = th_thread(p, 10, sleeper, 1 * MS);
	uint64_t deadline = TH_START_NS + 1 * MS;
	th_run();
	assert_string_equal(th_trace, "S0");
	assert_int_equal(t->state, THREAD_BLOCKED);
	assert_int_equal(arch_fake.timer_deadline, deadline); /* the CPU's timer is set for it */

	/* A timer interrupt one nanosecond early wakes nothing. */
	thread_fake_set_clock(deadline - 1);
	timer_interrupt();
	th_run();
	/* Nor does the timeout work itself, if it runs early (a spurious timer). */
	sched_post_work(SCHED_WORK_TIMER);
	th_run();
	assert_int_equal(t->state, THREAD_BLOCKED);
	assert_string_equal(th_trace, "S0");

	th_advance(deadline);
	assert_string_equal(th_trace, "S0 S1");
	assert_int_equal(g_ret[0], KOSH_E_TIMED_OUT);
	assert_int_equal(g_bits, 0);
	assert_int_equal(t->state, THREAD_DEAD);
}

static void test_sched_timeouts_expire_in_deadline_order(void **state)
{
	struct process *p = proc_with_notification(NULL);
	th_thread(p, 10, sleeper, 3 * MS);
	th_thread(p, 10, sleeper, 1 * MS);
	th_thread(p, 10, sleeper, 2 * MS);
	th_run();
	assert_string_equal(th_trace, "S0 S0 S0");
	th_advance(TH_START_NS + 1 * MS);
	assert_string_equal(th_trace, "S0 S0 S0 S1");
	assert_int_equal(arch_fake.timer_deadline, TH_START_NS + 2 * MS);
	th_advance(TH_START_NS + 3 * MS); /* both remaining, in one interrupt */
	assert_string_equal(th_trace, "S0 S0 S0 S1 S1 S1");
}

static void test_sched_signal_before_deadline_cancels_timeout(void **state)
{
	struct notification *n;
	struct process *p = proc_with_notification(&n);
	struct thread *t = th_thread(p, 10, sleeper, 1 * MS);
	th_run();
	bkl_lock();
	notification_signal(n, 0x30);
	bkl_unlock();
	th_run();
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal(g_bits, 0x30);
	assert_int_equal(t->state, THREAD_DEAD);
	th_advance(TH_START_NS + 2 * MS); /* its old deadline passes: nothing is left to wake */
	assert_string_equal(th_trace, "S0 S1");
}

/* ---- sched_wake of threads that are not blocked ---- */

static uint32_t g_state_seen, g_rq_seen;
static kosh_err_t g_result_seen;

static void wake_self(uint64_t arg)
{
	bkl_lock();
	struct thread *self = thread_current();
	self->wait_result = 77;
	sched_wake(self, KOSH_E_INTERRUPTED);
	g_state_seen = self->state;
	g_rq_seen = cpus[0].rq.count;
	g_result_seen = self->wait_result;
	bkl_unlock();
}

static void test_sched_wake_of_non_blocked_thread_does_nothing(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *fresh = th_thread_new(p, 10);
	struct thread *t = th_thread_new(p, 10);

	bkl_lock();
	sched_wake(fresh, KOSH_E_INTERRUPTED); /* NEW */
	bkl_unlock();
	assert_int_equal(fresh->state, THREAD_NEW);
	assert_int_equal(fresh->wait_result, KOSH_OK);
	assert_int_equal(cpus[0].rq.count, 0);

	th_start(t, wake_self, 0);
	bkl_lock();
	sched_wake(t, KOSH_E_INTERRUPTED); /* READY */
	bkl_unlock();
	assert_int_equal(t->state, THREAD_READY);
	assert_int_equal(t->wait_result, KOSH_OK);
	assert_int_equal(cpus[0].rq.count, 1);

	bkl_lock();
	thread_suspend(t);
	sched_wake(t, KOSH_E_INTERRUPTED); /* SUSPENDED */
	bkl_unlock();
	assert_int_equal(t->state, THREAD_SUSPENDED);
	assert_int_equal(cpus[0].rq.count, 0);
	th_run();
	assert_int_equal(t->state, THREAD_SUSPENDED);

	bkl_lock();
	thread_resume(t);
	bkl_unlock();
	th_run(); /* RUNNING: it wakes itself */
	assert_int_equal(g_state_seen, THREAD_RUNNING);
	assert_int_equal(g_rq_seen, 0);
	assert_int_equal(g_result_seen, 77);

	assert_int_equal(t->state, THREAD_DEAD);
	bkl_lock();
	sched_wake(t, KOSH_E_INTERRUPTED); /* DEAD */
	bkl_unlock();
	assert_int_equal(t->state, THREAD_DEAD);
	assert_int_equal(cpus[0].rq.count, 0);
	th_run();
}

/* ---- Kills ---- */

static void test_thread_kill_blocked_wakes_interrupted_and_dies(void **state)
{
	struct process *p = proc_with_notification(NULL);
	struct thread *t = th_thread(p, 10, sleeper, 1 * MS);
	th_run();
	assert_int_equal(t->state, THREAD_BLOCKED);
	bkl_lock();
	thread_kill(t);
	assert_int_equal(t->state, THREAD_READY);
	assert_int_equal(t->wait_result, KOSH_E_INTERRUPTED);
	bkl_unlock();
	th_run();
	assert_int_equal(t->state, THREAD_DEAD);
	assert_string_equal(th_trace, "S0"); /* it never got back to user mode */
	/* Its process's only thread is gone: the process has exited. */
	assert_int_equal(p->state, PROCESS_EXITED);
	assert_int_equal(p->exit_status, KOSH_EXIT_KILLED);
	th_advance(TH_START_NS + 2 * MS); /* its deadline passes harmlessly */
}

static void test_thread_kill_new_thread_never_runs(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *t = th_thread_new(p, 10);
	bkl_lock();
	thread_kill(t);
	bkl_unlock();
	assert_int_equal(t->state, THREAD_DEAD);
	bkl_lock();
	assert_int_equal(thread_start(t, (uint64_t)(uintptr_t)marker, 0, 'X', 0), KOSH_E_BAD_STATE);
	bkl_unlock();
	th_run();
	assert_string_equal(th_trace, "");
}

/* ---- The zombie: a dead thread's stack and reference ---- */

static void test_thread_dead_stack_freed_after_switch_away(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *a = th_thread(p, 10, marker, 'A');
	struct thread *b = th_thread(p, 10, marker, 'B');
	uint64_t top_a = a->kstack_top, top_b = b->kstack_top;
	assert_int_equal(a->obj.refs, 2); /* ours and its running reference */
	assert_true(thread_fake_stack_live(top_a));
	th_run();
	assert_string_equal(th_trace, "A B");
	assert_int_equal(a->state, THREAD_DEAD);
	assert_int_equal(b->state, THREAD_DEAD);
	/* Each died on its own stack, which was freed by the context that came next. */
	assert_int_equal(thread_fake.dead_switches, 2);
	assert_int_equal(thread_fake.dead_stack_gone, 0);
	assert_int_equal(thread_fake.stack_free_in_use, 0);
	assert_false(thread_fake_stack_live(top_a));
	assert_false(thread_fake_stack_live(top_b));
	assert_int_equal(thread_fake.stacks_freed, 2);
	assert_int_equal(a->kstack_top, 0);
	assert_null(cpus[0].zombie);
	assert_ptr_equal(thread_fake.last_prev, b);
	assert_null(thread_fake.last_next); /* the idle loop */
	/* The running reference is gone; ours is the last. */
	assert_int_equal(a->obj.refs, 1);
	assert_int_equal(b->obj.refs, 1);
	assert_int_equal(p->state, PROCESS_EXITED);
}

static kosh_handle_t g_self;

static void close_own_handle(uint64_t arg)
{
	UCHECK_EQ(u_close(g_self), KOSH_OK); /* the last handle to this thread */
	UCHECK_EQ(u_yield(), KOSH_OK);
	th_mark("alive");
}

static void test_thread_running_reference_outlives_last_handle(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *t;
	uint64_t used = th_quota.used, kfrees = kheap_fake.kfrees;
	bkl_lock();
	assert_int_equal(thread_create(p, &th_quota, 10, &t), KOSH_OK);
	bkl_unlock();
	assert_int_equal(cap_insert(&p->caps, &t->obj, ALL_RIGHTS, 0, &g_self), KOSH_OK);
	bkl_lock();
	assert_int_equal(thread_start(t, (uint64_t)(uintptr_t)close_own_handle, 0, 0, 0), KOSH_OK);
	bkl_unlock();
	th_run();
	assert_string_equal(th_trace, "alive");
	/* Reaped and destroyed: its charge is back, its memory freed. */
	assert_int_equal(th_quota.used, used);
	assert_true(kheap_fake.kfrees >= kfrees + 2);
}

/* ---- Priority changes, suspension, affinity ---- */

static void lower_self(uint64_t arg)
{
	th_mark("T0");
	UCHECK_EQ(usys(KOSH_SYS_thread_set_priority, g_self, 21, 0, 0, 0, 0, 0),
		  KOSH_E_ACCESS_DENIED);
	UCHECK_EQ(usys(KOSH_SYS_thread_set_priority, g_self, 64, 0, 0, 0, 0, 0),
		  KOSH_E_OUT_OF_RANGE);
	UCHECK_EQ(usys(KOSH_SYS_thread_set_priority, g_self, 5, 0, 0, 0, 0, 0), KOSH_OK);
	th_mark("T1");
}

static void test_sched_lowering_own_priority_gives_way(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *t = th_thread_new(p, 20);
	g_self = th_give(p, &t->obj, ALL_RIGHTS, 0);
	th_start(t, lower_self, 0);
	th_thread(p, 10, marker, 'U');
	th_run();
	assert_string_equal(th_trace, "T0 U T1");
	assert_int_equal(t->priority, 5);
}

static void tls_setter(uint64_t arg)
{
	UCHECK_EQ(usys(KOSH_SYS_thread_set_tls, g_self, 0x7000beef0000ull, 0, 0, 0, 0, 0), KOSH_OK);
	UCHECK_EQ(usys(KOSH_SYS_thread_set_tls, g_self, arch_user_top(), 0, 0, 0, 0, 0),
		  KOSH_E_BAD_ADDRESS);
	UCHECK_EQ(usys(KOSH_SYS_thread_set_tls, g_self, ~0ull, 0, 0, 0, 0, 0), KOSH_E_BAD_ADDRESS);
	th_mark("T");
}

static void test_thread_set_tls_takes_only_user_addresses(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *t = th_thread_new(p, 20);
	g_self = th_give(p, &t->obj, ALL_RIGHTS, 0);
	th_start(t, tls_setter, 0);
	th_run();
	assert_string_equal(th_trace, "T");
	assert_int_equal(t->arch.tls_base, 0x7000beef0000ull);
}

static void suspender(uint64_t arg)
{
	UCHECK_EQ(usys(KOSH_SYS_thread_suspend, g_h[0], 0, 0, 0, 0, 0, 0), KOSH_OK);
	th_mark("S0");
	UCHECK_EQ(u_wait(g_n, 1 * MS, NULL), KOSH_E_TIMED_OUT);
	UCHECK_EQ(usys(KOSH_SYS_thread_resume, g_h[0], 0, 0, 0, 0, 0, 0), KOSH_OK);
	th_mark("S1");
}

static void test_sched_suspend_and_resume(void **state)
{
	struct process *p = proc_with_notification(NULL);
	struct thread *t = th_thread_new(p, 10);
	g_h[0] = th_give(p, &t->obj, ALL_RIGHTS, 0);
	th_start(t, marker, 'T');
	th_thread(p, 20, suspender, 0);
	th_run();
	assert_string_equal(th_trace, "S0");
	assert_int_equal(t->state, THREAD_SUSPENDED);
	th_advance(TH_START_NS + 1 * MS);
	assert_string_equal(th_trace, "S0 S1 T");
}

static void set_affinity(uint64_t arg)
{
	g_ret[0] = usys(KOSH_SYS_thread_set_affinity, g_self, 0, 0, 0, 0, 0, 0);
	g_ret[1] = usys(KOSH_SYS_thread_set_affinity, g_self, 2, 0, 0, 0, 0, 0);
	g_ret[2] = usys(KOSH_SYS_thread_set_affinity, g_self, 3, 0, 0, 0, 0, 0);
	th_mark("still here");
}

static void test_sched_affinity_must_name_an_online_cpu(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *t = th_thread_new(p, 10);
	g_self = th_give(p, &t->obj, ALL_RIGHTS, 0);
	th_start(t, set_affinity, 0);
	th_run();
	assert_int_equal(g_ret[0], KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(g_ret[1], KOSH_E_INVALID_ARGUMENT); /* only CPU 0 is online */
	assert_int_equal(g_ret[2], KOSH_OK);
	assert_int_equal(t->affinity, 3);
	assert_string_equal(th_trace, "still here");
}

/* ---- Processes ---- */

static unsigned g_released;

static void count_release(struct kobject *o)
{
	g_released++;
}

static void blocked_forever(uint64_t arg)
{
	th_mark("B");
	u_wait(g_n, KOSH_TIMEOUT_NEVER, NULL);
	th_mark("B-after"); /* never */
}

static void spin_yield(uint64_t arg)
{
	th_mark("Y");
	for (;;)
		u_yield();
}

static void exiter(uint64_t arg)
{
	/* An endpoint only this process holds, created through its quota handle. */
	int64_t h = usys(KOSH_SYS_endpoint_create, g_h[0], 0, 0, 0, 0, 0, 0);
	UCHECK(h > 0);
	th_mark("E");
	usys(KOSH_SYS_exit, arg, 0, 0, 0, 0, 0, 0);
	th_mark("E-after"); /* never */
}

static void process_waiter(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {g_h[1], arg ? arg : KOSH_TIMEOUT_NEVER};
	g_ret[0] = user_syscall(KOSH_SYS_process_wait, r);
	g_ret[1] = (int64_t)r[1];
	th_mark("W");
}

static void test_process_exit_kills_threads_closes_table_wakes_waiters(void **state)
{
	static struct kobject only_here;
	struct process *p = proc_with_notification(NULL);
	struct process *q = th_process("waiter", NULL);
	g_released = 0;
	kobject_init(&only_here, KOSH_OBJ_LOG, count_release);
	kosh_handle_t h;
	assert_int_equal(cap_insert(&p->caps, &only_here, KOSH_RIGHT_READ, 0, &h), KOSH_OK);
	g_h[0] = th_give(p, &th_quota.obj, KOSH_RIGHT_MANAGE, 0);
	g_h[1] = th_give(q, &p->obj, KOSH_RIGHT_WAIT, 0);
	struct thread *t1 = th_thread(p, 10, blocked_forever, 0);
	struct thread *t2 = th_thread(p, 10, spin_yield, 0);
	struct thread *t3 = th_thread(p, 10, exiter, 0x1234567842ull);
	th_thread(q, 15, process_waiter, 0);
	uint64_t used = th_quota.used, spaces = thread_fake.spaces_released;
	th_run();
	assert_string_equal(th_trace, "B Y E W");
	assert_int_equal(t1->state, THREAD_DEAD);
	assert_int_equal(t2->state, THREAD_DEAD);
	assert_int_equal(t3->state, THREAD_DEAD);
	assert_int_equal(p->state, PROCESS_EXITED);
	assert_int_equal(p->live_threads, 0);
	/* The waiter learns the status: exit's argument's low 32 bits. */
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal(g_ret[1], 0x34567842ull);
	/* Its table is closed: what it alone held is gone, its space released. */
	assert_int_equal(p->caps.used, 0);
	assert_int_equal(g_released, 1);
	assert_null(p->space);
	/* p's space, and q's: the waiter was q's only thread, and it returned. */
	assert_int_equal(thread_fake.spaces_released, spaces + 2);
	assert_int_equal(th_quota.used, used); /* the endpoint's charge is back */
}

static void test_process_wait_timeout_kill_and_after_exit(void **state)
{
	struct process *p = proc_with_notification(NULL);
	struct process *q = th_process("waiter", NULL);
	g_h[1] = th_give(q, &p->obj, KOSH_RIGHT_WAIT, 0);
	th_thread(p, 5, blocked_forever, 0);
	struct thread *w = th_thread(q, 10, process_waiter, 2 * MS);
	struct thread *killed = th_thread(q, 10, process_waiter, 0);
	th_run();
	assert_string_equal(th_trace, "B");
	assert_int_equal(w->state, THREAD_BLOCKED);
	/* One waiter is killed: it leaves p's waiters and never returns. */
	bkl_lock();
	thread_kill(killed);
	bkl_unlock();
	th_run();
	assert_int_equal(killed->state, THREAD_DEAD);
	/* The other times out. */
	th_advance(TH_START_NS + 2 * MS - 1);
	assert_int_equal(w->state, THREAD_BLOCKED);
	th_advance(TH_START_NS + 2 * MS);
	assert_string_equal(th_trace, "B W");
	assert_int_equal(g_ret[0], KOSH_E_TIMED_OUT);
	assert_true(list_empty(&p->waiters));
	/* Killed from outside with a status; a later wait does not block. */
	bkl_lock();
	process_kill(p, 99);
	bkl_unlock();
	th_run();
	assert_int_equal(p->state, PROCESS_EXITED);
	assert_int_equal(p->exit_status, 99);
	uint64_t status = 0;
	assert_int_equal(process_wait(p, 0, &status), KOSH_OK);
	assert_int_equal(status, 99);
}

static void killer(uint64_t arg)
{
	g_ret[2] = usys(KOSH_SYS_process_kill, g_h[2], 0x1234567855ull, 0, 0, 0, 0, 0);
	g_ret[3] =
	    usys(KOSH_SYS_process_kill, g_h[2], 7, 0, 0, 0, 0, 0); /* the first status wins */
	th_mark("K");
}

static void test_process_kill_stops_every_thread_with_status(void **state)
{
	struct process *p = proc_with_notification(NULL);
	struct process *q = th_process("killer", NULL);
	g_h[1] = th_give(q, &p->obj, KOSH_RIGHT_WAIT, 0);
	g_h[2] = th_give(q, &p->obj, KOSH_RIGHT_MANAGE, 0);
	struct thread *b = th_thread(p, 10, blocked_forever, 0);
	struct thread *y = th_thread(p, 5, spin_yield, 0); /* running: it yields to the killer */
	struct thread *fresh = th_thread_new(p, 10);
	th_thread(q, 20, process_waiter, 0);
	th_thread(q, 5, killer, 0);
	th_run();
	/* The kill wakes b (10), which preempts the killer (5) to die; the preempted
	 * killer is first in line again and makes its second call; y dies next, and
	 * then the waiter (20) learns the status. */
	assert_string_equal(th_trace, "B Y K W");
	assert_int_equal(g_ret[2], KOSH_OK);
	assert_int_equal(g_ret[3], KOSH_OK);
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal(g_ret[1], 0x34567855ull);
	assert_int_equal(b->state, THREAD_DEAD);
	assert_int_equal(y->state, THREAD_DEAD);
	assert_int_equal(fresh->state, THREAD_DEAD);
	assert_int_equal(p->state, PROCESS_EXITED);
}

static void killed_killer(uint64_t arg)
{
	g_ret[2] = usys(KOSH_SYS_process_kill, g_h[2], KOSH_EXIT_KILLED, 0, 0, 0, 0, 0);
	g_ret[3] = usys(KOSH_SYS_process_kill, g_h[3], KOSH_EXIT_KILLED | 1, 0, 0, 0, 0, 0);
	th_mark("K");
}

/* KOSH_EXIT_KILLED alone is kept as the status; with other bits, the low 32 are. */
static void test_process_kill_with_killed_status(void **state)
{
	struct process *p = th_process("p", NULL), *p2 = th_process("p2", NULL);
	struct process *q = th_process("killer", NULL);
	g_h[2] = th_give(q, &p->obj, KOSH_RIGHT_MANAGE, 0);
	g_h[3] = th_give(q, &p2->obj, KOSH_RIGHT_MANAGE, 0);
	th_thread(q, 5, killed_killer, 0);
	th_run();
	assert_string_equal(th_trace, "K");
	assert_int_equal(g_ret[2], KOSH_OK);
	assert_int_equal(g_ret[3], KOSH_OK);
	assert_int_equal(p->state, PROCESS_EXITED);
	assert_int_equal(p->exit_status, KOSH_EXIT_KILLED);
	assert_int_equal(p2->exit_status, 1);
}

static void faulter(uint64_t arg)
{
	th_mark("F");
	user_fault_now(KOSH_FAULT_PAGE, 0xdead0000ull, 0x401000, KOSH_FAULT_WRITE);
	th_mark("F-after"); /* never */
}

static void bad_syscaller(uint64_t arg)
{
	th_mark("X");
	usys(4000, 0, 0, 0, 0, 0, 0, 0);
	th_mark("X-after"); /* never */
}

static void test_process_fault_without_endpoint_kills_faulted(void **state)
{
	struct process *p = proc_with_notification(NULL);
	struct process *q = th_process("waiter", NULL);
	g_h[1] = th_give(q, &p->obj, KOSH_RIGHT_WAIT, 0);
	struct thread *other = th_thread(p, 12, blocked_forever, 0);
	th_thread(p, 10, faulter, 0);
	th_thread(q, 15, process_waiter, 0);
	uint64_t seq = klog_next_seq();
	th_run();
	assert_string_equal(th_trace, "B F W");
	assert_int_equal(other->state, THREAD_DEAD);
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal((uint64_t)g_ret[1], KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE);
	/* One report in the kernel log, naming the fault. */
	struct klog_record rec;
	int found = 0;
	for (uint64_t s = seq; s < klog_next_seq(); s++)
		if (klog_read(s, &rec) == 1 && rec.seq == s &&
		    strstr(rec.text, "page fault at 0xdead0000"))
			found++;
	assert_int_equal(found, 1);
}

static void test_process_bad_syscall_number_is_a_fault(void **state)
{
	struct process *p = th_process("p", NULL);
	struct process *q = th_process("waiter", NULL);
	g_h[1] = th_give(q, &p->obj, KOSH_RIGHT_WAIT, 0);
	th_thread(p, 10, bad_syscaller, 0);
	th_thread(q, 15, process_waiter, 0);
	th_run();
	assert_string_equal(th_trace, "X W");
	assert_int_equal((uint64_t)g_ret[1], KOSH_EXIT_FAULTED | KOSH_FAULT_BAD_SYSCALL);
}

/* ---- Quotas: exact charges ---- */

static uint64_t quota_used_u(kosh_handle_t hq)
{
	struct kosh_quota_info info = {0, 0};
	UCHECK_EQ(usys(KOSH_SYS_quota_info, hq, (uint64_t)(uintptr_t)&info, 0, 0, 0, 0, 0),
		  KOSH_OK);
	return info.used;
}

static void creator(uint64_t arg)
{
	kosh_handle_t hq = g_h[0], hp = g_h[1], hs = g_h[2];
	int64_t h[16];
	int n = 0;
	uint64_t u0 = quota_used_u(hq), last = u0;
	/* Every creation charges something; every close of the last handle gives it back. */
	static const char name[] = "child";
	for (int i = 0; i < 2; i++) {
		h[n++] = usys(KOSH_SYS_thread_create, hp, 0, 0, 0, 0, 0, 0);
		h[n++] = usys(KOSH_SYS_endpoint_create, hq, 0, 0, 0, 0, 0, 0);
		h[n++] = usys(KOSH_SYS_notification_create, hq, 0, 0, 0, 0, 0, 0);
		h[n++] =
		    usys(KOSH_SYS_process_create, hq, hs, (uint64_t)(uintptr_t)name, 5, 0, 0, 0);
	}
	for (int i = 0; i < n; i++)
		UCHECK(h[i] > 0);
	/* Each kind charged, and a started thread that ran and exited changes nothing. */
	UCHECK(quota_used_u(hq) > last);
	int64_t started = usys(KOSH_SYS_thread_create, hp, 0, 0, 0, 0, 0, 0);
	UCHECK(started > 0);
	UCHECK_EQ(
	    usys(KOSH_SYS_thread_start, started, (uint64_t)(uintptr_t)marker, 0, 'K', 0, 0, 0),
	    KOSH_OK);
	UCHECK_EQ(u_yield(), KOSH_OK); /* same priority: it runs and exits */
	h[n++] = started;
	int64_t child_q = usys(KOSH_SYS_quota_create, hq, 4096, 0, 0, 0, 0, 0);
	UCHECK(child_q > 0);
	h[n++] = child_q;
	for (int i = 0; i < n; i++)
		UCHECK_EQ(u_close((kosh_handle_t)h[i]), KOSH_OK);
	UCHECK_EQ(quota_used_u(hq), u0);
	th_mark("done");
}

static void test_quota_every_create_charged_every_destroy_uncharged(void **state)
{
	struct process *p = th_process("p", NULL);
	struct space *s = fake_space_create();
	g_h[0] = th_give(p, &th_quota.obj, KOSH_RIGHT_MANAGE | KOSH_RIGHT_READ, 0);
	g_h[1] = th_give(p, &p->obj, ALL_RIGHTS, 0);
	g_h[2] = th_give(p, &s->obj, KOSH_RIGHT_MANAGE, 0);
	kobject_put(&s->obj);
	th_thread(p, 10, creator, 0);
	uint64_t used = th_quota.used;
	th_run();
	assert_string_equal(th_trace, "K done");
	assert_int_equal(th_quota.used, used);
}

static struct quota small_quota;

static void dissolve_small(void)
{
	assert_int_equal(quota_dissolve(&small_quota), KOSH_OK);
}

static void exhaust(uint64_t arg)
{
	kosh_handle_t hq = g_h[0], hp = g_h[1];
	uint64_t before = quota_used_u(hq);
	/* The quota has room for nothing: every creation fails and charges nothing. */
	g_ret[0] = usys(KOSH_SYS_endpoint_create, hq, 0, 0, 0, 0, 0, 0);
	g_ret[1] = usys(KOSH_SYS_notification_create, hq, 0, 0, 0, 0, 0, 0);
	g_ret[2] = usys(KOSH_SYS_thread_create, hp, 0, 0, 0, 0, 0,
			0); /* charged to this process's quota */
	g_ret[3] = usys(KOSH_SYS_quota_create, hq, 1, 0, 0, 0, 0, 0);
	UCHECK_EQ(quota_used_u(hq), before);
	th_mark("done");
}

static void test_quota_exhausted_gives_no_memory(void **state)
{
	uint64_t charge = sizeof(struct process) + PROCESS_CAP_SLOTS * sizeof(struct cap_slot);
	assert_int_equal(quota_split(&th_quota, &small_quota, charge + 16), KOSH_OK);
	th_cleanup = dissolve_small;
	struct process *p = th_process("small", &small_quota);
	g_h[0] = th_give(p, &small_quota.obj, KOSH_RIGHT_MANAGE | KOSH_RIGHT_READ, 0);
	g_h[1] = th_give(p, &p->obj, ALL_RIGHTS, 0);
	th_thread(p, 10, exhaust, 0);
	th_run();
	assert_string_equal(th_trace, "done");
	for (int i = 0; i < 4; i++)
		assert_int_equal(g_ret[i], KOSH_E_NO_MEMORY);
	assert_int_equal(small_quota.used, charge);
}

static void alloc_failures(uint64_t arg)
{
	kosh_handle_t hq = g_h[0], hp = g_h[1];
	uint64_t before = quota_used_u(hq), kmallocs = kheap_fake.kmallocs;
	uint64_t kfrees = kheap_fake.kfrees;
	kheap_fake.fail_after = 0;
	g_ret[0] = usys(KOSH_SYS_endpoint_create, hq, 0, 0, 0, 0, 0, 0);
	g_ret[1] = usys(KOSH_SYS_notification_create, hq, 0, 0, 0, 0, 0, 0);
	g_ret[2] = usys(KOSH_SYS_thread_create, hp, 0, 0, 0, 0, 0, 0);
	kheap_fake.fail_after = 1; /* the thread object, not its message buffer */
	g_ret[3] = usys(KOSH_SYS_thread_create, hp, 0, 0, 0, 0, 0, 0);
	kheap_fake.fail_after = -1;
	thread_fake.stack_fail_after = 0;
	g_ret[4] = usys(KOSH_SYS_thread_create, hp, 0, 0, 0, 0, 0, 0);
	thread_fake.stack_fail_after = -1;
	UCHECK_EQ(quota_used_u(hq), before);
	/* The thread objects and the message buffer that were made, freed again. */
	UCHECK_EQ(kheap_fake.kmallocs - kmallocs, 3);
	UCHECK_EQ(kheap_fake.kfrees - kfrees, 3);
	th_mark("done");
}

static void test_quota_allocation_failure_charges_nothing(void **state)
{
	struct process *p = th_process("p", NULL);
	g_h[0] = th_give(p, &th_quota.obj, KOSH_RIGHT_MANAGE | KOSH_RIGHT_READ, 0);
	g_h[1] = th_give(p, &p->obj, ALL_RIGHTS, 0);
	th_thread(p, 10, alloc_failures, 0);
	th_run();
	assert_string_equal(th_trace, "done");
	for (int i = 0; i < 5; i++)
		assert_int_equal(g_ret[i], KOSH_E_NO_MEMORY);
}

/* ---- The handle checks of every system call, from syscalls.def ---- */

struct row {
	uint32_t number;
	const char *name;
	int args;
	uint32_t object; /* KOSH_OBJ_* */
	uint32_t right;
};

static const struct row rows[] = {
#define KOSH_SYSCALL(number, name, args, object, right, text)                                      \
	{number, #name, args, KOSH_OBJ_##object, right},
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
};

/* 1 if kernel/<file> defines sys_<name> (the handlers under test). */
static int handler_in(const char *file, const char *name)
{
	char path[512], pattern[128], line[512];
	snprintf(path, sizeof(path), "%s/kernel/%s", KOSH_SOURCE_DIR, file);
	snprintf(pattern, sizeof(pattern), "int64_t sys_%s(", name);
	FILE *f = fopen(path, "r");
	int found = 0;
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, pattern, strlen(pattern)) == 0;
	fclose(f);
	return found;
}

static int under_test(const char *name)
{
	return handler_in("sys_thread.c", name) || handler_in("sys_ipc.c", name) ||
	       handler_in("sys_handle.c", name);
}

/* Objects of each type for the matrix, each with every right. */
struct matrix {
	kosh_handle_t full[KOSH_OBJ_COUNT];
	kosh_handle_t give; /* a handle process_give may copy */
	struct kosh_handle_info info;
	char log[8192];
	unsigned cases, failures, rows_checked;
};
static struct matrix mx;

static void mx_fail(const char *name, const char *what, int64_t got, int64_t want)
{
	size_t n = strlen(mx.log);
	mx.failures++;
	snprintf(mx.log + n, sizeof(mx.log) - n, "  %s, %s: got %lld, want %lld\n", name, what,
		 (long long)got, (long long)want);
}

/* The other arguments: harmless, so that only the handle decides. */
static void mx_args(const struct row *row, kosh_handle_t h, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	memset(r, 0, KOSH_SYSCALL_ARGS_MAX * sizeof(r[0]));
	r[0] = h;
	if (!strcmp(row->name, "thread_set_affinity"))
		r[1] = 1;
	if (!strcmp(row->name, "thread_start"))
		r[1] = (uint64_t)(uintptr_t)marker, r[3] = '.';
	if (!strcmp(row->name, "process_give"))
		r[1] = mx.give;
	if (!strcmp(row->name, "handle_info"))
		r[1] = (uint64_t)(uintptr_t)&mx.info;
	if (!strcmp(row->name, "handle_dup"))
		r[1] = KOSH_RIGHT_READ;
	if (!strcmp(row->name, "notification_bind"))
		r[1] = mx.full[KOSH_OBJ_ENDPOINT];
	if (!strcmp(row->name, "process_create"))
		r[1] = mx.full[KOSH_OBJ_SPACE];
}

static int64_t mx_run(const struct row *row, kosh_handle_t h)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	mx_args(row, h, r);
	mx.cases++;
	return user_syscall(row->number, r);
}

static void mx_expect(const struct row *row, const char *what, kosh_handle_t h, int64_t want)
{
	int64_t got = mx_run(row, h);
	if (got != want)
		mx_fail(row->name, what, got, want);
}

static void matrix_runner(uint64_t arg)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		int any_type = !strncmp(row->name, "handle_", 7);
		if (!under_test(row->name) || (row->object == KOSH_OBJ_NONE && !any_type))
			continue;
		mx.rows_checked++;
		uint32_t type = row->object != KOSH_OBJ_NONE ? row->object : KOSH_OBJ_ENDPOINT;
		kosh_handle_t full = mx.full[type];
		/* Control: the right type with every right passes the handle checks. */
		kosh_handle_t h = (kosh_handle_t)u_dup(full, ALL_RIGHTS, 0);
		int64_t got = mx_run(row, h);
		if (got == KOSH_E_BAD_HANDLE || got == KOSH_E_WRONG_TYPE ||
		    got == KOSH_E_ACCESS_DENIED)
			mx_fail(row->name, "every right", got, 0);
		u_close(h);
		/* Another type of object. */
		if (!any_type) {
			uint32_t other = type == KOSH_OBJ_NOTIFICATION ? KOSH_OBJ_ENDPOINT
								       : KOSH_OBJ_NOTIFICATION;
			h = (kosh_handle_t)u_dup(mx.full[other], ALL_RIGHTS, 0);
			mx_expect(row, "wrong type", h, KOSH_E_WRONG_TYPE);
			u_close(h);
		}
		/* Every right but the one required. */
		if (row->right) {
			h = (kosh_handle_t)u_dup(full, ALL_RIGHTS & ~row->right, 0);
			mx_expect(row, "right missing", h, KOSH_E_ACCESS_DENIED);
			u_close(h);
		}
		/* Closed; closed with its slot reused; never a handle at all. */
		h = (kosh_handle_t)u_dup(full, ALL_RIGHTS, 0);
		u_close(h);
		mx_expect(row, "closed", h, KOSH_E_BAD_HANDLE);
		kosh_handle_t again = (kosh_handle_t)u_dup(full, ALL_RIGHTS, 0);
		if (KOSH_HANDLE_SLOT(again) != KOSH_HANDLE_SLOT(h) || again == h)
			mx_fail(row->name, "slot reuse", again, h);
		mx_expect(row, "closed, slot reused", h, KOSH_E_BAD_HANDLE);
		u_close(again);
		mx_expect(row, "handle 0", KOSH_HANDLE_INVALID, KOSH_E_BAD_HANDLE);
		uint64_t r[KOSH_SYSCALL_ARGS_MAX];
		mx_args(row, full, r);
		r[0] = (1ull << 32) | full; /* above 32 bits */
		mx.cases++;
		got = user_syscall(row->number, r);
		if (got != KOSH_E_BAD_HANDLE)
			mx_fail(row->name, "handle above 32 bits", got, KOSH_E_BAD_HANDLE);
	}
	th_mark("matrix done");
}

static void test_syscall_handle_rights_matrix(void **state)
{
	struct process *p = th_process("p", NULL);
	struct process *target = th_process("target", NULL);
	struct space *s = fake_space_create();
	struct thread *victim = th_thread_new(target, 1);
	memset(&mx, 0, sizeof(mx));
	mx.full[KOSH_OBJ_PROCESS] = th_give(p, &target->obj, ALL_RIGHTS, 0);
	mx.full[KOSH_OBJ_THREAD] = th_give(p, &victim->obj, ALL_RIGHTS, 0);
	mx.full[KOSH_OBJ_SPACE] = th_give(p, &s->obj, ALL_RIGHTS, 0);
	mx.full[KOSH_OBJ_ENDPOINT] = th_give(p, &th_endpoint()->obj, ALL_RIGHTS, 0);
	mx.full[KOSH_OBJ_NOTIFICATION] = th_give(p, &th_notification()->obj, ALL_RIGHTS, 0);
	mx.full[KOSH_OBJ_QUOTA] = th_give(p, &th_quota.obj, ALL_RIGHTS, 0);
	struct reply *rp; /* answers nobody: reply_send finds its caller gone */
	assert_int_equal(reply_create(&th_quota, &rp), KOSH_OK);
	mx.full[KOSH_OBJ_REPLY] = th_give(p, &rp->obj, ALL_RIGHTS, 0);
	kobject_put(&rp->obj);
	mx.give = th_give(p, &th_notification()->obj, ALL_RIGHTS, 0);
	kobject_put(&s->obj);
	th_thread(p, 10, matrix_runner, 0);
	th_run();
	if (mx.failures)
		fprintf(stderr, "rights matrix failures:\n%s", mx.log);
	assert_int_equal(mx.failures, 0);
	assert_true(strstr(th_trace, "matrix done") != NULL);
	/* Every handler of the three files that takes a handle (22 when this was written). */
	fprintf(stderr, "rights matrix: %u calls, %u cases\n", mx.rows_checked, mx.cases);
	assert_true(mx.rows_checked >= 22);
	assert_true(mx.cases > 150);
}

/* ---- CPU time and process_info ---- */

static struct kosh_process_info g_info[4];

/* Run for arg ms (the fake clock moves while this thread is on the CPU), then exit. */
static void burner(uint64_t arg)
{
	thread_fake_set_clock(clock_ns() + arg * MS);
	th_mark("burn%llu", (unsigned long long)arg);
}

/* Run for 2 ms, then wait forever. */
static void burn_then_wait(uint64_t arg)
{
	thread_fake_set_clock(clock_ns() + 2 * MS);
	th_mark("wait");
	u_wait(g_n, KOSH_TIMEOUT_NEVER, NULL);
}

static void info_reader(uint64_t arg)
{
	g_ret[0] = usys(KOSH_SYS_process_info, g_h[0], (uintptr_t)&g_info[0], 0, 0, 0, 0, 0);
	/* Its own process, 1 ms into its run: the running part counts too. */
	thread_fake_set_clock(clock_ns() + 1 * MS);
	g_ret[1] = usys(KOSH_SYS_process_info, g_h[1], (uintptr_t)&g_info[1], 0, 0, 0, 0, 0);
	g_ret[2] = usys(KOSH_SYS_process_info, g_h[2], (uintptr_t)&g_info[2], 0, 0, 0, 0, 0);
	g_ret[3] = usys(KOSH_SYS_process_info, g_h[0], 0x1000, 0, 0, 0, 0, 0); /* faults */
	th_mark("read");
}

static void test_process_info_cpu_time_threads_and_exit(void **state)
{
	struct notification *n;
	struct process *p = proc_with_notification(&n);
	struct process *me = th_process("observer", NULL);
	assert_true(me->id > p->id);
	memset(g_info, 0xee, sizeof(g_info));
	g_h[0] = th_give(me, &p->obj, KOSH_RIGHT_READ, 0);
	g_h[1] = th_give(me, &me->obj, KOSH_RIGHT_READ, 0);
	g_h[2] = th_give(me, &p->obj, KOSH_RIGHTS_ALL & ~KOSH_RIGHT_READ, 0);
	th_thread_new(p, 1); /* never started: not counted */
	th_thread_new(me, 1); /* keeps the observer's process from exiting between its readers */
	th_thread(p, 10, burner, 3);
	th_thread(p, 10, burner, 4);
	th_thread(p, 10, burn_then_wait, 0);
	th_run();
	assert_string_equal(th_trace, "burn3 burn4 wait");
	assert_int_equal(p->cpu_ticks, 9 * MS); /* the exited threads' time stays */
	th_thread(me, 10, info_reader, 0);
	th_run();
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal(g_info[0].id, p->id);
	assert_int_equal(g_info[0].state, KOSH_PROCESS_RUNNING);
	assert_int_equal(g_info[0].threads, 1);
	assert_int_equal(g_info[0].cpu_ns, 9 * MS);
	assert_int_equal(g_info[0].exit_status, 0);
	assert_int_equal(g_info[0].created_ns, TH_START_NS);
	assert_string_equal(g_info[0].name, "p");
	assert_int_equal(g_ret[1], KOSH_OK);
	assert_int_equal(g_info[1].id, me->id);
	assert_int_equal(g_info[1].cpu_ns, 1 * MS);
	assert_int_equal(g_info[1].threads, 1);
	assert_string_equal(g_info[1].name, "observer");
	assert_int_equal(g_ret[2], KOSH_E_ACCESS_DENIED);
	assert_int_equal(g_ret[3], KOSH_E_BAD_ADDRESS);
	assert_int_equal(me->cpu_ticks, 1 * MS); /* accounted at its switch away */
	/* Killed: it exits with the status, no thread left; the figures stay readable. */
	bkl_lock();
	process_kill(p, 9);
	bkl_unlock();
	th_run();
	th_trace[0] = 0;
	memset(g_info, 0xee, sizeof(g_info));
	th_thread(me, 10, info_reader, 0);
	th_run();
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal(g_info[0].state, KOSH_PROCESS_EXITED);
	assert_int_equal(g_info[0].threads, 0);
	assert_int_equal(g_info[0].exit_status, 9);
	assert_int_equal(g_info[0].cpu_ns, 9 * MS);
	assert_int_equal(g_info[1].cpu_ns, 2 * MS); /* 1 ms in each of its two runs */
}

/* A thread that runs a whole slice and more alone is never switched: its time is still seen. */
static void long_runner(uint64_t arg)
{
	thread_fake_set_clock(clock_ns() + 25 * MS);
	g_ret[0] = usys(KOSH_SYS_process_info, g_h[1], (uintptr_t)&g_info[0], 0, 0, 0, 0, 0);
	u_yield(); /* alone: keeps the CPU, no switch */
	thread_fake_set_clock(clock_ns() + 5 * MS);
	g_ret[1] = usys(KOSH_SYS_process_info, g_h[1], (uintptr_t)&g_info[1], 0, 0, 0, 0, 0);
}

static void test_process_info_counts_a_run_without_switch(void **state)
{
	struct process *p = th_process("alone", NULL);
	g_h[1] = th_give(p, &p->obj, KOSH_RIGHT_READ, 0);
	th_thread(p, 10, long_runner, 0);
	th_run();
	assert_int_equal(g_ret[0], KOSH_OK);
	assert_int_equal(g_info[0].cpu_ns, 25 * MS);
	assert_int_equal(g_ret[1], KOSH_OK);
	assert_int_equal(g_info[1].cpu_ns, 30 * MS);
	assert_int_equal(p->cpu_ticks, 30 * MS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_sched_higher_priority_wake_preempts_at_kernel_exit),
	    T(test_sched_timeout_in_interrupt_preempts_lower),
	    T(test_sched_equal_priorities_round_robin_on_yield),
	    T(test_sched_yield_keeps_cpu_over_lower_priority),
	    T(test_sched_slice_end_round_robin),
	    T(test_sched_slice_end_alone_keeps_running),
	    T(test_sched_timeout_wakes_at_deadline_not_before),
	    T(test_sched_timeouts_expire_in_deadline_order),
	    T(test_sched_signal_before_deadline_cancels_timeout),
	    T(test_sched_wake_of_non_blocked_thread_does_nothing),
	    T(test_thread_kill_blocked_wakes_interrupted_and_dies),
	    T(test_thread_kill_new_thread_never_runs),
	    T(test_thread_dead_stack_freed_after_switch_away),
	    T(test_thread_running_reference_outlives_last_handle),
	    T(test_sched_lowering_own_priority_gives_way),
	    T(test_sched_suspend_and_resume),
	    T(test_sched_affinity_must_name_an_online_cpu),
	    T(test_process_exit_kills_threads_closes_table_wakes_waiters),
	    T(test_process_wait_timeout_kill_and_after_exit),
	    T(test_process_kill_stops_every_thread_with_status),
	    T(test_process_kill_with_killed_status),
	    T(test_thread_set_tls_takes_only_user_addresses),
	    T(test_process_fault_without_endpoint_kills_faulted),
	    T(test_process_bad_syscall_number_is_a_fault),
	    T(test_quota_every_create_charged_every_destroy_uncharged),
	    T(test_quota_exhausted_gives_no_memory),
	    T(test_quota_allocation_failure_charges_nothing),
	    T(test_syscall_handle_rights_matrix),
	    T(test_process_info_cpu_time_threads_and_exit),
	    T(test_process_info_counts_a_run_without_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
