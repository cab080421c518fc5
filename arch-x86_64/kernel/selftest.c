/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 boot self-checks (arch_selftests, run under kosh.test after the
 * portable ones): an ISA interrupt through the IOAPIC and its interrupt source
 * override, the TSC calibration against a second measurement, every CPU's
 * local APIC, the LAPIC timer's count rate; then the thread machinery without
 * entering user mode: kernel context switches, FXSAVE isolation between
 * threads, the I/O bitmap in the TSS. Ids are stable: X86-0001 ...
 */
#include "arch.h"
#include "apic.h"
#include "clock.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "irq.h"
#include "kheap.h"
#include "klog.h"
#include "process.h"
#include "thread.h"
#include "vm.h"

#include <arch/types.h>
#include <kosh/fmt.h>
#include <kosh/string.h>

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND  0x43
#define PIT_HZ       1193182ull
#define PIT_ONESHOT  0x30 /* channel 0, low then high byte, mode 0: interrupt on terminal count */

#define PIT_NS           10000000ull   /* the PIT counts 10 ms */
#define INTERRUPT_WAIT   1000000000ull /* and has 1 s to be seen */
#define REMEASURE_NS     10000000ull
#define COUNT_NS         10000000ull
#define RATE_TOLERANCE   2             /* percent */

/*
 * Timing checks under emulation measure between two tight samples, so a host
 * preemption between them costs nothing; one inside a sample widens it, and
 * the best of a few tries is kept.
 */
#define TRIES 3

#define CPUID_1_ECX_X2APIC (1u << 21)

static uint64_t pit_hits;

static void pit_hit(uint32_t irq, void *ctx)
{
	__atomic_fetch_add(&pit_hits, 1, __ATOMIC_RELAXED);
}

static void pit_start(uint64_t ns)
{
	uint64_t count = apic_ns_to_ticks(ns, PIT_HZ);
	arch_port_out8(PIT_COMMAND, PIT_ONESHOT);
	arch_port_out8(PIT_CHANNEL0, (uint8_t)count);
	arch_port_out8(PIT_CHANNEL0, (uint8_t)(count >> 8));
}

static int wait_hits(uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	while (!__atomic_load_n(&pit_hits, __ATOMIC_RELAXED) && clock_ns() < deadline)
		arch_cpu_relax();
	return __atomic_load_n(&pit_hits, __ATOMIC_RELAXED) != 0;
}

/*
 * The PIT's channel 0, one-shot, raises ISA IRQ 0, which QEMU (like most PCs)
 * wires to GSI 2 with an override; routed to this CPU, it must arrive.
 */
static int check_ioapic(char *why, unsigned long len)
{
	struct fw_irq gsi;
	__atomic_store_n(&pit_hits, 0, __ATOMIC_RELAXED);
	irq_register(X86_VECTOR_SELFTEST, pit_hit, 0);
	if (x86_irq_route_isa(0, X86_VECTOR_SELFTEST, this_cpu()->hwid, &gsi)) {
		kosh_snprintf(why, len, "no IOAPIC serves ISA IRQ 0 (GSI %u)", gsi.intid);
		irq_register(X86_VECTOR_SELFTEST, 0, 0);
		return 0;
	}
	pit_start(PIT_NS);
	int seen = wait_hits(INTERRUPT_WAIT);
	x86_irq_mask(gsi.intid);
	irq_register(X86_VECTOR_SELFTEST, 0, 0);
	klog_info("x86: ISA IRQ 0 -> GSI %u, %s, active %s: %s", gsi.intid,
		  gsi.trigger == FW_TRIGGER_LEVEL ? "level" : "edge",
		  gsi.polarity == FW_POLARITY_LOW ? "low" : "high",
		  seen ? "the PIT's interrupt arrived" : "nothing arrived");
	if (!seen)
		kosh_snprintf(why, len,
			      "the PIT's interrupt (ISA IRQ 0, GSI %u) did not arrive in 1 s",
			      gsi.intid);
	return seen;
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* A second, shorter measurement against the same reference agrees with the first. */
static int check_tsc(char *why, unsigned long len)
{
	const struct x86_timer_info *t = x86_timer_info();
	uint64_t best = 0;
	for (int i = 0; i < TRIES; i++) {
		uint64_t again = x86_timer_measure(REMEASURE_NS);
		if (distance(again, t->tsc_hz) < distance(best, t->tsc_hz))
			best = again;
	}
	if (!best || distance(best, t->tsc_hz) * 100 > t->tsc_hz * RATE_TOLERANCE) {
		kosh_snprintf(why, len, "TSC calibrated at %llu Hz, now %llu Hz against %s",
			      (unsigned long long)t->tsc_hz, (unsigned long long)best, t->ref);
		return 0;
	}
	return 1;
}

/* Each online CPU set its local APIC up, in x2APIC mode exactly when CPUID offers it. */
static int check_lapics(char *why, unsigned long len)
{
	uint32_t r[4];
	x86_cpuid(1, 0, r);
	uint64_t mode = (r[2] & CPUID_1_ECX_X2APIC) ? X86_CPU_APIC_X2APIC : 0;
	for (uint32_t i = 0; i < cpu_count(); i++) {
		uint64_t f = __atomic_load_n(&cpus[i].arch_data[X86_CPU_APIC], __ATOMIC_ACQUIRE);
		const char *bad = !(f & X86_CPU_APIC_UP)           ? "is not set up"
				  : (f & X86_CPU_APIC_X2APIC) != mode ? "is in the wrong mode"
				  : !(f & X86_CPU_APIC_ID_MATCH)      ? "reads another id"
								      : 0;
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) && bad) {
			kosh_snprintf(why, len, "cpu %u's local APIC %s", i, bad);
			return 0;
		}
	}
	return 1;
}

