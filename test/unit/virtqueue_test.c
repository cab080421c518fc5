/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the split-virtqueue library (shared/lib/virtqueue.c) against a
 * simulated device.
 *
 * The device (struct sim) works the way a real one does: it follows avail.idx,
 * reads each chain through the descriptor table (checking what the library
 * built: readable parts before writable ones, flags, no loops), reads the request
 * from the readable buffers, fills the writable ones, and writes used entries,
 * keeping requests as long as the test likes so they complete out of order. It
 * honours and publishes the notification-suppression fields. Guest-physical
 * addresses are host addresses here. Every ring part and buffer is its own heap
 * block of exactly its size, so AddressSanitizer catches any access outside it.
 *
 * A second device runs on its own thread and sleeps between notifications, to
 * show that neither side misses a wake-up.
 *
 * The hostile tests write used entries by hand: bad ids, repeats, long lengths,
 * a used index that jumps; each must break the queue with the right reason and
 * leave everything else (free descriptors, tokens, later calls) untouched.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <kosh/virtqueue.h>

#define EVENT_IDX VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX)
#define VERSION_1 VIRTIO_FEATURE(VIRTIO_F_VERSION_1)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void *alloc_exact(size_t align, size_t size)
{
	void *p = NULL;
	assert_int_equal(posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size),
			 0);
	memset(p, 0xa5, size); /* virtq_init must clear what it uses */
	return p;
}

/* ---- The simulated device ---------------------------------------------------- */

#define SIM_MAX_CHAIN 64

struct sim {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint32_t size;
	int event_idx;
	uint16_t last_avail; /* the next avail entry to fetch */
	uint16_t used_idx;   /* our used.idx */
	uint32_t interrupts; /* interrupts we would have raised */
	uint16_t *held;	     /* heads fetched and not completed */
	uint32_t nheld;
};

static uint16_t *sim_avail_event(struct sim *s)
{
	return (uint16_t *)&s->used->ring[s->size];
}

static uint16_t sim_used_event(struct sim *s)
{
	return __atomic_load_n(&s->avail->ring[s->size], __ATOMIC_RELAXED);
}

/* Walk a chain as a device does, checking the library built it right. */
static uint32_t sim_chain(struct sim *s, uint16_t head, struct virtq_desc *out)
{
	uint32_t n = 0;
	int writable = 0;
	uint16_t idx = head;

	for (;;) {
		assert_true(idx < s->size);
		assert_true(n < s->size && n < SIM_MAX_CHAIN);
		struct virtq_desc d = s->desc[idx];
		assert_int_equal(d.flags & VIRTQ_DESC_F_INDIRECT, 0);
		if (d.flags & VIRTQ_DESC_F_WRITE)
			writable = 1;
		else
			assert_false(writable); /* readable parts come first (§2.7.4.2) */
		assert_true(d.len > 0);
		out[n++] = d;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return n;
		idx = d.next;
	}
}

/* Take every newly available chain (as after a notification). */
static void sim_fetch(struct sim *s)
{
	uint16_t avail_idx = __atomic_load_n(&s->avail->idx, __ATOMIC_ACQUIRE);

	while (s->last_avail != avail_idx) {
		uint16_t head = s->avail->ring[s->last_avail & (s->size - 1)];
		struct virtq_desc chain[SIM_MAX_CHAIN];

		sim_chain(s, head, chain);
		assert_true(s->nheld < s->size);
		s->held[s->nheld++] = head;
		s->last_avail++;
	}
	/* With event indices, ask to be told about the next chain. */
	if (s->event_idx)
		__atomic_store_n(sim_avail_event(s), s->last_avail, __ATOMIC_RELAXED);
}

/* Publish a used entry, and count the interrupt the driver asked for, if any. */
static void sim_push(struct sim *s, uint32_t id, uint32_t len)
{
	uint16_t old = s->used_idx;
	struct virtq_used_elem *e = &s->used->ring[s->used_idx & (s->size - 1)];

	e->id = id;
	e->len = len;
	s->used_idx++;
	__atomic_store_n(&s->used->idx, s->used_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (s->event_idx) {
		if (virtq_need_event(sim_used_event(s), s->used_idx, old))
			s->interrupts++;
	} else if (!(s->avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
		s->interrupts++;
	}
}

/*
 * The request format: the readable bytes are a seed (the first four) then
 * anything; the device fills every writable byte with seed + offset and reports
 * them all, or only `want` of them if want < total.
 */
static uint8_t pattern(uint32_t seed, uint32_t off)
{
	return (uint8_t)(seed * 31u + off);
}

static uint32_t sim_serve(struct sim *s, uint16_t head, uint32_t want)
{
	struct virtq_desc chain[SIM_MAX_CHAIN];
	uint32_t n = sim_chain(s, head, chain), seed = 0, got = 0, written = 0;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)chain[i].addr;
		if (chain[i].flags & VIRTQ_DESC_F_WRITE)
			break;
		for (uint32_t j = 0; j < chain[i].len; j++, got++)
			if (got < 4)
				seed |= (uint32_t)p[j] << (8 * got);
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)(uintptr_t)chain[i].addr;
		if (!(chain[i].flags & VIRTQ_DESC_F_WRITE))
			continue;
		for (uint32_t j = 0; j < chain[i].len && written < want; j++, written++)
			p[j] = pattern(seed, written);
	}
	return written;
}

/* Complete the k-th held chain, filling up to want bytes. */
static void sim_complete(struct sim *s, uint32_t k, uint32_t want)
{
	assert_true(k < s->nheld);
	uint16_t head = s->held[k];
	s->held[k] = s->held[--s->nheld];
	sim_push(s, head, sim_serve(s, head, want));
}

/* ---- A queue and its device --------------------------------------------------- */

struct rig {
	struct virtq q;
	struct virtq_mem mem;
	struct virtq_slot *slots;
	struct sim sim;
};

static struct rig *rig_new(uint32_t size, uint64_t features)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->mem.desc = alloc_exact(16, VIRTQ_DESC_SIZE(size));
	r->mem.avail = alloc_exact(2, VIRTQ_AVAIL_SIZE(size));
	r->mem.used = alloc_exact(4, VIRTQ_USED_SIZE(size));
	r->mem.desc_phys = phys(r->mem.desc);
	r->mem.avail_phys = phys(r->mem.avail);
	r->mem.used_phys = phys(r->mem.used);
	r->slots = alloc_exact(8, size * sizeof(*r->slots));
	assert_int_equal(virtq_init(&r->q, size, &r->mem, r->slots, features), VIRTQ_OK);
	r->sim = (struct sim){.desc = r->mem.desc,
			      .avail = r->mem.avail,
			      .used = r->mem.used,
			      .size = size,
			      .event_idx = (features & EVENT_IDX) != 0,
			      .held = calloc(size, sizeof(uint16_t))};
	assert_non_null(r->sim.held);
	return r;
}

