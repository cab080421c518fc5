/* SPDX-License-Identifier: MIT */
/*
 * NUM0001: numbers out of range get their own error (docs/abi.md, docs/vm.md)
 * and change nothing — no handle appears (the next new handle is still the one
 * expected), nothing more is charged to the quota, nothing is mapped, moved,
 * bound or sent — while the same call with the number just in range works:
 *   thread_set_priority: above 63 KOSH_E_OUT_OF_RANGE, above the caller's own
 *     KOSH_E_ACCESS_DENIED; thread_set_affinity: no CPU, or only CPUs that do not
 *     exist, KOSH_E_INVALID_ARGUMENT;
 *   frame_create: size 0 or unknown flags KOSH_E_INVALID_ARGUMENT, beyond the
 *     largest frame (1 GiB) KOSH_E_TOO_BIG;
 *   space_map: unaligned va, offset or size, size 0, rights without READ, with
 *     unknown bits or W+X KOSH_E_INVALID_ARGUMENT; past the frame's end or
 *     outside the user half KOSH_E_OUT_OF_RANGE;
 *   quota_create above the parent's free amount KOSH_E_NO_MEMORY;
 *   handle_dup with unknown rights bits, process_give with unknown flags,
 *     malformed IPC tags (reserved bits, 513 words, 5 caps, move bits beyond
 *     the caps; on call and on a reply that is still owed afterwards)
 *     KOSH_E_INVALID_ARGUMENT;
 *   ioport_create past port 0xffff or with no ports KOSH_E_OUT_OF_RANGE (where
 *     there are I/O ports); irq_create with bits 0 KOSH_E_INVALID_ARGUMENT, a
 *     line that does not exist KOSH_E_NOT_FOUND, one wider than 32 bits
 *     KOSH_E_OUT_OF_RANGE;
 *   log_write above 240 bytes and process_create with a name of 32 bytes or
 *     more KOSH_E_TOO_BIG.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include <arch/test_device.h>
#include <arch/user.h>

#include "check.h"
#include "helper.h"

#define VA (0x0000200000000000ull) /* where space_map maps in a scratch space */

static kosh_handle_t probe; /* a handle with the duplicate right, for the table marks */
static kosh_handle_t mark;  /* the next new handle, as last checked */
static uint64_t used;       /* our quota's use, as last checked */

/* Start a run of refusals: the table and the quota as they are now. */
static void begin(void)
{
	mark = test_table_mark(probe);
	used = test_quota_used(kosh_self()->quota);
}

/* got must be want, and the table and the quota as begin() found them. */
static void refused(int line, const char *call, uint64_t arg, int64_t got, int64_t want)
{
	if (got != want)
		check_fail(__FILE_NAME__, line, "%s with 0x%llx: expected %s, got %s", call,
			   (unsigned long long)arg, kosh_strerror((kosh_err_t)want),
			   check_result_text(got));
	uint64_t now = test_quota_used(kosh_self()->quota);
	if (now != used)
		check_fail(__FILE_NAME__, line, "%s with 0x%llx: quota used %llu -> %llu", call,
			   (unsigned long long)arg, (unsigned long long)used,
			   (unsigned long long)now);
	mark = test_table_unchanged(probe, mark, call);
}
#define REFUSED(call, arg, expr, want) refused(__LINE__, call, arg, expr, want)

/* ---- Threads ---- */

static void priorities_and_affinity(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t t = (kosh_handle_t)CHECK_OK(kosh_thread_create(self->process));
	begin();
	static const uint64_t too_high[] = { KOSH_PRIORITY_MAX + 1, 255, 1ull << 32 | 1,
					     UINT64_MAX };
	for (unsigned i = 0; i < sizeof(too_high) / sizeof(too_high[0]); i++)
		REFUSED("thread_set_priority", too_high[i],
			kosh_thread_set_priority(t, too_high[i]), KOSH_E_OUT_OF_RANGE);
	/* Our own priority is the highest a thread of ours may get. */
	uint64_t own = KOSH_PRIORITY_MAX;
	int64_t got;
	while ((got = kosh_thread_set_priority(t, own)) == KOSH_E_ACCESS_DENIED && own > 0)
		own--;
	CHECK_EQ(got, KOSH_OK);
	if (own == KOSH_PRIORITY_MAX)
		check_note("we run at the highest priority: none above ours to refuse");
	for (uint64_t p = own + 1; p <= KOSH_PRIORITY_MAX; p++)
		REFUSED("thread_set_priority", p, kosh_thread_set_priority(t, p),
			KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_thread_set_priority(t, own > 0 ? own - 1 : 0), KOSH_OK);

	uint32_t cpus = test_cpu_count();
	uint64_t online = cpus >= 64 ? ~0ull : (1ull << cpus) - 1;
	REFUSED("thread_set_affinity", 0, kosh_thread_set_affinity(t, 0), KOSH_E_INVALID_ARGUMENT);
	if (cpus < 64) {
		REFUSED("thread_set_affinity", ~online, kosh_thread_set_affinity(t, ~online),
			KOSH_E_INVALID_ARGUMENT);
		REFUSED("thread_set_affinity", 1ull << 63, kosh_thread_set_affinity(t, 1ull << 63),
			KOSH_E_INVALID_ARGUMENT);
		REFUSED("thread_set_affinity", 1ull << cpus,
			kosh_thread_set_affinity(t, 1ull << cpus), KOSH_E_INVALID_ARGUMENT);
	}
	CHECK_EQ(kosh_thread_set_affinity(t, 1ull << (cpus - 1)), KOSH_OK);
	CHECK_EQ(kosh_handle_close(t), KOSH_OK);
}

