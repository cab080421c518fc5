/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the block protocol's checks (shared/lib/block.c): each
 * operation's word and capability count, the move mask, unknown labels, counts
 * of 0, ranges at, past and wrapping around the device's end, buffer offsets
 * and lengths at and past the buffer's end (and overflowing), SET_BUFFER sizes
 * and a second SET_BUFFER, read-only devices, and GET_INFO replies as a client
 * checks them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/proto/block.h>

/* A 1000-sector disk of 512-byte sectors, 64 KiB of buffer (128 sectors). */
static const struct kosh_block_limits disk = {512, 0, 1000, 65536};

static uint32_t decode(uint32_t op, uint32_t words, uint32_t caps, uint64_t w0, uint64_t w1,
		       uint64_t w2, const struct kosh_block_limits *lim,
		       struct kosh_block_request *req)
{
	uint64_t w[KOSH_MSG_WORDS_REG] = {w0, w1, w2, 0};
	return kosh_block_decode(kosh_msg_tag(op, words, caps, 0), w, lim, req);
}

static uint32_t io(uint32_t op, uint64_t sector, uint64_t count, uint64_t offset,
		   const struct kosh_block_limits *lim)
{
	struct kosh_block_request req;
	return decode(op, 3, 0, sector, count, offset, lim, &req);
}

static void test_shapes(void **state)
{
	struct kosh_block_request req;
	static const struct {
		uint32_t op, words, caps;
	} ok[] = {
	    {KOSH_BLOCK_GET_INFO, 0, 0}, {KOSH_BLOCK_SET_BUFFER, 1, 1}, {KOSH_BLOCK_READ, 3, 0},
	    {KOSH_BLOCK_WRITE, 3, 0},	 {KOSH_BLOCK_FLUSH, 0, 0},
	};
	struct kosh_block_limits nobuf = disk;

	nobuf.buffer_size = 0;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int set = ok[i].op == KOSH_BLOCK_SET_BUFFER;
		const struct kosh_block_limits *lim = set ? &nobuf : &disk;
		uint64_t w0 = set ? 4096 : 0;
		assert_int_equal(decode(ok[i].op, ok[i].words, ok[i].caps, w0, 1, 0, lim, &req), 0);
		assert_int_equal(req.op, ok[i].op);
		assert_int_equal(req.caps, ok[i].caps);
		/* One word more or fewer, a capability more or fewer: malformed. */
		for (uint32_t w = 0; w <= KOSH_MSG_WORDS_MAX; w += (w < 8 ? 1 : 100)) {
			if (w != ok[i].words)
				assert_int_equal(
				    decode(ok[i].op, w, ok[i].caps, w0, 1, 0, lim, &req),
				    KOSH_BLOCK_EPROTO);
		}
		for (uint32_t c = 0; c <= KOSH_MSG_CAPS_MAX; c++) {
			if (c != ok[i].caps)
				assert_int_equal(
				    decode(ok[i].op, ok[i].words, c, w0, 1, 0, lim, &req),
				    KOSH_BLOCK_EPROTO);
		}
	}
}

static void test_labels_and_tag(void **state)
{
	struct kosh_block_request req;
	uint64_t w[KOSH_MSG_WORDS_REG] = {0, 1, 0, 0};
	static const uint32_t unknown[] = {
	    0, 1, 16, 63, 69, 70, 128, 0xffff, KOSH_LABEL_KERNEL, UINT32_MAX};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_int_equal(decode(unknown[i], 0, 0, 0, 0, 0, &disk, &req), KOSH_BLOCK_ENOSYS);
	/* Reserved tag bits, each one. */
	for (int b = 0; b < 32; b++) {
		uint64_t tag = kosh_msg_tag(KOSH_BLOCK_READ, 3, 0, 0) | (1ull << b);
		if ((1u << b) & KOSH_MSG_TAG_RESERVED)
			assert_int_equal(kosh_block_decode(tag, w, &disk, &req), KOSH_BLOCK_EPROTO);
	}
	/* A move mask naming capabilities the message does not carry. */
	assert_int_equal(kosh_block_decode(kosh_msg_tag(KOSH_BLOCK_READ, 3, 0, 1), w, &disk, &req),
			 KOSH_BLOCK_EPROTO);
	struct kosh_block_limits nobuf = disk;
	nobuf.buffer_size = 0;
	w[0] = 4096;
	assert_int_equal(
	    kosh_block_decode(kosh_msg_tag(KOSH_BLOCK_SET_BUFFER, 1, 1, 1), w, &nobuf, &req), 0);
	assert_int_equal(
	    kosh_block_decode(kosh_msg_tag(KOSH_BLOCK_SET_BUFFER, 1, 1, 2), w, &nobuf, &req),
	    KOSH_BLOCK_EPROTO);
	assert_int_equal(
	    kosh_block_decode(kosh_msg_tag(KOSH_BLOCK_SET_BUFFER, 1, 1, 8), w, &nobuf, &req),
	    KOSH_BLOCK_EPROTO);
}