/* The LAPIC timer's count rate, measured again against the TSC, is its calibrated rate. */
static int check_lapic_count(char *why, unsigned long len)
{
	uint64_t want = x86_timer_info()->lapic_hz, best = 0;
	for (int i = 0; i < TRIES; i++) {
		uint64_t rate = x86_timer_count_rate(COUNT_NS);
		if (distance(rate, want) < distance(best, want))
			best = rate;
	}
	if (!best || distance(best, want) * 100 > want * RATE_TOLERANCE) {
		kosh_snprintf(why, len, "LAPIC timer calibrated at %llu Hz, counts at %llu Hz",
			      (unsigned long long)want, (unsigned long long)best);
		return 0;
	}
	return 1;
}

/*
 * x86_switch_checked(from, to, seed): load seed, seed + 1 ... seed + 5 into
 * rbx rbp r12-r15, arch_context_switch(from, to), and once back return which
 * of them changed meanwhile (0: none). The callee-saved registers of the
 * caller are kept as the ABI wants.
 */
uint64_t x86_switch_checked(struct arch_context *from, struct arch_context *to, uint64_t seed);
__asm__(".text\n"
	"x86_switch_checked:\n\t"
	"push %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n\t"
	"push %rdx\n\t" /* the seed; also aligns the stack for the call */
	"mov %rdx, %rbx\n\tlea 1(%rdx), %rbp\n\tlea 2(%rdx), %r12\n\t"
	"lea 3(%rdx), %r13\n\tlea 4(%rdx), %r14\n\tlea 5(%rdx), %r15\n\t"
	"call arch_context_switch\n\t"
	"mov (%rsp), %rdx\n\t"
	"mov %rbx, %rax\n\txor %rdx, %rax\n\t"
	"lea 1(%rdx), %rcx\n\txor %rbp, %rcx\n\tor %rcx, %rax\n\t"
	"lea 2(%rdx), %rcx\n\txor %r12, %rcx\n\tor %rcx, %rax\n\t"
	"lea 3(%rdx), %rcx\n\txor %r13, %rcx\n\tor %rcx, %rax\n\t"
	"lea 4(%rdx), %rcx\n\txor %r14, %rcx\n\tor %rcx, %rax\n\t"
	"lea 5(%rdx), %rcx\n\txor %r15, %rcx\n\tor %rcx, %rax\n\t"
	"pop %rdx\n\t"
	"pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
	"ret\n");

#define PING_PONGS  1000
#define SEED_MAIN   0x1111000000000000ull
#define SEED_OTHER  0x2222000000000000ull

struct ping_pong {
	struct arch_context main, other;
	uint64_t runs;     /* times the other context ran */
	uint64_t broken;   /* registers the other context found changed */
	int misaligned;    /* the other context started on a misaligned stack */
	int finish;
};

/* The other context: switch back each time; at the end, leave for good (from NULL). */
static void ping_pong_other(void *arg)
{
	struct ping_pong *p = arg;
	/* fn's rbp is its stack pointer after the push of the return address and rbp: 16-aligned. */
	p->misaligned = ((uintptr_t)__builtin_frame_address(0) & 15) != 0;
	for (;;) {
		p->runs++;
		if (p->finish)
			arch_context_switch(0, &p->main);
		p->broken |= x86_switch_checked(&p->other, &p->main, SEED_OTHER + p->runs * 8);
	}
}

