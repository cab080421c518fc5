/* SPDX-License-Identifier: MIT */
/*
 * IPC0003: capabilities travel in messages. A copied handle arrives with the
 * same type, rights and badge and the sender keeps its own; a moved one
 * leaves the sender's table; both need the transfer right (without it the
 * call is refused and nothing moves); a handle moved twice in one message is
 * refused; four travel at once; a reply carries capabilities too. The
 * received handles work: the server signals the notifications it got.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define LABEL_INSPECT 1
#define LABEL_GIVE    2
#define LABEL_QUIT    3

struct server {
	kosh_handle_t ep, give; /* give: what LABEL_GIVE sends back (copied) */
	struct kosh_thread thread;
};

/* Reply: word 0 the caps that arrived, words 1-3 type, rights, badge of the first. */
static void inspect(struct server *s, const struct kosh_msg *m, struct kosh_msg *reply)
{
	uint32_t n = KOSH_MSG_CAPS(m->tag);
	struct kosh_handle_info info = { 0 };
	for (uint32_t i = 0; i < n; i++) {
		kosh_handle_t h = s->thread.ipc->caps[i];
		struct kosh_handle_info hi;
		CHECK_EQ(kosh_info(h, &hi), KOSH_OK);
		if (i == 0)
			info = hi;
		if (hi.type == KOSH_OBJ_NOTIFICATION)
			CHECK_EQ(kosh_notification_signal(h, 1u << i), KOSH_OK);
		CHECK_EQ(kosh_handle_close(h), KOSH_OK);
	}
	*reply = (struct kosh_msg){ kosh_msg_tag(0, 4, 0, 0),
				    { n, info.type, info.rights, info.badge } };
}

static void serve(void *arg)
{
	struct server *s = arg;
	struct kosh_msg m, reply;
	CHECK_EQ(kosh_recv(s->ep, &m, NULL, 10 * TEST_SECOND), KOSH_OK);
	while (KOSH_MSG_LABEL(m.tag) != LABEL_QUIT) {
		if (KOSH_MSG_LABEL(m.tag) == LABEL_GIVE) {
			s->thread.ipc->caps[0] = s->give;
			reply = (struct kosh_msg){ kosh_msg_tag(0, 0, 1, 0), { 0 } };
		} else {
			inspect(s, &m, &reply);
		}
		CHECK_EQ(kosh_reply_recv(s->ep, &reply, &m, NULL, 10 * TEST_SECOND), KOSH_OK);
	}
	reply = (struct kosh_msg){ 0 };
	CHECK_ERR(kosh_reply_recv(s->ep, &reply, &m, NULL, 0), KOSH_E_TIMED_OUT);
}

static struct kosh_msg send_caps(kosh_handle_t ep, const kosh_handle_t *caps, uint32_t n,
				 uint32_t move, int64_t want)
{
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	struct kosh_msg m = { kosh_msg_tag(LABEL_INSPECT, 0, n, move), { 0 } }, r = { 0 };
	for (uint32_t i = 0; i < n; i++)
		ipc->caps[i] = caps[i];
	kosh_err_t err = kosh_call(ep, &m, &r, 5 * TEST_SECOND);
	if (err != want)
		check_fail(__FILE_NAME__, __LINE__, "call with %u caps (move 0x%x): expected %s, got %s",
			   n, move, kosh_strerror((kosh_err_t)want), check_result_text(err));
	return r;
}

static uint64_t take_bits(kosh_handle_t n)
{
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	return bits;
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	static struct server s;
	s.ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	const uint32_t sent = KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER;
	kosh_handle_t give = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(n, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE,
				0x99));
	s.give = give;
	CHECK_EQ(kosh_thread_spawn(&s.thread, serve, &s, 0), KOSH_OK);

	/* A copy: same type, rights, badge; ours stays. */
	kosh_handle_t c = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, sent, 0x77));
	struct kosh_msg r = send_caps(s.ep, &c, 1, 0, KOSH_OK);
	CHECK_EQ(r.words[0], 1);
	CHECK_EQ(r.words[1], KOSH_OBJ_NOTIFICATION);
	CHECK_EQ(r.words[2], sent);
	CHECK_EQ(r.words[3], 0x77);
	CHECK_EQ(take_bits(n), 1); /* the server signalled through its copy */
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info(c, &info), KOSH_OK);

	/* A move: gone from our table. */
	r = send_caps(s.ep, &c, 1, 1, KOSH_OK);
	CHECK_EQ(r.words[0], 1);
	CHECK_EQ(r.words[3], 0x77);
	CHECK_EQ(take_bits(n), 1);
	CHECK_ERR(kosh_info(c, &info), KOSH_E_BAD_HANDLE);

	/* Without the transfer right: refused, copied or moved, and nothing moves. */
	kosh_handle_t nt = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, KOSH_RIGHT_SIGNAL, 0));
	send_caps(s.ep, &nt, 1, 0, KOSH_E_ACCESS_DENIED);
	send_caps(s.ep, &nt, 1, 1, KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_info(nt, &info), KOSH_OK);
	CHECK_EQ(take_bits(n), 0);
	/* One bad cap among good ones: nothing moves. */
	kosh_handle_t good = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, sent, 0));
	kosh_handle_t mixed[2] = { good, nt };
	send_caps(s.ep, mixed, 2, 1, KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_info(good, &info), KOSH_OK);
	/* The same handle moved twice in one message. */
	kosh_handle_t twice[2] = { good, good };
	send_caps(s.ep, twice, 2, 3, KOSH_E_INVALID_ARGUMENT);
	CHECK_EQ(kosh_info(good, &info), KOSH_OK);
	/* A handle that is not one. */
	kosh_handle_t none = 0;
	send_caps(s.ep, &none, 1, 0, KOSH_E_BAD_HANDLE);

	/* Four at once, two copied and two moved. */
	kosh_handle_t four[4];
	for (int i = 0; i < 4; i++)
		four[i] = (kosh_handle_t)CHECK_OK(kosh_handle_dup(n, sent, (uint64_t)i + 1));
	r = send_caps(s.ep, four, 4, 0xa, KOSH_OK);
	CHECK_EQ(r.words[0], 4);
	CHECK_EQ(r.words[3], 1);
	CHECK_EQ(take_bits(n), 0xf);
	CHECK_EQ(kosh_info(four[0], &info), KOSH_OK);
	CHECK_ERR(kosh_info(four[1], &info), KOSH_E_BAD_HANDLE);
	CHECK_EQ(kosh_info(four[2], &info), KOSH_OK);
	CHECK_ERR(kosh_info(four[3], &info), KOSH_E_BAD_HANDLE);

	/* A reply carries a capability back. */
	struct kosh_msg m = { kosh_msg_tag(LABEL_GIVE, 0, 0, 0), { 0 } };
	CHECK_EQ(kosh_call(s.ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_CAPS(r.tag), 1);
	kosh_handle_t back = self->ipc_buffer->caps[0];
	CHECK(back != give);
	CHECK_EQ(kosh_info(back, &info), KOSH_OK);
	CHECK_EQ(info.type, KOSH_OBJ_NOTIFICATION);
	CHECK_EQ(info.badge, 0x99);
	CHECK_EQ(kosh_notification_signal(back, 0x100), KOSH_OK);
	CHECK_EQ(take_bits(n), 0x100);

	m.tag = kosh_msg_tag(LABEL_QUIT, 0, 0, 0);
	CHECK_EQ(kosh_call(s.ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	return 0;
}