static void test_io_ranges(void **state)
{
	struct kosh_block_request req;

	assert_int_equal(decode(KOSH_BLOCK_READ, 3, 0, 10, 8, 4096, &disk, &req), 0);
	assert_int_equal(req.sector, 10);
	assert_int_equal(req.count, 8);
	assert_int_equal(req.offset, 4096);
	assert_int_equal(req.bytes, 4096);
	/* Count 0. */
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 0, 0, &disk), KOSH_BLOCK_EINVAL);
	/* The device's end: the last sector, one past, far past, wrapping. */
	assert_int_equal(io(KOSH_BLOCK_READ, 999, 1, 0, &disk), 0);
	assert_int_equal(io(KOSH_BLOCK_READ, 900, 100, 0, &disk), 0);
	assert_int_equal(io(KOSH_BLOCK_READ, 901, 100, 0, &disk), KOSH_BLOCK_ENXIO);
	assert_int_equal(io(KOSH_BLOCK_READ, 1000, 1, 0, &disk), KOSH_BLOCK_ENXIO);
	assert_int_equal(io(KOSH_BLOCK_WRITE, UINT64_MAX, 2, 0, &disk), KOSH_BLOCK_ENXIO);
	assert_int_equal(io(KOSH_BLOCK_WRITE, 5, UINT64_MAX, 0, &disk), KOSH_BLOCK_ENXIO);
	assert_int_equal(io(KOSH_BLOCK_WRITE, 5, UINT64_MAX - 4, 0, &disk), KOSH_BLOCK_ENXIO);
	/* The buffer's end: 128 sectors in all. */
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 128, 0, &disk), 0);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 129, 0, &disk), KOSH_BLOCK_EINVAL);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 65024, &disk), 0);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 2, 65024, &disk), KOSH_BLOCK_EINVAL);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 65536, &disk), KOSH_BLOCK_EINVAL);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, UINT64_MAX - 511, &disk), KOSH_BLOCK_EINVAL);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 1ull << 63, &disk), KOSH_BLOCK_EINVAL);
	/* Offsets not on a sector boundary. */
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 1, &disk), KOSH_BLOCK_EINVAL);
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 256, &disk), KOSH_BLOCK_EINVAL);
	/* 4096-byte sectors: 16 of them in the buffer. */
	struct kosh_block_limits big = {4096, 0, 1u << 20, 65536};
	assert_int_equal(decode(KOSH_BLOCK_WRITE, 3, 0, (1u << 20) - 16, 16, 0, &big, &req), 0);
	assert_int_equal(req.bytes, 65536);
	assert_int_equal(io(KOSH_BLOCK_WRITE, 0, 16, 4096, &big), KOSH_BLOCK_EINVAL);
	assert_int_equal(io(KOSH_BLOCK_WRITE, 0, 1, 512, &big), KOSH_BLOCK_EINVAL);
	/* A device as big as 64 bits allow. */
	struct kosh_block_limits huge = {512, 0, UINT64_MAX / 512, 65536};
	assert_int_equal(io(KOSH_BLOCK_READ, UINT64_MAX / 512 - 1, 1, 0, &huge), 0);
	assert_int_equal(io(KOSH_BLOCK_READ, UINT64_MAX / 512 - 1, 2, 0, &huge), KOSH_BLOCK_ENXIO);
}

