/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the UEFI memory map conversion. The first bytes choose the
 * descriptor size, the number of overlays and the output capacity; then come the
 * overlays and the map itself. Any successful result must be sorted, aligned,
 * disjoint and merged.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/memmap.h>

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

#define OVERLAY_MAX 4
#define OUT_MAX     256
#define MAP_MAX     (128 * 64) /* keeps the O(n^2) sweep quick */

static void check_ranges(const struct kosh_mem_range *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		CHECK(r[i].size > 0 && r[i].base % 4096 == 0 && r[i].size % 4096 == 0);
		CHECK(r[i].base <= UINT64_MAX - r[i].size);
		CHECK(r[i].type >= KOSH_MEM_USABLE && r[i].type < KOSH_MEM_TYPE_COUNT);
		if (i == 0)
			continue;
		uint64_t prev_end = r[i - 1].base + r[i - 1].size;
		CHECK(prev_end <= r[i].base);
		CHECK(prev_end != r[i].base || r[i - 1].type != r[i].type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kosh_memmap_overlay overlays[OVERLAY_MAX];
	struct kosh_mem_range out[OUT_MAX];
	uint32_t count = 0;
	if (size < 3)
		return 0;
	uint64_t desc_size = data[0] < 16 ? data[0] : 40 + 8 * (data[0] % 4);
	uint32_t overlay_count = data[1] % (OVERLAY_MAX + 1);
	uint32_t capacity = data[2] % 2 ? OUT_MAX : data[2] % 8;
	data += 3, size -= 3;
	if (size < overlay_count * sizeof(overlays[0]))
		return 0;
	memcpy(overlays, data, overlay_count * sizeof(overlays[0]));
	data += overlay_count * sizeof(overlays[0]);
	size -= overlay_count * sizeof(overlays[0]);
	if (size > MAP_MAX)
		size = MAP_MAX;
	enum kosh_memmap_error err = kosh_memmap_convert(data, size, desc_size, overlays,
							 overlay_count, out, capacity, &count);
	CHECK(err <= 0 && err >= KOSH_MEMMAP_E_FULL);
	if (err) {
		CHECK(count == 0);
		return 0;
	}
	CHECK(count <= capacity);
	check_ranges(out, count);
	for (uint32_t i = 0; i < count; i++)
		CHECK(strcmp(kosh_memmap_type_name(out[i].type), "unknown") != 0);
	(void)kosh_memmap_sum(out, count, KOSH_MEM_RAM_MASK);
	return 0;
}