static void rig_free(struct rig *r)
{
	free(r->mem.desc);
	free(r->mem.avail);
	free(r->mem.used);
	free(r->slots);
	free(r->sim.held);
	free(r);
}

/* A request: the seed in a readable buffer, and writable buffers to fill. */
struct req {
	uint8_t *out[4];
	uint8_t *in[4];
	uint32_t out_len[4], in_len[4];
	uint32_t n_out, n_in, writable, seed;
	int busy;
};

static void req_make(struct req *r, uint32_t n_out, uint32_t n_in, uint32_t seed)
{
	memset(r, 0, sizeof(*r));
	r->n_out = n_out;
	r->n_in = n_in;
	r->seed = seed;
	for (uint32_t i = 0; i < n_out; i++) {
		r->out_len[i] = i == 0 ? 4 : 1 + rnd(16);
		r->out[i] = malloc(r->out_len[i]);
		assert_non_null(r->out[i]);
		memset(r->out[i], 0, r->out_len[i]);
	}
	if (n_out)
		memcpy(r->out[0], &seed, 4);
	else
		r->seed = 0; /* what the device sees without a readable part */
	for (uint32_t i = 0; i < n_in; i++) {
		r->in_len[i] = 1 + rnd(64);
		r->in[i] = malloc(r->in_len[i]);
		assert_non_null(r->in[i]);
		memset(r->in[i], 0, r->in_len[i]);
		r->writable += r->in_len[i];
	}
}

static void req_free(struct req *r)
{
	for (uint32_t i = 0; i < r->n_out; i++)
		free(r->out[i]);
	for (uint32_t i = 0; i < r->n_in; i++)
		free(r->in[i]);
}

static int req_add(struct virtq *q, struct req *r)
{
	struct virtq_buf bufs[8];
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->n_out; i++)
		bufs[n++] = (struct virtq_buf){phys(r->out[i]), r->out_len[i]};
	for (uint32_t i = 0; i < r->n_in; i++)
		bufs[n++] = (struct virtq_buf){phys(r->in[i]), r->in_len[i]};
	return virtq_add(q, bufs, r->n_out, r->n_in, r);
}

/* The first len writable bytes hold the device's pattern. */
static void req_check(const struct req *r, uint32_t len)
{
	uint32_t off = 0;

	assert_true(len <= r->writable);
	for (uint32_t i = 0; i < r->n_in; i++)
		for (uint32_t j = 0; j < r->in_len[i] && off < len; j++, off++)
			assert_int_equal(r->in[i][j], pattern(r->seed, off));
}

/* Take one used chain, which must be there. */
static struct req *get_one(struct virtq *q, uint32_t *len)
{
	void *token = NULL;
	assert_int_equal(virtq_get_used(q, &token, len), 1);
	assert_non_null(token);
	return token;
}

/* ---- Layout and arguments ------------------------------------------------------ */

static void test_virtq_layout_follows_the_spec(void **state)
{
	/* §2.7: 16·N, 6 + 2·N, 6 + 8·N bytes; the used ring 4-byte aligned. */
	assert_int_equal(VIRTQ_DESC_SIZE(256), 4096);
	assert_int_equal(VIRTQ_AVAIL_SIZE(256), 518);
	assert_int_equal(VIRTQ_USED_SIZE(256), 2054);
	struct virtq_mem mem;
	static _Alignas(16) uint8_t region[16 * 1 + 8 + 14 + 16];
	size_t bytes = virtq_layout(1, region, 0x10000, &mem);
	assert_ptr_equal(mem.desc, region);
	assert_ptr_equal(mem.avail, region + 16);
	assert_ptr_equal(mem.used, region + 24); /* 16 + 8 rounded up to 4 */
	assert_int_equal(mem.avail_phys, 0x10010);
	assert_int_equal(mem.used_phys, 0x10018);
	assert_int_equal(bytes, 24 + 14);
	bytes = virtq_layout(256, NULL, 0, NULL);
	assert_int_equal(bytes, 4096 + 518 + 2 + 2054);
	static _Alignas(16) uint8_t region2[66];
	assert_int_equal(virtq_layout(2, region2, 0, &mem), 32 + 10 + 2 + 22);
	assert_int_equal(mem.used_phys, 44);

	/* A queue set up in one region by virtq_layout works. */
	size_t n = virtq_layout(8, NULL, 0, NULL);
	uint8_t *base = alloc_exact(16, n);
	struct virtq_slot slots[8];
	struct virtq q;
	virtq_layout(8, base, 0x200000, &mem);
	assert_int_equal(virtq_init(&q, 8, &mem, slots, 0), VIRTQ_OK);
	assert_int_equal(q.num_free, 8);
	free(base);
}

static void test_virtq_init_refuses_bad_queues(void **state)
{
	struct rig *r = rig_new(16, 0);
	struct virtq q;
	struct virtq_mem m = r->mem;

	assert_int_equal(virtq_init(&q, 0, &m, r->slots, 0), VIRTQ_E_INVAL);
	assert_int_equal(virtq_init(&q, 12, &m, r->slots, 0), VIRTQ_E_INVAL);
	assert_int_equal(virtq_init(&q, 65536, &m, r->slots, 0), VIRTQ_E_INVAL);
	assert_int_equal(virtq_init(NULL, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	assert_int_equal(virtq_init(&q, 16, NULL, r->slots, 0), VIRTQ_E_INVAL);
	assert_int_equal(virtq_init(&q, 16, &m, NULL, 0), VIRTQ_E_INVAL);
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, VIRTIO_FEATURE(VIRTIO_F_RING_PACKED)),
			 VIRTQ_E_INVAL);
	m.desc_phys += 8; /* the descriptor table is 16-byte aligned */
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	m = r->mem;
	m.used = (struct virtq_used *)((char *)m.used + 2);
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	m = r->mem;
	m.avail_phys += 1;
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	m = r->mem;
	m.avail = NULL;
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	m = r->mem;
	m.used_phys = m.desc_phys + 64; /* inside the descriptor table */
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	m = r->mem;
	m.avail = (struct virtq_avail *)((char *)m.desc + 32);
	assert_int_equal(virtq_init(&q, 16, &m, r->slots, 0), VIRTQ_E_INVAL);
	m = r->mem;
	assert_int_equal(virtq_init(&q, 16, &m, (struct virtq_slot *)m.desc, 0), VIRTQ_E_INVAL);
	/* Sizes 1 and 32768 are fine. */
	assert_int_equal(virtq_init(&q, 1, &m, r->slots, 0), VIRTQ_OK);
	rig_free(r);
}

