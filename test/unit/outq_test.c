/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the console's output queue to fbcon
 * (user/servers/console/outq.c): order kept across the wrap, a full queue
 * dropping and counting new bytes, partial reads, and a producer and a
 * consumer thread moving a long stream through it intact.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outq.h"

static struct outq q;

static int setup(void **state)
{
	memset(&q, 0, sizeof(q));
	return 0;
}

static void test_outq_bytes_come_out_in_order(void **state)
{
	uint8_t out[16];
	assert_int_equal(outq_put(&q, "hello", 5), 5);
	assert_int_equal(outq_put(&q, " world", 6), 6);
	assert_int_equal(outq_used(&q), 11);
	assert_int_equal(outq_peek(&q, out, 3), 3);
	assert_memory_equal(out, "hel", 3);
	assert_int_equal(outq_used(&q), 11); /* peek leaves them queued */
	outq_consume(&q, 3);
	assert_int_equal(outq_peek(&q, out, sizeof(out)), 8);
	assert_memory_equal(out, "lo world", 8);
	outq_consume(&q, 100); /* more than queued: empties it */
	assert_int_equal(outq_used(&q), 0);
	assert_int_equal(outq_peek(&q, out, sizeof(out)), 0);
}

static void test_outq_full_queue_drops_and_counts(void **state)
{
	static uint8_t big[OUTQ_SIZE + 100];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(outq_put(&q, big, OUTQ_SIZE - 10), OUTQ_SIZE - 10);
	assert_int_equal(outq_put(&q, big + OUTQ_SIZE - 10, 110), 10);
	assert_int_equal(q.dropped, 100);
	assert_int_equal(outq_put(&q, "x", 1), 0);
	assert_int_equal(q.dropped, 101);
	static uint8_t out[OUTQ_SIZE];
	assert_int_equal(outq_peek(&q, out, OUTQ_SIZE), OUTQ_SIZE);
	assert_memory_equal(out, big, OUTQ_SIZE);
}

static void test_outq_wraps_around_the_end(void **state)
{
	static uint8_t fill[OUTQ_SIZE - 5];
	uint8_t out[12];
	outq_put(&q, fill, sizeof(fill));
	outq_consume(&q, sizeof(fill));
	assert_int_equal(outq_put(&q, "0123456789ab", 12), 12); /* 5 at the end, 7 at the start */
	assert_int_equal(outq_peek(&q, out, sizeof(out)), 12);
	assert_memory_equal(out, "0123456789ab", 12);
}

/* The producer writes a counting stream in odd-sized pieces; the consumer checks it. */
#define STREAM (3u * 1024 * 1024)

static void *producer(void *arg)
{
	uint8_t piece[1000];
	uint32_t sent = 0;
	while (sent < STREAM) {
		uint32_t n = 1 + (sent * 31) % sizeof(piece);
		if (n > STREAM - sent)
			n = STREAM - sent;
		for (uint32_t i = 0; i < n; i++)
			piece[i] = (uint8_t)((sent + i) % 251);
		uint32_t done = 0;
		while (done < n) { /* a full queue: try the rest again (no drops in this test) */
			uint64_t before = q.dropped;
			done += outq_put(&q, piece + done, n - done);
			q.dropped = before;
		}
		sent += n;
	}
	return NULL;
}

static void test_outq_two_threads_move_a_stream_intact(void **state)
{
	pthread_t t;
	uint8_t out[4064];
	uint32_t got = 0;
	assert_int_equal(pthread_create(&t, NULL, producer, NULL), 0);
	while (got < STREAM) {
		uint32_t n = outq_peek(&q, out, sizeof(out));
		for (uint32_t i = 0; i < n; i++)
			if (out[i] != (uint8_t)((got + i) % 251))
				fail_msg("byte %u is %u", got + i, out[i]);
		outq_consume(&q, n);
		got += n;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(outq_used(&q), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_outq_bytes_come_out_in_order, setup),
	    cmocka_unit_test_setup(test_outq_full_queue_drops_and_counts, setup),
	    cmocka_unit_test_setup(test_outq_wraps_around_the_end, setup),
	    cmocka_unit_test_setup(test_outq_two_threads_move_a_stream_intact, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
