/* SPDX-License-Identifier: MIT */
/*
 * FLT0002: every kind of user fault becomes a kill with the right status, or a
 * fault message to the thread's fault endpoint — never a kernel panic.
 *
 * First each fault of bin/tests/helpers/probe (NULL read, write to read-only
 * data, execution of data, an undefined instruction, a misaligned access, a
 * bad system-call number, a breakpoint, port I/O without a range, a privileged
 * instruction, a division by zero) kills its process with KOSH_EXIT_FAULTED |
 * the kind. Where an architecture has no such fault (x86-64 checks alignment
 * only with CR0.AM, AArch64 has no ports and divides by zero quietly) the test
 * says so and checks that the process was not killed for it. The faults that
 * need an instruction of their own, and the kind each gives, are the port's
 * (<arch/test_faults.h>).
 *
 * Then the same faults go to a fault endpoint: a thread of ours reads and
 * writes an unmapped page and makes a bad system call; each time we receive
 * the message (label, kind, address, pc, access bits, the endpoint's badge),
 * fix the cause (map the page, make it writable) and resume the thread with
 * label 0, and it carries on. A child's undefined instruction and breakpoint
 * are reported the same way, and a reply with another label kills the child.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include <arch/test_faults.h>

#include "check.h"
#include "helper.h"

#define SURVIVED      77
#define NOT_SUPPORTED 78
#define FAULT_BADGE   0xfa17
#define CHILD_BADGE   0xc41d
#define MAGIC         0x5eed5eed12345678ull
#define BAD_SYSCALL   0x7777

struct expect {
	const char *mode;
	uint32_t kind; /* 0: this architecture has no such fault */
};

/* The faults every architecture has; the rest are the port's (<arch/test_faults.h>). */
static const struct expect portable[] = {
	{ "null-read", KOSH_FAULT_PAGE },
	{ "ro-write", KOSH_FAULT_PAGE },
	{ "exec-nx", KOSH_FAULT_PAGE },
	{ "bad-syscall", KOSH_FAULT_BAD_SYSCALL },
};

static void killed_with(const struct expect *e)
{
	uint64_t status = test_run("probe", e->kind ? "expected-fault-probe" : "probe", e->mode);
	if (!e->kind) {
		check_note("%s: no such fault on this architecture (exit status %llu)", e->mode,
			   (unsigned long long)status);
		CHECK(status == SURVIVED || status == NOT_SUPPORTED);
		return;
	}
	if (status != (KOSH_EXIT_FAULTED | e->kind))
		check_note("%s: exit status 0x%llx, expected 0x%llx", e->mode,
			   (unsigned long long)status,
			   (unsigned long long)(KOSH_EXIT_FAULTED | e->kind));
	CHECK_EQ(status, KOSH_EXIT_FAULTED | e->kind);
}

static void killed_with_status(void)
{
	for (unsigned i = 0; i < sizeof(portable) / sizeof(portable[0]); i++)
		killed_with(&portable[i]);
	for (unsigned i = 0; i < ARCH_TEST_FAULT_COUNT; i++) {
		struct expect e = { arch_test_faults[i].mode, arch_test_faults[i].kind };
		killed_with(&e);
	}
}

/* ---- Fault messages to a thread of ours, resumed ---- */

struct victim {
	volatile uint64_t *page; /* reserved, unmapped at first */
	uint64_t seen, syscall_result;
	kosh_handle_t done;      /* signalled at the end */
};

static void victim_run(void *arg)
{
	struct victim *v = arg;
	v->seen = v->page[1];        /* fault 1: read, not present */
	v->page[2] = v->seen + 1;    /* fault 2: write, present but read-only */
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { 0 };
	v->syscall_result = (uint64_t)kosh_syscall(BAD_SYSCALL, r); /* fault 3 */
	CHECK_EQ(kosh_notification_signal(v->done, 1), KOSH_OK);
}

static void receive_fault(kosh_handle_t ep, uint64_t badge_expected, struct kosh_msg *m)
{
	uint64_t badge = 0;
	CHECK_EQ(kosh_recv(ep, m, &badge, 5 * TEST_SECOND), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m->tag), KOSH_LABEL_FAULT);
	CHECK_EQ(KOSH_MSG_WORDS(m->tag), 4);
	CHECK_EQ(badge, badge_expected);
}

static void resume(kosh_handle_t ep, uint32_t label)
{
	struct kosh_msg reply = { kosh_msg_tag(label, 0, 0, 0), { 0 } }, m;
	CHECK_ERR(kosh_reply_recv(ep, &reply, &m, NULL, 0), KOSH_E_TIMED_OUT);
}

