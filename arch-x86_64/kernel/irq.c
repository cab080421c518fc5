/* SPDX-License-Identifier: MIT */
/*
 * x86-64 interrupt controllers: the legacy 8259 pair (remapped to vectors
 * 0x20-0x2f, so a spurious one cannot pass for an exception, then masked for
 * good), each CPU's local APIC (x2APIC mode when CPUID offers it, else xAPIC
 * registers through the HHDM) and the IOAPICs (every pin masked at start,
 * then routed one GSI at a time, honouring the ISA interrupt source
 * overrides). Vectors are laid out in cpu_x86.h and docs/x86_64.md.
 *
 * Every CPU runs its local APIC in the mode the boot CPU chose. IOAPIC
 * registers are reached through a select/window pair, so one lock orders
 * their users; local APIC registers belong to the CPU that reads them.
 */
#include "arch.h"
#include "apic.h"
#include "clock.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "klog.h"
#include "platform.h"
#include "smp.h"
#include "spinlock.h"

#include <kosh/fmt.h>

#define APIC_BASE_EXTD   (1ull << 10) /* IA32_APIC_BASE: x2APIC mode */
#define APIC_BASE_EN     (1ull << 11) /* IA32_APIC_BASE: the APIC is enabled */
#define APIC_BASE_ADDR   0x000ffffffffff000ull
#define X2APIC_MSR_BASE  0x800u
#define X2APIC_MSR_ICR   0x830u

#define CPUID_1_EDX_APIC   (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)

#define PIC1_COMMAND 0x20
#define PIC1_DATA    0x21
#define PIC2_COMMAND 0xa0
#define PIC2_DATA    0xa1
#define POST_PORT    0x80 /* a write here takes about 1 us: the 8259's settle time */

#define IOAPIC_SELECT     0x00
#define IOAPIC_WINDOW     0x10 /* bytes from the select register */
#define IOAPIC_VERSION    0x01
#define IOAPIC_REDIRECT   0x10 /* entry n: registers 0x10 + 2n (low), 0x11 + 2n (high) */
#define IOAPIC_MAX_DEST   0xffu

#define ICR_TIMEOUT_NS 10000000ull /* 10 ms for an xAPIC to accept an IPI */
#define ISR_DRAIN_MAX  256

_Static_assert(X86_VECTOR_IPI_BASE + IPI_KIND_COUNT - 1 <= X86_VECTOR_IPI_LAST,
	       "one vector per IPI kind");

struct ioapic {
	volatile uint32_t *regs;
	uint32_t id;
	uint32_t gsi_base;
	uint32_t pins;
};

static const struct platform *plat;
static int x2apic;
static volatile uint32_t *lapic; /* xAPIC registers */
static struct ioapic ioapics[PLATFORM_MAX_IOAPICS];
static uint32_t ioapic_count;
static struct spinlock ioapic_lock = SPINLOCK_INIT;

/* ---- The 8259s ---- */

static void pic_write(uint16_t port, uint8_t value)
{
	arch_port_out8(port, value);
	arch_port_out8(POST_PORT, 0);
}

/* ICW1-ICW4: vectors 0x20-0x27 and 0x28-0x2f, cascade on IRQ 2, 8086 mode; then mask all. */
static void pic_disable(void)
{
	pic_write(PIC1_COMMAND, 0x11);
	pic_write(PIC2_COMMAND, 0x11);
	pic_write(PIC1_DATA, X86_VECTOR_PIC_BASE);
	pic_write(PIC2_DATA, X86_VECTOR_PIC_BASE + 8);
	pic_write(PIC1_DATA, 0x04);
	pic_write(PIC2_DATA, 0x02);
	pic_write(PIC1_DATA, 0x01);
	pic_write(PIC2_DATA, 0x01);
	pic_write(PIC1_DATA, 0xff);
	pic_write(PIC2_DATA, 0xff);
}

/* ---- The local APIC ---- */

int x86_lapic_x2apic(void)
{
	return x2apic;
}

uint32_t x86_lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)x86_rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return lapic[reg / 4];
}

