/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup (see symbols.h): a binary search over the sorted address
 * array that scripts/gensyms.py emits, names packed behind an offset array.
 */
#include "symbols.h"

extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offsets[];
extern const char ksym_names[];
extern const uint64_t ksym_text_end;

uint64_t symbols_count(void)
{
	return ksym_count;
}

const char *symbols_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksym_count;
	if (!ksym_count || addr < ksym_addrs[0] || addr >= ksym_text_end)
		return 0;
	while (hi - lo > 1) { /* the last symbol at or below addr */
		uint64_t mid = lo + (hi - lo) / 2;
		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_addrs[lo];
	return ksym_names + ksym_name_offsets[lo];
}
