/* SPDX-License-Identifier: MIT */
/*
 * The GICv3/v4 driver (Arm IHI 0069): the distributor with affinity routing
 * (GICD_CTLR.ARE), one redistributor per CPU for its SGIs and PPIs, and the CPU
 * interface through system registers (ICC_*_EL1).
 *
 * Each CPU finds its redistributor itself: the frame whose GICR_TYPER affinity
 * equals its MPIDR, in the frame the firmware lists for it (ACPI GICC) or by
 * walking the GICR ranges (gic.c). It wakes it (GICR_WAKER, a bounded wait),
 * sets its SGIs and the timer PPI, then opens its CPU interface. Every
 * interrupt is non-secure Group 1; SPIs are routed to the boot CPU. SGIs go
 * through ICC_SGI1R_EL1 to the target's affinity. EOImode is 0: ICC_EOIR1_EL1
 * both drops the priority and deactivates.
 */
#include "aarch64.h"
#include "gic.h"
#include "klog.h"
#include "platform.h"
#include "sysreg.h"

#include <kosh/fmt.h>

#define PRIORITY4  (GIC_PRIORITY * 0x01010101u)
#define WAIT_NS    100000000ull /* 100 ms for a register write or a wake-up */
#define SRE_BITS   0x7u          /* ICC_SRE_EL1: SRE | DFB | DIB */
#define CTLR_EOIMODE 0x2u        /* ICC_CTLR_EL1.EOImode */

static uintptr_t ranges[FW_GICR_MAX]; /* the GICR ranges, kernel-virtual */
static uint32_t redistributors;

static int wait_rwp(uintptr_t ctlr, uint32_t rwp, const char *what)
{
	if (!aarch64_mmio_wait(ctlr, rwp, 0, WAIT_NS))
		return 0;
	klog_warn("aarch64: %s register write still pending after 100 ms", what);
	return -1;
}

/* The SPIs: Group 1, masked, idle, one priority, level-triggered. */
static void spis_init(const struct gic_info *g)
{
	gic_fill(g->gicd + GICD_IGROUPR, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_ICENABLER, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_ICPENDR, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_ICACTIVER, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_IPRIORITYR, 32, g->lines, 4, PRIORITY4);
	gic_fill(g->gicd + GICD_ICFGR, 32, g->lines, 16, 0);
}

/* IROUTER takes effect only with ARE set: after the enable, as the GIC requires. */
static void spis_route(const struct gic_info *g, uint64_t hwid)
{
	for (uint32_t i = 32; i < g->lines; i++)
		gic_write64(g->gicd + GICD_IROUTER + 8 * i, hwid);
}

static int map_ranges(const struct fw_gic *f)
{
	for (uint32_t i = 0; i < f->gicr_count; i++) {
		ranges[i] = aarch64_map_device(f->gicr[i].base, f->gicr[i].size);
		if (!ranges[i])
			return -1;
		redistributors += gic_redist_count(ranges[i], f->gicr[i].size);
	}
	return 0;
}

/* Without GICR ranges, the firmware lists each CPU's frame (ACPI GICC entries). */
static void count_listed(const struct platform *p)
{
	for (uint32_t i = 0; i < p->cpu_count; i++)
		redistributors += p->cpus[i].gicr_base != 0;
}

