/* SPDX-License-Identifier: MIT */
/*
 * SMP0001: many threads on every CPU doing IPC across CPUs. One server
 * thread pinned to each CPU (up to 8) receives on a shared endpoint; two
 * client threads per CPU, pinned to the next CPU, make CALLS calls each and
 * check every reply. Every call is answered exactly once: the servers'
 * counts add up to the calls made, and the clients' sums are exact.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define CPUS_MAX 8
#define CALLS    100
#define QUIT     0x51

struct worker {
	uint32_t id;
	uint64_t count;
	struct kosh_thread thread;
};

static kosh_handle_t ep, done;
static struct worker servers[CPUS_MAX], clients[2 * CPUS_MAX];

static void serve(void *arg)
{
	struct worker *w = arg;
	struct kosh_msg m, reply;
	uint64_t badge;
	CHECK_EQ(kosh_recv(ep, &m, &badge, 20 * TEST_SECOND), KOSH_OK);
	for (;;) {
		w->count++;
		reply = (struct kosh_msg){ kosh_msg_tag(0, 3, 0, 0),
					   { m.words[0] + m.words[1], badge, w->id } };
		if (KOSH_MSG_LABEL(m.tag) == QUIT) {
			CHECK_ERR(kosh_reply_recv(ep, &reply, &m, &badge, 0), KOSH_E_TIMED_OUT);
			return;
		}
		CHECK_EQ(kosh_reply_recv(ep, &reply, &m, &badge, 20 * TEST_SECOND), KOSH_OK);
	}
}

static void client(void *arg)
{
	struct worker *w = arg;
	kosh_handle_t mine = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(ep, KOSH_RIGHT_WRITE, 0x1000 + w->id));
	for (uint64_t j = 0; j < CALLS; j++) {
		struct kosh_msg m = { kosh_msg_tag(1, 2, 0, 0), { w->id << 20, j } }, r;
		CHECK_EQ(kosh_call(mine, &m, &r, 20 * TEST_SECOND), KOSH_OK);
		CHECK_EQ(r.words[0], (w->id << 20) + j);
		CHECK_EQ(r.words[1], 0x1000 + w->id);
		w->count++;
	}
	CHECK_EQ(kosh_notification_signal(done, 1ull << w->id), KOSH_OK);
}

static void start(struct worker *w, void (*fn)(void *), uint32_t cpu)
{
	CHECK_EQ(kosh_thread_prepare(&w->thread, fn, w, 16384), KOSH_OK);
	CHECK_EQ(kosh_thread_set_affinity(w->thread.handle, 1ull << cpu), KOSH_OK);
	CHECK_EQ(kosh_thread_launch(&w->thread), KOSH_OK);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	uint32_t cpus = test_cpu_count();
	uint32_t n = cpus < CPUS_MAX ? cpus : CPUS_MAX;
	ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	done = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	int64_t t0 = kosh_clock_get();
	for (uint32_t i = 0; i < n; i++) {
		servers[i].id = i;
		start(&servers[i], serve, i);
	}
	for (uint32_t i = 0; i < 2 * n; i++) {
		clients[i].id = i;
		start(&clients[i], client, (i / 2 + 1) % n);
	}
	uint64_t want = (1ull << (2 * n)) - 1, all = 0, bits;
	while (all != want) {
		CHECK_EQ(kosh_notify_wait(done, 20 * TEST_SECOND, &bits), KOSH_OK);
		all |= bits;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct kosh_msg m = { kosh_msg_tag(QUIT, 0, 0, 0), { 0 } }, r;
		CHECK_EQ(kosh_call(ep, &m, &r, 20 * TEST_SECOND), KOSH_OK);
	}
	uint64_t served = 0, made = 0;
	for (uint32_t i = 0; i < 2 * n; i++)
		made += clients[i].count;
	/* Each server has replied to its quit and is ending; its count is final. */
	for (uint32_t i = 0; i < n; i++)
		served += __atomic_load_n(&servers[i].count, __ATOMIC_ACQUIRE);
	check_note("%u CPUs online, %u servers, %u clients: %llu calls in %lld ms", cpus, n, 2 * n,
		   (unsigned long long)made, (long long)(kosh_clock_get() - t0) / 1000000);
	CHECK_EQ(made, 2ull * n * CALLS);
	CHECK_EQ(served, made + n);
	return 0;
}
