/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU basics: each CPU's GDT and TSS (the firmware's GDT is no longer
 * mapped; the TSS holds the IST stacks for NMI, double fault and machine
 * check), port I/O, the TSC, interrupt masking and halting.
 */
#include "arch.h"
#include "cpu_x86.h"
#include "fw.h"

#include <kosh/bootinfo.h>
#include <kosh/string.h>

/* GDT slots, laid out for syscall/sysret (user data right below user code). */
enum {
	GDT_NULL,
	GDT_KERNEL_CODE, /* 0x08 */
	GDT_KERNEL_DATA, /* 0x10 */
	GDT_USER_CODE32, /* 0x18: unused, keeps sysret's layout */
	GDT_USER_DATA,   /* 0x20 */
	GDT_USER_CODE,   /* 0x28 */
	GDT_TSS,         /* 0x30, two slots */
	GDT_ENTRIES = GDT_TSS + 2
};

struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct __attribute__((packed)) table_pointer {
	uint16_t limit;
	uint64_t base;
};

/* Per CPU: written by the CPU itself (the TSS busy bit), so not read-only. */
struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
};

static struct cpu_tables tables[X86_MAX_CPUS];

/* Stacks for the boot CPU's IST entries; application processors get theirs at bring-up. */
static uint8_t boot_ist_stacks[X86_IST_COUNT][X86_IST_STACK_SIZE] __attribute__((aligned(16)));

static void set_tss_descriptor(uint64_t *slot, const struct tss *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss, limit = sizeof(*tss) - 1;
	slot[0] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 /* present, TSS */
		  | ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	slot[1] = base >> 32;
}

static void load_gdt(struct cpu_tables *t)
{
	struct table_pointer p = { sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)t->gdt };
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
			 "movw %%ax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(X86_KERNEL_CS), "r"(X86_KERNEL_DS), "r"(GDT_TSS * 8)
			 : "rax", "memory");
}

void x86_cpu_tables_init(uint32_t index, const uint64_t ist_tops[X86_IST_COUNT])
{
	struct cpu_tables *t = &tables[index];
	memset(t, 0, sizeof(*t));
	t->gdt[GDT_KERNEL_CODE] = 0x00af9b000000ffffull; /* 64-bit code, DPL 0, accessed */
	t->gdt[GDT_KERNEL_DATA] = 0x00cf93000000ffffull; /* data, DPL 0, accessed */
	t->gdt[GDT_USER_DATA] = 0x00cff3000000ffffull;   /* data, DPL 3 */
	t->gdt[GDT_USER_CODE] = 0x00affb000000ffffull;   /* 64-bit code, DPL 3 */
	for (int i = 0; i < X86_IST_COUNT; i++)
		t->tss.ist[i] = ist_tops[i];
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap: every port refused at CPL 3 */
	set_tss_descriptor(&t->gdt[GDT_TSS], &t->tss);
	load_gdt(t);
}

void arch_early_init(void)
{
	uint64_t tops[X86_IST_COUNT];
	for (int i = 0; i < X86_IST_COUNT; i++)
		tops[i] = (uint64_t)(uintptr_t)(boot_ist_stacks[i] + X86_IST_STACK_SIZE);
	x86_cpu_tables_init(0, tops);
	x86_traps_init();
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

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
