/* SPDX-License-Identifier: MIT */
/*
 * Processes (DESIGN.md §4): a capability table over an address space, with
 * threads, the quota its objects are charged to, and an exit status. A process
 * exits when its last started thread is gone (every thread killed on exit() or a
 * fatal fault); then its capabilities are closed, its address space released,
 * and whoever waits for it learns the status. Under the big kernel lock.
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stdint.h>

#include <kosh/abi.h>

#include "cap.h"
#include "list.h"

struct notification;
struct space;
struct quota;
struct thread;

#define PROCESS_CAP_SLOTS 1024u

enum process_state {
	PROCESS_ALIVE,
	PROCESS_EXITING, /* killed: its threads are stopping */
	PROCESS_EXITED,  /* every thread gone; exit_status is final */
};

struct process {
	struct kobject obj; /* KOSH_OBJ_PROCESS */
	struct cap_table caps;
	struct space *space;  /* a reference */
	struct quota *quota;  /* a reference: what its objects were charged to */
	struct list threads;  /* its threads (struct thread.threads) */
	uint32_t live_threads; /* started and not yet reaped */
	uint32_t id;
	uint32_t state;       /* enum process_state */
	uint64_t exit_status;
	struct list waiters;  /* threads in process_wait */
	struct notification *exit_ntf; /* signalled with exit_bits at exit (a reference), or NULL */
	uint64_t exit_bits;
	uint8_t *ioport_bitmap; /* x86-64: ARCH_IOPORT_BITMAP_BYTES, NULL until a range is enabled */
	uint64_t cpu_ticks;   /* its threads' counter ticks on a CPU, added at each switch (sched.c) */
	uint64_t created_ns;
	char name[KOSH_PROCESS_NAME_MAX];
};

/*
 * A process named name (at most 31 bytes kept) over space (a reference is
 * taken), charged to q: KOSH_OK or KOSH_E_NO_MEMORY. *out holds the one reference.
 */
__attribute__((warn_unused_result)) kosh_err_t process_create(struct quota *q, struct space *space,
							      const char *name, struct process **out);

/* Kill every thread of p with status (the first status set wins). */
void process_kill(struct process *p, uint64_t status);

/* A thread of p was started / reaped: p exits after the last one. */
void process_thread_started(struct process *p);
void process_thread_gone(struct process *p);

/*
 * Block the running thread until p has exited (or the timeout): KOSH_OK with
 * *status, KOSH_E_TIMED_OUT, or KOSH_E_PEER_CLOSED if p was destroyed first.
 */
kosh_err_t process_wait(struct process *p, uint64_t timeout_ns, uint64_t *status);

/*
 * Signal bits on n when p exits (at once if it has); replaces an earlier
 * notification, n NULL removes it. p holds a reference to n until then.
 */
void process_notify(struct process *p, struct notification *n, uint64_t bits);

/* What process_info reports of p: id, state, threads, CPU time (to this moment), status, name. */
void process_info(struct process *p, struct kosh_process_info *out);

/* Give p an I/O-port bitmap refusing every port, charged to its quota (x86-64). */
__attribute__((warn_unused_result)) kosh_err_t process_ioport_bitmap(struct process *p);

/* Called once when the process p_root (set with process_set_root) has exited. */
void process_set_root(struct process *p, void (*on_exit)(uint64_t status));

#endif
