/* SPDX-License-Identifier: MIT */
/*
 * Host tests of IPC (kernel/ipc.c, sys_ipc.c): endpoints' call / recv /
 * reply_recv state machine between real threads on the fake port's context
 * switches (test/fake/thread_fake.c), queued callers, timeouts, dying and
 * restarted servers, capability transfer, malformed tags, long messages,
 * notifications and their binding to endpoints, and fault messages.
 *
 * Known kernel bugs have a test that is skipped with "BUG-n" (described at
 * the test); nothing else is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thread_harness.h"

#include "arch_fake.h"
#include "timer.h"

#define MS			      1000000ull
#define NEVER			      KOSH_TIMEOUT_NEVER
#define TAG(label, words, caps, move) kosh_msg_tag(label, words, caps, move)

/* Handles the threads use: the server's and the clients' (set by each test). */
static kosh_handle_t g_sep, g_cep[8], g_n, g_h[8];

/* What a server saw, message by message. */
struct seen {
	int64_t e;
	uint64_t tag, w[4], badge;
	kosh_handle_t caps[KOSH_MSG_CAPS_MAX];
	struct kosh_handle_info info[KOSH_MSG_CAPS_MAX];
	int64_t info_e[KOSH_MSG_CAPS_MAX];
};
static struct seen seen[16];
static unsigned nseen;

/* What each client got back. */
struct got {
	int64_t e;
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	int done;
};
static struct got got[8];

static void record(int64_t e, const uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	if (nseen >= 16)
		return;
	struct seen *s = &seen[nseen++];
	memset(s, 0, sizeof(*s));
	/* Whatever ran before, this thread's address space is the active one. */
	UCHECK(thread_fake.active_space == thread_current()->proc->space);
	s->e = e;
	if (e != KOSH_OK)
		return;
	s->tag = r[1];
	memcpy(s->w, &r[2], sizeof(s->w));
	s->badge = r[6];
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(r[1]) && i < KOSH_MSG_CAPS_MAX; i++) {
		s->caps[i] = u_ipcbuf()->caps[i];
		s->info_e[i] = u_info(s->caps[i], &s->info[i]);
	}
}

/* Serve forever: each reply has the label + 100 and the words + 1. */
static void echo_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	int64_t e = u_recv(g_sep, NEVER, r);
	for (;;) {
		record(e, r);
		if (e != KOSH_OK) {
			e = u_recv(g_sep, NEVER, r);
			continue;
		}
		e = u_reply_recv(g_sep, TAG(KOSH_MSG_LABEL(r[1]) + 100, 4, 0, 0), r[2] + 1,
				 r[3] + 1, r[4] + 1, r[5] + 1, NEVER, r);
	}
}

/* Client i calls g_cep[i] with label 10 + i and words i*10 + 1 .. 4. */
static void client(uint64_t i)
{
	got[i].e = u_call(g_cep[i], TAG(10 + (uint32_t)i, 4, 0, 0), i * 10 + 1, i * 10 + 2,
			  i * 10 + 3, i * 10 + 4, NEVER, got[i].r);
	got[i].done = 1;
	UCHECK(thread_fake.active_space == thread_current()->proc->space);
	th_mark("C%llu", (unsigned long long)i);
}

static void expect_echo_reply(unsigned i)
{
	assert_true(got[i].done);
	assert_int_equal(got[i].e, KOSH_OK);
	assert_int_equal(got[i].r[1], TAG(110 + i, 4, 0, 0));
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(got[i].r[2 + k], i * 10 + k + 2);
	assert_int_equal(got[i].r[6], 0); /* a reply carries no badge */
}

static void expect_seen(unsigned n, unsigned client_i, uint64_t badge)
{
	assert_int_equal(seen[n].e, KOSH_OK);
	assert_int_equal(seen[n].tag, TAG(10 + client_i, 4, 0, 0));
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(seen[n].w[k], client_i * 10 + k + 1);
	assert_int_equal(seen[n].badge, badge);
}

/* A server process and a client process on one endpoint; client i's handle has badge 0x100 + i. */
static struct endpoint *ep;
static struct process *srv_proc, *cli_proc;

static void setup_pair(unsigned clients)
{
	ep = th_endpoint();
	srv_proc = th_process("server", NULL);
	cli_proc = th_process("client", NULL);
	g_sep = th_give(srv_proc, &ep->obj, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, 0);
	for (unsigned i = 0; i < clients; i++)
		g_cep[i] = th_give(cli_proc, &ep->obj, KOSH_RIGHT_WRITE, 0x100 + i);
	memset(seen, 0, sizeof(seen));
	memset(got, 0, sizeof(got));
	nseen = 0;
	/* A thread never started keeps each process from exiting when its others end. */
	th_thread_new(srv_proc, 1);
	th_thread_new(cli_proc, 1);
}

static int thread_on(struct list *q, struct thread *t)
{
	int found = 0;
	list_for_each(pos, q)
	{
		found |= pos == &t->wait_link;
	}
	return found;
}

/* ---- call / recv / reply_recv ---- */

static void test_ipc_round_trip_receiver_first(void **state)
{
	setup_pair(1);
	struct thread *s = th_thread(srv_proc, 20, echo_server, 0);
	struct thread *c = th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_int_equal(nseen, 1);
	expect_seen(0, 0, 0x100); /* the badge of the caller's handle */
	expect_echo_reply(0);
	assert_int_equal(c->state, THREAD_DEAD);
	/* The server waits for the next caller. */
	assert_int_equal(s->state, THREAD_BLOCKED);
	assert_int_equal(s->wait, WAIT_RECV);
	assert_true(thread_on(&ep->receivers, s));
	assert_null(s->reply_to);
	/* Each switch between the two processes switched address spaces. */
	assert_true(thread_fake.mmu_switches >= 3);
}

static void test_ipc_round_trip_caller_first_is_queued(void **state)
{
	setup_pair(1);
	struct thread *s = th_thread_new(srv_proc, 20);
	struct thread *c = th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_int_equal(c->state, THREAD_BLOCKED);
	assert_int_equal(c->wait, WAIT_SEND);
	assert_true(thread_on(&ep->senders, c));
	th_start(s, echo_server, 0);
	th_run();
	assert_int_equal(nseen, 1);
	expect_seen(0, 0, 0x100);
	expect_echo_reply(0);
	assert_true(list_empty(&ep->senders));
}

static void test_ipc_queued_callers_served_in_order(void **state)
{
	setup_pair(3);
	struct thread *s = th_thread_new(srv_proc, 5);
	th_thread(cli_proc, 10, client, 0);
	th_thread(cli_proc, 10, client, 1);
	th_thread(cli_proc, 10, client, 2);
	th_run();
	th_start(s, echo_server, 0);
	th_run();
	assert_int_equal(nseen, 3);
	for (unsigned i = 0; i < 3; i++) {
		expect_seen(i, i, 0x100 + i);
		expect_echo_reply(i);
	}
}

static void test_ipc_server_lower_priority_still_serves(void **state)
{
	setup_pair(2);
	th_thread(srv_proc, 5, echo_server, 0);
	th_thread(cli_proc, 30, client, 0);
	th_thread(cli_proc, 30, client, 1);
	th_run();
	assert_int_equal(nseen, 2);
	expect_echo_reply(0);
	expect_echo_reply(1);
}

static void timeout_client(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	got[0].e = u_call(g_cep[0], TAG(1, 0, 0, 0), 0, 0, 0, 0, 0, NULL);
	got[1].e = u_recv(g_sep, 0, NULL); /* nothing queued */
	got[2].e = u_call(g_cep[0], TAG(1, 0, 0, 0), 0, 0, 0, 0, 1 * MS, r);
	th_mark("T");
}

