/* SPDX-License-Identifier: MIT */
/*
 * NTF0001: notifications. signal ORs bits into the word, poll and wait take
 * them all and clear them; poll of an empty word gives 0 without blocking,
 * wait on an empty word times out, and a waiter is woken by another thread's
 * signal. A handle without the signal right cannot signal; one without the
 * wait right cannot wait or poll.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"

#define MS 1000000ull

struct signaller {
	kosh_handle_t n;
	struct kosh_thread thread;
};

static void signal_later(void *arg)
{
	struct signaller *s = arg;
	int64_t t0 = kosh_clock_get();
	while (kosh_clock_get() - t0 < (int64_t)(20 * MS))
		kosh_yield();
	CHECK_EQ(kosh_notification_signal(s->n, 0x100), KOSH_OK);
	CHECK_EQ(kosh_notification_signal(s->n, 0x200), KOSH_OK);
}

int main(int argc, char **argv)
{
	static struct signaller s;
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	uint64_t bits = 1;

	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);
	CHECK_EQ(kosh_notification_signal(n, 0x5), KOSH_OK);
	CHECK_EQ(kosh_notification_signal(n, 0x5), KOSH_OK);
	CHECK_EQ(kosh_notification_signal(n, 0x8), KOSH_OK);
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0xd);
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);

	CHECK_EQ(kosh_notification_signal(n, 1ull << 63), KOSH_OK);
	CHECK_EQ(kosh_notify_wait(n, 10 * MS, &bits), KOSH_OK);
	CHECK_EQ(bits, 1ull << 63);
	int64_t t0 = kosh_clock_get();
	CHECK_ERR(kosh_notify_wait(n, 30 * MS, &bits), KOSH_E_TIMED_OUT);
	CHECK(kosh_clock_get() - t0 >= (int64_t)(30 * MS));

	/* Woken by another thread. */
	s.n = n;
	CHECK_EQ(kosh_thread_spawn(&s.thread, signal_later, &s, 0), KOSH_OK);
	CHECK_EQ(kosh_notify_wait(n, 5000 * MS, &bits), KOSH_OK);
	if (bits != 0x300) {
		uint64_t more = 0;
		CHECK_EQ(kosh_notify_wait(n, 5000 * MS, &more), KOSH_OK);
		bits |= more;
	}
	CHECK_EQ(bits, 0x300);

	/* Rights. */
	kosh_handle_t sig = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, KOSH_RIGHT_SIGNAL, 0));
	kosh_handle_t wait = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, KOSH_RIGHT_WAIT, 0));
	CHECK_EQ(kosh_notification_signal(sig, 2), KOSH_OK);
	CHECK_ERR(kosh_notification_signal(wait, 2), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_notify_poll(sig, &bits), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_notify_wait(sig, 0, &bits), KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_notify_poll(wait, &bits), KOSH_OK);
	CHECK_EQ(bits, 2);
	CHECK_EQ(kosh_handle_close(sig), KOSH_OK);
	CHECK_EQ(kosh_handle_close(wait), KOSH_OK);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
	return 0;
}
