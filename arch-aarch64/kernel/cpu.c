/* SPDX-License-Identifier: MIT */
/*
 * AArch64 CPU basics: the exception vectors, the counter, PSCI calls,
 * interrupt masking and halting.
 */
#include "arch.h"
#include "console.h"
#include "klog.h"
#include "traps_arm.h"

#include <kosh/bootinfo.h>

void arch_early_init(void)
{
	aarch64_traps_init();
}

uint32_t arch_id(void)
{
	return KOSH_ARCH_AARCH64;
}

uint64_t arch_ticks(void)
{
	uint64_t t;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
	return t;
}

/* AArch64 has no I/O port space. */
uint8_t arch_port_in8(uint16_t port)
{
	return 0xff;
}

void arch_port_out8(uint16_t port, uint8_t value) {}
void arch_port_out16(uint16_t port, uint16_t value) {}
void arch_port_out32(uint16_t port, uint32_t value) {}

/* No UART is safe to guess on Arm: only firmware tables name one. */
void arch_default_uart(uint32_t *type, uint8_t *space, uint64_t *base)
{
	*type = 0;
	*space = 0;
	*base = 0;
}

int64_t arch_psci_call(int use_hvc, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a0;
	register uint64_t x2 __asm__("x2") = a1;
	register uint64_t x3 __asm__("x3") = a2;
	if (use_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield");
}

uint64_t arch_irq_save(void)
{
	uint64_t daif;
	__asm__ volatile("mrs %0, daif; msr daifset, #0x3" : "=r"(daif) : : "memory");
	return daif;
}

void arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

/* One CPU until SMP bring-up gives each its own per-CPU data. */
uint32_t arch_cpu_index(void)
{
	return 0;
}
