/* SPDX-License-Identifier: MIT */
/*
 * Threads and processes (DESIGN.md §4, §6). A thread is a kernel object with
 * its own guarded kernel stack, whose top holds its user registers while it is
 * in the kernel; a process is a capability table over an address space, with
 * threads, a quota and an exit status. Everything here runs under the big
 * kernel lock (kentry.h).
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdint.h>

#include <kosh/abi.h>

#include <arch/types.h>

#include "cap.h"
#include "list.h"
#include "runqueue.h"

struct cpu;
struct process;
struct space;
struct endpoint;
struct quota;
struct reply;
struct trap_frame;

#define THREAD_KSTACK_SIZE (16u << 10)

enum thread_state {
	THREAD_NEW,       /* created, not started */
	THREAD_READY,     /* on a run queue */
	THREAD_RUNNING,   /* on a CPU */
	THREAD_BLOCKED,   /* waiting (IPC, notification, process exit, sleep) */
	THREAD_SUSPENDED, /* stopped by thread_suspend or while its fault is handled */
	THREAD_DEAD,      /* exited; its stack is freed once no CPU runs on it */
};

/* Why a blocked thread waits: decides how a wake-up or timeout unhooks it. */
enum wait_kind {
	WAIT_NONE,
	WAIT_SEND,   /* queued on an endpoint to send (call) */
	WAIT_RECV,   /* queued on an endpoint to receive */
	WAIT_REPLY,  /* a call was received; waiting for the reply */
	WAIT_NOTIFY, /* waiting on a notification */
	WAIT_PROCESS,/* waiting for a process to exit */
	WAIT_SLEEP,
};

/* A message in flight, kept in the kernel (struct kosh_ipc_buffer is the user side). */
struct message {
	uint64_t tag;
	uint64_t badge;
	uint64_t words[KOSH_MSG_WORDS_MAX];
	struct kobject *caps[KOSH_MSG_CAPS_MAX];
	uint32_t cap_rights[KOSH_MSG_CAPS_MAX];
	uint64_t cap_badges[KOSH_MSG_CAPS_MAX];
};

struct thread {
	struct kobject obj; /* KOSH_OBJ_THREAD */
	struct arch_context ctx;
	struct arch_thread arch;
	struct process *proc;
	uint64_t kstack_top;
	uint32_t id;
	uint32_t state; /* enum thread_state */
	uint8_t priority;
	uint8_t kill;    /* stop for good at the next exit to user mode */
	uint8_t suspend; /* stop (until resumed) at the next exit to user mode */
	uint64_t affinity; /* CPU mask (bit i: CPU index i) */
	struct cpu *cpu;   /* the CPU it runs on, or last ran / is queued on */
	struct run_entry run;
	struct list threads; /* in its process's list */

	/* Blocking. */
	uint32_t wait;          /* enum wait_kind */
	struct list wait_link;  /* in the queue of what it waits on */
	void *wait_obj;         /* that object */
	kosh_err_t wait_result; /* set by whoever wakes it */
	uint64_t deadline;      /* clock_ns() when it times out; 0: never */
	struct list timeout_link; /* in its CPU's timeout list while deadline != 0 */

	/* IPC. */
	uint64_t ipc_buffer;       /* user address of its struct kosh_ipc_buffer, 0: none */
	struct thread *reply_to;   /* the caller it owes a reply (its reply capability) */
	struct thread *caller_of;  /* WAIT_REPLY: the server thread holding our reply cap */
	struct reply *reply_saved; /* WAIT_REPLY: or the reply object it was saved as */
	struct kobject *fault_ep;  /* the endpoint its faults go to (a reference), or NULL */
	uint64_t fault_badge;
	uint64_t recv_badge;       /* result of the last receive */
	uint64_t notify_bits;      /* result of a notification wait */
	struct message *msg;       /* the message being delivered to it (kernel buffer) */
	uint64_t exit_status;      /* WAIT_PROCESS: the result */
	struct quota *quota;       /* charged for this thread */

	/* Accounting: counter ticks on a CPU, added up at every switch away from it (sched.c). */
	uint64_t cpu_ticks;
};

/* The user-visible state the port keeps, its kernel stack's top, and its I/O-port bitmap (x86-64; NULL: none). */
static inline struct arch_thread *thread_arch(struct thread *t)
{
	return &t->arch;
}
static inline uint64_t thread_kstack_top(const struct thread *t)
{
	return t->kstack_top;
}
const uint8_t *thread_ioport_bitmap(const struct thread *t);

/* The thread running on this CPU (NULL: the idle loop). */
struct thread *thread_current(void);

/*
 * A NEW thread in process p at priority, charged to q (object, kernel stack and
 * message buffer): KOSH_OK or KOSH_E_NO_MEMORY. *out holds the one reference.
 */
__attribute__((warn_unused_result)) kosh_err_t thread_create(struct process *p, struct quota *q,
							     uint8_t priority, struct thread **out);

/*
 * Start a NEW thread in user mode at pc with stack sp, first argument arg and
 * IPC buffer ipc_buffer (0: none; page-aligned, in the user half).
 * KOSH_E_BAD_STATE if it is not NEW (or its process is exiting).
 */
__attribute__((warn_unused_result)) kosh_err_t thread_start(struct thread *t, uint64_t pc,
							    uint64_t sp, uint64_t arg,
							    uint64_t ipc_buffer);

/* Stop t for good: at once if blocked, suspended, ready or new; at its next kernel exit if running. */
void thread_kill(struct thread *t);

/* Suspend / resume t (thread_suspend / thread_resume). */
void thread_suspend(struct thread *t);
void thread_resume(struct thread *t);

/* The running thread ends here (it was killed, or called thread_exit / exit). */
__attribute__((noreturn)) void thread_exit_current(void);

/* After a dead thread's CPU has left it: free its stack, leave its process, drop its reference. */
void thread_reap(struct thread *t);

#endif
