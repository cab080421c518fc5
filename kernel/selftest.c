/* SPDX-License-Identifier: MIT */
/*
 * The boot self-checks (see selftest.h). Test ids are stable: BOOT0001 … .
 */
#include "selftest.h"

#include "arch.h"
#include "bootinfo.h"
#include "console.h"
#include "klog.h"
#include "clock.h"
#include "cpu.h"
#include "firmware.h"
#include "kheap.h"
#include "platform.h"
#include "pmm.h"
#include "smp.h"
#include "timer.h"
#include "usercopy.h"
#include "vm.h"

#include <kosh/bootinfo.h>
#include <kosh/memmap.h>
#include <kosh/string.h>
#include <kosh/tar.h>

#ifndef KOSH_VERSION
#define KOSH_VERSION "0"
#endif

static const uint8_t kmain_marker = 1; /* some kernel-half data */

struct ctx {
	const struct kosh_bootinfo *bi;
	const struct firmware *fw;
	const struct platform *plat;
	const struct kosh_mem_range *map;
	uint32_t count;
	uint64_t kmain_ticks;
	uint64_t kmain_addr;
	char why[160];
};

typedef int (*check_fn)(struct ctx *c);

/* Record why a check failed; returns 0 (failed) for `return fail(...)`. */
static int fail(struct ctx *c, const char *why)
{
	size_t n = strlen(why);
	if (n >= sizeof(c->why))
		n = sizeof(c->why) - 1;
	memcpy(c->why, why, n);
	c->why[n] = 0;
	return 0;
}

static int check_map(struct ctx *c)
{
	return bootinfo_check_map(c->map, c->count, c->why, sizeof(c->why)) == 0;
}

static int in_range(struct ctx *c, uint64_t base, uint64_t size, uint32_t type, const char *what)
{
	if (bootinfo_range_type(c->map, c->count, base, size) != type)
		return fail(c, what);
	return 1;
}

static int check_kernel(struct ctx *c)
{
	const struct kosh_bootinfo *bi = c->bi;
	if (!in_range(c, bi->kernel_phys, bi->kernel_size, KOSH_MEM_KERNEL,
		      "kernel image not in a kernel range"))
		return 0;
	if (c->kmain_addr < bi->kernel_virt || c->kmain_addr - bi->kernel_virt >= bi->kernel_size)
		return fail(c, "kmain lies outside the reported kernel image");
	return 1;
}

static int check_bootinfo_range(struct ctx *c)
{
	const struct kosh_bootinfo *bi = c->bi;
	uint64_t phys = (uint64_t)(uintptr_t)bi - bi->hhdm_base;
	return in_range(c, phys, sizeof(*bi), KOSH_MEM_BOOTINFO, "boot info not in a bootinfo range") &&
	       in_range(c, bi->mem_map, c->count * sizeof(struct kosh_mem_range), KOSH_MEM_BOOTINFO,
			"memory map not in a bootinfo range");
}

/* The initfs is a valid archive holding etc/version with this kernel's version. */
static int check_initfs(struct ctx *c)
{
	const struct kosh_bootinfo *bi = c->bi;
	const void *tar = (const void *)(uintptr_t)(bi->hhdm_base + bi->initfs_phys);
	struct kosh_tar_entry e;
	size_t n = strlen(KOSH_VERSION);
	if (!in_range(c, bi->initfs_phys, bi->initfs_size, KOSH_MEM_INITFS,
		      "initfs not in an initfs range"))
		return 0;
	if (kosh_tar_find(tar, bi->initfs_size, "etc/version", &e) != KOSH_TAR_OK)
		return fail(c, "initfs has no valid etc/version");
	if (e.size < n || memcmp(e.data, KOSH_VERSION, n))
		return fail(c, "initfs etc/version differs from the kernel's version");
	return 1;
}

static int check_framebuffer(struct ctx *c)
{
	const struct kosh_framebuffer *fb = &c->bi->fb;
	if (!fb->phys)
		return 1;
	if (fb->bpp != 32 || fb->pitch < fb->width * 4 || (uint64_t)fb->pitch * fb->height > fb->size)
		return fail(c, "framebuffer geometry inconsistent");
	if (bootinfo_range_type(c->map, c->count, fb->phys, fb->size) == KOSH_MEM_USABLE)
		return fail(c, "framebuffer inside usable RAM");
	return 1;
}

/* Whatever tables the firmware gave passed their checks, and there is ACPI or a DTB. */
static int check_firmware_tables(struct ctx *c)
{
	const struct kosh_bootinfo *bi = c->bi;
	if (bi->acpi_rsdp && !c->fw->have_acpi)
		return fail(c, "ACPI RSDP given but invalid");
	if (bi->dtb && !c->fw->dtb)
		return fail(c, "device tree given but invalid");
	if (!c->fw->have_acpi && !c->fw->dtb)
		return fail(c, "neither ACPI nor a device tree");
	return 1;
}

