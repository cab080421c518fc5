/* SPDX-License-Identifier: MIT */
/*
 * Typed helpers over the system calls with more than one result: endpoint IPC
 * (DESIGN.md §5), notifications, waiting for a process, handle information.
 * Each returns KOSH_OK or a negative kosh_err_t and writes its results only on
 * success.
 */
#ifndef KOSH_USER_IPC_H
#define KOSH_USER_IPC_H

#include <stdint.h>

#include <kosh/abi.h>

/* The register part of a message: the tag and words 0 .. 3. */
struct kosh_msg {
	uint64_t tag; /* kosh_msg_tag(label, words, caps, move) */
	uint64_t words[KOSH_MSG_WORDS_REG];
};

/* Send msg on ep (write right), wait up to timeout ns for the reply into *reply (may be msg). */
kosh_err_t kosh_call(kosh_handle_t ep, const struct kosh_msg *msg, struct kosh_msg *reply,
		     uint64_t timeout);

/* Wait up to timeout ns for a message on ep (read right); *badge is the sender's handle's badge. */
kosh_err_t kosh_recv(kosh_handle_t ep, struct kosh_msg *msg, uint64_t *badge, uint64_t timeout);

/* Reply to the last message received, then wait as kosh_recv does (timeout 0: reply only). */
kosh_err_t kosh_reply_recv(kosh_handle_t ep, const struct kosh_msg *reply, struct kosh_msg *msg,
			   uint64_t *badge, uint64_t timeout);

/*
 * Answer a reply saved with kosh_reply_save(quota) (which returns the reply
 * handle, or KOSH_E_BAD_STATE when no reply is owed): msg as kosh_reply_recv
 * would send it (words past 3 and capabilities from the IPC buffer). The handle
 * is used up on KOSH_OK and on KOSH_E_PEER_CLOSED (the caller no longer waits);
 * after any other error the reply is still owed.
 */
kosh_err_t kosh_reply_send_msg(kosh_handle_t reply, const struct kosh_msg *msg);

/*
 * Answer a saved reply whatever happens, so that no caller waits for ever and no
 * handle is left behind: msg; if the kernel refuses it (a malformed message: the
 * reply is still owed), a bare reply with label fallback (the protocol's "I/O
 * error"); if even that fails, the handle is closed and the caller gets
 * KOSH_E_PEER_CLOSED. The handle is gone afterwards. Returns what became of msg:
 * KOSH_OK (delivered), KOSH_E_PEER_CLOSED (the caller is gone: its capabilities
 * stay with us) or the kernel's refusal (so do they).
 */
kosh_err_t kosh_reply_answer(kosh_handle_t reply, const struct kosh_msg *msg, uint32_t fallback);

/* Wait up to timeout ns for bits of notification n and take them (clearing them). */
kosh_err_t kosh_notify_wait(kosh_handle_t n, uint64_t timeout, uint64_t *bits);

/* Take the bits of n without waiting (*bits may be 0). */
kosh_err_t kosh_notify_poll(kosh_handle_t n, uint64_t *bits);

/* Wait up to timeout ns for process p to end; *status as <kosh/abi.h> "exit status" says. */
kosh_err_t kosh_wait(kosh_handle_t p, uint64_t timeout, uint64_t *status);

/* Id, state, threads, CPU time, exit status and name of process p (read right). */
kosh_err_t kosh_proc_info(kosh_handle_t p, struct kosh_process_info *out);

/*
 * Tell procd about a process we started (<kosh/proto/proc.h>): on procreg (its
 * registration endpoint), a copy of process with read and, if we have it,
 * manage (our handle needs duplicate and transfer), and of quota (0: none)
 * read-only; parent_id the kernel id of its parent (0: unknown). Waits at most
 * timeout ns (procd may be restarting). KOSH_OK and *id (may be NULL) the
 * process's kernel id; KOSH_E_INVALID_ARGUMENT when procd refused it (its
 * KOSH_VFS_E* error in *id), or the error of a call.
 */
kosh_err_t kosh_proc_register(kosh_handle_t procreg, kosh_handle_t process, kosh_handle_t quota,
			      uint64_t parent_id, uint64_t timeout, uint64_t *id);

/* Type, rights and badge of h. */
kosh_err_t kosh_info(kosh_handle_t h, struct kosh_handle_info *out);

/* English name of a fault kind (enum kosh_fault): "page fault" …; "unknown fault" otherwise. */
const char *kosh_fault_name(uint64_t kind);

#endif
