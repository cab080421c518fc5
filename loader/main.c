/* SPDX-License-Identifier: MIT */
/*
 * The Kosh EFI loader: reads kosh.cfg, the kernel ELF and the initfs from its own
 * directory, gathers what the kernel needs from firmware into a struct
 * kosh_bootinfo, builds the kernel's page tables, exits boot services and jumps.
 *
 * Everything that can fail happens before ExitBootServices, and every failure
 * prints one line naming the file and the problem, frees what was allocated,
 * waits a moment so a person can read it, and returns an error to the firmware
 * (which then tries its next boot entry). See docs/boot.md.
 */
#include "arch.h"
#include "console.h"
#include "file.h"
#include "firmware.h"
#include "pagetable.h"

#include <kosh/bootinfo.h>
#include <kosh/cfg.h>
#include <kosh/elf.h>
#include <kosh/memmap.h>
#include <kosh/string.h>
#include <kosh/tar.h>

#define FAIL_PAUSE_US (3 * 1000 * 1000)
#define KERNEL_MAX (64ull << 20)
#define INITFS_MAX (1ull << 30)
#define EBS_TRIES 8
#define MAP_SLACK_DESCS 64
#define OVERLAYS 3

#ifndef KOSH_VERSION
#define KOSH_VERSION "0"
#endif

struct region {
	uint64_t phys;
	UINTN pages;
};

struct loader {
	EFI_HANDLE image;
	EFI_SYSTEM_TABLE *st;
	EFI_BOOT_SERVICES *bs;
	struct loader_dir dir;
	struct kosh_cfg cfg;
	struct kosh_elf_image elf;
	struct region kernel_file; /* the ELF file as read; freed once loaded */
	uint64_t kernel_file_size;
	struct region kernel;      /* the loaded image */
	struct region initfs;
	uint64_t initfs_size;
	struct region info;        /* boot info, its map arrays, the DTB copy */
	struct kosh_bootinfo *bi;
	struct kosh_mem_range *ranges;
	uint32_t range_capacity;
	void *efi_map;             /* raw map buffer inside info */
	UINTN efi_map_capacity;
	struct firmware_tables tables;
	struct loader_pagetable pt;
	uint64_t start_ticks;
};

static void free_region(struct loader *l, struct region *r)
{
	if (r->pages)
		l->bs->FreePages(r->phys, r->pages);
	r->pages = 0;
}

/* Undo everything: nothing stays allocated after a failed boot. */
static EFI_STATUS fail(struct loader *l, EFI_STATUS st)
{
	loader_pagetable_free(&l->pt);
	free_region(l, &l->info);
	free_region(l, &l->initfs);
	free_region(l, &l->kernel);
	free_region(l, &l->kernel_file);
	file_close_dir(&l->dir);
	console_printf("kosh: boot failed; returning to the firmware\n");
	l->bs->Stall(FAIL_PAUSE_US);
	return st;
}

static EFI_STATUS alloc_region(struct loader *l, uint64_t bytes, struct region *r)
{
	EFI_PHYSICAL_ADDRESS addr;
	UINTN pages = EFI_SIZE_TO_PAGES(bytes);
	EFI_STATUS st = l->bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &addr);
	if (st != EFI_SUCCESS) {
		console_printf("kosh: out of memory (%lu KiB)\n", (unsigned long)(bytes >> 10));
		return st;
	}
	memset((void *)(uintptr_t)addr, 0, pages * 4096);
	r->phys = addr;
	r->pages = pages;
	return EFI_SUCCESS;
}

