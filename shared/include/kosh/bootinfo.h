/* SPDX-License-Identifier: MIT */
/*
 * The hand-off from the EFI loader to the kernel.
 *
 * The loader writes one struct kosh_bootinfo (and the arrays it points to) into
 * memory it marks KOSH_MEM_BOOTINFO, then jumps to the kernel with the structure's
 * HHDM address as the only argument. Every address inside is physical; the kernel
 * reaches it through the HHDM. The kernel refuses a structure whose magic, version,
 * size or architecture it does not recognise. See docs/boot.md.
 *
 * Invariants the loader guarantees:
 *  - mem_map is sorted by base, its ranges are page-aligned, non-empty and do not
 *    overlap; adjacent ranges of one type are merged.
 *  - the kernel image, the initfs and the boot info itself each lie in ranges of
 *    their own type (KOSH_MEM_KERNEL, KOSH_MEM_INITFS, KOSH_MEM_BOOTINFO).
 *  - a field that firmware did not provide is 0.
 */
#ifndef KOSH_BOOTINFO_H
#define KOSH_BOOTINFO_H

#include <stdint.h>

#define KOSH_BOOTINFO_MAGIC   0x4f464e4948534f4bULL /* "KOSHINFO", little endian */
#define KOSH_BOOTINFO_VERSION 2u

#define KOSH_HHDM_BASE_X86_64  0xffff800000000000ULL
#define KOSH_HHDM_BASE_AARCH64 0xffff000000000000ULL
#define KOSH_KERNEL_VIRT_BASE  0xffffffff80000000ULL /* both architectures */
#define KOSH_KERNEL_WINDOW     0x40000000ULL         /* 1 GiB for the image */

#define KOSH_CMDLINE_MAX 256
#define KOSH_RNG_SEED_MAX 32

enum kosh_arch {
	KOSH_ARCH_X86_64 = 1,
	KOSH_ARCH_AARCH64 = 2,
};

/* Kosh's own memory types; the loader converts UEFI's into these. */
enum kosh_mem_type {
	KOSH_MEM_USABLE = 1,          /* free RAM */
	KOSH_MEM_RESERVED = 2,        /* never touch (also every unknown UEFI type) */
	KOSH_MEM_ACPI_RECLAIM = 3,    /* ACPI tables; RAM once they are parsed */
	KOSH_MEM_ACPI_NVS = 4,        /* firmware's, keep */
	KOSH_MEM_MMIO = 5,            /* device memory the firmware reported */
	KOSH_MEM_FW_CODE = 6,         /* EFI runtime services code */
	KOSH_MEM_FW_DATA = 7,         /* EFI runtime services data */
	KOSH_MEM_LOADER_RECLAIM = 8,  /* loader image, its page tables: free once unused */
	KOSH_MEM_KERNEL = 9,          /* the kernel image */
	KOSH_MEM_INITFS = 10,         /* the packed initfs */
	KOSH_MEM_BOOTINFO = 11,       /* this structure and what it points to */
	KOSH_MEM_TYPE_COUNT
};

struct kosh_mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* enum kosh_mem_type */
	uint32_t reserved;
};
_Static_assert(sizeof(struct kosh_mem_range) == 24, "kosh_mem_range layout");

/* A linear framebuffer; present only when phys != 0. Pixels are 32 bits. */
struct kosh_framebuffer {
	uint64_t phys;
	uint64_t size;
	uint32_t width;
	uint32_t height;
	uint32_t pitch; /* bytes per scan line */
	uint32_t bpp;
	uint32_t red_mask;
	uint32_t green_mask;
	uint32_t blue_mask;
	uint32_t reserved_mask;
};
_Static_assert(sizeof(struct kosh_framebuffer) == 48, "kosh_framebuffer layout");

/* flags */
#define KOSH_BOOT_ENTERED_EL2 (1u << 0) /* AArch64: the loader ran at EL2 */
#define KOSH_BOOT_RNG_SEED    (1u << 1) /* rng_seed holds firmware entropy */
#define KOSH_BOOT_EFI_TIME    (1u << 2) /* efi_time holds what GetTime answered */

/*
 * The firmware's clock as EFI_RUNTIME_SERVICES.GetTime gave it to the loader
 * just before ExitBootServices (UEFI 2.10 §8.3.1, EFI_TIME), field for field and
 * unchecked: the loader passes it on and whoever uses it (the RTC driver, on a
 * machine with neither a CMOS clock nor a PL031) checks every field. ticks is
 * the boot counter (TSC / CNTVCT) when it was read, so that the time now is
 * that time plus the counter's progress since.
 */
struct kosh_efi_time {
	uint16_t year;	   /* 1900 .. 9999 */
	uint8_t month;	   /* 1 .. 12 */
	uint8_t day;	   /* 1 .. 31 */
	uint8_t hour;	   /* 0 .. 23 */
	uint8_t minute;	   /* 0 .. 59 */
	uint8_t second;	   /* 0 .. 59 */
	uint8_t daylight;  /* EFI_TIME_ADJUST_DAYLIGHT | EFI_TIME_IN_DAYLIGHT */
	uint32_t nanosecond;
	int16_t time_zone; /* minutes from UTC (local = UTC - time_zone), 2047: unspecified */
	uint16_t reserved;
	uint64_t ticks;
};
_Static_assert(sizeof(struct kosh_efi_time) == 24, "kosh_efi_time layout");

struct kosh_bootinfo {
	uint64_t magic;   /* KOSH_BOOTINFO_MAGIC */
	uint32_t version; /* KOSH_BOOTINFO_VERSION */
	uint32_t size;    /* sizeof(struct kosh_bootinfo) as the loader knew it */
	uint32_t arch;    /* enum kosh_arch */
	uint32_t flags;

	uint64_t hhdm_base;   /* virtual address of physical 0 */
	uint64_t kernel_phys; /* physical base of the loaded image */
	uint64_t kernel_virt; /* its link base */
	uint64_t kernel_size; /* bytes, page multiple */

	uint64_t mem_map;     /* physical address of struct kosh_mem_range[] */
	uint32_t mem_map_count;
	uint32_t efi_desc_version;
	uint64_t efi_map;     /* the raw UEFI memory map, as ExitBootServices saw it */
	uint64_t efi_map_size;
	uint64_t efi_desc_size;

	uint64_t acpi_rsdp;
	uint64_t dtb;         /* a copy in boot-info memory, or 0 */
	uint64_t dtb_size;
	uint64_t smbios;      /* 32-bit entry point, or 0 */
	uint64_t smbios3;     /* 64-bit entry point, or 0 */
	uint64_t efi_system_table;

	struct kosh_framebuffer fb;

	uint64_t initfs_phys;
	uint64_t initfs_size;

	uint64_t loader_start_ticks; /* TSC / CNTVCT at the loader's first instruction */
	uint64_t ticks_per_second;   /* frequency of that counter */

	uint8_t rng_seed[KOSH_RNG_SEED_MAX];
	char cmdline[KOSH_CMDLINE_MAX]; /* NUL-terminated */

	struct kosh_efi_time efi_time; /* valid with KOSH_BOOT_EFI_TIME */
};
_Static_assert(sizeof(struct kosh_bootinfo) == 536, "kosh_bootinfo layout");
_Static_assert(__builtin_offsetof(struct kosh_bootinfo, hhdm_base) == 24, "bootinfo offsets");
_Static_assert(__builtin_offsetof(struct kosh_bootinfo, fb) == 144, "bootinfo offsets");
_Static_assert(__builtin_offsetof(struct kosh_bootinfo, cmdline) == 256, "bootinfo offsets");

#endif
