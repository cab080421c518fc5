/* SPDX-License-Identifier: MIT */
/*
 * IPC0006: the longest message, KOSH_MSG_WORDS_MAX words (4 KiB), goes both
 * ways through the IPC buffers intact, word by word; one word more is
 * refused with KOSH_E_INVALID_ARGUMENT.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define ROUNDS 5

static kosh_handle_t ep;
static struct kosh_thread server;

static uint64_t pattern(uint32_t round, uint32_t i)
{
	return 0x9e3779b97f4a7c15ull * (round * KOSH_MSG_WORDS_MAX + i + 1);
}

static void serve(void *arg)
{
	struct kosh_ipc_buffer *ipc = server.ipc;
	struct kosh_msg m, reply;
	CHECK_EQ(kosh_recv(ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	for (uint32_t round = 0;; round++) {
		CHECK_EQ(KOSH_MSG_WORDS(m.tag), KOSH_MSG_WORDS_MAX);
		for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
			CHECK_EQ(m.words[i], pattern(round, i));
		for (uint32_t i = KOSH_MSG_WORDS_REG; i < KOSH_MSG_WORDS_MAX; i++)
			if (ipc->words[i] != pattern(round, i))
				check_fail(__FILE_NAME__, __LINE__, "round %u word %u: 0x%llx", round,
					   i, (unsigned long long)ipc->words[i]);
		for (uint32_t i = KOSH_MSG_WORDS_REG; i < KOSH_MSG_WORDS_MAX; i++)
			ipc->words[i] = ~pattern(round, i);
		reply.tag = kosh_msg_tag(0, KOSH_MSG_WORDS_MAX, 0, 0);
		for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
			reply.words[i] = ~pattern(round, i);
		if (round + 1 == ROUNDS) {
			CHECK_ERR(kosh_reply_recv(ep, &reply, &m, NULL, 0), KOSH_E_TIMED_OUT);
			return;
		}
		CHECK_EQ(kosh_reply_recv(ep, &reply, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	}
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_ipc_buffer *ipc = self->ipc_buffer;
	ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	struct kosh_msg m, r;
	m = (struct kosh_msg){ kosh_msg_tag(1, KOSH_MSG_WORDS_MAX + 1, 0, 0), { 0 } };
	CHECK_ERR(kosh_call(ep, &m, &r, 0), KOSH_E_INVALID_ARGUMENT);
	CHECK_EQ(kosh_thread_spawn(&server, serve, NULL, 0), KOSH_OK);
	for (uint32_t round = 0; round < ROUNDS; round++) {
		m.tag = kosh_msg_tag(1, KOSH_MSG_WORDS_MAX, 0, 0);
		for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
			m.words[i] = pattern(round, i);
		for (uint32_t i = KOSH_MSG_WORDS_REG; i < KOSH_MSG_WORDS_MAX; i++)
			ipc->words[i] = pattern(round, i);
		CHECK_EQ(kosh_call(ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
		CHECK_EQ(KOSH_MSG_WORDS(r.tag), KOSH_MSG_WORDS_MAX);
		for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
			CHECK_EQ(r.words[i], ~pattern(round, i));
		for (uint32_t i = KOSH_MSG_WORDS_REG; i < KOSH_MSG_WORDS_MAX; i++)
			if (ipc->words[i] != ~pattern(round, i))
				check_fail(__FILE_NAME__, __LINE__, "reply %u word %u: 0x%llx", round, i,
					   (unsigned long long)ipc->words[i]);
	}
	return 0;
}
