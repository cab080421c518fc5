/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 port's boot self-checks (arch_selftests, run under kosh.test after
 * the portable ones): the GIC is the version the platform named, every online
 * CPU has the IPI SGIs and its timer PPI enabled, runs at EL1 and sees the same
 * counter frequency, an SGI to oneself arrives, and the timer interrupt ends
 * once handled instead of storming; kernel contexts switch with their callee-
 * saved registers intact, and FP/SIMD state and TPIDR_EL0 stay each thread's
 * own across arch_thread_switch. Ids A64-0001 … are stable.
 */
#include "aarch64.h"
#include "arch.h"
#include "clock.h"
#include "cpu.h"
#include "gic.h"
#include "platform.h"
#include "smp.h"
#include "sysreg.h"
#include "kheap.h"
#include "thread.h"
#include "timer.h"
#include "vm.h"

#include <kosh/fmt.h>
#include <kosh/string.h>

#include <arch/types.h>

#define WAIT_NS  1000000000ull /* 1 s for anything that should take microseconds */
#define QUIET_NS 20000000ull   /* 20 ms without an armed timer event */

static int fail(char *why, unsigned long len, const char *reason, uint32_t cpu)
{
	kosh_snprintf(why, len, "cpu %u: %s", cpu, reason);
	return 0;
}

static int online(const struct cpu *c)
{
	return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
}

static int wait_above(const uint64_t *counter, uint64_t value, uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) <= value) {
		if (clock_ns() > deadline)
			return 0;
		arch_cpu_relax();
	}
	return 1;
}

/* The version the platform named (or, naming none, its GICv2/v3 layout) is the hardware's. */
static int check_gic_version(char *why, unsigned long len)
{
	const struct gic_info *g = aarch64_gic();
	const struct platform *p = g->plat;
	uint32_t off = g->version >= 3 ? GICD_PIDR2_V3 : GICD_PIDR2_V2;
	unsigned hw = gic_pidr2_version(gic_read32(g->gicd + off));
	unsigned named = p->gic.version ? p->gic.version : (p->ic == PLATFORM_IC_GICV3 ? 3 : 2);
	int same = p->gic.version ? hw == named : (hw >= 3) == (named == 3);
	if (same)
		return 1;
	kosh_snprintf(why, len, "the platform says GICv%u, GICD_PIDR2 says GICv%u", named, hw);
	return 0;
}

/* Recorded at start-up and read again now (where the registers are not banked). */
static int check_enabled(char *why, unsigned long len)
{
	const struct gic_info *g = aarch64_gic();
	uint32_t want = g->sgi_mask | 1u << g->timer_ppi, now;
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (!online(&cpus[i]))
			continue;
		if ((aarch64_cpu(&cpus[i])->enabled & want) != want)
			return fail(why, len, "IPI SGIs or timer PPI not enabled at start-up", i);
		if (!aarch64_gic_driver()->read_enabled(g, &cpus[i], &now) && (now & want) != want)
			return fail(why, len, "IPI SGIs or timer PPI disabled since start-up", i);
	}
	return 1;
}

static int check_counter(char *why, unsigned long len)
{
	if (!clock_hz())
		return fail(why, len, "counter frequency 0", 0);
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (online(&cpus[i]) && aarch64_cpu(&cpus[i])->cntfrq != clock_hz())
			return fail(why, len, "CNTFRQ_EL0 differs from the boot CPU's", i);
	}
	return 1;
}

static int check_el1(char *why, unsigned long len)
{
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (online(&cpus[i]) && aarch64_cpu(&cpus[i])->el != 1)
			return fail(why, len, "not running the kernel at EL1", i);
	}
	return 1;
}

