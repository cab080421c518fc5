/* SPDX-License-Identifier: MIT */
/*
 * LIBC0002: musl's malloc on the system layer's memory (brk stays, mmap gives
 * frames of the process's quota). Blocks of many sizes, from 1 byte to 3 MiB
 * (well past musl's direct-mmap threshold), are each filled with their own
 * pattern, all live at once, then checked and freed; calloc gives zeroes,
 * realloc keeps the contents when growing past 1 MiB; the quota's use comes back
 * near where it started once everything is freed, so freed mappings are unmapped
 * and their frames returned; a 3 MiB block is charged about 3 MiB (the
 * runtime builds it of 2 + 1 MiB frames, not one 4 MiB power of two).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kosh/abi.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

#define BLOCKS 48

static uint64_t quota_used(void)
{
	struct kosh_quota_info info;
	CHECK_OK(kosh_quota_info(kosh_self()->quota, (uint64_t)(uintptr_t)&info));
	return info.used;
}

static size_t size_of(int i)
{
	/* 1, 3, 9 … bytes, then a few large ones past 1 MiB. */
	static const size_t large[] = { 128u << 10, 1u << 20, (1u << 20) + 1, 3u << 20 };
	if (i >= BLOCKS - 4)
		return large[i - (BLOCKS - 4)];
	size_t n = 1;
	for (int k = 0; k < i % 12; k++)
		n *= 3;
	return n + (size_t)i;
}

static void fill(uint8_t *p, size_t n, int seed)
{
	for (size_t k = 0; k < n; k += 97)
		p[k] = (uint8_t)(seed * 31 + k);
	p[n - 1] = (uint8_t)seed;
}

static int intact(const uint8_t *p, size_t n, int seed)
{
	for (size_t k = 0; k < n; k += 97)
		if (k != n - 1 && p[k] != (uint8_t)(seed * 31 + k))
			return 0;
	return p[n - 1] == (uint8_t)seed;
}

int main(int argc, char **argv)
{
	uint8_t *block[BLOCKS];
	uint64_t before = quota_used();

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < BLOCKS; i++) {
			block[i] = malloc(size_of(i));
			CHECK(block[i] != NULL);
			CHECK_EQ((uintptr_t)block[i] % 16, 0);
			fill(block[i], size_of(i), i + round);
		}
		for (int i = 0; i < BLOCKS; i++) {
			CHECK(intact(block[i], size_of(i), i + round));
			free(block[i]);
		}
	}

	uint8_t *z = calloc(1000, 1000);
	CHECK(z != NULL);
	for (size_t k = 0; k < 1000 * 1000; k += 4093)
		CHECK_EQ(z[k], 0);
	free(z);

	char *r = malloc(100);
	CHECK(r != NULL);
	strcpy(r, "kept across realloc");
	r = realloc(r, 2u << 20);
	CHECK(r != NULL);
	CHECK_EQ(strcmp(r, "kept across realloc"), 0);
	r[(2u << 20) - 1] = 'x';
	r = realloc(r, 10);
	CHECK(r != NULL);
	CHECK_EQ(memcmp(r, "kept acros", 10), 0);
	free(r);

	uint64_t used = quota_used();
	uint8_t *big = malloc(3u << 20);
	CHECK(big != NULL);
	uint64_t charged = quota_used() - used;
	check_note("a 3 MiB block is charged %llu KiB", (unsigned long long)(charged >> 10));
	CHECK(charged >= (3u << 20) && charged < (3u << 20) + (256u << 10));
	memset(big, 0x5a, 3u << 20);
	CHECK_EQ(big[(3u << 20) - 1], 0x5a);
	free(big);
	CHECK(quota_used() - used < (64u << 10));

	/* Too much for a 16 MiB quota: NULL, not a crash. */
	CHECK(malloc(64u << 20) == NULL);

	uint64_t after = quota_used();
	check_note("quota use %llu KiB before, %llu KiB after", (unsigned long long)(before >> 10),
		   (unsigned long long)(after >> 10));
	CHECK(after < before + (512u << 10)); /* the large blocks went back */
	return 0;
}
