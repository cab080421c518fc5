/* SPDX-License-Identifier: MIT */
/*
 * bin/bench: the microbenchmarks of scripts/bench.sh (docs/performance.md).
 * bootstrap runs it when the command line has the word kosh.bench.
 *
 * Every figure is timed in the guest with the counter user mode may read
 * (bench.h: TSC / CNTVCT), WARMUP unrecorded repetitions first, then REPS
 * recorded ones (CYCLE_REPS for process_cycle); the figure is the median,
 * converted to ns with the counter's frequency. Under QEMU's
 * -icount shift=0,sleep=off guest time is a function of the instructions
 * executed only, so each figure repeats exactly. One log line per figure:
 *
 *   bench: <metric> <value> <unit>
 *
 * and lines starting with '#' say how it was measured. Any failure ends the
 * process with status 1 (bootstrap reports it; bench.sh then misses figures).
 *
 * The figures (all threads at the same priority unless said otherwise):
 *   null_syscall      clock_get, the cheapest call (no handle); batches of
 *                     NULL_BATCH calls per sample, divided
 *   ipc_rtt_same_cpu  call + reply_recv with 4 words in registers, to
 *                     bin/bench-server (another process), both pinned to CPU A:
 *                     the direct hand-off path of kernel/ipc.c
 *   ipc_rtt_cross_cpu the same with the client pinned to CPU B (needs 2 CPUs)
 *   ipc_rtt_4k        the same CPU, 512 words (4 KiB: 4 in registers, 508
 *                     through the IPC buffers) in the call and in the reply
 *   notify_wake       signal in one thread -> a thread of higher priority
 *                     waiting on the notification on the same CPU runs
 *   thread_switch     two threads of this process, pinned to CPU A, yielding
 *                     to each other: a round (two switches) halved
 *   process_cycle     quota_create + spawn of bin/bench-server exit (the tiny
 *                     program) + its exit + process_wait + closing its handles
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>
#include <kosh/thread.h>

#include <arch/user.h>

#include "bench.h"

#define WARMUP        10
#define REPS          1000
#define CYCLE_REPS    100
#define NULL_BATCH    10
#define SERVER_PATH   "bin/bench-server"
#define SERVER_QUOTA  (2ull << 20)
#define CHILD_QUOTA   (2ull << 20)
#define SECOND        1000000000ull
#define CALIBRATE_NS  (50ull * 1000000ull)
#define LONG_WORDS    KOSH_MSG_WORDS_MAX /* 512 words: 4 KiB */

static uint64_t samples[WARMUP + REPS];
static uint64_t hz;          /* counter ticks per second */
static uint64_t online;      /* mask of the CPUs we may be pinned to */
static uint32_t cpu_a, cpu_b; /* the CPUs of the figures (b: only with 2 CPUs) */
static const struct kosh_tar_entry *server_image;

__attribute__((noreturn)) static void fail(const char *what, int64_t err)
{
	kosh_printf("# FAILED: %s: %s", what, err < 0 ? kosh_strerror((kosh_err_t)err) : "wrong");
	kosh_terminate(1);
}

/* The call's result, or the end of the process if it is an error. */
static int64_t try(const char *what, int64_t r)
{
	if (r < 0)
		fail(what, r);
	return r;
}

static void pin(kosh_handle_t thread, uint32_t cpu)
{
	try("thread_set_affinity", kosh_thread_set_affinity(thread, 1ull << cpu));
}

