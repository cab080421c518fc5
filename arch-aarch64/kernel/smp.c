/* SPDX-License-Identifier: MIT */
/*
 * Starting a secondary CPU on AArch64: PSCI CPU_ON (DESIGN.md §6) at ap_entry.S.
 *
 * The CPU starts with its MMU and caches off, at EL2 or EL1, at the PHYSICAL
 * address of ap_entry, with x0 = the context id: the physical address of its
 * struct ap_boot. Everything it reads before its MMU is on must be in memory,
 * not only in this CPU's caches, so both its ap_boot and the identity table are
 * cleaned to the point of coherency (DC CVAC) before CPU_ON. The entry code
 * itself sits in the kernel image, which the loader cleaned to the point of
 * coherency before the hand-off (arch-aarch64/loader/arch.c) and which nothing
 * writes since, so it needs no maintenance here.
 *
 * The identity table (TTBR0 while the MMU comes on) maps only the page of
 * ap_entry, executable; it is built once from pmm pages with the shared
 * page-table code and kept for the kernel's lifetime (five pages), since every
 * later CPU_ON (a CPU brought back online, a resume from a power-down state)
 * enters the same way. The kernel's own tables come as the boot CPU uses them:
 * TTBR1 = the kernel half, TCR as the loader set it, and, once running at its
 * kernel address, TTBR0 = the kernel's empty lower half.
 */
#include "aarch64.h"
#include "arch.h"
#include "bootinfo.h"
#include "cpu.h"
#include "klog.h"
#include "platform.h"
#include "pmm.h"
#include "sysreg.h"
#include "vm.h"

#include <kosh/bootinfo.h>
#include <kosh/pagetable.h>

#define PSCI_CPU_ON_64  0xc4000003u
#define IDMAP_PAGES_MAX 8u

/* What ap_entry.S reads with its MMU off; the offsets are its AP_BOOT_* too. */
struct ap_boot {
	uint64_t ttbr0_idmap;  /* 0: the identity table */
	uint64_t ttbr1;        /* 8: the kernel half */
	uint64_t tcr;          /* 16 */
	uint64_t ttbr0_kernel; /* 24: the kernel's empty lower half */
	uint64_t entry;        /* 32: ap_continue, kernel-virtual */
	uint64_t stack_top;    /* 40 */
	uint64_t cpu;          /* 48: struct cpu *, kernel-virtual */
	uint64_t unused;
};
_Static_assert(sizeof(struct ap_boot) == 64, "struct ap_boot layout (ap_entry.S)");

/* One per CPU, so a late starter never reads another's values. */
static struct ap_boot boots[MAX_CPUS] __attribute__((aligned(64)));

static struct {
	struct pagetable pt;
	uint64_t pages[IDMAP_PAGES_MAX];
	uint32_t count;
} idmap;

extern char ap_entry_start[], ap_entry_end[], ap_entry[], ap_continue[];

/* The physical address of a place in the kernel image. */
static uint64_t image_phys(const void *p)
{
	const struct kosh_bootinfo *bi = bootinfo_current();
	return bi->kernel_phys + ((uintptr_t)p - bi->kernel_virt);
}

static void clean_to_poc(uintptr_t base, uint64_t size)
{
	uint64_t line = 4ull << ((sysreg_read(ctr_el0) >> 16) & 0xf); /* DminLine, in words */
	for (uintptr_t p = base & ~(line - 1); p < base + size; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

static uint64_t idmap_alloc(void *ctx)
{
	if (idmap.count == IDMAP_PAGES_MAX)
		return 0;
	uint64_t page = pmm_alloc(0, PMM_ZERO);
	if (page)
		idmap.pages[idmap.count++] = page;
	return page;
}

static void idmap_free(void *ctx, uint64_t phys)
{
	pmm_free(phys, 0);
}

static void *idmap_virt(void *ctx, uint64_t phys)
{
	return phys_to_virt(phys);
}

static const struct pt_alloc idmap_pages = { idmap_alloc, idmap_free, idmap_virt, 0 };

/* The identity map of ap_entry's page(s), in memory for a walker with caches off. */
static int idmap_build(void)
{
	uint64_t start = image_phys(ap_entry_start) & ~(PT_PAGE_SIZE - 1);
	uint64_t end = (image_phys(ap_entry_end) + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
	if (idmap.pt.root_lo)
		return 0;
	int err = pagetable_init(&idmap.pt, &idmap_pages, 0);
	if (!err)
		err = pagetable_map(&idmap.pt, start, start, end - start, PT_EXEC);
	if (err) {
		pagetable_destroy(&idmap.pt, 0);
		idmap.pt.root_lo = 0;
		idmap.count = 0;
		klog_warn("smp: cannot build the start-up identity map: %s",
			  pagetable_strerror(err));
		return -1;
	}
	for (uint32_t i = 0; i < idmap.count; i++)
		clean_to_poc((uintptr_t)phys_to_virt(idmap.pages[i]), PT_PAGE_SIZE);
	return 0;
}

static void fill_boot(struct ap_boot *b, struct cpu *c)
{
	const struct pagetable *kernel = &vm_kernel_space()->pt;
	b->ttbr0_idmap = idmap.pt.root_lo;
	b->ttbr1 = kernel->root_hi;
	b->tcr = sysreg_read(tcr_el1);
	b->ttbr0_kernel = kernel->root_lo;
	b->entry = (uintptr_t)ap_continue;
	b->stack_top = c->stack_top;
	b->cpu = (uintptr_t)c;
	clean_to_poc((uintptr_t)b, sizeof(*b));
}

static const char *psci_error(int64_t r)
{
	switch (r) {
	case -1:
		return "not supported";
	case -2:
		return "invalid parameters";
	case -3:
		return "denied";
	case -4:
		return "already on";
	case -5:
		return "on pending";
	case -6:
		return "internal failure";
	case -9:
		return "invalid address";
	default:
		return "unknown error";
	}
}

/* PSCI is the one start method Kosh drives; the platform names each CPU's. */
static int can_start(const struct platform *p, const struct cpu *c)
{
	const struct fw_cpu *f = p ? aarch64_fw_cpu(p, c->hwid) : 0;
	if (p && p->psci && f && f->start == FW_CPU_START_PSCI)
		return 1;
	const char *why = !p || !p->psci ? "no PSCI to start it with"
					 : "its start method is not PSCI (not supported)";
	klog_warn("smp: cpu %u (MPIDR 0x%llx): %s", c->index, (unsigned long long)c->hwid, why);
	return 0;
}

int arch_cpu_start(struct cpu *c)
{
	const struct platform *p = aarch64_gic()->plat;
	if (!can_start(p, c) || idmap_build())
		return -1;
	struct ap_boot *b = &boots[c->index];
	fill_boot(b, c);
	int64_t r = arch_psci_call(p->psci_hvc, PSCI_CPU_ON_64, c->hwid, image_phys(ap_entry),
				   image_phys(b));
	if (r) {
		klog_warn("smp: PSCI CPU_ON for cpu %u (MPIDR 0x%llx): %s (%lld)", c->index,
			  (unsigned long long)c->hwid, psci_error(r), (long long)r);
		return -1;
	}
	return 0;
}
