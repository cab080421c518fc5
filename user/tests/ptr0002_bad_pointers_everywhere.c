/* SPDX-License-Identifier: MIT */
/*
 * PTR0002: every system call that takes a user pointer refuses a bad one with
 * KOSH_E_BAD_ADDRESS and changes nothing — no handle appears in the table (the
 * next new handle is still the one expected), nothing more is charged to the
 * quota — and works with a good one. The pointers: NULL, an unmapped page, the
 * kernel half (its start and its last page), a range that starts in a mapping
 * and runs into the unmapped page after it, a range that crosses the top of
 * the user half (ARCH_USER_TOP), and, for calls that write, a read-only mapping.
 *   handle_info, quota_info, log_read (write); log_write, debug_print,
 *   process_create's name (read).
 *   IPC through the IPC buffer: a sender whose buffer is NULL, unmapped, or has
 *     its caps[] in an unmapped page (long messages, capabilities, a move that
 *     must not happen); a receiver whose buffer is read-only or has caps[] in an
 *     unmapped page (words past 4 and capabilities: the message is used up, no
 *     handle of it appears in the table, the caller's reply still comes); a reply
 *     whose capabilities cannot be read (refused, still owed).
 *   thread_start with a misaligned, kernel-half or top-crossing IPC buffer, or
 *     pc / sp in the kernel half (the thread stays unstarted: a good start works
 *     afterwards); thread_set_tls with a kernel-half value.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include <arch/user.h>

#include "check.h"
#include "helper.h"

#define KERNEL_HALF 0xffff800000000000ull
#define KERNEL_LAST 0xfffffffffffff000ull
#define BAD_MAX     7

struct bad {
	const char *what;
	uint64_t addr;
};

static kosh_handle_t probe;    /* a handle with the duplicate right, for the table marks */
static uint64_t unmapped;      /* a page of address space that is never mapped */
static char *page;             /* one mapped read-write page, the unmapped guard page after */
static const char *ro;         /* one page mapped read-only, holding ro_text */
static const char ro_text[] = "# PTR0002: log_write from a read-only page";

/* The bad pointers for a buffer of len bytes; with output, a read-only one too. */
static unsigned bad_pointers(uint64_t len, int output, struct bad out[BAD_MAX])
{
	unsigned n = 0;
	out[n++] = (struct bad){ "NULL", 0 };
	out[n++] = (struct bad){ "an unmapped page", unmapped };
	out[n++] = (struct bad){ "the kernel half", KERNEL_HALF };
	out[n++] = (struct bad){ "the kernel's last page", KERNEL_LAST };
	out[n++] = (struct bad){ "a range running off a mapping",
				 (uint64_t)(uintptr_t)page + KOSH_PAGE_SIZE - len / 2 };
	out[n++] = (struct bad){ "a range crossing the top of the user half",
				 ARCH_USER_TOP - len / 2 };
	if (output)
		out[n++] = (struct bad){ "a read-only mapping", (uint64_t)(uintptr_t)ro };
	return n;
}

/* What a refusal must look like: KOSH_E_BAD_ADDRESS, the table and the quota as before. */
struct before {
	kosh_handle_t mark;
	uint64_t used;
};

static struct before before_call(void)
{
	struct before b = { test_table_mark(probe), test_quota_used(kosh_self()->quota) };
	return b;
}

static void refused(const char *call, const struct bad *b, int64_t got, struct before *was)
{
	if (got != KOSH_E_BAD_ADDRESS)
		check_fail(__FILE_NAME__, __LINE__, "%s with %s (0x%llx): expected "
			   "KOSH_E_BAD_ADDRESS, got %s", call, b->what, (unsigned long long)b->addr,
			   check_result_text(got));
	uint64_t used = test_quota_used(kosh_self()->quota);
	if (used != was->used)
		check_fail(__FILE_NAME__, __LINE__, "%s with %s: quota used %llu -> %llu", call,
			   b->what, (unsigned long long)was->used, (unsigned long long)used);
	was->mark = test_table_unchanged(probe, was->mark, call);
}

/* ---- Calls that write a result ---- */

