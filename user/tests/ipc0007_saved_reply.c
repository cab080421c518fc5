/* SPDX-License-Identifier: MIT */
/*
 * IPC0007: saved replies. One server thread receives four calls from four
 * client threads and saves each reply as a handle (reply_save), so it owes
 * nothing and keeps receiving; then it answers the second caller before the
 * first (reply_send, the first still waiting meanwhile), closes the third's
 * reply unanswered (that caller gets KOSH_E_PEER_CLOSED), and answers the
 * fourth after it timed out (KOSH_E_PEER_CLOSED for the server, nothing
 * taken from it). A send uses its handle up; the quota pays for the reply
 * objects and gets every byte back.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define CLIENTS 4
#define LATE	3 /* the client whose call times out while its reply is saved */

static kosh_handle_t ep, quota, done, go_late, finished;
static int64_t result[CLIENTS];
static uint64_t reply_word[CLIENTS];
static int returned[CLIENTS];

/* Client id calls with word id; the late one only when told, with a short timeout. */
static void client(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg, bits;
	struct kosh_msg m = {kosh_msg_tag(1, 1, 0, 0), {id}}, r = {0};
	if (id == LATE)
		CHECK_EQ(kosh_notify_wait(go_late, 5 * TEST_SECOND, &bits), KOSH_OK);
	result[id] = kosh_call(ep, &m, &r, id == LATE ? 100 * TEST_MS : 10 * TEST_SECOND);
	reply_word[id] = r.words[0];
	__atomic_store_n(&returned[id], 1, __ATOMIC_RELEASE);
	CHECK_OK(kosh_notification_signal(done, 1ull << id));
}

/* Wait until every client in mask has returned from its call. */
static void wait_returned(uint64_t mask)
{
	static uint64_t have;
	uint64_t bits;
	while ((have & mask) != mask) {
		CHECK_EQ(kosh_notify_wait(done, 5 * TEST_SECOND, &bits), KOSH_OK);
		have |= bits;
	}
}

static kosh_handle_t receive_and_save(uint64_t *id)
{
	struct kosh_msg m;
	CHECK_EQ(kosh_recv(ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	*id = m.words[0];
	CHECK(*id < CLIENTS);
	return (kosh_handle_t)CHECK_OK(kosh_reply_save(quota));
}

static void server(void *arg)
{
	kosh_handle_t saved[CLIENTS] = {0};
	struct kosh_handle_info info;
	uint64_t id, used = test_quota_used(quota);
	CHECK_ERR(kosh_reply_save(quota), KOSH_E_BAD_STATE); /* nothing received yet */
	for (int i = 0; i < CLIENTS - 1; i++) {
		kosh_handle_t h = receive_and_save(&id);
		CHECK(id != LATE && !saved[id]);
		saved[id] = h;
	}
	CHECK_ERR(kosh_reply_save(quota), KOSH_E_BAD_STATE); /* all saved: none owed */
	CHECK(test_quota_used(quota) > used);
	CHECK_EQ(kosh_info(saved[0], &info), KOSH_OK);
	CHECK_EQ(info.type, KOSH_OBJ_REPLY);
	CHECK_EQ(info.rights, KOSH_RIGHT_WRITE);
	CHECK_ERR(kosh_handle_dup(saved[0], KOSH_RIGHT_WRITE, 0), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_reply_send(ep, kosh_msg_tag(1, 0, 0, 0), 0, 0, 0, 0), KOSH_E_WRONG_TYPE);

	/* Reverse order: the second caller first, while the first still waits. */
	struct kosh_msg r = {kosh_msg_tag(2, 1, 0, 0), {101}};
	CHECK_EQ(kosh_reply_send_msg(saved[1], &r), KOSH_OK);
	wait_returned(1u << 1);
	CHECK(!__atomic_load_n(&returned[0], __ATOMIC_ACQUIRE));
	CHECK_ERR(kosh_reply_send_msg(saved[1], &r), KOSH_E_BAD_HANDLE); /* used up */
	r.words[0] = 100;
	CHECK_EQ(kosh_reply_send_msg(saved[0], &r), KOSH_OK);
	wait_returned(1u << 0);

	/* The third is closed unanswered. */
	CHECK(!__atomic_load_n(&returned[2], __ATOMIC_ACQUIRE));
	CHECK_EQ(kosh_handle_close(saved[2]), KOSH_OK);
	wait_returned(1u << 2);

	/* The late one: saved, then its caller gives up; the answer goes nowhere. */
	CHECK_OK(kosh_notification_signal(go_late, 1));
	saved[LATE] = receive_and_save(&id);
	CHECK_EQ(id, LATE);
	wait_returned(1u << LATE);
	kosh_handle_t keep = (kosh_handle_t)CHECK_OK(kosh_notification_create(quota));
	kosh_ipc_buffer()->caps[0] = keep;
	CHECK_ERR(kosh_reply_send(saved[LATE], kosh_msg_tag(2, 0, 1, 1), 0, 0, 0, 0),
		  KOSH_E_PEER_CLOSED);
	CHECK_EQ(kosh_info(keep, &info), KOSH_OK); /* not taken */
	CHECK_ERR(kosh_handle_close(saved[LATE]), KOSH_E_BAD_HANDLE);
	CHECK_EQ(kosh_handle_close(keep), KOSH_OK);
	CHECK_EQ(test_quota_used(quota), used); /* every reply object given back */
	CHECK_OK(kosh_notification_signal(finished, 1));
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_thread clients[CLIENTS], srv;
	uint64_t bits;
	quota = self->quota;
	ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(quota));
	done = (kosh_handle_t)CHECK_OK(kosh_notification_create(quota));
	go_late = (kosh_handle_t)CHECK_OK(kosh_notification_create(quota));
	finished = (kosh_handle_t)CHECK_OK(kosh_notification_create(quota));
	for (uintptr_t i = 0; i < CLIENTS; i++)
		CHECK_EQ(kosh_thread_spawn(&clients[i], client, (void *)i, 0), KOSH_OK);
	CHECK_EQ(kosh_thread_spawn(&srv, server, NULL, 0), KOSH_OK);
	CHECK_EQ(kosh_notify_wait(finished, 20 * TEST_SECOND, &bits), KOSH_OK);
	CHECK_EQ(result[0], KOSH_OK);
	CHECK_EQ(reply_word[0], 100);
	CHECK_EQ(result[1], KOSH_OK);
	CHECK_EQ(reply_word[1], 101);
	CHECK_ERR(result[2], KOSH_E_PEER_CLOSED);
	CHECK_ERR(result[LATE], KOSH_E_TIMED_OUT);
	return 0;
}
