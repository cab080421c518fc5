/* SPDX-License-Identifier: MIT */
/*
 * PRI0001: a higher priority always runs first. Every thread here is pinned
 * to CPU 0 with thread_set_affinity. Four threads made ready at priorities
 * 5, 30, 10 and 20 (in that order) while we, at a higher priority, keep the
 * CPU, run in priority order 30, 20, 10, 5 once we block. And a thread woken
 * at priority 20 runs before a priority-10 thread that was spinning on the
 * CPU gets it back: the spinner's counter does not move in between.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "check.h"
#include "helper.h"

#define ORDERED 4

static kosh_handle_t done, wake, timer;
static uint32_t order[ORDERED], next;
static volatile uint64_t spins;
static volatile int stop;
static uint64_t seen_by_high;

struct job {
	uint32_t priority, bit;
};

static void record(void *arg)
{
	const struct job *j = arg;
	uint32_t i = __atomic_fetch_add(&next, 1, __ATOMIC_ACQ_REL);
	if (i < ORDERED)
		order[i] = j->priority;
	CHECK_EQ(kosh_notification_signal(done, j->bit), KOSH_OK);
}

static void spinner(void *arg)
{
	while (!stop)
		spins++;
	CHECK_EQ(kosh_notification_signal(done, 0x100), KOSH_OK);
}

static void high(void *arg)
{
	uint64_t bits;
	CHECK_EQ(kosh_notify_wait(wake, 5 * TEST_SECOND, &bits), KOSH_OK);
	seen_by_high = spins;
	stop = 1;
	CHECK_EQ(kosh_notification_signal(done, 0x200), KOSH_OK);
}

static void start_pinned(struct kosh_thread *t, void (*fn)(void *), void *arg, uint32_t priority)
{
	CHECK_EQ(kosh_thread_prepare(t, fn, arg, 0), KOSH_OK);
	CHECK_EQ(kosh_thread_set_priority(t->handle, priority), KOSH_OK);
	CHECK_EQ(kosh_thread_set_affinity(t->handle, 1), KOSH_OK);
	CHECK_EQ(kosh_thread_launch(t), KOSH_OK);
}

static void wait_bits(uint64_t want)
{
	uint64_t all = 0, bits;
	while ((all & want) != want) {
		CHECK_EQ(kosh_notify_wait(done, 5 * TEST_SECOND, &bits), KOSH_OK);
		all |= bits;
	}
}

static void sleep_ms(uint64_t ms)
{
	uint64_t bits;
	CHECK_ERR(kosh_notify_wait(timer, ms * TEST_MS, &bits), KOSH_E_TIMED_OUT);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	static struct kosh_thread t[ORDERED + 2];
	static const struct job jobs[ORDERED] = { { 5, 1 }, { 30, 2 }, { 10, 4 }, { 20, 8 } };
	done = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	wake = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	timer = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	CHECK_EQ(kosh_thread_set_affinity(self->thread, 1), KOSH_OK);
	CHECK_ERR(kosh_thread_set_priority(self->thread, KOSH_PRIORITY_MAX + 1),
		  KOSH_E_OUT_OF_RANGE);

	for (int i = 0; i < ORDERED; i++)
		start_pinned(&t[i], record, (void *)&jobs[i], jobs[i].priority);
	CHECK_EQ(__atomic_load_n(&next, __ATOMIC_ACQUIRE), 0); /* none ran while we held CPU 0 */
	wait_bits(0xf);
	check_note("ran in the order %u %u %u %u", order[0], order[1], order[2], order[3]);
	CHECK_EQ(order[0], 30);
	CHECK_EQ(order[1], 20);
	CHECK_EQ(order[2], 10);
	CHECK_EQ(order[3], 5);

	/* Preemption of a spinning lower priority by a woken higher one. */
	start_pinned(&t[ORDERED], high, NULL, 20);
	sleep_ms(10); /* high runs and blocks on wake */
	start_pinned(&t[ORDERED + 1], spinner, NULL, 10);
	sleep_ms(30); /* the spinner has CPU 0 */
	uint64_t before = spins;
	CHECK(before > 0);
	CHECK_EQ(kosh_notification_signal(wake, 1), KOSH_OK);
	wait_bits(0x300);
	check_note("spinner at %llu when woken high ran (%llu when signalled)",
		   (unsigned long long)seen_by_high, (unsigned long long)before);
	CHECK_EQ(seen_by_high, before);
	return 0;
}
