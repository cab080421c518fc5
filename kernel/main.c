/* SPDX-License-Identifier: MIT */
/*
 * kmain: the portable start of the kernel. It checks the boot info, finds its
 * consoles, prints the banner and a summary of what the loader handed over,
 * runs the boot self-checks when the command line asks for them ("kosh.test"), and
 * powers the machine off. The machine layer of later issues starts here.
 */
#include "arch.h"
#include "bootinfo.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "kheap.h"
#include "klog.h"
#include "mmio.h"
#include "panic.h"
#include "platform.h"
#include "pmm.h"
#include "fdt.h"
#include "firmware.h"
#include "fwdump.h"
#include "power.h"
#include "roottask.h"
#include "sched.h"
#include "selftest.h"
#include "smp.h"
#include "sys_log.h"
#include "vm.h"

#include <kosh/fmt.h>
#include <kosh/memmap.h>
#include <kosh/string.h>
#include <kosh/tar.h>

#ifndef KOSH_VERSION
#define KOSH_VERSION "0"
#endif

#define BOOT_STACK_SIZE (64u << 10)

static struct firmware fw;
static struct {
	uint64_t kmain_ticks;
	uint64_t stack_top;
} boot;

static void kmain_continue(void *arg);
static void root_exited(uint64_t status);
static struct platform plat; /* large: not on the stack */

/* The boot UART: ACPI SPCR, else the device tree's stdout, else the port's default. */
static const char *find_uart(const struct firmware *f, struct fw_uart *u)
{
	memset(u, 0, sizeof(*u));
	if (f->have_acpi && acpi_spcr_uart(&f->acpi, u) == 0 && u->type != FW_UART_OTHER)
		return "ACPI SPCR";
	if (f->dtb && fdt_stdout_uart(f->dtb, f->dtb_size, u) == 0 && u->type != FW_UART_OTHER)
		return "device tree";
	memset(u, 0, sizeof(*u));
	arch_default_uart(&u->type, &u->space, &u->base);
	return u->type ? "built-in default" : NULL;
}

static uint64_t ticks_to_us(uint64_t ticks, uint64_t hz)
{
	return hz ? ticks / hz * 1000000 + ticks % hz * 1000000 / hz : 0;
}

static void print_map(const struct kosh_mem_range *map, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		klog_info("  %016llx-%016llx %s\n", (unsigned long long)map[i].base,
			(unsigned long long)(map[i].base + map[i].size - 1),
			kosh_memmap_type_name(map[i].type));
}

static void print_summary(const struct kosh_bootinfo *bi, uint64_t kmain_ticks,
			  const char *uart_source)
{
	const struct kosh_mem_range *map = (const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map);
	uint32_t n = bi->mem_map_count;
	uint32_t files = 0;
	klog_info("Kosh %s (%s)\n", KOSH_VERSION, kosh_arch_name(arch_id()));
	klog_info("kernel: %llu KiB at 0x%llx, physical 0x%llx\n",
		(unsigned long long)(bi->kernel_size >> 10), (unsigned long long)bi->kernel_virt,
		(unsigned long long)bi->kernel_phys);
	klog_info("memory: total %llu KiB, usable %llu KiB, %u map entries\n",
		(unsigned long long)(kosh_memmap_sum(map, n, KOSH_MEM_RAM_MASK) >> 10),
		(unsigned long long)(kosh_memmap_sum(map, n, 1u << KOSH_MEM_USABLE) >> 10), n);
	print_map(map, n);
	if (bi->fb.phys)
		klog_info("framebuffer: %ux%u, pitch %u, at 0x%llx\n", bi->fb.width, bi->fb.height,
			bi->fb.pitch, (unsigned long long)bi->fb.phys);
	else
		klog_info("framebuffer: none\n");
	klog_info("acpi: rsdp 0x%llx%s\n", (unsigned long long)bi->acpi_rsdp,
		bi->acpi_rsdp && !fw.have_acpi ? " (invalid, ignored)" : "");
	klog_info("dtb: 0x%llx, %llu bytes%s\n", (unsigned long long)bi->dtb,
		(unsigned long long)bi->dtb_size, bi->dtb && !fw.dtb ? " (invalid, ignored)" : "");
	klog_info("smbios: 0x%llx, smbios3: 0x%llx, efi system table: 0x%llx\n",
		(unsigned long long)bi->smbios, (unsigned long long)bi->smbios3,
		(unsigned long long)bi->efi_system_table);
	if (kosh_tar_validate((const void *)(uintptr_t)(bi->hhdm_base + bi->initfs_phys),
			      bi->initfs_size, &files) != KOSH_TAR_OK)
		files = 0;
	klog_info("initfs: %llu KiB, %u entries\n", (unsigned long long)(bi->initfs_size >> 10),
		files);
	klog_info("console: %s\n", uart_source ? uart_source : "none");
	klog_info("cmdline: \"%s\"\n", bi->cmdline);
	klog_info("boot: flags:%s%s\n", bi->flags & KOSH_BOOT_ENTERED_EL2 ? " el2" : "",
		bi->flags & KOSH_BOOT_RNG_SEED ? " rng-seed" : "");
	klog_info("boot: loader start to kmain %llu us\n",
		(unsigned long long)ticks_to_us(kmain_ticks - bi->loader_start_ticks,
						bi->ticks_per_second));
}

