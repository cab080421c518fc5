/* SPDX-License-Identifier: MIT */
/*
 * IPC0001: endpoint call and reply between two threads of this process. A
 * server thread (its own stack and IPC buffer, started with thread_create +
 * thread_start) receives, and replies with what it saw: the label, the words,
 * and the badge of the handle the client called through, so two badged
 * duplicates of one endpoint are told apart. Words past the four in registers
 * travel in the IPC buffers. A handle without the write right cannot call; one
 * without read cannot receive.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"

#define LABEL_ECHO 0x10
#define LABEL_LONG 0x11
#define LABEL_QUIT 0x12
#define SECOND     1000000000ull
#define LONG_WORDS 12

struct server {
	kosh_handle_t ep;
	struct kosh_thread thread;
	unsigned served;
};

/* The reply to m from a sender with badge: label + 0x100, the words + 1, the badge in word 3. */
static void answer(struct server *s, const struct kosh_msg *m, uint64_t badge,
		   struct kosh_msg *reply)
{
	uint32_t label = KOSH_MSG_LABEL(m->tag);
	uint32_t words = KOSH_MSG_WORDS(m->tag);
	*reply = (struct kosh_msg){ kosh_msg_tag(label + 0x100, 4, 0, 0),
				    { m->words[0] + 1, m->words[1] + 1, words, badge } };
	if (label == LABEL_LONG) {
		/* Words 4 .. n-1 arrived in our IPC buffer; send them back doubled. */
		struct kosh_ipc_buffer *ipc = s->thread.ipc;
		for (uint32_t i = KOSH_MSG_WORDS_REG; i < words; i++)
			ipc->words[i] *= 2;
		reply->tag = kosh_msg_tag(label + 0x100, words, 0, 0);
	}
	s->served++;
}

static void serve(void *arg)
{
	struct server *s = arg;
	struct kosh_msg m, reply;
	uint64_t badge = 0;
	CHECK_EQ(kosh_recv(s->ep, &m, &badge, 10 * SECOND), KOSH_OK);
	while (KOSH_MSG_LABEL(m.tag) != LABEL_QUIT) {
		answer(s, &m, badge, &reply);
		CHECK_EQ(kosh_reply_recv(s->ep, &reply, &m, &badge, 10 * SECOND), KOSH_OK);
	}
	answer(s, &m, badge, &reply);
	/* Timeout 0: reply, then find no next message. */
	CHECK_ERR(kosh_reply_recv(s->ep, &reply, &m, &badge, 0), KOSH_E_TIMED_OUT);
}

static void call_echo(kosh_handle_t h, uint64_t word, uint64_t badge)
{
	struct kosh_msg m = { kosh_msg_tag(LABEL_ECHO, 2, 0, 0), { word, word * 3, 0, 0 } }, r;
	CHECK_EQ(kosh_call(h, &m, &r, 10 * SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(r.tag), LABEL_ECHO + 0x100);
	CHECK_EQ(KOSH_MSG_WORDS(r.tag), 4);
	CHECK_EQ(r.words[0], word + 1);
	CHECK_EQ(r.words[1], word * 3 + 1);
	CHECK_EQ(r.words[2], 2);
	CHECK_EQ(r.words[3], badge);
}

static void call_long(kosh_handle_t h)
{
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	for (uint32_t i = KOSH_MSG_WORDS_REG; i < LONG_WORDS; i++)
		ipc->words[i] = 1000 + i;
	struct kosh_msg m = { kosh_msg_tag(LABEL_LONG, LONG_WORDS, 0, 0), { 7, 8, 9, 10 } }, r;
	CHECK_EQ(kosh_call(h, &m, &r, 10 * SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(r.tag), LABEL_LONG + 0x100);
	CHECK_EQ(KOSH_MSG_WORDS(r.tag), LONG_WORDS);
	CHECK_EQ(r.words[2], LONG_WORDS);
	for (uint32_t i = KOSH_MSG_WORDS_REG; i < LONG_WORDS; i++)
		CHECK_EQ(ipc->words[i], 2 * (1000 + i));
}

int main(int argc, char **argv)
{
	static struct server s;
	const struct kosh_self *self = kosh_self();
	s.ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t a = (kosh_handle_t)CHECK_OK(kosh_handle_dup(s.ep, KOSH_RIGHT_WRITE, 0xa1));
	kosh_handle_t b = (kosh_handle_t)CHECK_OK(kosh_handle_dup(s.ep, KOSH_RIGHT_WRITE, 0xb2));
	kosh_handle_t rd = (kosh_handle_t)CHECK_OK(kosh_handle_dup(s.ep, KOSH_RIGHT_READ, 0));
	struct kosh_msg m = { kosh_msg_tag(LABEL_ECHO, 0, 0, 0), { 0 } };
	uint64_t badge;
	CHECK_ERR(kosh_call(rd, &m, &m, 0), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_recv(a, &m, &badge, 0), KOSH_E_ACCESS_DENIED);

	CHECK_EQ(kosh_thread_spawn(&s.thread, serve, &s, 0), KOSH_OK);
	call_echo(a, 5, 0xa1);
	call_echo(b, 6, 0xb2);
	call_echo(a, 7, 0xa1);
	call_echo(s.ep, 8, 0); /* the unbadged original */
	call_long(b);
	int64_t t0 = kosh_clock_get();
	for (int i = 0; i < 100; i++)
		call_echo(a, (uint64_t)i, 0xa1);
	check_note("100 call/reply round trips in %lld us",
		   (long long)(kosh_clock_get() - t0) / 1000);
	struct kosh_msg quit = { kosh_msg_tag(LABEL_QUIT, 0, 0, 0), { 0 } };
	CHECK_EQ(kosh_call(b, &quit, &quit, 10 * SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(quit.tag), LABEL_QUIT + 0x100);
	CHECK_EQ(s.served, 106);
	return 0;
}
