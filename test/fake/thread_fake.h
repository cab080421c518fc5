/* SPDX-License-Identifier: MIT */
/*
 * The fake port's threads (thread_fake.c): kernel contexts are host ucontexts
 * switched for real, kernel stacks are host memory, one CPU (cpus[0]) runs the
 * real idle loop (sched_run_cpu) on its own host stack, and the test's own
 * stack is "outside the machine": thread_fake_run() lets the CPU run until it
 * halts in arch_idle() with nothing to do, then returns.
 *
 * A user thread is a host function void fn(uint64_t arg), its "pc". It runs on
 * its thread's kernel stack below the trap frame, and makes system calls with
 * user_syscall(), which does what a port's entry does: fill the trap frame at
 * the top of the kernel stack, syscall_handle(f), kernel_exit_to_user(f), read
 * the results back. When fn returns, the thread calls thread_exit the same way.
 * Faults (user_fault_now) and interrupts (user_interrupt) enter likewise.
 *
 * The fake also provides: a settable clock (clock_ns), recorded IPIs, timer
 * and MMU switches, kmalloc with counters, a failure switch and poisoned
 * contents, host kernel stacks that refuse to be freed while in use, user
 * copies on host memory (addresses below FAKE_USER_UNMAPPED fault), and a fake
 * address space object (fake_space_create) whose releases are counted.
 */
#ifndef TEST_THREAD_FAKE_H
#define TEST_THREAD_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>

struct thread;
struct space;
struct trap_frame;

/* User addresses below this "fault" in arch_copy_user (the null page, say). */
#define FAKE_USER_UNMAPPED 0x10000ull

/* The host stack a kernel stack really is (vm_stack_alloc gives its top). */
#define FAKE_KSTACK_SIZE (256u << 10)

struct thread_fake {
	uint64_t now_ns;	  /* clock_ns() */
	uint64_t thread_switches; /* arch_thread_switch calls */
	struct thread *last_prev, *last_next;
	uint64_t dead_switches;	    /* switches away from a DEAD thread */
	uint64_t dead_stack_gone;   /* ... whose kernel stack was already freed */
	uint64_t context_switches;  /* arch_context_switch calls */
	uint64_t switch_limit;	    /* abort after this many in one thread_fake_run (a livelock) */
	uint64_t mmu_switches;	    /* arch_mmu_switch_user calls */
	uint64_t mmu_root;	    /* the last root */
	uint64_t space_activations; /* space_activate calls */
	struct space *active_space; /* the last space_activate argument */
	uint64_t ipis;		    /* arch_ipi_send calls */
	uint64_t idles;		    /* arch_idle calls */
	uint64_t stacks_allocated, stacks_freed;
	long stack_fail_after;	     /* vm_stack_alloc calls left before they fail; -1: never */
	uint64_t stack_free_in_use;  /* vm_stack_free of the stack being run on (refused) */
	uint64_t stack_free_unknown; /* vm_stack_free of something never allocated */
	uint64_t spaces_created, spaces_released;
	uint64_t unlocked_switches; /* context switches without the big lock held */
	uint64_t user_copies, user_copy_faults;
};

extern struct thread_fake thread_fake;

/*
 * A fresh machine: one CPU with an empty run queue and a new idle loop (not yet
 * started), the clock at start_ns, every counter zeroed. Call between tests
 * only when no thread is left alive.
 */
void thread_fake_reset(uint64_t start_ns);

/* Let the CPU run (threads, the idle loop's work) until it idles with nothing to do. */
void thread_fake_run(void);

/* Set the clock (it never goes backwards). */
void thread_fake_set_clock(uint64_t ns);

/* The trap frame at the top of t's kernel stack. */
struct trap_frame *thread_fake_frame(struct thread *t);

/* A kernel stack's host memory is still allocated (top as vm_stack_alloc gave it). */
int thread_fake_stack_live(uint64_t top);

/* A fake address space object (KOSH_OBJ_SPACE): one reference; its release is counted. */
struct space *fake_space_create(void);

/* ---- "user mode": only from a user thread's function ---- */

/* System call nr with r[0 .. 6]; r[1 .. 6] get the results; returns the result register. */
int64_t user_syscall(uint64_t nr, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

/* user_syscall with the arguments given one by one (results discarded). */
int64_t usys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	     uint64_t a5, uint64_t a6);

/* The running thread takes an exception of kind at address (pc as given); returns if resumed. */
void user_fault_now(uint32_t kind, uint64_t address, uint64_t pc, uint64_t detail);

/* An interrupt arrives while the running thread is in user mode: handler, then the way back. */
void user_interrupt(void (*handler)(void));

#endif