static void test_ipc_call_timeouts_without_receiver(void **state)
{
	setup_pair(1);
	g_sep = th_give(cli_proc, &ep->obj, KOSH_RIGHT_READ, 0);
	struct thread *c = th_thread(cli_proc, 10, timeout_client, 0);
	th_run();
	assert_int_equal(got[0].e, KOSH_E_TIMED_OUT); /* timeout 0 never blocks */
	assert_int_equal(got[1].e, KOSH_E_TIMED_OUT);
	assert_int_equal(c->state, THREAD_BLOCKED);
	assert_true(thread_on(&ep->senders, c));
	th_advance(TH_START_NS + 1 * MS - 1);
	assert_int_equal(c->state, THREAD_BLOCKED);
	th_advance(TH_START_NS + 1 * MS);
	assert_int_equal(got[2].e, KOSH_E_TIMED_OUT);
	assert_true(list_empty(&ep->senders)); /* it left the queue */
	assert_string_equal(th_trace, "T");
}

static void slow_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	int64_t e = u_recv(g_sep, NEVER, r);
	record(e, r);
	UCHECK_EQ(u_wait(g_n, NEVER, NULL), KOSH_OK); /* holds the reply meanwhile */
	th_mark("late");
	e = u_reply_recv(g_sep, TAG(1, 1, 0, 0), 0xaa, 0, 0, 0, NEVER, r); /* to nobody */
	record(e, r);
	e = u_reply_recv(g_sep, TAG(2, 1, 0, 0), 0xbb, 0, 0, 0, NEVER, r);
	record(e, r);
}

static void impatient_client(uint64_t i)
{
	got[i].e = u_call(g_cep[i], TAG(10 + (uint32_t)i, 4, 0, 0), 1, 2, 3, 4, i ? NEVER : 1 * MS,
			  got[i].r);
	got[i].done = 1;
	th_mark("C%llu", (unsigned long long)i);
}

static void test_ipc_caller_times_out_while_server_holds_reply(void **state)
{
	setup_pair(2);
	struct notification *n = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_WAIT, 0);
	struct thread *s = th_thread(srv_proc, 20, slow_server, 0);
	struct thread *c0 = th_thread(cli_proc, 10, impatient_client, 0);
	struct thread *c1 = th_thread_new(cli_proc, 10);
	th_run();
	assert_int_equal(nseen, 1);
	assert_ptr_equal(s->reply_to, c0);
	assert_int_equal(c0->wait, WAIT_REPLY);
	th_advance(TH_START_NS + 1 * MS);
	assert_int_equal(got[0].e, KOSH_E_TIMED_OUT);
	assert_null(s->reply_to); /* the reply capability is gone with it */
	assert_int_equal(c0->state, THREAD_DEAD);
	/* The server replies late: dropped, and it goes on receiving. */
	bkl_lock();
	notification_signal(n, 1);
	bkl_unlock();
	th_run();
	assert_int_equal(s->state, THREAD_BLOCKED);
	assert_int_equal(s->wait, WAIT_RECV);
	th_start(c1, impatient_client, 1);
	th_run();
	assert_int_equal(nseen, 2);
	assert_int_equal(seen[1].e, KOSH_OK);
	assert_int_equal(seen[1].badge, 0x101);
	assert_int_equal(got[1].e, KOSH_OK);
	assert_int_equal(got[1].r[1], TAG(2, 1, 0, 0));
	assert_int_equal(got[1].r[2], 0xbb);
	assert_string_equal(th_trace, "C0 late C1");
}

static void dying_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	th_mark("S dies");
	/* Returns: the thread exits holding the reply. */
}

static void test_ipc_server_dying_with_reply_gives_peer_closed(void **state)
{
	setup_pair(1);
	th_thread(srv_proc, 20, dying_server, 0);
	th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_int_equal(nseen, 1);
	assert_int_equal(got[0].e, KOSH_E_PEER_CLOSED);
	assert_string_equal(th_trace, "S dies C0");
}

static void holding_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	u_wait(g_n, NEVER, NULL); /* until killed */
}

static void test_ipc_restarted_server_serves_queued_callers(void **state)
{
	setup_pair(3);
	struct notification *n = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_WAIT, 0);
	th_thread(srv_proc, 20, holding_server, 0);
	th_thread(cli_proc, 10, client, 0);
	struct thread *c1 = th_thread(cli_proc, 10, client, 1);
	struct thread *c2 = th_thread(cli_proc, 10, client, 2);
	th_run();
	assert_int_equal(nseen, 1);
	assert_true(thread_on(&ep->senders, c1) && thread_on(&ep->senders, c2));
	/* The server process dies: the caller it held learns it, the queued ones wait. */
	bkl_lock();
	process_kill(srv_proc, 1);
	bkl_unlock();
	th_run();
	assert_int_equal(got[0].e, KOSH_E_PEER_CLOSED);
	assert_false(got[1].done || got[2].done);
	assert_int_equal(c1->wait, WAIT_SEND);
	/* A new server process on the same endpoint serves them, in order. */
	struct process *again = th_process("server2", NULL);
	g_sep = th_give(again, &ep->obj, KOSH_RIGHT_READ, 0);
	th_thread(again, 20, echo_server, 0);
	th_run();
	assert_int_equal(nseen, 3);
	expect_seen(1, 1, 0x101);
	expect_seen(2, 2, 0x102);
	expect_echo_reply(1);
	expect_echo_reply(2);
}

static void double_recv_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	record(u_recv(g_sep, NEVER, r), r); /* drops the first caller's reply */
	record(u_reply_recv(g_sep, TAG(111, 4, 0, 0), 12, 13, 14, 15, NEVER, r), r);
}

static void test_ipc_second_recv_drops_unanswered_reply(void **state)
{
	setup_pair(2);
	th_thread(srv_proc, 20, double_recv_server, 0);
	th_thread(cli_proc, 10, client, 0);
	th_thread(cli_proc, 10, client, 1);
	th_run();
	assert_int_equal(got[0].e, KOSH_E_PEER_CLOSED);
	expect_echo_reply(1);
	assert_int_equal(nseen, 2);
}

static void server_holding_then_serving(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	UCHECK_EQ(u_wait(g_n, NEVER, NULL), KOSH_OK);
	record(u_reply_recv(g_sep, TAG(1, 0, 0, 0), 0, 0, 0, 0, NEVER, r), r);
}

static void test_ipc_killed_caller_releases_reply(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_WAIT, 0);
	struct thread *s = th_thread(srv_proc, 20, server_holding_then_serving, 0);
	struct thread *c = th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_ptr_equal(s->reply_to, c);
	bkl_lock();
	thread_kill(c);
	bkl_unlock();
	assert_null(s->reply_to);
	th_run();
	assert_int_equal(c->state, THREAD_DEAD);
	assert_false(got[0].done);
	bkl_lock();
	notification_signal(n, 1);
	bkl_unlock();
	th_run(); /* the reply goes nowhere, harmlessly */
	assert_int_equal(s->wait, WAIT_RECV);
}

/*
 * process_kill only kicks a thread running on another CPU; that thread may be on
 * its way into a wait. It must not block (nothing would wake it, its process
 * would never exit): it leaves the wait as a killed blocked thread does.
 */
static void killed_then_receives(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	bkl_lock();
	thread_kill(thread_current()); /* as if from another CPU, while it runs */
	bkl_unlock();
	got[0].e = u_recv(g_sep, NEVER, r);
	got[0].done = 1;
}

static void killed_then_calls(uint64_t arg)
{
	bkl_lock();
	thread_kill(thread_current());
	bkl_unlock();
	got[0].e = u_call(g_cep[0], TAG(7, 0, 0, 0), 1, 2, 3, 4, NEVER, got[0].r);
	got[0].done = 1;
}