static void outputs(void)
{
	const struct kosh_self *self = kosh_self();
	struct bad bad[BAD_MAX];
	struct kosh_log_record rec;
	unsigned n = bad_pointers(sizeof(struct kosh_handle_info), 1, bad);
	char *tail = page + KOSH_PAGE_SIZE - sizeof(rec);
	memset(tail, 0x5a, sizeof(rec));
	struct before was = before_call();
	for (unsigned i = 0; i < n; i++)
		refused("handle_info", &bad[i], kosh_handle_info(probe, bad[i].addr), &was);
	n = bad_pointers(sizeof(struct kosh_quota_info), 1, bad);
	for (unsigned i = 0; i < n; i++)
		refused("quota_info", &bad[i], kosh_quota_info(self->quota, bad[i].addr), &was);
	/* log_read writes only the record (its header and text), not all of len: run that off. */
	n = bad_pointers(16, 1, bad);
	for (unsigned i = 0; i < n; i++)
		refused("log_read", &bad[i], kosh_log_read(self->log, 0, bad[i].addr, sizeof(rec)),
			&was);

	/* The docs promise no table or quota change; what reached our own memory is only noted. */
	unsigned written = 0;
	for (unsigned i = 0; i < sizeof(rec); i++)
		written += tail[i] != 0x5a;
	if (written)
		check_note("refused outputs running off a mapping wrote %u bytes before the fault",
			   written);

	/* The same calls with good pointers, up to the very end of the mapping. */
	struct kosh_handle_info *info =
		(struct kosh_handle_info *)(page + KOSH_PAGE_SIZE - sizeof(*info));
	CHECK_EQ(kosh_handle_info(probe, (uint64_t)(uintptr_t)info), KOSH_OK);
	CHECK_EQ(info->type, KOSH_OBJ_NOTIFICATION);
	struct kosh_quota_info *q = (struct kosh_quota_info *)(page + KOSH_PAGE_SIZE - sizeof(*q));
	CHECK_EQ(kosh_quota_info(self->quota, (uint64_t)(uintptr_t)q), KOSH_OK);
	CHECK(q->limit > 0 && q->used <= q->limit);
	int64_t got = kosh_log_read(self->log, 0, (uint64_t)(uintptr_t)&rec, sizeof(rec));
	CHECK(got > 0 && (uint64_t)got <= sizeof(rec));
	got = kosh_log_read(self->log, 0, (uint64_t)(uintptr_t)tail + 8, sizeof(rec));
	if (got >= 0)
		check_note("log_read into a buffer whose len runs off the mapping, but not the "
			   "record: %lld bytes, accepted", (long long)got);
}

/* ---- Calls that read ---- */

static void inputs(void)
{
	const struct kosh_self *self = kosh_self();
	struct bad bad[BAD_MAX];
	unsigned n = bad_pointers(16, 0, bad);
	struct before was = before_call();
	for (unsigned i = 0; i < n; i++)
		refused("log_write", &bad[i], kosh_log_write(self->log, bad[i].addr, 16), &was);
	kosh_handle_t space = (kosh_handle_t)CHECK_OK(kosh_space_create(self->quota));
	was = before_call();
	for (unsigned i = 0; i < n; i++)
		refused("process_create", &bad[i],
			kosh_process_create(self->quota, space, bad[i].addr, 16), &was);
	/* debug_print exists in debug builds only (the default). */
	int64_t debug = kosh_debug_print((uint64_t)(uintptr_t)ro_text, 0);
	CHECK(debug == KOSH_OK || debug == KOSH_E_NOT_SUPPORTED);
	for (unsigned i = 0; i < n && debug == KOSH_OK; i++)
		refused("debug_print", &bad[i], kosh_debug_print(bad[i].addr, 16), &was);
	if (debug != KOSH_OK)
		check_note("debug_print: not in this build");

	/* Read-only memory is a good input. */
	CHECK_EQ(kosh_log_write(self->log, (uint64_t)(uintptr_t)ro, sizeof(ro_text) - 1), KOSH_OK);
	kosh_handle_t p = (kosh_handle_t)CHECK_OK(
		kosh_process_create(self->quota, space, (uint64_t)(uintptr_t)ro + 2, 7));
	CHECK_EQ(kosh_handle_close(p), KOSH_OK);
	CHECK_EQ(kosh_handle_close(space), KOSH_OK);
}

/* ---- thread_start and thread_set_tls ---- */

static kosh_handle_t started; /* signalled by the thread that finally starts */

static void signal_started(void *arg)
{
	CHECK_EQ(kosh_notification_signal(started, 1), KOSH_OK);
}