void x86_lapic_write(uint32_t reg, uint32_t value)
{
	if (x2apic)
		x86_wrmsr(X2APIC_MSR_BASE + (reg >> 4), value);
	else
		lapic[reg / 4] = value;
}

uint64_t x86_lapic_id(void)
{
	uint32_t id = x86_lapic_read(LAPIC_ID);
	return x2apic ? id : id >> 24;
}

void x86_lapic_eoi(void)
{
	x86_lapic_write(LAPIC_EOI, 0);
}

/* The error status register latches on a write; read it after one. */
static uint32_t lapic_error_status(void)
{
	x86_lapic_write(LAPIC_ESR, 0);
	return x86_lapic_read(LAPIC_ESR);
}

void x86_lapic_error(void)
{
	klog_warn("x86: cpu %u: local APIC error, status 0x%x", arch_cpu_index(),
		  lapic_error_status());
}

static int icr_wait_idle(void)
{
	uint64_t deadline = clock_ns() + ICR_TIMEOUT_NS;
	while (lapic[LAPIC_ICR_LOW / 4] & APIC_DELIVERY_PENDING) {
		if (clock_ns() > deadline)
			return -1;
		arch_cpu_relax();
	}
	return 0;
}

/*
 * x2APIC: one MSR write, fenced so that earlier stores are visible before the
 * IPI (MSR writes to the APIC are not serializing). xAPIC: destination, then
 * the low word, which sends; no interrupt may slip between the two writes.
 */
int x86_lapic_send(uint64_t dest, uint32_t icr_low)
{
	if (x2apic) {
		__asm__ volatile("mfence; lfence" ::: "memory");
		x86_wrmsr(X2APIC_MSR_ICR, dest << 32 | icr_low);
		return 0;
	}
	if (dest > IOAPIC_MAX_DEST)
		return -1;
	uint64_t flags = arch_irq_save();
	int err = icr_wait_idle();
	if (!err) {
		lapic[LAPIC_ICR_HIGH / 4] = (uint32_t)dest << 24;
		lapic[LAPIC_ICR_LOW / 4] = icr_low;
		err = icr_wait_idle();
	}
	arch_irq_restore(flags);
	return err;
}

void arch_ipi_send(const struct cpu *c, unsigned kind)
{
	if (kind >= IPI_KIND_COUNT)
		return;
	if (x86_lapic_send(c->hwid, apic_icr_low(APIC_DELIVERY_FIXED,
						 (uint8_t)(X86_VECTOR_IPI_BASE + kind))))
		klog_warn("x86: IPI %u to cpu %u (APIC id 0x%llx) not sent", kind, c->index,
			  (unsigned long long)c->hwid);
}

/*
 * Global enable, and x2APIC mode when chosen. The mode can only go from
 * disabled to xAPIC to x2APIC, one step at a time.
 */
static void lapic_enable(void)
{
	uint64_t base = x86_rdmsr(X86_MSR_APIC_BASE);
	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		x86_wrmsr(X86_MSR_APIC_BASE, base);
	}
	if (x2apic && !(base & APIC_BASE_EXTD))
		x86_wrmsr(X86_MSR_APIC_BASE, base | APIC_BASE_EXTD);
}

/* Acknowledge whatever the firmware left in service (at most one EOI per vector). */
static void lapic_drain(void)
{
	for (int n = 0; n < ISR_DRAIN_MAX; n++) {
		int busy = 0;
		for (uint32_t r = 0; r < 8; r++)
			busy |= x86_lapic_read(LAPIC_ISR + r * 0x10) != 0;
		if (!busy)
			return;
		x86_lapic_eoi();
	}
}

/* This CPU as the platform lists it, or NULL. */
static const struct fw_cpu *platform_cpu(uint64_t hwid)
{
	for (uint32_t i = 0; plat && i < plat->cpu_count; i++) {
		if (plat->cpus[i].hw_id == hwid)
			return &plat->cpus[i];
	}
	return 0;
}

