/* SPDX-License-Identifier: MIT */
/*
 * Fakes for the host tests of frames and address spaces: the MMU hooks of
 * arch.h that kernel/vm.c and kernel/space.c call, the cross-CPU TLB flush
 * (one CPU here: it is recorded), user copies on host memory (a "user address"
 * is a host pointer, all below arch_user_top), kmalloc on the host heap with
 * counters and a failure switch, and sys_get / sys_insert on the calling
 * process's table as kernel/syscall.c provides them.
 */
#include "mem_fake.h"
#include "kheap_fake.h"

#include <stdlib.h>
#include <string.h>

#include <kosh/bootinfo.h>
#include <kosh/pagetable.h>

#include "arch.h"
#include "arch_fake.h"
#include "cap.h"
#include "cpu.h"
#include "kheap.h"
#include "pmm.h"
#include "process.h"
#include "space.h"
#include "smp.h"
#include "syscall.h"
#include "thread.h"
#include "vm.h"

struct mem_fake mem_fake;

void mem_fake_reset(void)
{
	memset(&mem_fake, 0, sizeof(mem_fake));
	kheap_fake_reset();
}

/* vm_init's linker symbols (only vm_init_image is called). */
char __kernel_text_start[1], __kernel_text_end[1];
char __kernel_rodata_start[1], __kernel_rodata_end[1];
char __kernel_data_start[1], __kernel_data_end[1];

uint32_t arch_mmu_features(void)
{
#if defined(KOSH_TEST_ARCH_X86_64)
	return PT_FEAT_NX | PT_FEAT_1G | PT_FEAT_PAT_WC;
#else
	return 0;
#endif
}

void arch_mmu_switch_kernel(uint64_t root_lo, uint64_t root_hi)
{
}

void arch_mmu_switch_user(uint64_t root)
{
	mem_fake.user_switches++;
	mem_fake.user_root = root;
}

void arch_tlb_flush_range(uint64_t va, uint64_t size)
{
	if (size)
		mem_fake.local_flushes++;
}

void arch_sync_icache(uint64_t kva, uint64_t size)
{
	mem_fake.icache_syncs++;
}

void smp_tlb_flush(uint64_t va, uint64_t size)
{
	if (!size)
		return;
	mem_fake.tlb_flushes++;
	mem_fake.flush_va = va;
	mem_fake.flush_size = size;
}

uint64_t arch_user_top(void)
{
#if defined(KOSH_TEST_ARCH_X86_64)
	return 1ull << 47;
#else
	return 1ull << 48;
#endif
}

int arch_copy_user(void *dst, const void *src, uint64_t len)
{
	memmove(dst, src, len);
	return 0;
}

uint64_t arch_copy_user_fixup(uint64_t pc)
{
	return 0;
}

/* ---- the machine ---- */

#include "pmm_fake.h"

#define IMAGE_VIRT KOSH_KERNEL_VIRT_BASE
#define IMAGE_PHYS 0x1234000ull

static const struct kosh_mem_range machine_map[] = {
	{ 0x100000, 0x1134000, KOSH_MEM_USABLE, 0 },
	{ IMAGE_PHYS, 0x10000, KOSH_MEM_KERNEL, 0 },
	{ 0xfe000000, 0x1000, KOSH_MEM_MMIO, 0 },
};

static const struct vm_image image = {
	IMAGE_VIRT, IMAGE_VIRT + 0x4000,
	IMAGE_VIRT + 0x4000, IMAGE_VIRT + 0x6000,
	IMAGE_VIRT + 0x6000, IMAGE_VIRT + 0xa000,
};

static uint64_t map_page;

int mem_fake_machine_init(unsigned pages)
{
	struct kosh_bootinfo bi;
	mem_fake_reset();
	pmm_fake_init(pages);
	map_page = pmm_alloc(0, PMM_ZERO);
	if (!map_page)
		return -1;
	memcpy(phys_to_virt(map_page), machine_map, sizeof(machine_map));
	memset(&bi, 0, sizeof(bi));
	bi.magic = KOSH_BOOTINFO_MAGIC;
#if defined(KOSH_TEST_ARCH_X86_64)
	bi.hhdm_base = KOSH_HHDM_BASE_X86_64;
#else
	bi.hhdm_base = KOSH_HHDM_BASE_AARCH64;
#endif
	bi.kernel_phys = IMAGE_PHYS;
	bi.kernel_virt = IMAGE_VIRT;
	bi.kernel_size = 0x10000;
	bi.mem_map = map_page;
	bi.mem_map_count = sizeof(machine_map) / sizeof(machine_map[0]);
	return vm_init_image(&bi, &image) == PT_OK ? 0 : -1;
}

int mem_fake_machine_fini(void)
{
	pagetable_destroy(&vm_kernel_space()->pt, 0);
	pmm_free(map_page, 0);
	int leaked = pmm_fake.in_use != 0 || pmm_fake.bad_frees != 0 ||
		     kheap_fake.kmallocs != kheap_fake.kfrees;
	pmm_fake_fini();
	return leaked ? -1 : 0;
}

void mem_fake_load_elsewhere(struct space *s)
{
	while (cpu_count() < 2)
		cpu_add(cpu_count());
	uint32_t me = arch_fake.cpu_index;
	arch_fake.cpu_index = 1;
	space_activate(s);
	arch_fake.cpu_index = me;
}
