/* SPDX-License-Identifier: MIT */
/*
 * The block protocol (docs/block.md): what a disk driver (virtio-blk) serves for
 * each disk and each partition on it, and what file systems and tools speak to it.
 *
 * A block device is an endpoint handle; its badge names the device (the whole
 * disk or one partition) and the client. Data does not travel in messages: each
 * client gives the server, once, a frame that both map (SET_BUFFER), and READ and
 * WRITE name a sector range and a byte offset in that buffer. Requests carry only
 * register words, so every call takes the IPC fast path.
 *
 * Several requests may be in flight: a client calls from several threads, each
 * with its own part of the buffer; the server saves each reply (reply_save) and
 * answers when the device completes it, in any order. Requests in flight at the
 * same time are not ordered among themselves (two writes to the same sectors
 * leave either's data); FLUSH makes every write whose reply came before it was
 * sent durable.
 *
 * Messages. The label is the operation (from 64, so that one endpoint may serve
 * both the file protocol and this one); the words are exactly those the
 * operation lists (no more, no fewer). A reply's label is 0 on success or one of
 * the KOSH_BLOCK_E* errors (the numbers of the Linux ABI's errno, as
 * KOSH_VFS_E*), and nothing else of a failed reply is meaningful. Every field a
 * server receives is checked (shared/lib/block.c) before it is used.
 */
#ifndef KOSH_PROTO_BLOCK_H
#define KOSH_PROTO_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>

/* Operations (the label of a request). */
enum kosh_block_op {
	/* - | reply: w0 sector size (bytes), w1 sectors, w2 KOSH_BLOCK_F_* */
	KOSH_BLOCK_GET_INFO = 64,
	/*
	 * w0 bytes; cap 0 a frame (rights: map, read, write) of at least that size |
	 * reply: -. Once per client (EBUSY after); the server maps it and keeps it
	 * until the client's handle is gone.
	 */
	KOSH_BLOCK_SET_BUFFER = 65,
	/* w0 first sector, w1 sectors, w2 byte offset in the buffer | reply: - (data in the buffer) */
	KOSH_BLOCK_READ = 66,
	/* w0 first sector, w1 sectors, w2 byte offset in the buffer (the data) | reply: - */
	KOSH_BLOCK_WRITE = 67,
	/* - : writes answered before this was sent reach stable storage | reply: - */
	KOSH_BLOCK_FLUSH = 68,
};

/* GET_INFO flags (reply word 2). */
#define KOSH_BLOCK_F_READ_ONLY 0x1u /* WRITE answers EROFS (FLUSH succeeds: nothing to do) */
#define KOSH_BLOCK_F_ALL       0x1u

/* Sizes. */
#define KOSH_BLOCK_SECTOR_MIN 512u                  /* a sector size is a power of two in MIN .. MAX */
#define KOSH_BLOCK_SECTOR_MAX 4096u
#define KOSH_BLOCK_PAGE	      4096u                 /* a buffer is whole pages of this size */
#define KOSH_BLOCK_BUFFER_MAX (16u * 1024u * 1024u) /* bytes of one client's buffer */

/* Errors (a reply's label): the Linux ABI's errno numbers. */
#define KOSH_BLOCK_EIO	   5u   /* the device failed the request */
#define KOSH_BLOCK_ENXIO   6u   /* sectors past the end of the device */
#define KOSH_BLOCK_EAGAIN  11u  /* too many requests in flight, or SET_BUFFER while the client's are: try again */
#define KOSH_BLOCK_ENOMEM  12u  /* the server could not map the buffer */
#define KOSH_BLOCK_ENODEV  19u  /* the device is gone (a partition removed, the driver restarting) */
#define KOSH_BLOCK_EINVAL  22u  /* a bad count, size, offset or alignment */
#define KOSH_BLOCK_EROFS   30u  /* WRITE on a read-only device */
#define KOSH_BLOCK_ENOSYS  38u  /* an unknown operation */
#define KOSH_BLOCK_EPROTO  71u  /* a malformed message (tag, word count, capabilities) */
#define KOSH_BLOCK_ENOBUFS 105u /* READ or WRITE before SET_BUFFER */

/*
 * shared/lib/block.c: the checks every side makes.
 */

/* What a server knows of one client of one device: the limits a request is checked against. */
struct kosh_block_limits {
	uint32_t sector_size; /* a power of two, KOSH_BLOCK_SECTOR_MIN .. MAX */
	uint32_t flags;	      /* KOSH_BLOCK_F_* */
	uint64_t sectors;     /* of the device (a partition: its own) */
	uint64_t buffer_size; /* bytes of this client's buffer; 0 before SET_BUFFER */
};

/* A request as a server sees it, after kosh_block_decode checked it. */
struct kosh_block_request {
	uint32_t op;	 /* enum kosh_block_op */
	uint32_t caps;	 /* capabilities that came with it (SET_BUFFER: 1) */
	uint64_t sector; /* READ, WRITE: first sector, and sector + count <= sectors */
	uint64_t count;	 /* READ, WRITE: sectors, >= 1 */
	uint64_t offset; /* READ, WRITE: bytes into the buffer, a multiple of the sector size */
	uint64_t bytes;	 /* READ, WRITE: count * sector size, offset + bytes <= buffer; SET_BUFFER: its size */
};

/*
 * Check a request (tag and register words) against the device and client
 * described by lim. Returns 0 and fills *req, or a KOSH_BLOCK_E* error: EPROTO
 * for a malformed tag (word count other than the operation's, capabilities
 * where none belong or missing, a move mask beyond them), ENOSYS for an unknown
 * label, EINVAL for a count of 0, an unaligned offset or a bad buffer size,
 * ENXIO for sectors past the end (overflowing 64 bits included), ENOBUFS
 * before SET_BUFFER, EROFS for WRITE on a
 * read-only device. lim must itself be valid (kosh_block_info_check).
 */
uint32_t kosh_block_decode(uint64_t tag, const uint64_t words[KOSH_MSG_WORDS_REG],
			   const struct kosh_block_limits *lim, struct kosh_block_request *req);

/*
 * A client's check of GET_INFO's reply words: sector size a power of two in
 * range, at least one sector, the byte size within 64 bits, no unknown flags.
 * Returns 0 and fills *lim (buffer_size 0), or KOSH_BLOCK_EPROTO.
 */
uint32_t kosh_block_info_check(uint64_t sector_size, uint64_t sectors, uint64_t flags,
			       struct kosh_block_limits *lim);

/* English text of a KOSH_BLOCK_E* error, "unknown error" otherwise. */
const char *kosh_block_strerror(uint32_t err);

#endif
