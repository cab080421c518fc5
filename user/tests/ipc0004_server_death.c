/* SPDX-License-Identifier: MIT */
/*
 * IPC0004: a caller whose server goes away owing the reply gets
 * KOSH_E_PEER_CLOSED, never a hang: a server thread that exits after
 * receiving, a server that receives again without replying, and a server
 * process (bin/tests/helpers/probe server-die) that exits holding the reply.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

static kosh_handle_t ep, other;

static void receive_and_exit(void *arg)
{
	struct kosh_msg m;
	CHECK_EQ(kosh_recv(ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(m.words[0], 41);
	/* return: thread_exit with the reply owed */
}

static void receive_twice(void *arg)
{
	struct kosh_msg m;
	CHECK_EQ(kosh_recv(ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	/* Any new receive (here on another endpoint) drops the reply still owed. */
	CHECK_ERR(kosh_recv(other, &m, NULL, 50 * TEST_MS), KOSH_E_TIMED_OUT);
}

static void call_expect_closed(uint64_t word)
{
	struct kosh_msg m = { kosh_msg_tag(1, 1, 0, 0), { word } }, r;
	int64_t t0 = kosh_clock_get();
	CHECK_ERR(kosh_call(ep, &m, &r, 5 * TEST_SECOND), KOSH_E_PEER_CLOSED);
	CHECK(kosh_clock_get() - t0 < 4 * (int64_t)TEST_SECOND);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_thread t;
	ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	other = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));

	CHECK_EQ(kosh_thread_spawn(&t, receive_and_exit, NULL, 0), KOSH_OK);
	call_expect_closed(41);

	CHECK_EQ(kosh_thread_spawn(&t, receive_twice, NULL, 0), KOSH_OK);
	call_expect_closed(42);
	uint64_t bits;
	kosh_handle_t timer = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	CHECK_ERR(kosh_notify_wait(timer, 80 * TEST_MS, &bits), KOSH_E_TIMED_OUT); /* it ends */

	struct kosh_spawn_handle give[] = { { "ep", ep, 0, 0 } };
	struct kosh_child child;
	const char *mode = "server-die";
	test_spawn("probe", "probe-server", &mode, 1, give, 1, &child);
	call_expect_closed(43);
	CHECK_EQ(test_wait(&child, 5 * TEST_SECOND), 0);

	/* The endpoint still works with a live server. */
	const char *args[] = { "server", "1" };
	test_spawn("probe", "probe-server", args, 2, give, 1, &child);
	struct kosh_msg m = { kosh_msg_tag(7, 1, 0, 0), { 100 } }, r;
	CHECK_EQ(kosh_call(ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(r.tag), 8);
	CHECK_EQ(r.words[0], 101);
	CHECK_EQ(test_wait(&child, 5 * TEST_SECOND), 0);
	return 0;
}
