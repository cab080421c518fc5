/* SPDX-License-Identifier: MIT */
/*
 * Device memory for drivers (mmio_create, syscalls.def row 48): the MMIO-control
 * capability, a singleton the root task starts with, and the rules for which
 * physical ranges a frame over device memory may cover.
 *
 * A range is refused when it touches RAM — any memory-map range that is not
 * MMIO or reserved (usable, loader, runtime services, ACPI tables and NVS, the
 * kernel image, the initfs, the boot info; everything the pmm manages comes
 * from these) — or a device the kernel drives itself (interrupt controllers,
 * timers: mmio_reserve). Holes in the memory map are device memory: PCI BARs,
 * QEMU virt's PL011 and ECAM are in no memory map. Runs under the big lock;
 * the rules are set once at boot, before the root task starts.
 */
#ifndef KERNEL_MMIO_H
#define KERNEL_MMIO_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/bootinfo.h>

struct kobject;
struct platform;

#define MMIO_RESERVED_MAX 48 /* kernel-driven device ranges kept */

/*
 * The memory map (kept by reference: the boot info stays) and the CPU's
 * physical address width in bits (ranges must end at or below 2^phys_bits).
 * Forgets every earlier mmio_reserve.
 */
void mmio_init(const struct kosh_mem_range *map, uint32_t count, unsigned phys_bits);

/* Refuse [base, base + size) (rounded out to pages) from now on; size 0 is ignored. */
void mmio_reserve(uint64_t base, uint64_t size);

/* Reserve what the kernel drives on p: local APIC, I/O APICs, HPET, GIC parts, GICv2m frames. */
void mmio_reserve_platform(const struct platform *p);

/*
 * The next piece of [*base, end) clear of the kernel's own devices: moves *base
 * to its start and returns its end, or returns 0 (and *base = end) when none is
 * left. The root task's frames over the firmware's MMIO ranges are cut with it.
 */
uint64_t mmio_next_piece(uint64_t *base, uint64_t end);

/*
 * Whether a frame over [phys, phys + size) with cache (KOSH_MMIO_*) may be
 * made; *frame_cache gets the enum frame_cache. KOSH_E_INVALID_ARGUMENT (not
 * page-aligned, size 0, unknown cache), KOSH_E_OUT_OF_RANGE (wraps, or ends past
 * the physical address width), KOSH_E_ACCESS_DENIED (RAM or a kernel device).
 */
__attribute__((warn_unused_result)) kosh_err_t mmio_check(uint64_t phys, uint64_t size,
							  uint64_t cache, uint32_t *frame_cache);

/* A new reference to the MMIO-control object. */
struct kobject *mmio_control_object(void);

#endif
