/* SPDX-License-Identifier: MIT */
/*
 * The root task (DESIGN.md §1, issue "capability microkernel" item 9): the one
 * program the kernel loads. It finds sbin/bootstrap in the initfs, builds its
 * address space (the ELF's segments, a stack, an IPC buffer, the root-info page
 * and the initfs read-only) and gives it every authority there is, each as a
 * capability in its table, listed in struct kosh_root_info. The kernel keeps
 * no handle of its own: when bootstrap exits, the machine powers off.
 */
#include "roottask.h"

#include "arch.h"
#include "bootinfo.h"
#include "clock.h"
#include "console.h"
#include "cpu.h"
#include "frame.h"
#include "klog.h"
#include "mmio.h"
#include "pmm.h"
#include "process.h"
#include "quota.h"
#include "space.h"
#include "sys_irq.h"
#include "sys_log.h"
#include "thread.h"

#include <kosh/elf.h>
#include <kosh/memmap.h>
#include <kosh/rootinfo.h>
#include <kosh/string.h>
#include <kosh/tar.h>

#define ROOT_PATH "sbin/bootstrap"
#define PAGE 4096ull

static struct quota root_quota;

struct loader {
	struct process *proc;
	struct space *space;
	struct kosh_root_info *info;
	const char *why;
};

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

/* Put o into the root task's table; 0 on failure (logged by the caller). */
static kosh_handle_t give(struct loader *l, struct kobject *o, uint32_t rights)
{
	kosh_handle_t h = 0;
	if (o && cap_insert(&l->proc->caps, o, rights, 0, &h)) {
		kobject_put(o);
		return 0;
	}
	return h;
}

#define FRAME_RIGHTS_RO (KOSH_RIGHT_READ | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define FRAME_RIGHTS_RW (FRAME_RIGHTS_RO | KOSH_RIGHT_WRITE)

/* A RAM frame mapped at va with rights, its handle in the table; its kernel view in *virt. */
static int map_ram(struct loader *l, uint64_t va, uint64_t size, uint32_t rights, void **virt)
{
	struct frame *f;
	if (frame_create_ram(&root_quota, size, 0, &f)) {
		l->why = "out of memory";
		return -1;
	}
	if (virt)
		*virt = phys_to_virt(f->phys);
	if (space_map(l->space, f, 0, va, page_up(size), rights)) {
		kobject_put(&f->obj);
		l->why = "cannot map a segment";
		return -1;
	}
	if (!give(l, &f->obj, FRAME_RIGHTS_RW | KOSH_RIGHT_EXECUTE)) {
		l->why = "capability table full";
		return -1;
	}
	return 0;
}

static int load_elf(struct loader *l, const void *file, uint64_t size, uint64_t *entry)
{
	struct kosh_elf_image img;
	struct kosh_elf_limits lim = {
		arch_elf_machine(), PAGE,
		KOSH_ROOT_INFO_VA - PAGE,
	};
	enum kosh_elf_error e = kosh_elf_validate(file, size, &lim, &img);
	if (e) {
		l->why = kosh_elf_strerror(e);
		return -1;
	}
	for (uint32_t i = 0; i < img.count; i++) {
		const struct kosh_elf_segment *s = &img.seg[i];
		uint64_t base = s->vaddr & ~(PAGE - 1), len = page_up(s->vaddr + s->memsz) - base;
		uint32_t rights = KOSH_RIGHT_READ;
		if (s->flags & KOSH_ELF_PF_W)
			rights |= KOSH_RIGHT_WRITE;
		if (s->flags & KOSH_ELF_PF_X)
			rights |= KOSH_RIGHT_EXECUTE;
		uint8_t *virt;
		if (map_ram(l, base, len, rights, (void **)&virt))
			return -1;
		memcpy(virt + (s->vaddr - base), (const uint8_t *)file + s->offset, s->filesz);
	}
	*entry = img.entry;
	return 0;
}

/* A frame over fixed physical memory, handed over and listed in the root info. */
static void give_phys(struct loader *l, uint32_t kind, uint64_t phys, uint64_t size,
		      uint32_t cache, uint32_t rights)
{
	struct kosh_root_info *info = l->info;
	uint64_t base = phys & ~(PAGE - 1), len = page_up(phys + size) - base;
	struct frame *f;
	if (!size || info->frame_count == KOSH_ROOT_FRAMES_MAX)
		return;
	if (frame_create_phys(base, len, cache, &f))
		return;
	kosh_handle_t h = give(l, &f->obj, rights);
	if (h)
		info->frames[info->frame_count++] = (struct kosh_root_frame){ h, kind, base, len };
}

