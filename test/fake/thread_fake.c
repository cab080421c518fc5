/* SPDX-License-Identifier: MIT */
/*
 * The fake port's threads (see thread_fake.h): the "Threads and user mode"
 * hooks of kernel/include/arch.h on host ucontexts, host kernel stacks for
 * vm_stack_alloc, a settable clock, kmalloc on the host heap, user copies on
 * host memory, and a fake address space. One CPU, cpus[0]. With the address
 * sanitizer on, every switch is announced to it as a fiber switch, so it knows
 * which host stack is in use.
 */
#include "thread_fake.h"
#include "kheap_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include <arch/trap.h>
#include <arch/types.h>

#include "arch.h"
#include "arch_fake.h"
#include "cap.h"
#include "clock.h"
#include "cpu.h"
#include "kentry.h"
#include "kheap.h"
#include "sched.h"
#include "smp.h"
#include "space.h"
#include "thread.h"
#include "vm.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAKE_ASAN 1
#include <sanitizer/common_interface_defs.h>
#endif
#endif

struct thread_fake thread_fake;

__attribute__((noreturn)) static void die(const char *why)
{
	fprintf(stderr, "thread_fake: %s\n", why);
	abort();
}

/* ---- Contexts ---- */

#define CPU_STACK_SIZE (512u << 10)

static struct arch_context main_ctx;  /* the test's own stack, outside the machine */
static struct arch_context *entering; /* the context a switch goes to */
static uint8_t *cpu_stack;	      /* the idle loop's */
static uint64_t run_switches, run_entries;

static void trampoline(void)
{
	struct arch_context *c = entering;
#ifdef FAKE_ASAN
	const void *bottom = NULL;
	size_t size = 0;
	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	if (!main_ctx.stack_base) { /* the first switch ever comes from the test's stack */
		main_ctx.stack_base = (void *)bottom;
		main_ctx.stack_size = size;
	}
#endif
	c->fn(c->arg);
	die("a context's first function returned");
}

static void do_switch(struct arch_context *from, struct arch_context *to)
{
	if (!to || to->magic != ARCH_FAKE_CONTEXT_MAGIC)
		die("switch to a context that was never initialised");
	entering = to;
#ifdef FAKE_ASAN
	void *fake_stack = NULL;
	__sanitizer_start_switch_fiber(from ? &fake_stack : NULL, to->stack_base, to->stack_size);
#endif
	if (!from) {
		setcontext(&to->uc);
		die("setcontext failed");
	}
	if (swapcontext(&from->uc, &to->uc))
		die("swapcontext failed");
#ifdef FAKE_ASAN
	__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#endif
}

/* ---- Kernel stacks: host memory ---- */

#define MAX_STACKS 1024

static struct {
	uint8_t *base;
	uint64_t top;
} stacks[MAX_STACKS];

static int stack_index(uint64_t top)
{
	for (int i = 0; i < MAX_STACKS; i++)
		if (stacks[i].base && stacks[i].top == top)
			return i;
	return -1;
}

uint64_t vm_stack_alloc(uint64_t size)
{
	if (!size || size > FAKE_KSTACK_SIZE)
		return 0;
	if (thread_fake.stack_fail_after == 0)
		return 0;
	if (thread_fake.stack_fail_after > 0)
		thread_fake.stack_fail_after--;
	int i = 0;
	while (i < MAX_STACKS && stacks[i].base)
		i++;
	if (i == MAX_STACKS)
		return 0;
	uint8_t *p = aligned_alloc(64, FAKE_KSTACK_SIZE);
	if (!p)
		return 0;
	memset(p, 0, FAKE_KSTACK_SIZE);
	stacks[i].base = p;
	stacks[i].top = (uint64_t)(uintptr_t)(p + FAKE_KSTACK_SIZE);
	thread_fake.stacks_allocated++;
	return stacks[i].top;
}

int vm_stack_free(uint64_t top)
{
	int i = stack_index(top);
	if (i < 0) {
		thread_fake.stack_free_unknown++;
		return PT_E_RANGE;
	}
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	if (sp >= (uintptr_t)stacks[i].base && sp < top) {
		/* Freeing the stack this code runs on: refused (and leaked) so the test survives.
		 */
		thread_fake.stack_free_in_use++;
		return 0;
	}
	free(stacks[i].base);
	stacks[i].base = NULL;
	stacks[i].top = 0;
	thread_fake.stacks_freed++;
	return 0;
}

int thread_fake_stack_live(uint64_t top)
{
	return top && stack_index(top) >= 0;
}

/* ---- The machine ---- */

