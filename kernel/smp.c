/* SPDX-License-Identifier: MIT */
/*
 * Starting every CPU and the IPI kinds (see smp.h). CPUs are started one at a
 * time: each gets a guarded kernel stack and a struct cpu, and the boot CPU
 * waits (bounded) until the new one has set itself up and says it is online.
 */
#include "smp.h"
#include "sched.h"

#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "klog.h"
#include "platform.h"
#include "spinlock.h"
#include "vm.h"

#define AP_STACK_SIZE (16u << 10)
#define ONLINE_TIMEOUT_NS 1000000000ull /* 1 s of guest time per CPU */
#define STOP_TIMEOUT_NS 100000000ull
#define CALL_TIMEOUT_NS 1000000000ull
#define SHOOTDOWN_TIMEOUT_NS 100000000ull

static struct spinlock call_lock = SPINLOCK_INIT;
static struct spinlock shootdown_lock = SPINLOCK_INIT;
static struct {
	uint64_t va, size;
	uint32_t pending; /* CPUs yet to flush */
} shootdown;

static uint64_t bringup_ns;

static int wait_online(const struct cpu *c)
{
	uint64_t deadline = clock_ns() + ONLINE_TIMEOUT_NS;
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (clock_ns() > deadline)
			return 0;
		arch_cpu_relax();
	}
	return 1;
}

/* Start one CPU; 1 if it came online. */
static int start_one(const struct fw_cpu *f)
{
	struct cpu *c = cpu_add(f->hw_id);
	if (!c) {
		klog_warn("smp: more than %u CPUs; cpu 0x%llx left offline", MAX_CPUS,
			  (unsigned long long)f->hw_id);
		return 0;
	}
	c->stack_top = vm_stack_alloc(AP_STACK_SIZE);
	if (!c->stack_top) {
		klog_warn("smp: no memory for cpu %u's stack", c->index);
		return 0;
	}
	int err = arch_cpu_start(c);
	if (err || !wait_online(c)) {
		klog_warn("smp: cpu %u (id 0x%llx) %s", c->index, (unsigned long long)c->hwid,
			  err ? "could not be started" : "did not come online within 1 s");
		return 0;
	}
	klog_info("smp: cpu %u (id 0x%llx) online", c->index, (unsigned long long)c->hwid);
	return 1;
}

uint32_t smp_start_all(const struct platform *p)
{
	uint32_t online = 1;
	for (uint32_t i = 0; i < p->cpu_count; i++) {
		if (!(p->cpus[i].flags & FW_CPU_BOOT))
			online += start_one(&p->cpus[i]);
	}
	bringup_ns = clock_ns();
	klog_info("smp: %u of %u CPUs online", online, p->cpu_count);
	return online;
}

uint64_t smp_bringup_ns(void)
{
	return bringup_ns;
}

void smp_ap_main(struct cpu *c)
{
	arch_cpu_init(c);
	if (arch_platform_init_cpu())
		klog_warn("smp: cpu %u: interrupt controller or timer not set up", c->index);
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	arch_irq_enable();
	sched_run_cpu();
}

static void run_call(struct cpu *c)
{
	void (*fn)(void *) = __atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE);
	if (!fn)
		return;
	fn(c->call_arg);
	__atomic_store_n(&c->call_fn, (void (*)(void *))0, __ATOMIC_RELEASE);
}

void smp_ipi_handle(enum ipi_kind kind)
{
	struct cpu *c = this_cpu();
	switch (kind) {
	case IPI_PING:
		__atomic_fetch_add(&c->ipi_pings, 1, __ATOMIC_RELAXED);
		break;
	case IPI_STOP:
		__atomic_store_n(&c->online, 0, __ATOMIC_RELEASE); /* tell the panicking CPU */
		arch_halt();
	case IPI_TLB:
		arch_tlb_flush_range(shootdown.va, shootdown.size);
		__atomic_fetch_sub(&shootdown.pending, 1, __ATOMIC_ACQ_REL);
		break;
	case IPI_CALL:
		run_call(c);
		break;
	default:
		break;
	}
}

static int wait_zero(const void *word, int is_ptr, uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	for (;;) {
		int zero = is_ptr ? !__atomic_load_n((void *const *)word, __ATOMIC_ACQUIRE)
				  : !__atomic_load_n((const uint32_t *)word, __ATOMIC_ACQUIRE);
		if (zero)
			return 1;
		if (clock_ns() > deadline)
			return 0;
		arch_cpu_relax();
	}
}

int smp_call(struct cpu *c, void (*fn)(void *arg), void *arg)
{
	if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		return -1;
	spin_lock(&call_lock);
	c->call_arg = arg;
	__atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
	arch_ipi_send(c, IPI_CALL);
	int done = wait_zero(&c->call_fn, 1, CALL_TIMEOUT_NS);
	if (!done)
		__atomic_store_n(&c->call_fn, (void (*)(void *))0, __ATOMIC_RELEASE);
	spin_unlock(&call_lock);
	return done ? 0 : -1;
}

static uint32_t online_others(const struct cpu *self)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < cpu_count(); i++)
		n += &cpus[i] != self && __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE);
	return n;
}

void smp_tlb_flush(uint64_t va, uint64_t size)
{
	arch_tlb_flush_range(va, size);
	if (!size || arch_tlb_flush_is_broadcast() || cpu_count() < 2)
		return; /* nothing removed, or the hardware told every CPU already */
	uint64_t flags = spin_lock_irqsave(&shootdown_lock);
	uint32_t targets = online_others(this_cpu());
	shootdown.va = va;
	shootdown.size = size;
	__atomic_store_n(&shootdown.pending, targets, __ATOMIC_RELEASE);
	if (targets) {
		smp_ipi_others(IPI_TLB);
		if (!wait_zero(&shootdown.pending, 0, SHOOTDOWN_TIMEOUT_NS))
			klog_warn("smp: %u CPUs did not flush 0x%llx+0x%llx in time",
				  shootdown.pending, (unsigned long long)va, (unsigned long long)size);
	}
	spin_unlock_irqrestore(&shootdown_lock, flags);
}

void smp_ipi_others(enum ipi_kind kind)
{
	struct cpu *self = this_cpu();
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (&cpus[i] != self && __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			arch_ipi_send(&cpus[i], kind);
	}
}

void smp_stop_others(void)
{
	if (cpu_count() > 1)
		smp_ipi_others(IPI_STOP);
	/* Wait (bounded) until they have halted, so the report is not interleaved. */
	uint64_t until = clock_ns() + STOP_TIMEOUT_NS;
	while (online_others(this_cpu()) && clock_ns() < until)
		arch_cpu_relax();
}