static int check_sgi_self(char *why, unsigned long len)
{
	struct cpu *self = this_cpu();
	uint64_t before = __atomic_load_n(&self->ipi_pings, __ATOMIC_ACQUIRE);
	arch_ipi_send(self, IPI_PING);
	if (wait_above(&self->ipi_pings, before, WAIT_NS))
		return 1;
	return fail(why, len, "an SGI to itself did not arrive within 1 s", self->index);
}

static void noop(struct timer_event *ev, void *ctx)
{
}

/* One event: one interrupt (two if the level was seen once more), then quiet. */
static int check_no_storm(char *why, unsigned long len)
{
	static struct timer_event ev;
	struct cpu *self = this_cpu();
	uint64_t before = __atomic_load_n(&self->timer_interrupts, __ATOMIC_ACQUIRE);
	timer_arm(&ev, clock_ns() + 1000000, noop, 0);
	if (!wait_above(&self->timer_interrupts, before, WAIT_NS)) {
		timer_cancel(&ev);
		return fail(why, len, "the timer interrupt did not arrive", self->index);
	}
	uint64_t until = clock_ns() + QUIET_NS;
	while (clock_ns() < until)
		arch_cpu_relax();
	if (__atomic_load_n(&self->timer_interrupts, __ATOMIC_ACQUIRE) - before <= 2)
		return 1;
	return fail(why, len, "the timer interrupt kept coming after its event ran", self->index);
}

/*
 * Context ping-pong (A64-0007): contexts a and b, each on a guarded stack,
 * switch to each other PINGPONG_ROUNDS times in all, then the last one drops
 * itself (from == NULL) for the checker's context. Every switch is made with
 * x19..x28 holding values derived from a seed, checked when it comes back.
 */
#define PINGPONG_ROUNDS 1000
#define PINGPONG_STACK  (16u << 10)

struct pingpong_side {
	struct arch_context ctx;
	struct pingpong_side *peer;
	uint64_t seed;
};

static struct {
	struct arch_context checker;
	struct pingpong_side side[2];
	uint64_t switches;
	uint64_t lost;          /* switches whose callee-saved registers came back wrong */
	struct pingpong_side *last; /* who ran last: the sides must alternate */
	uint64_t out_of_turn;
} pingpong;

/*
 * Switch from -> to with x19 = seed, x20 = seed + 1, … x28 = seed + 9 and the
 * seed on the stack; when from is switched back to, 0 if all ten and sp came
 * back, else a non-zero difference.
 */
static uint64_t switch_checked(struct arch_context *from, struct arch_context *to, uint64_t seed)
{
	register uint64_t x0 __asm__("x0") = (uint64_t)(uintptr_t)from;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)to;
	register uint64_t x2 __asm__("x2") = seed;
	__asm__ volatile("str x2, [sp, #-16]!\n\t"
			 "mov x19, x2\n\t"
			 "add x20, x2, #1\n\t"
			 "add x21, x2, #2\n\t"
			 "add x22, x2, #3\n\t"
			 "add x23, x2, #4\n\t"
			 "add x24, x2, #5\n\t"
			 "add x25, x2, #6\n\t"
			 "add x26, x2, #7\n\t"
			 "add x27, x2, #8\n\t"
			 "add x28, x2, #9\n\t"
			 "bl arch_context_switch\n\t"
			 "ldr x2, [sp], #16\n\t"
			 "sub x3, x19, x2\n\t"
			 "sub x4, x20, x2\n\t"
			 "sub x4, x4, #1\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x21, x2\n\t"
			 "sub x4, x4, #2\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x22, x2\n\t"
			 "sub x4, x4, #3\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x23, x2\n\t"
			 "sub x4, x4, #4\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x24, x2\n\t"
			 "sub x4, x4, #5\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x25, x2\n\t"
			 "sub x4, x4, #6\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x26, x2\n\t"
			 "sub x4, x4, #7\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x27, x2\n\t"
			 "sub x4, x4, #8\n\t"
			 "orr x3, x3, x4\n\t"
			 "sub x4, x28, x2\n\t"
			 "sub x4, x4, #9\n\t"
			 "orr x3, x3, x4\n\t"
			 "mov x0, x3"
			 : "+r"(x0), "+r"(x1), "+r"(x2)
			 :
			 : "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
			   "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
			   "x24", "x25", "x26", "x27", "x28", "x30", "cc", "memory");
	return x0;
}