/* ---- Frames and mappings ---- */

static void frames(void)
{
	kosh_handle_t q = kosh_self()->quota;
	begin();
	REFUSED("frame_create size", 0, kosh_frame_create(q, 0, 0), KOSH_E_INVALID_ARGUMENT);
	static const uint64_t huge[] = { (1ull << 30) + 1, 1ull << 31, 1ull << 62, UINT64_MAX };
	for (unsigned i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
		REFUSED("frame_create size", huge[i], kosh_frame_create(q, huge[i], 0),
			KOSH_E_TOO_BIG);
	static const uint64_t flags[] = { 2, 1u << 31, 1ull << 32, KOSH_FRAME_LOW32 | 4 };
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		REFUSED("frame_create flags", flags[i], kosh_frame_create(q, 4096, flags[i]),
			KOSH_E_INVALID_ARGUMENT);
	kosh_handle_t f = (kosh_handle_t)CHECK_OK(kosh_frame_create(q, 4096, KOSH_FRAME_LOW32));
	CHECK_EQ(kosh_handle_close(f), KOSH_OK);
}

struct map_case {
	const char *what;
	uint64_t offset, va, size, rights;
	int64_t want;
};

static void mappings(void)
{
	const struct kosh_self *self = kosh_self();
	const uint64_t page = KOSH_PAGE_SIZE, r = KOSH_RIGHT_READ, rw = r | KOSH_RIGHT_WRITE;
	kosh_handle_t s = (kosh_handle_t)CHECK_OK(kosh_space_create(self->quota));
	kosh_handle_t f = (kosh_handle_t)CHECK_OK(kosh_frame_create(self->quota, 2 * page, 0));
	const struct map_case cases[] = {
		{ "an unaligned va", 0, VA + 8, page, r, KOSH_E_INVALID_ARGUMENT },
		{ "an unaligned offset", 8, VA, page, r, KOSH_E_INVALID_ARGUMENT },
		{ "an unaligned size", 0, VA, page - 1, r, KOSH_E_INVALID_ARGUMENT },
		{ "an unaligned size", 0, VA, page + 1, r, KOSH_E_INVALID_ARGUMENT },
		{ "size 0", 0, VA, 0, r, KOSH_E_INVALID_ARGUMENT },
		{ "offset + size past the frame", page, VA, 2 * page, r, KOSH_E_OUT_OF_RANGE },
		{ "an offset past the frame", 2 * page, VA, page, r, KOSH_E_OUT_OF_RANGE },
		{ "an offset far past the frame", 1ull << 63, VA, page, r, KOSH_E_OUT_OF_RANGE },
		{ "a size far past the frame", 0, VA, 1ull << 40, r, KOSH_E_OUT_OF_RANGE },
		{ "a va in the kernel half", 0, 0xffff800000000000ull, page, r,
		  KOSH_E_OUT_OF_RANGE },
		{ "a va at the kernel's last page", 0, 0xfffffffffffff000ull, page, r,
		  KOSH_E_OUT_OF_RANGE },
		{ "a range crossing the top of the user half", 0, ARCH_USER_TOP - page, 2 * page, r,
		  KOSH_E_OUT_OF_RANGE },
		{ "a va at the top of the user half", 0, ARCH_USER_TOP, page, r,
		  KOSH_E_OUT_OF_RANGE },
		{ "rights 0", 0, VA, page, 0, KOSH_E_INVALID_ARGUMENT },
		{ "write without read", 0, VA, page, KOSH_RIGHT_WRITE, KOSH_E_INVALID_ARGUMENT },
		{ "W+X", 0, VA, page, rw | KOSH_RIGHT_EXECUTE, KOSH_E_INVALID_ARGUMENT },
		{ "W+X without read", 0, VA, page, KOSH_RIGHT_WRITE | KOSH_RIGHT_EXECUTE,
		  KOSH_E_INVALID_ARGUMENT },
		{ "the map right as a mapping right", 0, VA, page, r | KOSH_RIGHT_MAP,
		  KOSH_E_INVALID_ARGUMENT },
		{ "unknown rights bit 20", 0, VA, page, r | 1u << 20, KOSH_E_INVALID_ARGUMENT },
		{ "unknown rights bit 32", 0, VA, page, r | 1ull << 32, KOSH_E_INVALID_ARGUMENT },
	};
	begin();
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct map_case *c = &cases[i];
		int64_t got = kosh_space_map(s, f, c->offset, c->va, c->size, c->rights);
		if (got != c->want)
			check_fail(__FILE_NAME__, __LINE__,
				   "space_map with %s: expected %s, got %s", c->what,
				   kosh_strerror((kosh_err_t)c->want), check_result_text(got));
		REFUSED("space_map", i, got, c->want);
	}
	/* Nothing was mapped: the range is free, and the same map in range works. */
	CHECK_ERR(kosh_space_unmap(s, VA, 2 * page), KOSH_E_NOT_FOUND);
	CHECK_EQ(kosh_space_map(s, f, page, VA, page, rw), KOSH_OK);
	CHECK_EQ(kosh_space_map(s, f, 0, VA + page, 2 * page, r | KOSH_RIGHT_EXECUTE), KOSH_OK);
	CHECK_EQ(kosh_space_unmap(s, VA, 3 * page), KOSH_OK);
	CHECK_EQ(kosh_handle_close(f), KOSH_OK);
	CHECK_EQ(kosh_handle_close(s), KOSH_OK);
}

