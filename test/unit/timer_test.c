/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the per-CPU one-shot timer events (kernel/timer.c) on the fake
 * port: the fake counter runs at 1 GHz (one tick per read = 1 ns), and the
 * fake records what the hardware timer was last programmed to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch_fake.h"
#include "clock.h"
#include "cpu.h"
#include "timer.h"

static int fired[8];
static int order[8], order_len;

static void record(struct timer_event *ev, void *ctx)
{
	int id = (int)(intptr_t)ctx;
	fired[id]++;
	order[order_len++] = id;
}

static int setup(void **state)
{
	memset(fired, 0, sizeof(fired));
	order_len = 0;
	memset(&cpus[0], 0, sizeof(cpus[0]));
	arch_fake.ticks = 0;
	arch_fake.timer_deadline = 0;
	clock_init(1000000000, 0);
	return 0;
}

static void test_timer_programs_the_soonest_deadline(void **state)
{
	struct timer_event a = { 0 }, b = { 0 }, c = { 0 };
	timer_arm(&a, 5000, record, (void *)0);
	assert_int_equal(arch_fake.timer_deadline, 5000);
	timer_arm(&b, 3000, record, (void *)1);
	assert_int_equal(arch_fake.timer_deadline, 3000);
	timer_arm(&c, 9000, record, (void *)2);
	assert_int_equal(arch_fake.timer_deadline, 3000);
	assert_true(timer_cancel(&b));
	assert_int_equal(arch_fake.timer_deadline, 5000);
	assert_false(timer_cancel(&b));
	assert_true(timer_cancel(&a));
	assert_true(timer_cancel(&c));
	assert_int_equal(arch_fake.timer_deadline, 0); /* nothing pending: disarmed */
}

static void test_timer_runs_expired_events_in_deadline_order(void **state)
{
	struct timer_event ev[4] = { { 0 } };
	timer_arm(&ev[0], 400, record, (void *)0);
	timer_arm(&ev[1], 100, record, (void *)1);
	timer_arm(&ev[2], 300, record, (void *)2);
	timer_arm(&ev[3], 1000000, record, (void *)3);
	arch_fake.ticks = 500;
	timer_interrupt();
	assert_int_equal(order_len, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	assert_int_equal(fired[3], 0);
	assert_int_equal(arch_fake.timer_deadline, 1000000);
	assert_int_equal(cpus[0].timer_interrupts, 1);
}

static struct timer_event periodic;
static int periodic_count;

static void rearm(struct timer_event *ev, void *ctx)
{
	periodic_count++;
	if (periodic_count < 3)
		timer_arm(ev, ev->deadline_ns + 1000, rearm, ctx);
}

static void test_timer_event_may_rearm_itself(void **state)
{
	periodic_count = 0;
	timer_arm(&periodic, 1000, rearm, NULL);
	arch_fake.ticks = 1500;
	timer_interrupt();
	assert_int_equal(periodic_count, 1);
	assert_int_equal(arch_fake.timer_deadline, 2000);
	arch_fake.ticks = 10000; /* late: both remaining periods are due now */
	timer_interrupt();
	assert_int_equal(periodic_count, 3);
	assert_int_equal(arch_fake.timer_deadline, 0);
}

static void test_timer_rearming_moves_an_armed_event(void **state)
{
	struct timer_event a = { 0 }, b = { 0 };
	timer_arm(&a, 100, record, (void *)0);
	timer_arm(&b, 200, record, (void *)1);
	timer_arm(&a, 300, record, (void *)0);
	assert_int_equal(arch_fake.timer_deadline, 200);
	arch_fake.ticks = 250;
	timer_interrupt();
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 1);
	arch_fake.ticks = 350;
	timer_interrupt();
	assert_int_equal(fired[0], 1); /* once, not twice */
}

static void test_timer_masks_interrupts_while_editing(void **state)
{
	struct timer_event a = { 0 };
	arch_fake.irq_enabled = 1;
	timer_arm(&a, 100, record, (void *)0);
	assert_int_equal(arch_fake.irq_enabled, 1);
	timer_cancel(&a);
	assert_int_equal(arch_fake.irq_enabled, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timer_programs_the_soonest_deadline, setup),
		cmocka_unit_test_setup(test_timer_runs_expired_events_in_deadline_order, setup),
		cmocka_unit_test_setup(test_timer_event_may_rearm_itself, setup),
		cmocka_unit_test_setup(test_timer_rearming_moves_an_armed_event, setup),
		cmocka_unit_test_setup(test_timer_masks_interrupts_while_editing, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