static int check_clock(struct ctx *c)
{
	const struct kosh_bootinfo *bi = c->bi;
	if (!bi->ticks_per_second)
		return fail(c, "no counter frequency");
	if (c->kmain_ticks <= bi->loader_start_ticks)
		return fail(c, "counter did not advance from loader start to kmain");
	if (arch_ticks() < c->kmain_ticks)
		return fail(c, "counter went backwards");
	return 1;
}

static int check_cmdline(struct ctx *c)
{
	const char *s = c->bi->cmdline;
	size_t i = 0;
	while (i < KOSH_CMDLINE_MAX && s[i])
		i++;
	return i < KOSH_CMDLINE_MAX ? 1 : fail(c, "command line not terminated");
}

static int same_free_pages(const struct pmm_stats *a, const struct pmm_stats *b)
{
	for (int z = 0; z < PMM_ZONE_COUNT; z++) {
		if (a->free_pages[z] != b->free_pages[z])
			return 0;
	}
	return 1;
}

/* Blocks of orders 0..10 in every zone that has memory: patterns hold, all comes back. */
static int check_pmm(struct ctx *c)
{
	static const unsigned zones[] = { 0, PMM_DMA32, PMM_LOW };
	uint64_t blocks[3][11] = { { 0 } };
	struct pmm_stats before, after;
	pmm_get_stats(&before);
	for (int z = 0; z < 3; z++) {
		for (unsigned order = 0; order <= 10; order++) {
			uint64_t p = pmm_alloc(order, zones[z] | PMM_ZERO);
			blocks[z][order] = p;
			if (!p)
				continue;
			if (p & ((PMM_PAGE_SIZE << order) - 1))
				return fail(c, "pmm block misaligned for its order");
			memset(phys_to_virt(p), 0x5a + (int)order, PMM_PAGE_SIZE << order);
		}
	}
	for (int z = 0; z < 3; z++) {
		for (unsigned order = 0; order <= 10; order++) {
			uint8_t *v = blocks[z][order] ? phys_to_virt(blocks[z][order]) : 0;
			if (v && (v[0] != 0x5a + order || v[(PMM_PAGE_SIZE << order) - 1] != 0x5a + order))
				return fail(c, "pmm blocks overlap: a pattern was overwritten");
			if (v && pmm_free(blocks[z][order], order))
				return fail(c, "pmm refused to free a block it handed out");
		}
	}
	if (!blocks[0][10])
		return fail(c, "pmm could not allocate a 4 MiB block");
	pmm_get_stats(&after);
	if (!same_free_pages(&before, &after))
		return fail(c, "pmm free pages differ after freeing everything");
	return pmm_check() == 0 ? 1 : fail(c, "pmm metadata inconsistent");
}

/* kmalloc of sizes 1 .. 64 KiB: aligned, distinct, patterns hold, nothing refused. */
static int check_kheap(struct ctx *c)
{
	enum { N = 64 };
	void *p[N];
	struct kheap_stats st;
	for (int i = 0; i < N; i++) {
		size_t size = (size_t)1 << (i % 17);
		p[i] = kmalloc(size);
		if (!p[i] || ((uintptr_t)p[i] & 15))
			return fail(c, "kmalloc failed or returned a misaligned block");
		memset(p[i], i, size);
	}
	for (int i = 0; i < N; i++) {
		size_t size = (size_t)1 << (i % 17);
		if (((uint8_t *)p[i])[0] != i || ((uint8_t *)p[i])[size - 1] != i)
			return fail(c, "kmalloc blocks overlap: a pattern was overwritten");
		kfree(p[i]);
	}
	kheap_get_stats(&st);
	return st.refused_frees == 0 ? 1 : fail(c, "kfree refused a block kmalloc handed out");
}

/* The kernel's tables: nothing writable and executable, and the scan saw the text. */
static int check_wx(struct ctx *c)
{
	uint64_t exec_pages = 0;
	uint64_t wx = vm_scan_wx(NULL, &exec_pages);
	if (wx)
		return fail(c, "writable and executable kernel pages exist");
	return exec_pages ? 1 : fail(c, "the W^X scan saw no executable page");
}

struct tlb_probe {
	volatile uint64_t *va;
	uint64_t seen[MAX_CPUS];
};

static void read_probe(void *arg)
{
	struct tlb_probe *p = arg;
	p->seen[arch_cpu_index()] = *p->va;
}

