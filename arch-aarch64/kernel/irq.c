/* SPDX-License-Identifier: MIT */
/*
 * Interrupts on AArch64: the GIC the platform describes and the IRQ entry, plus
 * the machine set-up hooks of arch.h that bring them up with the timer.
 *
 * The version comes from the platform (ACPI MADT GICD, device-tree compatible);
 * when the firmware gives none, from GICD_PIDR2. Version 2 is driven by
 * gicv2.c, versions 3 and 4 by gicv3.c (affinity routing, system-register CPU
 * interface). Every interrupt has one priority, so handlers never nest; SPIs
 * start masked and routed to the boot CPU.
 *
 * The IRQ entry acknowledges, dispatches and ends one interrupt: the timer's
 * PPI to timer_interrupt(), SGI n < IPI_KIND_COUNT to smp_ipi_handle(n) (one SGI
 * per enum ipi_kind), spurious INTIDs (1020-1023) to nothing, everything else to
 * irq_handle(). The handler runs before the end of interrupt, so the timer's
 * level-triggered PPI has been cleared by re-programming when the GIC looks again.
 */
#include "aarch64.h"
#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "gic.h"
#include "irq.h"
#include "klog.h"
#include "platform.h"
#include "pmm.h"
#include "smp.h"
#include "sysreg.h"
#include "timer.h"
#include "traps_arm.h"
#include "vm.h"

#include <kosh/pagetable.h>

#define LOW_4G (1ull << 32)

static struct gic_info gic;
static const struct gic_driver *driver;

const struct gic_info *aarch64_gic(void)
{
	return &gic;
}

const struct gic_driver *aarch64_gic_driver(void)
{
	return driver;
}

/*
 * The HHDM maps the low 4 GiB as device memory (docs/boot.md); registers above
 * that (a GICv3's far redistributors on big machines) are mapped here first.
 */
uintptr_t aarch64_map_device(uint64_t phys, uint64_t size)
{
	uintptr_t virt = (uintptr_t)phys_to_virt(phys);
	if (phys + size <= LOW_4G)
		return virt;
	uint64_t base = phys & ~(PT_PAGE_SIZE - 1);
	uint64_t end = (phys + size + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
	int err = vm_map(vm_kernel_space(), (uintptr_t)phys_to_virt(base), base, end - base,
			 PT_WRITE | PT_DEVICE | PT_SKIP_MAPPED);
	if (err) {
		klog_warn("aarch64: cannot map registers at 0x%llx: %s", (unsigned long long)phys,
			  pagetable_strerror(err));
		return 0;
	}
	return virt;
}

int aarch64_mmio_wait(uintptr_t reg, uint32_t bits, uint32_t want, uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	while ((gic_read32(reg) & bits) != want) {
		if (clock_ns() > deadline)
			return -1;
		arch_cpu_relax();
	}
	return 0;
}

const struct fw_cpu *aarch64_fw_cpu(const struct platform *p, uint64_t hwid)
{
	for (uint32_t i = 0; i < p->cpu_count; i++) {
		if (p->cpus[i].hw_id == hwid)
			return &p->cpus[i];
	}
	return 0;
}

/* The hardware's version: GICD_PIDR2, at the offset of the register layout the platform implies. */
static unsigned hardware_version(const struct platform *p)
{
	uint32_t off = p->ic == PLATFORM_IC_GICV3 ? GICD_PIDR2_V3 : GICD_PIDR2_V2;
	return gic_pidr2_version(gic_read32(gic.gicd + off));
}

static int choose_driver(const struct platform *p)
{
	if (p->ic != PLATFORM_IC_GICV2 && p->ic != PLATFORM_IC_GICV3) {
		klog_error("aarch64: the platform describes no GIC");
		return -1;
	}
	gic.gicd = aarch64_map_device(p->gic.gicd, 0x10000);
	if (!gic.gicd)
		return -1;
	gic.version = p->gic.version ? p->gic.version : hardware_version(p);
	if (gic.version < 1 || gic.version > 4) {
		klog_error("aarch64: GIC version %u (GICD_PIDR2) not supported", gic.version);
		return -1;
	}
	driver = gic.version >= 3 ? &gicv3_driver : &gicv2_driver;
	return 0;
}

static void dispatch(uint32_t intid)
{
	if (intid == gic.timer_ppi)
		timer_interrupt();
	else if (intid < IPI_KIND_COUNT)
		smp_ipi_handle((enum ipi_kind)intid);
	else
		irq_handle(intid);
}

static void irq_entry(void)
{
	uint32_t iar = driver->ack(&gic);
	uint32_t intid = iar & (gic.version >= 3 ? 0xffffffu : 0x3ffu);
	if (intid >= GIC_SPURIOUS_FIRST && intid <= GIC_SPURIOUS_LAST)
		return; /* nothing was acknowledged: no end of interrupt */
	dispatch(intid);
	driver->eoi(&gic, iar);
}

/* This CPU's share: GIC interface, timer disarmed, what it saw recorded. */
static int init_this_cpu(void)
{
	struct cpu *c = this_cpu();
	struct aarch64_cpu *ac = aarch64_cpu(c);
	uint64_t el;
	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	ac->el = (el >> 2) & 3;
	ac->cntfrq = sysreg_read(cntfrq_el0) & 0xffffffffu; /* bits 63:32 are RES0 */
	aarch64_timer_init_cpu();
	return driver->init_cpu(&gic, c, ac);
}

uint64_t arch_platform_init(const struct platform *p)
{
	char what[64];
	gic.plat = p;
	gic.sgi_mask = (1u << IPI_KIND_COUNT) - 1;
	uint64_t hz = aarch64_timer_select(p, &gic.timer_ppi, &gic.timer_edge);
	if (!hz || choose_driver(p) || driver->init(&gic) || init_this_cpu())
		return 0;
	aarch64_set_irq_entry(irq_entry);
	driver->describe(&gic, what, sizeof(what));
	klog_info("aarch64: GICv%u, %s, timer %s PPI %u, counter %llu Hz", gic.version, what,
		  aarch64_timer_name(), gic.timer_ppi, (unsigned long long)hz);
	return hz;
}

int arch_platform_init_cpu(void)
{
	return driver ? init_this_cpu() : -1;
}

void arch_ipi_send(const struct cpu *c, unsigned kind)
{
	if (driver && kind < IPI_KIND_COUNT)
		driver->send_sgi(&gic, c, kind);
}
