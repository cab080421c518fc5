/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the AArch64 port's plain-C pieces: the GIC's arithmetic and
 * redistributor walk (arch-aarch64/kernel/gic.c) over fake register blocks in
 * ordinary memory, and the generic counter's deadline arithmetic
 * (arch-aarch64/kernel/counter.c). Encodings are checked against the GIC
 * architecture specification's register layouts, bit by bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "counter.h"
#include "gic.h"

#define KIB 1024ull
#define FRAMES_MAX 8

/* A fake redistributor region: frames of 128 KiB (or 256 KiB with VLPIs). */
struct fake_gicr {
	uint8_t *mem;
	uint64_t size;
};

static struct fake_gicr fake_new(uint64_t size)
{
	struct fake_gicr f = { aligned_alloc(64 * KIB, size), size };
	assert_non_null(f.mem);
	memset(f.mem, 0, size);
	return f;
}

static void fake_frame(struct fake_gicr *f, uint64_t off, uint32_t affinity, uint64_t flags,
		       uint32_t pidr2)
{
	uint64_t typer = (uint64_t)affinity << 32 | flags;
	memcpy(f->mem + off + GICR_TYPER, &typer, sizeof(typer));
	memcpy(f->mem + off + GICR_PIDR2, &pidr2, sizeof(pidr2));
}

static uintptr_t fake_base(const struct fake_gicr *f)
{
	return (uintptr_t)f->mem;
}

static void test_gic_pidr2_version(void **state)
{
	assert_int_equal(gic_pidr2_version(0x2b), 2); /* QEMU's GICv2 */
	assert_int_equal(gic_pidr2_version(0x3b), 3);
	assert_int_equal(gic_pidr2_version(0x4b), 4);
	assert_int_equal(gic_pidr2_version(0xffffff0f), 0);
}

static void test_gic_typer_lines(void **state)
{
	assert_int_equal(gic_typer_lines(0), 32);
	assert_int_equal(gic_typer_lines(8), 288); /* QEMU virt: 256 SPIs */
	assert_int_equal(gic_typer_lines(0xffffffe7), 256); /* only ITLinesNumber counts */
	assert_int_equal(gic_typer_lines(31), GIC_MAX_LINES); /* 1024 capped at 1020 */
}

static void test_gic_typer_affinity_moves_aff3(void **state)
{
	assert_int_equal(gic_typer_affinity(0x0), 0);
	assert_int_equal(gic_typer_affinity(0x030201), 0x030201);
	assert_int_equal(gic_typer_affinity(0x7f00030201ull), 0x7f030201);
	assert_int_equal(gic_typer_affinity(0x80000103ull), 0x103); /* MPIDR bit 31 is RES1 */
}

static void test_gic_sgi1r_encoding(void **state)
{
	/* CPU 0.0.0.0, SGI 1: TargetList bit 0, INTID 1. */
	assert_int_equal(gic_sgi1r(0x0, 1), 1ull << 24 | 1);
	/* Aff1 1, Aff0 3: TargetList bit 3, Aff1 in [23:16]. */
	assert_int_equal(gic_sgi1r(0x103, 0), 1ull << 16 | 1ull << 3);
	/* Aff3 0x10, Aff2 2, Aff1 1, Aff0 0x25: RS 2, bit 5. */
	assert_int_equal(gic_sgi1r(0x1000020125ull, 15),
			 0x10ull << 48 | 2ull << 44 | 2ull << 32 | 15ull << 24 | 1ull << 16 |
				 1ull << 5);
	/* IRM (bit 40) never set: never a broadcast. */
	assert_int_equal(gic_sgi1r(0xff00ffffffull, 15) & (1ull << 40), 0);
	assert_int_equal(gic_sgi1r(0, 0x13), 3ull << 24 | 1); /* INTID is 4 bits */
}

static void test_gic_sgir_encoding(void **state)
{
	assert_int_equal(gic_sgir(0x04, 1), 0x00040001);
	assert_int_equal(gic_sgir(0x81, 0), 0x00810000);
	assert_int_equal(gic_sgir_self(1), 0x02000001);
}

static void test_gic_v2_target_mask(void **state)
{
	assert_int_equal(gic_v2_target_mask(0x04040404, 0), 0x04);
	assert_int_equal(gic_v2_target_mask(0x00000000, 3), 0x08); /* RAZ: the firmware's number */
	assert_int_equal(gic_v2_target_mask(0x00000000, 8), 0);    /* no such interface */
}

