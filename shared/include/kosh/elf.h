/* SPDX-License-Identifier: MIT */
/*
 * Validation of ELF64 executables before anything is loaded.
 *
 * kosh_elf_validate() reads only the bytes [file, file + size) and never trusts a
 * field: every offset, count and size is range- and overflow-checked. On success
 * the caller may copy each PT_LOAD segment (file bytes, then zero fill to memsz)
 * without further checks. Freestanding: used by the loader, the kernel and host
 * tests alike.
 */
#ifndef KOSH_ELF_H
#define KOSH_ELF_H

#include <stdint.h>

#define KOSH_EM_X86_64  62
#define KOSH_EM_AARCH64 183

#define KOSH_ELF_PF_X 1u
#define KOSH_ELF_PF_W 2u
#define KOSH_ELF_PF_R 4u

#define KOSH_ELF_MAX_SEGMENTS 16

enum kosh_elf_error {
	KOSH_ELF_OK = 0,
	KOSH_ELF_E_TRUNCATED,      /* shorter than an ELF header */
	KOSH_ELF_E_MAGIC,          /* not \x7fELF */
	KOSH_ELF_E_CLASS,          /* not ELFCLASS64 */
	KOSH_ELF_E_ENDIAN,         /* not little endian */
	KOSH_ELF_E_VERSION,        /* e_ident[EI_VERSION] or e_version not 1 */
	KOSH_ELF_E_TYPE,           /* not ET_EXEC */
	KOSH_ELF_E_MACHINE,        /* e_machine differs from the limits' */
	KOSH_ELF_E_PHDR,           /* program header table outside the file or bad entry size */
	KOSH_ELF_E_NO_SEGMENTS,    /* no PT_LOAD */
	KOSH_ELF_E_TOO_MANY,       /* more than KOSH_ELF_MAX_SEGMENTS PT_LOAD */
	KOSH_ELF_E_SEGMENT_SIZE,   /* p_filesz > p_memsz, or an address computation overflows */
	KOSH_ELF_E_WINDOW,         /* a segment reaches outside the allowed window */
	KOSH_ELF_E_FILE_RANGE,     /* a segment's file bytes lie outside the file */
	KOSH_ELF_E_OVERLAP,        /* two segments share a page */
	KOSH_ELF_E_ENTRY,          /* entry point not inside an executable segment */
	KOSH_ELF_E_COUNT
};

struct kosh_elf_segment {
	uint64_t vaddr;  /* p_vaddr */
	uint64_t memsz;
	uint64_t offset; /* p_offset */
	uint64_t filesz;
	uint32_t flags;  /* KOSH_ELF_PF_* */
};

struct kosh_elf_image {
	uint64_t entry;
	uint64_t vmin; /* lowest segment address, rounded down to a page */
	uint64_t vmax; /* end of the highest segment, rounded up to a page */
	uint32_t count;
	struct kosh_elf_segment seg[KOSH_ELF_MAX_SEGMENTS]; /* sorted by vaddr */
};

struct kosh_elf_limits {
	uint16_t machine;     /* KOSH_EM_* the image must be built for */
	uint64_t window_base; /* every segment inside [base, base + size) */
	uint64_t window_size;
};

/* Validate an ELF64 executable and describe its PT_LOAD segments in *out. */
__attribute__((warn_unused_result)) enum kosh_elf_error
kosh_elf_validate(const void *file, uint64_t size, const struct kosh_elf_limits *limits,
		  struct kosh_elf_image *out);

/* A short English description of an error, e.g. "not an ELF file (bad magic)". */
const char *kosh_elf_strerror(enum kosh_elf_error err);

/* "x86-64", "AArch64" or "unknown" for an e_machine value. */
const char *kosh_elf_machine_name(uint16_t machine);

/* e_machine of a file with the ELF magic and at least 20 bytes, else 0. */
uint16_t kosh_elf_machine(const void *file, uint64_t size);

#endif
