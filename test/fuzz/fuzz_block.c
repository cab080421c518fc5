/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the block protocol's checks (shared/lib/block.c). The
 * input is a GET_INFO reply (sector size, sectors, flags), a buffer size, a tag
 * and four register words. Decode may only accept a request whose sectors lie
 * inside the device and whose bytes lie inside the buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/proto/block.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	uint64_t v[9] = {0};
	struct kosh_block_limits lim;
	struct kosh_block_request req;

	memcpy(v, in, size < sizeof(v) ? size : sizeof(v));
	/* The reply as it came: accepted only if sane. */
	if (kosh_block_info_check(v[0], v[1], v[2], &lim) == 0)
		CHECK(lim.sectors != 0 && lim.sector_size >= KOSH_BLOCK_SECTOR_MIN &&
		      lim.sector_size <= KOSH_BLOCK_SECTOR_MAX &&
		      (lim.sector_size & (lim.sector_size - 1)) == 0 &&
		      lim.sectors <= UINT64_MAX / lim.sector_size);
	/* Then limits that are valid more often than not, for the decoder. */
	if (kosh_block_info_check(512u << (v[0] & 3), v[1] & 0x8000 ? v[1] : v[1] & 0xffff,
				  v[2] & 1, &lim) != 0)
		return 0;
	lim.buffer_size = v[3] & 0x8000 ? v[3] : (v[3] & 0xff) * KOSH_BLOCK_PAGE;
	if (lim.buffer_size > KOSH_BLOCK_BUFFER_MAX)
		lim.buffer_size = KOSH_BLOCK_BUFFER_MAX;
	if (kosh_block_decode(v[4], &v[5], &lim, &req) != 0)
		return 0;
	CHECK(req.op >= KOSH_BLOCK_GET_INFO && req.op <= KOSH_BLOCK_FLUSH);
	if (req.op == KOSH_BLOCK_READ || req.op == KOSH_BLOCK_WRITE) {
		CHECK(req.count >= 1 && req.sector < lim.sectors &&
		      req.count <= lim.sectors - req.sector);
		CHECK(req.bytes == req.count * lim.sector_size &&
		      req.bytes / lim.sector_size == req.count);
		CHECK(req.offset % lim.sector_size == 0 && req.offset < lim.buffer_size &&
		      req.bytes <= lim.buffer_size - req.offset);
		CHECK(req.op == KOSH_BLOCK_READ || !(lim.flags & KOSH_BLOCK_F_READ_ONLY));
	}
	/* A buffer, whether the client had one or not (a second one replaces the first). */
	if (req.op == KOSH_BLOCK_SET_BUFFER)
		CHECK(req.bytes != 0 && req.bytes <= KOSH_BLOCK_BUFFER_MAX &&
		      req.bytes % KOSH_BLOCK_PAGE == 0 && req.caps == 1);
	return 0;
}
