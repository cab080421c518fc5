/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the split-virtqueue library: the input is a script of
 * driver calls and of writes by a hostile device to every part of the ring it can
 * reach (used entries with any id and len, used.idx, used.flags, avail_event, and
 * scribbles over the descriptor table and available ring).
 *
 * Checked against a model of the driver's requests after every step: a chain is
 * refused exactly when the model says (bad arguments, no room); the free count
 * matches; a returned token is outstanding, returned once, with a length within
 * its chain's writable bytes; a device fault is one of the device error codes and
 * from then on every call gives VIRTQ_E_BROKEN and nothing changes; at the end
 * virtq_reclaim gives back exactly the outstanding tokens. Every ring part is its
 * own heap block of exactly its size, so AddressSanitizer catches a stray access.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kosh/virtqueue.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

#define MAX_SIZE  32
#define MAX_PARTS 6
/* A token per chain that can be outstanding, and one for the add that must be refused. */
#define TOKENS (MAX_SIZE + 1)

struct input {
	const uint8_t *p;
	size_t len;
};

static uint8_t byte(struct input *in)
{
	if (!in->len)
		return 0;
	in->len--;
	return *in->p++;
}

static uint32_t word(struct input *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)byte(in) << (8 * i);
	return v;
}

struct token {
	int busy;
	uint64_t writable;
	uint32_t count; /* descriptors */
	uint16_t head;
};

struct model {
	struct virtq q;
	struct virtq_mem mem;
	struct virtq_slot *slots;
	struct token tokens[TOKENS];
	uint32_t size, busy_descs;
	uint16_t dev_used_idx; /* where the device writes its next used entry */
	int broken;
};

static void check_state(struct model *m)
{
	if (m->broken) {
		CHECK(virtq_error(&m->q) < VIRTQ_E_NO_VERSION_1);
		return;
	}
	CHECK(virtq_error(&m->q) == VIRTQ_OK);
	CHECK(m->q.num_free + m->busy_descs == m->size);
}

static void op_add(struct model *m, struct input *in)
{
	struct virtq_buf bufs[MAX_PARTS];
	uint32_t n_out = byte(in) % 4, n_in = byte(in) % 4, n = n_out + n_in, slot;
	uint64_t writable = 0, total = 0;
	int bad = n == 0 || n > m->size;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t b = byte(in);
		bufs[i].len = b == 0 ? 0 : b == 1 ? UINT32_MAX : b;
		bufs[i].addr = byte(in) == 0xff ? UINT64_MAX - 100 : 0x100000ull * (i + 1);
		bad |= bufs[i].len == 0 || bufs[i].addr > UINT64_MAX - bufs[i].len;
		total += bufs[i].len;
		if (i >= n_out)
			writable += bufs[i].len;
	}
	bad |= total > (1ull << 32); /* §2.7.5.2 */
	for (slot = 0; slot < TOKENS && m->tokens[slot].busy; slot++)
		;
	CHECK(slot < TOKENS); /* at most size chains are outstanding */
	uint32_t free_before = m->q.num_free;
	int r = virtq_add(&m->q, bufs, n_out, n_in, &m->tokens[slot]);
	if (m->broken) {
		CHECK(r == VIRTQ_E_BROKEN);
	} else if (bad) {
		CHECK(r == VIRTQ_E_INVAL);
	} else if (n > free_before) {
		CHECK(r == VIRTQ_E_FULL);
	} else {
		CHECK(r >= 0 && (uint32_t)r < m->size);
		m->tokens[slot] = (struct token){1, writable, n, (uint16_t)r};
		m->busy_descs += n;
	}
	if (r < 0)
		CHECK(m->q.num_free == free_before);
}

/* The device writes one used entry: a real head most of the time, anything else too. */
static void op_device_used(struct model *m, struct input *in)
{
	uint8_t how = byte(in);
	uint32_t id = word(in), len = word(in);
	struct token *t = &m->tokens[id % TOKENS];

	if (how < 160 && t->busy) {
		id = t->head;
		len = how < 128 ? (uint32_t)(t->writable ? len % (t->writable + 1) : 0) : len;
	} else if (how < 200) {
		id %= m->size + 2;
	}
	struct virtq_used_elem *e = &m->mem.used->ring[m->dev_used_idx & (m->size - 1)];
	e->id = id;
	e->len = len;
	m->dev_used_idx++;
	__atomic_store_n(&m->mem.used->idx, m->dev_used_idx, __ATOMIC_RELEASE);
}

