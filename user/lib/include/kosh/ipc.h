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

/* Wait up to timeout ns for bits of notification n and take them (clearing them). */
kosh_err_t kosh_notify_wait(kosh_handle_t n, uint64_t timeout, uint64_t *bits);

/* Take the bits of n without waiting (*bits may be 0). */
kosh_err_t kosh_notify_poll(kosh_handle_t n, uint64_t *bits);

/* Wait up to timeout ns for process p to end; *status as <kosh/abi.h> "exit status" says. */
kosh_err_t kosh_wait(kosh_handle_t p, uint64_t timeout, uint64_t *status);

/* Type, rights and badge of h. */
kosh_err_t kosh_info(kosh_handle_t h, struct kosh_handle_info *out);

/* English name of a fault kind (enum kosh_fault): "page fault" …; "unknown fault" otherwise. */
const char *kosh_fault_name(uint64_t kind);

#endif
