/* SPDX-License-Identifier: MIT */
/*
 * x86-64 traps: the IDT (all 256 vectors, NMI / double fault / machine check on
 * IST stacks), exception decoding into a panic report, and interrupts: the
 * local APIC's own vectors (timer, IPIs, error, spurious) handled here, every
 * other one passed on to the portable dispatcher. Each interrupt but the
 * spurious one is acknowledged to the local APIC after its handler, so a
 * level-triggered source is quiet again by then.
 *
 * From user mode nothing panics: an exception is decoded into an enum
 * kosh_fault for user_fault (kentry.h), an interrupt runs its handler as from
 * the kernel; both then call kernel_exit_to_user before traps.S restores the
 * frame. Only NMI, double fault and machine check are never the thread's doing
 * and panic from either mode. The breakpoint gate has DPL 3, so int3 in user
 * mode is a #BP (a breakpoint fault), not a #GP.
 */
#include "arch.h"
#include "cpu_x86.h"
#include "irq.h"
#include "kentry.h"
#include "klog.h"
#include "panic.h"
#include "smp.h"
#include "timer.h"

#include <arch/trap.h>
#include <kosh/abi.h>

#define VECTORS 256
#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_USER    (1u << 2)
#define PF_RSVD    (1u << 3)
#define PF_FETCH   (1u << 4)

/* Exception vectors named below. */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_UD = 6, VEC_DF = 8, VEC_TS = 10,
	VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17,
	VEC_MC = 18, VEC_XM = 19,
};

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* 0x8e: present, DPL 0, 64-bit interrupt gate; 0xee: DPL 3 */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout");

struct __attribute__((packed)) idt_pointer {
	uint16_t limit;
	uint64_t base;
};

static struct idt_entry idt[VECTORS];
extern const uint64_t trap_stubs[VECTORS];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack-segment fault", "general protection fault",
	"page fault", "reserved 15", "x87 floating-point error", "alignment check",
	"machine check", "SIMD floating-point error", "virtualization exception",
	"control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "hypervisor injection", "VMM communication",
	"security exception", "reserved 31",
};