static int v3_init(struct gic_info *g)
{
	gic_write32(g->gicd + GICD_CTLR, 0);
	if (wait_rwp(g->gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD"))
		return -1;
	g->lines = gic_typer_lines(gic_read32(g->gicd + GICD_TYPER));
	spis_init(g);
	gic_write32(g->gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_G1A | GICD_CTLR_ENABLE);
	if (wait_rwp(g->gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD"))
		return -1;
	spis_route(g, this_cpu()->hwid);
	redistributors = 0;
	if (map_ranges(&g->plat->gic))
		return -1;
	if (!g->plat->gic.gicr_count)
		count_listed(g->plat);
	return 0;
}

static uintptr_t find_redistributor(const struct gic_info *g, uint64_t hwid)
{
	const struct fw_gic *f = &g->plat->gic;
	const struct fw_cpu *cpu = aarch64_fw_cpu(g->plat, hwid);
	if (cpu && cpu->gicr_base) {
		uintptr_t frame = aarch64_map_device(cpu->gicr_base, GICR_FRAME_SIZE);
		return frame ? gic_redist_find(frame, GICR_FRAME_SIZE, hwid) : 0;
	}
	for (uint32_t i = 0; i < f->gicr_count; i++) {
		uintptr_t frame = gic_redist_find(ranges[i], f->gicr[i].size, hwid);
		if (frame)
			return frame;
	}
	return 0;
}

/* Clear ProcessorSleep, then wait for ChildrenAsleep to clear. */
static int wake(uintptr_t rd)
{
	gic_write32(rd + GICR_WAKER, gic_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	return aarch64_mmio_wait(rd + GICR_WAKER, GICR_WAKER_ASLEEP, 0, WAIT_NS);
}

/* The SGIs in use and the timer PPI: Group 1, one priority, enabled; the rest masked. */
static int sgis_ppis_init(const struct gic_info *g, uintptr_t rd)
{
	uint32_t bit = 2u << (2 * (g->timer_ppi - 16));
	gic_write32(rd + GICR_ICENABLER0, ~0u);
	if (wait_rwp(rd + GICR_CTLR, GICR_CTLR_RWP, "GICR"))
		return -1;
	gic_write32(rd + GICR_ICACTIVER0, ~0u);
	gic_write32(rd + GICR_IGROUPR0, ~0u);
	gic_fill(rd + GICR_IPRIORITYR, 0, 32, 4, PRIORITY4);
	uint32_t cfg = gic_read32(rd + GICR_ICFGR1);
	gic_write32(rd + GICR_ICFGR1, g->timer_edge ? cfg | bit : cfg & ~bit);
	gic_write32(rd + GICR_ISENABLER0, g->sgi_mask | 1u << g->timer_ppi);
	return 0;
}

/* The system-register CPU interface; SRE stays 0 if EL2 or EL3 keeps it from EL1. */
static int cpu_interface_init(void)
{
	sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | SRE_BITS);
	isb();
	if (!(sysreg_read(ICC_SRE_EL1) & 1))
		return -1;
	sysreg_write(ICC_PMR_EL1, GIC_PRIORITY_MASK);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) & ~(uint64_t)CTLR_EOIMODE);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
	return 0;
}

static int v3_init_cpu(const struct gic_info *g, struct cpu *c, struct aarch64_cpu *ac)
{
	uintptr_t rd = find_redistributor(g, c->hwid);
	if (!rd) {
		klog_warn("aarch64: cpu %u: no redistributor for MPIDR 0x%llx", c->index,
			  (unsigned long long)c->hwid);
		return -1;
	}
	ac->gicr = rd;
	if (wake(rd)) {
		klog_warn("aarch64: cpu %u: redistributor did not wake up", c->index);
		return -1;
	}
	if (sgis_ppis_init(g, rd))
		return -1;
	ac->enabled = gic_read32(rd + GICR_ISENABLER0);
	if (cpu_interface_init()) {
		klog_warn("aarch64: cpu %u: ICC_SRE_EL1.SRE stays 0 (GIC system registers "
			  "disabled by a higher exception level)", c->index);
		return -1;
	}
	return 0;
}

/* The dsb orders the read before whatever the interrupt announces is looked at. */
static uint32_t v3_ack(const struct gic_info *g)
{
	uint32_t iar = (uint32_t)sysreg_read(ICC_IAR1_EL1);
	__asm__ volatile("dsb sy" ::: "memory");
	return iar;
}

static void v3_eoi(const struct gic_info *g, uint32_t iar)
{
	sysreg_write(ICC_EOIR1_EL1, iar);
	isb();
}

/* The barrier makes this CPU's earlier stores visible before the target can see the SGI. */
static void v3_send_sgi(const struct gic_info *g, const struct cpu *to, unsigned sgi)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	sysreg_write(ICC_SGI1R_EL1, gic_sgi1r(to->hwid, sgi));
	isb();
}

static void v3_describe(const struct gic_info *g, char *buf, unsigned long len)
{
	kosh_snprintf(buf, len, "%u redistributors, %u interrupt lines", redistributors,
		      g->lines);
}

static int v3_read_enabled(const struct gic_info *g, struct cpu *c, uint32_t *bits)
{
	uintptr_t rd = aarch64_cpu(c)->gicr;
	if (!rd)
		return -1;
	*bits = gic_read32(rd + GICR_ISENABLER0);
	return 0;
}

const struct gic_driver gicv3_driver = {
	.name = "GICv3",
	.init = v3_init,
	.init_cpu = v3_init_cpu,
	.ack = v3_ack,
	.eoi = v3_eoi,
	.send_sgi = v3_send_sgi,
	.describe = v3_describe,
	.read_enabled = v3_read_enabled,
};
