/* SPDX-License-Identifier: MIT */
/*
 * NTF0002: a notification bound to an endpoint. A receive on the endpoint
 * returns a message with label KOSH_LABEL_NOTIFY and the bits in word 0 (badge
 * 0) when the notification is signalled — at once if bits are pending, or by
 * waking the blocked receiver — and still serves ordinary calls. The bits
 * are taken: a second receive finds none. Binding twice is refused.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

static kosh_handle_t ep, n, timer;

static void signal_later(void *arg)
{
	uint64_t bits;
	CHECK_ERR(kosh_notify_wait(timer, 30 * TEST_MS, &bits), KOSH_E_TIMED_OUT);
	CHECK_EQ(kosh_notification_signal(n, 0x40), KOSH_OK);
}

static void call_later(void *arg)
{
	struct kosh_msg m = { kosh_msg_tag(5, 1, 0, 0), { 55 } }, r;
	CHECK_EQ(kosh_call(ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(r.words[0], 56);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_thread t1, t2;
	struct kosh_msg m;
	uint64_t badge = 1;
	ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	timer = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	kosh_handle_t ep2 = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t n2 = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));

	CHECK_EQ(kosh_notification_signal(n, 0x3), KOSH_OK); /* pending before the binding */
	CHECK_EQ(kosh_notification_bind(n, ep), KOSH_OK);
	CHECK_ERR(kosh_notification_bind(n, ep2), KOSH_E_ALREADY_EXISTS);
	CHECK_ERR(kosh_notification_bind(n2, ep), KOSH_E_ALREADY_EXISTS);

	/* Pending bits: at once. */
	CHECK_EQ(kosh_recv(ep, &m, &badge, 0), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_LABEL_NOTIFY);
	CHECK_EQ(m.words[0], 0x3);
	CHECK_EQ(badge, 0);
	CHECK_ERR(kosh_recv(ep, &m, &badge, 0), KOSH_E_TIMED_OUT); /* taken */

	/* A blocked receiver is woken by a signal. */
	CHECK_EQ(kosh_thread_spawn(&t1, signal_later, NULL, 0), KOSH_OK);
	int64_t t0 = kosh_clock_get();
	CHECK_EQ(kosh_recv(ep, &m, &badge, 5 * TEST_SECOND), KOSH_OK);
	CHECK(kosh_clock_get() - t0 < 3 * (int64_t)TEST_SECOND);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), KOSH_LABEL_NOTIFY);
	CHECK_EQ(m.words[0], 0x40);

	/* Calls still arrive as calls. */
	CHECK_EQ(kosh_thread_spawn(&t2, call_later, NULL, 0), KOSH_OK);
	CHECK_EQ(kosh_recv(ep, &m, &badge, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), 5);
	CHECK_EQ(m.words[0], 55);
	struct kosh_msg reply = { kosh_msg_tag(0, 1, 0, 0), { 56 } };
	CHECK_ERR(kosh_reply_recv(ep, &reply, &m, &badge, 0), KOSH_E_TIMED_OUT);

	/* The bound notification's bits no longer show up through poll once received. */
	CHECK_EQ(kosh_notification_signal(n, 0x8), KOSH_OK);
	CHECK_EQ(kosh_recv(ep, &m, &badge, 0), KOSH_OK);
	CHECK_EQ(m.words[0], 0x8);
	uint64_t bits = 1;
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);
	/* Give the helper threads time to end before we return. */
	CHECK_ERR(kosh_notify_wait(timer, 20 * TEST_MS, &bits), KOSH_E_TIMED_OUT);
	return 0;
}
