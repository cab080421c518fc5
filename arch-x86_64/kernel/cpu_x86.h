/* SPDX-License-Identifier: MIT */
/*
 * What the x86-64 port's files share among themselves (not part of arch.h):
 * descriptor tables, the interrupt vectors, the local APIC, IOAPIC routing,
 * the calibrated timer, and CPUID / MSR access. The constants above the
 * __ASSEMBLER__ line are also read by the assembly files.
 */
#ifndef ARCH_X86_64_CPU_X86_H
#define ARCH_X86_64_CPU_X86_H

#define X86_MAX_CPUS 64
#define X86_KERNEL_CS 0x08
#define X86_KERNEL_DS 0x10
#define X86_USER_DS   0x23 /* GDT slot 4, RPL 3 */
#define X86_USER_CS   0x2b /* GDT slot 5, RPL 3 */

/* The end of the user half (arch_user_top): the lowest non-canonical address. */
#define X86_USER_TOP 0x0000800000000000

/* RFLAGS bits. */
#define X86_RFLAGS_TF   0x100
#define X86_RFLAGS_IF   0x200
#define X86_RFLAGS_DF   0x400
#define X86_RFLAGS_IOPL 0x3000
#define X86_RFLAGS_NT   0x4000
#define X86_RFLAGS_AC   0x40000

/* IST slots (1-based in IDT entries): NMI, double fault, machine check. */
#define X86_IST_NMI 1
#define X86_IST_DOUBLE_FAULT 2
#define X86_IST_MACHINE_CHECK 3
#define X86_IST_COUNT 3
#define X86_IST_STACK_SIZE 16384

/* Interrupt vectors (docs/x86_64.md). A higher vector is a higher priority class. */
#define X86_VECTOR_PIC_BASE     0x20 /* the 8259s, remapped and masked: 0x20-0x2f */
#define X86_VECTOR_DEVICE_FIRST 0x30 /* IOAPIC routes, line n at 0x30 + n: irq_handle() */
#define X86_VECTOR_DEVICE_LAST  0x9f
#define X86_VECTOR_MSI_FIRST    0xa0 /* message-signalled interrupts: irq_handle() */
#define X86_VECTOR_MSI_LAST     0xdf
#define X86_VECTOR_SELFTEST     0xe0 /* the IOAPIC self-check's route */
#define X86_VECTOR_TIMER        0xf0 /* this CPU's LAPIC timer: timer_interrupt() */
#define X86_VECTOR_IPI_BASE     0xf1 /* + enum ipi_kind: smp_ipi_handle() */
#define X86_VECTOR_IPI_LAST     0xfd
#define X86_VECTOR_ERROR        0xfe /* the LAPIC's error interrupt */
#define X86_VECTOR_SPURIOUS     0xff /* never acknowledged */

/* MSRs (no integer suffixes: the assembler reads these too). */
#define X86_MSR_APIC_BASE    0x1b
#define X86_MSR_TSC_DEADLINE 0x6e0
#define X86_MSR_EFER         0xc0000080
#define X86_MSR_STAR         0xc0000081
#define X86_MSR_LSTAR        0xc0000082
#define X86_MSR_SFMASK       0xc0000084
#define X86_MSR_FS_BASE      0xc0000100
#define X86_MSR_GS_BASE      0xc0000101
#define X86_MSR_KERNEL_GS_BASE 0xc0000102
#define X86_EFER_SCE         0x1
#define X86_EFER_LME         0x100
#define X86_EFER_NXE         0x800

/* offsetof(struct cpu, stack_top) (kernel/cpu.h), for ap_trampoline.S; asserted in smp.c. */
#define X86_CPU_STACK_TOP 24

/*
 * %gs offsets of struct cpu's arch_data words that syscall_entry.S uses (the
 * X86_CPU_USER_RSP and X86_CPU_KSTACK words below; asserted in context.c).
 */
#define X86_CPU_ARCH_DATA      56
#define X86_GS_USER_RSP        (X86_CPU_ARCH_DATA + 4 * 8)
#define X86_GS_KSTACK          (X86_CPU_ARCH_DATA + 5 * 8)

/*
 * The trampoline's parameter block (struct trampoline_params in smp.c, which
 * asserts these offsets), filled in by the boot CPU in the copied page.
 */
#define X86_TRAMP_GDT         0x00 /* 4 descriptors: null, 64-bit code, data, 32-bit code */
#define X86_TRAMP_GDT_POINTER 0x26 /* lgdtl operand: 16-bit limit, 32-bit base */
#define X86_TRAMP_CR3         0x2c /* the temporary PML4, below 4 GiB */
#define X86_TRAMP_PM_JUMP     0x30 /* far pointer (32-bit offset, selector) to the 32-bit code */
#define X86_TRAMP_LM_JUMP     0x38 /* ... to the 64-bit code */
#define X86_TRAMP_EFER        0x40 /* EFER bits to set: LME, and NXE if the kernel uses NX */
#define X86_TRAMP_STARTED     0x44 /* the started CPU writes 1 here first thing */
#define X86_TRAMP_ENTRY       0x48 /* x86_ap_entry, in the kernel half */
#define X86_TRAMP_SIZE        0x50
#define X86_TRAMP_CODE32_SEL  0x18

#ifndef __ASSEMBLER__

#include <stdint.h>

struct cpu;
struct fw_irq;
struct platform;
struct trap_frame;