static void test_gic_fill_covers_exactly_the_range(void **state)
{
	uint32_t regs[64];
	memset(regs, 0, sizeof(regs));
	gic_fill((uintptr_t)regs, 32, 288, 32, ~0u); /* enable words 1..8 */
	assert_int_equal(regs[0], 0);
	for (int i = 1; i <= 8; i++)
		assert_int_equal(regs[i], ~0u);
	assert_int_equal(regs[9], 0);
	memset(regs, 0, sizeof(regs));
	gic_fill((uintptr_t)regs, 0, 32, 4, 0xa0a0a0a0); /* priority words 0..7 */
	assert_int_equal(regs[7], 0xa0a0a0a0);
	assert_int_equal(regs[8], 0);
}

/* Four GICv3 frames, the last marked Last: each CPU finds its own. */
static void test_gic_redist_finds_each_cpu(void **state)
{
	struct fake_gicr f = fake_new(8 * GICR_FRAME_SIZE);
	for (uint32_t i = 0; i < 4; i++)
		fake_frame(&f, i * GICR_FRAME_SIZE, i, i == 3 ? GICR_TYPER_LAST : 0, 0x3b);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(gic_redist_find(fake_base(&f), f.size, i),
				 fake_base(&f) + i * GICR_FRAME_SIZE);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 4), 0);
	assert_int_equal(gic_redist_count(fake_base(&f), f.size), 4);
	free(f.mem);
}

/* Frames after the one marked Last are not redistributors of this range. */
static void test_gic_redist_stops_at_last(void **state)
{
	struct fake_gicr f = fake_new(4 * GICR_FRAME_SIZE);
	fake_frame(&f, 0, 0, 0, 0x3b);
	fake_frame(&f, GICR_FRAME_SIZE, 1, GICR_TYPER_LAST, 0x3b);
	fake_frame(&f, 2 * GICR_FRAME_SIZE, 2, 0, 0x3b);
	assert_int_equal(gic_redist_count(fake_base(&f), f.size), 2);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 2), 0);
	free(f.mem);
}

/* Without Last, the walk ends with the range, never reading past it. */
static void test_gic_redist_stops_at_range_end(void **state)
{
	struct fake_gicr f = fake_new(3 * GICR_FRAME_SIZE);
	for (uint32_t i = 0; i < 3; i++)
		fake_frame(&f, i * GICR_FRAME_SIZE, i, 0, 0x3b);
	assert_int_equal(gic_redist_count(fake_base(&f), 2 * GICR_FRAME_SIZE + 64 * KIB), 2);
	assert_int_equal(gic_redist_count(fake_base(&f), f.size), 3);
	assert_int_equal(gic_redist_count(fake_base(&f), GICR_FRAME_SIZE - 1), 0);
	free(f.mem);
}

/* GICv4 frames with VLPIS are 256 KiB apart. */
static void test_gic_redist_steps_over_vlpi_frames(void **state)
{
	struct fake_gicr f = fake_new(3 * GICR_FRAME_SIZE_VLPI);
	for (uint32_t i = 0; i < 3; i++)
		fake_frame(&f, i * GICR_FRAME_SIZE_VLPI, 0x100 + i,
			   GICR_TYPER_VLPIS | (i == 2 ? GICR_TYPER_LAST : 0), 0x4b);
	/* A stale value where a 128 KiB step would land must not be seen. */
	fake_frame(&f, GICR_FRAME_SIZE, 0x1ff, 0, 0x3b);
	assert_int_equal(gic_redist_count(fake_base(&f), f.size), 3);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 0x102),
			 fake_base(&f) + 2 * GICR_FRAME_SIZE_VLPI);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 0x1ff), 0);
	free(f.mem);
}

/* A frame whose PIDR2 is not GICv3/v4 ends the walk (nothing there). */
static void test_gic_redist_stops_at_foreign_frame(void **state)
{
	struct fake_gicr f = fake_new(3 * GICR_FRAME_SIZE);
	fake_frame(&f, 0, 0, 0, 0x3b);
	fake_frame(&f, GICR_FRAME_SIZE, 1, 0, 0x2b);
	fake_frame(&f, 2 * GICR_FRAME_SIZE, 2, GICR_TYPER_LAST, 0x3b);
	assert_int_equal(gic_redist_count(fake_base(&f), f.size), 1);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 2), 0);
	free(f.mem);
}