static void fault_messages_resumed(void)
{
	const struct kosh_self *self = kosh_self();
	static struct victim v;
	struct kosh_thread t;
	struct kosh_msg m;
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t ep_w = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(ep, KOSH_RIGHT_WRITE, FAULT_BADGE));
	v.page = (volatile uint64_t *)(uintptr_t)kosh_va_reserve(KOSH_PAGE_SIZE);
	v.done = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	CHECK(v.page != NULL);
	CHECK_EQ(kosh_thread_prepare(&t, victim_run, &v, 0), KOSH_OK);
	/* A fault endpoint needs the write right. */
	kosh_handle_t ep_r = (kosh_handle_t)CHECK_OK(kosh_handle_dup(ep, KOSH_RIGHT_READ, 0));
	CHECK_ERR(kosh_thread_set_fault_endpoint(t.handle, ep_r), KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_thread_set_fault_endpoint(t.handle, ep_w), KOSH_OK);
	CHECK_EQ(kosh_thread_launch(&t), KOSH_OK);

	/* 1: a read of the unmapped page. Map a page holding MAGIC read-only, resume. */
	receive_fault(ep, FAULT_BADGE, &m);
	CHECK_EQ(m.words[0], KOSH_FAULT_PAGE);
	CHECK_EQ(m.words[1], (uint64_t)(uintptr_t)&v.page[1]);
	CHECK(m.words[2] >= 0x400000 && m.words[2] < KOSH_USER_HEAP_BASE); /* our text */
	CHECK_EQ(m.words[3] & (KOSH_FAULT_WRITE | KOSH_FAULT_EXEC | KOSH_FAULT_PRESENT), 0);
	uint64_t pc1 = m.words[2];
	kosh_handle_t frame = (kosh_handle_t)CHECK_OK(kosh_frame_new(self->quota, KOSH_PAGE_SIZE));
	kosh_err_t err;
	uint64_t *fill = kosh_frame_map(frame, 0, KOSH_PAGE_SIZE,
					KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	CHECK(fill != NULL);
	fill[1] = MAGIC;
	CHECK_EQ(kosh_space_map(self->space, frame, 0, (uint64_t)(uintptr_t)v.page,
				KOSH_PAGE_SIZE, KOSH_RIGHT_READ), KOSH_OK);
	resume(ep, 0);

	/* 2: the write to the now read-only page: present, write. Make it writable. */
	receive_fault(ep, FAULT_BADGE, &m);
	CHECK_EQ(m.words[0], KOSH_FAULT_PAGE);
	CHECK_EQ(m.words[1], (uint64_t)(uintptr_t)&v.page[2]);
	CHECK(m.words[2] != pc1);
	CHECK_EQ(m.words[3] & (KOSH_FAULT_WRITE | KOSH_FAULT_PRESENT | KOSH_FAULT_EXEC),
		 KOSH_FAULT_WRITE | KOSH_FAULT_PRESENT);
	CHECK_EQ(v.seen, MAGIC); /* the first access completed after the resume */
	CHECK_EQ(kosh_space_protect(self->space, (uint64_t)(uintptr_t)v.page, KOSH_PAGE_SIZE,
				    KOSH_RIGHT_READ | KOSH_RIGHT_WRITE), KOSH_OK);
	resume(ep, 0);

	/* 3: the bad system call: its number in the detail; resuming goes on after it. */
	receive_fault(ep, FAULT_BADGE, &m);
	CHECK_EQ(m.words[0], KOSH_FAULT_BAD_SYSCALL);
	CHECK_EQ(m.words[3], BAD_SYSCALL);
	CHECK_EQ(fill[2], MAGIC + 1); /* the write landed in our frame */
	resume(ep, 0);
	uint64_t bits = 0;
	CHECK_EQ(kosh_notify_wait(v.done, 5 * TEST_SECOND, &bits), KOSH_OK);
	CHECK_EQ(bits, 1);
	/* No further fault message. */
	CHECK_ERR(kosh_recv(ep, &m, NULL, 0), KOSH_E_TIMED_OUT);

	CHECK_EQ(kosh_space_unmap(self->space, (uint64_t)(uintptr_t)v.page, KOSH_PAGE_SIZE), KOSH_OK);
	CHECK_EQ(kosh_frame_unmap(fill, KOSH_PAGE_SIZE), KOSH_OK);
	CHECK_EQ(kosh_handle_close(frame), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep_r), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep_w), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
}

/* ---- A child's fault reported, then the child killed by the supervisor's answer ---- */

static void child_fault_reported(const char *mode, uint32_t kind)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t ep_w = (kosh_handle_t)CHECK_OK(
		kosh_handle_dup(ep, KOSH_RIGHT_WRITE, CHILD_BADGE));
	kosh_handle_t go = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	struct kosh_spawn_handle give[] = { { "go", go, 0, 0 } };
	struct kosh_child child;
	struct kosh_msg m;
	test_spawn("probe", "expected-fault-probe", &mode, 1, give, 1, &child);
	CHECK_EQ(kosh_thread_set_fault_endpoint(child.thread, ep_w), KOSH_OK);
	CHECK_EQ(kosh_notification_signal(go, 1), KOSH_OK);
	receive_fault(ep, CHILD_BADGE, &m);
	if (m.words[0] != kind)
		check_note("%s: fault kind %llu", mode, (unsigned long long)m.words[0]);
	CHECK_EQ(m.words[0], kind);
	CHECK(m.words[2] >= 0x400000 && m.words[2] < KOSH_USER_HEAP_BASE); /* the child's text */
	/* The process is stopped in its fault until we answer. */
	uint64_t status;
	CHECK_ERR(kosh_wait(child.process, 20 * TEST_MS, &status), KOSH_E_TIMED_OUT);
	resume(ep, 1); /* any label but 0: kill it */
	status = test_wait(&child, 5 * TEST_SECOND);
	CHECK_EQ(status, KOSH_EXIT_FAULTED | kind);
	CHECK_EQ(kosh_handle_close(go), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep_w), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
}

int main(int argc, char **argv)
{
	killed_with_status();
	fault_messages_resumed();
	child_fault_reported("undefined", KOSH_FAULT_UNDEFINED);
	child_fault_reported("breakpoint", KOSH_FAULT_BREAKPOINT);
	child_fault_reported("null-read", KOSH_FAULT_PAGE);
	return 0;
}