static void thread_addresses(void)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_thread t;
	started = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	CHECK_EQ(kosh_thread_prepare(&t, signal_started, NULL, 0), KOSH_OK);
	uint64_t ipc = (uint64_t)(uintptr_t)t.ipc;
	const struct bad buffers[] = {
		{ "a misaligned IPC buffer", ipc + 8 },
		{ "an IPC buffer at the kernel half", KERNEL_HALF },
		{ "an IPC buffer at the kernel's last page", KERNEL_LAST },
		{ "an IPC buffer crossing the top of the user half",
		  ARCH_USER_TOP - KOSH_PAGE_SIZE },
		{ "an IPC buffer at the top of the user half", ARCH_USER_TOP },
	};
	struct before was = before_call();
	for (unsigned i = 0; i < sizeof(buffers) / sizeof(buffers[0]); i++)
		refused("thread_start", &buffers[i], test_thread_launch_ipc(&t, buffers[i].addr),
			&was);
	uint64_t top = (uint64_t)(uintptr_t)t.stack + t.stack_size;
	const struct bad pc = { "pc in the kernel half", KERNEL_HALF };
	refused("thread_start", &pc, kosh_thread_start(t.handle, KERNEL_HALF, top - 16, 0, ipc),
		&was);
	const struct bad sp = { "sp in the kernel half", KERNEL_HALF + KOSH_PAGE_SIZE };
	refused("thread_start", &sp, kosh_thread_start(t.handle, 0x400000, sp.addr, 0, ipc), &was);
	const struct bad tls[] = {
		{ "a thread pointer in the kernel half", KERNEL_HALF },
		{ "a thread pointer at the top of the user half", ARCH_USER_TOP },
	};
	for (unsigned i = 0; i < sizeof(tls) / sizeof(tls[0]); i++)
		refused("thread_set_tls", &tls[i], kosh_thread_set_tls(t.handle, tls[i].addr),
			&was);
	/* None of it started the thread. */
	CHECK_EQ(kosh_thread_launch(&t), KOSH_OK);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_wait(started, 5 * TEST_SECOND, &bits), KOSH_OK);
	CHECK_EQ(bits, 1);
}

/* ---- IPC: a sender whose IPC buffer is bad ---- */

struct client {
	kosh_handle_t ep, done;
	int64_t words, caps, move; /* the calls' results */
};

/* Three calls with timeout 0 to an endpoint nobody receives on. */
static void client_run(void *arg)
{
	struct client *c = arg;
	struct kosh_msg m = { kosh_msg_tag(1, KOSH_MSG_WORDS_REG + 1, 0, 0), { 1, 2, 3, 4 } }, r;
	c->words = kosh_call(c->ep, &m, &r, 0);
	m.tag = kosh_msg_tag(1, 0, 1, 0);
	c->caps = kosh_call(c->ep, &m, &r, 0);
	m.tag = kosh_msg_tag(1, 0, 1, 1);
	c->move = kosh_call(c->ep, &m, &r, 0);
	CHECK_EQ(kosh_notification_signal(c->done, 1), KOSH_OK);
}

/* A client with IPC buffer ipc (its caps[0] set to cap if it is writable); its results. */
static struct client run_client(kosh_handle_t ep, uint64_t ipc, const char *what)
{
	const struct kosh_self *self = kosh_self();
	static struct client c;
	struct kosh_thread t;
	c = (struct client){ .ep = ep };
	c.done = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	CHECK_EQ(kosh_thread_prepare(&t, client_run, &c, 0), KOSH_OK);
	/* From here the client makes no handle and closes none; neither do we. */
	kosh_handle_t mark = test_table_mark(probe);
	CHECK_EQ(test_thread_launch_ipc(&t, ipc), KOSH_OK);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_wait(c.done, 5 * TEST_SECOND, &bits), KOSH_OK);
	test_table_unchanged(probe, mark, what);
	CHECK_EQ(kosh_handle_close(c.done), KOSH_OK);
	return c; /* its stack and handle stay: it may still be on its way out */
}

