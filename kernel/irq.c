/* SPDX-License-Identifier: MIT */
/*
 * Interrupt dispatch (see irq.h). The handler table is written at set-up and
 * read at interrupt time; counts are per CPU, so no lock is needed.
 */
#include "irq.h"

#include "arch.h"
#include "klog.h"

#define COUNTED_CPUS 64

struct irq_slot {
	irq_handler_fn fn;
	void *ctx;
};

static struct irq_slot handlers[IRQ_MAX];
static uint64_t counts[COUNTED_CPUS][IRQ_MAX];
static uint8_t warned[IRQ_MAX];

int irq_register(uint32_t irq, irq_handler_fn fn, void *ctx)
{
	if (irq >= IRQ_MAX)
		return -1;
	handlers[irq].ctx = ctx;
	__atomic_store_n(&handlers[irq].fn, fn, __ATOMIC_RELEASE);
	return 0;
}

void irq_handle(uint32_t irq)
{
	uint32_t cpu = arch_cpu_index();
	if (irq >= IRQ_MAX) {
		klog_warn("irq: interrupt %u out of range", irq);
		return;
	}
	if (cpu < COUNTED_CPUS)
		counts[cpu][irq]++;
	irq_handler_fn fn = __atomic_load_n(&handlers[irq].fn, __ATOMIC_ACQUIRE);
	if (fn)
		fn(irq, handlers[irq].ctx);
	else if (!__atomic_exchange_n(&warned[irq], 1, __ATOMIC_RELAXED))
		klog_warn("irq: unexpected interrupt %u on cpu %u", irq, cpu);
}

uint64_t irq_count(uint32_t irq)
{
	uint32_t cpu = arch_cpu_index();
	return irq < IRQ_MAX && cpu < COUNTED_CPUS ? counts[cpu][irq] : 0;
}