static EFI_STATUS read_config(struct loader *l)
{
	struct region cfg_file = { 0, 0 };
	struct kosh_cfg_error err;
	void *text;
	uint64_t size;
	kosh_cfg_defaults(&l->cfg, arch_kernel_file());
	EFI_STATUS st = file_read(&l->dir, l->bs, "kosh.cfg", KOSH_CFG_FILE_MAX, &text, &size,
				  &cfg_file.pages);
	if (st == EFI_NOT_FOUND)
		return EFI_SUCCESS; /* every key has a default */
	if (st != EFI_SUCCESS)
		return st;
	cfg_file.phys = (uint64_t)(uintptr_t)text;
	if (kosh_cfg_parse(text, size, &l->cfg, &err)) {
		console_printf("kosh: %s\\kosh.cfg:%u: %s\n", l->dir.path, err.line, err.message);
		st = EFI_INVALID_PARAMETER;
	}
	free_region(l, &cfg_file);
	return st;
}

static EFI_STATUS read_required(struct loader *l, const char *name, uint64_t max,
				struct region *r, uint64_t *size)
{
	void *data;
	EFI_STATUS st = file_read(&l->dir, l->bs, name, max, &data, size, &r->pages);
	if (st == EFI_NOT_FOUND)
		console_printf("kosh: %s: not found in %s\n", name, l->dir.path);
	if (st == EFI_SUCCESS)
		r->phys = (uint64_t)(uintptr_t)data;
	return st;
}

