/* SPDX-License-Identifier: MIT */
/*
 * Checks on the boot info the loader handed over (shared/include/kosh/bootinfo.h).
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/bootinfo.h>

/*
 * 0 when bi has our magic, version, architecture and at least our size; else -1
 * with the reason in why[0..len) ("bad magic 0x...", "version 7, this kernel
 * understands 1", ...).
 */
int bootinfo_check(const struct kosh_bootinfo *bi, uint32_t arch, char *why, size_t len);

/* 0 when the map is non-empty, sorted, page-aligned, non-overlapping, merged; else -1. */
int bootinfo_check_map(const struct kosh_mem_range *map, uint32_t count, char *why, size_t len);

/* The type of the one range that holds all of [base, base + size), or 0. */
uint32_t bootinfo_range_type(const struct kosh_mem_range *map, uint32_t count, uint64_t base,
			     uint64_t size);


/* The boot info the kernel started with (kmain records it after checking it). */
void bootinfo_set_current(const struct kosh_bootinfo *bi);
const struct kosh_bootinfo *bootinfo_current(void);

#endif
