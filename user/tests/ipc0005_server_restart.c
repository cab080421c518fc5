/* SPDX-License-Identifier: MIT */
/*
 * IPC0005: callers queued on an endpoint outlive its server. Three client
 * threads call with no server. A server process receives one of them and
 * dies owing the reply: that caller, and only it, gets KOSH_E_PEER_CLOSED.
 * The other two stay queued and a replacement server process answers them,
 * each with its own words. (Which caller is first depends on when each
 * thread ran, which a loaded host decides, so the test does not assume it.)
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define CLIENTS 3

struct client {
	kosh_handle_t ep, done;
	uint32_t index;
	kosh_err_t err;
	struct kosh_msg reply;
	struct kosh_thread thread;
};

static void client_run(void *arg)
{
	struct client *c = arg;
	struct kosh_msg m = { kosh_msg_tag(0x20, 4, 0, 0),
			      { c->index * 10, c->index * 10 + 1, c->index * 10 + 2, 0 } };
	c->err = kosh_call(c->ep, &m, &c->reply, 10 * TEST_SECOND);
	CHECK_EQ(kosh_notification_signal(c->done, 1u << c->index), KOSH_OK);
}

static void sleep_ms(kosh_handle_t n, uint64_t ms)
{
	uint64_t bits;
	CHECK_ERR(kosh_notify_wait(n, ms * TEST_MS, &bits), KOSH_E_TIMED_OUT);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	static struct client clients[CLIENTS];
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t done = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	kosh_handle_t timer = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	for (uint32_t i = 0; i < CLIENTS; i++) {
		clients[i] = (struct client){ .ep = ep, .done = done, .index = i };
		CHECK_EQ(kosh_thread_spawn(&clients[i].thread, client_run, &clients[i], 0), KOSH_OK);
	}
	sleep_ms(timer, 30); /* all three queued, most likely */
	struct kosh_spawn_handle give[] = { { "ep", ep, 0, 0 } };
	struct kosh_child child;
	const char *die = "server-die";
	test_spawn("probe", "probe-server", &die, 1, give, 1, &child);
	CHECK_EQ(test_wait(&child, 5 * TEST_SECOND), 0);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_wait(done, 5 * TEST_SECOND, &bits), KOSH_OK);
	CHECK_EQ(__builtin_popcountll(bits), 1);
	uint32_t first = (uint32_t)__builtin_ctzll(bits);
	CHECK(first < CLIENTS);
	CHECK_EQ(clients[first].err, KOSH_E_PEER_CLOSED);
	/* The others are still queued: nobody answered them. */
	sleep_ms(timer, 20);
	CHECK_EQ(kosh_notify_poll(done, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);

	const char *serve[] = { "server", "2" };
	test_spawn("probe", "probe-server", serve, 2, give, 1, &child);
	CHECK_EQ(test_wait(&child, 5 * TEST_SECOND), 0);
	uint64_t all = 0, rest = ((1u << CLIENTS) - 1) & ~(1u << first);
	while (all != rest) {
		CHECK_EQ(kosh_notify_wait(done, 5 * TEST_SECOND, &bits), KOSH_OK);
		CHECK_EQ(bits & ~rest, 0);
		all |= bits;
	}
	for (uint32_t i = 0; i < CLIENTS; i++) {
		if (i == first)
			continue;
		CHECK_EQ(clients[i].err, KOSH_OK);
		CHECK_EQ(KOSH_MSG_LABEL(clients[i].reply.tag), 0x21);
		CHECK_EQ(clients[i].reply.words[0], i * 10 + 1);
		CHECK_EQ(clients[i].reply.words[2], i * 10 + 3);
	}
	return 0;
}
