/* SPDX-License-Identifier: MIT */
/*
 * Endpoints and notifications (see ipc.h).
 *
 * Every thread owns a kernel message buffer (t->msg). A sender loads its
 * message into a buffer in its own context (words 4.. and capabilities come
 * from its IPC buffer and cap table); the message then moves between kernel
 * buffers in whatever context the rendezvous happens; the receiver unpacks it
 * into its IPC buffer and cap table in its own context. So a user copy only
 * ever touches the running thread's own address space.
 */
#include "ipc.h"

#include "kheap.h"
#include "process.h"
#include "quota.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"

#include <kosh/string.h>

#define IPC_WORDS_OFFSET 0
#define IPC_CAPS_OFFSET (KOSH_MSG_WORDS_MAX * 8)

static void drop_caps(struct message *m)
{
	for (uint32_t i = 0; i < KOSH_MSG_CAPS_MAX; i++) {
		if (m->caps[i])
			kobject_put(m->caps[i]);
		m->caps[i] = NULL;
	}
}

/* Take the caps a message names from the sender's table (each needs TRANSFER). */
static kosh_err_t load_caps(struct thread *self, uint64_t tag, struct message *m)
{
	uint32_t n = KOSH_MSG_CAPS(tag), move = KOSH_MSG_MOVE(tag);
	kosh_handle_t h[KOSH_MSG_CAPS_MAX];
	if (!n)
		return KOSH_OK;
	if (!self->ipc_buffer)
		return KOSH_E_BAD_ADDRESS;
	kosh_err_t e = copy_from_user(h, user_ptr(self->ipc_buffer + IPC_CAPS_OFFSET),
				      n * sizeof(h[0]));
	if (e)
		return e;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t type, rights;
		e = cap_info(&self->proc->caps, h[i], &type, &rights, &m->cap_badges[i]);
		if (!e && !(rights & KOSH_RIGHT_TRANSFER))
			e = KOSH_E_ACCESS_DENIED;
		for (uint32_t j = 0; !e && j < i; j++)
			if (h[j] == h[i] && (move >> i & 1))
				e = KOSH_E_INVALID_ARGUMENT; /* moving a handle also sent once */
		if (!e)
			e = cap_get(&self->proc->caps, h[i], KOSH_OBJ_NONE, 0, &m->caps[i], NULL);
		if (e) {
			drop_caps(m);
			return e;
		}
		m->cap_rights[i] = rights;
	}
	for (uint32_t i = 0; i < n; i++)
		if (move >> i & 1)
			(void)cap_close(&self->proc->caps, h[i]);
	return KOSH_OK;
}

/* The running thread's message: tag, words 0-3 from regs, the rest from its IPC buffer. */
static kosh_err_t load_message(struct thread *self, uint64_t tag, const uint64_t *regs,
			       uint64_t badge, struct message *m)
{
	uint32_t words = KOSH_MSG_WORDS(tag);
	if (((uint32_t)tag & KOSH_MSG_TAG_RESERVED) || words > KOSH_MSG_WORDS_MAX ||
	    KOSH_MSG_CAPS(tag) > KOSH_MSG_CAPS_MAX || (KOSH_MSG_MOVE(tag) >> KOSH_MSG_CAPS(tag)))
		return KOSH_E_INVALID_ARGUMENT;
	if (words > KOSH_MSG_WORDS_REG) {
		if (!self->ipc_buffer)
			return KOSH_E_BAD_ADDRESS;
		kosh_err_t e = copy_from_user(&m->words[KOSH_MSG_WORDS_REG],
					      user_ptr(self->ipc_buffer + KOSH_MSG_WORDS_REG * 8),
					      (words - KOSH_MSG_WORDS_REG) * 8ull);
		if (e)
			return e;
	}
	for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
		m->words[i] = regs[i];
	m->tag = tag;
	m->badge = badge;
	return load_caps(self, tag, m);
}

