/* SPDX-License-Identifier: MIT */
/*
 * The client side of the block protocol (<kosh/proto/block.h>, docs/block.md):
 * open a block device through the namespace ("dev:///vdb1"), check GET_INFO's
 * answer, give the server a buffer (a frame made here, SET_BUFFER), and read,
 * write and flush sector ranges through it.
 *
 * A driver that restarts forgets buffers (it answers ENOBUFS: the buffer is
 * given again and the request repeated), one that dies holding a request makes
 * the call fail with KOSH_E_PEER_CLOSED, and one with every slot busy answers
 * EAGAIN: each of these is retried until retry_ns have passed since the
 * request began, and counted in stats. Other errors are returned as they are.
 *
 * Several threads may call at once, each with its own part of the buffer.
 */
#ifndef KOSH_USER_BLOCKDEV_H
#define KOSH_USER_BLOCKDEV_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/proto/block.h>

#define KOSH_BLOCKDEV_RETRY_NS	 10000000000ull /* default: a driver restart takes less */
#define KOSH_BLOCKDEV_CALL_NS	 30000000000ull /* one call's timeout */

struct kosh_blockdev_stats {
	uint64_t again;	   /* EAGAIN answers retried */
	uint64_t rebuffer; /* ENOBUFS answers: SET_BUFFER sent again (a driver restart) */
	uint64_t lost;	   /* calls that failed at the IPC level and were retried */
};

struct kosh_blockdev {
	kosh_handle_t dev;   /* the device (a badged endpoint) */
	kosh_handle_t frame; /* the buffer's frame */
	uint8_t *buffer;     /* mapped here, buffer_size bytes */
	uint64_t buffer_size;
	uint32_t sector_size;
	uint32_t flags; /* KOSH_BLOCK_F_* */
	uint64_t sectors;
	uint64_t retry_ns; /* how long a request is retried (KOSH_BLOCKDEV_RETRY_NS) */
	struct kosh_blockdev_stats stats;
	kosh_handle_t timer; /* a notification nothing signals: waits between retries */
};

/*
 * Open uri (a block device) through ns (normally kosh_vfs()), with buffer_size
 * bytes of buffer (whole pages, at most KOSH_BLOCK_BUFFER_MAX; 0: 64 KiB). 0, or
 * a KOSH_BLOCK_E* error (the open's own errors come back as they are: ENOENT is
 * 2 in both protocols; a reply that is not a valid GET_INFO is EPROTO).
 */
uint32_t kosh_blockdev_open(struct kosh_blockdev *b, kosh_handle_t ns, const char *uri,
			    uint64_t buffer_size);

/* The same over a device handle already held (taken over: closed by kosh_blockdev_close). */
uint32_t kosh_blockdev_attach(struct kosh_blockdev *b, kosh_handle_t dev, uint64_t buffer_size);

/* Sectors [sector, sector + count) to or from b->buffer + offset. 0 or a KOSH_BLOCK_E* error. */
uint32_t kosh_blockdev_read(struct kosh_blockdev *b, uint64_t sector, uint64_t count,
			    uint64_t offset);
uint32_t kosh_blockdev_write(struct kosh_blockdev *b, uint64_t sector, uint64_t count,
			     uint64_t offset);
/* Writes answered before this reach stable storage. */
uint32_t kosh_blockdev_flush(struct kosh_blockdev *b);

/* GET_INFO again (the device's size may have changed): b's fields are updated. */
uint32_t kosh_blockdev_info(struct kosh_blockdev *b);

/* CLOSE the device, drop the buffer. */
void kosh_blockdev_close(struct kosh_blockdev *b);

#endif
