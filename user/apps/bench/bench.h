/* SPDX-License-Identifier: MIT */
/*
 * What bin/bench and bin/bench-server share: the counter readable from user
 * mode, and the messages between the two. See bench.c and docs/performance.md.
 */
#ifndef KOSH_BENCH_H
#define KOSH_BENCH_H

#include <stdint.h>

#include <arch/counter.h>

/* Labels of the messages bench sends the server; any other label is echoed back as it came. */
#define BENCH_LABEL_ECHO 0x42
#define BENCH_LABEL_QUIT 0x43
#define BENCH_LABEL_STAMP 0x44 /* echoed with the server's counter at the receive in word 0 */

/* The counter each figure is timed with (<arch/counter.h>). */
static inline uint64_t bench_counter(void)
{
	return arch_counter();
}

#endif
