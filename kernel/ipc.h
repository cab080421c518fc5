/* SPDX-License-Identifier: MIT */
/*
 * IPC (DESIGN.md §5): endpoints and notifications.
 *
 * An endpoint is a rendezvous: a caller and a receiver meet, the message moves
 * from one kernel buffer to the other, and the receiver holds the caller's
 * reply capability (its reply_to) until it replies, receives again or dies,
 * or saves it as a reply object (reply_save) to answer later (reply_send).
 * Callers queue in order; a caller whose server dies while holding its reply
 * capability gets KOSH_E_PEER_CLOSED, callers still queued wait for the next
 * receiver (a restarted server). A call that finds its receiver waiting hands
 * the CPU straight to it, and the reply hands it straight back (the fast path).
 *
 * A notification is a word of bits: signal ORs in, wait takes and clears; it
 * can be bound to an endpoint so that one receive waits for both. Under the
 * big kernel lock; blocked threads hold no reference to what they wait on,
 * and an object's destruction wakes them all with KOSH_E_PEER_CLOSED.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stdint.h>

#include <kosh/abi.h>

#include "cap.h"
#include "list.h"

struct quota;
struct thread;
struct notification;

struct endpoint {
	struct kobject obj; /* KOSH_OBJ_ENDPOINT */
	struct list senders;   /* callers waiting for a receiver */
	struct list receivers; /* receivers waiting for a caller */
	struct notification *bound;
	struct quota *quota;
};

struct notification {
	struct kobject obj; /* KOSH_OBJ_NOTIFICATION */
	uint64_t word;
	struct list waiters;
	struct endpoint *bound;
	struct quota *quota;
};

/*
 * A saved reply capability (reply_save): the caller it answers, blocked in
 * WAIT_REPLY with t->reply_saved pointing back here. The caller is NULL once
 * the reply was sent, or the caller stopped waiting (killed, timed out); the
 * last handle's close answers a caller still waiting with KOSH_E_PEER_CLOSED.
 */
struct reply {
	struct kobject obj; /* KOSH_OBJ_REPLY */
	struct thread *caller;
	uint32_t sent; /* reply_send delivered it */
	struct quota *quota;
};

__attribute__((warn_unused_result)) kosh_err_t endpoint_create(struct quota *q,
							       struct endpoint **out);
__attribute__((warn_unused_result)) kosh_err_t notification_create(struct quota *q,
								   struct notification **out);

/*
 * The running thread calls ep with the message in r (r[1] tag, r[2..5] words
 * 0-3, the rest in its IPC buffer; r[6] the timeout) and badge (of its handle).
 * On KOSH_OK the reply is in r[1] (tag) and r[2..5].
 */
kosh_err_t ipc_call(struct endpoint *ep, uint64_t badge, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

/* Receive on ep (timeout in r[1]); on KOSH_OK r[1] tag, r[2..5] words, r[6] badge. */
kosh_err_t ipc_recv(struct endpoint *ep, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

/* Reply with r's message (if a reply is owed), then receive on ep like ipc_recv (timeout in r[6]). */
kosh_err_t ipc_reply_recv(struct endpoint *ep, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

/* A reply object that answers nobody (yet), charged to q: KOSH_OK or KOSH_E_NO_MEMORY. */
__attribute__((warn_unused_result)) kosh_err_t reply_create(struct quota *q, struct reply **out);

/*
 * The reply the running thread owes becomes a reply object charged to q (*out
 * holds the one reference); the thread owes nothing then. KOSH_E_BAD_STATE if
 * it owes no reply, KOSH_E_NO_MEMORY (the reply still owed).
 */
__attribute__((warn_unused_result)) kosh_err_t ipc_reply_save(struct quota *q,
							      struct reply **out);

/*
 * Send the running thread's message in r (r[1] tag, r[2..5] words 0-3, the
 * rest from its IPC buffer) through rp and wake its caller. KOSH_OK: delivered,
 * rp is spent. KOSH_E_PEER_CLOSED: the caller no longer waits, nothing was
 * taken from the sender, rp is spent. KOSH_E_BAD_STATE: rp was sent already.
 * Any other error (a malformed tag, a bad IPC buffer or capability) leaves the
 * reply owed.
 */
kosh_err_t ipc_reply_send(struct reply *rp, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

/*
 * The running thread faulted: send its fault message to its fault endpoint as
 * a call and wait for the reply. KOSH_OK: resume it (the reply's label was 0);
 * anything else: kill its process.
 */
kosh_err_t ipc_fault(uint32_t kind, uint64_t address, uint64_t pc, uint64_t detail);

void notification_signal(struct notification *n, uint64_t bits);
kosh_err_t notification_wait(struct notification *n, uint64_t timeout_ns, uint64_t *bits);
uint64_t notification_poll(struct notification *n);
kosh_err_t notification_bind(struct notification *n, struct endpoint *ep);

/* A blocked thread is being woken early (timeout, kill): undo what its IPC wait holds. */
void ipc_cancel_wait(struct thread *t);

/* The running thread dies: the caller it owes a reply learns KOSH_E_PEER_CLOSED. */
void ipc_thread_dying(struct thread *t);

#endif