/* struct cpu's arch_data words on this port. */
enum {
	X86_CPU_IST = 0,   /* X86_IST_COUNT words: IST stack tops (application processors) */
	X86_CPU_APIC = 3,  /* X86_CPU_APIC_* flags, set by the CPU itself */
	X86_CPU_USER_RSP = 4, /* syscall entry: the user's rsp until it is in the frame */
	X86_CPU_KSTACK = 5,   /* syscall entry: the running thread's kernel stack top */
	X86_CPU_IOMAP = 6,    /* the I/O bitmap in this CPU's TSS (a pointer; 0: all refused) */
	X86_CPU_IOMAP_GEN = 7, /* ... as it was at this generation (context.c) */
};
#define X86_CPU_APIC_UP       1u /* its local APIC and timer are set up */
#define X86_CPU_APIC_X2APIC   2u /* ... in x2APIC mode */
#define X86_CPU_APIC_ID_MATCH 4u /* its APIC id register reads its hwid */

static inline void x86_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(subleaf));
}

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"a"((uint32_t)value), "d"((uint32_t)(value >> 32)), "c"(msr)
			 : "memory");
}

/* cpu.c: descriptor tables, MMIO. */

/* Load CPU index's GDT and TSS (with its IST stack tops). */
void x86_cpu_tables_init(uint32_t index, const uint64_t ist_tops[X86_IST_COUNT]);

/* A device register at physical address phys (below 4 GiB), through the HHDM. */
volatile uint32_t *x86_mmio(uint64_t phys);

/* This CPU's TSS.rsp0 (the stack a trap from user mode lands on) and its I/O bitmap. */
void x86_tss_set_rsp0(uint64_t top);
uint8_t *x86_tss_iomap(void);

/* Enable the FPU/SSE and the syscall instruction on this CPU (cpu.c, from arch_cpu_init). */
void x86_fpu_init(void);
void x86_syscall_init(void);

/*
 * ioport.c: make bitmap (ARCH_IOPORT_BITMAP_BYTES, bit set: port refused;
 * NULL: every port refused) the I/O bitmap of this CPU's TSS, copying it only
 * when it is not the one loaded already or changed since it was.
 */
void x86_ioport_switch(const uint8_t *bitmap);

/* traps.c: build the IDT (once) and load it on this CPU. */
void x86_traps_init(void);

/*
 * context.c: the last step before any return to user mode through f (the
 * common exit of traps.S and syscall_entry.S): a RIP that is not canonical is
 * a fault of the thread (iretq/sysretq would fault in ring 0 instead), and CS,
 * SS and RFLAGS get user-mode values whatever the kernel left there.
 */
void x86_user_return_check(struct trap_frame *f);

/* irq.c: the local APIC of the calling CPU, the IOAPICs. */

/* 1 if the local APICs run in x2APIC mode. */
int x86_lapic_x2apic(void);

/* A local APIC register by its xAPIC offset (x2APIC: the matching MSR). */
uint32_t x86_lapic_read(uint32_t reg);
void x86_lapic_write(uint32_t reg, uint32_t value);

/* This CPU's APIC id as its id register reads. */
uint64_t x86_lapic_id(void);

/* Acknowledge the interrupt being handled; the LAPIC error interrupt's handler. */
void x86_lapic_eoi(void);
void x86_lapic_error(void);

/* Send an IPI (apic_icr_low word) to APIC id dest: 0, or -1 (unreachable id, stuck ICR). */
int x86_lapic_send(uint64_t dest, uint32_t icr_low);

/*
 * Deliver GSI irq->intid (with its trigger and polarity; "conforms" as ISA's
 * edge, active high) as vector to APIC id dest, unmasked. 0, or -1 when no
 * IOAPIC has that GSI or dest is beyond the 8-bit physical destination.
 */
int x86_irq_route(const struct fw_irq *irq, uint8_t vector, uint64_t dest);

/* The same for ISA IRQ isa through the interrupt source overrides; *gsi gets the route. */
int x86_irq_route_isa(uint8_t isa, uint8_t vector, uint64_t dest, struct fw_irq *gsi);

/* Mask GSI gsi again: 0, or -1 when no IOAPIC has it. */
int x86_irq_mask(uint32_t gsi);

/* timer.c: calibration and the LAPIC timer. */

/* What calibration found (all 0 before it). */
struct x86_timer_info {
	uint64_t tsc_hz;
	uint64_t lapic_hz;   /* the LAPIC timer's count rate (divide by 16) */
	const char *ref;     /* "HPET", "ACPI PM timer" or "loader" */
	int tsc_deadline;    /* the LAPIC timer runs in TSC-deadline mode */
};
const struct x86_timer_info *x86_timer_info(void);

/* Calibrate against p's HPET or PM timer and set up this (boot) CPU's timer: the TSC rate, or 0. */
uint64_t x86_timer_init(const struct platform *p);

/* Set up this CPU's LAPIC timer like the boot CPU's: 0, or -1 before x86_timer_init. */
int x86_timer_init_cpu(void);

/* Measure the TSC against the reference again over about window_ns: its rate, or 0. */
uint64_t x86_timer_measure(uint64_t window_ns);

/*
 * Measure this CPU's LAPIC timer count rate against the TSC over about
 * window_ns, interrupts masked, then restore and re-arm the timer: its rate, or 0.
 */
uint64_t x86_timer_count_rate(uint64_t window_ns);

/* Spin for at least ns nanoseconds (the calibrated TSC). */
void x86_delay_ns(uint64_t ns);

/* smp.c: where ap_trampoline.S enters C on a started CPU, on its own stack. */
__attribute__((noreturn)) void x86_ap_start(struct cpu *c);

#endif /* __ASSEMBLER__ */

#endif
