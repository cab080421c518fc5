/* SPDX-License-Identifier: MIT */
/*
 * The third port: kernel/include/arch.h implemented for host tests, with
 * recording fakes, so the kernel's portable files link into cmocka binaries.
 * Single-threaded; interrupts are a flag the tests can read.
 */
#include "arch.h"
#include "arch_fake.h"

#include <stdio.h>
#include <stdlib.h>

struct arch_fake arch_fake = { .irq_enabled = 1 };

uint32_t arch_id(void)
{
	return 0;
}

void arch_early_init(void)
{
}

uint64_t arch_ticks(void)
{
	return ++arch_fake.ticks;
}

uint8_t arch_port_in8(uint16_t port)
{
	return 0xff;
}

void arch_port_out8(uint16_t port, uint8_t value)
{
	arch_fake.port_writes++;
}

void arch_port_out16(uint16_t port, uint16_t value)
{
	arch_fake.port_writes++;
}

void arch_port_out32(uint16_t port, uint32_t value)
{
	arch_fake.port_writes++;
}

void arch_default_uart(uint32_t *type, uint8_t *space, uint64_t *base)
{
	*type = 0;
	*space = 0;
	*base = 0;
}

int64_t arch_psci_call(int use_hvc, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return -1;
}

void arch_cpu_relax(void)
{
	arch_fake.relax_count++;
}

uint64_t arch_irq_save(void)
{
	uint64_t was = arch_fake.irq_enabled;
	arch_fake.irq_enabled = 0;
	return was;
}

void arch_irq_restore(uint64_t flags)
{
	arch_fake.irq_enabled = (int)flags;
}

void arch_halt(void)
{
	fprintf(stderr, "arch_halt() called\n");
	abort();
}

uint32_t arch_cpu_index(void)
{
	return arch_fake.cpu_index;
}

void arch_trap_dump_regs(const struct trap_frame *f)
{
}

void arch_timer_set(uint64_t deadline_ns)
{
	arch_fake.timer_deadline = deadline_ns;
	arch_fake.timer_sets++;
}
