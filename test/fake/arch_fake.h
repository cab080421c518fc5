/* SPDX-License-Identifier: MIT */
/*
 * What the fake port (arch_fake.c) records, for host tests to inspect.
 */
#ifndef TEST_ARCH_FAKE_H
#define TEST_ARCH_FAKE_H

#include <stdint.h>

struct arch_fake {
	int irq_enabled;
	uint64_t ticks;
	uint64_t relax_count;
	uint64_t port_writes;
	uint32_t cpu_index;
	int panicking;
	uint64_t timer_deadline; /* last arch_timer_set */
	uint64_t timer_sets;
};

extern struct arch_fake arch_fake;

#endif