static void quotas(void)
{
	kosh_handle_t q = kosh_self()->quota;
	struct kosh_quota_info info;
	CHECK_EQ(kosh_quota_info(q, (uint64_t)(uintptr_t)&info), KOSH_OK);
	uint64_t avail = info.limit - info.used;
	begin();
	REFUSED("quota_create", avail + 1, kosh_quota_create(q, avail + 1), KOSH_E_NO_MEMORY);
	REFUSED("quota_create", info.limit, kosh_quota_create(q, info.limit), KOSH_E_NO_MEMORY);
	REFUSED("quota_create", UINT64_MAX, kosh_quota_create(q, UINT64_MAX), KOSH_E_NO_MEMORY);
	kosh_handle_t child = (kosh_handle_t)CHECK_OK(kosh_quota_create(q, avail / 2));
	CHECK_EQ(kosh_handle_close(child), KOSH_OK);
}

/* ---- Handles ---- */

static void handles(void)
{
	const struct kosh_self *self = kosh_self();
	static const char name[] = "num0001-give";
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	static const uint64_t rights[] = { 1u << 9, 1u << 31, 1ull << 32,
					   KOSH_RIGHTS_ALL | 1u << 9 };
	begin();
	for (unsigned i = 0; i < sizeof(rights) / sizeof(rights[0]); i++)
		REFUSED("handle_dup rights", rights[i], kosh_handle_dup(ep, rights[i], 0),
			KOSH_E_INVALID_ARGUMENT);

	/* process_give into a process without threads: its first handle tells its table apart. */
	kosh_handle_t s = (kosh_handle_t)CHECK_OK(kosh_space_create(self->quota));
	kosh_handle_t p = (kosh_handle_t)CHECK_OK(
		kosh_process_create(self->quota, s, (uint64_t)(uintptr_t)name, sizeof(name) - 1));
	kosh_handle_t moved = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(ep, KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER, 0));
	static const uint64_t flags[] = { 2, KOSH_GIVE_MOVE | 2, 1u << 31,
					  1ull << 32 | KOSH_GIVE_MOVE };
	begin();
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		REFUSED("process_give flags", flags[i], kosh_process_give(p, moved, flags[i]),
			KOSH_E_INVALID_ARGUMENT);
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info(moved, &info), KOSH_OK); /* not moved */
	int64_t given = CHECK_OK(kosh_process_give(p, moved, KOSH_GIVE_MOVE));
	CHECK_EQ(KOSH_HANDLE_SLOT(given), 1); /* the first handle of its table */
	CHECK_ERR(kosh_info(moved, &info), KOSH_E_BAD_HANDLE);
	CHECK_EQ(kosh_handle_close(p), KOSH_OK);
	CHECK_EQ(kosh_handle_close(s), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
}

