/* SPDX-License-Identifier: MIT */
/*
 * The block protocol's client (<kosh/blockdev.h>). kosh_block_info_check is
 * shared/lib/block.c's: a program using this lists that file among its
 * sources until libkosh-shared carries it.
 */
#include <kosh/blockdev.h>
#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#define RETRY_PAUSE_NS 2000000ull /* between tries: a restart takes milliseconds */

static void pause_ns(struct kosh_blockdev *b, uint64_t ns)
{
	uint64_t bits;
	if (b->timer) {
		kosh_err_t e = kosh_notify_wait(b->timer, ns, &bits);
		if (e == KOSH_E_TIMED_OUT || e == KOSH_OK)
			return;
	}
	uint64_t end = (uint64_t)kosh_clock_get() + ns;
	while ((uint64_t)kosh_clock_get() < end)
		kosh_yield();
}

/* One call: the reply's label (0 or an error) and words, or an IPC error (< 0). */
static int64_t call(struct kosh_blockdev *b, uint32_t label, uint32_t words, uint64_t w0,
		    uint64_t w1, uint64_t w2, struct kosh_msg *reply)
{
	const struct kosh_msg m = { kosh_msg_tag(label, words, 0, 0), { w0, w1, w2, 0 } };
	kosh_err_t e = kosh_call(b->dev, &m, reply, KOSH_BLOCKDEV_CALL_NS);
	return e ? (int64_t)e : (int64_t)KOSH_MSG_LABEL(reply->tag);
}

/* SET_BUFFER with a copy of our frame (replacing what the server has). 0, or an error. */
static int64_t set_buffer(struct kosh_blockdev *b)
{
	struct kosh_msg reply;
	const struct kosh_msg m = { kosh_msg_tag(KOSH_BLOCK_SET_BUFFER, 1, 1, 0),
				    { b->buffer_size } };
	kosh_ipc_buffer()->caps[0] = b->frame;
	kosh_err_t e = kosh_call(b->dev, &m, &reply, KOSH_BLOCKDEV_CALL_NS);
	return e ? (int64_t)e : (int64_t)KOSH_MSG_LABEL(reply.tag);
}

/*
 * A request, retried through restarts: EAGAIN and IPC failures after a pause,
 * ENOBUFS after giving the buffer again, until retry_ns have passed.
 */
static uint32_t request(struct kosh_blockdev *b, uint32_t label, uint32_t words, uint64_t w0,
			uint64_t w1, uint64_t w2, struct kosh_msg *reply)
{
	uint64_t start = (uint64_t)kosh_clock_get();
	for (;;) {
		int64_t r = call(b, label, words, w0, w1, w2, reply);
		if (r == 0)
			return 0;
		if (r == KOSH_BLOCK_ENOBUFS) {
			__atomic_fetch_add(&b->stats.rebuffer, 1, __ATOMIC_RELAXED);
			int64_t s = set_buffer(b);
			if (s == 0)
				continue;
			r = s;
		}
		if (r > 0 && r != KOSH_BLOCK_EAGAIN)
			return (uint32_t)r;
		if ((uint64_t)kosh_clock_get() - start > b->retry_ns)
			return r > 0 ? (uint32_t)r : KOSH_BLOCK_EIO;
		if (r == KOSH_BLOCK_EAGAIN)
			__atomic_fetch_add(&b->stats.again, 1, __ATOMIC_RELAXED);
		else if (r == KOSH_E_BAD_HANDLE || r == KOSH_E_WRONG_TYPE ||
			 r == KOSH_E_ACCESS_DENIED || r == KOSH_E_INVALID_ARGUMENT)
			return KOSH_BLOCK_EIO; /* our own mistake: no retry mends it */
		else
			__atomic_fetch_add(&b->stats.lost, 1, __ATOMIC_RELAXED);
		pause_ns(b, r == KOSH_BLOCK_EAGAIN ? RETRY_PAUSE_NS / 10 : RETRY_PAUSE_NS);
	}
}

uint32_t kosh_blockdev_info(struct kosh_blockdev *b)
{
	struct kosh_msg reply;
	uint32_t err = request(b, KOSH_BLOCK_GET_INFO, 0, 0, 0, 0, &reply);
	if (err)
		return err;
	struct kosh_block_limits lim;
	if (KOSH_MSG_WORDS(reply.tag) < 3 ||
	    kosh_block_info_check(reply.words[0], reply.words[1], reply.words[2], &lim))
		return KOSH_BLOCK_EPROTO;
	b->sector_size = lim.sector_size;
	b->sectors = lim.sectors;
	b->flags = lim.flags;
	return 0;
}