static void pingpong_run(void *arg)
{
	struct pingpong_side *me = arg;
	for (uint64_t round = 0;; round++) {
		pingpong.out_of_turn += pingpong.last == me;
		pingpong.last = me;
		if (++pingpong.switches == PINGPONG_ROUNDS)
			arch_context_switch(NULL, &pingpong.checker); /* never comes back */
		pingpong.lost += switch_checked(&me->ctx, &me->peer->ctx, me->seed + round * 16) != 0;
	}
}

static int check_context_switch(char *why, unsigned long len)
{
	uint64_t tops[2] = { vm_stack_alloc(PINGPONG_STACK), vm_stack_alloc(PINGPONG_STACK) };
	int ok = 0;
	if (!tops[0] || !tops[1]) {
		kosh_snprintf(why, len, "no kernel stack for the two contexts");
		goto out;
	}
	memset(&pingpong, 0, sizeof(pingpong));
	for (int i = 0; i < 2; i++) {
		pingpong.side[i].peer = &pingpong.side[1 - i];
		pingpong.side[i].seed = 0x5a5a000000000000ull + ((uint64_t)i << 40);
		arch_context_init(&pingpong.side[i].ctx, tops[i], pingpong_run, &pingpong.side[i]);
	}
	uint64_t irq = arch_irq_save();
	uint64_t lost = switch_checked(&pingpong.checker, &pingpong.side[0].ctx, 0x1234500000ull);
	arch_irq_restore(irq);
	if (lost || pingpong.lost)
		kosh_snprintf(why, len, "callee-saved registers lost in %llu switches",
			      (unsigned long long)(pingpong.lost + (lost != 0)));
	else if (pingpong.switches != PINGPONG_ROUNDS || pingpong.out_of_turn)
		kosh_snprintf(why, len, "%llu switches (want %u), %llu out of turn",
			      (unsigned long long)pingpong.switches, PINGPONG_ROUNDS,
			      (unsigned long long)pingpong.out_of_turn);
	else
		ok = 1;
out:
	for (int i = 0; i < 2; i++)
		if (tops[i])
			(void)vm_stack_free(tops[i]);
	return ok;
}

/*
 * FP isolation (A64-0008): two threads' FP/SIMD registers, FPCR, FPSR and
 * TPIDR_EL0, set and read here with explicit instructions (the kernel is built
 * without FP), survive arch_thread_switch back and forth and through the idle
 * loop (NULL); a fresh thread starts with them all zero. The CPU's own values
 * are put back afterwards.
 */
struct fp_pattern {
	uint8_t seed, step; /* every byte of q<i> is seed + i * step */
	uint64_t fpcr, fpsr, tpidr;
};

static const struct fp_pattern fp_zero = { 0, 0, 0, 0, 0 };
static const struct fp_pattern fp_a = { 0x10, 1, 0x02c00000, 0x08000001, 0xa0a0a0a0a0a0a0a0ull };
static const struct fp_pattern fp_b = { 0x80, 3, 0x01400000, 0x00000012, 0xb0b0b0b0b0b0b0b0ull };

static void fp_set(const struct fp_pattern *p)
{
	uint64_t byte = p->seed;
	__asm__ volatile(".arch_extension fp\n\t"
			 ".arch_extension simd\n\t"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
			 "dup v\\n\\().16b, %w0\n\t"
			 "add %w0, %w0, %w3\n\t"
			 ".endr\n\t"
			 "msr fpcr, %1\n\t"
			 "msr fpsr, %2"
			 : "+r"(byte)
			 : "r"(p->fpcr), "r"(p->fpsr), "r"((uint64_t)p->step)
			 : "memory");
	sysreg_write(tpidr_el0, p->tpidr);
}