static void test_virtq_add_refuses_bad_chains(void **state)
{
	struct rig *r = rig_new(8, 0);
	uint8_t buf[16];
	struct virtq_buf bufs[9];
	for (int i = 0; i < 9; i++)
		bufs[i] = (struct virtq_buf){phys(buf), sizeof(buf)};

	assert_int_equal(virtq_add(&r->q, NULL, 1, 0, NULL), VIRTQ_E_INVAL);
	assert_int_equal(virtq_add(&r->q, bufs, 0, 0, NULL), VIRTQ_E_INVAL);
	assert_int_equal(virtq_add(&r->q, bufs, 5, 4, NULL), VIRTQ_E_INVAL); /* 9 > size */
	assert_int_equal(virtq_add(&r->q, bufs, UINT32_MAX, 1, NULL), VIRTQ_E_INVAL);
	assert_int_equal(virtq_add(&r->q, bufs, 1, UINT32_MAX, NULL), VIRTQ_E_INVAL);
	bufs[1].len = 0;
	assert_int_equal(virtq_add(&r->q, bufs, 1, 1, NULL), VIRTQ_E_INVAL);
	bufs[1] = (struct virtq_buf){UINT64_MAX - 4, 16}; /* wraps */
	assert_int_equal(virtq_add(&r->q, bufs, 2, 0, NULL), VIRTQ_E_INVAL);
	/* At most 2^32 bytes in a chain (§2.7.5.2). */
	bufs[0] = (struct virtq_buf){0x100000000ull, 0x80000000u};
	bufs[1] = (struct virtq_buf){0x200000000ull, 0x80000001u};
	assert_int_equal(virtq_add(&r->q, bufs, 1, 1, NULL), VIRTQ_E_INVAL);
	bufs[1].len = 0x80000000u;
	int head = virtq_add(&r->q, bufs, 1, 1, NULL);
	assert_true(head >= 0);
	assert_int_equal(r->q.num_free, 6);
	/* Give it back: the device may report all 2^31 writable bytes. */
	sim_push(&r->sim, (uint32_t)head, 0x80000000u);
	uint32_t len;
	assert_int_equal(virtq_get_used(&r->q, NULL, &len), 1);
	assert_int_equal(len, 0x80000000u);
	r->sim.used_idx = 0;
	assert_int_equal(virtq_init(&r->q, 8, &r->mem, r->slots, 0), VIRTQ_OK);
	bufs[0] = bufs[1] = (struct virtq_buf){phys(buf), sizeof(buf)};
	/* Nothing was taken or published. */
	assert_int_equal(r->q.num_free, 8);
	assert_int_equal(r->mem.avail->idx, 0);
	assert_int_equal(virtq_need_notify(&r->q), 0);
	rig_free(r);
}

/* ---- Working with a well-behaved device ---------------------------------------- */

static void test_virtq_one_chain_round_trip(void **state)
{
	struct rig *r = rig_new(4, 0);
	struct req req;
	uint32_t len;

	req_make(&req, 2, 2, 77);
	int head = req_add(&r->q, &req);
	assert_true(head >= 0 && head < 4);
	assert_int_equal(r->q.num_free, 0);
	/* Two readable then two writable descriptors, linked by NEXT. */
	struct virtq_desc chain[SIM_MAX_CHAIN];
	assert_int_equal(sim_chain(&r->sim, (uint16_t)head, chain), 4);
	assert_int_equal(chain[0].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(chain[1].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(chain[2].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	assert_int_equal(chain[3].flags, VIRTQ_DESC_F_WRITE);
	assert_int_equal(chain[0].addr, phys(req.out[0]));
	assert_int_equal(chain[3].len, req.in_len[1]);
	assert_int_equal(r->mem.avail->idx, 1);
	assert_int_equal(r->mem.avail->ring[0], head);
	assert_int_equal(virtq_need_notify(&r->q), 1);
	assert_int_equal(virtq_need_notify(&r->q), 0); /* nothing new since */

	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), 0);
	sim_fetch(&r->sim);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_ptr_equal(get_one(&r->q, &len), &req);
	assert_int_equal(len, req.writable);
	req_check(&req, len);
	assert_int_equal(r->q.num_free, 4);
	assert_int_equal(r->q.in_flight, 0);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), 0);
	assert_int_equal(virtq_error(&r->q), VIRTQ_OK);
	req_free(&req);
	rig_free(r);
}

static void test_virtq_chains_of_several_parts(void **state)
{
	struct rig *r = rig_new(16, 0);
	struct req reqs[200];

	for (uint32_t i = 0; i < 200; i++) {
		uint32_t n_out = rnd(5), n_in = rnd(5);
		if (n_out + n_in == 0)
			n_out = 1;
		req_make(&reqs[i], n_out, n_in, i * 7919u);
		assert_true(req_add(&r->q, &reqs[i]) >= 0);
		sim_fetch(&r->sim);
		/* Short writes too: the device may fill less than the chain holds. */
		uint32_t want = rnd(2) ? UINT32_MAX : rnd(reqs[i].writable + 1);
		sim_complete(&r->sim, 0, want);
		uint32_t len;
		assert_ptr_equal(get_one(&r->q, &len), &reqs[i]);
		assert_int_equal(len, want < reqs[i].writable ? want : reqs[i].writable);
		req_check(&reqs[i], len);
		assert_int_equal(r->q.num_free, 16);
		req_free(&reqs[i]);
	}
	rig_free(r);
}

static void test_virtq_full_queue(void **state)
{
	struct rig *r = rig_new(8, 0);
	struct req reqs[8];
	uint32_t len;

	for (uint32_t i = 0; i < 3; i++) {
		req_make(&reqs[i], 1, 1, i);
		assert_true(req_add(&r->q, &reqs[i]) >= 0);
	}
	assert_int_equal(r->q.num_free, 2);
	req_make(&reqs[3], 2, 1, 3); /* needs 3, 2 free */
	assert_int_equal(req_add(&r->q, &reqs[3]), VIRTQ_E_FULL);
	assert_int_equal(r->q.num_free, 2);
	assert_int_equal(r->mem.avail->idx, 3);
	req_make(&reqs[4], 1, 1, 4);
	assert_true(req_add(&r->q, &reqs[4]) >= 0);
	assert_int_equal(r->q.num_free, 0);
	req_make(&reqs[5], 1, 0, 5);
	assert_int_equal(req_add(&r->q, &reqs[5]), VIRTQ_E_FULL);

	/* One completion makes room for exactly what it used. */
	sim_fetch(&r->sim);
	sim_complete(&r->sim, 1, UINT32_MAX);
	struct req *done = get_one(&r->q, &len);
	req_check(done, len);
	assert_int_equal(r->q.num_free, 2);
	assert_int_equal(req_add(&r->q, &reqs[3]), VIRTQ_E_FULL);
	assert_true(req_add(&r->q, &reqs[5]) >= 0);
	assert_int_equal(r->q.num_free, 1);
	sim_fetch(&r->sim);
	while (r->sim.nheld)
		sim_complete(&r->sim, 0, UINT32_MAX);
	while (virtq_get_used(&r->q, (void **)&done, &len) == 1)
		req_check(done, len);
	assert_int_equal(r->q.num_free, 8);
	assert_true(req_add(&r->q, &reqs[3]) >= 0);
	for (uint32_t i = 0; i < 6; i++)
		req_free(&reqs[i]);
	rig_free(r);
}