static void test_ipc_thread_killed_while_running_never_blocks(void **state)
{
	setup_pair(1);
	struct thread *t = th_thread(srv_proc, 20, killed_then_receives, 0);
	th_run();
	assert_int_equal(t->state, THREAD_DEAD);
	assert_true(list_empty(&ep->receivers));
	assert_false(got[0].done && got[0].e == KOSH_OK);

	/* A call that meets a waiting receiver: the message is delivered, no reply is owed. */
	memset(got, 0, sizeof(got));
	struct notification *n = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_WAIT, 0);
	struct thread *s = th_thread(srv_proc, 20, server_holding_then_serving, 0);
	th_run();
	assert_int_equal(s->wait, WAIT_RECV);
	struct thread *c = th_thread(cli_proc, 10, killed_then_calls, 0);
	th_run();
	assert_int_equal(c->state, THREAD_DEAD);
	assert_null(s->reply_to);
	assert_true(list_empty(&ep->senders));
	assert_false(got[0].done && got[0].e == KOSH_OK);
	assert_int_equal(nseen, 1); /* the server did get the message */
	bkl_lock();
	notification_signal(n, 1);
	bkl_unlock();
	th_run(); /* its reply goes nowhere, harmlessly */
	assert_int_equal(s->wait, WAIT_RECV);
}

/* ---- Capability transfer ---- */

static void cap_client(uint64_t arg)
{
	struct kosh_handle_info info;
	uint32_t move = (uint32_t)arg;
	u_ipcbuf()->caps[0] = g_h[0];
	got[0].e = u_call(g_cep[0], TAG(5, 0, 1, move), 0, 0, 0, 0, NEVER, got[0].r);
	got[1].e = u_info(g_h[0], &info); /* the sender's handle afterwards */
	got[0].done = 1;
}

static void transfer(int move)
{
	setup_pair(1);
	struct notification *n = th_notification();
	uint32_t rights = KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE;
	g_h[0] = th_give(cli_proc, &n->obj, rights, 0x55);
	uint32_t refs = n->obj.refs;
	th_thread(srv_proc, 20, echo_server, 0);
	th_thread(cli_proc, 10, cap_client, (uint64_t)move);
	th_run();
	assert_int_equal(got[0].e, KOSH_OK);
	assert_int_equal(nseen, 1);
	assert_int_equal(KOSH_MSG_CAPS(seen[0].tag), 1);
	/* The receiver has a new handle: the same object, rights and badge. */
	assert_int_equal(seen[0].info_e[0], KOSH_OK);
	assert_int_equal(seen[0].info[0].type, KOSH_OBJ_NOTIFICATION);
	assert_int_equal(seen[0].info[0].rights, rights);
	assert_int_equal(seen[0].info[0].badge, 0x55);
	struct kobject *o;
	assert_int_equal(
	    cap_get(&srv_proc->caps, seen[0].caps[0], KOSH_OBJ_NOTIFICATION, 0, &o, NULL), KOSH_OK);
	assert_ptr_equal(o, &n->obj);
	kobject_put(o);
	if (move) {
		assert_int_equal(got[1].e, KOSH_E_BAD_HANDLE); /* gone from the sender */
		assert_int_equal(n->obj.refs, refs);
	} else {
		assert_int_equal(got[1].e, KOSH_OK);
		assert_int_equal(n->obj.refs, refs + 1);
	}
}

static void test_ipc_transfer_copies_capability(void **state)
{
	transfer(0);
}

static void test_ipc_transfer_moves_capability(void **state)
{
	transfer(1);
}

static void no_transfer_client(uint64_t arg)
{
	struct kosh_handle_info info;
	int64_t weak = u_dup(g_h[0], KOSH_RIGHT_SIGNAL | KOSH_RIGHT_DUPLICATE, 0);
	UCHECK(weak > 0);
	u_ipcbuf()->caps[0] = (kosh_handle_t)weak;
	got[0].e = u_call(g_cep[0], TAG(5, 0, 1, 0), 0, 0, 0, 0, NEVER, NULL);
	got[1].e = u_call(g_cep[0], TAG(5, 0, 1, 1), 0, 0, 0, 0, NEVER, NULL);
	got[2].e = u_info((kosh_handle_t)weak, &info); /* still there */
	/* The second cap lacks TRANSFER: the first (moved) stays too. */
	u_ipcbuf()->caps[0] = g_h[0];
	u_ipcbuf()->caps[1] = (kosh_handle_t)weak;
	got[3].e = u_call(g_cep[0], TAG(5, 0, 2, 1), 0, 0, 0, 0, NEVER, NULL);
	got[4].e = u_info(g_h[0], &info);
	/* A stale handle in the message. */
	u_ipcbuf()->caps[0] = g_h[0] + (1u << KOSH_HANDLE_SLOT_BITS);
	got[5].e = u_call(g_cep[0], TAG(5, 0, 1, 0), 0, 0, 0, 0, NEVER, NULL);
	th_mark("done");
}

static void test_ipc_transfer_needs_transfer_right(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_h[0] = th_give(cli_proc, &n->obj, KOSH_RIGHTS_ALL, 0);
	uint32_t refs = n->obj.refs;
	struct thread *s = th_thread(srv_proc, 20, echo_server, 0);
	th_thread(cli_proc, 10, no_transfer_client, 0);
	th_run();
	assert_string_equal(th_trace, "done");
	assert_int_equal(got[0].e, KOSH_E_ACCESS_DENIED);
	assert_int_equal(got[1].e, KOSH_E_ACCESS_DENIED);
	assert_int_equal(got[2].e, KOSH_OK);
	assert_int_equal(got[3].e, KOSH_E_ACCESS_DENIED);
	assert_int_equal(got[4].e, KOSH_OK);
	assert_int_equal(got[5].e, KOSH_E_BAD_HANDLE);
	/* Nothing reached the server, nothing leaked. */
	assert_int_equal(nseen, 0);
	assert_int_equal(s->wait, WAIT_RECV);
	assert_int_equal(n->obj.refs, refs + 1); /* the dup, still in the client's table */
}

static void reply_cap_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	int64_t e = u_recv(g_sep, NEVER, r);
	record(e, r);
	/* Reply with the second cap it got, moved back. */
	u_ipcbuf()->caps[0] = seen[0].caps[1];
	record(u_reply_recv(g_sep, TAG(0, 0, 1, 1), 0, 0, 0, 0, NEVER, r), r);
}

static void two_cap_client(uint64_t arg)
{
	struct kosh_handle_info info;
	u_ipcbuf()->caps[0] = g_h[0];
	u_ipcbuf()->caps[1] = g_h[1];
	got[0].e = u_call(g_cep[0], TAG(6, 0, 2, 2), 0, 0, 0, 0, NEVER, got[0].r);
	got[0].r[0] = u_ipcbuf()->caps[0]; /* the handle the reply brought */
	got[1].e = u_info((kosh_handle_t)got[0].r[0], &info);
	got[1].r[0] = info.type;
	got[1].r[1] = info.badge;
	got[2].e = u_info(g_h[0], &info); /* copied: still here */
	got[3].e = u_info(g_h[1], &info); /* moved: gone */
}

static void test_ipc_transfer_two_caps_and_a_cap_in_the_reply(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	struct endpoint *other = th_endpoint();
	g_h[0] = th_give(cli_proc, &n->obj, KOSH_RIGHTS_ALL, 1);
	g_h[1] = th_give(cli_proc, &other->obj, KOSH_RIGHTS_ALL, 2);
	th_thread(srv_proc, 20, reply_cap_server, 0);
	th_thread(cli_proc, 10, two_cap_client, 0);
	th_run();
	assert_int_equal(seen[0].e, KOSH_OK);
	assert_int_equal(KOSH_MSG_CAPS(seen[0].tag), 2);
	assert_int_equal(KOSH_MSG_MOVE(seen[0].tag), 0); /* the receiver sees no move mask */
	assert_int_equal(seen[0].info[0].type, KOSH_OBJ_NOTIFICATION);
	assert_int_equal(seen[0].info[0].badge, 1);
	assert_int_equal(seen[0].info[1].type, KOSH_OBJ_ENDPOINT);
	assert_int_equal(seen[0].info[1].badge, 2);
	assert_int_equal(got[0].e, KOSH_OK);
	assert_int_equal(KOSH_MSG_CAPS(got[0].r[1]), 1);
	assert_int_equal(got[1].e, KOSH_OK);
	assert_int_equal(got[1].r[0], KOSH_OBJ_ENDPOINT);
	assert_int_equal(got[1].r[1], 2);
	assert_int_equal(got[2].e, KOSH_OK);
	assert_int_equal(got[3].e, KOSH_E_BAD_HANDLE);
	assert_int_equal(srv_proc->caps.used,
			 2); /* its endpoint handle and the copied notification */
}