/* A LINT pin's entry: NMI where the MADT says so for this CPU (or every CPU), else masked. */
static uint32_t lint_entry(uint32_t lint, const struct fw_cpu *me)
{
	for (uint32_t i = 0; plat && i < plat->apic.lapic_nmi_count; i++) {
		const struct platform_lapic_nmi *n = &plat->apic.lapic_nmis[i];
		int mine = n->acpi_uid == FW_CPU_NO_UID || (me && n->acpi_uid == me->acpi_uid);
		if (n->pin.intid != lint || !mine)
			continue;
		/* NMIs are edge-triggered whatever the table says. */
		return APIC_DELIVERY_NMI |
		       (n->pin.polarity == FW_POLARITY_LOW ? APIC_ACTIVE_LOW : 0);
	}
	return APIC_MASKED;
}

/* Software-enable with the spurious vector; every LVT masked but LINT NMIs and errors. */
static void lapic_setup(void)
{
	uint32_t max_lvt = (x86_lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	const struct fw_cpu *me = platform_cpu(arch_cpu_hwid());
	x86_lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | X86_VECTOR_SPURIOUS);
	x86_lapic_write(LAPIC_TPR, 0);
	x86_lapic_write(LAPIC_LVT_TIMER, APIC_MASKED | X86_VECTOR_TIMER);
	x86_lapic_write(LAPIC_LVT_LINT0, lint_entry(0, me));
	x86_lapic_write(LAPIC_LVT_LINT1, lint_entry(1, me));
	if (max_lvt >= 4)
		x86_lapic_write(LAPIC_LVT_PERF, APIC_MASKED);
	if (max_lvt >= 5)
		x86_lapic_write(LAPIC_LVT_THERMAL, APIC_MASKED);
	if (max_lvt >= 6)
		x86_lapic_write(LAPIC_LVT_CMCI, APIC_MASKED);
	lapic_error_status();
	x86_lapic_write(LAPIC_LVT_ERROR, X86_VECTOR_ERROR);
	lapic_error_status();
	lapic_drain();
}

/* Choose the mode and find the xAPIC registers: 0, or -1 (logged). */
static int lapic_choose(const struct platform *p)
{
	uint32_t r[4];
	x86_cpuid(1, 0, r);
	if (!(r[3] & CPUID_1_EDX_APIC)) {
		klog_error("x86: this CPU has no local APIC");
		return -1;
	}
	x2apic = (r[2] & CPUID_1_ECX_X2APIC) != 0;
	if (x2apic)
		return 0;
	uint64_t msr_base = x86_rdmsr(X86_MSR_APIC_BASE) & APIC_BASE_ADDR;
	uint64_t base = p->apic.lapic_base ? p->apic.lapic_base : msr_base;
	if (base != msr_base)
		klog_warn("x86: the MADT puts the local APIC at 0x%llx, the CPU at 0x%llx",
			  (unsigned long long)base, (unsigned long long)msr_base);
	if (!base || base >= (4ull << 30)) {
		klog_error("x86: local APIC at 0x%llx, outside the low 4 GiB the HHDM maps",
			   (unsigned long long)base);
		return -1;
	}
	lapic = x86_mmio(base);
	return 0;
}

/* This CPU's local APIC, in the chosen mode; records what it found in its struct cpu. */
static void lapic_init_this_cpu(void)
{
	struct cpu *c = this_cpu();
	lapic_enable();
	lapic_setup();
	uint64_t flags = X86_CPU_APIC_UP | (x2apic ? X86_CPU_APIC_X2APIC : 0);
	if (x86_lapic_id() == c->hwid)
		flags |= X86_CPU_APIC_ID_MATCH;
	else
		klog_warn("x86: cpu %u: APIC id register 0x%llx, CPUID says 0x%llx", c->index,
			  (unsigned long long)x86_lapic_id(), (unsigned long long)c->hwid);
	__atomic_store_n(&c->arch_data[X86_CPU_APIC], flags, __ATOMIC_RELEASE);
}

/* ---- The IOAPICs ---- */

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	io->regs[IOAPIC_SELECT / 4] = reg;
	return io->regs[IOAPIC_WINDOW / 4];
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t value)
{
	io->regs[IOAPIC_SELECT / 4] = reg;
	io->regs[IOAPIC_WINDOW / 4] = value;
}