static void idle_main(void *arg)
{
	(void)arg;
	sched_run_cpu();
}

void thread_fake_reset(uint64_t start_ns)
{
	main_ctx.magic = ARCH_FAKE_CONTEXT_MAGIC;
	if (!cpu_stack && !(cpu_stack = aligned_alloc(64, CPU_STACK_SIZE)))
		die("no memory for the CPU's stack");
	if (!cpu_count())
		cpu_add(0);
	memset(&cpus[0], 0, sizeof(cpus[0]));
	cpus[0].index = 0;
	cpus[0].online = 1;
	arch_fake.cpu_index = 0;
	memset(&thread_fake, 0, sizeof(thread_fake));
	kheap_fake_reset();
	thread_fake.stack_fail_after = -1;
	thread_fake.switch_limit = 100000;
	thread_fake.now_ns = start_ns;
	sched_init_cpu();
	arch_context_init(&cpus[0].idle_ctx, (uint64_t)(uintptr_t)(cpu_stack + CPU_STACK_SIZE),
			  idle_main, NULL);
}

void thread_fake_run(void)
{
	if (bkl_held())
		die("thread_fake_run with the big lock held");
	run_switches = run_entries = 0;
	do_switch(&main_ctx, &cpus[0].idle_ctx);
}

void thread_fake_set_clock(uint64_t ns)
{
	if (ns > thread_fake.now_ns)
		thread_fake.now_ns = ns;
}

uint64_t clock_ns(void)
{
	return thread_fake.now_ns;
}

/* The counter runs at 1 GHz here: a tick is a nanosecond of the settable clock. */
uint64_t clock_ticks(void)
{
	return thread_fake.now_ns;
}

uint64_t clock_ticks_ns(uint64_t ticks)
{
	return ticks;
}

/* ---- arch.h: CPU hooks the fake arch_fake.c lacks ---- */

void arch_irq_enable(void)
{
	arch_fake.irq_enabled = 1;
}

void arch_ipi_send(const struct cpu *c, unsigned kind)
{
	thread_fake.ipis++;
}

void arch_idle(void)
{
	thread_fake.idles++;
	/* The CPU halts: the test's stack runs until it lets the CPU go on. */
	do_switch(&cpus[0].idle_ctx, &main_ctx);
}

/* ---- arch.h: threads and user mode ---- */

void arch_thread_set_tls(struct arch_thread *t, uint64_t value, int current)
{
	t->tls_base = value;
}

void arch_context_init(struct arch_context *ctx, uint64_t stack_top, void (*fn)(void *arg),
		       void *arg)
{
	uint8_t *base = NULL;
	uint64_t cpu_top = (uint64_t)(uintptr_t)(cpu_stack + CPU_STACK_SIZE);
	if (cpu_stack && stack_top > (uint64_t)(uintptr_t)cpu_stack && stack_top <= cpu_top) {
		base = cpu_stack;
	} else {
		for (int i = 0; i < MAX_STACKS; i++)
			if (stacks[i].base && stack_top > (uint64_t)(uintptr_t)stacks[i].base &&
			    stack_top <= stacks[i].top)
				base = stacks[i].base;
	}
	if (!base)
		die("arch_context_init on a stack vm_stack_alloc did not give");
	memset(ctx, 0, sizeof(*ctx));
	if (getcontext(&ctx->uc))
		die("getcontext failed");
	ctx->stack_base = base;
	ctx->stack_size = (size_t)((stack_top & ~15ull) - (uint64_t)(uintptr_t)base);
	ctx->uc.uc_stack.ss_sp = base;
	ctx->uc.uc_stack.ss_size = ctx->stack_size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, trampoline, 0);
	ctx->fn = fn;
	ctx->arg = arg;
	ctx->magic = ARCH_FAKE_CONTEXT_MAGIC;
}

void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	thread_fake.context_switches++;
	if (++run_switches > thread_fake.switch_limit)
		die("too many context switches in one thread_fake_run (livelock?)");
	if (!bkl_held())
		thread_fake.unlocked_switches++;
	do_switch(from, to);
}

void arch_thread_init(struct arch_thread *t)
{
	memset(t, 0, sizeof(*t));
	t->inits = 1;
}