static void test_ipc_transfer_into_full_table_drops_caps(void **state)
{
	static struct kobject filler = { .type = KOSH_OBJ_LOG, .refs = 1 };
	setup_pair(1);
	struct notification *n = th_notification();
	g_h[0] = th_give(cli_proc, &n->obj, KOSH_RIGHTS_ALL, 0);
	kosh_handle_t h;
	unsigned filled = 0;
	kobject_get(&filler);
	while (cap_insert(&srv_proc->caps, &filler, 0, 0, &h) == KOSH_OK) {
		kobject_get(&filler);
		filled++;
	}
	kobject_put(&filler);
	assert_int_equal(srv_proc->caps.used, PROCESS_CAP_SLOTS - 1);
	uint32_t refs = n->obj.refs;
	th_thread(srv_proc, 20, echo_server, 0);
	th_thread(cli_proc, 10, cap_client, 0);
	th_run();
	/* The message arrives; the cap that did not fit is dropped, and the tag says so. */
	assert_int_equal(seen[0].e, KOSH_OK);
	assert_int_equal(seen[0].tag, TAG(5, 0, 0, 0));
	assert_int_equal(got[0].e, KOSH_OK);
	assert_int_equal(n->obj.refs, refs);
	assert_int_equal(filler.refs, filled + 1);
}

/*
 * A receiver whose IPC buffer cannot take the handles gets KOSH_E_BAD_ADDRESS
 * and no handle at all: the capabilities are published only after their
 * handles were copied out (an unknown handle in its table would be a leak).
 */
static void test_ipc_cap_to_bad_ipc_buffer_leaves_no_handle(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_h[0] = th_give(cli_proc, &n->obj, KOSH_RIGHTS_ALL, 0);
	uint32_t refs = n->obj.refs, used = srv_proc->caps.used;
	struct thread *srv = th_thread(srv_proc, 20, echo_server, 0);
	srv->ipc_buffer = 0x1000; /* faults in the fake port's user copies */
	th_thread(cli_proc, 10, cap_client, 0);
	th_run();
	assert_int_equal(seen[0].e, KOSH_E_BAD_ADDRESS);
	assert_int_equal(srv_proc->caps.used, used);
	/* Its next receive drops the reply it still owes. */
	assert_int_equal(got[0].e, KOSH_E_PEER_CLOSED);
	assert_int_equal(n->obj.refs, refs);
}

/* ---- Malformed tags ---- */

/* A tag as the bits say, without kosh_msg_tag's masking (a constant expression). */
#define RAWTAG(label, words, caps, move)                                                           \
	((uint64_t)(label) << 32 | (uint64_t)(move) << 16 | (uint64_t)(caps) << 12 |               \
	 (uint64_t)(words))

static const uint64_t bad_tags[] = {
    RAWTAG(1, 0, 0, 0) | 0x400,		     /* reserved: bit 10 */
    RAWTAG(1, 0, 0, 0) | 0x800,		     /* reserved: bit 11 */
    RAWTAG(1, 0, 0, 0) | 0x8000,	     /* reserved: bit 15 */
    RAWTAG(1, 0, 0, 0) | (1ull << 20),	     /* reserved: bit 20 */
    RAWTAG(1, 0, 0, 0) | (1ull << 31),	     /* reserved: bit 31 */
    RAWTAG(1, KOSH_MSG_WORDS_MAX + 1, 0, 0), /* 513 words */
    RAWTAG(1, 1023, 0, 0),
    RAWTAG(1, 0, 5, 0), /* 5 caps */
    RAWTAG(1, 0, 7, 0),
    RAWTAG(1, 0, 0, 1), /* a move bit, no cap */
    RAWTAG(1, 0, 1, 2), /* a move bit beyond the one cap */
    RAWTAG(1, 0, 3, 8),
};
#define NBAD (sizeof(bad_tags) / sizeof(bad_tags[0]))
static int64_t bad_results[NBAD], bad_reply_result, bad_info;

static void bad_tag_client(uint64_t arg)
{
	struct kosh_handle_info info;
	u_ipcbuf()->caps[0] = g_h[0];
	u_ipcbuf()->caps[1] = g_h[0];
	u_ipcbuf()->caps[2] = g_h[0];
	for (unsigned i = 0; i < NBAD; i++)
		bad_results[i] = u_call(g_cep[0], bad_tags[i], 1, 2, 3, 4, NEVER, NULL);
	bad_info = u_info(g_h[0], &info); /* no move happened */
	th_mark("bad done");
	/* Now a good call: the server then answers with a bad reply first. */
	got[0].e = u_call(g_cep[0], TAG(10, 4, 0, 0), 1, 2, 3, 4, NEVER, got[0].r);
	got[0].done = 1;
}

static void bad_reply_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	bad_reply_result = u_reply_recv(g_sep, TAG(1, 0, 0, 1), 0, 0, 0, 0, NEVER, r);
	th_mark("bad reply");
	record(u_reply_recv(g_sep, TAG(110, 4, 0, 0), 2, 3, 4, 5, NEVER, r), r);
}

static void test_ipc_malformed_tags_change_nothing(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_h[0] = th_give(cli_proc, &n->obj, KOSH_RIGHTS_ALL, 0);
	uint32_t refs = n->obj.refs;
	struct thread *s = th_thread_new(srv_proc, 5);
	struct thread *c = th_thread_new(cli_proc, 10);
	uint64_t used = th_quota.used;
	th_start(c, bad_tag_client, 0);
	th_run(); /* no receiver yet: the good call is queued */
	for (unsigned i = 0; i < NBAD; i++)
		assert_int_equal(bad_results[i], KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(bad_info, KOSH_OK);
	assert_int_equal(n->obj.refs, refs);
	assert_int_equal(th_quota.used, used);
	th_start(s, bad_reply_server, 0);
	th_run();
	/* A malformed reply is refused and the reply stays owed. */
	assert_int_equal(bad_reply_result, KOSH_E_INVALID_ARGUMENT);
	expect_echo_reply(0);
	assert_string_equal(th_trace, "bad done bad reply");
}

/* ---- Long messages through the IPC buffers ---- */

static unsigned long_bad_words;

static void long_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	int64_t e = u_recv(g_sep, NEVER, r);
	record(e, r);
	for (unsigned i = 0; i < KOSH_MSG_WORDS_MAX; i++) {
		uint64_t w = i < 4 ? r[2 + i] : u_ipcbuf()->words[i];
		if (w != i * 3 + 1)
			long_bad_words++;
	}
	for (unsigned i = 4; i < 300; i++)
		u_ipcbuf()->words[i] = 1000 + i;
	record(u_reply_recv(g_sep, TAG(2, 300, 0, 0), 1000, 1001, 1002, 1003, NEVER, r), r);
}

static void long_client(uint64_t arg)
{
	for (unsigned i = 4; i < KOSH_MSG_WORDS_MAX; i++)
		u_ipcbuf()->words[i] = i * 3 + 1;
	got[0].e = u_call(g_cep[0], TAG(1, KOSH_MSG_WORDS_MAX, 0, 0), 1, 4, 7, 10, NEVER, got[0].r);
	for (unsigned i = 0; i < KOSH_MSG_WORDS_MAX; i++) {
		uint64_t w = i < 4 ? got[0].r[2 + i] : u_ipcbuf()->words[i];
		uint64_t want = i < 300 ? 1000 + i : i * 3 + 1; /* beyond the reply: untouched */
		if (w != want)
			long_bad_words += 1000;
	}
	got[0].done = 1;
}

