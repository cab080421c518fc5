/* SPDX-License-Identifier: MIT */
/*
 * The server loop (<kosh/server.h>).
 */
#include <kosh/server.h>

#include <kosh/log.h>

static int dispatch(const struct kosh_serve *s, const struct kosh_msg *m, uint64_t badge,
		    struct kosh_msg *reply)
{
	uint32_t label = KOSH_MSG_LABEL(m->tag);
	for (uint32_t i = 0; i < s->handler_count; i++)
		if (s->handlers[i].label == label)
			return s->handlers[i].fn(s->ctx, m, badge, reply);
	if (s->other)
		return s->other(s->ctx, m, badge, reply);
	*reply = (struct kosh_msg){ .tag = kosh_msg_tag(s->unknown, 0, 0, 0) };
	return KOSH_SERVE_REPLY;
}

kosh_err_t kosh_serve_run(const struct kosh_serve *s)
{
	uint64_t timeout = s->idle_ns ? s->idle_ns : KOSH_TIMEOUT_NEVER;
	struct kosh_msg m, reply;
	uint64_t badge;
	int owe = 0;
	for (;;) {
		kosh_err_t err = owe ? kosh_reply_recv(s->endpoint, &reply, &m, &badge, timeout)
				     : kosh_recv(s->endpoint, &m, &badge, timeout);
		int replied = owe;
		owe = 0;
		if (err == KOSH_E_TIMED_OUT) {
			if (s->idle)
				s->idle(s->ctx);
			continue;
		}
		/*
		 * Interrupted, or the reply went wrong (the caller gone, a malformed
		 * reply): the next plain receive drops what is still owed.
		 */
		if (err == KOSH_E_INTERRUPTED || (err && replied))
			continue;
		if (err) {
			kosh_printf("%s: receive failed: %s; stopping", s->name, kosh_strerror(err));
			return err;
		}
		uint32_t label = KOSH_MSG_LABEL(m.tag);
		if (label == KOSH_LABEL_NOTIFY) {
			if (s->notify)
				s->notify(s->ctx, m.words[0]);
		} else if (label < KOSH_LABEL_KERNEL) {
			int r = dispatch(s, &m, badge, &reply);
			if (r == KOSH_SERVE_REPLY_STOP) {
				/* The reply alone: a receive that does not wait. */
				kosh_reply_recv(s->endpoint, &reply, &m, &badge, 0);
				return KOSH_OK;
			}
			owe = r == KOSH_SERVE_REPLY;
		}
		if (s->after)
			s->after(s->ctx);
	}
}