/* 1 if this CPU's registers hold pattern p. */
static int fp_holds(const struct fp_pattern *p)
{
	uint8_t q[32][16];
	uint64_t fpcr, fpsr;
	__asm__ volatile(".arch_extension fp\n\t"
			 ".arch_extension simd\n\t"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
			 "str q\\n, [%2, #(\\n * 16)]\n\t"
			 ".endr\n\t"
			 "mrs %0, fpcr\n\t"
			 "mrs %1, fpsr"
			 : "=r"(fpcr), "=r"(fpsr)
			 : "r"(q)
			 : "memory");
	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 16; j++)
			if (q[i][j] != (uint8_t)(p->seed + i * p->step))
				return 0;
	return fpcr == p->fpcr && fpsr == p->fpsr && sysreg_read(tpidr_el0) == p->tpidr;
}

/* Run the switches; NULL, or what went wrong. */
static const char *fp_switches(struct thread *a, struct thread *b)
{
	fp_set(&fp_a); /* a runs and sets its registers */
	if (!fp_holds(&fp_a))
		return "the pattern did not stick (FPCR/FPSR bits not writable?)";
	arch_thread_switch(a, b);
	if (!fp_holds(&fp_zero))
		return "a fresh thread did not start with zeroed FP/SIMD state";
	fp_set(&fp_b);
	arch_thread_switch(b, a);
	if (!fp_holds(&fp_a))
		return "the first thread's registers changed across a switch";
	arch_thread_switch(a, NULL); /* to the idle loop … */
	fp_set(&fp_zero);
	arch_thread_switch(NULL, b); /* … and out to the other thread */
	if (!fp_holds(&fp_b))
		return "the second thread's registers changed across the idle loop";
	arch_thread_switch(b, a);
	if (!fp_holds(&fp_a))
		return "the first thread's registers changed across the second switch";
	return NULL;
}

static int check_fp_isolation(char *why, unsigned long len)
{
	struct thread *a = kzalloc(sizeof(*a)), *b = kzalloc(sizeof(*b));
	struct arch_thread *cpu_own = kzalloc(sizeof(*cpu_own));
	const char *err = "out of kernel heap";
	if (a && b && cpu_own) {
		arch_thread_init(thread_arch(a));
		arch_thread_init(thread_arch(b));
		uint64_t irq = arch_irq_save();
		aarch64_fp_save(cpu_own);
		uint64_t tpidr = sysreg_read(tpidr_el0);
		err = fp_switches(a, b);
		aarch64_fp_load(cpu_own);
		sysreg_write(tpidr_el0, tpidr);
		arch_irq_restore(irq);
	}
	kfree(a);
	kfree(b);
	kfree(cpu_own);
	if (!err)
		return 1;
	kosh_snprintf(why, len, "%s", err);
	return 0;
}

static const struct arch_selftest tests[] = {
	{ "A64-0001", "GIC version as the platform says", check_gic_version },
	{ "A64-0002", "IPI SGIs and timer PPI enabled on every CPU", check_enabled },
	{ "A64-0003", "counter frequency non-zero and equal on every CPU", check_counter },
	{ "A64-0004", "every CPU runs the kernel at EL1", check_el1 },
	{ "A64-0005", "an SGI to this CPU arrives", check_sgi_self },
	{ "A64-0006", "the timer interrupt does not storm", check_no_storm },
	{ "A64-0007", "kernel contexts switch with callee-saved registers intact", check_context_switch },
	{ "A64-0008", "FP/SIMD and TPIDR_EL0 stay each thread's own", check_fp_isolation },
};

const struct arch_selftest *arch_selftests(unsigned *count)
{
	*count = sizeof(tests) / sizeof(tests[0]);
	return tests;
}