static void test_ipc_long_message_through_ipc_buffer(void **state)
{
	setup_pair(1);
	long_bad_words = 0;
	th_thread(srv_proc, 20, long_server, 0);
	th_thread(cli_proc, 10, long_client, 0);
	th_run();
	assert_int_equal(seen[0].e, KOSH_OK);
	assert_int_equal(KOSH_MSG_WORDS(seen[0].tag), KOSH_MSG_WORDS_MAX);
	assert_int_equal(got[0].e, KOSH_OK);
	assert_int_equal(got[0].r[1], TAG(2, 300, 0, 0));
	assert_int_equal(long_bad_words, 0);
}

static void no_buffer_client(uint64_t arg)
{
	got[0].e = u_call(g_cep[0], TAG(1, 5, 0, 0), 0, 0, 0, 0, NEVER, NULL);
	got[1].e = u_call(g_cep[0], TAG(1, 0, 1, 0), 0, 0, 0, 0, NEVER, NULL);
	th_mark("done");
}

static void test_ipc_long_message_without_ipc_buffer_is_bad_address(void **state)
{
	setup_pair(1);
	struct thread *s = th_thread(srv_proc, 20, echo_server, 0);
	struct thread *t = th_thread_new(cli_proc, 10);
	bkl_lock();
	assert_int_equal(thread_start(t, (uint64_t)(uintptr_t)no_buffer_client, 0, 0, 0), KOSH_OK);
	bkl_unlock();
	th_run();
	assert_string_equal(th_trace, "done");
	assert_int_equal(got[0].e, KOSH_E_BAD_ADDRESS);
	assert_int_equal(got[1].e, KOSH_E_BAD_ADDRESS);
	assert_int_equal(nseen, 0);
	assert_int_equal(s->wait, WAIT_RECV);
}

/* ---- Notifications ---- */

static int64_t nres[16];
static uint64_t nbits[16];

static void notify_user(uint64_t arg)
{
	nres[0] = u_signal(g_n, 1);
	nres[1] = u_signal(g_n, 4);
	nres[2] = u_poll(g_n, &nbits[2]); /* 5 */
	nres[3] = u_poll(g_n, &nbits[3]); /* 0 */
	u_signal(g_n, 8);
	u_signal(g_n, 8);
	nres[4] = u_wait(g_n, 0, &nbits[4]); /* 8, without blocking */
	nres[5] = u_wait(g_n, 0, &nbits[5]); /* nothing */
	u_signal(g_n, 0);
	nres[6] = u_poll(g_n, &nbits[6]);	  /* 0: signalling nothing changes nothing */
	nres[7] = u_wait(g_n, 2 * MS, &nbits[7]); /* times out */
	th_mark("done");
}

static void test_ipc_notification_signal_wait_poll(void **state)
{
	struct process *p = th_process("p", NULL);
	struct notification *n = th_notification();
	g_n = th_give(p, &n->obj, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_WAIT, 0);
	th_thread(p, 10, notify_user, 0);
	th_run();
	assert_string_equal(th_trace, "");
	th_advance(TH_START_NS + 2 * MS);
	assert_string_equal(th_trace, "done");
	int64_t want_res[] = {0, 0, 0, 0, 0, KOSH_E_TIMED_OUT, 0, KOSH_E_TIMED_OUT};
	uint64_t want_bits[] = {0, 0, 5, 0, 8, 0, 0, 0};
	for (int i = 0; i < 8; i++) {
		assert_int_equal(nres[i], want_res[i]);
		assert_int_equal(nbits[i], want_bits[i]);
	}
	assert_int_equal(n->word, 0);
}

static void notify_waiter(uint64_t arg)
{
	nres[0] = u_wait(g_n, NEVER, &nbits[0]);
	nres[1] = u_poll(g_n, &nbits[1]);
	th_mark("W");
}

static void notify_signaller(uint64_t arg)
{
	u_signal(g_n, 0x10);
	u_signal(g_n, 0x20);
	u_signal(g_n, 0x40);
	th_mark("S");
}

static void test_ipc_notification_wakes_waiter_rest_accumulates(void **state)
{
	struct process *p = th_process("p", NULL);
	struct notification *n = th_notification();
	g_n = th_give(p, &n->obj, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_WAIT, 0);
	struct thread *w = th_thread(p, 5, notify_waiter, 0);
	th_run();
	assert_int_equal(w->state, THREAD_BLOCKED);
	assert_int_equal(w->wait, WAIT_NOTIFY);
	th_thread(p, 10, notify_signaller, 0);
	th_run();
	assert_string_equal(th_trace, "S W");
	assert_int_equal(nres[0], KOSH_OK);
	assert_int_equal(nbits[0], 0x10);
	assert_int_equal(nbits[1], 0x60);
}

static void bound_receiver(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	for (int i = 0; i < 3; i++) {
		int64_t e = u_recv(g_sep, NEVER, r);
		record(e, r);
		if (e == KOSH_OK && KOSH_MSG_LABEL(r[1]) != KOSH_LABEL_NOTIFY)
			u_reply_recv(g_sep, TAG(0, 0, 0, 0), 0, 0, 0, 0, 0,
				     NULL); /* answer, don't wait */
	}
}

static void binder(uint64_t arg)
{
	nres[0] = usys(KOSH_SYS_notification_bind, g_n, g_sep, 0, 0, 0, 0, 0);
	nres[1] = usys(KOSH_SYS_notification_bind, g_n, g_sep, 0, 0, 0, 0, 0);
	u_signal(g_n, 0x3); /* pending before the receiver comes */
}

static void late_signaller(uint64_t arg)
{
	u_signal(g_n, 0x100);
}

static void test_ipc_notification_bound_to_endpoint(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_WAIT, 0);
	th_thread(srv_proc, 10, binder, 0);
	th_run();
	assert_int_equal(nres[0], KOSH_OK);
	assert_int_equal(nres[1], KOSH_E_ALREADY_EXISTS);
	assert_ptr_equal(n->bound, ep);
	struct thread *r = th_thread(srv_proc, 20, bound_receiver, 0);
	th_run();
	/* The pending bits arrive as a message at once. */
	assert_int_equal(nseen, 1);
	assert_int_equal(r->wait, WAIT_RECV);
	/* A signal while it waits wakes it with a message too. */
	th_thread(srv_proc, 10, late_signaller, 0);
	th_run();
	assert_int_equal(nseen, 2);
	/* And callers still get through. */
	th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_int_equal(nseen, 3);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(seen[i].e, KOSH_OK);
		assert_int_equal(seen[i].tag, TAG(KOSH_LABEL_NOTIFY, 1, 0, 0));
		assert_int_equal(seen[i].badge, 0);
	}
	assert_int_equal(seen[0].w[0], 0x3);
	assert_int_equal(seen[1].w[0], 0x100);
	expect_seen(2, 0, 0x100);
	assert_int_equal(got[0].e, KOSH_OK);
	assert_int_equal(n->word, 0);
}

/* ---- Faults to a fault endpoint ---- */

static void fault_supervisor(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	UCHECK_EQ(usys(KOSH_SYS_thread_set_fault_endpoint, g_h[0], g_h[1], 0, 0, 0, 0, 0), KOSH_OK);
	UCHECK_EQ(u_close(g_h[1]), KOSH_OK); /* the thread holds its own reference */
	record(u_recv(g_sep, NEVER, r), r);
	record(u_reply_recv(g_sep, TAG(0, 0, 0, 0), 0, 0, 0, 0, NEVER, r), r); /* resume */
	record(u_reply_recv(g_sep, TAG(1, 0, 0, 0), 0, 0, 0, 0, NEVER, r), r); /* refuse */
}

static void faulting(uint64_t arg)
{
	th_mark("F1");
	user_fault_now(KOSH_FAULT_PAGE, 0xdead000, 0x401000, KOSH_FAULT_WRITE);
	th_mark("resumed");
	user_fault_now(KOSH_FAULT_UNDEFINED, 0x402000, 0x402000, 0xe7f000f0);
	th_mark("never");
}

