/* SPDX-License-Identifier: MIT */
/*
 * The system-call dispatcher, generated from syscalls.def, and the portable
 * side of every entry from user mode (kentry.h): system calls, faults, and the
 * way back. A number outside the table is a fault (KOSH_FAULT_BAD_SYSCALL), as
 * DESIGN.md §4 asks, not an error return: it means the program is broken.
 */
#include "syscall.h"

#include "arch.h"
#include "cpu.h"
#include "ipc.h"
#include "kentry.h"
#include "klog.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

#include <arch/trap.h>

typedef int64_t (*sys_fn)(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

static const sys_fn table[KOSH_SYSCALL_COUNT] = {
#define KOSH_SYSCALL(number, name, args, object, right, text) [number] = sys_##name,
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
};

void syscall_handle(struct trap_frame *f)
{
	bkl_lock();
	struct thread *self = thread_current();
	uint64_t nr = trap_frame_sysnr(f);
	if (nr >= KOSH_SYSCALL_COUNT) {
		user_fault(f, KOSH_FAULT_BAD_SYSCALL, 0, nr);
		return;
	}
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	for (unsigned i = 0; i < KOSH_SYSCALL_ARGS_MAX; i++)
		r[i] = *trap_frame_sysarg(f, i);
	int64_t ret = table[nr](self, r);
	for (unsigned i = 1; i < KOSH_SYSCALL_ARGS_MAX; i++)
		*trap_frame_sysarg(f, i) = r[i];
	*trap_frame_sysret(f) = (uint64_t)ret;
}

static const char *const fault_names[] = {
	[KOSH_FAULT_PAGE] = "page fault",
	[KOSH_FAULT_UNDEFINED] = "undefined instruction",
	[KOSH_FAULT_ALIGNMENT] = "alignment fault",
	[KOSH_FAULT_BAD_SYSCALL] = "bad system call number",
	[KOSH_FAULT_ARITHMETIC] = "arithmetic fault",
	[KOSH_FAULT_PROTECTION] = "protection fault",
	[KOSH_FAULT_BREAKPOINT] = "breakpoint",
	[KOSH_FAULT_OTHER] = "fault",
};

static const char *fault_name(uint32_t kind)
{
	return kind < sizeof(fault_names) / sizeof(fault_names[0]) && fault_names[kind] ?
		       fault_names[kind] : "fault";
}

void user_fault(struct trap_frame *f, uint32_t kind, uint64_t address, uint64_t detail)
{
	if (!bkl_held())
		bkl_lock();
	struct thread *self = thread_current();
	struct process *p = self->proc;
	if (self->fault_ep && ipc_fault(kind, address, trap_frame_pc(f), detail) == KOSH_OK)
		return; /* the supervisor handled it: retry */
	if (self->kill)
		return; /* killed while its fault was handled */
	klog_error("kosh: process %u (%s) thread %u killed: %s at 0x%llx, pc 0x%llx, detail 0x%llx",
		   p->id, p->name, self->id, fault_name(kind), (unsigned long long)address,
		   (unsigned long long)trap_frame_pc(f), (unsigned long long)detail);
	arch_trap_dump_regs(f);
	process_kill(p, KOSH_EXIT_FAULTED | kind);
}

void kernel_exit_to_user(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	if (!bkl_held()) {
		struct thread *t = c->current;
		if (!__atomic_load_n(&c->work, __ATOMIC_ACQUIRE) && !t->kill && !t->suspend)
			return;
		bkl_lock();
	}
	for (;;) {
		uint32_t work = __atomic_load_n(&c->work, __ATOMIC_ACQUIRE);
		struct thread *t = c->current;
		if (!work && !t->kill && !t->suspend)
			break; /* the common case: straight back */
		if (work & (SCHED_WORK_TIMER | SCHED_WORK_IRQ))
			sched_do_work();
		if (t->kill)
			thread_exit_current();
		if (t->suspend)
			sched_suspend_current();
		else
			sched_preempt();
		c = this_cpu(); /* it may run on another CPU now */
	}
	bkl_unlock();
}