/* Move a loaded message from one kernel buffer to another (capability references move too). */
static void move_message(struct message *from, struct message *to)
{
	uint32_t words = KOSH_MSG_WORDS(from->tag), caps = KOSH_MSG_CAPS(from->tag);
	to->tag = from->tag;
	to->badge = from->badge;
	if (words > KOSH_MSG_WORDS_REG) {
		memcpy(to->words, from->words, words * 8ull);
	} else {
		for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
			to->words[i] = from->words[i];
	}
	/* Slots past the tag's count are NULL in every buffer (unpacked or dropped). */
	for (uint32_t i = 0; i < caps; i++) {
		to->caps[i] = from->caps[i];
		to->cap_rights[i] = from->cap_rights[i];
		to->cap_badges[i] = from->cap_badges[i];
		from->caps[i] = NULL;
	}
}

/*
 * The running thread received a message into its buffer: words 4.. and new
 * handles go to its IPC buffer, the rest to r. The capabilities are published
 * in phases: slots reserved, their handles copied out, then published, so a
 * bad IPC buffer leaves no handle behind that the receiver cannot know of.
 * Capabilities that do not fit its table are dropped (the tag's count says how
 * many arrived).
 */
static kosh_err_t unpack_message(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct message *m = self->msg;
	struct cap_table *t = &self->proc->caps;
	uint32_t words = KOSH_MSG_WORDS(m->tag), ncaps = KOSH_MSG_CAPS(m->tag), got = 0;
	kosh_handle_t h[KOSH_MSG_CAPS_MAX] = { 0 };
	uint32_t slot[KOSH_MSG_CAPS_MAX], from[KOSH_MSG_CAPS_MAX];
	kosh_err_t e = KOSH_OK;
	if ((words > KOSH_MSG_WORDS_REG || ncaps) && !self->ipc_buffer)
		e = KOSH_E_BAD_ADDRESS;
	if (!e && words > KOSH_MSG_WORDS_REG)
		e = copy_to_user(user_ptr(self->ipc_buffer + KOSH_MSG_WORDS_REG * 8),
				 &m->words[KOSH_MSG_WORDS_REG], (words - KOSH_MSG_WORDS_REG) * 8ull);
	for (uint32_t i = 0; !e && i < ncaps; i++) {
		if (cap_reserve(t, &slot[got]) == KOSH_OK) {
			h[got] = cap_reserved_handle(t, slot[got]);
			from[got++] = i;
		}
	}
	if (!e && ncaps)
		e = copy_to_user(user_ptr(self->ipc_buffer + IPC_CAPS_OFFSET), h, sizeof(h));
	for (uint32_t i = 0; i < got; i++) {
		if (e) {
			cap_unreserve(t, slot[i]);
			continue;
		}
		uint32_t c = from[i];
		cap_publish(t, slot[i], m->caps[c], m->cap_rights[c], m->cap_badges[c]);
		m->caps[c] = NULL; /* the table holds the reference now */
	}
	drop_caps(m);
	if (e)
		return e;
	r[1] = kosh_msg_tag(KOSH_MSG_LABEL(m->tag), words, got, 0);
	for (uint32_t i = 0; i < KOSH_MSG_WORDS_REG; i++)
		r[2 + i] = m->words[i];
	r[6] = m->badge;
	return KOSH_OK;
}

static struct thread *first_waiter(struct list *q)
{
	struct list *n = list_first(q);
	return n ? list_entry(n, struct thread, wait_link) : NULL;
}

static void block_on(struct thread *t, struct list *q, uint32_t kind, void *obj)
{
	t->wait = kind;
	t->wait_obj = obj;
	list_add_tail(q, &t->wait_link);
}

/* A caller meets receiver recv: the message moves, recv owes the caller a reply. */
static void rendezvous(struct thread *caller, struct thread *recv)
{
	move_message(caller->msg, recv->msg);
	recv->reply_to = caller;
	caller->caller_of = recv;
	caller->wait = WAIT_REPLY;
	caller->wait_obj = recv;
}