/* Whether the command line holds the word w. */
static int cmdline_has(const char *cmdline, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && !strncmp(p, w, n))
			return 1;
		p = e;
	}
	return 0;
}

static void log_platform(const char *text)
{
	klog_info("%s", text);
}

/* The allocators, over the usable RAM of the map. */
static void memory_init(const struct kosh_bootinfo *bi)
{
	const struct kosh_mem_range *map = (const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map);
	if (pmm_init(map, bi->mem_map_count, bi->hhdm_base))
		panic("no usable memory in the boot info's map");
	if (kheap_init())
		panic("cannot set up the kernel heap");
}

/*
 * The loader's image and page tables are no longer used once the kernel runs on
 * its own tables: their memory joins the allocator.
 */
static void reclaim_loader_memory(const struct kosh_bootinfo *bi)
{
	const struct kosh_mem_range *map = (const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map);
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		if (map[i].type != KOSH_MEM_LOADER_RECLAIM)
			continue;
		if (pmm_add_range(map[i].base, map[i].size))
			klog_warn("pmm: cannot take loader memory at 0x%llx",
				  (unsigned long long)map[i].base);
		else
			bytes += map[i].size;
	}
	klog_info("pmm: %llu KiB of loader memory reclaimed", (unsigned long long)(bytes >> 10));
}

/* What the kernel itself holds once every CPU is up: all managed memory not free. */
static void log_memory_use(void)
{
	struct pmm_stats st;
	uint64_t total = 0, free_pages = 0;
	pmm_get_stats(&st);
	for (int z = 0; z < PMM_ZONE_COUNT; z++) {
		total += st.total_pages[z];
		free_pages += st.free_pages[z];
	}
	klog_info("memory: %llu KiB free of %llu KiB; the kernel uses %llu KiB (allocator "
		  "metadata %llu KiB)",
		  (unsigned long long)(free_pages * 4), (unsigned long long)(total * 4),
		  (unsigned long long)((total - free_pages) * 4),
		  (unsigned long long)(st.metadata_bytes >> 10));
}

/*
 * This CPU's per-CPU data, the interrupt controller and timer, then every other
 * CPU. Logs how long it took from kmain to the last CPU online.
 */
