/* SPDX-License-Identifier: MIT */
/*
 * AArch64 traps: the vector table's C side. Synchronous exceptions are decoded
 * from ESR_EL1 (class, ISS, fault status) into a panic report; IRQs go to the
 * interrupt controller's entry, which calls the portable dispatcher.
 */
#include "arch.h"
#include "klog.h"
#include "panic.h"
#include "traps_arm.h"

#include <arch/trap.h>

#define EC_UNKNOWN     0x00
#define EC_SVC64       0x15
#define EC_IABT_LOWER  0x20
#define EC_IABT_SAME   0x21
#define EC_PC_ALIGN    0x22
#define EC_DABT_LOWER  0x24
#define EC_DABT_SAME   0x25
#define EC_SP_ALIGN    0x26
#define EC_BRK         0x3c

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

void trap_entry(uint64_t index, struct trap_frame *f);
void trap_entry(uint64_t index, struct trap_frame *f)
{
	uint64_t kind = index & 3;
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