static void bad_senders(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	/* No buffer at all, and one that is not mapped: nothing of the message can be read. */
	struct client c = run_client(ep, 0, "a call without an IPC buffer");
	CHECK_ERR(c.words, KOSH_E_BAD_ADDRESS);
	CHECK_ERR(c.caps, KOSH_E_BAD_ADDRESS);
	CHECK_ERR(c.move, KOSH_E_BAD_ADDRESS);
	uint64_t va = kosh_va_reserve(KOSH_IPC_BUFFER_SIZE);
	CHECK(va != 0);
	c = run_client(ep, va, "a call from an unmapped IPC buffer");
	CHECK_ERR(c.words, KOSH_E_BAD_ADDRESS);
	CHECK_ERR(c.caps, KOSH_E_BAD_ADDRESS);
	CHECK_ERR(c.move, KOSH_E_BAD_ADDRESS);

	/* Only the first page mapped: the words are there (the call times out), caps[] is not. */
	kosh_handle_t frame = (kosh_handle_t)CHECK_OK(kosh_frame_new(self->quota, KOSH_PAGE_SIZE));
	CHECK_EQ(kosh_space_map(self->space, frame, 0, va, KOSH_PAGE_SIZE,
				KOSH_RIGHT_READ | KOSH_RIGHT_WRITE), KOSH_OK);
	c = run_client(ep, va, "a call with caps[] in an unmapped page");
	CHECK_ERR(c.words, KOSH_E_TIMED_OUT);
	CHECK_ERR(c.caps, KOSH_E_BAD_ADDRESS);
	CHECK_ERR(c.move, KOSH_E_BAD_ADDRESS);
	CHECK_EQ(kosh_space_unmap(self->space, va, KOSH_PAGE_SIZE), KOSH_OK);
	CHECK_EQ(kosh_handle_close(frame), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
}

/* ---- IPC: a receiver whose IPC buffer is bad ---- */

#define LABEL_RECEIVE   1 /* reply: word 0 the receive's result, word 1 the caps that came */
#define LABEL_BAD_REPLY 2 /* reply first with a capability from caps[], then as above */
#define LABEL_QUIT      3

struct server {
	kosh_handle_t ep;
	struct kosh_ipc_buffer *ipc; /* its IPC buffer, mapped as the test says */
	struct kosh_thread thread;
};

/* Use the capabilities that came (signal bit i through the i-th), close them. */
static void use_caps(struct server *s, const struct kosh_msg *m)
{
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(m->tag); i++) {
		kosh_handle_t h = s->ipc->caps[i];
		struct kosh_handle_info info;
		CHECK_EQ(kosh_info(h, &info), KOSH_OK);
		CHECK_EQ(info.type, KOSH_OBJ_NOTIFICATION);
		CHECK_EQ(kosh_notification_signal(h, 1u << i), KOSH_OK);
		CHECK_EQ(kosh_handle_close(h), KOSH_OK);
	}
}

/*
 * Receive, and answer each message (or failed receive) with what happened. It
 * makes and closes no handle but the ones that arrive, so the test's table
 * marks hold across a failed receive.
 */
static void serve(void *arg)
{
	struct server *s = arg;
	struct kosh_msg m = { 0 }, reply;
	int64_t got = kosh_recv(s->ep, &m, NULL, 10 * TEST_SECOND);
	for (;;) {
		uint64_t caps = 0, sum = 0;
		if (got == KOSH_OK) {
			if (KOSH_MSG_LABEL(m.tag) == LABEL_QUIT)
				break;
			caps = KOSH_MSG_CAPS(m.tag);
			for (uint32_t i = KOSH_MSG_WORDS_REG; i < KOSH_MSG_WORDS(m.tag); i++)
				sum += s->ipc->words[i];
			use_caps(s, &m);
		}
		if (got == KOSH_OK && KOSH_MSG_LABEL(m.tag) == LABEL_BAD_REPLY) {
			reply = (struct kosh_msg){ kosh_msg_tag(0, 0, 1, 0), { 0 } };
			got = kosh_reply_recv(s->ep, &reply, &m, NULL, 0);
		}
		reply = (struct kosh_msg){ kosh_msg_tag(0, 4, 0, 0),
					   { (uint64_t)got, caps, sum, 0 } };
		got = kosh_reply_recv(s->ep, &reply, &m, NULL, 10 * TEST_SECOND);
	}
	reply = (struct kosh_msg){ 0 };
	CHECK_ERR(kosh_reply_recv(s->ep, &reply, &m, NULL, 0), KOSH_E_TIMED_OUT);
}