struct trap_frame *arch_user_frame_init(uint64_t kstack_top, uint64_t pc, uint64_t sp, uint64_t arg)
{
	struct trap_frame *f = (struct trap_frame *)(uintptr_t)(kstack_top - sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->pc = pc;
	f->sp = sp;
	f->args[0] = arg;
	f->from_user = 1;
	return f;
}

void arch_return_to_user(struct trap_frame *f)
{
	if (f->entered)
		die("arch_return_to_user on a frame already in user mode");
	f->entered = 1;
	void (*fn)(uint64_t) = (void (*)(uint64_t))(uintptr_t)f->pc;
	fn(f->args[0]);
	usys(KOSH_SYS_thread_exit, 0, 0, 0, 0, 0, 0, 0);
	die("thread_exit returned to user mode");
}

void arch_thread_switch(struct thread *prev, struct thread *next)
{
	thread_fake.thread_switches++;
	thread_fake.last_prev = prev;
	thread_fake.last_next = next;
	if (prev && prev->state == THREAD_DEAD) {
		thread_fake.dead_switches++;
		if (!thread_fake_stack_live(prev->kstack_top))
			thread_fake.dead_stack_gone++;
	}
}

void arch_mmu_switch_user(uint64_t root)
{
	thread_fake.mmu_switches++;
	thread_fake.mmu_root = root;
}

int arch_ioport_bitmap_set(uint8_t *bitmap, uint32_t base, uint32_t count, int allow)
{
	return -1;
}

int arch_has_ioports(void)
{
	return 0;
}

/* ---- User memory: host memory, all of it below arch_user_top ---- */

uint64_t arch_user_top(void)
{
#if defined(__x86_64__)
	return 1ull << 47;
#else
	return 1ull << 48;
#endif
}

int arch_copy_user(void *dst, const void *src, uint64_t len)
{
	if ((uintptr_t)dst < FAKE_USER_UNMAPPED || (uintptr_t)src < FAKE_USER_UNMAPPED) {
		thread_fake.user_copy_faults++;
		return -1;
	}
	memmove(dst, src, len);
	thread_fake.user_copies++;
	return 0;
}

uint64_t arch_copy_user_fixup(uint64_t pc)
{
	return 0;
}

/* ---- Address spaces ---- */

static void fake_space_release(struct kobject *o)
{
	thread_fake.spaces_released++;
	kfree(o);
}

struct space *fake_space_create(void)
{
	struct space *s = kzalloc(sizeof(*s));
	if (!s)
		return NULL;
	kobject_init(&s->obj, KOSH_OBJ_SPACE, fake_space_release);
	thread_fake.spaces_created++;
	return s;
}

void space_activate(struct space *s)
{
	thread_fake.space_activations++;
	if (s == thread_fake.active_space)
		return;
	thread_fake.active_space = s;
	arch_mmu_switch_user((uint64_t)(uintptr_t)s);
}

struct space *space_from(struct kobject *o)
{
	return (struct space *)o;
}

/* ---- User mode ---- */

struct trap_frame *thread_fake_frame(struct thread *t)
{
	return (struct trap_frame *)(uintptr_t)(thread_kstack_top(t) - sizeof(struct trap_frame));
}

static struct trap_frame *enter_kernel(void)
{
	struct thread *t = thread_current();
	if (!t)
		die("user mode entry with no thread running");
	if (bkl_held())
		die("user mode runs with the big lock held");
	if (++run_entries > 10 * thread_fake.switch_limit)
		die("too many kernel entries in one thread_fake_run (a thread spins?)");
	return thread_fake_frame(t);
}

static void back_to_user(struct thread *t)
{
	if (thread_current() != t)
		die("the kernel returned to user mode on another thread");
	if (bkl_held())
		die("the kernel returned to user mode with the big lock held");
}

int64_t user_syscall(uint64_t nr, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct trap_frame *f = enter_kernel();
	struct thread *t = thread_current();
	f->nr = nr;
	for (unsigned i = 0; i < KOSH_SYSCALL_ARGS_MAX; i++)
		f->args[i] = r[i];
	syscall_handle(f);
	kernel_exit_to_user(f);
	back_to_user(t);
	for (unsigned i = 1; i < KOSH_SYSCALL_ARGS_MAX; i++)
		r[i] = f->args[i];
	return (int64_t)f->ret;
}

int64_t usys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
	     uint64_t a5, uint64_t a6)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = {a0, a1, a2, a3, a4, a5, a6};
	return user_syscall(nr, r);
}

void user_fault_now(uint32_t kind, uint64_t address, uint64_t pc, uint64_t detail)
{
	struct trap_frame *f = enter_kernel();
	struct thread *t = thread_current();
	f->pc = pc;
	user_fault(f, kind, address, detail);
	kernel_exit_to_user(f);
	back_to_user(t);
}

void user_interrupt(void (*handler)(void))
{
	struct trap_frame *f = enter_kernel();
	struct thread *t = thread_current();
	handler();
	kernel_exit_to_user(f);
	back_to_user(t);
}
