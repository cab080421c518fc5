/* SPDX-License-Identifier: MIT */
/*
 * Boot-info checks (see bootinfo.h). The kernel refuses what it does not
 * understand instead of guessing: a boot info from another version of the loader
 * may mean something else by the same bytes.
 */
#include "bootinfo.h"

#include <kosh/fmt.h>
#include <kosh/memmap.h>

int bootinfo_check(const struct kosh_bootinfo *bi, uint32_t arch, char *why, size_t len)
{
	if (!bi) {
		kosh_snprintf(why, len, "no boot info");
		return -1;
	}
	if (bi->magic != KOSH_BOOTINFO_MAGIC) {
		kosh_snprintf(why, len, "bad magic 0x%llx (expected 0x%llx)",
			      (unsigned long long)bi->magic, (unsigned long long)KOSH_BOOTINFO_MAGIC);
		return -1;
	}
	if (bi->version != KOSH_BOOTINFO_VERSION) {
		kosh_snprintf(why, len, "version %u, this kernel understands %u", bi->version,
			      KOSH_BOOTINFO_VERSION);
		return -1;
	}
	if (bi->size < sizeof(*bi)) {
		kosh_snprintf(why, len, "size %u, expected at least %u", bi->size,
			      (unsigned)sizeof(*bi));
		return -1;
	}
	if (bi->arch != arch) {
		kosh_snprintf(why, len, "written for %s, this kernel is %s",
			      kosh_arch_name(bi->arch), kosh_arch_name(arch));
		return -1;
	}
	return 0;
}

static int range_ok(const struct kosh_mem_range *r, char *why, size_t len)
{
	if ((r->base | r->size) & 4095) {
		kosh_snprintf(why, len, "range 0x%llx+0x%llx not page-aligned",
			      (unsigned long long)r->base, (unsigned long long)r->size);
		return 0;
	}
	if (!r->size || r->base + r->size < r->base) {
		kosh_snprintf(why, len, "range at 0x%llx empty or wrapping", (unsigned long long)r->base);
		return 0;
	}
	if (!r->type || r->type >= KOSH_MEM_TYPE_COUNT) {
		kosh_snprintf(why, len, "range at 0x%llx has type %u", (unsigned long long)r->base,
			      r->type);
		return 0;
	}
	return 1;
}

int bootinfo_check_map(const struct kosh_mem_range *map, uint32_t count, char *why, size_t len)
{
	if (!count) {
		kosh_snprintf(why, len, "empty memory map");
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (!range_ok(&map[i], why, len))
			return -1;
		if (i == 0)
			continue;
		const struct kosh_mem_range *p = &map[i - 1];
		if (p->base + p->size > map[i].base) {
			kosh_snprintf(why, len, "ranges at 0x%llx and 0x%llx overlap or are unsorted",
				      (unsigned long long)p->base, (unsigned long long)map[i].base);
			return -1;
		}
		if (p->base + p->size == map[i].base && p->type == map[i].type) {
			kosh_snprintf(why, len, "adjacent ranges at 0x%llx not merged",
				      (unsigned long long)p->base);
			return -1;
		}
	}
	return 0;
}

uint32_t bootinfo_range_type(const struct kosh_mem_range *map, uint32_t count, uint64_t base,
			     uint64_t size)
{
	for (uint32_t i = 0; i < count; i++) {
		if (base >= map[i].base && base - map[i].base <= map[i].size &&
		    size <= map[i].size - (base - map[i].base))
			return map[i].type;
	}
	return 0;
}

static const struct kosh_bootinfo *current;

void bootinfo_set_current(const struct kosh_bootinfo *bi)
{
	current = bi;
}

const struct kosh_bootinfo *bootinfo_current(void)
{
	return current;
}