static void test_virtq_one_chain_fills_the_largest_queue(void **state)
{
	struct rig *r = rig_new(VIRTQ_SIZE_MAX, 0);
	struct virtq_buf *bufs = calloc(VIRTQ_SIZE_MAX, sizeof(*bufs));
	uint8_t *data = calloc(VIRTQ_SIZE_MAX, 1);
	assert_non_null(bufs);
	assert_non_null(data);
	for (uint32_t i = 0; i < VIRTQ_SIZE_MAX; i++)
		bufs[i] = (struct virtq_buf){phys(data + i), 1};

	int head = virtq_add(&r->q, bufs, 1, VIRTQ_SIZE_MAX - 1, data);
	assert_true(head >= 0);
	assert_int_equal(r->q.num_free, 0);
	assert_int_equal(virtq_add(&r->q, bufs, 1, 0, NULL), VIRTQ_E_FULL);
	/* The device may report every writable byte, and not one more. */
	sim_push(&r->sim, (uint32_t)head, VIRTQ_SIZE_MAX - 1);
	void *token;
	uint32_t len;
	assert_int_equal(virtq_get_used(&r->q, &token, &len), 1);
	assert_ptr_equal(token, data);
	assert_int_equal(len, VIRTQ_SIZE_MAX - 1);
	assert_int_equal(r->q.num_free, VIRTQ_SIZE_MAX);
	free(bufs);
	free(data);
	rig_free(r);
}

/* Keep the queue busy, completing in random order; every token comes back once. */
static void run_random(struct rig *r, uint32_t total, uint32_t max_parts)
{
	uint32_t size = r->q.size, added = 0, done = 0;
	struct req *reqs = calloc(size, sizeof(*reqs));
	assert_non_null(reqs);

	while (done < total) {
		/* Add while there is room (sometimes stop early). */
		while (added < total && rnd(8) != 0) {
			struct req *free_req = NULL;
			for (uint32_t i = rnd(size), k = 0; k < size; k++, i = (i + 1) % size)
				if (!reqs[i].busy) {
					free_req = &reqs[i];
					break;
				}
			if (!free_req)
				break;
			uint32_t n_out = 1 + rnd(max_parts), n_in = rnd(max_parts + 1);
			req_make(free_req, n_out, n_in, added);
			int head = req_add(&r->q, free_req);
			if (head == VIRTQ_E_FULL) {
				req_free(free_req);
				break;
			}
			assert_true(head >= 0);
			free_req->busy = 1;
			added++;
		}
		sim_fetch(&r->sim);
		/* Complete a random number of held chains, in random order. */
		for (uint32_t k = rnd(r->sim.nheld + 1); k > 0; k--)
			sim_complete(&r->sim, rnd(r->sim.nheld), UINT32_MAX);
		struct req *req;
		uint32_t len;
		while (virtq_get_used(&r->q, (void **)&req, &len) == 1) {
			assert_true(req >= reqs && req < reqs + size);
			assert_true(req->busy);
			assert_int_equal(len, req->writable);
			req_check(req, len);
			req->busy = 0;
			req_free(req);
			done++;
		}
		assert_int_equal(virtq_error(&r->q), VIRTQ_OK);
		assert_true(r->q.num_free <= size);
	}
	assert_int_equal(r->q.num_free, size);
	assert_int_equal(r->q.in_flight, 0);
	free(reqs);
}

static void test_virtq_many_in_flight_complete_out_of_order(void **state)
{
	struct rig *r = rig_new(64, 0);
	run_random(r, 20000, 3);
	rig_free(r);
	r = rig_new(128, EVENT_IDX);
	run_random(r, 20000, 2);
	rig_free(r);
}

static void test_virtq_indices_wrap_around(void **state)
{
	/* 16-bit avail and used indices wrap more than twice. */
	struct rig *r = rig_new(8, EVENT_IDX);
	run_random(r, 150000, 1);
	assert_true(r->sim.used_idx == (uint16_t)150000);
	assert_int_equal(r->q.last_used, (uint16_t)150000);
	assert_int_equal(r->q.avail_idx, (uint16_t)150000);
	rig_free(r);
	/* Size 1: every request uses the same slot and ring entry. */
	r = rig_new(1, 0);
	struct req req;
	for (uint32_t i = 0; i < 70000; i++) {
		uint32_t len;
		req_make(&req, 0, 1, i); /* one writable descriptor */
		assert_int_equal(req_add(&r->q, &req), 0);
		sim_fetch(&r->sim);
		sim_complete(&r->sim, 0, UINT32_MAX);
		assert_ptr_equal(get_one(&r->q, &len), &req);
		req_check(&req, len);
		req_free(&req);
	}
	rig_free(r);
}

/* ---- Notification suppression ------------------------------------------------- */

static void test_virtq_notify_follows_no_notify_flag(void **state)
{
	struct rig *r = rig_new(8, 0);
	struct req reqs[3];

	for (int i = 0; i < 3; i++)
		req_make(&reqs[i], 1, 0, i);
	assert_int_equal(virtq_need_notify(&r->q), 0); /* nothing added */
	assert_true(req_add(&r->q, &reqs[0]) >= 0);
	r->mem.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	/* avail_event is ignored without VIRTIO_F_EVENT_IDX. */
	*sim_avail_event(&r->sim) = 0;
	assert_int_equal(virtq_need_notify(&r->q), 0);
	r->mem.used->flags = 0;
	assert_true(req_add(&r->q, &reqs[1]) >= 0);
	assert_true(req_add(&r->q, &reqs[2]) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 1);
	assert_int_equal(virtq_need_notify(&r->q), 0);
	for (int i = 0; i < 3; i++)
		req_free(&reqs[i]);
	rig_free(r);
}

static void test_virtq_notify_follows_avail_event(void **state)
{
	struct rig *r = rig_new(16, EVENT_IDX);
	struct req reqs[8];
	for (int i = 0; i < 8; i++)
		req_make(&reqs[i], 1, 1, i);

	/* The device wants to hear of entry 0: the first add notifies. */
	assert_true(req_add(&r->q, &reqs[0]) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 1);
	/* The flag is ignored with event indices. */
	r->mem.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	/* The device is still busy with entry 0 (avail_event stays 0): no notifications. */
	assert_true(req_add(&r->q, &reqs[1]) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 0);
	/* It fetched everything, and wants to hear of entry 2 onwards. */
	sim_fetch(&r->sim);
	assert_int_equal(*sim_avail_event(&r->sim), 2);
	assert_true(req_add(&r->q, &reqs[2]) >= 0);
	assert_true(req_add(&r->q, &reqs[3]) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 1); /* 2 is in [2, 4) */
	/* It asks for entry 6: adding 4 and 5 does not cross it, adding 6 does. */
	*sim_avail_event(&r->sim) = 6;
	assert_true(req_add(&r->q, &reqs[4]) >= 0);
	assert_true(req_add(&r->q, &reqs[5]) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 0);
	assert_true(req_add(&r->q, &reqs[6]) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 1);
	sim_fetch(&r->sim);
	while (r->sim.nheld)
		sim_complete(&r->sim, 0, UINT32_MAX);
	for (int i = 0; i < 7; i++)
		assert_non_null(get_one(&r->q, NULL));
	for (int i = 0; i < 8; i++)
		req_free(&reqs[i]);
	rig_free(r);
}

