/* SPDX-License-Identifier: MIT */
/*
 * x86-64 time: the TSC and the local APIC timer, calibrated once on the boot
 * CPU against a reference of known period — the HPET (its main counter
 * enabled, legacy routing off), else the ACPI PM timer (3.579545 MHz, 24 or
 * 32 bits), else, with neither, the loader's own figure. One window of about
 * 20 ms measures both rates; every CPU then uses them.
 *
 * Each CPU's one-shot timer is its LAPIC timer: in TSC-deadline mode when
 * CPUID offers it (the deadline is a TSC value, so no per-CPU calibration and
 * no range limit), else one-shot count mode at the bus clock / 16. A deadline
 * converts to ticks rounding up, so the interrupt never comes before
 * clock_ns() reaches it; a count too long for 32 bits fires early and
 * timer_interrupt() simply programs the rest.
 */
#include "arch.h"
#include "apic.h"
#include "clock.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "klog.h"
#include "platform.h"
#include "timer.h"

#define CALIBRATION_NS    20000000ull /* 20 ms */
#define GIVE_UP_WINDOWS   10          /* a reference that has not got there by 10x is dead */
#define SAMPLE_TRIES      5
#define TSC_HZ_MIN        10000000ull      /* 10 MHz */
#define TSC_HZ_MAX        100000000000ull  /* 100 GHz */

#define HPET_CAPABILITIES 0x000
#define HPET_CONFIG       0x010
#define HPET_COUNTER      0x0f0
#define HPET_CAP_64BIT    (1u << 13)
#define HPET_ENABLE       (1u << 0)
#define HPET_LEGACY_ROUTE (1u << 1)
#define HPET_PERIOD_MAX   100000000ull /* 100 ns, the specification's limit */

#define PM_TIMER_PERIOD_FS 279365115ull /* 1 / 3.579545 MHz */

/* One-shot count mode, masked: counting with no interrupt (calibration, self-check). */
#define LVT_COUNT_MASKED (APIC_MASKED | LAPIC_TIMER_ONESHOT | X86_VECTOR_TIMER)

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)

/* A counter of known period to measure the TSC and LAPIC timer against. */
struct reference {
	const char *name;
	uint64_t period_fs;
	unsigned bits;
	uint64_t (*read)(void);
};

/* The TSC, the reference and the LAPIC timer's count, read as close together as we can. */
struct sample {
	uint64_t tsc;
	uint64_t ref;
	uint32_t lapic;
};

static struct x86_timer_info info;
static struct reference ref;
static volatile uint32_t *hpet;
static struct fw_gas pm_timer;

static uint64_t hpet_read(void)
{
	return *(volatile uint64_t *)(hpet + HPET_COUNTER / 4);
}

static uint64_t pm_timer_read(void)
{
	uint32_t v;
	if (pm_timer.space != FW_SPACE_IO)
		return *x86_mmio(pm_timer.address);
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)pm_timer.address));
	return v;
}

static uint64_t tsc_read(void)
{
	return arch_ticks();
}

/* The HPET as the reference, its main counter running: 0, or -1 when absent or implausible. */
static int use_hpet(const struct platform *p)
{
	uint64_t base = p->timers.hpet_base;
	if (!base || base >= (4ull << 30))
		return -1;
	hpet = x86_mmio(base);
	uint64_t caps = *(volatile uint64_t *)(hpet + HPET_CAPABILITIES / 4);
	uint64_t period = caps >> 32;
	if (!period || period > HPET_PERIOD_MAX)
		return -1;
	uint32_t config = hpet[HPET_CONFIG / 4];
	hpet[HPET_CONFIG / 4] = (config | HPET_ENABLE) & ~HPET_LEGACY_ROUTE;
	ref = (struct reference){ "HPET", period, caps & HPET_CAP_64BIT ? 64 : 32, hpet_read };
	return 0;
}

static int use_pm_timer(const struct platform *p)
{
	if (!p->timers.pm_timer.address)
		return -1;
	pm_timer = p->timers.pm_timer;
	ref = (struct reference){ "ACPI PM timer", PM_TIMER_PERIOD_FS,
				  p->timers.pm_timer_32bit ? 32 : 24, pm_timer_read };
	return 0;
}