/* Every other CPU reads the probe page; 1 if each saw want. */
static int others_see(struct tlb_probe *p, uint64_t want)
{
	struct cpu *self = this_cpu();
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (&cpus[i] == self)
			continue;
		p->seen[i] = 0;
		if (smp_call(&cpus[i], read_probe, p) || p->seen[i] != want)
			return 0;
	}
	return 1;
}

/* A kernel address nothing else maps (below the kernel image), for VM0002. */
#define SHOOTDOWN_VA (KOSH_KERNEL_VIRT_BASE - 0x3000)

/*
 * A remapped page reaches every CPU: each reads it (caching the translation),
 * the page is pointed at another frame, and each must now read the new one.
 * Without a shoot-down a CPU keeps reading the old frame through its TLB.
 */
static int check_tlb_shootdown(struct ctx *c)
{
	static struct tlb_probe probe;
	struct vm_space *k = vm_kernel_space();
	uint64_t first = pmm_alloc(0, PMM_ZERO), second = pmm_alloc(0, PMM_ZERO);
	probe.va = (volatile uint64_t *)(uintptr_t)SHOOTDOWN_VA;
	int ok = first && second && !vm_map(k, SHOOTDOWN_VA, first, PMM_PAGE_SIZE, PT_WRITE);
	if (ok) {
		*probe.va = 0x1111;
		*(volatile uint64_t *)phys_to_virt(second) = 0x2222;
		ok = others_see(&probe, 0x1111) && !vm_unmap(k, SHOOTDOWN_VA, PMM_PAGE_SIZE) &&
		     !vm_map(k, SHOOTDOWN_VA, second, PMM_PAGE_SIZE, PT_WRITE);
		ok = ok && others_see(&probe, 0x2222);
		if (vm_unmap(k, SHOOTDOWN_VA, PMM_PAGE_SIZE))
			ok = 0;
	}
	if (first)
		pmm_free(first, 0);
	if (second)
		pmm_free(second, 0);
	return ok ? 1 : fail(c, "a CPU still read the old frame, or did not answer");
}

/*
 * User copies refuse bad addresses with an error, never a kernel fault: an
 * unmapped user page (the fault is caught), the kernel half, a range crossing
 * the top of the user half, and a wrapping range.
 */
static int check_user_copies(struct ctx *c)
{
	uint64_t word = 0x1234, top = arch_user_top();
	static const uint64_t unmapped = 0x1000; /* the kernel's lower half is empty */
	if (copy_from_user(&word, user_ptr(unmapped), sizeof(word)) != KOSH_E_BAD_ADDRESS ||
	    copy_to_user(user_ptr(unmapped), &word, sizeof(word)) != KOSH_E_BAD_ADDRESS)
		return fail(c, "a copy from or to an unmapped user page did not fail");
	if (copy_from_user(&word, user_ptr((uintptr_t)&kmain_marker), 1) != KOSH_E_BAD_ADDRESS)
		return fail(c, "a copy from a kernel address was allowed");
	if (copy_from_user(&word, user_ptr(top - 4), 8) != KOSH_E_BAD_ADDRESS ||
	    copy_to_user(user_ptr(UINT64_MAX - 2), &word, 8) != KOSH_E_BAD_ADDRESS)
		return fail(c, "a range past the user half was allowed");
	if (copy_from_user(&word, user_ptr(unmapped), 0) != KOSH_OK || word != 0x1234)
		return fail(c, "an empty copy failed or wrote");
	return 1;
}

/* Every CPU the platform lists has a struct cpu and says it is online. */
static int check_cpus_online(struct ctx *c)
{
	if (cpu_count() != c->plat->cpu_count)
		return fail(c, "not every listed CPU was brought up");
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (!__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			return fail(c, "a CPU is not online");
	}
	return 1;
}

static int wait_until(const uint64_t *counter, uint64_t target, uint64_t timeout_ns)
{
	uint64_t deadline = clock_ns() + timeout_ns;
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < target) {
		if (clock_ns() > deadline)
			return 0;
		arch_cpu_relax();
	}
	return 1;
}

/* A ping IPI to each other CPU arrives there (its own counter moves). */
static int check_ipis(struct ctx *c)
{
	struct cpu *self = this_cpu();
	for (uint32_t i = 0; i < cpu_count(); i++) {
		if (&cpus[i] == self)
			continue;
		uint64_t before = __atomic_load_n(&cpus[i].ipi_pings, __ATOMIC_ACQUIRE);
		arch_ipi_send(&cpus[i], IPI_PING);
		if (!wait_until(&cpus[i].ipi_pings, before + 1, 1000000000ull))
			return fail(c, "an IPI did not reach its CPU within 1 s");
	}
	return 1;
}