static void test_buffer(void **state)
{
	struct kosh_block_request req;
	struct kosh_block_limits nobuf = disk;

	nobuf.buffer_size = 0;
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 0, &nobuf), KOSH_BLOCK_ENOBUFS);
	assert_int_equal(io(KOSH_BLOCK_WRITE, 0, 1, 0, &nobuf), KOSH_BLOCK_ENOBUFS);
	assert_int_equal(decode(KOSH_BLOCK_SET_BUFFER, 1, 1, 8192, 0, 0, &nobuf, &req), 0);
	assert_int_equal(req.bytes, 8192);
	assert_int_equal(
	    decode(KOSH_BLOCK_SET_BUFFER, 1, 1, KOSH_BLOCK_BUFFER_MAX, 0, 0, &nobuf, &req), 0);
	static const uint64_t bad[] = {
	    0, 512, 4095, 4097, 6144, KOSH_BLOCK_BUFFER_MAX + 4096, UINT64_MAX, UINT64_MAX - 4095};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(decode(KOSH_BLOCK_SET_BUFFER, 1, 1, bad[i], 0, 0, &nobuf, &req),
				 KOSH_BLOCK_EINVAL);
	/* Again: the new buffer replaces the first (a client restarted on its handle). */
	assert_int_equal(decode(KOSH_BLOCK_SET_BUFFER, 1, 1, 4096, 0, 0, &disk, &req), 0);
	assert_int_equal(req.bytes, 4096);
}

static void test_read_only(void **state)
{
	struct kosh_block_request req;
	struct kosh_block_limits ro = disk;

	ro.flags = KOSH_BLOCK_F_READ_ONLY;
	assert_int_equal(io(KOSH_BLOCK_READ, 0, 1, 0, &ro), 0);
	assert_int_equal(io(KOSH_BLOCK_WRITE, 0, 1, 0, &ro), KOSH_BLOCK_EROFS);
	assert_int_equal(decode(KOSH_BLOCK_FLUSH, 0, 0, 0, 0, 0, &ro, &req), 0);
	assert_int_equal(decode(KOSH_BLOCK_GET_INFO, 0, 0, 0, 0, 0, &ro, &req), 0);
}

static void test_info_check(void **state)
{
	struct kosh_block_limits lim;

	assert_int_equal(kosh_block_info_check(512, 1000, 0, &lim), 0);
	assert_int_equal(lim.sector_size, 512);
	assert_int_equal(lim.sectors, 1000);
	assert_int_equal(lim.buffer_size, 0);
	assert_int_equal(kosh_block_info_check(4096, 1, KOSH_BLOCK_F_READ_ONLY, &lim), 0);
	assert_int_equal(lim.flags, KOSH_BLOCK_F_READ_ONLY);
	assert_int_equal(kosh_block_info_check(512, UINT64_MAX / 512, 0, &lim), 0);
	static const uint64_t bad_sizes[] = {0,	   1,	 256,	     511,	513,
					     1536, 8192, UINT64_MAX, 1ull << 40};
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		assert_int_equal(kosh_block_info_check(bad_sizes[i], 10, 0, &lim),
				 KOSH_BLOCK_EPROTO);
	assert_int_equal(kosh_block_info_check(512, 0, 0, &lim), KOSH_BLOCK_EPROTO);
	assert_int_equal(kosh_block_info_check(512, UINT64_MAX / 512 + 1, 0, &lim),
			 KOSH_BLOCK_EPROTO);
	assert_int_equal(kosh_block_info_check(4096, UINT64_MAX, 0, &lim), KOSH_BLOCK_EPROTO);
	assert_int_equal(kosh_block_info_check(512, 10, 2, &lim), KOSH_BLOCK_EPROTO);
	assert_int_equal(kosh_block_info_check(512, 10, 1ull << 32, &lim), KOSH_BLOCK_EPROTO);
}

static void test_strerror(void **state)
{
	static const uint32_t errs[] = {KOSH_BLOCK_EIO,	   KOSH_BLOCK_ENXIO,  KOSH_BLOCK_EAGAIN,
					KOSH_BLOCK_ENOMEM, KOSH_BLOCK_ENODEV, KOSH_BLOCK_EINVAL,
					KOSH_BLOCK_EROFS,  KOSH_BLOCK_ENOSYS, KOSH_BLOCK_EPROTO,
					KOSH_BLOCK_ENOBUFS};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		assert_string_not_equal(kosh_block_strerror(errs[i]), "unknown error");
	assert_string_equal(kosh_block_strerror(0), "unknown error");
	assert_string_equal(kosh_block_strerror(3), "unknown error");
	assert_string_equal(kosh_block_strerror(UINT32_MAX), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shapes),    cmocka_unit_test(test_labels_and_tag),
	    cmocka_unit_test(test_io_ranges), cmocka_unit_test(test_buffer),
	    cmocka_unit_test(test_read_only), cmocka_unit_test(test_info_check),
	    cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
