/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of a virtio 1.x split virtqueue (docs/virtio.md), over memory
 * the caller provides: no system calls, no allocation, so the same code runs in
 * userspace drivers and in host tests against a simulated device.
 *
 * The device is not trusted. Everything it can write (the used ring, and, being
 * able to DMA, the descriptor table and available ring too) is read once per
 * field and checked; the chains' links, lengths and tokens are kept in the
 * caller's private struct virtq_slot array, never read back from shared memory.
 * A device that breaks the protocol marks the queue broken: the reason is kept
 * (virtq_error, virtq_strerror), nothing more is freed or returned, and every
 * later call fails with VIRTQ_E_BROKEN until the driver resets the device and
 * collects its requests back with virtq_reclaim.
 *
 * One queue is used by one thread at a time (the caller serialises).
 */
#ifndef KOSH_VIRTQUEUE_H
#define KOSH_VIRTQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/virtio.h>

/* Results: 0 or a count on success, one of these (negative) on failure. */
enum virtq_err {
	VIRTQ_OK = 0,
	VIRTQ_E_INVAL = -1,	   /* a bad argument from the caller */
	VIRTQ_E_FULL = -2,	   /* not enough free descriptors now */
	VIRTQ_E_BROKEN = -3,	   /* the queue was broken earlier (see virtq_error) */
	VIRTQ_E_NO_VERSION_1 = -4, /* device or driver lacks VIRTIO_F_VERSION_1 */
	/* The device broke the protocol; the queue is now broken. */
	VIRTQ_E_USED_IDX = -5,	    /* used.idx moved past the requests in flight */
	VIRTQ_E_USED_ID_RANGE = -6, /* a used id beyond the queue */
	VIRTQ_E_USED_ID_FREE = -7,  /* a used id naming a free descriptor (or a repeat) */
	VIRTQ_E_USED_ID_BODY = -8,  /* a used id naming a descriptor inside a chain */
	VIRTQ_E_USED_LEN = -9,	    /* a used len beyond the chain's writable bytes */
};
#define VIRTQ_E_COUNT 10 /* number of codes, VIRTQ_OK included */

/* One buffer of a chain: guest-physical address and length (1 .. 2^32 - 1). */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
};

/* The three parts of the ring, where the driver sees them and where the device does. */
struct virtq_mem {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint64_t desc_phys;  /* 16-byte aligned */
	uint64_t avail_phys; /* 2-byte aligned */
	uint64_t used_phys;  /* 4-byte aligned */
};

/* The driver's private record of one descriptor (keep it out of DMA-able memory). */
struct virtq_slot {
	void *token;	   /* heads: the caller's token */
	uint64_t writable; /* heads: device-writable bytes of the chain */
	uint16_t next;	   /* the next descriptor in the chain, or in the free list */
	uint16_t count;	   /* heads: descriptors in the chain, 0 for a free descriptor */
	uint8_t state;	   /* free, head or body (virtqueue.c) */
};

struct virtq {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_slot *slots;
	uint32_t size; /* N, a power of two */
	uint32_t num_free;
	uint32_t in_flight; /* chains given to the device and not yet used */
	uint16_t free_head;
	uint16_t avail_idx;    /* our copy of avail.idx: never read back */
	uint16_t notified_idx; /* avail_idx at the last virtq_need_notify */
	uint32_t added;	       /* chains added since then (saturating) */
	uint16_t last_used;    /* the next used entry to consume */
	int event_idx;	       /* VIRTIO_F_EVENT_IDX was negotiated */
	int interrupts;	       /* the driver wants interrupts (virtq_enable_interrupts) */
	int error;	       /* VIRTQ_OK, or why the queue is broken */
	uint32_t bad_id;       /* the offending used entry, for the log */
	uint32_t bad_len;
	uint16_t bad_idx;
	uint32_t reclaim_pos; /* virtq_reclaim's scan */
};

/* Where the parts of a queue of `size` go in one contiguous region; its size in bytes. */
size_t virtq_layout(uint32_t size, void *base, uint64_t base_phys, struct virtq_mem *mem);

/*
 * Set q up over mem (the ring memory, zeroed here) and slots[size], for the
 * negotiated features. VIRTQ_E_INVAL if size is not a power of two in 1..32768, a
 * part is misaligned or missing, the parts (or slots) overlap, or the features
 * include VIRTIO_F_RING_PACKED.
 */
__attribute__((warn_unused_result)) int virtq_init(struct virtq *q, uint32_t size,
						   const struct virtq_mem *mem,
						   struct virtq_slot *slots, uint64_t features);

/*
 * Chain bufs[0, n_out) (device-readable) then bufs[n_out, n_out + n_in)
 * (device-writable) and make it available, publishing it to the device with a
 * release barrier. The head descriptor (>= 0), VIRTQ_E_FULL if fewer than
 * n_out + n_in descriptors are free, VIRTQ_E_INVAL for an empty chain, one longer
 * than the queue or than 2^32 bytes, or a bad buffer; VIRTQ_E_BROKEN.
 */
__attribute__((warn_unused_result)) int virtq_add(struct virtq *q, const struct virtq_buf *bufs,
						  uint32_t n_out, uint32_t n_in, void *token);

/*
 * 1 if the device must be notified of the chains added since the last call, else 0
 * (test with > 0: a broken queue gives VIRTQ_E_BROKEN). Follows the device's
 * avail_event with VIRTIO_F_EVENT_IDX, else its VIRTQ_USED_F_NO_NOTIFY flag.
 */
int virtq_need_notify(struct virtq *q);

/*
 * Take the next used chain: 1 with *token and *len (bytes written, checked against
 * the chain), 0 if there is none, or a negative error (the queue is then broken).
 */
__attribute__((warn_unused_result)) int virtq_get_used(struct virtq *q, void **token,
						       uint32_t *len);

/*
 * Ask for an interrupt at the next used chain; 1 if some are already used (drain
 * them: the interrupt for them may have been missed), 0 if the driver may wait,
 * VIRTQ_E_BROKEN. Interrupts are hints: a device may still send them while they
 * are disabled, and drivers must cope.
 */
int virtq_enable_interrupts(struct virtq *q);
void virtq_disable_interrupts(struct virtq *q);

/*
 * Once the device is reset (so it no longer touches the ring): free one chain still
 * outstanding and return 1 with its token, or 0 once none is left. Works on a broken
 * queue too. Uses only the private slots. Afterwards call virtq_init again (a reset
 * device starts the ring over at index 0) before adding anything.
 */
int virtq_reclaim(struct virtq *q, void **token);

/* Why q is broken (VIRTQ_OK if it is not); a short text for an error code. */
int virtq_error(const struct virtq *q);
const char *virtq_strerror(int err);

/*
 * Feature negotiation (§2.2, §3.1.1): *accepted = device ∩ driver, keeping of the
 * transport bits (24..49) only those this library implements (VERSION_1,
 * EVENT_IDX). VIRTQ_E_NO_VERSION_1 if either side lacks VIRTIO_F_VERSION_1 (legacy
 * devices are not supported).
 */
__attribute__((warn_unused_result)) int virtio_negotiate(uint64_t device, uint64_t driver,
							 uint64_t *accepted);

#endif
