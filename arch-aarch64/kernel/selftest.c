/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 port's boot self-checks (arch_selftests, run under kosh.test after
 * the portable ones): the GIC is the version the platform named, every online
 * CPU has the IPI SGIs and its timer PPI enabled, runs at EL1 and sees the same
 * counter frequency, an SGI to oneself arrives, and the timer interrupt ends
 * once handled instead of storming. Ids A64-0001 … are stable.
 */
#include "aarch64.h"
#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "gic.h"
#include "platform.h"
#include "smp.h"
#include "timer.h"

#include <kosh/fmt.h>

#define WAIT_NS  1000000000ull /* 1 s for anything that should take microseconds */
#define QUIET_NS 20000000ull   /* 20 ms without an armed timer event */

static int fail(char *why, unsigned long len, const char *reason, uint32_t cpu)
{
	kosh_snprintf(why, len, "cpu %u: %s", cpu, reason);
	return 0;
}

static int online(const struct cpu *c)
{
	return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
}

static int wait_above(const uint64_t *counter, uint64_t value, uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) <= value) {
		if (clock_ns() > deadline)
			return 0;
		arch_cpu_relax();
	}
	return 1;
}

/* The version the platform named (or, naming none, its GICv2/v3 layout) is the hardware's. */
static int check_gic_version(char *why, unsigned long len)
{
	const struct gic_info *g = aarch64_gic();
	const struct platform *p = g->plat;
	uint32_t off = g->version >= 3 ? GICD_PIDR2_V3 : GICD_PIDR2_V2;
	unsigned hw = gic_pidr2_version(gic_read32(g->gicd + off));
	unsigned named = p->gic.version ? p->gic.version : (p->ic == PLATFORM_IC_GICV3 ? 3 : 2);
	int same = p->gic.version ? hw == named : (hw >= 3) == (named == 3);
	if (same)
		return 1;
	kosh_snprintf(why, len, "the platform says GICv%u, GICD_PIDR2 says GICv%u", named, hw);
	return 0;
}

/* Recorded at start-up and read again now (where the registers are not banked). */
static int check_enabled(char *why, unsigned long len)
{
	const struct gic_info *g = aarch64_gic();
	uint32_t want = g->sgi_mask | 1u << g->timer_ppi, now;
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (!online(&cpus[i]))
			continue;
		if ((aarch64_cpu(&cpus[i])->enabled & want) != want)
			return fail(why, len, "IPI SGIs or timer PPI not enabled at start-up", i);
		if (!aarch64_gic_driver()->read_enabled(g, &cpus[i], &now) && (now & want) != want)
			return fail(why, len, "IPI SGIs or timer PPI disabled since start-up", i);
	}
	return 1;
}

static int check_counter(char *why, unsigned long len)
{
	if (!clock_hz())
		return fail(why, len, "counter frequency 0", 0);
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (online(&cpus[i]) && aarch64_cpu(&cpus[i])->cntfrq != clock_hz())
			return fail(why, len, "CNTFRQ_EL0 differs from the boot CPU's", i);
	}
	return 1;
}

static int check_el1(char *why, unsigned long len)
{
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (online(&cpus[i]) && aarch64_cpu(&cpus[i])->el != 1)
			return fail(why, len, "not running the kernel at EL1", i);
	}
	return 1;
}

static int check_sgi_self(char *why, unsigned long len)
{
	struct cpu *self = this_cpu();
	uint64_t before = __atomic_load_n(&self->ipi_pings, __ATOMIC_ACQUIRE);
	arch_ipi_send(self, IPI_PING);
	if (wait_above(&self->ipi_pings, before, WAIT_NS))
		return 1;
	return fail(why, len, "an SGI to itself did not arrive within 1 s", self->index);
}

static void noop(struct timer_event *ev, void *ctx)
{
}

/* One event: one interrupt (two if the level was seen once more), then quiet. */
static int check_no_storm(char *why, unsigned long len)
{
	static struct timer_event ev;
	struct cpu *self = this_cpu();
	uint64_t before = __atomic_load_n(&self->timer_interrupts, __ATOMIC_ACQUIRE);
	timer_arm(&ev, clock_ns() + 1000000, noop, 0);
	if (!wait_above(&self->timer_interrupts, before, WAIT_NS)) {
		timer_cancel(&ev);
		return fail(why, len, "the timer interrupt did not arrive", self->index);
	}
	uint64_t until = clock_ns() + QUIET_NS;
	while (clock_ns() < until)
		arch_cpu_relax();
	if (__atomic_load_n(&self->timer_interrupts, __ATOMIC_ACQUIRE) - before <= 2)
		return 1;
	return fail(why, len, "the timer interrupt kept coming after its event ran", self->index);
}

static const struct arch_selftest tests[] = {
	{ "A64-0001", "GIC version as the platform says", check_gic_version },
	{ "A64-0002", "IPI SGIs and timer PPI enabled on every CPU", check_enabled },
	{ "A64-0003", "counter frequency non-zero and equal on every CPU", check_counter },
	{ "A64-0004", "every CPU runs the kernel at EL1", check_el1 },
	{ "A64-0005", "an SGI to this CPU arrives", check_sgi_self },
	{ "A64-0006", "the timer interrupt does not storm", check_no_storm },
};

const struct arch_selftest *arch_selftests(unsigned *count)
{
	*count = sizeof(tests) / sizeof(tests[0]);
	return tests;
}