static void test_virtq_notify_across_index_wrap(void **state)
{
	struct rig *r = rig_new(4, EVENT_IDX);
	struct req req;
	req_make(&req, 1, 0, 1);
	/* Walk the indices up to just before the wrap, notifying each time. */
	for (uint32_t i = 0; i < 65534; i++) {
		assert_true(req_add(&r->q, &req) >= 0);
		assert_int_equal(virtq_need_notify(&r->q), 1);
		sim_fetch(&r->sim);
		sim_complete(&r->sim, 0, 0);
		assert_non_null(get_one(&r->q, NULL));
	}
	assert_int_equal(*sim_avail_event(&r->sim), 65534);
	/* Three adds cross 65535 → 0 → 1; the device asked for 65534: notify. */
	for (int i = 0; i < 3; i++)
		assert_true(req_add(&r->q, &req) >= 0);
	assert_int_equal(r->q.avail_idx, 1);
	assert_int_equal(virtq_need_notify(&r->q), 1);
	sim_fetch(&r->sim);
	while (r->sim.nheld)
		sim_complete(&r->sim, 0, 0);
	while (virtq_get_used(&r->q, NULL, NULL) == 1)
		;
	*sim_avail_event(&r->sim) = 3;
	assert_true(req_add(&r->q, &req) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 0); /* [1, 2) misses 3 */
	assert_true(req_add(&r->q, &req) >= 0);
	assert_true(req_add(&r->q, &req) >= 0);
	assert_int_equal(virtq_need_notify(&r->q), 1); /* [2, 4) holds 3 */
	req_free(&req);
	rig_free(r);
}

static void test_virtq_notify_after_a_whole_index_cycle(void **state)
{
	/*
	 * 65536 adds since the last check bring avail.idx back where it was: 16 bits
	 * cannot tell whether avail_event was crossed, so the library must notify.
	 */
	struct rig *r = rig_new(1, EVENT_IDX);
	struct req req;
	req_make(&req, 1, 0, 1);
	r->sim.event_idx = 0; /* a polling device that leaves avail_event alone */
	*sim_avail_event(&r->sim) = 5;
	for (uint32_t i = 0; i < 65536; i++) {
		assert_int_equal(req_add(&r->q, &req), 0);
		sim_fetch(&r->sim);
		sim_complete(&r->sim, 0, 0);
		assert_non_null(get_one(&r->q, NULL));
	}
	assert_int_equal(r->q.avail_idx, 0);
	assert_int_equal(virtq_need_notify(&r->q), 1);
	assert_int_equal(virtq_need_notify(&r->q), 0);
	req_free(&req);
	rig_free(r);
}

static void test_virtq_interrupts_follow_used_event(void **state)
{
	struct rig *r = rig_new(32, EVENT_IDX);
	struct req reqs[16];
	for (int i = 0; i < 16; i++) {
		req_make(&reqs[i], 1, 1, i);
		assert_true(req_add(&r->q, &reqs[i]) >= 0);
	}
	sim_fetch(&r->sim);
	/* used_event starts at 0: one interrupt for the first completion only. */
	sim_complete(&r->sim, 0, UINT32_MAX);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 1);
	/* Consuming moves used_event past what was taken: the next one interrupts. */
	assert_non_null(get_one(&r->q, NULL));
	assert_non_null(get_one(&r->q, NULL));
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), 0);
	assert_int_equal(r->mem.avail->ring[32], 2); /* used_event */
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 2);
	/* Disabled: used_event no longer moves, so no more interrupts. */
	virtq_disable_interrupts(&r->q);
	assert_int_equal(r->mem.avail->flags, 0); /* must stay 0 with event indices */
	assert_non_null(get_one(&r->q, NULL));
	sim_complete(&r->sim, 0, UINT32_MAX);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 2);
	/* Re-enabling with chains already used says so (their interrupt was missed). */
	assert_int_equal(virtq_enable_interrupts(&r->q), 1);
	assert_non_null(get_one(&r->q, NULL));
	assert_non_null(get_one(&r->q, NULL));
	assert_int_equal(virtq_enable_interrupts(&r->q), 0);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 3);
	while (r->sim.nheld)
		sim_complete(&r->sim, 0, UINT32_MAX);
	while (virtq_get_used(&r->q, NULL, NULL) == 1)
		;
	assert_int_equal(r->q.num_free, 32);
	for (int i = 0; i < 16; i++)
		req_free(&reqs[i]);
	rig_free(r);
}

static void test_virtq_interrupts_follow_no_interrupt_flag(void **state)
{
	struct rig *r = rig_new(8, 0);
	struct req reqs[4];
	for (int i = 0; i < 4; i++) {
		req_make(&reqs[i], 1, 1, i);
		assert_true(req_add(&r->q, &reqs[i]) >= 0);
	}
	sim_fetch(&r->sim);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 1);
	virtq_disable_interrupts(&r->q);
	assert_int_equal(r->mem.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 1);
	assert_int_equal(virtq_enable_interrupts(&r->q), 1);
	assert_int_equal(r->mem.avail->flags, 0);
	while (virtq_get_used(&r->q, NULL, NULL) == 1)
		;
	assert_int_equal(virtq_enable_interrupts(&r->q), 0);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_int_equal(r->sim.interrupts, 2);
	for (int i = 0; i < 4; i++)
		req_free(&reqs[i]);
	rig_free(r);
}

/* ---- A device on its own thread --------------------------------------------------- */

/*
 * The device runs concurrently and sleeps when it has nothing to do; it is woken
 * only by notifications the library says are needed, and the driver only by
 * interrupts the device's view of used_event / NO_INTERRUPT allows. A lost wake-up
 * on either side (a missing barrier, a wrong event-index test) shows as a wait
 * that times out, never a hang.
 */
#define THREAD_WAIT_S 10

struct tdev {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint32_t size;
	int event_idx;
	sem_t kick, irq;
	int stop;
	const char *failed;
	uint32_t kicks, irqs;
};

