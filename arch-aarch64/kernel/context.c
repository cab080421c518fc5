/* SPDX-License-Identifier: MIT */
/*
 * Threads and user mode on AArch64 (the "Threads and user mode" hooks of
 * kernel/include/arch.h): kernel contexts, the first trap frame of a user
 * thread, the switch of user state between threads, and the user half of the
 * address space.
 *
 * FP/SIMD state is switched eagerly: the kernel never uses those registers, so
 * a thread's values stay live in them while it is in the kernel and are saved
 * and loaded only in arch_thread_switch. Whatever runs between two threads (the
 * idle loop, next == NULL) loads nothing, and every thread that is switched to
 * gets all of its own registers loaded, so none ever sees another's. Every user
 * space uses ASID 0 for now; its leaves are non-global (<arch/pte.h>), so a
 * switch of TTBR0 drops them with one TLBI ASIDE1 on this CPU.
 */
#include "aarch64.h"
#include "arch.h"
#include "sysreg.h"
#include "thread.h"
#include "vm.h"

#include <kosh/string.h>

#include <arch/trap.h>
#include <arch/types.h>

/* context.S: a new context's first instructions */
void aarch64_context_start(void);

/* SPSR for EL0t, AArch64, with D, A, I and F clear: interrupts are taken at EL0. */
#define SPSR_EL0T_UNMASKED 0ull

void arch_context_init(struct arch_context *ctx, uint64_t stack_top, void (*fn)(void *arg),
		       void *arg)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->x19 = (uint64_t)(uintptr_t)fn;
	ctx->x20 = (uint64_t)(uintptr_t)arg;
	ctx->x30 = (uint64_t)(uintptr_t)aarch64_context_start;
	ctx->sp = stack_top & ~15ull;
}

/* FPCR 0 is round to nearest with no traps enabled: the AAPCS64 default. */
void arch_thread_init(struct arch_thread *t)
{
	memset(t, 0, sizeof(*t));
}

struct trap_frame *arch_user_frame_init(uint64_t kstack_top, uint64_t pc, uint64_t sp,
					uint64_t arg)
{
	struct trap_frame *f = (struct trap_frame *)(uintptr_t)(kstack_top - sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->x[0] = arg;
	f->sp = sp;
	f->elr = pc;
	f->spsr = SPSR_EL0T_UNMASKED;
	return f;
}

/*
 * The kernel stack needs nothing here: SP_EL1 is simply the stack
 * arch_context_switch moves to, and a thread returns to EL0 with it at its top.
 * clrex: a load-exclusive the old thread left open must not let the new one's
 * store-exclusive succeed.
 */
void arch_thread_switch(struct thread *prev, struct thread *next)
{
	if (prev) {
		struct arch_thread *a = thread_arch(prev);
		aarch64_fp_save(a);
		a->tpidr_el0 = sysreg_read(tpidr_el0);
	}
	if (next) {
		const struct arch_thread *a = thread_arch(next);
		aarch64_fp_load(a);
		sysreg_write(tpidr_el0, a->tpidr_el0);
	}
	__asm__ volatile("clrex" ::: "memory");
}

/*
 * The table walker must see the new tables (dsb ishst), the new TTBR0 must be in
 * effect (isb) before the old space's ASID 0 entries, leaves and walk caches
 * alike, are dropped; anything cached in between comes from either space and
 * goes too. The kernel touches no user address meanwhile.
 */
void arch_mmu_switch_user(uint64_t root)
{
	if (!root)
		root = vm_kernel_space()->pt.root_lo; /* the empty lower half */
	if (sysreg_read(ttbr0_el1) == root)
		return;
	__asm__ volatile("dsb ishst\n\t"
			 "msr ttbr0_el1, %0\n\t"
			 "isb\n\t"
			 "tlbi aside1, xzr\n\t" /* ASID 0 */
			 "dsb nsh\n\t"
			 "isb"
			 :
			 : "r"(root)
			 : "memory");
}

/* AArch64 has no I/O-port space. */
int arch_ioport_bitmap_set(uint8_t *bitmap, uint32_t base, uint32_t count, int allow)
{
	return -1;
}

int arch_has_ioports(void)
{
	return 0;
}

void arch_thread_set_tls(struct arch_thread *t, uint64_t value, int current)
{
	t->tpidr_el0 = value;
	if (current)
		sysreg_write(tpidr_el0, value);
}
