/* SPDX-License-Identifier: MIT */
/*
 * The server loop every server runs (DESIGN.md §5): receive on an endpoint,
 * dispatch by label, send the reply while receiving the next message. A
 * handler may instead leave the reply for later (reply_save) or have sent it
 * some other way. Bits of a notification bound to the endpoint, a quiet spell
 * of idle_ns and the end of each message have hooks of their own.
 */
#ifndef KOSH_USER_SERVER_H
#define KOSH_USER_SERVER_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/ipc.h>

/* What a handler returns. */
#define KOSH_SERVE_REPLY   1 /* *reply is sent with the next receive */
#define KOSH_SERVE_NO_REPLY 0 /* nothing is owed any more (saved, or answered otherwise) */
/*
 * *reply is sent on its own and kosh_serve_run returns KOSH_OK (a server that
 * was asked to end, after its last answer). A message that arrives in that
 * same instant is taken and left unanswered: its caller learns when the
 * server is gone.
 */
#define KOSH_SERVE_REPLY_STOP 2

typedef int (*kosh_serve_fn)(void *ctx, const struct kosh_msg *m, uint64_t badge,
			     struct kosh_msg *reply);

struct kosh_serve_handler {
	uint32_t label;
	kosh_serve_fn fn;
};

struct kosh_serve {
	const char *name;                          /* for the log line when the loop stops */
	kosh_handle_t endpoint;                    /* received on (read right) */
	const struct kosh_serve_handler *handlers; /* by label; may be NULL */
	uint32_t handler_count;
	kosh_serve_fn other;       /* any other label below KOSH_LABEL_KERNEL (NULL: reply `unknown`) */
	uint32_t unknown;          /* the reply label for a label nobody handles (the protocol's ENOSYS) */
	void (*notify)(void *ctx, uint64_t bits); /* a bound notification's bits (NULL: ignored) */
	void (*idle)(void *ctx);   /* nothing arrived for idle_ns (NULL: never) */
	uint64_t idle_ns;          /* 0: wait forever */
	void (*after)(void *ctx);  /* after each message and each notification (NULL: nothing) */
	void *ctx;
};

/*
 * Serve until the endpoint fails (it was closed, or a receive is refused); the
 * error. KOSH_OK once a handler returned KOSH_SERVE_REPLY_STOP. A reply the kernel refuses (a malformed message, the caller gone) is
 * dropped, and its caller gets KOSH_E_PEER_CLOSED if it still waits.
 */
kosh_err_t kosh_serve_run(const struct kosh_serve *s);

#endif