/* The low word last when unmasking, first when masking: never half an entry live. */
static void ioapic_set_entry(const struct ioapic *io, uint32_t pin, uint64_t entry)
{
	uint32_t reg = IOAPIC_REDIRECT + 2 * pin;
	ioapic_write(io, reg, (uint32_t)entry | APIC_MASKED);
	ioapic_write(io, reg + 1, (uint32_t)(entry >> 32));
	ioapic_write(io, reg, (uint32_t)entry);
}

static void ioapic_init(const struct platform_ioapic *p, struct ioapic *io)
{
	io->regs = x86_mmio(p->base);
	io->id = p->id;
	io->gsi_base = p->gsi_base;
	io->pins = ((ioapic_read(io, IOAPIC_VERSION) >> 16) & 0xff) + 1;
	for (uint32_t pin = 0; pin < io->pins; pin++)
		ioapic_set_entry(io, pin, APIC_MASKED);
}

static void ioapics_init(const struct platform *p)
{
	ioapic_count = 0;
	for (uint32_t i = 0; i < p->apic.ioapic_count; i++) {
		const struct platform_ioapic *pi = &p->apic.ioapics[i];
		if (!pi->base || pi->base >= (4ull << 30)) {
			klog_warn("x86: IOAPIC %u at 0x%llx is outside the low 4 GiB; ignored",
				  pi->id, (unsigned long long)pi->base);
			continue;
		}
		ioapic_init(pi, &ioapics[ioapic_count++]);
	}
}

static const struct ioapic *ioapic_of(uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < ioapic_count; i++) {
		const struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return 0;
}

static int ioapic_program(uint32_t gsi, uint64_t entry)
{
	uint32_t pin;
	const struct ioapic *io = ioapic_of(gsi, &pin);
	if (!io)
		return -1;
	uint64_t flags = spin_lock_irqsave(&ioapic_lock);
	ioapic_set_entry(io, pin, entry);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

int x86_irq_route(const struct fw_irq *irq, uint8_t vector, uint64_t dest)
{
	if (dest > IOAPIC_MAX_DEST)
		return -1; /* would need interrupt remapping */
	return ioapic_program(irq->intid, apic_redirection(irq, vector, (uint8_t)dest, 0));
}

int x86_irq_route_isa(uint8_t isa, uint8_t vector, uint64_t dest, struct fw_irq *gsi)
{
	struct fw_irq r = apic_isa_irq(plat ? plat->apic.isos : 0, plat ? plat->apic.iso_count : 0,
				       isa);
	if (gsi)
		*gsi = r;
	return x86_irq_route(&r, vector, dest);
}

int x86_irq_mask(uint32_t gsi)
{
	return ioapic_program(gsi, APIC_MASKED);
}

/* ---- The arch.h hooks ---- */

static void log_summary(void)
{
	const struct x86_timer_info *t = x86_timer_info();
	char ioapic_text[96] = "no IOAPIC";
	int n = 0;
	for (uint32_t i = 0; i < ioapic_count && n >= 0 && n < (int)sizeof(ioapic_text); i++)
		n += kosh_snprintf(ioapic_text + n, sizeof(ioapic_text) - (size_t)n,
				   "%sIOAPIC %u: %u pins", i ? ", " : "", ioapics[i].id,
				   ioapics[i].pins);
	klog_info("x86: %s, LAPIC timer %s, TSC %llu MHz (%s), %s", x2apic ? "x2APIC" : "xAPIC",
		  t->tsc_deadline ? "TSC-deadline" : "one-shot",
		  (unsigned long long)(t->tsc_hz / 1000000), t->ref, ioapic_text);
}

uint64_t arch_platform_init(const struct platform *p)
{
	plat = p;
	if (lapic_choose(p))
		return 0;
	if (p->legacy & PLATFORM_LEGACY_PIC)
		pic_disable();
	lapic_init_this_cpu();
	ioapics_init(p);
	uint64_t hz = x86_timer_init(p);
	if (hz)
		log_summary();
	return hz;
}

int arch_platform_init_cpu(void)
{
	lapic_init_this_cpu();
	return x86_timer_init_cpu();
}