/* No reference: the TSC itself at the loader's rate (its measurement against Stall()). */
static int use_loader_rate(void)
{
	uint64_t hz = clock_hz();
	if (!hz)
		return -1;
	ref = (struct reference){ "loader", apic_mul_div(APIC_FS_PER_SECOND, 1, hz, 0), 64,
				  tsc_read };
	return 0;
}

/* The tightest of a few tries: an interrupt or a host preemption widens one. */
static void take_sample(struct sample *s)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t t0 = arch_ticks();
		uint64_t r = ref.read();
		uint32_t l = x86_lapic_read(LAPIC_TIMER_CURRENT);
		uint64_t t1 = arch_ticks();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*s = (struct sample){ t0 + (t1 - t0) / 2, r, l };
		}
	}
}

/* Spin until the reference has moved by ticks since from: 0, or -1 if it gives up. */
static int wait_reference(uint64_t from, uint64_t ticks, uint64_t give_up_tsc)
{
	while (apic_counter_delta(from, ref.read(), ref.bits) < ticks) {
		if (arch_ticks() > give_up_tsc)
			return -1;
		arch_cpu_relax();
	}
	return 0;
}

/*
 * The TSC's rate (and the LAPIC timer's, when lapic_hz is given: it counts
 * down from its maximum meanwhile) over window_ns of the reference; 0 if the
 * reference does not move. The give-up bound runs on the TSC at the loader's rate.
 */
static uint64_t measure(uint64_t window_ns, uint64_t *lapic_hz)
{
	uint64_t want = apic_mul_div(window_ns, 1000000, ref.period_fs, 1);
	uint64_t hz = clock_hz() ? clock_hz() : TSC_HZ_MAX;
	uint64_t give_up = arch_ticks() + apic_ns_to_ticks(window_ns * GIVE_UP_WINDOWS, hz);
	struct sample a, b;
	if (lapic_hz) {
		x86_lapic_write(LAPIC_LVT_TIMER, LVT_COUNT_MASKED);
		x86_lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_16);
		x86_lapic_write(LAPIC_TIMER_INITIAL, UINT32_MAX);
	}
	take_sample(&a);
	if (wait_reference(a.ref, want, give_up))
		return 0;
	take_sample(&b);
	uint64_t elapsed = apic_counter_delta(a.ref, b.ref, ref.bits);
	if (lapic_hz) {
		x86_lapic_write(LAPIC_TIMER_INITIAL, 0);
		*lapic_hz = apic_rate_hz(a.lapic - b.lapic, elapsed, ref.period_fs);
	}
	return apic_rate_hz(b.tsc - a.tsc, elapsed, ref.period_fs);
}

static int plausible(uint64_t tsc_hz, uint64_t lapic_hz)
{
	return tsc_hz >= TSC_HZ_MIN && tsc_hz <= TSC_HZ_MAX && lapic_hz;
}

/* Try the references in order of precision; the loader's figure is the last resort. */
static int calibrate(const struct platform *p)
{
	int (*const tries[])(const struct platform *) = { use_hpet, use_pm_timer };
	for (unsigned i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (tries[i](p))
			continue;
		info.tsc_hz = measure(CALIBRATION_NS, &info.lapic_hz);
		if (plausible(info.tsc_hz, info.lapic_hz)) {
			info.ref = ref.name;
			return 0;
		}
		klog_warn("x86: %s does not count plausibly; not used", ref.name);
	}
	if (use_loader_rate())
		return -1;
	info.tsc_hz = measure(CALIBRATION_NS, &info.lapic_hz);
	info.ref = ref.name;
	klog_warn("x86: no HPET or PM timer; TSC rate from the loader");
	return plausible(info.tsc_hz, info.lapic_hz) ? 0 : -1;
}

/* This CPU's LAPIC timer in the chosen mode, disarmed. */
static void timer_setup(void)
{
	if (info.tsc_deadline) {
		x86_lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_TSC_DEADLINE | X86_VECTOR_TIMER);
		/* The LVT write must land before the MSR write, or the MSR ignores it. */
		__asm__ volatile("mfence" ::: "memory");
		x86_wrmsr(X86_MSR_TSC_DEADLINE, 0);
		return;
	}
	x86_lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_16);
	x86_lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_ONESHOT | X86_VECTOR_TIMER);
	x86_lapic_write(LAPIC_TIMER_INITIAL, 0);
}