static uint8_t ist_of(int vector)
{
	switch (vector) {
	case 2:
		return X86_IST_NMI;
	case 8:
		return X86_IST_DOUBLE_FAULT;
	case 18:
		return X86_IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void x86_traps_init(void)
{
	if (!idt[0].type) {
		for (int v = 0; v < VECTORS; v++) {
			uint64_t a = trap_stubs[v];
			uint8_t type = v == VEC_BP ? 0xee : 0x8e;
			idt[v] = (struct idt_entry){ (uint16_t)a, X86_KERNEL_CS, ist_of(v), type,
						     (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
		}
	}
	struct idt_pointer p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" ::"m"(p) : "memory");
}

static uint64_t read_cr2(void)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

void arch_trap_dump_regs(const struct trap_frame *f)
{
	klog_error("rax %016llx rbx %016llx rcx %016llx rdx %016llx",
		   (unsigned long long)f->rax, (unsigned long long)f->rbx,
		   (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	klog_error("rsi %016llx rdi %016llx rbp %016llx rsp %016llx",
		   (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		   (unsigned long long)f->rbp, (unsigned long long)f->rsp);
	klog_error("r8  %016llx r9  %016llx r10 %016llx r11 %016llx",
		   (unsigned long long)f->r8, (unsigned long long)f->r9,
		   (unsigned long long)f->r10, (unsigned long long)f->r11);
	klog_error("r12 %016llx r13 %016llx r14 %016llx r15 %016llx",
		   (unsigned long long)f->r12, (unsigned long long)f->r13,
		   (unsigned long long)f->r14, (unsigned long long)f->r15);
	klog_error("rip %016llx cs %04llx rflags %08llx ss %04llx error %llx",
		   (unsigned long long)f->rip, (unsigned long long)f->cs,
		   (unsigned long long)f->rflags, (unsigned long long)f->ss,
		   (unsigned long long)f->error);
}

static void page_fault(const struct trap_frame *f)
{
	uint32_t e = (uint32_t)f->error;
	panic_trap(f, "page fault (vector 14) at 0x%llx: %s %s in %s mode%s, error 0x%x",
		   (unsigned long long)read_cr2(),
		   e & PF_FETCH ? "instruction fetch" : (e & PF_WRITE ? "write" : "read"),
		   e & PF_PRESENT ? "violating protection" : "of a page not present",
		   e & PF_USER ? "user" : "kernel", e & PF_RSVD ? ", reserved bit set" : "", e);
}

static void interrupt(uint32_t vector)
{
	if (vector == X86_VECTOR_SPURIOUS)
		return; /* not in service: no EOI */
	if (vector == X86_VECTOR_TIMER)
		timer_interrupt();
	else if (vector >= X86_VECTOR_IPI_BASE && vector - X86_VECTOR_IPI_BASE < IPI_KIND_COUNT)
		smp_ipi_handle((enum ipi_kind)(vector - X86_VECTOR_IPI_BASE));
	else if (vector == X86_VECTOR_ERROR)
		x86_lapic_error();
	else
		irq_handle(vector);
	x86_lapic_eoi();
}

/* The enum kosh_fault of an exception vector taken in user mode. */
static uint32_t fault_kind(uint64_t vector)
{
	switch (vector) {
	case VEC_PF:
		return KOSH_FAULT_PAGE;
	case VEC_UD:
		return KOSH_FAULT_UNDEFINED;
	case VEC_AC:
		return KOSH_FAULT_ALIGNMENT;
	case VEC_DE:
	case VEC_MF:
	case VEC_XM:
		return KOSH_FAULT_ARITHMETIC;
	case VEC_GP:
	case VEC_SS:
	case VEC_NP:
	case VEC_TS:
		return KOSH_FAULT_PROTECTION;
	case VEC_BP:
	case VEC_DB:
		return KOSH_FAULT_BREAKPOINT;
	default:
		return KOSH_FAULT_OTHER;
	}
}

/*
 * An exception in user mode: a page fault gives CR2 and the access as
 * KOSH_FAULT_* bits, anything else the instruction's address and the error
 * code as it is.
 */
static void user_exception(struct trap_frame *f)
{
	uint32_t kind = fault_kind(f->vector);
	if (kind != KOSH_FAULT_PAGE) {
		user_fault(f, kind, f->rip, f->error);
		return;
	}
	uint64_t address = read_cr2(), detail = 0;
	if (f->error & PF_WRITE)
		detail |= KOSH_FAULT_WRITE;
	if (f->error & PF_FETCH)
		detail |= KOSH_FAULT_EXEC;
	if (f->error & PF_PRESENT)
		detail |= KOSH_FAULT_PRESENT;
	user_fault(f, kind, address, detail);
}

static int hardware_failure(uint64_t vector)
{
	return vector == VEC_NMI || vector == VEC_DF || vector == VEC_MC;
}

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if (trap_frame_from_user(f) && !hardware_failure(f->vector)) {
		if (f->vector >= 32)
			interrupt((uint32_t)f->vector);
		else
			user_exception(f);
		kernel_exit_to_user(f);
		return;
	}
	if (f->vector >= 32) {
		interrupt((uint32_t)f->vector);
		return;
	}
	if (f->vector == VEC_PF) {
		uint64_t fixup = arch_copy_user_fixup(f->rip);
		if (fixup && !(f->error & PF_USER)) {
			f->rip = fixup; /* a user copy hit a bad address: it returns an error */
			return;
		}
		page_fault(f);
	}
	panic_trap(f, "%s (vector %llu), error 0x%llx", exception_names[f->vector],
		   (unsigned long long)f->vector, (unsigned long long)f->error);
}
