/* SPDX-License-Identifier: MIT */
/*
 * The Arm generic timer as each CPU's one-shot timer (arch_timer_set).
 *
 * Which timer: the EL1 physical timer (CNTP, PPI timers.arm.phys) when the
 * kernel was entered at EL2, else the virtual timer (CNTV, PPI timers.arm.virt).
 * Entered at EL2, Kosh owns EL2: the drop to EL1 (<arch/el2.S>) opened CNTP to
 * EL1 through CNTHCTL_EL2 and set CNTVOFF_EL2 to 0, and the virtual timer stays
 * free for guests of a hypervisor Kosh may run one day. Entered at EL1, someone
 * else may own EL2: CNTV is the timer every hypervisor gives its guest, while
 * CNTP may be trapped (and emulated slowly, as KVM does) or refused. The
 * choice is made once, on the boot CPU, and holds for every CPU.
 *
 * A deadline on the monotonic clock becomes a compare value relative to the
 * chosen timer's own counter, read after clock_ns() (counter.c): the timer
 * never fires early, and CNTVOFF_EL2 need not be 0. The interrupt does not
 * storm: timer_interrupt() re-programs a future compare value or disarms the
 * timer (ENABLE clear) before the end of interrupt, which clears the level.
 */
#include "aarch64.h"
#include "arch.h"
#include "bootinfo.h"
#include "clock.h"
#include "counter.h"
#include "klog.h"
#include "platform.h"
#include "sysreg.h"

#include <kosh/bootinfo.h>

#define CTL_ENABLE       0x1u
#define PPI_PHYS_DEFAULT 30 /* the SBSA numbers, when the firmware gives none */
#define PPI_VIRT_DEFAULT 27

static int use_phys; /* CNTP, else CNTV */

const char *aarch64_timer_name(void)
{
	return use_phys ? "CNTP" : "CNTV";
}

/* The chosen timer's PPI, from the platform or the SBSA default. */
static uint32_t timer_ppi(const struct platform *p, int *edge)
{
	const struct fw_irq *irq = use_phys ? &p->timers.arm.phys : &p->timers.arm.virt;
	*edge = irq->trigger == FW_TRIGGER_EDGE;
	if (irq->intid)
		return irq->intid;
	uint32_t ppi = use_phys ? PPI_PHYS_DEFAULT : PPI_VIRT_DEFAULT;
	klog_warn("aarch64: the firmware names no %s interrupt; assuming PPI %u",
		  aarch64_timer_name(), ppi);
	return ppi;
}

uint64_t aarch64_timer_select(const struct platform *p, uint32_t *ppi, int *edge)
{
	const struct kosh_bootinfo *bi = bootinfo_current();
	use_phys = bi && (bi->flags & KOSH_BOOT_ENTERED_EL2);
	*ppi = timer_ppi(p, edge);
	if (*ppi < 16 || *ppi > 31) {
		klog_error("aarch64: timer interrupt %u is not a PPI", *ppi);
		return 0;
	}
	uint64_t hz = sysreg_read(cntfrq_el0) & 0xffffffffu;
	if (!hz)
		klog_error("aarch64: CNTFRQ_EL0 is 0: the firmware did not set the counter rate");
	return hz;
}

static uint64_t read_count(void)
{
	isb(); /* not read ahead of the instructions before it */
	return use_phys ? sysreg_read(cntpct_el0) : sysreg_read(cntvct_el0);
}

static void write_timer(uint64_t cval, uint64_t ctl)
{
	if (use_phys) {
		sysreg_write(cntp_cval_el0, cval);
		sysreg_write(cntp_ctl_el0, ctl);
	} else {
		sysreg_write(cntv_cval_el0, cval);
		sysreg_write(cntv_ctl_el0, ctl);
	}
	isb();
}

void aarch64_timer_init_cpu(void)
{
	write_timer(UINT64_MAX, 0);
}

void arch_timer_set(uint64_t deadline_ns)
{
	if (!deadline_ns) {
		write_timer(UINT64_MAX, 0);
		return;
	}
	uint64_t now_ns = clock_ns();
	write_timer(counter_compare_value(read_count(), now_ns, deadline_ns, clock_hz()),
		    CTL_ENABLE);
}
