/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU state. Each CPU finds its own struct cpu through the architecture's
 * per-CPU register (GS base / TPIDR_EL1), set once when the CPU starts; code
 * reads this_cpu() with interrupts masked or in a context that cannot migrate
 * (there is no preemption inside the kernel), so the pointer stays right.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdint.h>

#include <arch/types.h>

#include "runqueue.h"
#include "timer.h"

#define MAX_CPUS 64

struct thread;

struct cpu {
	uint32_t index;        /* 0 = the boot CPU, then in bring-up order */
	uint64_t hwid;         /* LAPIC / x2APIC id, or MPIDR affinity */
	int online;            /* set by the CPU itself once it takes interrupts */
	uint64_t stack_top;    /* kernel stack the CPU started on */
	uint64_t ipi_pings;    /* pings received (smp.h) */
	uint64_t timer_interrupts;
	struct timer_event *timers; /* pending one-shot events, soonest first (timer.h) */
	uint64_t arch_data[8]; /* the architecture's own per-CPU words */
	void (*call_fn)(void *arg); /* smp_call: run on this CPU, then cleared */
	void *call_arg;

	/* The scheduler's (sched.c); all but work under the big kernel lock. */
	struct thread *current;     /* NULL: the idle loop runs */
	struct thread *zombie;      /* a dead thread whose stack this CPU still left on */
	struct arch_context idle_ctx;
	struct runqueue rq;
	uint32_t work;              /* SCHED_WORK_* bits, set atomically from interrupts */
	int in_scheduler;           /* the idle loop has started on this CPU */
	uint64_t slice_end;         /* clock_ns() when the current thread's slice ends */
	struct timer_event sched_timer;
	uint64_t switches;          /* context switches on this CPU */
	uint64_t idle_ns;           /* time spent halted */
	uint64_t run_since;         /* clock_ticks() when current was switched to */
};

extern struct cpu cpus[MAX_CPUS];

/* The calling CPU's struct cpu. */
struct cpu *this_cpu(void);

/* How many CPUs have a struct cpu (online or being started). */
uint32_t cpu_count(void);

/* Claim the next struct cpu for a CPU with hardware id hwid; NULL when full. */
struct cpu *cpu_add(uint64_t hwid);

#endif