/* ---- IPC tags ---- */

static const uint64_t bad_tags[] = {
	1ull << 32 | 1u << 10,  /* reserved: between words and caps */
	1ull << 32 | 1u << 11,
	1ull << 32 | 1u << 15,  /* reserved: between caps and the move mask */
	1ull << 32 | 1u << 20,  /* reserved: above the move mask */
	1ull << 32 | 1u << 31,
	1ull << 32 | (KOSH_MSG_WORDS_MAX + 1), /* 513 words */
	1ull << 32 | 0x3ff,                    /* 1023 words */
	1ull << 32 | 5u << 12,                 /* 5 caps */
	1ull << 32 | 7u << 12,                 /* 7 caps */
	1ull << 32 | 1u << 16,                 /* moving cap 0 of none */
	1ull << 32 | 1u << 12 | 2u << 16,      /* moving cap 1 of 1 */
	1ull << 32 | 3u << 12 | 8u << 16,      /* moving cap 3 of 3 */
};
#define BAD_TAGS (sizeof(bad_tags) / sizeof(bad_tags[0]))

static int64_t raw_ipc(uint32_t nr, kosh_handle_t ep, uint64_t tag)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { ep, tag, 1, 2, 3, 4, 0 };
	return kosh_syscall(nr, r);
}

struct tag_server {
	kosh_handle_t ep;
	struct kosh_thread thread;
	int64_t results[BAD_TAGS];
};

/* Receive one call, answer it with every bad tag (each refused), then properly. */
static void tag_server_run(void *arg)
{
	struct tag_server *s = arg;
	struct kosh_msg m, reply;
	CHECK_EQ(kosh_recv(s->ep, &m, NULL, 5 * TEST_SECOND), KOSH_OK);
	for (unsigned i = 0; i < BAD_TAGS; i++) {
		uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { s->ep, bad_tags[i], 1, 2, 3, 4, 0 };
		s->results[i] = kosh_syscall(KOSH_SYS_endpoint_reply_recv, r);
	}
	reply = (struct kosh_msg){ kosh_msg_tag(KOSH_MSG_LABEL(m.tag) + 1, 1, 0, 0), { 0x600d } };
	CHECK_ERR(kosh_reply_recv(s->ep, &reply, &m, NULL, 0), KOSH_E_TIMED_OUT);
}

static void tags(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	/* Our caps[] names handles that could travel, were a tag taken. */
	for (unsigned i = 0; i < KOSH_MSG_CAPS_MAX; i++)
		self->ipc_buffer->caps[i] = (kosh_handle_t)CHECK_OK(
			kosh_handle_dup(n, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER, i + 1));
	begin();
	for (unsigned i = 0; i < BAD_TAGS; i++)
		REFUSED("endpoint_call tag", bad_tags[i],
			raw_ipc(KOSH_SYS_endpoint_call, ep, bad_tags[i]), KOSH_E_INVALID_ARGUMENT);
	struct kosh_handle_info info;
	for (unsigned i = 0; i < KOSH_MSG_CAPS_MAX; i++)
		CHECK_EQ(kosh_info(self->ipc_buffer->caps[i], &info), KOSH_OK); /* none moved */

	/* A reply with a bad tag is refused, and the reply is still owed. */
	static struct tag_server s;
	s.ep = ep;
	CHECK_EQ(kosh_thread_spawn(&s.thread, tag_server_run, &s, 0), KOSH_OK);
	struct kosh_msg m = { kosh_msg_tag(7, 0, 0, 0), { 0 } }, r;
	CHECK_EQ(kosh_call(ep, &m, &r, 5 * TEST_SECOND), KOSH_OK);
	for (unsigned i = 0; i < BAD_TAGS; i++)
		if (s.results[i] != KOSH_E_INVALID_ARGUMENT)
			check_fail(__FILE_NAME__, __LINE__,
				   "reply_recv with tag 0x%llx: expected KOSH_E_INVALID_ARGUMENT, "
				   "got %s", (unsigned long long)bad_tags[i],
				   check_result_text(s.results[i]));
	CHECK_EQ(KOSH_MSG_LABEL(r.tag), 8);
	CHECK_EQ(KOSH_MSG_WORDS(r.tag), 1);
	CHECK_EQ(r.words[0], 0x600d);
	for (unsigned i = 0; i < KOSH_MSG_CAPS_MAX; i++)
		CHECK_EQ(kosh_handle_close(self->ipc_buffer->caps[i]), KOSH_OK);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 0);
}