/*
 * The kernel's console UART, when it is memory-mapped, as an MMIO frame of
 * exactly its page(s), so that its userspace driver can be given the UART and
 * nothing more (docs/console.md): firmware memory maps seldom list it (QEMU
 * virt's PL011 at 0x9000000 is absent). Skipped when the map has a range of
 * exactly those pages already.
 */
static void give_uart(struct loader *l, const struct kosh_mem_range *map, uint32_t n)
{
	uint64_t phys, size;
	if (!console_uart_region(&phys, &size))
		return;
	for (uint32_t i = 0; i < n; i++)
		if (map[i].type == KOSH_MEM_MMIO && map[i].base == phys && map[i].size == size)
			return;
	give_phys(l, KOSH_ROOT_FRAME_MMIO, phys, size, FRAME_CACHE_DEVICE, FRAME_RIGHTS_RW);
}

/*
 * A firmware MMIO range, without the devices the kernel drives itself (a map
 * may list the APICs and the HPET in one range with other devices): the
 * pieces around them, each a frame.
 */
static void give_mmio(struct loader *l, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	for (uint64_t at = base, stop; (stop = mmio_next_piece(&at, end)) != 0; at = stop)
		give_phys(l, KOSH_ROOT_FRAME_MMIO, at, stop - at, FRAME_CACHE_DEVICE,
			  FRAME_RIGHTS_RW);
}

static void give_frames(struct loader *l, const struct kosh_bootinfo *bi)
{
	const struct kosh_mem_range *map = (const void *)(uintptr_t)(bi->hhdm_base + bi->mem_map);
	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		if (map[i].type == KOSH_MEM_MMIO)
			give_mmio(l, map[i].base, map[i].size);
		else if (map[i].type == KOSH_MEM_ACPI_RECLAIM || map[i].type == KOSH_MEM_ACPI_NVS)
			give_phys(l, KOSH_ROOT_FRAME_ACPI, map[i].base, map[i].size,
				  FRAME_CACHE_NORMAL, FRAME_RIGHTS_RO);
	}
	give_uart(l, map, bi->mem_map_count);
	if (bi->dtb)
		give_phys(l, KOSH_ROOT_FRAME_DTB, bi->dtb, bi->dtb_size, FRAME_CACHE_NORMAL,
			  FRAME_RIGHTS_RO);
	if (bi->fb.phys)
		give_phys(l, KOSH_ROOT_FRAME_FRAMEBUFFER, bi->fb.phys, bi->fb.size, FRAME_CACHE_WC,
			  FRAME_RIGHTS_RW);
}

static void fill_info(struct loader *l, const struct kosh_bootinfo *bi)
{
	struct kosh_root_info *info = l->info;
	info->magic = KOSH_ROOT_INFO_MAGIC;
	info->version = KOSH_ROOT_INFO_VERSION;
	info->arch = arch_id();
	info->cpu_count = cpu_count();
	info->initfs_size = bi->initfs_size;
	info->acpi_rsdp = bi->acpi_rsdp;
	info->dtb = bi->dtb;
	info->dtb_size = bi->dtb_size;
	info->fb = bi->fb;
	info->ticks_per_second = bi->ticks_per_second;
	info->memory_bytes = root_quota.limit;
	strlcpy(info->cmdline, bi->cmdline, sizeof(info->cmdline));
	info->boot_flags = bi->flags;
	info->efi_time = bi->efi_time;
	if (bi->efi_time.ticks > bi->loader_start_ticks)
		info->efi_time_ns = clock_ticks_to_ns(bi->efi_time.ticks - bi->loader_start_ticks,
						      bi->ticks_per_second);
}