static void test_ipc_fault_to_fault_endpoint_reply_resumes_or_kills(void **state)
{
	setup_pair(0);
	struct process *victim = th_process("victim", NULL);
	struct thread *t = th_thread_new(victim, 10);
	g_h[0] = th_give(srv_proc, &t->obj, KOSH_RIGHT_MANAGE, 0);
	g_h[1] = th_give(srv_proc, &ep->obj, KOSH_RIGHT_WRITE, 0x77);
	th_thread(srv_proc, 20, fault_supervisor, 0);
	th_run(); /* the supervisor sets the fault endpoint and waits */
	th_start(t, faulting, 0);
	th_run();
	assert_int_equal(nseen, 2);
	assert_int_equal(seen[0].e, KOSH_OK);
	assert_int_equal(seen[0].tag, TAG(KOSH_LABEL_FAULT, 4, 0, 0));
	assert_int_equal(seen[0].w[0], KOSH_FAULT_PAGE);
	assert_int_equal(seen[0].w[1], 0xdead000);
	assert_int_equal(seen[0].w[2], 0x401000);
	assert_int_equal(seen[0].w[3], KOSH_FAULT_WRITE);
	assert_int_equal(seen[0].badge, 0x77);
	assert_int_equal(seen[1].tag, TAG(KOSH_LABEL_FAULT, 4, 0, 0));
	assert_int_equal(seen[1].w[0], KOSH_FAULT_UNDEFINED);
	assert_int_equal(seen[1].w[3], 0xe7f000f0);
	assert_string_equal(th_trace, "F1 resumed");
	assert_int_equal(victim->state, PROCESS_EXITED);
	assert_int_equal(victim->exit_status, KOSH_EXIT_FAULTED | KOSH_FAULT_UNDEFINED);
}

static void test_ipc_fault_supervisor_death_kills_faulted(void **state)
{
	setup_pair(0);
	struct process *victim = th_process("victim", NULL);
	struct thread *t = th_thread_new(victim, 10);
	t->fault_ep = &ep->obj;
	kobject_get(&ep->obj);
	t->fault_badge = 9;
	th_thread(srv_proc, 20, dying_server, 0);
	th_start(t, faulting, 0);
	th_run();
	assert_int_equal(seen[0].tag, TAG(KOSH_LABEL_FAULT, 4, 0, 0));
	assert_int_equal(seen[0].badge, 9);
	assert_int_equal(victim->exit_status, KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE);
	assert_string_equal(th_trace, "F1 S dies");
}

/* ---- Saved replies (reply_save, reply_send) ---- */

static int64_t u_save(kosh_handle_t quota)
{
	return usys(KOSH_SYS_reply_save, quota, 0, 0, 0, 0, 0, 0);
}

static int64_t u_send(kosh_handle_t reply, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		      uint64_t w3)
{
	return usys(KOSH_SYS_reply_send, reply, tag, w0, w1, w2, w3, 0);
}

/* The echo server's reply to what seen[n] holds, through a saved reply. */
static int64_t send_echo(kosh_handle_t reply, unsigned n)
{
	return u_send(reply, TAG(KOSH_MSG_LABEL(seen[n].tag) + 100, 4, 0, 0), seen[n].w[0] + 1,
		      seen[n].w[1] + 1, seen[n].w[2] + 1, seen[n].w[3] + 1);
}

static kosh_handle_t g_q;	 /* the server's quota handle */
static int64_t saved[8];	 /* handles (or errors) of reply_save */
static int64_t sres[16];	 /* results the servers saw */
static struct kosh_handle_info sinfo;

static void reply_reset(void)
{
	memset(saved, 0, sizeof(saved));
	memset(sres, 0, sizeof(sres));
	memset(&sinfo, 0, sizeof(sinfo));
}

/* Receive two calls, save both replies, answer them in reverse order. */
static void saving_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	sres[0] = u_save(g_q); /* nothing owed yet */
	for (int i = 0; i < 2; i++) {
		record(u_recv(g_sep, NEVER, r), r);
		saved[i] = u_save(g_q);
	}
	sres[1] = u_info((kosh_handle_t)saved[0], &sinfo);
	sres[2] = u_save(g_q); /* both saved: nothing owed */
	th_mark("S");
	sres[3] = send_echo((kosh_handle_t)saved[1], 1);
	sres[4] = send_echo((kosh_handle_t)saved[0], 0);
	th_mark("sent");
}

static void test_ipc_reply_save_answers_later_in_any_order(void **state)
{
	setup_pair(2);
	reply_reset();
	struct process *sp = srv_proc;
	g_q = th_give(sp, &th_quota.obj, KOSH_RIGHT_MANAGE, 0);
	struct thread *s = th_thread_new(sp, 5);
	struct thread *c0 = th_thread(cli_proc, 10, client, 0);
	struct thread *c1 = th_thread(cli_proc, 10, client, 1);
	uint64_t used = th_quota.used;
	th_run(); /* both callers queue */
	th_start(s, saving_server, 0);
	th_run();
	assert_int_equal(sres[0], KOSH_E_BAD_STATE);
	assert_true(saved[0] > 0 && saved[1] > 0);
	assert_int_equal(sres[1], KOSH_OK);
	assert_int_equal(sinfo.type, KOSH_OBJ_REPLY);
	assert_int_equal(sinfo.rights, KOSH_RIGHT_WRITE);
	assert_int_equal(sinfo.badge, 0);
	assert_int_equal(sres[2], KOSH_E_BAD_STATE);
	assert_int_equal(sres[3], KOSH_OK);
	assert_int_equal(sres[4], KOSH_OK);
	/* The callers run as they are answered (above the server): the second first. */
	assert_string_equal(th_trace, "S C1 C0 sent");
	expect_seen(0, 0, 0x100);
	expect_seen(1, 1, 0x101);
	expect_echo_reply(0);
	expect_echo_reply(1);
	assert_int_equal(c0->state, THREAD_DEAD);
	assert_int_equal(c1->state, THREAD_DEAD);
	/* The handles were used up, the objects freed, the quota given back exactly. */
	assert_int_equal(sp->caps.used, 2); /* the endpoint and the quota */
	assert_int_equal(th_quota.used, used);
}

/* One thread saves the reply and goes on receiving; another answers it. */
static void saver_then_receiver(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	saved[0] = u_save(g_q);
	th_mark("saved");
	record(u_recv(g_sep, NEVER, r), r); /* owes nothing: nobody is dropped */
	th_mark("never");
}

static void later_sender(uint64_t arg)
{
	for (unsigned i = 4; i < 40; i++)
		u_ipcbuf()->words[i] = 500 + i;
	u_ipcbuf()->caps[0] = g_h[0];
	sres[0] = u_send((kosh_handle_t)saved[0], TAG(77, 40, 1, 1), 1, 2, 3, 4);
	sres[1] = u_send((kosh_handle_t)saved[0], TAG(78, 0, 0, 0), 0, 0, 0, 0); /* again */
	sres[2] = u_info(g_h[0], &sinfo);					  /* moved away */
	sres[3] = u_close((kosh_handle_t)saved[0]);
	th_mark("sent");
}

static void long_reply_client(uint64_t arg)
{
	got[0].e = u_call(g_cep[0], TAG(10, 4, 0, 0), 1, 2, 3, 4, NEVER, got[0].r);
	got[0].done = 1;
	for (unsigned i = 4; i < 40; i++)
		if (u_ipcbuf()->words[i] != 500 + i)
			got[1].e = -100;
	got[1].r[0] = u_ipcbuf()->caps[0];
	got[2].e = u_info((kosh_handle_t)got[1].r[0], &sinfo);
	th_mark("C0");
}

