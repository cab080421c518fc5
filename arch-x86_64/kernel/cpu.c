/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU basics: each CPU's GDT and TSS (the firmware's GDT is no longer
 * mapped; the TSS holds the IST stacks for NMI, double fault and machine
 * check), its per-CPU data, port I/O, the TSC, interrupt masking and halting.
 *
 * Per-CPU data: IA32_GS_BASE holds the CPU's struct cpu, whose first field is
 * its index, so arch_cpu_index() is one load from %gs:0. The boot CPU points
 * GS at cpus[0] in arch_early_init, before anything can log (an index of 0 in
 * zeroed memory), so there is no "GS not set yet" case to test for on every
 * call; a started CPU gets its struct from ap_trampoline.S before any C code.
 * GS is written after the GDT is loaded: loading a null selector into GS
 * clears its base on Intel CPUs. Once user mode runs, entries from it swap
 * GS (swapgs), so in the kernel GS always holds the struct cpu.
 *
 * Each TSS carries an 8 KiB I/O-permission bitmap (one bit a port, set:
 * refused at CPL 3) and the 0xff byte the CPU needs after it; context.c loads
 * the running thread's process bitmap into it. Every CPU also gets the FPU and
 * SSE enabled (the kernel itself never touches them, -mno-sse) and the
 * syscall instruction (syscall_entry.S).
 */
#include "arch.h"
#include "bootinfo.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "fw.h"
#include "vm.h"

#include <stddef.h>

#include <kosh/bootinfo.h>
#include <kosh/elf.h>
#include <kosh/string.h>

_Static_assert(offsetof(struct cpu, index) == 0, "arch_cpu_index reads %gs:0");
_Static_assert(X86_MAX_CPUS >= MAX_CPUS, "a GDT and TSS for every struct cpu");

#define RFLAGS_IF (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

/* STAR: syscall loads CS 0x08 / SS 0x10; sysretq CS = base + 16, SS = base + 8 (RPL 3). */
#define STAR_SYSRET_BASE (X86_USER_DS - 8) /* 0x1b: CS 0x2b, SS 0x23 */
_Static_assert(STAR_SYSRET_BASE + 16 == X86_USER_CS, "sysret's CS is user code");
/* Cleared on syscall: no interrupts, string ops upward, no single step, no AC, no NT. */
#define SFMASK_BITS \
	(X86_RFLAGS_IF | X86_RFLAGS_DF | X86_RFLAGS_TF | X86_RFLAGS_AC | X86_RFLAGS_NT)

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
_Static_assert(GDT_USER_DATA * 8 + 3 == X86_USER_DS, "user data selector");
_Static_assert(GDT_USER_CODE * 8 + 3 == X86_USER_CS, "user code selector");

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

/*
 * Per CPU: written by the CPU itself (the TSS busy bit), so not read-only. The
 * I/O bitmap follows the TSS at once (iomap_base = 104), then the 0xff byte
 * the CPU reads past the bitmap's end; the TSS limit covers that byte.
 */
struct __attribute__((aligned(64))) cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
	uint8_t iomap[ARCH_IOPORT_BITMAP_BYTES];
	uint8_t iomap_end;
};
_Static_assert(offsetof(struct cpu_tables, iomap) == offsetof(struct cpu_tables, tss) + 104,
	       "the I/O bitmap follows the TSS");

static struct cpu_tables tables[X86_MAX_CPUS];

/* Stacks for the boot CPU's IST entries; application processors get theirs at bring-up. */
static uint8_t boot_ist_stacks[X86_IST_COUNT][X86_IST_STACK_SIZE] __attribute__((aligned(16)));

/* The TSS segment spans the TSS, the I/O bitmap and its terminating byte. */
static void set_tss_descriptor(uint64_t *slot, const struct tss *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) + ARCH_IOPORT_BITMAP_BYTES + 1 - 1;
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
	t->tss.iomap_base = sizeof(t->tss);
	memset(t->iomap, 0xff, sizeof(t->iomap)); /* every port refused at CPL 3 */
	t->iomap_end = 0xff;
	set_tss_descriptor(&t->gdt[GDT_TSS], &t->tss);
	load_gdt(t);
}

