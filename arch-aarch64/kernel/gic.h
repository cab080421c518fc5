/* SPDX-License-Identifier: MIT */
/*
 * The Arm Generic Interrupt Controller's register map (GICv2 and GICv3/v4) and
 * the pieces of the driver that are plain arithmetic or plain memory reads:
 * version and line-count decoding, SGI register values, and the walk over the
 * redistributor frames. Nothing here uses a system register, so host tests run
 * it over fake register blocks (test/unit/aarch64_test.c); irq.c, gicv2.c and
 * gicv3.c drive the hardware with it.
 *
 * Register addresses are kernel-virtual (the HHDM's device mapping) as uintptr_t.
 */
#ifndef ARCH_AARCH64_GIC_H
#define ARCH_AARCH64_GIC_H

#include <stdint.h>

/* Distributor (GICD), both versions unless marked. */
#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ICPENDR    0x0280
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR  0x0800 /* v2 */
#define GICD_ICFGR      0x0c00
#define GICD_SGIR       0x0f00 /* v2 */
#define GICD_IROUTER    0x6000 /* v3, 64-bit per interrupt */
#define GICD_PIDR2_V2   0x0fe8
#define GICD_PIDR2_V3   0xffe8

#define GICD_CTLR_ENABLE  0x1u        /* v2: forwarding; v3: Group 0 / NS Group 1 */
#define GICD_CTLR_G1A     0x2u        /* v3: (NS) Group 1 */
#define GICD_CTLR_ARE     0x10u       /* v3: affinity routing (ARE_NS in the NS view) */
#define GICD_CTLR_RWP     0x80000000u /* v3: register write pending */

/* GICv2 CPU interface (GICC). */
#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_BPR  0x08
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

/* GICv3 redistributor: RD_base frame, then SGI_base frame 64 KiB above it. */
#define GICR_CTLR       0x0000
#define GICR_TYPER      0x0008 /* 64-bit */
#define GICR_WAKER      0x0014
#define GICR_PIDR2      0xffe8
#define GICR_SGI_BASE   0x10000
#define GICR_IGROUPR0   (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_BASE + 0x0180)
#define GICR_ICPENDR0   (GICR_SGI_BASE + 0x0280)
#define GICR_ICACTIVER0 (GICR_SGI_BASE + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)
#define GICR_ICFGR1     (GICR_SGI_BASE + 0x0c04)

#define GICR_CTLR_RWP          0x8u
#define GICR_WAKER_SLEEP       0x2u /* ProcessorSleep */
#define GICR_WAKER_ASLEEP      0x4u /* ChildrenAsleep */
#define GICR_TYPER_VLPIS       0x2ull
#define GICR_TYPER_LAST        0x10ull
#define GICR_FRAME_SIZE        0x20000ull /* RD_base + SGI_base */
#define GICR_FRAME_SIZE_VLPI   0x40000ull /* GICv4: + VLPI_base + a reserved frame */

#define GIC_SPURIOUS_FIRST 1020u
#define GIC_SPURIOUS_LAST  1023u
#define GIC_MAX_LINES      1020u /* SGIs, PPIs and SPIs; extended ranges unused */
#define GIC_PRIORITY       0xa0u /* every interrupt: one level, no preemption */
#define GIC_PRIORITY_MASK  0xf0u /* PMR: let every priority above 0xf0 through */

static inline uint32_t gic_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline uint64_t gic_read64(uintptr_t addr)
{
	return *(volatile uint64_t *)addr;
}

static inline void gic_write32(uintptr_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

static inline void gic_write64(uintptr_t addr, uint64_t value)
{
	*(volatile uint64_t *)addr = value;
}

/*
 * Write value to every 32-bit word of a register array with per_word interrupts
 * per word (32 enable bits, 4 priority bytes, 16 trigger pairs) for INTIDs
 * from .. to-1; from is a multiple of per_word.
 */
void gic_fill(uintptr_t reg, uint32_t from, uint32_t to, uint32_t per_word, uint32_t value);

/* The architecture version in a PIDR2 value (ArchRev): 1, 2, 3 or 4; 0 if none. */
unsigned gic_pidr2_version(uint32_t pidr2);

/* Interrupt lines (INTIDs 0 .. n-1) a GICD_TYPER value announces, at most 1020. */
uint32_t gic_typer_lines(uint32_t typer);

/* MPIDR affinity (Aff3 at bits 39:32) as GICR_TYPER[63:32] holds it (Aff3 at 31:24). */
uint32_t gic_typer_affinity(uint64_t mpidr);

/* ICC_SGI1R_EL1 for SGI sgi to the one CPU whose MPIDR affinity is mpidr. */
uint64_t gic_sgi1r(uint64_t mpidr, unsigned sgi);

/* GICD_SGIR for SGI sgi to the CPU interfaces in target_mask (GICv2). */
uint32_t gic_sgir(uint8_t target_mask, unsigned sgi);

/* GICD_SGIR for SGI sgi to the writing CPU itself (GICv2). */
uint32_t gic_sgir_self(unsigned sgi);

/*
 * A GICv2 CPU's interface mask from its banked GICD_ITARGETSR0 (the byte of SGI 0
 * names the reading CPU), or 1 << iface when that reads as zero (uniprocessor
 * implementations may), iface being the firmware's CPU interface number.
 */
uint8_t gic_v2_target_mask(uint32_t itargetsr0, uint32_t iface);

/*
 * Visit the redistributor frames of [base, base + size): fn(ctx, frame, typer)
 * for each, stepping 128 KiB (256 KiB when GICR_TYPER.VLPIS says GICv4 frames),
 * until GICR_TYPER.Last, the end of the range, or a frame whose GICR_PIDR2 is
 * not GICv3/v4. A non-zero fn result stops the walk and is returned; else 0.
 */
int gic_redist_walk(uintptr_t base, uint64_t size,
		    int (*fn)(void *ctx, uintptr_t frame, uint64_t typer), void *ctx);

/* The frame of [base, base + size) whose affinity is the CPU mpidr's, or 0. */
uintptr_t gic_redist_find(uintptr_t base, uint64_t size, uint64_t mpidr);

/* How many redistributor frames [base, base + size) holds. */
uint32_t gic_redist_count(uintptr_t base, uint64_t size);

#endif
