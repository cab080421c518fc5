/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of a virtio 1.x split virtqueue (see <kosh/virtqueue.h> and
 * docs/virtio.md; virtio 1.2 §2.7). Freestanding: no system calls, no allocation.
 *
 * Invariants kept:
 * - The free list and every chain's links live in the private slots[] (slot.next);
 *   the descriptor table is only ever written, never read back, so a device that
 *   scribbles over it cannot redirect a free. A chain of n descriptors is n slots
 *   taken in free-list order, so the free list's links are the chain's links.
 * - Each descriptor is free, the head of an outstanding chain, or a body of one
 *   (slot.state); num_free + the descriptors of all outstanding chains == size,
 *   and in_flight counts the outstanding chains.
 * - Shared memory is accessed with single atomic loads and stores of the field's
 *   width, so a value the device writes is read exactly once, then checked. The
 *   only device-written fields read are used.idx, used.ring[] (at an index masked
 *   into the ring), used.flags and avail_event.
 * - Once q->error is set, nothing but virtq_reclaim and virtq_error changes or
 *   returns anything.
 *
 * Memory ordering (§2.7.13, §2.7.14). The device is another agent sharing memory
 * coherently (a hypervisor thread, as for QEMU): the C11 fences below are the
 * "weak barriers" Linux uses for virtio (dmb ish on AArch64; on x86-64 only the
 * full fence costs an instruction). Devices that need platform (DMA) barriers,
 * VIRTIO_F_ORDER_PLATFORM, are not supported: virtio_negotiate never accepts it.
 * - Publishing: descriptors and the avail ring entry are written, then avail.idx
 *   is stored with release ordering, so the device never sees the index before
 *   the chain it covers.
 * - Consuming: used.idx is loaded with acquire ordering before the entries it
 *   covers are read, so the entries are those the device wrote before the index.
 * - Notification suppression: between our avail.idx store and the load of the
 *   device's avail_event or flags, and between our used_event store and the
 *   re-load of used.idx, a full (seq_cst) fence: store-then-load needs one, or
 *   both sides may decide the other will act and a request stalls.
 */
#include <kosh/string.h>
#include <kosh/virtqueue.h>

enum slot_state {
	SLOT_FREE,
	SLOT_HEAD,
	SLOT_BODY,
};

#define CHAIN_BYTES_MAX (1ll << 32)

/* The transport features this library implements (and so may accept). */
#define LIBRARY_FEATURES (VIRTIO_FEATURE(VIRTIO_F_VERSION_1) | VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX))

static inline uint16_t load16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* avail.used_event and used.avail_event follow their rings (§2.7.6, §2.7.8). */
static uint16_t *used_event(const struct virtq *q)
{
	return &q->avail->ring[q->size];
}

static uint16_t *avail_event(const struct virtq *q)
{
	return (uint16_t *)&q->used->ring[q->size];
}

size_t virtq_layout(uint32_t size, void *base, uint64_t base_phys, struct virtq_mem *mem)
{
	size_t avail_off = VIRTQ_DESC_SIZE(size);
	size_t used_off = (avail_off + VIRTQ_AVAIL_SIZE(size) + VIRTQ_USED_ALIGN - 1) &
			  ~(size_t)(VIRTQ_USED_ALIGN - 1);

	if (mem) {
		mem->desc = (struct virtq_desc *)base;
		mem->avail = (struct virtq_avail *)((char *)base + avail_off);
		mem->used = (struct virtq_used *)((char *)base + used_off);
		mem->desc_phys = base_phys;
		mem->avail_phys = base_phys + avail_off;
		mem->used_phys = base_phys + used_off;
	}
	return used_off + VIRTQ_USED_SIZE(size);
}

/* [a, a + alen) and [b, b + blen) share a byte (lengths are small: no overflow). */
static int overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The parts' addresses are aligned, do not wrap and do not overlap. */
static int mem_valid(const struct virtq_mem *mem, uint32_t size, const struct virtq_slot *slots)
{
	const uint64_t limit = UINT64_MAX - (1ull << 32);
	uint64_t addr[4] = {(uintptr_t)mem->desc, (uintptr_t)mem->avail, (uintptr_t)mem->used,
			    (uintptr_t)slots};
	uint64_t phys[3] = {mem->desc_phys, mem->avail_phys, mem->used_phys};
	uint64_t len[4] = {VIRTQ_DESC_SIZE(size), VIRTQ_AVAIL_SIZE(size), VIRTQ_USED_SIZE(size),
			   (uint64_t)size * sizeof(*slots)};
	uint64_t align[3] = {VIRTQ_DESC_ALIGN, VIRTQ_AVAIL_ALIGN, VIRTQ_USED_ALIGN};

	for (int i = 0; i < 4; i++) {
		if (addr[i] == 0 || addr[i] > limit)
			return 0;
		if (i < 3 && (addr[i] % align[i] || phys[i] % align[i] || phys[i] > limit))
			return 0;
		for (int j = 0; j < i; j++) {
			if (overlap(addr[i], len[i], addr[j], len[j]))
				return 0;
			if (i < 3 && overlap(phys[i], len[i], phys[j], len[j]))
				return 0;
		}
	}
	return 1;
}