static void set_this_cpu(struct cpu *c)
{
	x86_wrmsr(X86_MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}

void arch_early_init(void)
{
	uint64_t tops[X86_IST_COUNT];
	for (int i = 0; i < X86_IST_COUNT; i++)
		tops[i] = (uint64_t)(uintptr_t)(boot_ist_stacks[i] + X86_IST_STACK_SIZE);
	x86_cpu_tables_init(0, tops);
	x86_traps_init();
	set_this_cpu(&cpus[0]);
}

/*
 * The boot CPU started on IST stacks in .bss, before there was a kernel address
 * space; now it gets guarded ones (the TSS is read at exception time, so
 * changing its IST fields is enough).
 */
static void guard_boot_ist(struct cpu *c)
{
	for (int i = 0; i < X86_IST_COUNT; i++) {
		uint64_t top = vm_stack_alloc(X86_IST_STACK_SIZE);
		if (!top)
			continue; /* keep the .bss stack */
		c->arch_data[X86_CPU_IST + i] = top;
		tables[0].tss.ist[i] = top;
	}
}

/*
 * The boot CPU loaded its tables in arch_early_init; a started CPU loads its
 * own, with the IST stacks arch_cpu_start allocated for it.
 */
void arch_cpu_init(struct cpu *c)
{
	if (c->index != 0) {
		x86_cpu_tables_init(c->index, &c->arch_data[X86_CPU_IST]);
		x86_traps_init();
	} else {
		guard_boot_ist(c);
	}
	c->arch_data[X86_CPU_IOMAP] = 0; /* the fresh bitmap refuses every port */
	set_this_cpu(c);
	x86_fpu_init();
	x86_syscall_init();
}

static uint64_t read_cr(int n)
{
	uint64_t v;
	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/*
 * x87 and SSE usable at CPL 3 with eager switching: MP set, EM and TS clear
 * (no #NM ever), NE for native x87 error reporting (#MF), FXSAVE/FXRSTOR and
 * unmasked SIMD exceptions as #XM. AVX stays off (no CR4.OSXSAVE), so the
 * FXSAVE image is a thread's whole register state.
 */
void x86_fpu_init(void)
{
	uint64_t cr0 = (read_cr(0) | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS);
	uint64_t cr4 = read_cr(4) | CR4_OSFXSR | CR4_OSXMMEXCPT;
	__asm__ volatile("mov %0, %%cr0\n\t"
			 "mov %1, %%cr4\n\t"
			 "fninit" ::"r"(cr0),
			 "r"(cr4)
			 : "memory");
}

extern char x86_syscall_entry[];

/* The syscall instruction enters syscall_entry.S with the flags of SFMASK_BITS cleared. */
void x86_syscall_init(void)
{
	x86_wrmsr(X86_MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)X86_KERNEL_CS << 32);
	x86_wrmsr(X86_MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
	x86_wrmsr(X86_MSR_SFMASK, SFMASK_BITS);
	x86_wrmsr(X86_MSR_KERNEL_GS_BASE, 0); /* the user's GS base until a thread runs */
	x86_wrmsr(X86_MSR_EFER, x86_rdmsr(X86_MSR_EFER) | X86_EFER_SCE);
}

void x86_tss_set_rsp0(uint64_t top)
{
	tables[arch_cpu_index()].tss.rsp[0] = top;
}

uint8_t *x86_tss_iomap(void)
{
	return tables[arch_cpu_index()].iomap;
}

uint32_t arch_cpu_index(void)
{
	uint32_t index;
	__asm__ volatile("movl %%gs:0, %0" : "=r"(index));
	return index;
}

/*
 * The APIC id from CPUID, so it reads the same before and after the APIC mode
 * changes: leaf 0xB's 32-bit x2APIC id where the CPU has x2APIC and the leaf,
 * else the 8-bit initial APIC id of leaf 1.
 */
uint64_t arch_cpu_hwid(void)
{
	uint32_t r[4];
	x86_cpuid(1, 0, r);
	uint32_t initial_id = r[1] >> 24, x2apic = r[2] & CPUID_1_ECX_X2APIC;
	x86_cpuid(0, 0, r);
	if (!x2apic || r[0] < 0xb)
		return initial_id;
	x86_cpuid(0xb, 0, r);
	return r[1] ? r[3] : initial_id; /* EBX 0: the leaf is not implemented */
}

/* CPUID 0x80000008 EAX[7:0]; 36 bits (the architectural minimum) where the leaf is missing. */
unsigned arch_phys_addr_bits(void)
{
	uint32_t r[4];
	x86_cpuid(0x80000000u, 0, r);
	if (r[0] < 0x80000008u)
		return 36;
	x86_cpuid(0x80000008u, 0, r);
	return (r[0] & 0xff) ? r[0] & 0xff : 36;
}

volatile uint32_t *x86_mmio(uint64_t phys)
{
	return (volatile uint32_t *)(uintptr_t)(bootinfo_current()->hhdm_base + phys);
}

uint32_t arch_id(void)
{
	return KOSH_ARCH_X86_64;
}

uint16_t arch_elf_machine(void)
{
	return KOSH_EM_X86_64;
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
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

/* sti delays interrupts by one instruction, so none slips in before the hlt. */
void arch_idle(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_call_on_stack(uint64_t top, void (*fn)(void *arg), void *arg)
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%1\n\t"
			 "ud2"
			 :
			 : "r"(top), "r"(fn), "D"(arg)
			 : "memory");
	__builtin_unreachable();
}