static void test_ipc_reply_send_from_another_thread_with_long_message_and_cap(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_q = th_give(srv_proc, &th_quota.obj, KOSH_RIGHT_MANAGE, 0);
	g_h[0] = th_give(srv_proc, &n->obj, KOSH_RIGHTS_ALL, 0x33);
	reply_reset();
	struct thread *s = th_thread(srv_proc, 20, saver_then_receiver, 0);
	struct thread *c = th_thread(cli_proc, 10, long_reply_client, 0);
	uint64_t used = th_quota.used;
	th_run();
	assert_true(saved[0] > 0);
	assert_null(s->reply_to);
	assert_int_equal(s->wait, WAIT_RECV);
	assert_int_equal(c->state, THREAD_BLOCKED);
	assert_int_equal(c->wait, WAIT_REPLY);
	assert_non_null(c->reply_saved);
	assert_null(c->caller_of);
	assert_int_equal(th_quota.used, used + sizeof(struct reply));
	th_thread(srv_proc, 15, later_sender, 0);
	used = th_quota.used; /* with the sender thread's charge */
	th_run();
	assert_string_equal(th_trace, "saved sent C0"); /* the sender is more urgent */
	assert_int_equal(sres[0], KOSH_OK);
	assert_int_equal(sres[1], KOSH_E_BAD_HANDLE); /* the send used the handle up */
	assert_int_equal(sres[2], KOSH_E_BAD_HANDLE);
	assert_int_equal(sres[3], KOSH_E_BAD_HANDLE);
	assert_int_equal(got[0].e, KOSH_OK);
	assert_int_equal(got[0].r[1], TAG(77, 40, 1, 0));
	assert_int_equal(got[0].r[2], 1);
	assert_int_equal(got[0].r[5], 4);
	assert_int_equal(got[1].e, 0);
	assert_int_equal(got[2].e, KOSH_OK);
	assert_int_equal(sinfo.type, KOSH_OBJ_NOTIFICATION);
	assert_int_equal(sinfo.badge, 0x33);
	assert_int_equal(nseen, 1);
	assert_int_equal(s->wait, WAIT_RECV);
	assert_int_equal(th_quota.used, used - sizeof(struct reply));
}

/* Save, then close unanswered; save another and exit holding it. */
static void closing_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	saved[0] = u_save(g_q);
	sres[0] = u_close((kosh_handle_t)saved[0]);
	th_mark("closed");
	record(u_recv(g_sep, NEVER, r), r);
	saved[1] = u_save(g_q);
	th_mark("S exits");
	/* Returns: its process ends (nothing else runs in it), the table closes. */
}

static void test_ipc_reply_closed_unanswered_gives_peer_closed(void **state)
{
	struct process *sp = th_process("server", NULL);
	cli_proc = th_process("client", NULL);
	ep = th_endpoint();
	g_sep = th_give(sp, &ep->obj, KOSH_RIGHT_READ, 0);
	g_cep[0] = th_give(cli_proc, &ep->obj, KOSH_RIGHT_WRITE, 0x100);
	g_cep[1] = th_give(cli_proc, &ep->obj, KOSH_RIGHT_WRITE, 0x101);
	g_q = th_give(sp, &th_quota.obj, KOSH_RIGHT_MANAGE, 0);
	th_thread_new(cli_proc, 1);
	reply_reset();
	memset(got, 0, sizeof(got));
	th_thread(sp, 20, closing_server, 0);
	th_thread(cli_proc, 10, client, 0);
	th_thread(cli_proc, 10, client, 1);
	uint64_t used = th_quota.used;
	th_run();
	assert_int_equal(sres[0], KOSH_OK);
	assert_true(saved[1] > 0);
	assert_int_equal(got[0].e, KOSH_E_PEER_CLOSED);
	assert_int_equal(got[1].e, KOSH_E_PEER_CLOSED); /* its server's process ended */
	assert_string_equal(th_trace, "closed S exits C0 C1");
	assert_int_equal(sp->state, PROCESS_EXITED);
	assert_int_equal(th_quota.used, used); /* both reply objects are gone */
}

static void holding_saver(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	saved[0] = u_save(g_q);
	UCHECK_EQ(u_wait(g_n, NEVER, NULL), KOSH_OK);
	u_ipcbuf()->caps[0] = g_h[0];
	sres[0] = u_send((kosh_handle_t)saved[0], TAG(1, 0, 1, 1), 0, 0, 0, 0);
	sres[1] = u_info(g_h[0], &sinfo); /* not taken: nothing was delivered */
	sres[2] = u_close((kosh_handle_t)saved[0]);
	th_mark("S");
}

static void reply_client(uint64_t timeout)
{
	got[0].e = u_call(g_cep[0], TAG(10, 4, 0, 0), 1, 2, 3, 4, timeout, got[0].r);
	got[0].done = 1;
	th_mark("C0");
}

static void reply_after_caller_gone(int kill)
{
	setup_pair(1);
	struct notification *n = th_notification(), *other = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_WAIT, 0);
	g_q = th_give(srv_proc, &th_quota.obj, KOSH_RIGHT_MANAGE, 0);
	g_h[0] = th_give(srv_proc, &other->obj, KOSH_RIGHTS_ALL, 0);
	uint32_t refs = other->obj.refs;
	reply_reset();
	struct thread *s = th_thread(srv_proc, 20, holding_saver, 0);
	struct thread *c = th_thread(cli_proc, 10, reply_client, kill ? NEVER : 1 * MS);
	uint64_t used = th_quota.used;
	th_run();
	assert_true(saved[0] > 0);
	assert_int_equal(th_quota.used, used + sizeof(struct reply));
	struct reply *rp = c->reply_saved;
	assert_non_null(rp);
	if (kill) {
		bkl_lock();
		process_kill(cli_proc, 9);
		bkl_unlock();
		th_run();
		assert_int_equal(cli_proc->state, PROCESS_EXITED);
	} else {
		th_advance(TH_START_NS + 1 * MS); /* the call's timeout */
		assert_int_equal(got[0].e, KOSH_E_TIMED_OUT);
	}
	assert_int_equal(c->state, THREAD_DEAD);
	assert_null(rp->caller); /* the reply is empty */
	assert_int_equal(th_quota.used, used + sizeof(struct reply));
	bkl_lock();
	notification_signal(n, 1);
	bkl_unlock();
	th_run();
	assert_string_equal(th_trace, kill ? "S" : "C0 S");
	assert_int_equal(sres[0], KOSH_E_PEER_CLOSED);
	assert_int_equal(sres[1], KOSH_OK);
	assert_int_equal(sres[2], KOSH_E_BAD_HANDLE); /* used up all the same */
	assert_int_equal(other->obj.refs, refs);
	assert_int_equal(s->state, THREAD_DEAD);
	assert_int_equal(th_quota.used, used);
}

static void test_ipc_reply_to_killed_caller_is_peer_closed(void **state)
{
	reply_after_caller_gone(1);
}

static void test_ipc_reply_to_timed_out_caller_is_peer_closed(void **state)
{
	reply_after_caller_gone(0);
}

/* Refusals: each leaves the reply owed, and the good send after them delivers. */
static void refusing_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	record(u_recv(g_sep, NEVER, r), r);
	sres[0] = u_save(g_h[0]);		/* a quota without MANAGE */
	sres[1] = u_save(g_sep);		/* not a quota */
	sres[2] = u_save(g_h[1]);		/* a quota with too little room */
	saved[0] = u_save(g_q);
	sres[3] = u_send(g_sep, TAG(1, 0, 0, 0), 0, 0, 0, 0); /* not a reply */
	sres[4] = u_dup((kosh_handle_t)saved[0], KOSH_RIGHT_WRITE, 0); /* no DUPLICATE */
	sres[5] = u_send((kosh_handle_t)saved[0], RAWTAG(1, 0, 5, 0), 0, 0, 0, 0); /* bad tag */
	u_ipcbuf()->caps[0] = g_sep; /* no TRANSFER */
	sres[6] = u_send((kosh_handle_t)saved[0], TAG(1, 0, 1, 0), 0, 0, 0, 0);
	sres[7] = u_recv(g_sep, 0, r); /* owes nothing (the object does): drops nothing */
	sres[8] = send_echo((kosh_handle_t)saved[0], 0);
	th_mark("S");
}

static struct quota small;

static void dissolve_small(void)
{
	assert_int_equal(quota_dissolve(&small), KOSH_OK);
}

