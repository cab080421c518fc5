/* SPDX-License-Identifier: MIT */
/*
 * The common part of the host tests of threads, the scheduler, processes and
 * IPC (sched_test.c, ipc_test.c) on the fake port's real context switches
 * (test/fake/thread_fake.h). A test builds processes, threads and objects from
 * the test's own stack (th_*), lets the CPU run (th_run), and looks at what
 * happened. User threads are host functions that make system calls (u_*); they
 * never assert (a cmocka failure must not unwind a thread's stack): they record
 * what they see, and UCHECK notes a failed check that th_teardown reports.
 *
 * th_teardown kills every process the test made, lets the threads die, drops
 * every reference the test held and then checks that everything came back:
 * the quota's use, every kmalloc, every kernel stack, every address space.
 */
#ifndef TEST_THREAD_HARNESS_H
#define TEST_THREAD_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <kosh/abi.h>

#include "cap.h"
#include "cpu.h"
#include "ipc.h"
#include "process.h"
#include "quota.h"
#include "sched.h"
#include "thread.h"
#include "thread_fake.h"

#define TH_START_NS 1000000000ull /* the clock when a test starts: 1 s */
#define TH_QUOTA    (256ull << 20)

extern struct quota th_quota;	/* every object the harness makes is charged here */
extern uint64_t th_quota_start; /* its use when the test started */

int th_setup(void **state);
int th_teardown(void **state);

/* Run by th_teardown after it dropped the harness's references, before its checks. */
extern void (*th_cleanup)(void);

/* Let the CPU run until it idles. */
void th_run(void);

/* Advance the clock to ns, take the timer interrupt (as the idle CPU would), run. */
void th_advance(uint64_t ns);

/* A process over a fresh fake space, charged to q (NULL: th_quota). The harness keeps a reference.
 */
struct process *th_process(const char *name, struct quota *q);

/* A handle in p's table to o (a new reference) with rights and badge. */
kosh_handle_t th_give(struct process *p, struct kobject *o, uint32_t rights, uint64_t badge);

/* A thread of p at priority with an IPC buffer, NEW (th_thread_new) or started at fn(arg). */
struct thread *th_thread_new(struct process *p, uint8_t priority);
struct thread *th_thread(struct process *p, uint8_t priority, void (*fn)(uint64_t), uint64_t arg);
void th_start(struct thread *t, void (*fn)(uint64_t), uint64_t arg);

/* Objects the harness holds a reference to until teardown. */
struct endpoint *th_endpoint(void);
struct notification *th_notification(void);

/* The IPC buffer of t (host memory it owns). */
struct kosh_ipc_buffer *th_ipcbuf(struct thread *t);

/* An ordered trace of marks the threads leave ("A1 B1 …"). */
extern char th_trace[1024];
void th_mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks in user mode: recorded, reported by th_teardown. */
void th_check(int ok, const char *what, const char *file, int line);
void th_check_eq(int64_t a, int64_t b, const char *what, const char *file, int line);
#define UCHECK(x)	th_check(!!(x), #x, __FILE__, __LINE__)
#define UCHECK_EQ(a, b) th_check_eq((int64_t)(a), (int64_t)(b), #a " == " #b, __FILE__, __LINE__)
extern unsigned th_user_failures;

/* ---- User mode (only from a user thread's function) ---- */

struct kosh_ipc_buffer *u_ipcbuf(void);

/* System calls; the out array (may be NULL) gets r[0 .. 6] after the call. */
int64_t u_call(kosh_handle_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
	       uint64_t timeout, uint64_t out[KOSH_SYSCALL_ARGS_MAX]);
int64_t u_recv(kosh_handle_t ep, uint64_t timeout, uint64_t out[KOSH_SYSCALL_ARGS_MAX]);
int64_t u_reply_recv(kosh_handle_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
		     uint64_t w3, uint64_t timeout, uint64_t out[KOSH_SYSCALL_ARGS_MAX]);
int64_t u_signal(kosh_handle_t n, uint64_t bits);
int64_t u_wait(kosh_handle_t n, uint64_t timeout, uint64_t *bits);
int64_t u_poll(kosh_handle_t n, uint64_t *bits);
int64_t u_dup(kosh_handle_t h, uint32_t rights, uint64_t badge);
int64_t u_close(kosh_handle_t h);
int64_t u_info(kosh_handle_t h, struct kosh_handle_info *info);
int64_t u_yield(void);

#endif