static int wait_s(sem_t *sem, int seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	while (sem_timedwait(sem, &ts) != 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* Serve one chain: a 4-byte seed out, a 4-byte answer back (seed * 3 + 1). */
static void tdev_serve(struct tdev *d, uint16_t head)
{
	struct virtq_desc out = d->desc[head];
	struct virtq_desc in = d->desc[out.next & (d->size - 1)];
	uint32_t seed, answer;

	if (!(out.flags & VIRTQ_DESC_F_NEXT) || !(in.flags & VIRTQ_DESC_F_WRITE) || out.len != 4 ||
	    in.len != 4) {
		d->failed = "device: a malformed chain";
		return;
	}
	memcpy(&seed, (void *)(uintptr_t)out.addr, 4);
	answer = seed * 3 + 1;
	memcpy((void *)(uintptr_t)in.addr, &answer, 4);
}

/* Complete heads[0, n) in reverse order, interrupting as the driver asked. */
static void tdev_complete(struct tdev *d, uint16_t *used_idx, const uint16_t *heads, uint32_t n)
{
	for (uint32_t i = n; i-- > 0;) {
		tdev_serve(d, heads[i]);
		struct virtq_used_elem *e = &d->used->ring[*used_idx & (d->size - 1)];
		e->id = heads[i];
		e->len = 4;
		uint16_t old = (*used_idx)++;
		__atomic_store_n(&d->used->idx, *used_idx, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		int irq = d->event_idx ? virtq_need_event(__atomic_load_n(&d->avail->ring[d->size],
									  __ATOMIC_RELAXED),
							  *used_idx, old)
				       : !(__atomic_load_n(&d->avail->flags, __ATOMIC_RELAXED) &
					   VIRTQ_AVAIL_F_NO_INTERRUPT);
		if (irq) {
			d->irqs++;
			sem_post(&d->irq);
		}
	}
}

static void *tdev_main(void *arg)
{
	struct tdev *d = arg;
	uint16_t last_avail = 0, used_idx = 0, heads[VIRTQ_SIZE_MAX / 512];
	uint16_t *avail_event = (uint16_t *)&d->used->ring[d->size];

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE) && !d->failed) {
		uint16_t avail_idx = __atomic_load_n(&d->avail->idx, __ATOMIC_ACQUIRE);
		if (avail_idx == last_avail) {
			/* About to sleep: ask for a notification, then look once more. */
			if (d->event_idx)
				__atomic_store_n(avail_event, last_avail, __ATOMIC_RELAXED);
			else
				__atomic_store_n(&d->used->flags, 0, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&d->avail->idx, __ATOMIC_ACQUIRE) != last_avail)
				continue;
			if (wait_s(&d->kick, THREAD_WAIT_S) != 0 &&
			    !__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE))
				d->failed = "device waited too long for a notification";
			continue;
		}
		if (!d->event_idx) /* busy: no notifications, please */
			__atomic_store_n(&d->used->flags, VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
		uint32_t n = 0;
		while (last_avail != avail_idx && n < sizeof(heads) / sizeof(heads[0])) {
			heads[n++] = __atomic_load_n(&d->avail->ring[last_avail & (d->size - 1)],
						     __ATOMIC_RELAXED);
			last_avail++;
		}
		tdev_complete(d, &used_idx, heads, n);
	}
	return NULL;
}

/* The driver: keep the queue full, sleep for interrupts, check every answer. */
static const char *tdrv_run(struct rig *r, struct tdev *d, uint32_t total)
{
	uint32_t n = r->q.size / 2, added = 0, done = 0, nfree = n;
	uint32_t *seed = calloc(n, sizeof(*seed)), *answer = calloc(n, sizeof(*answer));
	uint32_t *free_ids = calloc(n, sizeof(*free_ids));
	const char *failed = NULL;

	for (uint32_t i = 0; i < n; i++)
		free_ids[i] = i;
	while (done < total && !failed) {
		while (added < total && nfree > 0) {
			uint32_t id = free_ids[--nfree];
			struct virtq_buf bufs[2] = {{phys(&seed[id]), 4}, {phys(&answer[id]), 4}};
			seed[id] = added * 2654435761u;
			if (virtq_add(&r->q, bufs, 1, 1, (void *)(uintptr_t)(id + 1)) < 0) {
				failed = "driver: add failed with room";
				break;
			}
			added++;
		}
		if (virtq_need_notify(&r->q) > 0) {
			d->kicks++;
			sem_post(&d->kick);
		}
		void *token;
		uint32_t len, got = 0;
		int res;
		while ((res = virtq_get_used(&r->q, &token, &len)) == 1) {
			uint32_t id = (uint32_t)(uintptr_t)token - 1;
			if (id >= n || len != 4 || answer[id] != seed[id] * 3 + 1)
				failed = "driver: a wrong answer";
			free_ids[nfree++] = id;
			done++;
			got++;
		}
		if (res < 0)
			failed = virtq_strerror(res);
		if (got || failed || d->failed)
			continue;
		if (virtq_enable_interrupts(&r->q) != 0)
			continue;
		if (wait_s(&d->irq, THREAD_WAIT_S) != 0)
			failed = "driver waited too long for an interrupt";
		virtq_disable_interrupts(&r->q);
	}
	free(seed);
	free(answer);
	free(free_ids);
	return failed ? failed : d->failed;
}

static void run_threaded(uint32_t size, uint64_t features, uint32_t total)
{
	struct rig *r = rig_new(size, features);
	struct tdev d = {.desc = r->mem.desc,
			 .avail = r->mem.avail,
			 .used = r->mem.used,
			 .size = size,
			 .event_idx = (features & EVENT_IDX) != 0};
	pthread_t thread;

	assert_int_equal(sem_init(&d.kick, 0, 0), 0);
	assert_int_equal(sem_init(&d.irq, 0, 0), 0);
	assert_int_equal(pthread_create(&thread, NULL, tdev_main, &d), 0);
	const char *failed = tdrv_run(r, &d, total);
	__atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
	sem_post(&d.kick);
	assert_int_equal(pthread_join(thread, NULL), 0);
	sem_destroy(&d.kick);
	sem_destroy(&d.irq);
	if (failed)
		fail_msg("%s (size %u, features %#llx)", failed, size,
			 (unsigned long long)features);
	assert_int_equal(r->q.num_free, size);
	/* Both sides slept and were woken (how often depends on the scheduling). */
	assert_true(d.kicks > 0 && d.kicks <= total && d.irqs > 0);
	rig_free(r);
}

static void test_virtq_threaded_device_never_misses_a_wakeup(void **state)
{
	run_threaded(16, 0, 50000);
	run_threaded(16, EVENT_IDX, 50000);
	run_threaded(2, EVENT_IDX, 20000);
	run_threaded(256, EVENT_IDX, 50000);
}

/* ---- A hostile device ------------------------------------------------------------ */

