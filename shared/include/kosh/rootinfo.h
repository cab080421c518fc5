/* SPDX-License-Identifier: MIT */
/*
 * What the kernel hands the root task (sbin/bootstrap): one read-only page,
 * mapped at KOSH_ROOT_INFO_VA and passed as the first thread's argument. It names
 * the capabilities the root task starts with and repeats what userspace needs of
 * the boot info. The root task holds every authority there is; it gives out
 * parts of it and keeps nothing it does not need.
 */
#ifndef KOSH_ROOTINFO_H
#define KOSH_ROOTINFO_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/bootinfo.h>

#define KOSH_ROOT_INFO_MAGIC 0x4f4f5248534f4b00ull /* "\0KOSHROO" */
#define KOSH_ROOT_INFO_VERSION 2

/* Where the kernel maps the root task's pieces (lower half, page-aligned). */
#define KOSH_ROOT_INFO_VA   0x00007f0000000000ull /* this page */
#define KOSH_ROOT_INITFS_VA 0x00007f0000100000ull /* the initfs archive, read-only */
#define KOSH_ROOT_IPC_VA    0x00007ffffff00000ull /* the first thread's IPC buffer */
#define KOSH_ROOT_STACK_TOP 0x00007fffffff0000ull /* its stack (KOSH_ROOT_STACK_SIZE below) */
#define KOSH_ROOT_STACK_SIZE (256u << 10)

/* Kinds of the frames the root task is given. */
enum kosh_root_frame_kind {
	KOSH_ROOT_FRAME_MMIO = 1,        /* a device region the firmware describes */
	KOSH_ROOT_FRAME_ACPI = 2,        /* ACPI tables (read-only) */
	KOSH_ROOT_FRAME_DTB = 3,         /* the device tree blob (read-only) */
	KOSH_ROOT_FRAME_FRAMEBUFFER = 4, /* the GOP framebuffer */
	KOSH_ROOT_FRAME_INFO = 5,        /* this page (read-only) */
	KOSH_ROOT_FRAME_INITFS = 6,      /* the initfs archive (read-only) */
};

#define KOSH_ROOT_FRAMES_MAX 64

struct kosh_root_frame {
	kosh_handle_t handle;
	uint32_t kind;  /* enum kosh_root_frame_kind */
	uint64_t phys;  /* where it starts (page-aligned) */
	uint64_t size;  /* bytes, whole pages */
};

struct kosh_root_info {
	uint64_t magic;   /* KOSH_ROOT_INFO_MAGIC */
	uint32_t version; /* KOSH_ROOT_INFO_VERSION */
	uint32_t arch;    /* enum kosh_arch */
	/* The root task's own objects. */
	kosh_handle_t process, space, thread;
	/* Authority over the machine; 0 where the architecture has none (I/O ports on AArch64). */
	kosh_handle_t quota, log, irq_control, ioport_control;
	kosh_handle_t mmio_control; /* frames over device memory (mmio_create) */
	uint32_t cpu_count;
	uint32_t frame_count;
	struct kosh_root_frame frames[KOSH_ROOT_FRAMES_MAX];
	/* The initfs, mapped read-only at KOSH_ROOT_INITFS_VA. */
	uint64_t initfs_size;
	/* What the boot info says. */
	uint64_t acpi_rsdp; /* physical, 0 if none */
	uint64_t dtb;       /* physical, 0 if none */
	uint64_t dtb_size;
	struct kosh_framebuffer fb; /* phys 0: none */
	uint64_t ticks_per_second;
	uint64_t memory_bytes; /* the root quota's limit */
	char cmdline[256];
	uint32_t boot_flags; /* the boot info's KOSH_BOOT_* flags */
	uint32_t reserved;
	struct kosh_efi_time efi_time; /* with KOSH_BOOT_EFI_TIME: the firmware's clock at boot */
	uint64_t efi_time_ns;	       /* the monotonic clock (clock_get) when it was read */
};
_Static_assert(sizeof(struct kosh_root_info) <= 4096, "the root info fits its page");

#endif