static EFI_STATUS check_kernel(struct loader *l)
{
	const void *file = (const void *)(uintptr_t)l->kernel_file.phys;
	struct kosh_elf_limits lim = { arch_elf_machine(), KOSH_KERNEL_VIRT_BASE,
				       KOSH_KERNEL_WINDOW };
	enum kosh_elf_error e = kosh_elf_validate(file, l->kernel_file_size, &lim, &l->elf);
	if (e == KOSH_ELF_E_MACHINE) {
		console_printf("kosh: %s: built for %s, but this loader is %s\n", l->cfg.kernel,
			       kosh_elf_machine_name(kosh_elf_machine(file, l->kernel_file_size)),
			       arch_name());
		return EFI_UNSUPPORTED;
	}
	if (e != KOSH_ELF_OK) {
		console_printf("kosh: %s: %s\n", l->cfg.kernel, kosh_elf_strerror(e));
		return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

/* Copy the validated segments into fresh pages; the file is freed afterwards. */
static EFI_STATUS load_kernel(struct loader *l)
{
	const uint8_t *file = (const uint8_t *)(uintptr_t)l->kernel_file.phys;
	EFI_STATUS st = alloc_region(l, l->elf.vmax - l->elf.vmin, &l->kernel);
	if (st != EFI_SUCCESS)
		return st;
	uint8_t *image = (uint8_t *)(uintptr_t)l->kernel.phys;
	for (uint32_t i = 0; i < l->elf.count; i++) {
		const struct kosh_elf_segment *s = &l->elf.seg[i];
		memcpy(image + (s->vaddr - l->elf.vmin), file + s->offset, s->filesz);
	}
	free_region(l, &l->kernel_file);
	return EFI_SUCCESS;
}

static EFI_STATUS check_initfs(struct loader *l)
{
	uint32_t count;
	int e = kosh_tar_validate((const void *)(uintptr_t)l->initfs.phys, l->initfs_size, &count);
	if (e != KOSH_TAR_OK) {
		console_printf("kosh: %s: not a valid initfs archive: %s\n", l->cfg.initfs,
			       kosh_tar_strerror(e));
		return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

/* The size GetMemoryMap needs now, in bytes and descriptor size. */
static EFI_STATUS map_size(struct loader *l, UINTN *size, UINTN *desc_size)
{
	UINTN key;
	UINT32 version;
	*size = 0;
	EFI_STATUS st = l->bs->GetMemoryMap(size, NULL, &key, desc_size, &version);
	return st == EFI_BUFFER_TOO_SMALL ? EFI_SUCCESS : EFI_DEVICE_ERROR;
}

/*
 * One allocation holds the boot info, the converted map, the raw map (the buffer
 * that ExitBootServices' GetMemoryMap fills) and the DTB copy. Sized with slack:
 * later allocations (page tables) add descriptors.
 */
static EFI_STATUS alloc_bootinfo(struct loader *l)
{
	UINTN size, desc;
	EFI_STATUS st = map_size(l, &size, &desc);
	if (st != EFI_SUCCESS)
		return st;
	UINTN descs = size / desc + MAP_SLACK_DESCS;
	l->efi_map_capacity = descs * desc;
	l->range_capacity = descs + 2 * OVERLAYS + 1;
	uint64_t ranges_off = 4096;
	uint64_t map_off = ranges_off + l->range_capacity * sizeof(struct kosh_mem_range);
	uint64_t dtb_off = (map_off + l->efi_map_capacity + 15) & ~15ull;
	st = alloc_region(l, dtb_off + l->tables.dtb_size, &l->info);
	if (st != EFI_SUCCESS)
		return st;
	uint8_t *base = (uint8_t *)(uintptr_t)l->info.phys;
	l->bi = (struct kosh_bootinfo *)base;
	l->ranges = (struct kosh_mem_range *)(base + ranges_off);
	l->efi_map = base + map_off;
	if (l->tables.dtb) {
		memcpy(base + dtb_off, l->tables.dtb, l->tables.dtb_size);
		l->bi->dtb = l->info.phys + dtb_off;
		l->bi->dtb_size = l->tables.dtb_size;
	}
	return EFI_SUCCESS;
}

static void fill_bootinfo(struct loader *l)
{
	struct kosh_bootinfo *bi = l->bi;
	bi->magic = KOSH_BOOTINFO_MAGIC;
#ifdef KOSH_LOADER_TEST_BAD_MAGIC
	bi->magic = ~KOSH_BOOTINFO_MAGIC; /* a test build: the kernel must refuse this */
#endif
	bi->version = KOSH_BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->arch = arch_id();
	bi->flags = arch_boot_flags();
	bi->hhdm_base = arch_hhdm_base();
	bi->kernel_phys = l->kernel.phys;
	bi->kernel_virt = l->elf.vmin;
	bi->kernel_size = l->kernel.pages * 4096;
	bi->acpi_rsdp = l->tables.acpi_rsdp;
	bi->smbios = l->tables.smbios;
	bi->smbios3 = l->tables.smbios3;
	bi->efi_system_table = (uint64_t)(uintptr_t)l->st;
	bi->initfs_phys = l->initfs.phys;
	bi->initfs_size = l->initfs_size;
	bi->loader_start_ticks = l->start_ticks;
	bi->ticks_per_second = arch_ticks_per_second(l->bs);
	if (firmware_rng_seed(l->bs, bi->rng_seed, sizeof(bi->rng_seed)))
		bi->flags |= KOSH_BOOT_RNG_SEED;
	if (firmware_time(l->st->RuntimeServices, &bi->efi_time))
		bi->flags |= KOSH_BOOT_EFI_TIME;
	memcpy(bi->cmdline, l->cfg.cmdline, sizeof(bi->cmdline));
	bi->cmdline[sizeof(bi->cmdline) - 1] = 0;
}

static uint32_t segment_attr(uint32_t flags)
{
	return (flags & KOSH_ELF_PF_W ? PT_WRITE : 0) | (flags & KOSH_ELF_PF_X ? PT_EXEC : 0);
}

static EFI_STATUS map_kernel(struct loader *l)
{
	for (uint32_t i = 0; i < l->elf.count; i++) {
		const struct kosh_elf_segment *s = &l->elf.seg[i];
		uint64_t va = s->vaddr & ~4095ull;
		uint64_t end = (s->vaddr + s->memsz + 4095) & ~4095ull;
		uint64_t pa = l->kernel.phys + (va - l->elf.vmin);
		EFI_STATUS st = loader_pagetable_map(&l->pt, va, pa, end - va,
						      segment_attr(s->flags));
		if (st != EFI_SUCCESS)
			return st;
	}
	uint64_t start, end;
	arch_trampoline_range(&start, &end);
	start &= ~4095ull;
	end = (end + 4095) & ~4095ull;
	return loader_pagetable_map(&l->pt, start, start, end - start, PT_EXEC);
}

/* The HHDM, by the policy the kernel shares (pagetable_map_hhdm). */
static EFI_STATUS map_hhdm(struct loader *l, const struct kosh_mem_range *map, uint32_t n)
{
	return loader_pagetable_status(&l->pt, pagetable_map_hhdm(&l->pt.pt, arch_hhdm_base(), map,
								  n, &l->bi->fb, 0));
}

/* Convert the firmware's current map (for the HHDM) into l->ranges. */
static EFI_STATUS snapshot_map(struct loader *l, uint32_t *count)
{
	UINTN size = l->efi_map_capacity, key, desc;
	UINT32 version;
	EFI_STATUS st = l->bs->GetMemoryMap(&size, l->efi_map, &key, &desc, &version);
	if (st != EFI_SUCCESS)
		return st;
	if (kosh_memmap_convert(l->efi_map, size, desc, NULL, 0, l->ranges, l->range_capacity,
				count) != KOSH_MEMMAP_OK)
		return EFI_DEVICE_ERROR;
	return EFI_SUCCESS;
}

static EFI_STATUS build_tables(struct loader *l)
{
	uint32_t count;
	EFI_STATUS st = loader_pagetable_init(&l->pt, l->bs, arch_pt_probe());
	if (st == EFI_SUCCESS)
		st = map_kernel(l);
	if (st == EFI_SUCCESS)
		st = snapshot_map(l, &count);
	if (st == EFI_SUCCESS)
		st = map_hhdm(l, l->ranges, count);
	if (st != EFI_SUCCESS)
		console_printf("kosh: cannot build the kernel's page tables (status %lx)\n",
			       (unsigned long)st);
	return st;
}

/*
 * ExitBootServices with the map-key retry: nothing but GetMemoryMap between the
 * map and the exit. On success boot services are gone: print nothing after it.
 */
static EFI_STATUS exit_boot_services(struct loader *l, UINTN *size, UINTN *desc)
{
	EFI_STATUS st = EFI_INVALID_PARAMETER;
	for (int i = 0; i < EBS_TRIES && st != EFI_SUCCESS; i++) {
		UINTN key;
		UINT32 version;
		*size = l->efi_map_capacity;
		st = l->bs->GetMemoryMap(size, l->efi_map, &key, desc, &version);
		if (st != EFI_SUCCESS)
			break;
		l->bi->efi_desc_version = version;
		st = l->bs->ExitBootServices(l->image, key);
	}
	if (st != EFI_SUCCESS)
		console_printf("kosh: ExitBootServices failed (status %lx)\n", (unsigned long)st);
	return st;
}

/* After ExitBootServices: the final map, with our own allocations typed. */
static void finish_map(struct loader *l, UINTN size, UINTN desc)
{
	struct kosh_bootinfo *bi = l->bi;
	struct kosh_memmap_overlay ov[OVERLAYS] = {
		{ l->kernel.phys, l->kernel.pages * 4096, KOSH_MEM_KERNEL },
		{ l->initfs.phys, l->initfs.pages * 4096, KOSH_MEM_INITFS },
		{ l->info.phys, l->info.pages * 4096, KOSH_MEM_BOOTINFO },
	};
	uint32_t count = 0;
	bi->efi_map = (uint64_t)(uintptr_t)l->efi_map;
	bi->efi_map_size = size;
	bi->efi_desc_size = desc;
	if (kosh_memmap_convert(l->efi_map, size, desc, ov, OVERLAYS, l->ranges,
				l->range_capacity, &count) != KOSH_MEMMAP_OK)
		count = 0; /* the kernel reports an empty map; nothing can be printed here */
	bi->mem_map = (uint64_t)(uintptr_t)l->ranges;
	bi->mem_map_count = count;
}

static uint32_t add_flush(uint64_t *flush, uint32_t n, uint64_t base, uint64_t size)
{
	flush[2 * n] = base;
	flush[2 * n + 1] = size;
	return n + 1;
}

static __attribute__((noreturn)) void hand_off(struct loader *l, UINTN size, UINTN desc)
{
	arch_interrupts_off();
	finish_map(l, size, desc);
	/* Written with the MMU on; read by the kernel, or by the table walker. */
	static uint64_t flush[2 * (2 + sizeof(l->pt.chunks) / sizeof(l->pt.chunks[0]))];
	uint32_t n = 0;
	n = add_flush(flush, n, l->kernel.phys, l->kernel.pages * 4096);
	n = add_flush(flush, n, l->info.phys, l->info.pages * 4096);
	for (uint32_t i = 0; i < l->pt.chunk_count; i++)
		n = add_flush(flush, n, l->pt.chunks[i], PAGETABLE_CHUNK_BYTES);
	arch_handoff(l->pt.pt.root_lo, l->pt.pt.root_hi, l->elf.entry,
		     arch_hhdm_base() + l->info.phys, flush, n);
}

static EFI_STATUS load_files(struct loader *l)
{
	EFI_STATUS st = file_open_own_dir(l->image, l->bs, &l->dir);
	if (st == EFI_SUCCESS)
		st = read_config(l);
	if (st == EFI_SUCCESS)
		st = read_required(l, l->cfg.kernel, KERNEL_MAX, &l->kernel_file,
				   &l->kernel_file_size);
	if (st == EFI_SUCCESS)
		st = check_kernel(l);
	if (st == EFI_SUCCESS)
		st = read_required(l, l->cfg.initfs, INITFS_MAX, &l->initfs, &l->initfs_size);
	if (st == EFI_SUCCESS)
		st = check_initfs(l);
	if (st == EFI_SUCCESS)
		st = load_kernel(l);
	file_close_dir(&l->dir);
	return st;
}

/* Where the firmware put us: 64-bit clean means this may be above 4 GiB. */
static uint64_t image_base(struct loader *l)
{
	static EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
	EFI_LOADED_IMAGE *li;
	if (l->bs->HandleProtocol(l->image, &loaded_image_guid, (void **)&li) != EFI_SUCCESS)
		return 0;
	return (uint64_t)(uintptr_t)li->ImageBase;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static struct loader loader;
	struct loader *l = &loader;
	UINTN size, desc;
	memset(l, 0, sizeof(*l));
	l->start_ticks = arch_ticks();
	l->image = image;
	l->st = st;
	l->bs = st->BootServices;
	l->bs->SetWatchdogTimer(0, 0, 0, NULL);
	console_init(st);
	console_printf("Kosh loader %s (%s) at 0x%llx\n", KOSH_VERSION, arch_name(),
		       (unsigned long long)image_base(l));

	EFI_STATUS s = load_files(l);
	if (s != EFI_SUCCESS)
		return fail(l, s);
	firmware_tables(st, &l->tables);
	s = alloc_bootinfo(l);
	if (s != EFI_SUCCESS)
		return fail(l, s);
	firmware_framebuffer(st, l->cfg.video_width, l->cfg.video_height, &l->bi->fb);
	fill_bootinfo(l);
	s = build_tables(l);
	if (s != EFI_SUCCESS)
		return fail(l, s);
	console_printf("kosh: starting %s (%lu KiB), initfs %lu KiB\n", l->cfg.kernel,
		       (unsigned long)(l->kernel.pages * 4), (unsigned long)(l->initfs_size >> 10));
	s = exit_boot_services(l, &size, &desc);
	if (s != EFI_SUCCESS)
		return fail(l, s);
	hand_off(l, size, desc);
}