/* A rig with n two-part requests in flight, fetched by the device. */
static struct rig *hostile_rig(struct req *reqs, uint32_t n, uint64_t features)
{
	struct rig *r = rig_new(8, features);
	for (uint32_t i = 0; i < n; i++) {
		req_make(&reqs[i], 1, 1, i);
		assert_true(req_add(&r->q, &reqs[i]) >= 0);
	}
	sim_fetch(&r->sim);
	return r;
}

/* q is broken for err: every call fails cleanly, nothing is freed or returned. */
static void assert_broken(struct rig *r, int err, uint32_t free_before)
{
	struct virtq_buf buf = {phys(r), 1};
	void *token = (void *)1;
	uint32_t len = 12345;

	assert_int_equal(virtq_error(&r->q), err);
	assert_true(strlen(virtq_strerror(err)) > 0);
	assert_int_equal(virtq_get_used(&r->q, &token, &len), VIRTQ_E_BROKEN);
	assert_ptr_equal(token, (void *)1);
	assert_int_equal(len, 12345);
	assert_int_equal(virtq_add(&r->q, &buf, 1, 0, NULL), VIRTQ_E_BROKEN);
	assert_int_equal(virtq_need_notify(&r->q), VIRTQ_E_BROKEN);
	assert_int_equal(virtq_enable_interrupts(&r->q), VIRTQ_E_BROKEN);
	virtq_disable_interrupts(&r->q);
	assert_int_equal(r->q.num_free, free_before);
	assert_int_equal(virtq_error(&r->q), err);
}

static void hostile_done(struct rig *r, struct req *reqs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		req_free(&reqs[i]);
	rig_free(r);
}

static void test_virtq_hostile_id_out_of_range(void **state)
{
	struct req reqs[3];
	struct rig *r = hostile_rig(reqs, 3, 0);
	void *token = NULL;

	sim_push(&r->sim, 8, 0);
	assert_int_equal(virtq_get_used(&r->q, &token, NULL), VIRTQ_E_USED_ID_RANGE);
	assert_null(token);
	assert_int_equal(r->q.bad_id, 8);
	assert_broken(r, VIRTQ_E_USED_ID_RANGE, 2);
	hostile_done(r, reqs, 3);

	r = hostile_rig(reqs, 3, 0);
	sim_push(&r->sim, UINT32_MAX, 0);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_ID_RANGE);
	assert_broken(r, VIRTQ_E_USED_ID_RANGE, 2);
	hostile_done(r, reqs, 3);
}

static void test_virtq_hostile_id_of_a_free_descriptor(void **state)
{
	struct req reqs[2];
	struct rig *r = hostile_rig(reqs, 2, 0);

	/* Descriptors 0..3 are the two chains; 4..7 are free. */
	sim_push(&r->sim, 6, 0);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_ID_FREE);
	assert_int_equal(r->q.bad_id, 6);
	assert_broken(r, VIRTQ_E_USED_ID_FREE, 4);
	hostile_done(r, reqs, 2);
}

static void test_virtq_hostile_id_inside_a_chain(void **state)
{
	struct req reqs[2];
	struct rig *r = hostile_rig(reqs, 2, 0);

	sim_push(&r->sim, 1, 0); /* the writable half of the first chain */
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_ID_BODY);
	assert_broken(r, VIRTQ_E_USED_ID_BODY, 4);
	hostile_done(r, reqs, 2);
}

static void test_virtq_hostile_duplicate_completion(void **state)
{
	struct req reqs[3];
	struct rig *r = hostile_rig(reqs, 3, 0);
	uint16_t head = r->sim.held[1];
	uint32_t len;

	sim_complete(&r->sim, 1, UINT32_MAX);
	assert_ptr_equal(get_one(&r->q, &len), &reqs[1]);
	assert_int_equal(r->q.num_free, 4);
	sim_push(&r->sim, head, 0); /* again */
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_ID_FREE);
	assert_broken(r, VIRTQ_E_USED_ID_FREE, 4);
	/* Nor twice in one batch. */
	hostile_done(r, reqs, 3);
	r = hostile_rig(reqs, 3, 0);
	head = r->sim.held[0];
	sim_complete(&r->sim, 0, UINT32_MAX);
	sim_push(&r->sim, head, 0);
	assert_ptr_equal(get_one(&r->q, &len), &reqs[0]);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_ID_FREE);
	assert_broken(r, VIRTQ_E_USED_ID_FREE, 4);
	hostile_done(r, reqs, 3);
}

static void test_virtq_hostile_len_too_large(void **state)
{
	struct req reqs[2];
	struct rig *r = hostile_rig(reqs, 2, 0);
	uint16_t head = r->sim.held[0];

	sim_push(&r->sim, head, reqs[0].writable + 1);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_LEN);
	assert_int_equal(r->q.bad_len, reqs[0].writable + 1);
	assert_broken(r, VIRTQ_E_USED_LEN, 4);
	hostile_done(r, reqs, 2);

	/* A chain with no writable part may only report 0. */
	r = rig_new(8, 0);
	struct req ro;
	req_make(&ro, 2, 0, 5);
	int h = req_add(&r->q, &ro);
	assert_true(h >= 0);
	sim_push(&r->sim, (uint32_t)h, 1);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_LEN);
	assert_broken(r, VIRTQ_E_USED_LEN, 6);
	req_free(&ro);
	rig_free(r);
}

static void test_virtq_hostile_used_index_jumps(void **state)
{
	struct req reqs[3];
	struct rig *r = hostile_rig(reqs, 3, 0);

	/* Four entries claimed with three requests in flight. */
	__atomic_store_n(&r->mem.used->idx, 4, __ATOMIC_RELEASE);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_IDX);
	assert_int_equal(r->q.bad_idx, 4);
	assert_broken(r, VIRTQ_E_USED_IDX, 2);
	hostile_done(r, reqs, 3);

	/* After a good completion, the index jumps a whole ring ahead, or back. */
	uint16_t jumps[] = {1 + 8, 1 + 40000, 0, 65535};
	for (size_t i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		r = hostile_rig(reqs, 3, EVENT_IDX);
		sim_complete(&r->sim, 0, UINT32_MAX);
		assert_non_null(get_one(&r->q, NULL));
		__atomic_store_n(&r->mem.used->idx, jumps[i], __ATOMIC_RELEASE);
		assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_IDX);
		assert_broken(r, VIRTQ_E_USED_IDX, 4);
		hostile_done(r, reqs, 3);
	}
}