/* Shell sort: REPS is small and this runs once per figure. */
static void sort(uint64_t *v, uint32_t n)
{
	static const uint32_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	for (uint32_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		uint32_t gap = gaps[g];
		for (uint32_t i = gap; i < n; i++) {
			uint64_t x = v[i];
			uint32_t j = i;
			for (; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

/* ticks -> ns, rounded, without overflowing 64 bits. */
static uint64_t to_ns(uint64_t ticks)
{
	return ticks / hz * SECOND + (ticks % hz * SECOND + hz / 2) / hz;
}

/*
 * The recorded samples (after the warm-up) in ticks of `per` operations each:
 * print the median per operation in ns (or in us with one decimal).
 */
static void report(const char *metric, uint32_t n, uint64_t per, int in_us)
{
	uint64_t *v = samples + WARMUP;
	sort(v, n);
	uint64_t med = n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2] + 1) / 2;
	uint64_t ns = (to_ns(med) + per / 2) / per;
	kosh_printf("# %s: %u samples of %llu op%s, ticks min %llu median %llu max %llu", metric, n,
		    (unsigned long long)per, per == 1 ? "" : "s", (unsigned long long)v[0],
		    (unsigned long long)med, (unsigned long long)v[n - 1]);
	if (in_us)
		kosh_printf("%s %llu.%llu us", metric, (unsigned long long)((ns + 50) / 1000),
			    0ull + (ns + 50) % 1000 / 100);
	else
		kosh_printf("%s %llu ns", metric, (unsigned long long)ns);
}

/* ---- The counter ---- */

static void calibrate(void)
{
	/* Each clock reading is paired with the counter's midpoint around the call. */
	uint64_t a = bench_counter();
	int64_t n0 = try("clock_get", kosh_clock_get()), n1;
	uint64_t c0 = a + (bench_counter() - a) / 2, c1;
	do {
		a = bench_counter();
		n1 = try("clock_get", kosh_clock_get());
		c1 = a + (bench_counter() - a) / 2;
	} while ((uint64_t)(n1 - n0) < CALIBRATE_NS);
	uint64_t ticks = c1 - c0, ns = (uint64_t)(n1 - n0);
	/* ticks * 1e9 / ns, in two steps so it stays in 64 bits (ticks < 2^40 here). */
	uint64_t measured = ticks * 1000 / (ns / 1000000);
	uint64_t frq = arch_counter_hz();
	hz = frq ? frq : measured;
	kosh_printf("# counter: %s read in user mode, %llu Hz (%s; against clock_get over %llu ms: "
		    "%llu Hz)",
		    ARCH_COUNTER_NAME, (unsigned long long)hz, frq ? "as the CPU says" : "measured",
		    (unsigned long long)(ns / 1000000), (unsigned long long)measured);
	if (!hz)
		fail("the counter's frequency", -1);
}

/* The CPUs we may use: thread_set_affinity refuses a mask without an online CPU. */
static void find_cpus(void)
{
	kosh_handle_t self = kosh_self()->thread;
	uint32_t n = 0;
	for (uint32_t i = 0; i < 64; i++) {
		if (kosh_thread_set_affinity(self, 1ull << i) == KOSH_OK) {
			online |= 1ull << i;
			n++;
		}
	}
	if (!online)
		fail("no CPU accepts the thread", -1);
	cpu_a = (uint32_t)__builtin_ctzll(online);
	cpu_b = n >= 2 ? (uint32_t)__builtin_ctzll(online & ~(1ull << cpu_a)) : cpu_a;
	pin(self, cpu_a);
	kosh_printf("# %u CPU%s; CPU A = %u, CPU B = %u; %u warm-up + %u recorded repetitions "
		    "(process_cycle: %u)",
		    n, n == 1 ? "" : "s", cpu_a, cpu_b, WARMUP, REPS, CYCLE_REPS);
}

/* ---- Null system call ---- */

static void bench_null_syscall(void)
{
	for (uint32_t i = 0; i < WARMUP + REPS; i++) {
		uint64_t t0 = bench_counter();
		for (uint32_t k = 0; k < NULL_BATCH; k++)
			kosh_clock_get();
		samples[i] = bench_counter() - t0;
	}
	report("null_syscall", REPS, NULL_BATCH, 0);
}

/* ---- IPC with bin/bench-server ---- */

static kosh_handle_t server_ep;
static struct kosh_child server;

static void start_server(void)
{
	const struct kosh_self *self = kosh_self();
	server_ep = (kosh_handle_t)try("endpoint_create", kosh_endpoint_create(self->quota));
	kosh_handle_t rd = (kosh_handle_t)try("handle_dup",
		kosh_handle_dup(server_ep, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER, 0));
	kosh_handle_t q = (kosh_handle_t)try("quota_create",
		kosh_quota_create(self->quota, SERVER_QUOTA));
	struct kosh_spawn_handle give[] = {
		{ "klog", self->log, 0, 0 },
		{ "quota", q, KOSH_GIVE_MOVE, SERVER_QUOTA },
		{ "ep", rd, KOSH_GIVE_MOVE, 0 },
	};
	char cpu[4];
	kosh_snprintf(cpu, sizeof(cpu), "%u", cpu_a);
	const char *argv[] = { SERVER_PATH, "serve", cpu };
	struct kosh_spawn s = {
		.name = "bench-server", .image = server_image->data,
		.image_size = server_image->size, .argv = argv, .argc = 3,
		.handles = give, .handle_count = 3, .quota = q,
	};
	try("spawn bench-server", kosh_spawn(&s, &server));
}

static void stop_server(void)
{
	kosh_printf("# stopping bench-server");
	struct kosh_msg m = { kosh_msg_tag(BENCH_LABEL_QUIT, 0, 0, 0), { 0 } };
	uint64_t status = 0;
	try("call (quit)", kosh_call(server_ep, &m, &m, 10 * SECOND));
	try("process_wait (bench-server)", kosh_wait(server.process, 10 * SECOND, &status));
	if (status)
		fail("bench-server's exit status", -1);
	kosh_handle_close(server.thread);
	kosh_handle_close(server.process);
	kosh_handle_close(server_ep);
}

/* REPS timed call/reply round trips of words words (the rest in the IPC buffer). */
static void ipc_round_trips(const char *metric, uint32_t words)
{
	uint64_t tag = kosh_msg_tag(BENCH_LABEL_ECHO, words, 0, 0);
	struct kosh_msg m = { tag, { 1, 2, 3, 4 } }, r;
	for (uint32_t i = 0; i < WARMUP + REPS; i++) {
		uint64_t t0 = bench_counter();
		kosh_err_t err = kosh_call(server_ep, &m, &r, KOSH_TIMEOUT_NEVER);
		samples[i] = bench_counter() - t0;
		if (err)
			fail(metric, err);
		if (r.tag != tag || r.words[3] != 4)
			fail("the echo of the server", -1);
	}
	report(metric, REPS, 1, 0);
}

/*
 * Not a figure, how a round trip splits: REPS calls whose reply carries the
 * server's counter at the receive, so each direction is seen on its own (the
 * counter is one clock for every CPU: the TSC / CNTVCT of the machine).
 */
static void ipc_one_way(const char *metric)
{
	static uint64_t back[WARMUP + REPS];
	struct kosh_msg m = { kosh_msg_tag(BENCH_LABEL_STAMP, KOSH_MSG_WORDS_REG, 0, 0), { 0 } }, r;
	for (uint32_t i = 0; i < WARMUP + REPS; i++) {
		uint64_t t0 = bench_counter();
		kosh_err_t err = kosh_call(server_ep, &m, &r, KOSH_TIMEOUT_NEVER);
		uint64_t t1 = bench_counter();
		if (err)
			fail(metric, err);
		samples[i] = r.words[0] - t0;
		back[i] = t1 - r.words[0];
	}
	sort(samples + WARMUP, REPS);
	sort(back + WARMUP, REPS);
	kosh_printf("# %s: one way, median: call -> server running %llu ns, reply -> client "
		    "running %llu ns",
		    metric, (unsigned long long)to_ns(samples[WARMUP + REPS / 2]),
		    (unsigned long long)to_ns(back[WARMUP + REPS / 2]));
}

static void bench_ipc(void)
{
	kosh_handle_t self = kosh_self()->thread;
	start_server();
	pin(self, cpu_a);
	ipc_round_trips("ipc_rtt_same_cpu", KOSH_MSG_WORDS_REG);
	ipc_one_way("ipc_rtt_same_cpu");
	if (cpu_b != cpu_a) {
		pin(self, cpu_b);
		ipc_round_trips("ipc_rtt_cross_cpu", KOSH_MSG_WORDS_REG);
		ipc_one_way("ipc_rtt_cross_cpu");
		pin(self, cpu_a);
	} else {
		kosh_printf("# ipc_rtt_cross_cpu: one CPU only, not measured");
	}
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	for (uint32_t i = KOSH_MSG_WORDS_REG; i < LONG_WORDS; i++)
		ipc->words[i] = 0x1000 + i;
	ipc_round_trips("ipc_rtt_4k", LONG_WORDS);
	for (uint32_t i = KOSH_MSG_WORDS_REG; i < LONG_WORDS; i++)
		if (ipc->words[i] != 0x1000 + i)
			fail("the 4 KiB echo's words", -1);
	stop_server();
}

/* ---- Two threads of this process ---- */

struct peer {
	struct kosh_thread thread;
	kosh_handle_t notification;
	kosh_handle_t main_thread;
	kosh_handle_t started;  /* signalled by the second thread once pinned */
	volatile uint64_t t0;   /* notify_wake: the counter just before the signal */
	volatile uint32_t count; /* notify_wake: samples taken */
	volatile int stop, done;
};

static struct peer peer;

/* Yield until *flag is set, for at most 10 s. */
static void yield_until(volatile int *flag, const char *what)
{
	int64_t start = kosh_clock_get();
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (kosh_clock_get() - start > (int64_t)(10 * SECOND)) {
			kosh_printf("# timed out waiting for %s", what);
			fail(what, KOSH_E_TIMED_OUT);
		}
		kosh_yield();
	}
}

static void spawn_peer(void (*fn)(void *))
{
	__atomic_store_n(&peer.stop, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&peer.done, 0, __ATOMIC_SEQ_CST);
	if (!peer.started)
		peer.started = (kosh_handle_t)try("notification_create",
			kosh_notification_create(kosh_self()->quota));
	try("thread_spawn", kosh_thread_spawn(&peer.thread, fn, &peer, 0));
	/*
	 * It may start on another CPU; it pins itself to CPU A and signals. Wait
	 * blocked, not yielding: a CPU that loops on system calls can keep another
	 * from ever taking the big kernel lock (see docs/performance.md).
	 */
	uint64_t bits;
	try("waiting for the second thread to start",
	    kosh_notify_wait(peer.started, 10 * SECOND, &bits));
}

/* In the second thread: pinned to CPU A, tell the main thread. */
static void peer_started(struct peer *p)
{
	pin(p->thread.handle, cpu_a);
	try("notification_signal", kosh_notification_signal(p->started, 1));
}

static void yielder(void *arg)
{
	struct peer *p = arg;
	peer_started(p);
	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
		kosh_yield();
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

static void bench_thread_switch(void)
{
	kosh_printf("# thread_switch: starting the second thread");
	spawn_peer(yielder);
	for (uint32_t i = 0; i < WARMUP + REPS; i++) {
		uint64_t t0 = bench_counter();
		kosh_yield(); /* to the yielder, which yields back */
		samples[i] = bench_counter() - t0;
	}
	__atomic_store_n(&peer.stop, 1, __ATOMIC_RELEASE);
	yield_until(&peer.done, "the yielding thread to end");
	report("thread_switch", REPS, 2, 0);
}

static void waiter(void *arg)
{
	struct peer *p = arg;
	peer_started(p);
	for (;;) {
		uint64_t bits = 0;
		kosh_err_t err = kosh_notify_wait(p->notification, KOSH_TIMEOUT_NEVER, &bits);
		uint64_t t1 = bench_counter();
		if (err)
			fail("notification_wait", err);
		if (__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE))
			break;
		if (p->count < WARMUP + REPS)
			samples[p->count++] = t1 - p->t0;
	}
	/* Give the main thread its priority back (we may: it is at most ours). */
	try("thread_set_priority", kosh_thread_set_priority(p->main_thread, KOSH_PRIORITY_ROOT));
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

static void bench_notify_wake(void)
{
	kosh_printf("# notify_wake: starting the waiting thread");
	const struct kosh_self *self = kosh_self();
	peer.notification = (kosh_handle_t)try("notification_create",
		kosh_notification_create(self->quota));
	peer.main_thread = self->thread;
	peer.count = 0;
	spawn_peer(waiter);
	/* The waiter is blocked now (we run again only once it waits). Drop below it, so
	 * that each signal hands the CPU straight to it. */
	try("thread_set_priority", kosh_thread_set_priority(self->thread, KOSH_PRIORITY_ROOT - 1));
	for (uint32_t i = 0; i < WARMUP + REPS; i++) {
		peer.t0 = bench_counter();
		try("notification_signal", kosh_notification_signal(peer.notification, 1));
		if (peer.count != i + 1)
			fail("the waiter did not run at once on the signal", -1);
	}
	__atomic_store_n(&peer.stop, 1, __ATOMIC_RELEASE);
	try("notification_signal", kosh_notification_signal(peer.notification, 1));
	yield_until(&peer.done, "the waiting thread to end");
	kosh_handle_close(peer.notification);
	report("notify_wake", REPS, 1, 0);
}

/* ---- Process create + exit + wait ---- */

static void bench_process_cycle(void)
{
	const struct kosh_self *self = kosh_self();
	const char *argv[] = { SERVER_PATH, "exit" };
	for (uint32_t i = 0; i < WARMUP + CYCLE_REPS; i++) {
		uint64_t t0 = bench_counter();
		kosh_handle_t q = (kosh_handle_t)try("quota_create",
			kosh_quota_create(self->quota, CHILD_QUOTA));
		struct kosh_spawn_handle give[] = { { "quota", q, KOSH_GIVE_MOVE, CHILD_QUOTA } };
		struct kosh_spawn s = {
			.name = "bench-exit", .image = server_image->data,
			.image_size = server_image->size, .argv = argv, .argc = 2,
			.handles = give, .handle_count = 1, .quota = q,
		};
		struct kosh_child child;
		uint64_t status = 0;
		try("spawn (exit)", kosh_spawn(&s, &child));
		try("process_wait", kosh_wait(child.process, 10 * SECOND, &status));
		kosh_handle_close(child.thread);
		kosh_handle_close(child.process);
		samples[i] = bench_counter() - t0;
		if (status)
			fail("the tiny program's exit status", -1);
	}
	report("process_cycle", CYCLE_REPS, 1, 1);
}

int main(int argc, char **argv)
{
	static struct kosh_tar_entry image;
	const void *initfs;
	uint64_t size;
	try("initfs", kosh_initfs(&initfs, &size));
	if (kosh_tar_find(initfs, size, SERVER_PATH, &image) != KOSH_TAR_OK)
		fail("no " SERVER_PATH " in the initfs", -1);
	server_image = &image;
	kosh_printf("# Kosh %s microbenchmarks on %s", KOSH_VERSION, ARCH_USER_NAME);
	find_cpus();
	calibrate();
	bench_null_syscall();
	bench_ipc();
	bench_thread_switch();
	bench_notify_wake();
	bench_process_cycle();
	kosh_printf("# done");
	return 0;
}
