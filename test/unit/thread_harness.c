/* SPDX-License-Identifier: MIT */
/*
 * The common part of the thread, scheduler and IPC host tests (see
 * thread_harness.h).
 */
#include "kheap_fake.h"
#include "thread_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_fake.h"
#include "space.h"

struct quota th_quota;
uint64_t th_quota_start;
char th_trace[1024];
unsigned th_user_failures;
void (*th_cleanup)(void);

#define MAX_TRACKED 256

static struct process *procs[MAX_TRACKED];
static unsigned nprocs;
static struct thread *threads[MAX_TRACKED];
static void *buffers[MAX_TRACKED];
static unsigned nthreads;
static struct kobject *objects[MAX_TRACKED];
static unsigned nobjects;
static char failures[4096];

void th_check(int ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	th_user_failures++;
	size_t n = strlen(failures);
	snprintf(failures + n, sizeof(failures) - n, "  %s:%d: %s\n", file, line, what);
}

void th_check_eq(int64_t a, int64_t b, const char *what, const char *file, int line)
{
	if (a == b)
		return;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s (%lld != %lld)", what, (long long)a, (long long)b);
	th_check(0, buf, file, line);
}

void th_mark(const char *fmt, ...)
{
	size_t n = strlen(th_trace);
	va_list ap;
	if (n && n < sizeof(th_trace) - 1)
		th_trace[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(th_trace + n, sizeof(th_trace) - n, fmt, ap);
	va_end(ap);
}

int th_setup(void **state)
{
	(void)state;
	thread_fake_reset(TH_START_NS);
	quota_init_root(&th_quota, TH_QUOTA);
	th_quota_start = th_quota.used;
	nprocs = nthreads = nobjects = 0;
	th_trace[0] = 0;
	failures[0] = 0;
	th_user_failures = 0;
	th_cleanup = NULL;
	return 0;
}

int th_teardown(void **state)
{
	(void)state;
	int bad = 0;
	bkl_lock();
	for (unsigned i = 0; i < nprocs; i++)
		process_kill(procs[i], 0);
	bkl_unlock();
	th_run();
	for (unsigned i = 0; i < nthreads; i++) {
		if (threads[i]->state != THREAD_DEAD) {
			fprintf(stderr, "teardown: thread %u still in state %u\n", threads[i]->id,
				threads[i]->state);
			bad = 1;
		}
	}
	bkl_lock();
	for (unsigned i = 0; i < nthreads; i++)
		kobject_put(&threads[i]->obj);
	for (unsigned i = 0; i < nobjects; i++)
		kobject_put(objects[i]);
	for (unsigned i = 0; i < nprocs; i++)
		kobject_put(&procs[i]->obj);
	bkl_unlock();
	th_run();
	if (th_cleanup)
		th_cleanup();
	th_cleanup = NULL;
	for (unsigned i = 0; i < nthreads; i++)
		free(buffers[i]);
	nprocs = nthreads = nobjects = 0;
	if (th_user_failures) {
		fprintf(stderr, "checks failed in user threads:\n%s", failures);
		bad = 1;
	}
#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "teardown: expected %s\n", #cond);                         \
			bad = 1;                                                                   \
		}                                                                                  \
	} while (0)
	EXPECT(th_quota.used == th_quota_start);
	EXPECT(th_quota.obj.refs == 1);
	EXPECT(kheap_fake.kmallocs == kheap_fake.kfrees);
	EXPECT(thread_fake.stacks_allocated == thread_fake.stacks_freed);
	EXPECT(thread_fake.stack_free_in_use == 0);
	EXPECT(thread_fake.stack_free_unknown == 0);
	EXPECT(thread_fake.spaces_created == thread_fake.spaces_released);
	EXPECT(thread_fake.unlocked_switches == 0);
	EXPECT(cpus[0].current == NULL);
	EXPECT(cpus[0].zombie == NULL);
	EXPECT(cpus[0].rq.count == 0);
	EXPECT(!bkl_held());
#undef EXPECT
	if (bad)
		fprintf(stderr,
			"teardown: kmallocs %llu kfrees %llu quota used %llu (start %llu)\n",
			(unsigned long long)kheap_fake.kmallocs,
			(unsigned long long)kheap_fake.kfrees, (unsigned long long)th_quota.used,
			(unsigned long long)th_quota_start);
	return bad ? -1 : 0;
}

void th_run(void)
{
	thread_fake_run();
}

void th_advance(uint64_t ns)
{
	thread_fake_set_clock(ns);
	timer_interrupt();
	th_run();
}

struct process *th_process(const char *name, struct quota *q)
{
	struct process *p;
	struct space *s = fake_space_create();
	assert_non_null(s);
	bkl_lock();
	kosh_err_t e = process_create(q ? q : &th_quota, s, name, &p);
	bkl_unlock();
	kobject_put(&s->obj);
	assert_int_equal(e, KOSH_OK);
	assert_true(nprocs < MAX_TRACKED);
	procs[nprocs++] = p;
	return p;
}

