/* SPDX-License-Identifier: MIT */
/*
 * Starting every CPU and the IPI kinds (see smp.h). CPUs are started one at a
 * time: each gets a guarded kernel stack and a struct cpu, and the boot CPU
 * waits (bounded) until the new one has set itself up and says it is online.
 */
#include "smp.h"

#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "klog.h"
#include "platform.h"
#include "vm.h"

#define AP_STACK_SIZE (16u << 10)
#define ONLINE_TIMEOUT_NS 1000000000ull /* 1 s of guest time per CPU */
#define STOP_TIMEOUT_NS 100000000ull

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
	for (;;)
		arch_idle();
}

void smp_ipi_handle(enum ipi_kind kind)
{
	struct cpu *c = this_cpu();
	if (kind == IPI_PING)
		__atomic_fetch_add(&c->ipi_pings, 1, __ATOMIC_RELAXED);
	else if (kind == IPI_STOP)
		arch_halt();
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
	uint64_t until = clock_ns() + STOP_TIMEOUT_NS;
	while (clock_ns() < until && cpu_count() > 1)
		arch_cpu_relax(); /* give them a moment to halt before we print */
}
