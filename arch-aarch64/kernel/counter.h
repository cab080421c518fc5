/* SPDX-License-Identifier: MIT */
/*
 * Generic-counter arithmetic for the one-shot timer: which counter value a
 * deadline on the monotonic clock (kernel/clock.h) corresponds to. Plain C, so
 * host tests check it (test/unit/aarch64_test.c).
 */
#ifndef ARCH_AARCH64_COUNTER_H
#define ARCH_AARCH64_COUNTER_H

#include <stdint.h>

/* ns nanoseconds in ticks of a hz counter, rounded up; UINT64_MAX if that overflows. */
uint64_t counter_ns_to_ticks(uint64_t ns, uint64_t hz);

/*
 * The compare value (CVAL) at which a timer fires once the clock reaches
 * deadline_ns, given that the counter read now_ticks no earlier than the clock
 * read now_ns: never early; now_ticks when the deadline has passed (fire at
 * once); UINT64_MAX (never) when the sum overflows. hz at most 2^33.
 */
uint64_t counter_compare_value(uint64_t now_ticks, uint64_t now_ns, uint64_t deadline_ns,
			       uint64_t hz);

#endif