static void machine_init(uint64_t kmain_ticks)
{
	struct cpu *self = cpu_add(arch_cpu_hwid());
	self->stack_top = boot.stack_top;
	arch_cpu_init(self);
	if (platform_mark_boot_cpu(&plat, self->hwid) < 0)
		klog_warn("platform: the boot CPU (id 0x%llx) is not listed",
			  (unsigned long long)self->hwid);
	uint64_t hz = arch_platform_init(&plat);
	if (!hz)
		panic("no interrupt controller or timer could be set up");
	clock_set_hz(hz);
	__atomic_store_n(&self->online, 1, __ATOMIC_RELEASE);
	arch_irq_enable();
	uint32_t online = smp_start_all(&plat);
	uint64_t kmain_ns = clock_ticks_to_ns(kmain_ticks - fw.bi->loader_start_ticks,
					      fw.bi->ticks_per_second);
	klog_info("kosh: %u CPUs online, %llu us after kmain; counter %llu Hz", online,
		  (unsigned long long)((smp_bringup_ns() - kmain_ns) / 1000),
		  (unsigned long long)hz);
}

__attribute__((noreturn)) static void refuse(const char *why)
{
	struct fw_uart u = { 0 };
	arch_default_uart(&u.type, &u.space, &u.base);
	console_use_uart(&u, 0);
	klog_set_sink(console_write);
	klog_error("kosh: refusing to start: boot info: %s\n", why);
	klog_info("kosh: halted\n");
	arch_halt();
}

void kmain(const struct kosh_bootinfo *bi)
{
	uint64_t kmain_ticks = arch_ticks();
	struct fw_uart uart;
	char why[128];
	arch_early_init();
	if (bootinfo_check(bi, arch_id(), why, sizeof(why)))
		refuse(why);
	bootinfo_set_current(bi);
	clock_init(bi->ticks_per_second, bi->loader_start_ticks);
	firmware_init(&fw, bi);
	const char *uart_source = find_uart(&fw, &uart);
	if (uart_source && console_use_uart(&uart, bi->hhdm_base))
		uart_source = NULL;
	if (bi->fb.phys)
		console_use_framebuffer((void *)(uintptr_t)(bi->hhdm_base + bi->fb.phys), &bi->fb);
	console_set_uart_given(log_uart_given);
	klog_set_sink(console_write);
	print_summary(bi, kmain_ticks, uart_source);
	int plat_err = platform_init(&plat, &fw);
	platform_describe(&plat, log_platform);
	if (plat_err)
		klog_warn("platform: %s", platform_strerror(plat_err));
	memory_init(bi);
	if (vm_init(bi))
		panic("cannot build the kernel's page tables");
	/* Leave the boot stack (in .bss, unguarded) for a guarded one. */
	uint64_t stack = vm_stack_alloc(BOOT_STACK_SIZE);
	if (!stack)
		panic("no memory for the boot CPU's stack");
	boot.kmain_ticks = kmain_ticks;
	boot.stack_top = stack;
	arch_call_on_stack(stack, kmain_continue, (void *)bi);
}

/* kmain, on the guarded stack, with the kernel's own page tables. */
static void kmain_continue(void *arg)
{
	const struct kosh_bootinfo *bi = arg;
	reclaim_loader_memory(bi);
	machine_init(boot.kmain_ticks);
	log_memory_use();
	if (fw.have_acpi && cmdline_has(bi->cmdline, "kosh.acpidump"))
		fwdump_acpi(&fw.acpi);
	if (cmdline_has(bi->cmdline, "kosh.fault"))
		selftest_fault();
	if (cmdline_has(bi->cmdline, "kosh.test"))
		selftest_run(bi, &fw, &plat, boot.kmain_ticks, (uintptr_t)&kmain);
	mmio_init((const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map), bi->mem_map_count,
		  arch_phys_addr_bits());
	mmio_reserve_platform(&plat);
	arch_irq_save();
	bkl_lock();
	sched_init_cpu();
	int started = roottask_start(bi, root_exited) == 0;
	bkl_unlock();
	if (!started)
		root_exited(KOSH_EXIT_KILLED);
	sched_run_cpu();
}

/* The root task is gone: nothing is left to run. */
static void root_exited(uint64_t status)
{
	char why[128];
	klog_info("kosh: root task exited with status %llu", (unsigned long long)status);
	klog_info("kosh: powering off");
	power_off(&fw, why, sizeof(why));
	klog_info("kosh: power-off failed (%s); halted\n", why);
	arch_halt();
}