/* The affinity compared is all four levels: Aff3 too. */
static void test_gic_redist_matches_aff3(void **state)
{
	struct fake_gicr f = fake_new(2 * GICR_FRAME_SIZE);
	fake_frame(&f, 0, 0x00000001, 0, 0x3b);
	fake_frame(&f, GICR_FRAME_SIZE, 0x01000001, GICR_TYPER_LAST, 0x3b);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 0x0100000001ull),
			 fake_base(&f) + GICR_FRAME_SIZE);
	assert_int_equal(gic_redist_find(fake_base(&f), f.size, 0x1), fake_base(&f));
	free(f.mem);
}

static void test_counter_ns_to_ticks_rounds_up(void **state)
{
	assert_int_equal(counter_ns_to_ticks(0, 62500000), 0);
	assert_int_equal(counter_ns_to_ticks(1, 62500000), 1);
	assert_int_equal(counter_ns_to_ticks(16, 62500000), 1); /* one tick is 16 ns */
	assert_int_equal(counter_ns_to_ticks(17, 62500000), 2);
	assert_int_equal(counter_ns_to_ticks(1000000000, 62500000), 62500000);
	assert_int_equal(counter_ns_to_ticks(1000000001, 62500000), 62500001);
	assert_int_equal(counter_ns_to_ticks(3000000000ull, 1000000000), 3000000000ull);
	assert_int_equal(counter_ns_to_ticks(UINT64_MAX, 1000000000), UINT64_MAX); /* exact */
	assert_int_equal(counter_ns_to_ticks(UINT64_MAX, 1ull << 33), UINT64_MAX); /* saturates */
}

static void test_counter_compare_value(void **state)
{
	const uint64_t hz = 62500000;
	assert_int_equal(counter_compare_value(1000, 5000, 5000, hz), 1000); /* due: at once */
	assert_int_equal(counter_compare_value(1000, 5000, 10, hz), 1000);   /* past: at once */
	assert_int_equal(counter_compare_value(1000, 0, 10000000, hz), 1000 + 625000);
	assert_int_equal(counter_compare_value(UINT64_MAX - 10, 0, 1000000, hz), UINT64_MAX);
	assert_int_equal(counter_compare_value(5, 0, UINT64_MAX, 1ull << 33), UINT64_MAX);
}

/* For any values, the compare value is never reached before the deadline. */
static void test_counter_never_early(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	const uint64_t rates[] = { 1000000, 19200000, 24000000, 62500000, 1000000000 };
	for (int i = 0; i < 100000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t hz = rates[(seed >> 33) % 5];
		uint64_t now_ns = (seed >> 20) & 0xffffffffffull;
		uint64_t delta = (seed >> 7) % 50000000000ull;
		uint64_t cval = counter_compare_value(1u << 20, now_ns, now_ns + delta, hz);
		uint64_t ticks = cval - (1u << 20);
		/* ticks / hz seconds >= delta ns, in integers: ticks * 1e9 >= delta * hz. */
		assert_true((__uint128_t)ticks * 1000000000u >= (__uint128_t)delta * hz);
		/* ... and not more than one tick late. */
		assert_true((__uint128_t)(ticks ? ticks - 1 : 0) * 1000000000u <
			    (__uint128_t)delta * hz + (delta ? 0 : 1));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gic_pidr2_version),
		cmocka_unit_test(test_gic_typer_lines),
		cmocka_unit_test(test_gic_typer_affinity_moves_aff3),
		cmocka_unit_test(test_gic_sgi1r_encoding),
		cmocka_unit_test(test_gic_sgir_encoding),
		cmocka_unit_test(test_gic_v2_target_mask),
		cmocka_unit_test(test_gic_fill_covers_exactly_the_range),
		cmocka_unit_test(test_gic_redist_finds_each_cpu),
		cmocka_unit_test(test_gic_redist_stops_at_last),
		cmocka_unit_test(test_gic_redist_stops_at_range_end),
		cmocka_unit_test(test_gic_redist_steps_over_vlpi_frames),
		cmocka_unit_test(test_gic_redist_stops_at_foreign_frame),
		cmocka_unit_test(test_gic_redist_matches_aff3),
		cmocka_unit_test(test_counter_ns_to_ticks_rounds_up),
		cmocka_unit_test(test_counter_compare_value),
		cmocka_unit_test(test_counter_never_early),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