static void op_get_used(struct model *m)
{
	void *token = NULL;
	uint32_t len = 0, free_before = m->q.num_free;
	int r = virtq_get_used(&m->q, &token, &len);

	if (m->broken) {
		CHECK(r == VIRTQ_E_BROKEN && token == NULL && m->q.num_free == free_before);
		return;
	}
	if (r == 1) {
		struct token *t = token;
		CHECK(t >= m->tokens && t < m->tokens + TOKENS && t->busy);
		CHECK(len <= t->writable);
		t->busy = 0;
		m->busy_descs -= t->count;
		return;
	}
	CHECK(token == NULL && m->q.num_free == free_before);
	if (r == 0)
		return;
	CHECK(r <= VIRTQ_E_USED_IDX && r > -VIRTQ_E_COUNT);
	CHECK(virtq_error(&m->q) == r);
	m->broken = 1;
}

/* The device (or anything with DMA) scribbles where it should only read. */
static void op_scribble(struct model *m, struct input *in)
{
	uint32_t where = word(in), value = word(in);
	uint8_t *desc = (uint8_t *)m->mem.desc, *avail = (uint8_t *)m->mem.avail;

	if (where & 1)
		memcpy(desc + (where >> 1) % (VIRTQ_DESC_SIZE(m->size) - 3), &value, 4);
	else
		avail[(where >> 1) % VIRTQ_AVAIL_SIZE(m->size)] = (uint8_t)value;
}

static void op_device_fields(struct model *m, struct input *in)
{
	uint16_t v = (uint16_t)word(in);

	switch (byte(in) % 3) {
	case 0:
		__atomic_store_n(&m->mem.used->idx, v, __ATOMIC_RELEASE);
		m->dev_used_idx = v;
		break;
	case 1:
		m->mem.used->flags = v;
		break;
	default:
		*(uint16_t *)&m->mem.used->ring[m->size] = v; /* avail_event */
		break;
	}
}

static void run(struct model *m, struct input *in)
{
	while (in->len) {
		int r;
		switch (byte(in) % 7) {
		case 0:
			op_add(m, in);
			break;
		case 1:
			op_device_used(m, in);
			break;
		case 2:
			op_get_used(m);
			break;
		case 3:
			r = virtq_need_notify(&m->q);
			CHECK(m->broken ? r == VIRTQ_E_BROKEN : (r == 0 || r == 1));
			break;
		case 4:
			op_scribble(m, in);
			break;
		case 5:
			op_device_fields(m, in);
			break;
		default:
			if (byte(in) & 1) {
				virtq_disable_interrupts(&m->q);
			} else {
				r = virtq_enable_interrupts(&m->q);
				CHECK(m->broken ? r == VIRTQ_E_BROKEN : (r == 0 || r == 1));
			}
			break;
		}
		check_state(m);
	}
}

/* Reclaim gives back exactly the outstanding tokens, once each. */
static void finish(struct model *m)
{
	void *token;
	while (virtq_reclaim(&m->q, &token) == 1) {
		struct token *t = token;
		CHECK(t >= m->tokens && t < m->tokens + TOKENS && t->busy);
		t->busy = 0;
		m->busy_descs -= t->count;
	}
	CHECK(m->busy_descs == 0);
	CHECK(m->q.num_free == m->size && m->q.in_flight == 0);
	for (int i = 0; i < TOKENS; i++)
		CHECK(!m->tokens[i].busy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint8_t head = byte(&in);
	static struct model m;

	memset(&m, 0, sizeof(m));
	m.size = 1u << (head % 6);
	m.mem.desc = aligned_alloc(16, VIRTQ_DESC_SIZE(m.size));
	m.mem.avail = malloc(VIRTQ_AVAIL_SIZE(m.size));
	m.mem.used = malloc(VIRTQ_USED_SIZE(m.size));
	m.slots = malloc(m.size * sizeof(*m.slots));
	CHECK(m.mem.desc && m.mem.avail && m.mem.used && m.slots);
	m.mem.desc_phys = 0x1000;
	m.mem.avail_phys = 0x10000;
	m.mem.used_phys = 0x20000;
	uint64_t features = head & 0x40 ? VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX) : 0;
	CHECK(virtq_init(&m.q, m.size, &m.mem, m.slots, features) == VIRTQ_OK);

	run(&m, &in);
	finish(&m);
	free(m.mem.desc);
	free(m.mem.avail);
	free(m.mem.used);
	free(m.slots);
	return 0;
}
