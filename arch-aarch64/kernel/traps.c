/* SPDX-License-Identifier: MIT */
/*
 * AArch64 traps: the vector table's C side. IRQs go to the interrupt
 * controller's entry, which calls the portable dispatcher.
 *
 * From EL0 (AArch64, vector entries 8-11) nothing is ever a panic: svc is a
 * system call (syscall_handle), every other synchronous exception and an SError
 * is decoded from ESR_EL1 into a user_fault (enum kosh_fault), and each entry
 * ends in kernel_exit_to_user (kernel/kentry.h) before traps.S restores the
 * frame. At EL1 a synchronous exception is a panic report (class, ISS, fault
 * status, FAR), except an abort inside arch_copy_user, which resumes at its
 * error return.
 */
#include "arch.h"
#include "kentry.h"
#include "klog.h"
#include "panic.h"
#include "traps_arm.h"

#include <kosh/abi.h>

#include <arch/trap.h>

/* ESR_EL1.EC values (Arm ARM D17.2.37). */
#define EC_UNKNOWN       0x00
#define EC_WFX           0x01
#define EC_CP15_32       0x03
#define EC_CP15_64       0x04
#define EC_CP14_32       0x05
#define EC_CP14_LS       0x06
#define EC_FP_ACCESS     0x07
#define EC_PAUTH         0x09
#define EC_LS64          0x0a
#define EC_CP14_64       0x0c
#define EC_SVC64         0x15
#define EC_SYSREG        0x18
#define EC_SVE           0x19
#define EC_SME           0x1d
#define EC_IABT_LOWER    0x20
#define EC_IABT_SAME     0x21
#define EC_PC_ALIGN      0x22
#define EC_DABT_LOWER    0x24
#define EC_DABT_SAME     0x25
#define EC_SP_ALIGN      0x26
#define EC_MOPS          0x27
#define EC_FP_EXC32      0x28
#define EC_FP_EXC64      0x2c
#define EC_BREAKPT_LOWER 0x30
#define EC_STEP_LOWER    0x32
#define EC_WATCHPT_LOWER 0x34
#define EC_BKPT32        0x38
#define EC_BRK           0x3c

#define ISS_WNR       (1u << 6)  /* data abort: caused by a write */
#define FSC_ALIGNMENT 0x21
#define FSC_PERMISSION(fsc) (((fsc) & 0x3c) == 0x0c)

#define VECTOR_EL0_FIRST 8  /* entries 8-11: from EL0, AArch64 */
#define VECTOR_EL0_LAST  11

extern char trap_vectors[];
static void (*irq_entry)(void);

static const char *const kind_names[4] = { "synchronous", "IRQ", "FIQ", "SError" };
static const char *const origin_names[4] = {
	"EL1 with SP0", "EL1", "EL0 (AArch64)", "EL0 (AArch32)",
};

void aarch64_traps_init(void)
{
	__asm__ volatile("msr vbar_el1, %0; isb" ::"r"(trap_vectors) : "memory");
}

void aarch64_set_irq_entry(void (*fn)(void))
{
	irq_entry = fn;
}

static const char *class_name(uint32_t ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "undefined instruction";
	case EC_SVC64:
		return "system call";
	case EC_IABT_LOWER:
	case EC_IABT_SAME:
		return "instruction abort";
	case EC_PC_ALIGN:
		return "PC alignment fault";
	case EC_DABT_LOWER:
	case EC_DABT_SAME:
		return "data abort";
	case EC_SP_ALIGN:
		return "SP alignment fault";
	case EC_BRK:
		return "breakpoint";
	default:
		return "exception";
	}
}

/* The fault status code of an abort, in words. */
static const char *fault_status(uint32_t fsc)
{
	switch (fsc & 0x3c) {
	case 0x04:
		return "translation fault";
	case 0x08:
		return "access flag fault";
	case 0x0c:
		return "permission fault";
	default:
		return fsc == 0x21 ? "alignment fault" : "other fault";
	}
}

void arch_trap_dump_regs(const struct trap_frame *f)
{
	for (int i = 0; i < 28; i += 4)
		klog_error("x%-2d %016llx x%-2d %016llx x%-2d %016llx x%-2d %016llx", i,
			   (unsigned long long)f->x[i], i + 1, (unsigned long long)f->x[i + 1],
			   i + 2, (unsigned long long)f->x[i + 2], i + 3,
			   (unsigned long long)f->x[i + 3]);
	klog_error("x28 %016llx x29 %016llx x30 %016llx sp  %016llx",
		   (unsigned long long)f->x[28], (unsigned long long)f->x[29],
		   (unsigned long long)f->x[30], (unsigned long long)f->sp);
	klog_error("elr %016llx spsr %08llx esr %08llx far %016llx",
		   (unsigned long long)f->elr, (unsigned long long)f->spsr,
		   (unsigned long long)f->esr, (unsigned long long)f->far);
}

