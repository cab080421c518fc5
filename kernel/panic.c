/* SPDX-License-Identifier: MIT */
/*
 * Panic reports (see panic.h). Backtraces follow the frame-pointer chain, which
 * has the same shape on both architectures (the saved frame pointer, then the
 * return address); each step must move up the stack by less than a bound and
 * stay aligned, so a corrupt chain ends the walk instead of faulting.
 */
#include "panic.h"

#include "arch.h"
#include "klog.h"
#include "smp.h"
#include "symbols.h"

#include <arch/trap.h>
#include <kosh/fmt.h>

#define BACKTRACE_DEPTH 32
#define FRAME_STEP_MAX (64u << 10)

static int panicking;

int panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_RELAXED);
}

static void print_frame(int depth, uint64_t pc)
{
	uint64_t off = 0;
	const char *name = symbols_lookup(pc, &off);
	if (name)
		klog_error("  #%d 0x%llx %s+0x%llx", depth, (unsigned long long)pc, name,
			   (unsigned long long)off);
	else
		klog_error("  #%d 0x%llx", depth, (unsigned long long)pc);
}

void panic_backtrace(uint64_t pc, uint64_t fp)
{
	klog_error("backtrace:");
	print_frame(0, pc);
	for (int depth = 1; depth < BACKTRACE_DEPTH && fp && !(fp & 7); depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
		uint64_t next = frame[0], ret = frame[1];
		if (!ret)
			break;
		print_frame(depth, ret - 1); /* the call, not the instruction after it */
		if (next <= fp || next - fp > FRAME_STEP_MAX)
			break;
		fp = next;
	}
}

/* Claim the panic; a second panic (nested, or on another CPU) just halts. */
static void begin(void)
{
	arch_irq_save();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_halt();
	smp_stop_others();
}

static __attribute__((noreturn)) void end(void)
{
	klog_error("kosh: halted");
	arch_halt();
}

void panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	begin();
	va_start(ap, fmt);
	kosh_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	klog_error("kosh: panic on cpu %u: %s", arch_cpu_index(), msg);
	/* Our own frame record: [0] the caller's frame, [1] the return into it. */
	const uint64_t *frame = __builtin_frame_address(0);
	panic_backtrace(frame[1] - 1, frame[0]);
	end();
}

void panic_trap(const struct trap_frame *f, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	begin();
	va_start(ap, fmt);
	kosh_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	klog_error("kosh: panic on cpu %u: %s", arch_cpu_index(), msg);
	arch_trap_dump_regs(f);
	panic_backtrace(trap_frame_pc(f), trap_frame_fp(f));
	end();
}