/* ---- Hardware ---- */

static void hardware(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t io = kosh_start_handle("ioport_control", NULL);
	CHECK_EQ(io != 0, ARCH_HAS_PORT_IO);
	struct range {
		uint64_t base, count;
	};
	static const struct range ports[] = {
		{ 0x10000, 1 }, { 0xffff, 2 }, { 0, 0x10001 }, { 0x80, 0 },
		{ 1ull << 32, 1 }, { 0x80, UINT64_MAX }, { UINT64_MAX, 1 },
	};
	begin();
	for (unsigned i = 0; io && i < sizeof(ports) / sizeof(ports[0]); i++)
		REFUSED("ioport_create base", ports[i].base,
			kosh_ioport_create(io, ports[i].base, ports[i].count), KOSH_E_OUT_OF_RANGE);
	if (io) {
		kosh_handle_t last = (kosh_handle_t)CHECK_OK(kosh_ioport_create(io, 0xffff, 1));
		CHECK_EQ(kosh_handle_close(last), KOSH_OK);
	} else {
		check_note("ioport_create: no I/O ports on this architecture");
	}

	kosh_handle_t ctl = kosh_start_handle("irq_control", NULL);
	CHECK(ctl != 0);
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	begin();
	REFUSED("irq_create bits", 0, kosh_irq_create(ctl, ARCH_TEST_IRQ_LINE, n, 0),
		KOSH_E_INVALID_ARGUMENT);
	static const uint64_t absent[] = { ARCH_TEST_IRQ_LINE_ABSENT, 1u << 20, UINT32_MAX };
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		REFUSED("irq_create line", absent[i], kosh_irq_create(ctl, absent[i], n, 1),
			KOSH_E_NOT_FOUND);
	REFUSED("irq_create line", 1ull << 32 | ARCH_TEST_IRQ_LINE,
		kosh_irq_create(ctl, 1ull << 32 | ARCH_TEST_IRQ_LINE, n, 1), KOSH_E_OUT_OF_RANGE);
	/* The line itself was not taken by any of it. */
	kosh_handle_t irq = (kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, ARCH_TEST_IRQ_LINE, n, 1));
	CHECK_EQ(kosh_handle_close(irq), KOSH_OK);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
}

/* ---- Sizes ---- */

static void sizes(void)
{
	const struct kosh_self *self = kosh_self();
	static char text[KOSH_LOG_TEXT_MAX + 64];
	static const char head[] = "# NUM0001: a line of 240 bytes ";
	memset(text, '#', sizeof(text));
	memcpy(text, head, sizeof(head) - 1);
	static const uint64_t too_long[] = { KOSH_LOG_TEXT_MAX + 1, sizeof(text), 1ull << 32,
					     UINT64_MAX };
	begin();
	for (unsigned i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++)
		REFUSED("log_write len", too_long[i],
			kosh_log_write(self->log, (uint64_t)(uintptr_t)text, too_long[i]),
			KOSH_E_TOO_BIG);
	CHECK_EQ(kosh_log_write(self->log, (uint64_t)(uintptr_t)text, KOSH_LOG_TEXT_MAX), KOSH_OK);

	static const char name[] = "num0001-a-name-of-thirty-two-b.x"; /* 32 bytes */
	_Static_assert(sizeof(name) - 1 == 32, "a 32-byte name");
	kosh_handle_t s = (kosh_handle_t)CHECK_OK(kosh_space_create(self->quota));
	static const uint64_t name_len[] = { 32, 33, 1ull << 32, UINT64_MAX };
	begin();
	for (unsigned i = 0; i < sizeof(name_len) / sizeof(name_len[0]); i++)
		REFUSED("process_create name_len", name_len[i],
			kosh_process_create(self->quota, s, (uint64_t)(uintptr_t)name, name_len[i]),
			KOSH_E_TOO_BIG);
	kosh_handle_t p = (kosh_handle_t)CHECK_OK(
		kosh_process_create(self->quota, s, (uint64_t)(uintptr_t)name, 31));
	CHECK_EQ(kosh_handle_close(p), KOSH_OK);
	CHECK_EQ(kosh_handle_close(s), KOSH_OK);
}

int main(int argc, char **argv)
{
	probe = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	priorities_and_affinity();
	frames();
	mappings();
	quotas();
	handles();
	tags();
	hardware();
	sizes();
	return 0;
}