static void test_virtq_hostile_descriptor_table_scribbles(void **state)
{
	/* A device that overwrites the descriptor table cannot steer what is freed. */
	struct req reqs[4];
	struct rig *r = hostile_rig(reqs, 4, 0);
	uint16_t heads[4];
	memcpy(heads, r->sim.held, sizeof(heads));
	for (uint32_t i = 0; i < 8; i++) {
		r->mem.desc[i].next = (uint16_t)(0xffff - i);
		r->mem.desc[i].flags = 0xffff;
		r->mem.desc[i].len = 0xffffffff;
	}
	/* And the available ring too. */
	r->mem.avail->idx = 0x1234;
	for (int i = 3; i >= 0; i--)
		sim_push(&r->sim, heads[i], 0);
	for (int i = 3; i >= 0; i--)
		assert_ptr_equal(get_one(&r->q, NULL), &reqs[i]);
	assert_int_equal(r->q.num_free, 8);
	assert_int_equal(r->q.avail_idx, 4);
	/* The queue still works: 4 two-part chains, device behaving again. */
	for (int i = 0; i < 4; i++)
		assert_true(req_add(&r->q, &reqs[i]) >= 0);
	assert_int_equal(r->q.num_free, 0);
	assert_int_equal(r->mem.avail->idx, 8);
	hostile_done(r, reqs, 4);
}

static void test_virtq_reclaim_after_reset(void **state)
{
	struct req reqs[3];
	struct rig *r = hostile_rig(reqs, 3, 0);
	int seen[3] = {0};
	void *token;

	sim_complete(&r->sim, 0, UINT32_MAX);
	struct req *done = get_one(&r->q, NULL);
	sim_push(&r->sim, 99, 0);
	assert_int_equal(virtq_get_used(&r->q, NULL, NULL), VIRTQ_E_USED_ID_RANGE);
	/* The driver resets the device and fails what was outstanding, each once. */
	while (virtq_reclaim(&r->q, &token) == 1) {
		struct req *req = token;
		assert_true(req >= reqs && req < reqs + 3 && req != done);
		seen[req - reqs]++;
	}
	assert_int_equal(seen[0] + seen[1] + seen[2], 2);
	assert_int_equal(seen[done - reqs], 0);
	assert_int_equal(r->q.num_free, 8);
	assert_int_equal(r->q.in_flight, 0);
	assert_int_equal(virtq_reclaim(&r->q, &token), 0);
	/* A new start over the same memory. */
	assert_int_equal(virtq_init(&r->q, 8, &r->mem, r->slots, 0), VIRTQ_OK);
	r->sim.last_avail = r->sim.used_idx = 0;
	r->sim.nheld = 0;
	assert_true(req_add(&r->q, &reqs[0]) >= 0);
	sim_fetch(&r->sim);
	sim_complete(&r->sim, 0, UINT32_MAX);
	assert_ptr_equal(get_one(&r->q, NULL), &reqs[0]);
	hostile_done(r, reqs, 3);
}

/* ---- Features and messages --------------------------------------------------- */

static void test_virtio_negotiate(void **state)
{
	uint64_t accepted = 123;
	uint64_t blk_ro = VIRTIO_FEATURE(5), blk_flush = VIRTIO_FEATURE(9);
	uint64_t device = VERSION_1 | EVENT_IDX | blk_ro | blk_flush |
			  VIRTIO_FEATURE(VIRTIO_F_INDIRECT_DESC) |
			  VIRTIO_FEATURE(VIRTIO_F_RING_PACKED) |
			  VIRTIO_FEATURE(VIRTIO_F_ORDER_PLATFORM) | VIRTIO_FEATURE(55);

	assert_int_equal(virtio_negotiate(device & ~VERSION_1, ~0ull, &accepted),
			 VIRTQ_E_NO_VERSION_1);
	assert_int_equal(accepted, 0);
	assert_int_equal(virtio_negotiate(device, blk_flush, &accepted), VIRTQ_E_NO_VERSION_1);
	assert_int_equal(virtio_negotiate(device, VERSION_1, NULL), VIRTQ_E_INVAL);
	/* Device bits the driver wants; transport bits only those the library does. */
	assert_int_equal(virtio_negotiate(device, ~0ull, &accepted), VIRTQ_OK);
	assert_int_equal(accepted, VERSION_1 | EVENT_IDX | blk_ro | blk_flush | VIRTIO_FEATURE(55));
	assert_int_equal(
	    virtio_negotiate(device, VERSION_1 | blk_flush | VIRTIO_FEATURE(7), &accepted),
	    VIRTQ_OK);
	assert_int_equal(accepted, VERSION_1 | blk_flush);
	assert_int_equal(VIRTIO_TRANSPORT_FEATURES_MASK, 0x0003ffffff000000ull);
}

static void test_virtq_strerror_names_every_error(void **state)
{
	for (int e = 0; e > -VIRTQ_E_COUNT; e--) {
		const char *text = virtq_strerror(e);
		assert_non_null(text);
		assert_true(strlen(text) > 0);
		assert_string_not_equal(text, "unknown virtqueue error");
	}
	assert_string_equal(virtq_strerror(1), "unknown virtqueue error");
	assert_string_equal(virtq_strerror(-VIRTQ_E_COUNT), "unknown virtqueue error");
	assert_string_equal(virtq_strerror(-1000000), "unknown virtqueue error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_virtq_layout_follows_the_spec),
	    cmocka_unit_test(test_virtq_init_refuses_bad_queues),
	    cmocka_unit_test(test_virtq_add_refuses_bad_chains),
	    cmocka_unit_test(test_virtq_one_chain_round_trip),
	    cmocka_unit_test(test_virtq_chains_of_several_parts),
	    cmocka_unit_test(test_virtq_full_queue),
	    cmocka_unit_test(test_virtq_one_chain_fills_the_largest_queue),
	    cmocka_unit_test(test_virtq_many_in_flight_complete_out_of_order),
	    cmocka_unit_test(test_virtq_indices_wrap_around),
	    cmocka_unit_test(test_virtq_notify_follows_no_notify_flag),
	    cmocka_unit_test(test_virtq_notify_follows_avail_event),
	    cmocka_unit_test(test_virtq_notify_across_index_wrap),
	    cmocka_unit_test(test_virtq_notify_after_a_whole_index_cycle),
	    cmocka_unit_test(test_virtq_interrupts_follow_used_event),
	    cmocka_unit_test(test_virtq_interrupts_follow_no_interrupt_flag),
	    cmocka_unit_test(test_virtq_threaded_device_never_misses_a_wakeup),
	    cmocka_unit_test(test_virtq_hostile_id_out_of_range),
	    cmocka_unit_test(test_virtq_hostile_id_of_a_free_descriptor),
	    cmocka_unit_test(test_virtq_hostile_id_inside_a_chain),
	    cmocka_unit_test(test_virtq_hostile_duplicate_completion),
	    cmocka_unit_test(test_virtq_hostile_len_too_large),
	    cmocka_unit_test(test_virtq_hostile_used_index_jumps),
	    cmocka_unit_test(test_virtq_hostile_descriptor_table_scribbles),
	    cmocka_unit_test(test_virtq_reclaim_after_reset),
	    cmocka_unit_test(test_virtio_negotiate),
	    cmocka_unit_test(test_virtq_strerror_names_every_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