/* The running thread's loaded message goes to ep; wait for the reply. */
static kosh_err_t send_and_wait(struct thread *self, struct endpoint *ep, uint64_t timeout)
{
	struct thread *recv = first_waiter(&ep->receivers);
	if (recv) {
		sched_unhook(recv, KOSH_OK);
		rendezvous(self, recv);
		/* Timeout 0 only refuses to queue: a delivered call waits for its reply. */
		return sched_block_handoff(recv, timeout ? timeout : KOSH_TIMEOUT_NEVER);
	}
	if (!timeout) {
		drop_caps(self->msg);
		return KOSH_E_TIMED_OUT;
	}
	block_on(self, &ep->senders, WAIT_SEND, ep);
	return sched_block(timeout);
}

kosh_err_t ipc_call(struct endpoint *ep, uint64_t badge, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *self = thread_current();
	kosh_err_t e = load_message(self, r[1], &r[2], badge, self->msg);
	if (e)
		return e;
	e = send_and_wait(self, ep, r[6]);
	return e ? e : unpack_message(self, r);
}

/* A pending notification or caller for a receiver on ep, without blocking; 1 if one was taken. */
static int take_pending(struct thread *self, struct endpoint *ep)
{
	struct notification *n = ep->bound;
	if (n && n->word) {
		struct message *m = self->msg;
		m->tag = kosh_msg_tag(KOSH_LABEL_NOTIFY, 1, 0, 0);
		m->badge = 0;
		m->words[0] = n->word;
		m->words[1] = m->words[2] = m->words[3] = 0;
		n->word = 0;
		return 1;
	}
	struct thread *caller = first_waiter(&ep->senders);
	if (!caller)
		return 0;
	list_remove(&caller->wait_link); /* still blocked, its deadline still runs */
	rendezvous(caller, self);
	return 1;
}

/* An unanswered reply capability is dropped when its holder receives again. */
static void drop_reply(struct thread *self)
{
	struct thread *caller = self->reply_to;
	if (!caller)
		return;
	self->reply_to = NULL;
	caller->caller_of = NULL;
	sched_wake(caller, KOSH_E_PEER_CLOSED);
}

static kosh_err_t receive(struct thread *self, struct endpoint *ep, uint64_t timeout,
			  struct thread *handoff, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	kosh_err_t e;
	if (take_pending(self, ep)) {
		if (handoff)
			sched_ready(handoff);
		return unpack_message(self, r);
	}
	if (!timeout) {
		if (handoff)
			sched_ready(handoff);
		return KOSH_E_TIMED_OUT;
	}
	block_on(self, &ep->receivers, WAIT_RECV, ep);
	e = handoff ? sched_block_handoff(handoff, timeout) : sched_block(timeout);
	return e ? e : unpack_message(self, r);
}

kosh_err_t ipc_recv(struct endpoint *ep, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *self = thread_current();
	drop_reply(self);
	return receive(self, ep, r[1], NULL, r);
}

kosh_err_t ipc_reply_recv(struct endpoint *ep, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *self = thread_current();
	struct thread *caller = self->reply_to;
	if (caller) {
		kosh_err_t e = load_message(self, r[1], &r[2], 0, caller->msg);
		if (e)
			return e; /* the reply is still owed */
		self->reply_to = NULL;
		caller->caller_of = NULL;
		sched_unhook(caller, KOSH_OK);
	}
	return receive(self, ep, r[6], caller, r);
}