/* Everything but the thread: the space, the image, the fixed mappings, the caps. */
static int build(struct loader *l, const struct kosh_bootinfo *bi, const void *file,
		 uint64_t size, uint64_t *entry)
{
	struct frame *f;
	if (load_elf(l, file, size, entry) ||
	    map_ram(l, KOSH_ROOT_STACK_TOP - KOSH_ROOT_STACK_SIZE, KOSH_ROOT_STACK_SIZE,
		    KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, NULL) ||
	    map_ram(l, KOSH_ROOT_IPC_VA, KOSH_IPC_BUFFER_SIZE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE,
		    NULL) ||
	    map_ram(l, KOSH_ROOT_INFO_VA, PAGE, KOSH_RIGHT_READ, (void **)&l->info))
		return -1;
	l->info->frames[l->info->frame_count++] = (struct kosh_root_frame){
		0, KOSH_ROOT_FRAME_INFO, 0, PAGE,
	};
	if (frame_create_phys(bi->initfs_phys, page_up(bi->initfs_size), FRAME_CACHE_NORMAL, &f) ||
	    space_map(l->space, f, 0, KOSH_ROOT_INITFS_VA, page_up(bi->initfs_size),
		      KOSH_RIGHT_READ)) {
		l->why = "cannot map the initfs";
		return -1;
	}
	l->info->frames[l->info->frame_count++] = (struct kosh_root_frame){
		give(l, &f->obj, FRAME_RIGHTS_RO), KOSH_ROOT_FRAME_INITFS, bi->initfs_phys,
		page_up(bi->initfs_size),
	};
	give_frames(l, bi);
	fill_info(l, bi);
	l->info->quota = give(l, &root_quota.obj, KOSH_RIGHTS_ALL);
	kobject_get(&root_quota.obj);
	l->info->log = give(l, log_object(), KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_MANAGE |
						   KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE);
	l->info->irq_control = give(l, irq_control_object(), KOSH_RIGHTS_ALL);
	l->info->ioport_control = give(l, ioport_control_object(), KOSH_RIGHTS_ALL);
	l->info->mmio_control = give(l, mmio_control_object(), KOSH_RIGHTS_ALL);
	return 0;
}

int roottask_start(const struct kosh_bootinfo *bi, void (*on_exit)(uint64_t status))
{
	const void *initfs = (const void *)(uintptr_t)(bi->hhdm_base + bi->initfs_phys);
	struct kosh_tar_entry file;
	struct loader l = { 0 };
	struct thread *t = NULL;
	uint64_t entry = 0;
	struct pmm_stats st;
	pmm_get_stats(&st);
	uint64_t free_bytes = 0;
	for (int z = 0; z < PMM_ZONE_COUNT; z++)
		free_bytes += st.free_pages[z] * PAGE;
	quota_init_root(&root_quota, free_bytes);
	if (kosh_tar_find(initfs, bi->initfs_size, ROOT_PATH, &file) != KOSH_TAR_OK) {
		klog_error("kosh: no %s in the initfs", ROOT_PATH);
		return -1;
	}
	if (space_create(&root_quota, &l.space) ||
	    process_create(&root_quota, l.space, "bootstrap", &l.proc)) {
		klog_error("kosh: no memory for the root task");
		return -1;
	}
	int err = build(&l, bi, file.data, file.size, &entry);
	if (!err && thread_create(l.proc, &root_quota, KOSH_PRIORITY_ROOT, &t))
		l.why = "out of memory", err = -1;
	if (!err) {
		l.info->process = give(&l, &l.proc->obj, KOSH_RIGHTS_ALL);
		kobject_get(&l.proc->obj);
		l.info->space = give(&l, &l.space->obj, KOSH_RIGHTS_ALL);
		kobject_get(&l.space->obj);
		l.info->thread = give(&l, &t->obj, KOSH_RIGHTS_ALL);
		kobject_get(&t->obj);
		process_set_root(l.proc, on_exit);
		err = thread_start(t, entry, KOSH_ROOT_STACK_TOP, KOSH_ROOT_INFO_VA, KOSH_ROOT_IPC_VA);
		if (err)
			l.why = "cannot start its thread";
	}
	if (err)
		klog_error("kosh: cannot load %s: %s", ROOT_PATH, l.why ? l.why : "error");
	else
		klog_info("kosh: root task %s started: process %u, entry 0x%llx, %u frames given",
			  ROOT_PATH, l.proc->id, (unsigned long long)entry, l.info->frame_count);
	if (t)
		kobject_put(&t->obj);
	kobject_put(&l.space->obj);
	if (err)
		process_kill(l.proc, KOSH_EXIT_KILLED);
	kobject_put(&l.proc->obj);
	return err ? -1 : 0;
}
