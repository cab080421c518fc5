/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the raw network rings (user/drivers/virtio-net/netring.c):
 * geometry checks, frames through both rings, full and empty rings, the
 * 32-bit index wrap, slots with bad lengths skipped, and a peer that moves its
 * index impossibly (too far ahead, backwards, too far behind): the ring breaks
 * and stays broken. The frame is one heap block of exactly the ring's size,
 * so under AddressSanitizer any access outside it fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netring.h"

#define RX	  8u
#define TX	  4u
#define FRAME_MAX 1518u

static void *frame;
static uint64_t frame_size;

static int setup(void **state)
{
	(void)state;
	frame_size = KOSH_NET_RING_BYTES(RX, TX);
	frame = aligned_alloc(4096, frame_size);
	assert_non_null(frame);
	memset(frame, 0xa5, frame_size); /* a fresh attachment resets the indices */
	netring_reset(frame);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(frame);
	return 0;
}

/* The driver's and the client's sides of one ring. */
static void pair(int which, struct netring *prod, struct netring *cons)
{
	assert_int_equal(netring_init(prod, frame, frame_size, RX, TX, which, 1, FRAME_MAX), 0);
	assert_int_equal(netring_init(cons, frame, frame_size, RX, TX, which, 0, FRAME_MAX), 0);
}

static void fill(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31u + i * 7u);
}

static void test_netring_geometry(void **state)
{
	struct netring r;
	(void)state;
	assert_int_equal(netring_check_geometry(1, 1, KOSH_NET_RING_BYTES(1, 1)), 0);
	assert_int_equal(netring_check_geometry(256, 256, KOSH_NET_RING_BYTES(256, 256)), 0);
	assert_int_equal(netring_check_geometry(0, 1, 1u << 20), NETRING_E_INVAL);
	assert_int_equal(netring_check_geometry(3, 1, 1u << 20), NETRING_E_INVAL);
	assert_int_equal(netring_check_geometry(512, 1, 1u << 22), NETRING_E_INVAL);
	assert_int_equal(netring_check_geometry(0x80000000u, 1, UINT64_MAX), NETRING_E_INVAL);
	assert_int_equal(netring_check_geometry(8, 4, KOSH_NET_RING_BYTES(8, 4) - 1),
			 NETRING_E_INVAL);
	assert_int_equal(netring_init(&r, frame, frame_size, RX, TX, 2, 1, FRAME_MAX),
			 NETRING_E_INVAL);
	assert_int_equal(netring_init(&r, frame, frame_size, RX, TX, 0, 1, 13), NETRING_E_INVAL);
	assert_int_equal(netring_init(&r, frame, frame_size, RX, TX, 0, 1, NETRING_DATA_MAX + 1),
			 NETRING_E_INVAL);
	assert_int_equal(netring_init(&r, NULL, frame_size, RX, TX, 0, 1, FRAME_MAX),
			 NETRING_E_INVAL);
	assert_int_equal(netring_init(&r, frame, frame_size, RX * 2, TX, 0, 1, FRAME_MAX),
			 NETRING_E_INVAL);
	/* The transmit ring's slots come after the receive ring's. */
	assert_int_equal(netring_init(&r, frame, frame_size, RX, TX, 1, 1, FRAME_MAX), 0);
	assert_ptr_equal(r.slots,
			 (uint8_t *)frame + KOSH_NET_SLOTS_OFFSET + RX * KOSH_NET_SLOT_SIZE);
	assert_int_equal(r.count, TX);
}

static void test_netring_round_trip(void **state)
{
	struct netring p, c;
	uint8_t in[FRAME_MAX], out[FRAME_MAX];
	uint32_t len;
	(void)state;
	for (int which = 0; which < 2; which++) {
		pair(which, &p, &c);
		uint32_t count = which ? TX : RX;
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), 0);
		/* Fill the ring, one more is refused, then drain in order. */
		for (uint32_t i = 0; i < count; i++) {
			fill(in, 60 + i, i);
			assert_int_equal(netring_put(&p, in, 60 + i), 1);
		}
		assert_int_equal(netring_space(&p), 0);
		assert_int_equal(netring_put(&p, in, 60), 0);
		for (uint32_t i = 0; i < count; i++) {
			fill(in, 60 + i, i);
			assert_int_equal(netring_get(&c, out, sizeof(out), &len), 1);
			assert_int_equal(len, 60 + i);
			assert_memory_equal(out, in, len);
		}
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), 0);
		assert_int_equal(netring_space(&p), count);
		/* Sides that do not match the call are refused. */
		assert_int_equal(netring_put(&c, in, 60), NETRING_E_INVAL);
		assert_int_equal(netring_get(&p, out, sizeof(out), &len), NETRING_E_INVAL);
		assert_int_equal(netring_space(&c), 0);
		/* Lengths out of bounds are refused by the producer. */
		assert_int_equal(netring_put(&p, in, 13), NETRING_E_INVAL);
		assert_int_equal(netring_put(&p, in, FRAME_MAX + 1), NETRING_E_INVAL);
		assert_int_equal(netring_put(&p, in, FRAME_MAX), 1);
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), 1);
		assert_int_equal(len, FRAME_MAX);
	}
}