int virtq_init(struct virtq *q, uint32_t size, const struct virtq_mem *mem,
	       struct virtq_slot *slots, uint64_t features)
{
	if (!q || !mem || !slots || size == 0 || size > VIRTQ_SIZE_MAX || (size & (size - 1)))
		return VIRTQ_E_INVAL;
	if (features & VIRTIO_FEATURE(VIRTIO_F_RING_PACKED))
		return VIRTQ_E_INVAL;
	if (!mem_valid(mem, size, slots))
		return VIRTQ_E_INVAL;

	memset(q, 0, sizeof(*q));
	q->desc = mem->desc;
	q->avail = mem->avail;
	q->used = mem->used;
	q->slots = slots;
	q->size = size;
	q->num_free = size;
	q->event_idx = (features & VIRTIO_FEATURE(VIRTIO_F_EVENT_IDX)) != 0;
	q->interrupts = 1;
	/* The device is not running yet (the queue is not enabled): plain stores do. */
	memset(mem->desc, 0, VIRTQ_DESC_SIZE(size));
	memset(mem->avail, 0, VIRTQ_AVAIL_SIZE(size));
	memset(mem->used, 0, VIRTQ_USED_SIZE(size));
	for (uint32_t i = 0; i < size; i++) {
		slots[i] = (struct virtq_slot){.next = (uint16_t)(i + 1), .state = SLOT_FREE};
	}
	return VIRTQ_OK;
}

/*
 * Check the buffers of a chain: none empty or wrapping, at most 2^32 bytes in all
 * (§2.7.5.2; used.len could not count more). Their device-writable bytes, or -1.
 */
static int64_t chain_writable(const struct virtq_buf *bufs, uint32_t n_out, uint32_t n)
{
	int64_t writable = 0, total = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (bufs[i].len == 0 || bufs[i].addr > UINT64_MAX - bufs[i].len)
			return -1;
		total += bufs[i].len; /* n <= 32768: no overflow */
		if (i >= n_out)
			writable += bufs[i].len;
	}
	return total > CHAIN_BYTES_MAX ? -1 : writable;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, uint32_t n_out, uint32_t n_in,
	      void *token)
{
	if (q->error)
		return VIRTQ_E_BROKEN;
	if (!bufs || n_out > q->size || n_in > q->size || n_out + n_in == 0 ||
	    n_out + n_in > q->size)
		return VIRTQ_E_INVAL;
	uint32_t n = n_out + n_in;
	int64_t writable = chain_writable(bufs, n_out, n);
	if (writable < 0)
		return VIRTQ_E_INVAL;
	if (n > q->num_free)
		return VIRTQ_E_FULL;

	uint16_t head = q->free_head, idx = head;
	for (uint32_t i = 0; i < n; i++) {
		struct virtq_slot *slot = &q->slots[idx];
		struct virtq_desc *desc = &q->desc[idx];
		uint16_t flags = i >= n_out ? VIRTQ_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		desc->addr = bufs[i].addr;
		desc->len = bufs[i].len;
		desc->flags = flags;
		desc->next = i + 1 < n ? slot->next : 0;
		slot->state = i == 0 ? SLOT_HEAD : SLOT_BODY;
		idx = slot->next;
	}
	q->free_head = idx;
	q->num_free -= n;
	q->slots[head].token = token;
	q->slots[head].writable = (uint64_t)writable;
	q->slots[head].count = (uint16_t)n; /* n <= 32768 */
	q->in_flight++;
	if (q->added < UINT32_MAX)
		q->added++;

	store16(&q->avail->ring[q->avail_idx & (q->size - 1)], head);
	q->avail_idx++;
	/* Release: the device must see the chain and ring entry before the index. */
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	return head;
}

