/* SPDX-License-Identifier: MIT */
/*
 * FPU0001: FPU/SIMD registers stay with their thread. Three threads pinned to
 * one CPU each fill every vector register with their own pattern and yield
 * to the others while the registers hold it (arch_fp_yield_roundtrip: the
 * load, the system call and the store are one asm block), many times over; each
 * must find exactly its own values afterwards, never another thread's. A
 * kernel that forgot to save or restore a register, or restored another
 * thread's, fails here.
 */
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include <arch/fp_probe.h>

#include "check.h"

#define THREADS 3
#define ROUNDS  200

struct worker {
	struct kosh_thread thread;
	uint8_t id;
	volatile int done;
	unsigned mismatches;
};

static void fill(uint8_t regs[ARCH_FP_REGS][ARCH_FP_REG_BYTES], uint8_t id, unsigned round)
{
	for (unsigned r = 0; r < ARCH_FP_REGS; r++)
		for (unsigned b = 0; b < ARCH_FP_REG_BYTES; b++)
			regs[r][b] = (uint8_t)(id * 0x40 + r * 3 + b + round);
}

static void work(void *arg)
{
	struct worker *w = arg;
	static uint8_t in[THREADS][ARCH_FP_REGS][ARCH_FP_REG_BYTES];
	static uint8_t out[THREADS][ARCH_FP_REGS][ARCH_FP_REG_BYTES];
	for (unsigned round = 0; round < ROUNDS; round++) {
		fill(in[w->id], w->id, round);
		arch_fp_yield_roundtrip(in[w->id], out[w->id]);
		if (memcmp(in[w->id], out[w->id], sizeof(in[w->id])) != 0)
			w->mismatches++;
	}
	w->done = 1;
}

int main(int argc, char **argv)
{
	static struct worker w[THREADS];
	for (uint8_t i = 0; i < THREADS; i++) {
		w[i].id = i;
		CHECK_EQ(kosh_thread_prepare(&w[i].thread, work, &w[i], 0), KOSH_OK);
		/* One CPU for all: they must take turns on the same registers. */
		CHECK_OK(kosh_thread_set_affinity(w[i].thread.handle, 1));
	}
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(kosh_thread_launch(&w[i].thread), KOSH_OK);
	int64_t deadline = kosh_clock_get() + 10000000000ll;
	for (int i = 0; i < THREADS; i++)
		while (!w[i].done) {
			CHECK(kosh_clock_get() < deadline);
			kosh_yield();
		}
	for (int i = 0; i < THREADS; i++) {
		if (w[i].mismatches)
			check_note("thread %d found foreign register values %u times of %u", i,
				   w[i].mismatches, ROUNDS);
		CHECK_EQ(w[i].mismatches, 0);
	}
	return 0;
}
