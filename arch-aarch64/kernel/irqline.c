/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines for userspace (arch.h "Interrupt lines"): GIC SPIs. The
 * distributor set-up already routes every SPI to the boot CPU, level-triggered
 * and masked, so a line only needs its enable bit; the distributor's enable
 * registers are the same on GICv2 and GICv3.
 *
 * Message-signalled interrupts come through GICv2m frames (the platform's
 * MADT or device tree): a device's write of an SPI's INTID to the frame's
 * MSI_SETSPI_NS register raises that SPI, which is made edge-triggered while
 * it serves as an MSI. A GICv3 ITS (LPIs) is not driven: without a GICv2m frame
 * there are no MSIs (KOSH_E_NOT_SUPPORTED).
 */
#include "arch.h"
#include "aarch64.h"
#include "gic.h"
#include "klog.h"
#include "platform.h"

#include <kosh/abi.h>

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

#define V2M_MSI_TYPER     0x008 /* bits 25:16 first SPI, 9:0 how many */
#define V2M_MSI_SETSPI_NS 0x040
#define V2M_FRAME_SIZE    0x1000

struct v2m_frame {
	uint64_t phys;
	uint32_t first, count; /* INTIDs first .. first + count - 1 */
};

static struct v2m_frame frames[FW_V2M_MAX];
static uint32_t frame_count;
static int probed;
static uint8_t msi_used[GIC_MAX_LINES]; /* by INTID */

/* The frames' SPI ranges, from the firmware or each frame's MSI_TYPER; once. */
static void v2m_probe(const struct gic_info *g)
{
	const struct fw_gic *fw = &g->plat->gic;
	probed = 1;
	for (uint32_t i = 0; i < fw->v2m_count && i < FW_V2M_MAX; i++) {
		uint32_t first = fw->v2m[i].spi_base, count = fw->v2m[i].spi_count;
		if (!count) {
			uintptr_t va = aarch64_map_device(fw->v2m[i].base, V2M_FRAME_SIZE);
			uint32_t typer = va ? gic_read32(va + V2M_MSI_TYPER) : 0;
			first = (typer >> 16) & 0x3ff;
			count = typer & 0x3ff;
		}
		if (first < 32 || !count || first + count > g->lines) {
			klog_warn("aarch64: GICv2m frame at 0x%llx: SPIs %u+%u unusable, ignored",
				  (unsigned long long)fw->v2m[i].base, first, count);
			continue;
		}
		frames[frame_count++] = (struct v2m_frame){ fw->v2m[i].base, first, count };
		klog_info("aarch64: GICv2m frame at 0x%llx: MSIs on SPIs %u-%u",
			  (unsigned long long)fw->v2m[i].base, first, first + count - 1);
	}
}

/* Edge (MSI) or level (every other SPI) in GICD_ICFGR: 2 bits per INTID, bit 1 edge. */
static void set_edge(const struct gic_info *g, uint32_t intid, int edge)
{
	uintptr_t reg = g->gicd + GICD_ICFGR + 4 * (intid / 16);
	uint32_t bit = 2u << (2 * (intid % 16));
	uint32_t cfg = gic_read32(reg);
	gic_write32(reg, edge ? cfg | bit : cfg & ~bit);
}

int arch_msi_alloc(const struct cpu *c, uint64_t *address, uint32_t *data)
{
	const struct gic_info *g = aarch64_gic();
	(void)c; /* SPIs already target the boot CPU */
	if (!g || !g->gicd || !g->plat)
		return KOSH_E_NOT_SUPPORTED;
	if (!probed)
		v2m_probe(g);
	if (!frame_count)
		return KOSH_E_NOT_SUPPORTED;
	for (uint32_t f = 0; f < frame_count; f++) {
		for (uint32_t intid = frames[f].first; intid < frames[f].first + frames[f].count;
		     intid++) {
			if (msi_used[intid])
				continue;
			msi_used[intid] = 1;
			arch_irq_line_mask(intid, 1);
			gic_write32(g->gicd + GICD_ICPENDR + 4 * (intid / 32), 1u << (intid % 32));
			set_edge(g, intid, 1);
			arch_irq_line_mask(intid, 0);
			*address = frames[f].phys + V2M_MSI_SETSPI_NS;
			*data = intid;
			return (int)intid;
		}
	}
	return KOSH_E_NO_SLOTS;
}

void arch_msi_free(uint32_t irq)
{
	const struct gic_info *g = aarch64_gic();
	if (!g || irq >= GIC_MAX_LINES || !msi_used[irq])
		return;
	arch_irq_line_mask(irq, 1);
	set_edge(g, irq, 0);
	msi_used[irq] = 0;
}