kosh_handle_t th_give(struct process *p, struct kobject *o, uint32_t rights, uint64_t badge)
{
	kosh_handle_t h;
	kobject_get(o);
	assert_int_equal(cap_insert(&p->caps, o, rights, badge, &h), KOSH_OK);
	return h;
}

struct thread *th_thread_new(struct process *p, uint8_t priority)
{
	struct thread *t;
	bkl_lock();
	kosh_err_t e = thread_create(p, &th_quota, priority, &t);
	bkl_unlock();
	assert_int_equal(e, KOSH_OK);
	assert_true(nthreads < MAX_TRACKED);
	void *buf = aligned_alloc(4096, KOSH_IPC_BUFFER_SIZE);
	assert_non_null(buf);
	memset(buf, 0, KOSH_IPC_BUFFER_SIZE);
	buffers[nthreads] = buf;
	threads[nthreads++] = t;
	return t;
}

static void *buffer_of(struct thread *t)
{
	for (unsigned i = 0; i < nthreads; i++)
		if (threads[i] == t)
			return buffers[i];
	return NULL;
}

void th_start(struct thread *t, void (*fn)(uint64_t), uint64_t arg)
{
	bkl_lock();
	kosh_err_t e =
	    thread_start(t, (uint64_t)(uintptr_t)fn, 0, arg, (uint64_t)(uintptr_t)buffer_of(t));
	bkl_unlock();
	assert_int_equal(e, KOSH_OK);
}

struct thread *th_thread(struct process *p, uint8_t priority, void (*fn)(uint64_t), uint64_t arg)
{
	struct thread *t = th_thread_new(p, priority);
	th_start(t, fn, arg);
	return t;
}

struct kosh_ipc_buffer *th_ipcbuf(struct thread *t)
{
	return buffer_of(t);
}

struct endpoint *th_endpoint(void)
{
	struct endpoint *ep;
	assert_int_equal(endpoint_create(&th_quota, &ep), KOSH_OK);
	assert_true(nobjects < MAX_TRACKED);
	objects[nobjects++] = &ep->obj;
	return ep;
}

struct notification *th_notification(void)
{
	struct notification *n;
	assert_int_equal(notification_create(&th_quota, &n), KOSH_OK);
	assert_true(nobjects < MAX_TRACKED);
	objects[nobjects++] = &n->obj;
	return n;
}

/* ---- User mode ---- */

struct kosh_ipc_buffer *u_ipcbuf(void)
{
	return (struct kosh_ipc_buffer *)(uintptr_t)thread_current()->ipc_buffer;
}

static int64_t sys7(uint64_t nr, uint64_t r[KOSH_SYSCALL_ARGS_MAX],
		    uint64_t out[KOSH_SYSCALL_ARGS_MAX])
{
	int64_t ret = user_syscall(nr, r);
	if (out)
		memcpy(out, r, KOSH_SYSCALL_ARGS_MAX * sizeof(uint64_t));
	return ret;
}

int64_t u_call(kosh_handle_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
	       uint64_t timeout, uint64_t out[KOSH_SYSCALL_ARGS_MAX])
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {ep, tag, w0, w1, w2, w3, timeout};
	return sys7(KOSH_SYS_endpoint_call, r, out);
}

int64_t u_recv(kosh_handle_t ep, uint64_t timeout, uint64_t out[KOSH_SYSCALL_ARGS_MAX])
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {ep, timeout};
	return sys7(KOSH_SYS_endpoint_recv, r, out);
}

int64_t u_reply_recv(kosh_handle_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		     uint64_t w3, uint64_t timeout, uint64_t out[KOSH_SYSCALL_ARGS_MAX])
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {ep, tag, w0, w1, w2, w3, timeout};
	return sys7(KOSH_SYS_endpoint_reply_recv, r, out);
}

int64_t u_signal(kosh_handle_t n, uint64_t bits)
{
	return usys(KOSH_SYS_notification_signal, n, bits, 0, 0, 0, 0, 0);
}

int64_t u_wait(kosh_handle_t n, uint64_t timeout, uint64_t *bits)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {n, timeout};
	int64_t ret = user_syscall(KOSH_SYS_notification_wait, r);
	if (bits)
		*bits = r[1];
	return ret;
}

int64_t u_poll(kosh_handle_t n, uint64_t *bits)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {n};
	int64_t ret = user_syscall(KOSH_SYS_notification_poll, r);
	if (bits)
		*bits = r[1];
	return ret;
}

int64_t u_dup(kosh_handle_t h, uint32_t rights, uint64_t badge)
{
	return usys(KOSH_SYS_handle_dup, h, rights, badge, 0, 0, 0, 0);
}

int64_t u_close(kosh_handle_t h)
{
	return usys(KOSH_SYS_handle_close, h, 0, 0, 0, 0, 0, 0);
}

int64_t u_info(kosh_handle_t h, struct kosh_handle_info *info)
{
	return usys(KOSH_SYS_handle_info, h, (uint64_t)(uintptr_t)info, 0, 0, 0, 0, 0);
}

int64_t u_yield(void)
{
	return usys(KOSH_SYS_yield, 0, 0, 0, 0, 0, 0, 0);
}