/*
 * Two kernel contexts on guarded stacks switch back and forth; each finds its
 * callee-saved registers as it left them though the other loaded its own.
 */
static int check_context_switch(char *why, unsigned long len)
{
	static struct ping_pong p;
	uint64_t top = vm_stack_alloc(THREAD_KSTACK_SIZE), broken = 0;
	if (!top) {
		kosh_snprintf(why, len, "no stack");
		return 0;
	}
	memset(&p, 0, sizeof(p));
	arch_context_init(&p.other, top, ping_pong_other, &p);
	uint64_t flags = arch_irq_save();
	for (uint64_t i = 0; i < PING_PONGS; i++)
		broken |= x86_switch_checked(&p.main, &p.other, SEED_MAIN + i * 8);
	p.finish = 1;
	arch_context_switch(&p.main, &p.other);
	arch_irq_restore(flags);
	vm_stack_free(top);
	if (broken || p.broken || p.misaligned || p.runs != PING_PONGS + 1) {
		kosh_snprintf(why, len,
			      "registers changed 0x%llx / 0x%llx, %llu runs of %u, %s stack",
			      (unsigned long long)broken, (unsigned long long)p.broken,
			      (unsigned long long)p.runs, PING_PONGS + 1,
			      p.misaligned ? "misaligned" : "aligned");
		return 0;
	}
	return 1;
}

#define XMM_REGS 16
#define MXCSR_DEFAULT 0x1f80u

struct xmm_state {
	_Alignas(16) uint64_t xmm[XMM_REGS][2];
	uint32_t mxcsr;
};

static void xmm_write(const struct xmm_state *s)
{
	__asm__ volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			 "movdqu \\r*16(%0), %%xmm\\r\n\t"
			 ".endr\n\t"
			 "ldmxcsr %1" ::"r"(s->xmm),
			 "m"(s->mxcsr)
			 : "memory");
}

static void xmm_read(struct xmm_state *s)
{
	__asm__ volatile(".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			 "movdqu %%xmm\\r, \\r*16(%0)\n\t"
			 ".endr\n\t"
			 "stmxcsr %1" ::"r"(s->xmm),
			 "m"(s->mxcsr)
			 : "memory");
}

static void xmm_pattern(struct xmm_state *s, uint64_t seed)
{
	for (int i = 0; i < XMM_REGS; i++) {
		s->xmm[i][0] = seed + 2 * i;
		s->xmm[i][1] = ~(seed + 2 * i + 1);
	}
	s->mxcsr = MXCSR_DEFAULT | 0x6000; /* round toward zero: not the default */
}

/* 1 if the registers hold *want (want NULL: a fresh thread's zeros and default MXCSR). */
static int xmm_is(const struct xmm_state *want)
{
	static struct xmm_state now, fresh = { .mxcsr = MXCSR_DEFAULT };
	xmm_read(&now);
	return !memcmp(&now, want ? want : &fresh, sizeof(now));
}

static struct thread *fake_thread(struct process *p, uint64_t kstack_top)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (t) {
		arch_thread_init(thread_arch(t));
		t->proc = p;
		t->kstack_top = kstack_top;
	}
	return t;
}

/*
 * Two threads' SSE registers, set with different values between
 * arch_thread_switch calls, come back intact; a fresh thread sees none of
 * another's. The CPU's own state and stack words are put back afterwards.
 */
static int fxsave_steps(struct thread *a, struct thread *b)
{
	static struct xmm_state pa, pb;
	xmm_pattern(&pa, 0xa0a0a0a000000000ull);
	xmm_pattern(&pb, 0xb0b0b0b000000000ull);
	pb.mxcsr = MXCSR_DEFAULT | 0x2000; /* round down */
	arch_thread_switch(0, a);
	if (!xmm_is(0))
		return 1;
	xmm_write(&pa);
	arch_thread_switch(a, b);
	if (!xmm_is(0))
		return 2;
	xmm_write(&pb);
	arch_thread_switch(b, a);
	if (!xmm_is(&pa))
		return 3;
	arch_thread_switch(a, 0);
	arch_thread_switch(0, b);
	if (!xmm_is(&pb))
		return 4;
	arch_thread_switch(b, a);
	if (!xmm_is(&pa))
		return 5;
	arch_thread_switch(a, 0);
	return 0;
}