static void synchronous(struct trap_frame *f, uint64_t index)
{
	uint32_t ec = (f->esr >> 26) & 0x3f, iss = f->esr & 0x1ffffff;
	uint64_t fixup = ec == EC_DABT_SAME ? arch_copy_user_fixup(f->elr) : 0;
	if (fixup) {
		f->elr = fixup; /* a user copy hit a bad address: it returns an error */
		return;
	}
	if (ec == EC_DABT_SAME || ec == EC_DABT_LOWER || ec == EC_IABT_SAME ||
	    ec == EC_IABT_LOWER)
		panic_trap(f, "%s from %s at 0x%llx: %s (level %u)%s, ESR 0x%llx (class 0x%x, ISS 0x%x)",
			   class_name(ec), origin_names[(index >> 2) & 3],
			   (unsigned long long)f->far, fault_status(iss & 0x3f), iss & 3,
			   (ec == EC_DABT_SAME || ec == EC_DABT_LOWER) ?
				   (iss & (1u << 6) ? ", write" : ", read") : "",
			   (unsigned long long)f->esr, ec, iss);
	panic_trap(f, "%s from %s, ESR 0x%llx (class 0x%x, ISS 0x%x), FAR 0x%llx", class_name(ec),
		   origin_names[(index >> 2) & 3], (unsigned long long)f->esr, ec, iss,
		   (unsigned long long)f->far);
}

/* The enum kosh_fault of an EL0 exception class other than svc and the aborts. */
static uint32_t user_fault_kind(uint32_t ec)
{
	switch (ec) {
	case EC_PC_ALIGN:
	case EC_SP_ALIGN:
		return KOSH_FAULT_ALIGNMENT;
	case EC_BRK:
	case EC_BKPT32:
	case EC_BREAKPT_LOWER:
	case EC_STEP_LOWER:
	case EC_WATCHPT_LOWER:
		return KOSH_FAULT_BREAKPOINT;
	case EC_FP_EXC32:
	case EC_FP_EXC64:
		return KOSH_FAULT_ARITHMETIC;
	case EC_UNKNOWN: /* undefined, or privileged at EL0 (hvc, smc, msr to EL1 state) */
	case EC_WFX:
	case EC_CP15_32:
	case EC_CP15_64:
	case EC_CP14_32:
	case EC_CP14_LS:
	case EC_FP_ACCESS:
	case EC_PAUTH:
	case EC_LS64:
	case EC_CP14_64:
	case EC_SYSREG:
	case EC_SVE:
	case EC_SME:
	case EC_MOPS:
		return KOSH_FAULT_UNDEFINED;
	default:
		return KOSH_FAULT_OTHER;
	}
}

/* The address a fault report names: the data address where there is one, else the pc. */
static uint64_t user_fault_address(const struct trap_frame *f, uint32_t ec)
{
	if (ec == EC_PC_ALIGN || ec == EC_WATCHPT_LOWER)
		return f->far;
	if (ec == EC_SP_ALIGN)
		return f->sp;
	return f->elr;
}

/* A data or instruction abort from EL0: a page fault, or an alignment fault. */
static void user_abort(struct trap_frame *f, uint32_t ec, uint32_t iss)
{
	uint32_t fsc = iss & 0x3f;
	if (ec == EC_DABT_LOWER && fsc == FSC_ALIGNMENT) {
		user_fault(f, KOSH_FAULT_ALIGNMENT, f->far, f->esr);
		return;
	}
	uint64_t detail = ec == EC_IABT_LOWER ? KOSH_FAULT_EXEC : (iss & ISS_WNR ? KOSH_FAULT_WRITE : 0);
	if (FSC_PERMISSION(fsc))
		detail |= KOSH_FAULT_PRESENT; /* mapped, but not for this access */
	user_fault(f, KOSH_FAULT_PAGE, f->far, detail);
}

static void user_synchronous(struct trap_frame *f)
{
	uint32_t ec = (f->esr >> 26) & 0x3f, iss = f->esr & 0x1ffffff;
	if (ec == EC_SVC64)
		syscall_handle(f); /* ELR is already past the svc */
	else if (ec == EC_DABT_LOWER || ec == EC_IABT_LOWER)
		user_abort(f, ec, iss);
	else
		user_fault(f, user_fault_kind(ec), user_fault_address(f, ec), f->esr);
}

/*
 * An entry from EL0 of kind 0 (synchronous), 1 (IRQ) or 3 (SError; the kernel
 * cannot tell whose it is, so the thread that was running takes it). FIQs are
 * never enabled, so one stays a panic whatever level it interrupts.
 */
static void user_trap(struct trap_frame *f, uint64_t kind)
{
	if (kind == 0)
		user_synchronous(f);
	else if (kind == 1 && irq_entry)
		irq_entry();
	else if (kind == 3)
		user_fault(f, KOSH_FAULT_OTHER, f->elr, f->esr);
	kernel_exit_to_user(f);
}

void trap_entry(uint64_t index, struct trap_frame *f);
void trap_entry(uint64_t index, struct trap_frame *f)
{
	uint64_t kind = index & 3;
	if (index >= VECTOR_EL0_FIRST && index <= VECTOR_EL0_LAST && kind != 2) {
		user_trap(f, kind);
		return;
	}
	if (kind == 1 && irq_entry) {
		irq_entry();
		return;
	}
	if (kind == 0) {
		synchronous(f, index);
		return;
	}
	panic_trap(f, "unexpected %s exception from %s, ESR 0x%llx", kind_names[kind],
		   origin_names[(index >> 2) & 3], (unsigned long long)f->esr);
}