static void test_ipc_reply_refusals_change_nothing(void **state)
{
	setup_pair(1);
	reply_reset();
	memset(&small, 0, sizeof(small));
	th_cleanup = dissolve_small; /* once the server's table no longer holds it */
	g_q = th_give(srv_proc, &th_quota.obj, KOSH_RIGHT_MANAGE, 0);
	g_h[0] = th_give(srv_proc, &th_quota.obj, KOSH_RIGHTS_ALL & ~KOSH_RIGHT_MANAGE, 0);
	assert_int_equal(quota_split(&th_quota, &small, sizeof(struct reply) - 1), KOSH_OK);
	g_h[1] = th_give(srv_proc, &small.obj, KOSH_RIGHT_MANAGE, 0);
	th_thread(srv_proc, 5, refusing_server, 0);
	th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_int_equal(sres[0], KOSH_E_ACCESS_DENIED);
	assert_int_equal(sres[1], KOSH_E_WRONG_TYPE);
	assert_int_equal(sres[2], KOSH_E_NO_MEMORY);
	assert_true(saved[0] > 0);
	assert_int_equal(sres[3], KOSH_E_WRONG_TYPE);
	assert_int_equal(sres[4], KOSH_E_ACCESS_DENIED);
	assert_int_equal(sres[5], KOSH_E_INVALID_ARGUMENT);
	assert_int_equal(sres[6], KOSH_E_ACCESS_DENIED);
	assert_int_equal(sres[7], KOSH_E_TIMED_OUT);
	assert_int_equal(sres[8], KOSH_OK);
	expect_echo_reply(0);
	assert_string_equal(th_trace, "C0 S");
	assert_int_equal(small.used, 0);
}

/* ---- Known bugs, and regressions of fixed ones ---- */

/*
 * Regression (BUG-1, fixed): thread_create took the thread's message buffer
 * from kmalloc, whose contents are undefined, and ipc.c relies on unused
 * msg->caps[] entries being NULL (move_message copies them all, drop_caps puts
 * every non-NULL one, on every message and every thread's exit).
 */
static void test_thread_create_message_buffer_has_no_caps(void **state)
{
	struct process *p = th_process("p", NULL);
	struct thread *t = th_thread_new(p, 10); /* kmalloc gives poisoned memory */
	for (unsigned i = 0; i < KOSH_MSG_CAPS_MAX; i++)
		assert_null(t->msg->caps[i]);
}

/*
 * BUG-2: an IPC hand-off ignores priorities. sched_block_handoff
 * (kernel/sched.c, called from ipc.c's send_and_wait and receive) switches
 * straight to next, even when a thread of higher priority than next is ready
 * on this CPU, and posts no reschedule: next then runs until it blocks or its
 * inherited slice ends. Here a server at 30 replies (reply_recv) to a caller
 * at 10 while a thread at 20, which the server woke, is ready: the caller runs
 * first. Fix: in sched_block_handoff, hand off only when
 * next->priority >= runqueue_top_priority(&c->rq) (else sched_ready(next) and
 * schedule(0)), or post SCHED_WORK_RESCHED after the switch when a higher
 * priority waits.
 */
static void handoff_server(uint64_t arg)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	UCHECK_EQ(u_recv(g_sep, NEVER, r), KOSH_OK);
	th_mark("S");
	u_signal(g_n, 1); /* the middle thread is ready, below the server */
	u_reply_recv(g_sep, TAG(0, 0, 0, 0), 0, 0, 0, 0, NEVER, r);
}

static void middle(uint64_t arg)
{
	u_wait(g_n, NEVER, NULL);
	th_mark("M");
}

static void test_ipc_reply_handoff_does_not_skip_higher_priority(void **state)
{
	setup_pair(1);
	struct notification *n = th_notification();
	g_n = th_give(srv_proc, &n->obj, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_WAIT, 0);
	th_thread(srv_proc, 30, handoff_server, 0);
	th_thread(srv_proc, 20, middle, 0);
	th_thread(cli_proc, 10, client, 0);
	th_run();
	assert_string_equal(th_trace, "S M C0");
}

/*
 * BUG-3: closing the last handle of an endpoint does not wake the threads
 * blocked on it, against DESIGN.md §4 ("the last handle's close destroys the
 * object and wakes anything blocked on it with an error
 * (KOSH_E_PEER_CLOSED)"). Every handler in sys_ipc.c keeps its own reference
 * while it blocks, so the reference count never reaches 0 while anyone waits,
 * endpoint_release's wake_all never finds a waiter, and a receiver whose
 * endpoint has no handle left anywhere sleeps forever (the same holds for a
 * notification's waiters and process_wait's KOSH_E_PEER_CLOSED). Fix: count
 * handles apart from references (cap.c tells the object when its last handle
 * closes) and wake the queues then, or drop the handler's reference before
 * blocking and make the queues hold it.
 */
static void lone_receiver(uint64_t arg)
{
	got[0].e = u_recv(g_sep, NEVER, NULL);
	got[0].done = 1;
	th_mark("R");
}

static void closer(uint64_t arg)
{
	UCHECK_EQ(u_close(g_sep), KOSH_OK);
	th_mark("closed");
}

static void test_ipc_last_handle_close_wakes_blocked_receiver(void **state)
{
	struct process *p = th_process("p", NULL);
	struct endpoint *e;
	assert_int_equal(endpoint_create(&th_quota, &e), KOSH_OK);
	assert_int_equal(cap_insert(&p->caps, &e->obj, KOSH_RIGHT_READ, 0, &g_sep), KOSH_OK);
	memset(got, 0, sizeof(got));
	th_thread(p, 20, lone_receiver, 0);
	th_thread(p, 10, closer, 0);
	th_run();
	assert_true(got[0].done);
	assert_int_equal(got[0].e, KOSH_E_PEER_CLOSED);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup, th_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_ipc_round_trip_receiver_first),
	    T(test_ipc_round_trip_caller_first_is_queued),
	    T(test_ipc_queued_callers_served_in_order),
	    T(test_ipc_server_lower_priority_still_serves),
	    T(test_ipc_call_timeouts_without_receiver),
	    T(test_ipc_caller_times_out_while_server_holds_reply),
	    T(test_ipc_server_dying_with_reply_gives_peer_closed),
	    T(test_ipc_restarted_server_serves_queued_callers),
	    T(test_ipc_second_recv_drops_unanswered_reply),
	    T(test_ipc_killed_caller_releases_reply),
	    T(test_ipc_thread_killed_while_running_never_blocks),
	    T(test_ipc_transfer_copies_capability),
	    T(test_ipc_transfer_moves_capability),
	    T(test_ipc_transfer_needs_transfer_right),
	    T(test_ipc_transfer_two_caps_and_a_cap_in_the_reply),
	    T(test_ipc_transfer_into_full_table_drops_caps),
	    T(test_ipc_cap_to_bad_ipc_buffer_leaves_no_handle),
	    T(test_ipc_malformed_tags_change_nothing),
	    T(test_ipc_long_message_through_ipc_buffer),
	    T(test_ipc_long_message_without_ipc_buffer_is_bad_address),
	    T(test_ipc_notification_signal_wait_poll),
	    T(test_ipc_notification_wakes_waiter_rest_accumulates),
	    T(test_ipc_notification_bound_to_endpoint),
	    T(test_ipc_fault_to_fault_endpoint_reply_resumes_or_kills),
	    T(test_ipc_fault_supervisor_death_kills_faulted),
	    T(test_ipc_reply_save_answers_later_in_any_order),
	    T(test_ipc_reply_send_from_another_thread_with_long_message_and_cap),
	    T(test_ipc_reply_closed_unanswered_gives_peer_closed),
	    T(test_ipc_reply_to_killed_caller_is_peer_closed),
	    T(test_ipc_reply_to_timed_out_caller_is_peer_closed),
	    T(test_ipc_reply_refusals_change_nothing),
	    T(test_thread_create_message_buffer_has_no_caps),
	    T(test_ipc_reply_handoff_does_not_skip_higher_priority),
	    T(test_ipc_last_handle_close_wakes_blocked_receiver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
