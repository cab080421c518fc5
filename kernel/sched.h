/* SPDX-License-Identifier: MIT */
/*
 * The scheduler (DESIGN.md §6): fixed priorities 0-63, round robin within one,
 * a run queue per CPU, an idle loop per CPU that halts it, preemption by a
 * per-CPU slice timer and by wake-ups of higher-priority threads, idle CPUs
 * that take work from busy ones, and direct hand-off for IPC.
 *
 * The big kernel lock (see kentry.h) guards every thread, queue and object.
 * It belongs to a CPU, not a thread: a context switch passes it on to the
 * context that resumes, and the CPU drops it on the way back to user mode or
 * before halting. It is taken with interrupts enabled while spinning, so a CPU
 * waiting for it still answers TLB shoot-downs.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>

#include <kosh/abi.h>

struct thread;

#define SCHED_SLICE_NS 10000000ull /* 10 ms */

/* struct cpu.work bits: what an interrupt left for the kernel to do under the lock. */
#define SCHED_WORK_RESCHED 1u /* a higher-priority thread is ready, or the slice ended */
#define SCHED_WORK_TIMER   2u /* a timeout may have expired */
#define SCHED_WORK_IRQ     4u /* a user interrupt is pending delivery (irqobj.c) */

void bkl_lock(void);
void bkl_unlock(void);
/* 1 if this CPU holds the big lock. */
int bkl_held(void);

/* Set work bits on this CPU (from interrupt handlers: no lock needed). */
void sched_post_work(uint32_t bits);

/* This CPU's run queue, before anything is made ready (with the lock held). */
void sched_init_cpu(void);

/*
 * Become this CPU's idle loop: run threads as they become ready, halt when
 * there are none. Called once per CPU after it is online, without the lock.
 */
__attribute__((noreturn)) void sched_run_cpu(void);

/* Make t (NEW, BLOCKED or SUSPENDED, not queued) ready on a CPU its affinity allows. */
void sched_ready(struct thread *t);

/*
 * Block the running thread until sched_wake (or the timeout: relative ns,
 * KOSH_TIMEOUT_NEVER for none) and return the wake-up's result. The caller has
 * put it on the queue of what it waits for (t->wait_link) and set t->wait.
 * A timeout unhooks it (ipc_cancel_wait for IPC waits) and returns KOSH_E_TIMED_OUT.
 */
kosh_err_t sched_block(uint64_t timeout_ns);

/*
 * Block the running thread like sched_block, but run next (ready, not queued)
 * on this CPU at once without going through the run queues: IPC hand-off.
 * next inherits the rest of the time slice.
 */
kosh_err_t sched_block_handoff(struct thread *next, uint64_t timeout_ns);

/*
 * Wake a BLOCKED thread with result: off its wait queue and timeout, ready to
 * run. Does nothing to a thread that is not blocked.
 */
void sched_wake(struct thread *t, kosh_err_t result);

/* Take a BLOCKED thread off its wait queue and timeout with result, without queuing it. */
void sched_unhook(struct thread *t, kosh_err_t result);

/* Run the first code every context runs after a switch (a new thread's first function). */
void sched_after_switch(void);

/* On the way to user mode: give up the CPU if a reschedule is due or the thread may no longer run here. */
void sched_preempt(void);

/* The running thread goes to the back of its priority (a yield). */
void sched_yield(void);

/* The running thread stops for good (it is DEAD); never returns. */
__attribute__((noreturn)) void sched_exit_current(void);

/* The running thread stops until sched_ready (SUSPENDED). */
void sched_suspend_current(void);

/* t's priority or affinity changed: requeue it, or move it if it may no longer run here. */
void sched_update(struct thread *t);

/* Pending work of this CPU (timeouts, a reschedule); with the lock held. */
void sched_do_work(void);

/*
 * Counter ticks t has been running since it was last switched to, not yet in
 * t->cpu_ticks (0 unless it is RUNNING): its CPU time is t->cpu_ticks plus this.
 */
uint64_t sched_unaccounted_ticks(const struct thread *t);

/* Take a thread off the CPU it is queued or running on (a kill): IPI it if it runs elsewhere. */
void sched_kick(struct thread *t);

#endif
