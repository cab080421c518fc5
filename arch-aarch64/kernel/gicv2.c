/* SPDX-License-Identifier: MIT */
/*
 * The GICv2 driver (Arm IHI 0048B): a memory-mapped distributor (GICD) and CPU
 * interface (GICC). The registers of interrupts 0-31 (SGIs, PPIs) are banked:
 * each CPU sets up its own through the same GICD addresses. SGIs are sent
 * through GICD_SGIR to a CPU interface mask, which each CPU reads from its
 * banked GICD_ITARGETSR0 and keeps in its struct aarch64_cpu.
 *
 * Groups are left as the firmware set them (Group 1 when it runs with security
 * extensions, else all Group 0, signalled as IRQ): the non-secure view of
 * GICD_CTLR/GICC_CTLR bit 0 enables whichever group Kosh sees. EOImode is 0:
 * GICC_EOIR both drops the priority and deactivates.
 */
#include "aarch64.h"
#include "gic.h"
#include "klog.h"
#include "platform.h"

#include <kosh/fmt.h>

#define PRIORITY4 (GIC_PRIORITY * 0x01010101u) /* four interrupts' priority bytes */

/* The SPIs (32 and up): masked, idle, one priority, level, to the boot CPU. */
static void spis_init(const struct gic_info *g, uint8_t boot_mask)
{
	gic_fill(g->gicd + GICD_ICENABLER, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_ICPENDR, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_ICACTIVER, 32, g->lines, 32, ~0u);
	gic_fill(g->gicd + GICD_IPRIORITYR, 32, g->lines, 4, PRIORITY4);
	gic_fill(g->gicd + GICD_ITARGETSR, 32, g->lines, 4, boot_mask * 0x01010101u);
	gic_fill(g->gicd + GICD_ICFGR, 32, g->lines, 16, 0);
}

static int v2_init(struct gic_info *g)
{
	const struct fw_cpu *boot = aarch64_fw_cpu(g->plat, this_cpu()->hwid);
	g->gicc = aarch64_map_device(g->plat->gic.gicc, 0x2000);
	if (!g->gicc)
		return -1;
	gic_write32(g->gicd + GICD_CTLR, 0);
	g->lines = gic_typer_lines(gic_read32(g->gicd + GICD_TYPER));
	spis_init(g, gic_v2_target_mask(gic_read32(g->gicd + GICD_ITARGETSR),
					boot ? boot->gic_iface : 0));
	gic_write32(g->gicd + GICD_CTLR, GICD_CTLR_ENABLE);
	return 0;
}

/* The timer PPI's trigger in GICD_ICFGR1 (2 bits per interrupt, bit 1: edge). */
static void set_ppi_trigger(const struct gic_info *g)
{
	uintptr_t reg = g->gicd + GICD_ICFGR + 4;
	uint32_t bit = 2u << (2 * (g->timer_ppi - 16));
	uint32_t cfg = gic_read32(reg);
	gic_write32(reg, g->timer_edge ? cfg | bit : cfg & ~bit);
}

static int v2_init_cpu(const struct gic_info *g, struct cpu *c, struct aarch64_cpu *ac)
{
	const struct fw_cpu *f = aarch64_fw_cpu(g->plat, c->hwid);
	ac->gic_target = gic_v2_target_mask(gic_read32(g->gicd + GICD_ITARGETSR),
					    f ? f->gic_iface : 0);
	gic_write32(g->gicd + GICD_ICENABLER, ~0u);
	gic_write32(g->gicd + GICD_ICPENDR, ~0u);
	gic_write32(g->gicd + GICD_ICACTIVER, ~0u);
	gic_fill(g->gicd + GICD_IPRIORITYR, 0, 32, 4, PRIORITY4);
	set_ppi_trigger(g);
	gic_write32(g->gicd + GICD_ISENABLER, g->sgi_mask | 1u << g->timer_ppi);
	ac->enabled = gic_read32(g->gicd + GICD_ISENABLER);
	gic_write32(g->gicc + GICC_PMR, GIC_PRIORITY_MASK);
	gic_write32(g->gicc + GICC_BPR, 0);
	gic_write32(g->gicc + GICC_CTLR, 1); /* enable signalling; EOImode 0 */
	if (!ac->gic_target) {
		klog_warn("aarch64: cpu %u: no GICv2 CPU interface number", c->index);
		return -1;
	}
	return 0;
}

static uint32_t v2_ack(const struct gic_info *g)
{
	return gic_read32(g->gicc + GICC_IAR);
}

static void v2_eoi(const struct gic_info *g, uint32_t iar)
{
	gic_write32(g->gicc + GICC_EOIR, iar); /* with the SGI's source CPU bits */
}

/* The barrier makes this CPU's earlier stores visible before the target can see the SGI. */
static void v2_send_sgi(const struct gic_info *g, const struct cpu *to, unsigned sgi)
{
	uint8_t mask = (uint8_t)aarch64_cpu_const(to)->gic_target;
	uint32_t value = to == this_cpu() ? gic_sgir_self(sgi) : gic_sgir(mask, sgi);
	__asm__ volatile("dsb ishst" ::: "memory");
	gic_write32(g->gicd + GICD_SGIR, value);
}

static void v2_describe(const struct gic_info *g, char *buf, unsigned long len)
{
	kosh_snprintf(buf, len, "%u interrupt lines", g->lines);
}

static int v2_read_enabled(const struct gic_info *g, struct cpu *c, uint32_t *bits)
{
	if (c != this_cpu())
		return -1; /* banked: only the CPU itself can read its own */
	*bits = gic_read32(g->gicd + GICD_ISENABLER);
	return 0;
}

const struct gic_driver gicv2_driver = {
	.name = "GICv2",
	.init = v2_init,
	.init_cpu = v2_init_cpu,
	.ack = v2_ack,
	.eoi = v2_eoi,
	.send_sgi = v2_send_sgi,
	.describe = v2_describe,
	.read_enabled = v2_read_enabled,
};
