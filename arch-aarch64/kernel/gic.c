/* SPDX-License-Identifier: MIT */
/*
 * The GIC's arithmetic and the redistributor walk (see gic.h). Plain C over
 * volatile loads, so the same code runs in the kernel and in host tests.
 */
#include "gic.h"

void gic_fill(uintptr_t reg, uint32_t from, uint32_t to, uint32_t per_word, uint32_t value)
{
	for (uint32_t i = from; i < to; i += per_word)
		gic_write32(reg + i / per_word * 4, value);
}

unsigned gic_pidr2_version(uint32_t pidr2)
{
	return (pidr2 >> 4) & 0xf;
}

uint32_t gic_typer_lines(uint32_t typer)
{
	uint32_t lines = 32 * ((typer & 0x1f) + 1);
	return lines > GIC_MAX_LINES ? GIC_MAX_LINES : lines;
}

uint32_t gic_typer_affinity(uint64_t mpidr)
{
	return (uint32_t)(mpidr & 0xffffff) | (uint32_t)((mpidr >> 32) & 0xff) << 24;
}

/*
 * TargetList [15:0] names Aff0 values RS * 16 + bit; Aff1 [23:16], INTID [27:24],
 * Aff2 [39:32], RS [47:44], Aff3 [55:48]; IRM (bit 40) clear: the listed CPUs.
 */
uint64_t gic_sgi1r(uint64_t mpidr, unsigned sgi)
{
	uint64_t aff0 = mpidr & 0xff, aff1 = (mpidr >> 8) & 0xff;
	uint64_t aff2 = (mpidr >> 16) & 0xff, aff3 = (mpidr >> 32) & 0xff;
	return (1ull << (aff0 & 0xf)) | aff1 << 16 | (uint64_t)(sgi & 0xf) << 24 | aff2 << 32 |
	       (aff0 >> 4) << 44 | aff3 << 48;
}

/* TargetListFilter [25:24] 0: the list in CPUTargetList [23:16]; SGI in [3:0]. */
uint32_t gic_sgir(uint8_t target_mask, unsigned sgi)
{
	return (uint32_t)target_mask << 16 | (sgi & 0xf);
}

/* TargetListFilter 2: only the CPU that writes. */
uint32_t gic_sgir_self(unsigned sgi)
{
	return 2u << 24 | (sgi & 0xf);
}

uint8_t gic_v2_target_mask(uint32_t itargetsr0, uint32_t iface)
{
	uint8_t mask = (uint8_t)(itargetsr0 & 0xff);
	if (mask)
		return mask;
	return iface < 8 ? (uint8_t)(1u << iface) : 0;
}

static int is_redistributor(uintptr_t frame)
{
	unsigned v = gic_pidr2_version(gic_read32(frame + GICR_PIDR2));
	return v == 3 || v == 4;
}

int gic_redist_walk(uintptr_t base, uint64_t size,
		    int (*fn)(void *ctx, uintptr_t frame, uint64_t typer), void *ctx)
{
	for (uint64_t off = 0; size >= GICR_FRAME_SIZE && off <= size - GICR_FRAME_SIZE;) {
		uintptr_t frame = base + (uintptr_t)off;
		if (!is_redistributor(frame))
			return 0;
		uint64_t typer = gic_read64(frame + GICR_TYPER);
		int r = fn(ctx, frame, typer);
		if (r)
			return r;
		if (typer & GICR_TYPER_LAST)
			return 0;
		off += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_SIZE_VLPI : GICR_FRAME_SIZE;
	}
	return 0;
}

struct find {
	uint32_t affinity;
	uintptr_t frame;
};

static int match(void *ctx, uintptr_t frame, uint64_t typer)
{
	struct find *f = ctx;
	if ((uint32_t)(typer >> 32) != f->affinity)
		return 0;
	f->frame = frame;
	return 1;
}

uintptr_t gic_redist_find(uintptr_t base, uint64_t size, uint64_t mpidr)
{
	struct find f = { gic_typer_affinity(mpidr), 0 };
	gic_redist_walk(base, size, match, &f);
	return f.frame;
}

static int count_one(void *ctx, uintptr_t frame, uint64_t typer)
{
	++*(uint32_t *)ctx;
	return 0;
}

uint32_t gic_redist_count(uintptr_t base, uint64_t size)
{
	uint32_t n = 0;
	gic_redist_walk(base, size, count_one, &n);
	return n;
}