kosh_err_t ipc_fault(uint32_t kind, uint64_t address, uint64_t pc, uint64_t detail)
{
	struct thread *self = thread_current();
	struct message *m = self->msg;
	m->tag = kosh_msg_tag(KOSH_LABEL_FAULT, 4, 0, 0);
	m->badge = self->fault_badge;
	m->words[0] = kind;
	m->words[1] = address;
	m->words[2] = pc;
	m->words[3] = detail;
	kosh_err_t e = send_and_wait(self, (struct endpoint *)self->fault_ep, KOSH_TIMEOUT_NEVER);
	if (e)
		return e;
	drop_caps(m);
	return KOSH_MSG_LABEL(m->tag) == 0 ? KOSH_OK : KOSH_E_INTERRUPTED;
}

void ipc_cancel_wait(struct thread *t)
{
	if (t->wait == WAIT_SEND)
		drop_caps(t->msg);
	if (t->wait == WAIT_REPLY && t->caller_of) {
		if (t->caller_of->reply_to == t)
			t->caller_of->reply_to = NULL;
		t->caller_of = NULL;
	}
	if (t->wait == WAIT_REPLY && t->reply_saved) {
		t->reply_saved->caller = NULL; /* the saved reply goes nowhere now */
		t->reply_saved = NULL;
	}
}

void ipc_thread_dying(struct thread *t)
{
	drop_reply(t);
	drop_caps(t->msg);
}

/* ---- Saved replies ---- */

/* Its caller, if it still waits, learns that no reply will come. */
static void reply_closed(struct kobject *o)
{
	struct reply *rp = (struct reply *)o;
	struct thread *caller = rp->caller;
	if (!caller)
		return;
	rp->caller = NULL;
	caller->reply_saved = NULL;
	sched_wake(caller, KOSH_E_PEER_CLOSED);
}

static void reply_release(struct kobject *o)
{
	struct reply *rp = (struct reply *)o;
	reply_closed(o);
	struct quota *q = rp->quota;
	kfree(rp);
	quota_uncharge(q, sizeof(*rp));
	kobject_put(&q->obj);
}

kosh_err_t reply_create(struct quota *q, struct reply **out)
{
	if (quota_charge(q, sizeof(struct reply)))
		return KOSH_E_NO_MEMORY;
	struct reply *rp = kzalloc(sizeof(*rp));
	if (!rp) {
		quota_uncharge(q, sizeof(*rp));
		return KOSH_E_NO_MEMORY;
	}
	kobject_init(&rp->obj, KOSH_OBJ_REPLY, reply_release);
	rp->obj.closed = reply_closed;
	rp->quota = q;
	kobject_get(&q->obj);
	*out = rp;
	return KOSH_OK;
}

kosh_err_t ipc_reply_save(struct quota *q, struct reply **out)
{
	struct thread *self = thread_current();
	struct thread *caller = self->reply_to;
	struct reply *rp;
	if (!caller)
		return KOSH_E_BAD_STATE;
	kosh_err_t e = reply_create(q, &rp);
	if (e)
		return e;
	/* The caller's reply capability moves from the thread to the object. */
	rp->caller = caller;
	self->reply_to = NULL;
	caller->caller_of = NULL;
	caller->reply_saved = rp;
	caller->wait_obj = rp;
	*out = rp;
	return KOSH_OK;
}

kosh_err_t ipc_reply_send(struct reply *rp, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct thread *self = thread_current();
	struct thread *caller = rp->caller;
	if (rp->sent)
		return KOSH_E_BAD_STATE;
	if (!caller)
		return KOSH_E_PEER_CLOSED; /* before loading: the sender keeps its capabilities */
	kosh_err_t e = load_message(self, r[1], &r[2], 0, caller->msg);
	if (e)
		return e; /* the reply is still owed */
	rp->sent = 1;
	rp->caller = NULL;
	caller->reply_saved = NULL;
	sched_wake(caller, KOSH_OK);
	return KOSH_OK;
}

/* ---- Objects ---- */

static void wake_all(struct list *q)
{
	struct thread *t;
	while ((t = first_waiter(q))) {
		ipc_cancel_wait(t);
		sched_wake(t, KOSH_E_PEER_CLOSED);
	}
}

