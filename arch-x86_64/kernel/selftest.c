/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 boot self-checks (arch_selftests, run under kosh.test after the
 * portable ones): an ISA interrupt through the IOAPIC and its interrupt source
 * override, the TSC calibration against a second measurement, every CPU's
 * local APIC, and the LAPIC timer's count rate. Ids are stable: X86-0001 ...
 */
#include "arch.h"
#include "apic.h"
#include "clock.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "irq.h"
#include "klog.h"

#include <kosh/fmt.h>

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND  0x43
#define PIT_HZ       1193182ull
#define PIT_ONESHOT  0x30 /* channel 0, low then high byte, mode 0: interrupt on terminal count */

#define PIT_NS           10000000ull   /* the PIT counts 10 ms */
#define INTERRUPT_WAIT   1000000000ull /* and has 1 s to be seen */
#define REMEASURE_NS     10000000ull
#define COUNT_NS         10000000ull
#define RATE_TOLERANCE   2             /* percent */

/*
 * Timing checks under emulation measure between two tight samples, so a host
 * preemption between them costs nothing; one inside a sample widens it, and
 * the best of a few tries is kept.
 */
#define TRIES 3

#define CPUID_1_ECX_X2APIC (1u << 21)

static uint64_t pit_hits;

static void pit_hit(uint32_t irq, void *ctx)
{
	__atomic_fetch_add(&pit_hits, 1, __ATOMIC_RELAXED);
}

static void pit_start(uint64_t ns)
{
	uint64_t count = apic_ns_to_ticks(ns, PIT_HZ);
	arch_port_out8(PIT_COMMAND, PIT_ONESHOT);
	arch_port_out8(PIT_CHANNEL0, (uint8_t)count);
	arch_port_out8(PIT_CHANNEL0, (uint8_t)(count >> 8));
}

static int wait_hits(uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	while (!__atomic_load_n(&pit_hits, __ATOMIC_RELAXED) && clock_ns() < deadline)
		arch_cpu_relax();
	return __atomic_load_n(&pit_hits, __ATOMIC_RELAXED) != 0;
}

/*
 * The PIT's channel 0, one-shot, raises ISA IRQ 0, which QEMU (like most PCs)
 * wires to GSI 2 with an override; routed to this CPU, it must arrive.
 */
static int check_ioapic(char *why, unsigned long len)
{
	struct fw_irq gsi;
	__atomic_store_n(&pit_hits, 0, __ATOMIC_RELAXED);
	irq_register(X86_VECTOR_SELFTEST, pit_hit, 0);
	if (x86_irq_route_isa(0, X86_VECTOR_SELFTEST, this_cpu()->hwid, &gsi)) {
		kosh_snprintf(why, len, "no IOAPIC serves ISA IRQ 0 (GSI %u)", gsi.intid);
		irq_register(X86_VECTOR_SELFTEST, 0, 0);
		return 0;
	}
	pit_start(PIT_NS);
	int seen = wait_hits(INTERRUPT_WAIT);
	x86_irq_mask(gsi.intid);
	irq_register(X86_VECTOR_SELFTEST, 0, 0);
	klog_info("x86: ISA IRQ 0 -> GSI %u, %s, active %s: %s", gsi.intid,
		  gsi.trigger == FW_TRIGGER_LEVEL ? "level" : "edge",
		  gsi.polarity == FW_POLARITY_LOW ? "low" : "high",
		  seen ? "the PIT's interrupt arrived" : "nothing arrived");
	if (!seen)
		kosh_snprintf(why, len,
			      "the PIT's interrupt (ISA IRQ 0, GSI %u) did not arrive in 1 s",
			      gsi.intid);
	return seen;
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* A second, shorter measurement against the same reference agrees with the first. */
static int check_tsc(char *why, unsigned long len)
{
	const struct x86_timer_info *t = x86_timer_info();
	uint64_t best = 0;
	for (int i = 0; i < TRIES; i++) {
		uint64_t again = x86_timer_measure(REMEASURE_NS);
		if (distance(again, t->tsc_hz) < distance(best, t->tsc_hz))
			best = again;
	}
	if (!best || distance(best, t->tsc_hz) * 100 > t->tsc_hz * RATE_TOLERANCE) {
		kosh_snprintf(why, len, "TSC calibrated at %llu Hz, now %llu Hz against %s",
			      (unsigned long long)t->tsc_hz, (unsigned long long)best, t->ref);
		return 0;
	}
	return 1;
}

/* Each online CPU set its local APIC up, in x2APIC mode exactly when CPUID offers it. */
static int check_lapics(char *why, unsigned long len)
{
	uint32_t r[4];
	x86_cpuid(1, 0, r);
	uint64_t mode = (r[2] & CPUID_1_ECX_X2APIC) ? X86_CPU_APIC_X2APIC : 0;
	for (uint32_t i = 0; i < cpu_count(); i++) {
		uint64_t f = __atomic_load_n(&cpus[i].arch_data[X86_CPU_APIC], __ATOMIC_ACQUIRE);
		const char *bad = !(f & X86_CPU_APIC_UP)           ? "is not set up"
				  : (f & X86_CPU_APIC_X2APIC) != mode ? "is in the wrong mode"
				  : !(f & X86_CPU_APIC_ID_MATCH)      ? "reads another id"
								      : 0;
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) && bad) {
			kosh_snprintf(why, len, "cpu %u's local APIC %s", i, bad);
			return 0;
		}
	}
	return 1;
}

/* The LAPIC timer's count rate, measured again against the TSC, is its calibrated rate. */
static int check_lapic_count(char *why, unsigned long len)
{
	uint64_t want = x86_timer_info()->lapic_hz, best = 0;
	for (int i = 0; i < TRIES; i++) {
		uint64_t rate = x86_timer_count_rate(COUNT_NS);
		if (distance(rate, want) < distance(best, want))
			best = rate;
	}
	if (!best || distance(best, want) * 100 > want * RATE_TOLERANCE) {
		kosh_snprintf(why, len, "LAPIC timer calibrated at %llu Hz, counts at %llu Hz",
			      (unsigned long long)want, (unsigned long long)best);
		return 0;
	}
	return 1;
}

static const struct arch_selftest tests[] = {
	{ "X86-0001", "an ISA interrupt arrives through the IOAPIC and its override",
	  check_ioapic },
	{ "X86-0002", "TSC calibration agrees with a second measurement", check_tsc },
	{ "X86-0003", "every CPU's local APIC in the mode CPUID offers, with its id",
	  check_lapics },
	{ "X86-0004", "the LAPIC timer counts at its calibrated rate", check_lapic_count },
};

const struct arch_selftest *arch_selftests(unsigned *count)
{
	*count = sizeof(tests) / sizeof(tests[0]);
	return tests;
}
