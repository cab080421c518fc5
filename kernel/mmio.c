/* SPDX-License-Identifier: MIT */
/*
 * Device memory for drivers: the MMIO-control capability and the ranges it may
 * not reach (mmio.h). The memory map is the boot info's (sorted, not
 * overlapping); the kernel's own devices are a short list filled at boot.
 */
#include "mmio.h"

#include "cap.h"
#include "frame.h"
#include "platform.h"

#include <kosh/memmap.h>

#define PAGE 4096ull

/* What a GIC part spans (Arm IHI 0048B, IHI 0069): enough to cover its registers. */
#define GICD_SPAN  0x10000ull
#define GICC_SPAN  0x2000ull
#define GICR_SPAN  0x20000ull  /* one redistributor's RD_base + SGI_base */
#define ITS_SPAN   0x20000ull  /* control frame + GITS_TRANSLATER frame */
#define V2M_SPAN   0x1000ull
#define APIC_SPAN  0x1000ull   /* local APIC, I/O APIC, HPET: one page each */

struct mmio_range {
	uint64_t base, end; /* [base, end), page-aligned */
};

static struct kobject mmio_control = { .type = KOSH_OBJ_MMIO_CONTROL, .refs = 1 };

static const struct kosh_mem_range *mem_map;
static uint32_t mem_count;
static uint64_t phys_limit; /* 2^phys_bits; 0: 2^64 */
static struct mmio_range reserved[MMIO_RESERVED_MAX];
static uint32_t reserved_count;

struct kobject *mmio_control_object(void)
{
	kobject_get(&mmio_control);
	return &mmio_control;
}

void mmio_init(const struct kosh_mem_range *map, uint32_t count, unsigned phys_bits)
{
	mem_map = map;
	mem_count = map ? count : 0;
	phys_limit = phys_bits && phys_bits < 64 ? 1ull << phys_bits : 0;
	reserved_count = 0;
}

void mmio_reserve(uint64_t base, uint64_t size)
{
	if (!size || reserved_count == MMIO_RESERVED_MAX)
		return;
	uint64_t end = base + size < base || base + size > UINT64_MAX - (PAGE - 1) ?
			       UINT64_MAX :
			       (base + size + PAGE - 1) & ~(PAGE - 1);
	reserved[reserved_count++] = (struct mmio_range){ base & ~(PAGE - 1), end };
}

static void reserve_gic(const struct fw_gic *g, const struct platform *p)
{
	mmio_reserve(g->gicd, g->gicd ? GICD_SPAN : 0);
	mmio_reserve(g->gicc, g->gicc ? GICC_SPAN : 0);
	mmio_reserve(g->gich, g->gich ? GICC_SPAN : 0);
	mmio_reserve(g->gicv, g->gicv ? GICC_SPAN : 0);
	for (uint32_t i = 0; i < g->gicr_count; i++)
		mmio_reserve(g->gicr[i].base, g->gicr[i].size);
	for (uint32_t i = 0; i < p->cpu_count; i++)
		mmio_reserve(p->cpus[i].gicr_base, p->cpus[i].gicr_base ? 2 * GICR_SPAN : 0);
	for (uint32_t i = 0; i < g->its_count; i++)
		mmio_reserve(g->its[i], ITS_SPAN);
	for (uint32_t i = 0; i < g->v2m_count; i++)
		mmio_reserve(g->v2m[i].base, V2M_SPAN);
}

void mmio_reserve_platform(const struct platform *p)
{
	if (p->ic == PLATFORM_IC_APIC) {
		mmio_reserve(p->apic.lapic_base, p->apic.lapic_base ? APIC_SPAN : 0);
		for (uint32_t i = 0; i < p->apic.ioapic_count; i++)
			mmio_reserve(p->apic.ioapics[i].base, APIC_SPAN);
	}
	mmio_reserve(p->timers.hpet_base, p->timers.hpet_base ? APIC_SPAN : 0);
	reserve_gic(&p->gic, p);
}

static int overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* Whether [phys, end) touches RAM or a device the kernel drives. */
static int forbidden(uint64_t phys, uint64_t end)
{
	for (uint32_t i = 0; i < mem_count; i++) {
		const struct kosh_mem_range *r = &mem_map[i];
		if (r->type == KOSH_MEM_MMIO || r->type == KOSH_MEM_RESERVED)
			continue;
		uint64_t r_end = r->base + r->size < r->base ? UINT64_MAX : r->base + r->size;
		if (overlaps(phys, end, r->base, r_end))
			return 1;
	}
	for (uint32_t i = 0; i < reserved_count; i++)
		if (overlaps(phys, end, reserved[i].base, reserved[i].end))
			return 1;
	return 0;
}

uint64_t mmio_next_piece(uint64_t *base, uint64_t end)
{
	uint64_t start = *base, stop = end;
	for (int moved = 1; moved && start < end;) {
		moved = 0;
		for (uint32_t i = 0; i < reserved_count; i++)
			if (reserved[i].base <= start && start < reserved[i].end)
				start = reserved[i].end, moved = 1;
	}
	if (start >= end) {
		*base = end;
		return 0;
	}
	for (uint32_t i = 0; i < reserved_count; i++)
		if (reserved[i].base > start && reserved[i].base < stop)
			stop = reserved[i].base;
	*base = start;
	return stop;
}

kosh_err_t mmio_check(uint64_t phys, uint64_t size, uint64_t cache, uint32_t *frame_cache)
{
	if (!size || (phys | size) & (PAGE - 1))
		return KOSH_E_INVALID_ARGUMENT;
	if (cache == KOSH_MMIO_UNCACHED)
		*frame_cache = FRAME_CACHE_DEVICE;
	else if (cache == KOSH_MMIO_WC)
		*frame_cache = FRAME_CACHE_WC;
	else
		return KOSH_E_INVALID_ARGUMENT;
	/* Ending at 2^64 counts as wrapping: no CPU has 64 address bits. */
	if (phys + size <= phys ||
	    (phys_limit && (phys >= phys_limit || size > phys_limit - phys)))
		return KOSH_E_OUT_OF_RANGE;
	return forbidden(phys, phys + size) ? KOSH_E_ACCESS_DENIED : KOSH_OK;
}
