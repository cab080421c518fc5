/* SPDX-License-Identifier: MIT */
/*
 * x86-64 threads: kernel contexts (context.S does the switch), a thread's user
 * state, the first user frame, and what a CPU changes when it changes threads.
 *
 * FPU policy: eager. CR0.TS is never set (cpu.c), the kernel is built without
 * x87/SSE code, so the running thread's x87/SSE registers stay live in the CPU
 * while it is in the kernel; arch_thread_switch saves them (fxsave64) when it
 * leaves a thread and loads the next thread's (fxrstor64) before it can run,
 * so a thread never sees another's registers, idle in between or not.
 *
 * Segment bases: IA32_FS_BASE is the thread's own while it runs; its GS base
 * waits in IA32_KERNEL_GS_BASE while the kernel runs (swapgs, traps.S), and
 * both are saved and loaded here. The per-CPU words X86_CPU_KSTACK and
 * TSS.rsp0 always hold the running thread's kernel stack top, where every
 * entry from user mode builds its frame.
 */
#include "arch.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "frame.h"
#include "kentry.h"
#include "thread.h"

#include <stddef.h>

#include <arch/pte.h>
#include <arch/trap.h>
#include <kosh/abi.h>
#include <kosh/string.h>

/* The layouts the assembly files rely on. */
_Static_assert(offsetof(struct cpu, arch_data) == X86_CPU_ARCH_DATA,
	       "struct cpu (syscall_entry.S)");
_Static_assert(X86_GS_USER_RSP == X86_CPU_ARCH_DATA + 8 * X86_CPU_USER_RSP, "per-CPU word");
_Static_assert(X86_GS_KSTACK == X86_CPU_ARCH_DATA + 8 * X86_CPU_KSTACK, "per-CPU word");
_Static_assert(X86_CPU_IOMAP_GEN < 8, "struct cpu has 8 arch_data words");
_Static_assert(offsetof(struct trap_frame, r15) == TF_R15, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, r12) == TF_R12, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, r11) == TF_R11, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, rcx) == TF_RCX, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, rax) == TF_RAX, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, vector) == TF_VECTOR, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, error) == TF_ERROR, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, rip) == TF_RIP, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, cs) == TF_CS, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, rflags) == TF_RFLAGS, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, rsp) == TF_RSP, "trap frame (frame.h)");
_Static_assert(offsetof(struct trap_frame, ss) == TF_SS, "trap frame (frame.h)");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE && TF_SIZE % 16 == 0,
	       "a frame at an aligned stack top leaves the stack aligned");
_Static_assert(TRAP_VECTOR_SYSCALL == 0x100, "syscall_entry.S pushes 0x100");
_Static_assert(X86_USER_TOP == PTE_LOWER_END, "the user half");

/* FXSAVE image: the x87 control word and MXCSR at their reset values. */
#define FX_FCW        0
#define FX_MXCSR      24
#define FCW_DEFAULT   0x037f /* every x87 exception masked, 64-bit precision */
#define MXCSR_DEFAULT 0x1f80 /* every SIMD exception masked, round to nearest */

/* RFLAGS bits user mode may hold: CF PF AF ZF SF TF DF OF AC ID; bit 1 is always 1. */
#define RFLAGS_USER   0x240dd5ull
#define RFLAGS_FIXED  0x2ull

extern char x86_context_start[];

/* The stack the first switch pops: r15 r14 r13 (arg) r12 (fn) rbp rbx, return address. */
void arch_context_init(struct arch_context *ctx, uint64_t stack_top, void (*fn)(void *arg),
		       void *arg)
{
	uint64_t *sp = (uint64_t *)(uintptr_t)(stack_top & ~15ull) - 7;
	memset(sp, 0, 7 * sizeof(*sp));
	sp[2] = (uint64_t)(uintptr_t)arg;
	sp[3] = (uint64_t)(uintptr_t)fn;
	sp[6] = (uint64_t)(uintptr_t)x86_context_start; /* after ret, rsp = the aligned top */
	ctx->rsp = (uint64_t)(uintptr_t)sp;
}

void arch_thread_init(struct arch_thread *t)
{
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;
	memset(t, 0, sizeof(*t));
	memcpy(&t->fxsave[FX_FCW], &fcw, sizeof(fcw));
	memcpy(&t->fxsave[FX_MXCSR], &mxcsr, sizeof(mxcsr));
}

struct trap_frame *arch_user_frame_init(uint64_t kstack_top, uint64_t pc, uint64_t sp,
					uint64_t arg)
{
	struct trap_frame *f = (struct trap_frame *)(uintptr_t)(kstack_top - sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->rip = pc;
	f->cs = X86_USER_CS;
	f->rflags = X86_RFLAGS_IF | RFLAGS_FIXED; /* IOPL 0 */
	f->rsp = sp;
	f->ss = X86_USER_DS;
	f->rdi = arg;
	return f;
}

static int canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/*
 * A non-canonical RIP cannot be returned to: iretq would raise #GP in ring 0
 * with the user's GS, sysretq (Intel) in ring 0 on the user's stack. A user
 * jump there would fault in user mode; so does this, as a protection fault.
 */
void x86_user_return_check(struct trap_frame *f)
{
	while (!canonical(f->rip)) {
		user_fault(f, KOSH_FAULT_PROTECTION, f->rip, 0);
		kernel_exit_to_user(f);
	}
	f->cs = X86_USER_CS;
	f->ss = X86_USER_DS;
	f->rflags = (f->rflags & RFLAGS_USER) | X86_RFLAGS_IF | RFLAGS_FIXED;
}

static void fpu_save(struct arch_thread *a)
{
	__asm__ volatile("fxsave64 (%0)" ::"r"(a->fxsave) : "memory");
}

static void fpu_load(const struct arch_thread *a)
{
	__asm__ volatile("fxrstor64 (%0)" ::"r"(a->fxsave) : "memory");
}

/* With interrupts masked, as every kernel path runs. */
void arch_thread_switch(struct thread *prev, struct thread *next)
{
	if (prev) {
		struct arch_thread *a = thread_arch(prev);
		fpu_save(a);
		a->fs_base = x86_rdmsr(X86_MSR_FS_BASE);
		a->gs_base = x86_rdmsr(X86_MSR_KERNEL_GS_BASE);
	}
	if (!next)
		return; /* idle: nothing runs in user mode until the next thread's state is loaded */
	struct arch_thread *a = thread_arch(next);
	fpu_load(a);
	x86_wrmsr(X86_MSR_FS_BASE, a->fs_base);
	x86_wrmsr(X86_MSR_KERNEL_GS_BASE, a->gs_base);
	uint64_t top = thread_kstack_top(next);
	x86_tss_set_rsp0(top);
	this_cpu()->arch_data[X86_CPU_KSTACK] = top;
	x86_ioport_switch(thread_ioport_bitmap(next));
}

void arch_thread_set_tls(struct arch_thread *t, uint64_t value, int current)
{
	t->fs_base = value;
	if (current)
		x86_wrmsr(X86_MSR_FS_BASE, value);
}