int virtq_need_notify(struct virtq *q)
{
	if (q->error)
		return VIRTQ_E_BROKEN;
	uint16_t old = q->notified_idx, new_idx = q->avail_idx;
	uint32_t added = q->added;
	if (added == 0)
		return 0;
	q->notified_idx = new_idx;
	q->added = 0;
	/* Our avail.idx store must be visible before we read the device's wishes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* 16-bit indices cannot tell whether 65536 or more adds crossed avail_event. */
	if (added > 0xffff)
		return 1;
	if (q->event_idx)
		return virtq_need_event(load16(avail_event(q)), new_idx, old);
	return !(load16(&q->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
}

/* Mark q broken for err, remembering the offending values for the driver's log. */
static int fail(struct virtq *q, int err, uint16_t idx, uint32_t id, uint32_t len)
{
	q->error = err;
	q->bad_idx = idx;
	q->bad_id = id;
	q->bad_len = len;
	return err;
}

/* Return the chain at head to the free list (private links only). */
static void free_chain(struct virtq *q, uint16_t head)
{
	struct virtq_slot *slot = &q->slots[head];
	uint16_t count = slot->count, idx = head;

	for (uint16_t i = 0;; i++) {
		q->slots[idx].state = SLOT_FREE;
		q->slots[idx].count = 0;
		if (i + 1 == count)
			break;
		idx = q->slots[idx].next;
	}
	q->slots[idx].next = q->free_head;
	q->free_head = head;
	q->num_free += count;
	q->in_flight--;
	slot->token = NULL;
	slot->writable = 0;
}

int virtq_get_used(struct virtq *q, void **token, uint32_t *len)
{
	if (q->error)
		return VIRTQ_E_BROKEN;
	/* Acquire: the entries are read after the index that covers them. */
	uint16_t used_idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(used_idx - q->last_used);
	if (pending == 0)
		return 0;
	if (pending > q->in_flight)
		return fail(q, VIRTQ_E_USED_IDX, used_idx, 0, 0);

	struct virtq_used_elem *elem = &q->used->ring[q->last_used & (q->size - 1)];
	uint32_t id = load32(&elem->id), n = load32(&elem->len);
	if (id >= q->size)
		return fail(q, VIRTQ_E_USED_ID_RANGE, q->last_used, id, n);
	struct virtq_slot *slot = &q->slots[id];
	if (slot->state == SLOT_FREE)
		return fail(q, VIRTQ_E_USED_ID_FREE, q->last_used, id, n);
	if (slot->state != SLOT_HEAD)
		return fail(q, VIRTQ_E_USED_ID_BODY, q->last_used, id, n);
	if (n > slot->writable)
		return fail(q, VIRTQ_E_USED_LEN, q->last_used, id, n);

	if (token)
		*token = slot->token;
	if (len)
		*len = n;
	free_chain(q, (uint16_t)id);
	q->last_used++;
	/* A hint: ask for an interrupt at the next entry (see virtq_enable_interrupts). */
	if (q->event_idx && q->interrupts)
		store16(used_event(q), q->last_used);
	return 1;
}

int virtq_enable_interrupts(struct virtq *q)
{
	if (q->error)
		return VIRTQ_E_BROKEN;
	q->interrupts = 1;
	if (q->event_idx)
		store16(used_event(q), q->last_used);
	else
		store16(&q->avail->flags, 0);
	/* Our request must be visible before we look for entries that beat it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16(&q->used->idx) != q->last_used;
}

void virtq_disable_interrupts(struct virtq *q)
{
	if (q->error)
		return;
	q->interrupts = 0;
	/*
	 * With event indices the flag must stay 0 (§2.7.7); used_event is simply no
	 * longer advanced, so at most one more interrupt comes.
	 */
	if (!q->event_idx)
		store16(&q->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
}

int virtq_reclaim(struct virtq *q, void **token)
{
	while (q->reclaim_pos < q->size) {
		uint16_t idx = (uint16_t)q->reclaim_pos++;

		if (q->slots[idx].state != SLOT_HEAD)
			continue;
		if (token)
			*token = q->slots[idx].token;
		free_chain(q, idx);
		return 1;
	}
	return 0;
}

int virtq_error(const struct virtq *q)
{
	return q->error;
}

static const char *const error_text[VIRTQ_E_COUNT] = {
    [-VIRTQ_OK] = "ok",
    [-VIRTQ_E_INVAL] = "invalid argument",
    [-VIRTQ_E_FULL] = "queue full",
    [-VIRTQ_E_BROKEN] = "queue broken",
    [-VIRTQ_E_NO_VERSION_1] = "VIRTIO_F_VERSION_1 not offered",
    [-VIRTQ_E_USED_IDX] = "device moved used index past the requests in flight",
    [-VIRTQ_E_USED_ID_RANGE] = "device returned an id beyond the queue",
    [-VIRTQ_E_USED_ID_FREE] = "device returned a free descriptor (a repeat?)",
    [-VIRTQ_E_USED_ID_BODY] = "device returned a descriptor inside a chain",
    [-VIRTQ_E_USED_LEN] = "device wrote more than the chain holds",
};

const char *virtq_strerror(int err)
{
	if (err > 0 || err <= -VIRTQ_E_COUNT)
		return "unknown virtqueue error";
	return error_text[-err];
}

int virtio_negotiate(uint64_t device, uint64_t driver, uint64_t *accepted)
{
	const uint64_t version_1 = VIRTIO_FEATURE(VIRTIO_F_VERSION_1);

	if (!accepted)
		return VIRTQ_E_INVAL;
	*accepted = 0;
	if (!(device & version_1) || !(driver & version_1))
		return VIRTQ_E_NO_VERSION_1;
	*accepted = device & driver & (~VIRTIO_TRANSPORT_FEATURES_MASK | LIBRARY_FEATURES);
	return VIRTQ_OK;
}
