/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU set-up for the early kernel: our own GDT (the firmware's is no
 * longer mapped) and an IDT whose 32 exception vectors report and halt. The full
 * trap handling, per-CPU state and interrupt controllers come with the machine
 * layer.
 */
#include "arch.h"
#include "console.h"
#include "klog.h"
#include "fw.h"

#include <kosh/bootinfo.h>

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10

struct trap_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout");

struct __attribute__((packed)) table_pointer {
	uint16_t limit;
	uint64_t base;
};

/* Read-only: the accessed bits are preset so the CPU never writes to it. */
static const uint64_t gdt[] = {
	0,
	0x00af9b000000ffffull, /* 0x08: 64-bit code, DPL 0, accessed */
	0x00cf93000000ffffull, /* 0x10: data, DPL 0, accessed */
};

static struct idt_entry idt[32];
extern const uint64_t trap_stubs[32];

static void load_gdt(void)
{
	struct table_pointer p = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movw %%ax, %%fs\n\t"
			 "movw %%ax, %%gs"
			 :
			 : "m"(p), "i"(KERNEL_CS), "r"(KERNEL_DS)
			 : "rax", "memory");
}

static void load_idt(void)
{
	for (int v = 0; v < 32; v++) {
		uint64_t a = trap_stubs[v];
		idt[v] = (struct idt_entry){ (uint16_t)a, KERNEL_CS, 0, 0x8e, (uint16_t)(a >> 16),
					     (uint32_t)(a >> 32), 0 };
	}
	struct table_pointer p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" ::"m"(p) : "memory");
}

void arch_early_init(void)
{
	load_gdt();
	load_idt();
}

void trap_report(const struct trap_frame *f);
void trap_report(const struct trap_frame *f)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	klog_error("kosh: panic: CPU exception %llu, error 0x%llx at rip 0x%llx (cr2 0x%llx, rsp "
		"0x%llx)\n",
		(unsigned long long)f->vector, (unsigned long long)f->error,
		(unsigned long long)f->rip, (unsigned long long)cr2, (unsigned long long)f->rsp);
	klog_error("kosh: halted");
}

uint32_t arch_id(void)
{
	return KOSH_ARCH_X86_64;
}

uint64_t arch_ticks(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

uint8_t arch_port_in8(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void arch_port_out8(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" ::"a"(value), "Nd"(port));
}

void arch_port_out16(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" ::"a"(value), "Nd"(port));
}

void arch_port_out32(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" ::"a"(value), "Nd"(port));
}

/* COM1, the PC's first serial port. */
void arch_default_uart(uint32_t *type, uint8_t *space, uint64_t *base)
{
	*type = FW_UART_16550;
	*space = FW_SPACE_IO;
	*base = 0x3f8;
}

int64_t arch_psci_call(int use_hvc, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return -1;
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

uint64_t arch_irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void arch_irq_restore(uint64_t flags)
{
	if (flags & (1u << 9)) /* IF */
		__asm__ volatile("sti" ::: "memory");
}

/* One CPU until SMP bring-up gives each its own per-CPU data. */
uint32_t arch_cpu_index(void)
{
	return 0;
}