/* Both sides start just below 2^32: the indices wrap mid-stream. */
static void test_netring_index_wrap(void **state)
{
	struct netring p, c;
	uint8_t in[100], out[FRAME_MAX];
	uint32_t len;
	(void)state;
	pair(0, &p, &c);
	p.index = c.index = 0xfffffffdu;
	p.ctl->head = p.ctl->tail = 0xfffffffdu;
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t burst = 1 + i % RX;
		for (uint32_t j = 0; j < burst; j++) {
			fill(in, sizeof(in), i + j);
			assert_int_equal(netring_put(&p, in, sizeof(in)), 1);
		}
		for (uint32_t j = 0; j < burst; j++) {
			fill(in, sizeof(in), i + j);
			assert_int_equal(netring_get(&c, out, sizeof(out), &len), 1);
			assert_memory_equal(out, in, sizeof(in));
		}
	}
	assert_false(p.broken || c.broken);
	assert_true(p.index < 0x10000u);
}

/* A producer's slot with a bad length: skipped, counted by the caller, the ring goes on. */
static void test_netring_bad_length_skipped(void **state)
{
	struct netring p, c;
	uint8_t in[64], out[FRAME_MAX];
	uint32_t len;
	static const uint32_t bad[] = {0, 13, FRAME_MAX + 1, 2040, 2041, 0xffffffffu, 0x80000000u};
	(void)state;
	pair(1, &p, &c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fill(in, sizeof(in), (uint32_t)i);
		assert_int_equal(netring_put(&p, in, sizeof(in)), 1);
		p.slots[(p.index - 1) & (p.count - 1)].len = bad[i]; /* the client lies */
		assert_int_equal(netring_put(&p, in, sizeof(in)), 1);
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), NETRING_E_LEN);
		assert_int_equal(len, bad[i]);
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), 1);
		assert_memory_equal(out, in, sizeof(in));
	}
	/* Longer than the consumer's buffer: skipped too. */
	assert_int_equal(netring_put(&p, in, sizeof(in)), 1);
	assert_int_equal(netring_get(&c, out, 63, &len), NETRING_E_LEN);
	assert_false(c.broken);
}

/* A transmit head more than count ahead of the consumer: broken for good. */
static void test_netring_producer_too_far(void **state)
{
	struct netring p, c;
	uint8_t out[FRAME_MAX];
	uint32_t len;
	static const uint32_t heads[] = {TX + 1, 0xffffffffu, 0x80000000u, 1000};
	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		teardown(NULL); /* a fresh frame each time */
		setup(NULL);
		pair(1, &p, &c);
		c.ctl->head = heads[i];
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), NETRING_E_BROKEN);
		assert_true(c.broken);
		assert_int_equal(c.bad_index, heads[i]);
		/* It stays broken even once the index looks right again. */
		c.ctl->head = 0;
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), NETRING_E_BROKEN);
		assert_int_equal(c.index, 0);
	}
	teardown(NULL);
	setup(NULL);
	pair(1, &p, &c);
	c.ctl->head = TX; /* exactly full is fine */
	for (uint32_t i = 0; i < TX; i++)
		c.slots[i].len = 60;
	for (uint32_t i = 0; i < TX; i++)
		assert_int_equal(netring_get(&c, out, sizeof(out), &len), 1);
	assert_int_equal(netring_get(&c, out, sizeof(out), &len), 0);
}

/* A receive tail ahead of the producer, or too far behind: broken for good. */
static void test_netring_consumer_bad_tail(void **state)
{
	struct netring p, c;
	uint8_t in[64];
	(void)state;
	fill(in, sizeof(in), 1);
	pair(0, &p, &c);
	assert_int_equal(netring_put(&p, in, sizeof(in)), 1);
	assert_int_equal(netring_put(&p, in, sizeof(in)), 1);
	p.ctl->tail = 3; /* ahead of head 2 */
	assert_int_equal(netring_put(&p, in, sizeof(in)), NETRING_E_BROKEN);
	assert_true(p.broken);
	p.ctl->tail = 2;
	assert_int_equal(netring_put(&p, in, sizeof(in)), NETRING_E_BROKEN);
	assert_int_equal(netring_space(&p), 0);
	assert_int_equal(p.index, 2);

	pair(0, &p, &c);
	p.index = 100;
	p.ctl->tail = 100 - RX - 1; /* more than count behind */
	assert_int_equal(netring_space(&p), 0);
	assert_true(p.broken);
}

/* Random bursts against a model, with the consumer's buffer sometimes short. */
static void test_netring_random(void **state)
{
	struct netring p, c;
	uint8_t in[FRAME_MAX], out[FRAME_MAX];
	uint32_t len, queued = 0, sent = 0, got = 0;
	uint32_t lens[RX];
	(void)state;
	pair(0, &p, &c);
	srand(6);
	for (int step = 0; step < 200000; step++) {
		if (rand() % 2) {
			uint32_t n = KOSH_NET_FRAME_MIN + (uint32_t)rand() % (FRAME_MAX - 13);
			fill(in, n, sent);
			int r = netring_put(&p, in, n);
			assert_int_equal(r, queued < RX ? 1 : 0);
			if (r == 1) {
				lens[sent % RX] = n;
				sent++;
				queued++;
			}
		} else {
			int r = netring_get(&c, out, sizeof(out), &len);
			if (!queued) {
				assert_int_equal(r, 0);
				continue;
			}
			assert_int_equal(r, 1);
			assert_int_equal(len, lens[got % RX]);
			fill(in, len, got);
			assert_memory_equal(out, in, len);
			got++;
			queued--;
		}
		assert_int_equal(netring_space(&p), RX - queued);
	}
	assert_true(sent > 50000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_netring_geometry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netring_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netring_index_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netring_bad_length_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netring_producer_too_far, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netring_consumer_bad_tail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_netring_random, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
