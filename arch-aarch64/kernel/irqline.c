/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines for userspace (arch.h "Interrupt lines"): GIC SPIs. The
 * distributor set-up already routes every SPI to the boot CPU, level-triggered
 * and masked, so a line only needs its enable bit; the distributor's enable
 * registers are the same on GICv2 and GICv3.
 */
#include "arch.h"
#include "aarch64.h"
#include "gic.h"

int arch_irq_line_route(uint32_t line, const struct cpu *c)
{
	const struct gic_info *g = aarch64_gic();
	(void)c; /* SPIs already target the boot CPU (gicv2.c / gicv3.c) */
	if (!g || !g->gicd || line < 32 || line >= g->lines)
		return -1;
	arch_irq_line_mask(line, 1);
	return (int)line;
}

void arch_irq_line_mask(uint32_t line, int masked)
{
	const struct gic_info *g = aarch64_gic();
	if (!g || !g->gicd || line < 32 || line >= g->lines)
		return;
	gic_write32(g->gicd + (masked ? GICD_ICENABLER : GICD_ISENABLER) + 4 * (line / 32),
		    1u << (line % 32));
}
