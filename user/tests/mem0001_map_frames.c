/* SPDX-License-Identifier: MIT */
/*
 * MEM0001: frames and mappings. A new frame mapped readable and writable holds
 * what is written through it, a second mapping of the same frame sees the same
 * bytes, unmapping frees the range for a new mapping; mappings never overlap;
 * a writable and executable mapping is refused, and so is a writable mapping
 * through a read-only duplicate of the frame (which can still be mapped
 * read-only) or any mapping through a duplicate without the map right.
 * Misaligned and out-of-frame requests are refused and change nothing.
 */
#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

#define SIZE (4 * KOSH_PAGE_SIZE)
#define R    KOSH_RIGHT_READ
#define W    KOSH_RIGHT_WRITE
#define X    KOSH_RIGHT_EXECUTE

static int64_t map(kosh_handle_t frame, uint64_t offset, uint64_t va, uint64_t size,
		   uint32_t rights)
{
	return kosh_space_map(kosh_self()->space, frame, offset, va, size, rights);
}

static int64_t unmap(uint64_t va, uint64_t size)
{
	return kosh_space_unmap(kosh_self()->space, va, size);
}

int main(int argc, char **argv)
{
	kosh_handle_t f = (kosh_handle_t)CHECK_OK(kosh_frame_create(kosh_self()->quota, SIZE, 0));
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info(f, &info), KOSH_OK);
	CHECK_EQ(info.type, KOSH_OBJ_FRAME);
	CHECK((info.rights & (R | W | KOSH_RIGHT_MAP)) == (R | W | KOSH_RIGHT_MAP));

	uint64_t va = kosh_va_reserve(SIZE), alias = kosh_va_reserve(SIZE);
	CHECK(va && alias);
	CHECK_EQ(map(f, 0, va, SIZE, R | W), KOSH_OK);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
	for (uint64_t i = 0; i < SIZE / 8; i++)
		CHECK_EQ(p[i], 0); /* fresh frames are zeroed */
	for (uint64_t i = 0; i < SIZE / 8; i++)
		p[i] = i * 0x9e3779b97f4a7c15ull;
	for (uint64_t i = 0; i < SIZE / 8; i++)
		CHECK_EQ(p[i], i * 0x9e3779b97f4a7c15ull);

	/* A second, read-only mapping of the last two pages sees the same memory. */
	CHECK_EQ(map(f, 2 * KOSH_PAGE_SIZE, alias, 2 * KOSH_PAGE_SIZE, R), KOSH_OK);
	volatile uint64_t *q = (volatile uint64_t *)(uintptr_t)alias;
	CHECK_EQ(q[0], p[2 * KOSH_PAGE_SIZE / 8]);
	p[2 * KOSH_PAGE_SIZE / 8 + 1] = 0x1234;
	CHECK_EQ(q[1], 0x1234);

	/* Mappings never overlap; W+X is refused and maps nothing. */
	CHECK_ERR(map(f, 0, va, KOSH_PAGE_SIZE, R), KOSH_E_ALREADY_EXISTS);
	CHECK_ERR(map(f, 0, alias + KOSH_PAGE_SIZE, 2 * KOSH_PAGE_SIZE, R), KOSH_E_ALREADY_EXISTS);
	CHECK_EQ(unmap(alias, 2 * KOSH_PAGE_SIZE), KOSH_OK);
	int64_t wx = CHECK_FAILS(map(f, 0, alias, KOSH_PAGE_SIZE, R | W | X));
	check_note("W+X mapping refused: %s", kosh_strerror((kosh_err_t)wx));
	CHECK_EQ(map(f, 0, alias, KOSH_PAGE_SIZE, R), KOSH_OK); /* the range is still free */
	CHECK_EQ(q[0], p[0]);
	CHECK_EQ(unmap(alias, KOSH_PAGE_SIZE), KOSH_OK);

	/* A read-only duplicate maps read-only only; without the map right not at all. */
	kosh_handle_t ro = (kosh_handle_t)CHECK_OK(kosh_handle_dup(f, R | KOSH_RIGHT_MAP, 0));
	CHECK_ERR(map(ro, 0, alias, KOSH_PAGE_SIZE, R | W), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(map(ro, 0, alias, KOSH_PAGE_SIZE, R | X), KOSH_E_ACCESS_DENIED);
	CHECK_EQ(map(ro, 0, alias, KOSH_PAGE_SIZE, R), KOSH_OK);
	CHECK_EQ(q[0], p[0]);
	CHECK_EQ(unmap(alias, KOSH_PAGE_SIZE), KOSH_OK);
	kosh_handle_t nomap = (kosh_handle_t)CHECK_OK(kosh_handle_dup(f, R | W, 0));
	CHECK_ERR(map(nomap, 0, alias, KOSH_PAGE_SIZE, R), KOSH_E_ACCESS_DENIED);

	/* Bad geometry: misaligned, past the frame's end, into the kernel half. */
	CHECK_FAILS(map(f, 0, alias + 1, KOSH_PAGE_SIZE, R));
	CHECK_FAILS(map(f, 1, alias, KOSH_PAGE_SIZE, R));
	CHECK_FAILS(map(f, 0, alias, KOSH_PAGE_SIZE + 1, R));
	CHECK_FAILS(map(f, 3 * KOSH_PAGE_SIZE, alias, 2 * KOSH_PAGE_SIZE, R));
	CHECK_FAILS(map(f, 0, alias, 0, R));
	CHECK_FAILS(map(f, 0, 0xffff800000000000ull, KOSH_PAGE_SIZE, R));
	CHECK_EQ(map(f, 0, alias, KOSH_PAGE_SIZE, R), KOSH_OK); /* none of them mapped anything */
	CHECK_EQ(unmap(alias, KOSH_PAGE_SIZE), KOSH_OK);

	/* Unmapped, the range can be mapped again, and the frame still holds the data. */
	CHECK_EQ(unmap(va, SIZE), KOSH_OK);
	CHECK_EQ(map(f, 0, va, SIZE, R), KOSH_OK);
	CHECK_EQ(p[5], 5 * 0x9e3779b97f4a7c15ull);
	CHECK_EQ(unmap(va, SIZE), KOSH_OK);

	CHECK_EQ(kosh_handle_close(nomap), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ro), KOSH_OK);
	CHECK_EQ(kosh_handle_close(f), KOSH_OK);
	return 0;
}
