/* SPDX-License-Identifier: MIT */
/*
 * Starting an x86-64 CPU: INIT, 10 ms, SIPI, 200 us, and a second SIPI only if
 * the CPU has not yet marked the trampoline "started" (Intel SDM Vol. 3A
 * §10.4.4), through ap_trampoline.S copied to a page below 1 MiB.
 *
 * Everything the start needs is made for that one start and given back once
 * the CPU has claimed its struct cpu, which it does only after it has left
 * the trampoline page and the temporary tables behind: the page itself, and a
 * temporary PML4 below 4 GiB (CR3 is loaded from 32-bit code, and the
 * kernel's root may lie higher) that shares the kernel half's top-level
 * entries and identity-maps the trampoline page, read-only and executable.
 * The kernel's own tables never map anything low. A CPU that does not claim
 * in time is given up: its claim is withdrawn (if it wakes up late it finds
 * nothing to claim and halts), and its page and tables are left allocated,
 * since it may still be running them.
 */
#include "arch.h"
#include "apic.h"
#include "clock.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "klog.h"
#include "pmm.h"
#include "smp.h"
#include "vm.h"

#include <stddef.h>

#include <kosh/pagetable.h>
#include <kosh/string.h>

#define PAGE PT_PAGE_SIZE
#define SIPI_PAGE_END    0xa0000ull /* SIPI vectors 0xa0-0xbf are reserved */
#define INIT_DELAY_NS    10000000ull
#define SIPI_DELAY_NS    200000ull
#define CLAIM_TIMEOUT_NS 500000000ull

#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA   0x00cf93000000ffffull
#define GDT_CODE32 0x00cf9b000000ffffull

extern const char ap_trampoline_start[], ap_trampoline_32[], ap_trampoline_64[];
extern const char ap_trampoline_params[], ap_trampoline_end[];
void x86_ap_entry(void);

/* Read by ap_trampoline.S: the struct cpu to claim, and the kernel's root to load first. */
struct cpu *x86_ap_cpu;
uint64_t x86_ap_cr3;

struct trampoline_params {
	uint64_t gdt[4];
	uint16_t reserved0[3];
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint32_t cr3;
	uint32_t pm_offset;
	uint16_t pm_selector;
	uint16_t reserved1;
	uint32_t lm_offset;
	uint16_t lm_selector;
	uint16_t reserved2;
	uint32_t efer;
	uint32_t started;
	uint64_t entry;
};
_Static_assert(offsetof(struct trampoline_params, gdt) == X86_TRAMP_GDT, "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, gdt_limit) == X86_TRAMP_GDT_POINTER,
	       "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, cr3) == X86_TRAMP_CR3, "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, pm_offset) == X86_TRAMP_PM_JUMP,
	       "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, lm_offset) == X86_TRAMP_LM_JUMP,
	       "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, efer) == X86_TRAMP_EFER, "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, started) == X86_TRAMP_STARTED,
	       "trampoline layout");
_Static_assert(offsetof(struct trampoline_params, entry) == X86_TRAMP_ENTRY, "trampoline layout");
_Static_assert(sizeof(struct trampoline_params) == X86_TRAMP_SIZE, "trampoline layout");
_Static_assert(offsetof(struct cpu, stack_top) == X86_CPU_STACK_TOP, "ap_trampoline.S's offset");
_Static_assert(X86_IST_COUNT <= X86_CPU_APIC - X86_CPU_IST, "IST tops in arch_data");

/* What one start holds. */
struct bringup {
	uint64_t page;           /* the trampoline, below 1 MiB */
	struct pagetable tables; /* the temporary tables */
};

static uint64_t low_table_alloc(void *ctx)
{
	return pmm_alloc(0, PMM_ZERO | PMM_DMA32);
}

static void low_table_free(void *ctx, uint64_t phys)
{
	pmm_free(phys, 0);
}

static void *low_table_virt(void *ctx, uint64_t phys)
{
	return phys_to_virt(phys);
}

static struct trampoline_params *params_of(const struct bringup *b)
{
	return (void *)((char *)phys_to_virt(b->page) +
			(ap_trampoline_params - ap_trampoline_start));
}

static uint32_t trampoline_address(const struct bringup *b, const char *label)
{
	return (uint32_t)(b->page + (uint64_t)(label - ap_trampoline_start));
}

/* The kernel half's top-level entries (never freed: pagetable_share_upper), plus the page. */
static int tables_build(struct bringup *b)
{
	struct pagetable kernel = vm_kernel_space()->pt;
	kernel.alloc = (struct pt_alloc){ low_table_alloc, low_table_free, low_table_virt, 0 };
	int err = pagetable_init_user(&b->tables, &kernel);
	if (!err)
		err = pagetable_map(&b->tables, b->page, b->page, PAGE, PT_EXEC);
	if (err)
		pagetable_destroy(&b->tables, 1);
	return err;
}