uint32_t kosh_blockdev_attach(struct kosh_blockdev *b, kosh_handle_t dev, uint64_t buffer_size)
{
	*b = (struct kosh_blockdev){ .dev = dev, .retry_ns = KOSH_BLOCKDEV_RETRY_NS };
	/* Made now: threads sharing b must not race to make it in pause_ns. */
	int64_t timer = kosh_notification_create(kosh_self()->quota);
	if (timer > 0)
		b->timer = (kosh_handle_t)timer;
	if (!buffer_size)
		buffer_size = 64u << 10;
	if (buffer_size % KOSH_BLOCK_PAGE || buffer_size > KOSH_BLOCK_BUFFER_MAX) {
		kosh_handle_close(dev);
		b->dev = 0;
		return KOSH_BLOCK_EINVAL;
	}
	uint32_t err = kosh_blockdev_info(b);
	if (err)
		goto fail;
	int64_t f = kosh_frame_new(kosh_self()->quota, buffer_size);
	kosh_err_t e = KOSH_OK;
	void *va = f < 0 ? NULL
			 : kosh_frame_map((kosh_handle_t)f, 0, buffer_size,
					  KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &e);
	if (!va) {
		if (f >= 0)
			kosh_handle_close((kosh_handle_t)f);
		err = KOSH_BLOCK_ENOMEM;
		goto fail;
	}
	b->frame = (kosh_handle_t)f;
	b->buffer = va;
	b->buffer_size = buffer_size;
	/* EAGAIN: a predecessor on this handle (a restarted client) has a request in flight. */
	uint64_t start = (uint64_t)kosh_clock_get();
	int64_t r;
	while ((r = set_buffer(b)) == KOSH_BLOCK_EAGAIN &&
	       (uint64_t)kosh_clock_get() - start <= b->retry_ns)
		pause_ns(b, RETRY_PAUSE_NS / 10);
	if (r == 0)
		return 0;
	err = r > 0 ? (uint32_t)r : KOSH_BLOCK_EIO;
fail:
	kosh_blockdev_close(b);
	return err;
}

uint32_t kosh_blockdev_open(struct kosh_blockdev *b, kosh_handle_t ns, const char *uri,
			    uint64_t buffer_size)
{
	kosh_handle_t dev;
	uint32_t type;
	uint64_t size;
	*b = (struct kosh_blockdev){ 0 };
	uint32_t err =
	    kosh_file_open(ns, uri, KOSH_VFS_O_READ | KOSH_VFS_O_WRITE, &dev, &type, &size);
	if (err == KOSH_VFS_EROFS)
		err = kosh_file_open(ns, uri, KOSH_VFS_O_READ, &dev, &type, &size);
	if (err)
		return err;
	return kosh_blockdev_attach(b, dev, buffer_size);
}

uint32_t kosh_blockdev_read(struct kosh_blockdev *b, uint64_t sector, uint64_t count,
			    uint64_t offset)
{
	struct kosh_msg reply;
	return request(b, KOSH_BLOCK_READ, 3, sector, count, offset, &reply);
}

uint32_t kosh_blockdev_write(struct kosh_blockdev *b, uint64_t sector, uint64_t count,
			     uint64_t offset)
{
	struct kosh_msg reply;
	return request(b, KOSH_BLOCK_WRITE, 3, sector, count, offset, &reply);
}

uint32_t kosh_blockdev_flush(struct kosh_blockdev *b)
{
	struct kosh_msg reply;
	return request(b, KOSH_BLOCK_FLUSH, 0, 0, 0, 0, &reply);
}

void kosh_blockdev_close(struct kosh_blockdev *b)
{
	if (b->dev)
		(void)kosh_file_close(b->dev);
	if (b->buffer)
		(void)kosh_frame_unmap(b->buffer, b->buffer_size);
	if (b->frame)
		kosh_handle_close(b->frame);
	if (b->timer)
		kosh_handle_close(b->timer);
	*b = (struct kosh_blockdev){ 0 };
}
