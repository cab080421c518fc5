/* SPDX-License-Identifier: MIT */
/*
 * The checks of the block protocol (<kosh/proto/block.h>, docs/block.md): a
 * server decodes each request with kosh_block_decode before it looks at a
 * field, a client checks GET_INFO's reply with kosh_block_info_check.
 *
 * A request that passes names sectors inside the device and bytes inside the
 * client's buffer, with every sum computed so that it cannot wrap: the server
 * may add the partition's start and hand the range to the device as it is.
 */
#include <kosh/proto/block.h>
#include <kosh/string.h>

struct op_shape {
	uint8_t known; /* 1: an operation (the table has gaps) */
	uint8_t words; /* register words it carries, exactly */
	uint8_t caps;  /* capabilities it carries, exactly */
};

#define OP_FIRST KOSH_BLOCK_GET_INFO
static const struct op_shape shapes[] = {
    [KOSH_BLOCK_GET_INFO - OP_FIRST] = {1, 0, 0}, [KOSH_BLOCK_SET_BUFFER - OP_FIRST] = {1, 1, 1},
    [KOSH_BLOCK_READ - OP_FIRST] = {1, 3, 0},	  [KOSH_BLOCK_WRITE - OP_FIRST] = {1, 3, 0},
    [KOSH_BLOCK_FLUSH - OP_FIRST] = {1, 0, 0},
};
#define SHAPES_COUNT (sizeof(shapes) / sizeof(shapes[0]))

static int power_of_two(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* SET_BUFFER: whole pages, at most BUFFER_MAX (a second one replaces the first). */
static uint32_t decode_buffer(const struct kosh_block_limits *lim, uint64_t size,
			      struct kosh_block_request *req)
{
	(void)lim;
	if (size == 0 || size > KOSH_BLOCK_BUFFER_MAX || size % KOSH_BLOCK_PAGE != 0)
		return KOSH_BLOCK_EINVAL;
	req->bytes = size;
	return 0;
}

/*
 * READ, WRITE: the sectors inside the device, then the bytes inside the buffer.
 * sector < sectors is checked first, so sectors - sector cannot wrap; count is
 * bounded by the buffer's sectors before it is multiplied.
 */
static uint32_t decode_io(const struct kosh_block_limits *lim, const uint64_t *w,
			  struct kosh_block_request *req)
{
	uint64_t sector = w[0], count = w[1], offset = w[2];
	uint64_t size = lim->sector_size;

	if (req->op == KOSH_BLOCK_WRITE && (lim->flags & KOSH_BLOCK_F_READ_ONLY))
		return KOSH_BLOCK_EROFS;
	if (lim->buffer_size == 0)
		return KOSH_BLOCK_ENOBUFS;
	if (count == 0)
		return KOSH_BLOCK_EINVAL;
	if (sector >= lim->sectors || count > lim->sectors - sector)
		return KOSH_BLOCK_ENXIO;
	if (offset % size != 0 || offset >= lim->buffer_size ||
	    count > (lim->buffer_size - offset) / size)
		return KOSH_BLOCK_EINVAL;
	req->sector = sector;
	req->count = count;
	req->offset = offset;
	req->bytes = count * size;
	return 0;
}

uint32_t kosh_block_decode(uint64_t tag, const uint64_t words[KOSH_MSG_WORDS_REG],
			   const struct kosh_block_limits *lim, struct kosh_block_request *req)
{
	uint32_t op = KOSH_MSG_LABEL(tag), nwords = KOSH_MSG_WORDS(tag), caps = KOSH_MSG_CAPS(tag);
	const struct op_shape *sh;

	memset(req, 0, sizeof(*req));
	req->op = op;
	req->caps = caps;
	if (((uint32_t)tag & KOSH_MSG_TAG_RESERVED) != 0 || nwords > KOSH_MSG_WORDS_MAX ||
	    caps > KOSH_MSG_CAPS_MAX)
		return KOSH_BLOCK_EPROTO;
	if (op < OP_FIRST || op - OP_FIRST >= SHAPES_COUNT || !shapes[op - OP_FIRST].known)
		return KOSH_BLOCK_ENOSYS;
	sh = &shapes[op - OP_FIRST];
	/* A moved capability the message does not carry is as malformed as a missing one. */
	if (nwords != sh->words || caps != sh->caps || (KOSH_MSG_MOVE(tag) >> caps) != 0)
		return KOSH_BLOCK_EPROTO;
	switch (op) {
	case KOSH_BLOCK_SET_BUFFER:
		return decode_buffer(lim, words[0], req);
	case KOSH_BLOCK_READ:
	case KOSH_BLOCK_WRITE:
		return decode_io(lim, words, req);
	default: /* GET_INFO, FLUSH: nothing more to check */
		return 0;
	}
}

uint32_t kosh_block_info_check(uint64_t sector_size, uint64_t sectors, uint64_t flags,
			       struct kosh_block_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	if (!power_of_two(sector_size) || sector_size < KOSH_BLOCK_SECTOR_MIN ||
	    sector_size > KOSH_BLOCK_SECTOR_MAX)
		return KOSH_BLOCK_EPROTO;
	if (sectors == 0 || sectors > UINT64_MAX / sector_size)
		return KOSH_BLOCK_EPROTO;
	if ((flags & ~(uint64_t)KOSH_BLOCK_F_ALL) != 0)
		return KOSH_BLOCK_EPROTO;
	lim->sector_size = (uint32_t)sector_size;
	lim->sectors = sectors;
	lim->flags = (uint32_t)flags;
	return 0;
}

static const char *const error_texts[] = {
    [KOSH_BLOCK_EIO] = "input/output error",
    [KOSH_BLOCK_ENXIO] = "sectors past the end of the device",
    [KOSH_BLOCK_EAGAIN] = "too many requests in flight",
    [KOSH_BLOCK_ENOMEM] = "out of memory",
    [KOSH_BLOCK_ENODEV] = "no such device",
    [KOSH_BLOCK_EINVAL] = "invalid argument",
    [KOSH_BLOCK_EROFS] = "read-only device",
    [KOSH_BLOCK_ENOSYS] = "operation not supported",
    [KOSH_BLOCK_EPROTO] = "malformed message",
    [KOSH_BLOCK_ENOBUFS] = "no buffer set",
};

const char *kosh_block_strerror(uint32_t err)
{
	if (err < sizeof(error_texts) / sizeof(error_texts[0]) && error_texts[err] != NULL)
		return error_texts[err];
	return "unknown error";
}