#define TICK_NS 10000000ull /* 10 ms */
#define TICKS 20

struct ticker {
	struct timer_event ev;
	uint64_t count;
	uint64_t early; /* events that ran before their deadline */
};

static void tick(struct timer_event *ev, void *ctx)
{
	struct ticker *t = ctx;
	if (clock_ns() < ev->deadline_ns)
		t->early++;
	if (++t->count < TICKS)
		timer_arm(ev, ev->deadline_ns + TICK_NS, tick, t);
}

/*
 * A 10 ms periodic event on this CPU's one-shot timer: 20 ticks arrive, none
 * before its deadline, and together they take at least 200 ms of guest time.
 * (An upper bound would be a test on speed; a generous timeout catches a dead
 * timer instead.)
 */
static int check_timer(struct ctx *c)
{
	static struct ticker t;
	uint64_t start = clock_ns();
	t.count = t.early = 0;
	timer_arm(&t.ev, start + TICK_NS, tick, &t);
	if (!wait_until(&t.count, TICKS, 5000000000ull)) {
		timer_cancel(&t.ev);
		return fail(c, "the timer stopped ticking");
	}
	if (t.early)
		return fail(c, "a timer event ran before its deadline");
	return clock_ns() - start >= TICKS * TICK_NS ? 1 : fail(c, "ticks came too fast");
}

static const struct {
	const char *id;
	const char *name;
	check_fn fn;
} checks[] = {
	{ "BOOT0001", "memory map sorted, aligned, disjoint, merged", check_map },
	{ "BOOT0002", "kernel image where the map says", check_kernel },
	{ "BOOT0003", "boot info and map in bootinfo memory", check_bootinfo_range },
	{ "BOOT0004", "initfs valid and current", check_initfs },
	{ "BOOT0005", "framebuffer consistent", check_framebuffer },
	{ "BOOT0006", "firmware tables valid", check_firmware_tables },
	{ "BOOT0007", "boot counter consistent", check_clock },
	{ "BOOT0008", "command line terminated", check_cmdline },
	{ "MEM0001", "buddy allocator on real memory", check_pmm },
	{ "MEM0002", "kernel heap on real memory", check_kheap },
	{ "VM0001", "no kernel page writable and executable", check_wx },
	{ "CPU0001", "every CPU online", check_cpus_online },
	{ "CPU0002", "IPIs reach every CPU", check_ipis },
	{ "TMR0001", "timer ticks at the programmed rate", check_timer },
	{ "VM0002", "a remapped page reaches every CPU's TLB", check_tlb_shootdown },
	{ "USR0001", "user copies refuse bad addresses without faulting", check_user_copies },
};

/* An address in the kernel half that nothing maps: just below the kernel image. */
#define FAULT_ADDRESS (KOSH_KERNEL_VIRT_BASE - 0x1000)

void selftest_fault(void)
{
	klog_info("kosh: writing to 0x%llx on purpose (kosh.fault)",
		  (unsigned long long)FAULT_ADDRESS);
	*(volatile uint64_t *)(uintptr_t)FAULT_ADDRESS = 0x6b6f7368; /* "kosh" */
	klog_error("kosh: the deliberate fault did not fault");
}

void selftest_run(const struct kosh_bootinfo *bi, const struct firmware *fw,
		  const struct platform *plat, uint64_t kmain_ticks, uint64_t kmain_addr)
{
	struct ctx c = { bi, fw, plat, (const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map),
			 bi->mem_map_count, kmain_ticks, kmain_addr, { 0 } };
	uint32_t n = sizeof(checks) / sizeof(checks[0]), failed = 0;
	unsigned arch_n = 0;
	const struct arch_selftest *arch_tests = arch_selftests(&arch_n);
	klog_info("TAP version 13");
	klog_info("1..%u", n + arch_n);
	for (uint32_t i = 0; i < n; i++) {
		c.why[0] = 0;
		int ok = checks[i].fn(&c);
		failed += !ok;
		klog_info("%s %u - %s %s%s%s\n", ok ? "ok" : "not ok", i + 1, checks[i].id,
			checks[i].name, ok ? "" : ": ", ok ? "" : c.why);
	}
	for (unsigned i = 0; i < arch_n; i++) {
		c.why[0] = 0;
		int ok = arch_tests[i].fn(c.why, sizeof(c.why));
		failed += !ok;
		klog_info("%s %u - %s %s%s%s", ok ? "ok" : "not ok", n + i + 1, arch_tests[i].id,
			  arch_tests[i].name, ok ? "" : ": ", ok ? "" : c.why);
	}
	klog_info("# boot self-checks: %u passed, %u failed", n + arch_n - failed, failed);
}