static void log_rates(void)
{
	uint32_t r[4];
	klog_info("x86: TSC %llu.%03llu MHz, LAPIC timer %llu.%03llu MHz, measured against %s",
		  (unsigned long long)(info.tsc_hz / 1000000),
		  (unsigned long long)(info.tsc_hz / 1000 % 1000),
		  (unsigned long long)(info.lapic_hz / 1000000),
		  (unsigned long long)(info.lapic_hz / 1000 % 1000), info.ref);
	int invariant = 0;
	x86_cpuid(0x80000000u, 0, r);
	if (r[0] >= 0x80000007u) {
		x86_cpuid(0x80000007u, 0, r);
		invariant = (r[3] & CPUID_80000007_EDX_INVARIANT_TSC) != 0;
	}
	if (!invariant)
		klog_warn("x86: CPUID does not promise an invariant TSC: the clock may drift");
}

const struct x86_timer_info *x86_timer_info(void)
{
	return &info;
}

uint64_t x86_timer_init(const struct platform *p)
{
	uint32_t r[4];
	x86_cpuid(1, 0, r);
	if (calibrate(p)) {
		klog_error("x86: the TSC and LAPIC timer could not be calibrated");
		info.tsc_hz = 0;
		return 0;
	}
	info.tsc_deadline = (r[2] & CPUID_1_ECX_TSC_DEADLINE) != 0;
	log_rates();
	timer_setup();
	return info.tsc_hz;
}

int x86_timer_init_cpu(void)
{
	if (!info.tsc_hz)
		return -1;
	timer_setup();
	return 0;
}

uint64_t x86_timer_measure(uint64_t window_ns)
{
	return ref.read ? measure(window_ns, 0) : 0;
}

void x86_delay_ns(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;
	while (clock_ns() < end)
		arch_cpu_relax();
}

/*
 * The TSC value at which clock_ns() will have reached deadline_ns. The TSC is
 * read after the clock, so the deadline can only come out late, never early.
 */
static uint64_t tsc_deadline(uint64_t deadline_ns)
{
	uint64_t now_ns = clock_ns();
	uint64_t now = arch_ticks();
	if (deadline_ns <= now_ns)
		return 1; /* in the past: fires at once */
	uint64_t ticks = apic_ns_to_ticks(deadline_ns - now_ns, clock_hz());
	return now + ticks < now ? UINT64_MAX : now + ticks;
}

static uint32_t lapic_count(uint64_t deadline_ns)
{
	uint64_t now_ns = clock_ns();
	if (deadline_ns <= now_ns)
		return 1;
	uint64_t ticks = apic_ns_to_ticks(deadline_ns - now_ns, info.lapic_hz);
	return ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks;
}

void arch_timer_set(uint64_t deadline_ns)
{
	if (!info.tsc_hz)
		return;
	if (info.tsc_deadline)
		x86_wrmsr(X86_MSR_TSC_DEADLINE, deadline_ns ? tsc_deadline(deadline_ns) : 0);
	else
		x86_lapic_write(LAPIC_TIMER_INITIAL, deadline_ns ? lapic_count(deadline_ns) : 0);
}

/*
 * Counted like the calibration, against the TSC instead of the reference: two
 * tight samples window_ns apart, so a preemption in between changes nothing.
 */
uint64_t x86_timer_count_rate(uint64_t window_ns)
{
	struct sample a, b;
	if (!info.tsc_hz || !ref.read)
		return 0;
	uint64_t flags = arch_irq_save();
	x86_lapic_write(LAPIC_LVT_TIMER, LVT_COUNT_MASKED);
	x86_lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_16);
	x86_lapic_write(LAPIC_TIMER_INITIAL, UINT32_MAX);
	take_sample(&a);
	x86_delay_ns(window_ns);
	take_sample(&b);
	x86_lapic_write(LAPIC_TIMER_INITIAL, 0);
	timer_setup();
	struct cpu *c = this_cpu();
	arch_timer_set(c->timers ? c->timers->deadline_ns : 0);
	arch_irq_restore(flags);
	return apic_mul_div(a.lapic - b.lapic, info.tsc_hz, b.tsc - a.tsc, 0);
}