/* No capability names it any more: nobody can call or receive; wake those who wait. */
static void endpoint_closed(struct kobject *o)
{
	struct endpoint *ep = (struct endpoint *)o;
	wake_all(&ep->senders);
	wake_all(&ep->receivers);
}

static void endpoint_release(struct kobject *o)
{
	struct endpoint *ep = (struct endpoint *)o;
	endpoint_closed(o);
	if (ep->bound)
		ep->bound->bound = NULL;
	struct quota *q = ep->quota;
	kfree(ep);
	quota_uncharge(q, sizeof(*ep));
	kobject_put(&q->obj);
}

kosh_err_t endpoint_create(struct quota *q, struct endpoint **out)
{
	if (quota_charge(q, sizeof(struct endpoint)))
		return KOSH_E_NO_MEMORY;
	struct endpoint *ep = kzalloc(sizeof(*ep));
	if (!ep) {
		quota_uncharge(q, sizeof(*ep));
		return KOSH_E_NO_MEMORY;
	}
	kobject_init(&ep->obj, KOSH_OBJ_ENDPOINT, endpoint_release);
	ep->obj.closed = endpoint_closed;
	list_init(&ep->senders);
	list_init(&ep->receivers);
	ep->quota = q;
	kobject_get(&q->obj);
	*out = ep;
	return KOSH_OK;
}

static void notification_closed(struct kobject *o)
{
	wake_all(&((struct notification *)o)->waiters);
}

static void notification_release(struct kobject *o)
{
	struct notification *n = (struct notification *)o;
	notification_closed(o);
	if (n->bound)
		n->bound->bound = NULL;
	struct quota *q = n->quota;
	kfree(n);
	quota_uncharge(q, sizeof(*n));
	kobject_put(&q->obj);
}

kosh_err_t notification_create(struct quota *q, struct notification **out)
{
	if (quota_charge(q, sizeof(struct notification)))
		return KOSH_E_NO_MEMORY;
	struct notification *n = kzalloc(sizeof(*n));
	if (!n) {
		quota_uncharge(q, sizeof(*n));
		return KOSH_E_NO_MEMORY;
	}
	kobject_init(&n->obj, KOSH_OBJ_NOTIFICATION, notification_release);
	n->obj.closed = notification_closed;
	list_init(&n->waiters);
	n->quota = q;
	kobject_get(&q->obj);
	*out = n;
	return KOSH_OK;
}

void notification_signal(struct notification *n, uint64_t bits)
{
	n->word |= bits;
	if (!n->word)
		return;
	struct thread *t = first_waiter(&n->waiters);
	if (t) {
		t->notify_bits = n->word;
		n->word = 0;
		sched_wake(t, KOSH_OK);
		return;
	}
	struct thread *recv = n->bound ? first_waiter(&n->bound->receivers) : NULL;
	if (recv) {
		sched_unhook(recv, KOSH_OK);
		take_pending(recv, n->bound);
		sched_ready(recv);
	}
}

kosh_err_t notification_wait(struct notification *n, uint64_t timeout_ns, uint64_t *bits)
{
	struct thread *self = thread_current();
	if (n->word || !timeout_ns) {
		*bits = n->word;
		n->word = 0;
		return *bits ? KOSH_OK : KOSH_E_TIMED_OUT;
	}
	block_on(self, &n->waiters, WAIT_NOTIFY, n);
	kosh_err_t e = sched_block(timeout_ns);
	*bits = e ? 0 : self->notify_bits;
	return e;
}

uint64_t notification_poll(struct notification *n)
{
	uint64_t bits = n->word;
	n->word = 0;
	return bits;
}

kosh_err_t notification_bind(struct notification *n, struct endpoint *ep)
{
	if (n->bound || ep->bound)
		return KOSH_E_ALREADY_EXISTS;
	n->bound = ep;
	ep->bound = n;
	return KOSH_OK;
}