/* Send label with words words and ncaps copies of n's sender; the server's reply. */
static struct kosh_msg send(struct server *s, uint32_t label, uint32_t words, uint32_t ncaps,
			    kosh_handle_t cap)
{
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	struct kosh_msg m = { kosh_msg_tag(label, words, ncaps, 0), { 0 } }, r = { 0 };
	for (uint32_t i = KOSH_MSG_WORDS_REG; i < words; i++)
		ipc->words[i] = i;
	for (uint32_t i = 0; i < ncaps; i++)
		ipc->caps[i] = cap;
	CHECK_EQ(kosh_call(s->ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	return r;
}

/* A message the server cannot take: its receive fails, no handle of it stays in our table. */
static void refused_receive(struct server *s, uint32_t words, uint32_t ncaps, kosh_handle_t cap,
			    const char *what)
{
	kosh_handle_t mark = test_table_mark(probe);
	struct kosh_msg r = send(s, LABEL_RECEIVE, words, ncaps, cap);
	test_table_unchanged(probe, mark, what);
	if (r.words[0] != (uint64_t)(int64_t)KOSH_E_BAD_ADDRESS)
		check_fail(__FILE_NAME__, __LINE__, "%s: expected KOSH_E_BAD_ADDRESS, got %s", what,
			   check_result_text((int64_t)r.words[0]));
}

static void bad_receivers(void)
{
	const struct kosh_self *self = kosh_self();
	static struct server s;
	uint64_t bits;
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	kosh_handle_t cap = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(n, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER, 0));
	s.ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t frame =
		(kosh_handle_t)CHECK_OK(kosh_frame_new(self->quota, KOSH_IPC_BUFFER_SIZE));
	uint64_t va = kosh_va_reserve(KOSH_IPC_BUFFER_SIZE);
	CHECK(va != 0);
	s.ipc = (struct kosh_ipc_buffer *)(uintptr_t)va;
	CHECK_EQ(kosh_space_map(self->space, frame, 0, va, KOSH_IPC_BUFFER_SIZE, KOSH_RIGHT_READ),
		 KOSH_OK);
	CHECK_EQ(kosh_thread_prepare(&s.thread, serve, &s, 0), KOSH_OK);
	CHECK_EQ(test_thread_launch_ipc(&s.thread, va), KOSH_OK);

	/* Read-only: words past 4 cannot be written, nor can the new handles. */
	refused_receive(&s, 8, 1, cap, "a receive of words and a cap into a read-only buffer");
	refused_receive(&s, 0, 1, cap, "a receive of a cap into a read-only buffer");
	refused_receive(&s, 0, KOSH_MSG_CAPS_MAX, cap,
			"a receive of 4 caps into a read-only buffer");
	refused_receive(&s, KOSH_MSG_WORDS_MAX, 0, 0,
			"a receive of 512 words into a read-only buffer");
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0); /* no capability reached the server */

	/* The first page writable, caps[] in an unmapped second page: words arrive, caps do not. */
	CHECK_EQ(kosh_space_unmap(self->space, va, KOSH_IPC_BUFFER_SIZE), KOSH_OK);
	CHECK_EQ(kosh_space_map(self->space, frame, 0, va, KOSH_PAGE_SIZE,
				KOSH_RIGHT_READ | KOSH_RIGHT_WRITE), KOSH_OK);
	refused_receive(&s, 8, 1, cap, "a receive of a cap into an unmapped caps[]");
	struct kosh_msg r = send(&s, LABEL_RECEIVE, KOSH_MSG_WORDS_MAX, 0, 0);
	CHECK_EQ(r.words[0], KOSH_OK);
	uint64_t sum = 0;
	for (uint32_t i = KOSH_MSG_WORDS_REG; i < KOSH_MSG_WORDS_MAX; i++)
		sum += i;
	CHECK_EQ(r.words[2], sum);
	/* A reply whose capability cannot be read is refused and still owed. */
	r = send(&s, LABEL_BAD_REPLY, 0, 0, 0);
	CHECK_ERR((int64_t)r.words[0], KOSH_E_BAD_ADDRESS);

	/* All of it mapped read-write: the same message arrives, capabilities and all. */
	CHECK_EQ(kosh_space_map(self->space, frame, KOSH_PAGE_SIZE, va + KOSH_PAGE_SIZE,
				KOSH_PAGE_SIZE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE), KOSH_OK);
	r = send(&s, LABEL_RECEIVE, 8, 2, cap);
	CHECK_EQ(r.words[0], KOSH_OK);
	CHECK_EQ(r.words[1], 2);
	CHECK_EQ(r.words[2], 4 + 5 + 6 + 7);
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 3);
	struct kosh_msg quit = { kosh_msg_tag(LABEL_QUIT, 0, 0, 0), { 0 } };
	CHECK_EQ(kosh_call(s.ep, &quit, &r, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(kosh_handle_close(cap), KOSH_OK);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	probe = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	unmapped = kosh_va_reserve(KOSH_PAGE_SIZE);
	page = kosh_page_alloc(KOSH_PAGE_SIZE);
	CHECK(unmapped != 0 && page != NULL);
	kosh_handle_t frame = (kosh_handle_t)CHECK_OK(kosh_frame_new(self->quota, KOSH_PAGE_SIZE));
	kosh_err_t err;
	char *rw = kosh_frame_map(frame, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE,
				  &err);
	ro = kosh_frame_map(frame, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
	CHECK(rw != NULL && ro != NULL);
	memcpy(rw, ro_text, sizeof(ro_text));

	outputs();
	inputs();
	thread_addresses();
	bad_senders();
	bad_receivers();
	return 0;
}