static int check_fxsave(char *why, unsigned long len)
{
	static _Alignas(16) uint8_t saved[512];
	struct cpu *c = this_cpu();
	uint64_t kstack = c->arch_data[X86_CPU_KSTACK];
	struct process *p = kzalloc(sizeof(*p));
	struct thread *a = fake_thread(p, kstack), *b = fake_thread(p, kstack);
	int step = -1;
	if (p && a && b) {
		uint64_t flags = arch_irq_save();
		uint64_t fs = x86_rdmsr(X86_MSR_FS_BASE), gs = x86_rdmsr(X86_MSR_KERNEL_GS_BASE);
		__asm__ volatile("fxsave64 (%0)" ::"r"(saved) : "memory");
		step = fxsave_steps(a, b);
		__asm__ volatile("fxrstor64 (%0)" ::"r"(saved) : "memory");
		x86_wrmsr(X86_MSR_FS_BASE, fs);
		x86_wrmsr(X86_MSR_KERNEL_GS_BASE, gs);
		arch_irq_restore(flags);
	}
	kfree(a);
	kfree(b);
	kfree(p);
	if (step)
		kosh_snprintf(why, len, step < 0 ? "out of memory" : "wrong SSE registers at step %d",
			      step);
	return step == 0;
}

static int port_refused(const uint8_t *map, uint32_t port)
{
	return (map[port / 8] >> (port % 8)) & 1;
}

/*
 * arch_ioport_bitmap_set refuses bad ranges, and the TSS's copy follows the
 * loaded bitmap: at once when it changes in place, all ones again for none.
 */
static int check_ioport(char *why, unsigned long len)
{
	uint8_t *map = kmalloc(ARCH_IOPORT_BITMAP_BYTES), *tss = x86_tss_iomap();
	const char *bad = 0;
	if (!map) {
		kosh_snprintf(why, len, "out of memory");
		return 0;
	}
	memset(map, 0xff, ARCH_IOPORT_BITMAP_BYTES);
	uint64_t flags = arch_irq_save();
	if (arch_ioport_bitmap_set(map, 0, 0, 1) != -1 ||
	    arch_ioport_bitmap_set(map, 65535, 2, 1) != -1 ||
	    arch_ioport_bitmap_set(map, 0xffffffffu, 2, 1) != -1 ||
	    arch_ioport_bitmap_set(0, 0x60, 1, 1) != -1 || !arch_has_ioports())
		bad = "a bad range was accepted";
	else if (arch_ioport_bitmap_set(map, 0x3f8, 8, 1) || port_refused(map, 0x3f8) ||
		 port_refused(map, 0x3ff) || !port_refused(map, 0x3f7) || !port_refused(map, 0x400))
		bad = "the bitmap's bits are wrong";
	x86_ioport_switch(map);
	if (!bad && (port_refused(tss, 0x3f8) || !port_refused(tss, 0x3f7)))
		bad = "the TSS did not get the bitmap";
	if (!bad && (arch_ioport_bitmap_set(map, 0x3fa, 1, 0) || !port_refused(tss, 0x3fa) ||
		     port_refused(tss, 0x3f9)))
		bad = "a change in place did not reach the TSS";
	x86_ioport_switch(0);
	if (!bad && (!port_refused(tss, 0x3f8) || !port_refused(tss, 0xffff)))
		bad = "no bitmap did not refuse every port";
	arch_irq_restore(flags);
	kfree(map);
	if (bad)
		kosh_snprintf(why, len, "%s", bad);
	return !bad;
}

static const struct arch_selftest tests[] = {
	{ "X86-0001", "an ISA interrupt arrives through the IOAPIC and its override",
	  check_ioapic },
	{ "X86-0002", "TSC calibration agrees with a second measurement", check_tsc },
	{ "X86-0003", "every CPU's local APIC in the mode CPUID offers, with its id",
	  check_lapics },
	{ "X86-0004", "the LAPIC timer counts at its calibrated rate", check_lapic_count },
	{ "X86-0005", "kernel context switches keep callee-saved registers", check_context_switch },
	{ "X86-0006", "FXSAVE state stays with its thread across arch_thread_switch",
	  check_fxsave },
	{ "X86-0007", "I/O-port bitmaps: ranges checked, the TSS copy follows", check_ioport },
};

const struct arch_selftest *arch_selftests(unsigned *count)
{
	*count = sizeof(tests) / sizeof(tests[0]);
	return tests;
}