static void trampoline_fill(const struct bringup *b)
{
	memcpy(phys_to_virt(b->page), ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
	struct trampoline_params *t = params_of(b);
	memset(t, 0, sizeof(*t));
	t->gdt[X86_KERNEL_CS / 8] = GDT_CODE64;
	t->gdt[X86_KERNEL_DS / 8] = GDT_DATA;
	t->gdt[X86_TRAMP_CODE32_SEL / 8] = GDT_CODE32;
	t->gdt_limit = sizeof(t->gdt) - 1;
	t->gdt_base = trampoline_address(b, ap_trampoline_params) + X86_TRAMP_GDT;
	t->cr3 = (uint32_t)b->tables.root_lo;
	t->pm_offset = trampoline_address(b, ap_trampoline_32);
	t->pm_selector = X86_TRAMP_CODE32_SEL;
	t->lm_offset = trampoline_address(b, ap_trampoline_64);
	t->lm_selector = X86_KERNEL_CS;
	t->efer = X86_EFER_LME | (uint32_t)(x86_rdmsr(X86_MSR_EFER) & X86_EFER_NXE);
	t->entry = (uint64_t)(uintptr_t)x86_ap_entry;
}

static int bringup_prepare(struct bringup *b)
{
	_Static_assert(X86_TRAMP_SIZE < PAGE, "the trampoline fits a page");
	if ((uint64_t)(ap_trampoline_end - ap_trampoline_start) > PAGE)
		return -1;
	b->page = pmm_alloc(0, PMM_LOW);
	if (!b->page)
		return -1;
	if (b->page >= SIPI_PAGE_END || tables_build(b)) {
		pmm_free(b->page, 0);
		return -1;
	}
	trampoline_fill(b);
	return 0;
}

static void bringup_release(struct bringup *b)
{
	pagetable_destroy(&b->tables, 1);
	pmm_free(b->page, 0);
}

static int ist_alloc(struct cpu *c)
{
	for (int i = 0; i < X86_IST_COUNT; i++) {
		c->arch_data[X86_CPU_IST + i] = vm_stack_alloc(X86_IST_STACK_SIZE);
		if (!c->arch_data[X86_CPU_IST + i])
			return -1;
	}
	return 0;
}

static void ist_free(struct cpu *c)
{
	for (int i = 0; i < X86_IST_COUNT; i++) {
		if (c->arch_data[X86_CPU_IST + i])
			(void)vm_stack_free(c->arch_data[X86_CPU_IST + i]);
		c->arch_data[X86_CPU_IST + i] = 0;
	}
}

/* INIT, 10 ms, then SIPIs 200 us apart until the CPU says it started (at most two). */
static int send_start(const struct bringup *b, uint64_t hwid)
{
	volatile uint32_t *started = &params_of(b)->started;
	if (x86_lapic_send(hwid, apic_icr_low(APIC_DELIVERY_INIT, 0)))
		return -1;
	x86_delay_ns(INIT_DELAY_NS);
	for (int i = 0; i < 2 && !*started; i++) {
		uint32_t sipi = apic_icr_low(APIC_DELIVERY_STARTUP, (uint8_t)(b->page >> 12));
		if (x86_lapic_send(hwid, sipi))
			return -1;
		x86_delay_ns(SIPI_DELAY_NS);
	}
	return 0;
}

/* 1 once the started CPU has claimed its struct cpu; else withdraw the claim and 0. */
static int wait_claimed(int sent)
{
	uint64_t deadline = clock_ns() + CLAIM_TIMEOUT_NS;
	while (sent && __atomic_load_n(&x86_ap_cpu, __ATOMIC_ACQUIRE)) {
		if (clock_ns() > deadline)
			break;
		arch_cpu_relax();
	}
	/* Whoever exchanges first wins: the CPU (NULL left here) or we (it finds NULL). */
	return __atomic_exchange_n(&x86_ap_cpu, NULL, __ATOMIC_ACQ_REL) == NULL;
}

int arch_cpu_start(struct cpu *c)
{
	struct bringup b;
	if (ist_alloc(c) || bringup_prepare(&b)) {
		klog_warn("x86: cpu %u: no memory for its start", c->index);
		ist_free(c);
		return -1;
	}
	__atomic_store_n(&x86_ap_cr3, vm_kernel_space()->pt.root_hi, __ATOMIC_RELAXED);
	__atomic_store_n(&x86_ap_cpu, c, __ATOMIC_RELEASE);
	int sent = send_start(&b, c->hwid) == 0;
	if (wait_claimed(sent)) {
		bringup_release(&b);
		return 0;
	}
	klog_warn("x86: cpu %u (APIC id 0x%llx) %s; its trampoline at 0x%llx stays allocated",
		  c->index, (unsigned long long)c->hwid,
		  !sent ? "could not be sent INIT-SIPI-SIPI"
			: params_of(&b)->started ? "started but did not reach the kernel"
						 : "did not answer INIT-SIPI-SIPI",
		  (unsigned long long)b.page);
	ist_free(c);
	return -1;
}

/*
 * On the started CPU, on its own stack: the kernel's tables as every CPU has
 * them (PAT, EFER, global pages), then the portable start. A CPU that was
 * given up on and woke up late may have claimed a later CPU's struct; it then
 * takes that place under its own APIC id.
 */
void x86_ap_start(struct cpu *c)
{
	struct vm_space *k = vm_kernel_space();
	arch_mmu_switch_kernel(k->pt.root_lo, k->pt.root_hi);
	uint64_t hwid = arch_cpu_hwid();
	if (hwid != c->hwid) {
		klog_warn("x86: cpu %u started as APIC id 0x%llx, not 0x%llx", c->index,
			  (unsigned long long)hwid, (unsigned long long)c->hwid);
		c->hwid = hwid;
	}
	smp_ap_main(c);
}
