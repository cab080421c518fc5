/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the ELF64 validator (shared/lib/elf.c).
 *
 * Images are built in memory by a small builder: a valid x86-64 ET_EXEC header
 * whose program headers the tests add one by one and whose fields they then
 * break, one error class at a time. One test also links a real kernel-like ELF
 * with clang and ld.lld (which scripts/setup.sh installs; their absence fails).
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/bootinfo.h>
#include <kosh/elf.h>

#define BASE      KOSH_KERNEL_VIRT_BASE
#define FILE_SIZE 0x3000u
#define PT_LOAD   1u
#define PT_NOTE   4u
#define PT_STACK  0x6474e551u /* PT_GNU_STACK */
#define RX        (KOSH_ELF_PF_R | KOSH_ELF_PF_X)
#define RW        (KOSH_ELF_PF_R | KOSH_ELF_PF_W)
#define RO        KOSH_ELF_PF_R

struct builder {
	uint8_t file[FILE_SIZE];
	uint64_t size;
	uint16_t phnum;
};

static const struct kosh_elf_limits x86_limits = {
	.machine = KOSH_EM_X86_64,
	.window_base = BASE,
	.window_size = KOSH_KERNEL_WINDOW,
};

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A valid header with no program headers yet; the entry is BASE + 0x10. */
static void builder_init(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->file, "\x7f" "ELF", 4);
	b->file[4] = 2; /* ELFCLASS64 */
	b->file[5] = 1; /* ELFDATA2LSB */
	b->file[6] = 1; /* EV_CURRENT */
	put(b->file + 16, 2, 2); /* ET_EXEC */
	put(b->file + 18, KOSH_EM_X86_64, 2);
	put(b->file + 20, 1, 4);
	put(b->file + 24, BASE + 0x10, 8);
	put(b->file + 32, 64, 8); /* e_phoff */
	put(b->file + 52, 64, 2); /* e_ehsize */
	put(b->file + 54, 56, 2); /* e_phentsize */
	b->size = FILE_SIZE;
}

static void add_phdr(struct builder *b, uint32_t type, uint32_t flags, uint64_t vaddr,
		     uint64_t memsz, uint64_t offset, uint64_t filesz)
{
	uint8_t *ph = b->file + 64 + 56 * b->phnum;
	assert_true(64 + 56 * (b->phnum + 1) <= 0x1000);
	put(ph + 0, type, 4);
	put(ph + 4, flags, 4);
	put(ph + 8, offset, 8);
	put(ph + 16, vaddr, 8);
	put(ph + 24, vaddr, 8); /* p_paddr */
	put(ph + 32, filesz, 8);
	put(ph + 40, memsz, 8);
	put(ph + 48, 4096, 8);
	b->phnum++;
	put(b->file + 56, b->phnum, 2);
}

/* The usual single text segment: file bytes at 0x1000, entry inside. */
static void add_text(struct builder *b)
{
	add_phdr(b, PT_LOAD, RX, BASE, 0x1800, 0x1000, 0x1000);
}

static void set_entry(struct builder *b, uint64_t entry)
{
	put(b->file + 24, entry, 8);
}

static enum kosh_elf_error validate(const struct builder *b, struct kosh_elf_image *img)
{
	return kosh_elf_validate(b->file, b->size, &x86_limits, img);
}

static enum kosh_elf_error validate_with(const struct builder *b,
					 const struct kosh_elf_limits *limits)
{
	struct kosh_elf_image img;
	return kosh_elf_validate(b->file, b->size, limits, &img);
}

static enum kosh_elf_error result(const struct builder *b)
{
	struct kosh_elf_image img;
	return validate(b, &img);
}

static void test_elf_accepts_one_segment(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_text(&b);
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.count, 1);
	assert_int_equal(img.entry, BASE + 0x10);
	assert_int_equal(img.vmin, BASE);
	assert_int_equal(img.vmax, BASE + 0x2000);
	assert_int_equal(img.seg[0].vaddr, BASE);
	assert_int_equal(img.seg[0].memsz, 0x1800);
	assert_int_equal(img.seg[0].offset, 0x1000);
	assert_int_equal(img.seg[0].filesz, 0x1000);
	assert_int_equal(img.seg[0].flags, RX);
}

static void test_elf_sorts_several_segments(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x5000, 0x3000, 0x2800, 0x100); /* data + bss */
	add_phdr(&b, PT_NOTE, RO, 0, 0x20, 0x1000, 0x20);                 /* ignored */
	add_phdr(&b, PT_LOAD, RX, BASE + 0x100, 0x1f00, 0x1000, 0x1000); /* text */
	add_phdr(&b, PT_STACK, RW, 0, 0, 0, 0);                            /* ignored */
	add_phdr(&b, PT_LOAD, RO, BASE + 0x3000, 0x1000, 0x2000, 0x800); /* rodata */
	add_phdr(&b, PT_LOAD, RW, BASE + 0x100000, 0, 0, 0);             /* empty: ignored */
	set_entry(&b, BASE + 0x100);
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.count, 3);
	assert_int_equal(img.seg[0].vaddr, BASE + 0x100);
	assert_int_equal(img.seg[0].flags, RX);
	assert_int_equal(img.seg[1].vaddr, BASE + 0x3000);
	assert_int_equal(img.seg[1].flags, RO);
	assert_int_equal(img.seg[2].vaddr, BASE + 0x5000);
	assert_int_equal(img.seg[2].memsz, 0x3000);
	assert_int_equal(img.vmin, BASE);
	assert_int_equal(img.vmax, BASE + 0x8000);
}

static void test_elf_rounds_vmin_vmax_to_pages(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE + 0x1234, 0x10, 0x1000, 0x10);
	set_entry(&b, BASE + 0x1234);
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.vmin, BASE + 0x1000);
	assert_int_equal(img.vmax, BASE + 0x2000);
}

static void test_elf_accepts_bss_only_segment(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_text(&b);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x2000, 0x10000, FILE_SIZE, 0);
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.count, 2);
	assert_int_equal(img.seg[1].filesz, 0);
	assert_int_equal(img.vmax, BASE + 0x12000);
}

static void test_elf_rejects_truncated_file(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	for (uint64_t size = 0; size < 64; size += 7) {
		b.size = size;
		assert_int_equal(result(&b), KOSH_ELF_E_TRUNCATED);
	}
	b.size = 63;
	assert_int_equal(result(&b), KOSH_ELF_E_TRUNCATED);
	memset(b.file, 0, 64); /* the size check comes before the magic */
	assert_int_equal(result(&b), KOSH_ELF_E_TRUNCATED);
}

static void test_elf_rejects_bad_magic(void **state)
{
	struct builder b;
	for (int i = 0; i < 4; i++) {
		builder_init(&b);
		add_text(&b);
		b.file[i] ^= 0x20;
		assert_int_equal(result(&b), KOSH_ELF_E_MAGIC);
	}
	builder_init(&b);
	memcpy(b.file, "MZ\x90\x00", 4); /* someone copied a PE file */
	assert_int_equal(result(&b), KOSH_ELF_E_MAGIC);
}

static void test_elf_rejects_bad_class(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	b.file[4] = 1; /* ELFCLASS32 */
	assert_int_equal(result(&b), KOSH_ELF_E_CLASS);
	b.file[4] = 0;
	assert_int_equal(result(&b), KOSH_ELF_E_CLASS);
}

static void test_elf_rejects_big_endian(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	b.file[5] = 2; /* ELFDATA2MSB */
	assert_int_equal(result(&b), KOSH_ELF_E_ENDIAN);
	b.file[5] = 0;
	assert_int_equal(result(&b), KOSH_ELF_E_ENDIAN);
}

static void test_elf_rejects_bad_version(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	b.file[6] = 0;
	assert_int_equal(result(&b), KOSH_ELF_E_VERSION);
	builder_init(&b);
	add_text(&b);
	put(b.file + 20, 2, 4);
	assert_int_equal(result(&b), KOSH_ELF_E_VERSION);
	put(b.file + 20, 0x101, 4);
	assert_int_equal(result(&b), KOSH_ELF_E_VERSION);
	put(b.file + 20, 1, 4);
	assert_int_equal(result(&b), KOSH_ELF_OK);
}

static void test_elf_rejects_non_executable_type(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	for (uint64_t type = 0; type < 5; type++) {
		put(b.file + 16, type, 2);
		assert_int_equal(result(&b), type == 2 ? KOSH_ELF_OK : KOSH_ELF_E_TYPE);
	}
}

static void test_elf_rejects_other_machine(void **state)
{
	struct builder b;
	struct kosh_elf_limits arm = x86_limits;
	arm.machine = KOSH_EM_AARCH64;
	builder_init(&b);
	add_text(&b);
	assert_int_equal(validate_with(&b, &arm), KOSH_ELF_E_MACHINE);
	put(b.file + 18, KOSH_EM_AARCH64, 2);
	assert_int_equal(validate_with(&b, &arm), KOSH_ELF_OK);
	assert_int_equal(result(&b), KOSH_ELF_E_MACHINE);
}

static void test_elf_rejects_bad_phentsize(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	put(b.file + 54, 64, 2);
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
	put(b.file + 54, 0, 2);
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
}

static void test_elf_rejects_phdr_table_outside_file(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	put(b.file + 32, FILE_SIZE, 8);
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
	put(b.file + 32, FILE_SIZE - 55, 8); /* one byte short */
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
	put(b.file + 32, UINT64_MAX - 10, 8); /* phoff + size wraps */
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
	put(b.file + 32, UINT64_MAX, 8);
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
}

static void test_elf_rejects_huge_phnum(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	put(b.file + 56, 0xffff, 2);
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
	put(b.file + 56, (FILE_SIZE - 64) / 56 + 1, 2); /* one entry past the end */
	assert_int_equal(result(&b), KOSH_ELF_E_PHDR);
}

static void test_elf_accepts_phdr_table_ending_at_file_end(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	/* Move the one header to the very end of the file. */
	memcpy(b.file + FILE_SIZE - 56, b.file + 64, 56);
	put(b.file + 32, FILE_SIZE - 56, 8);
	assert_int_equal(result(&b), KOSH_ELF_OK);
}

static void test_elf_rejects_file_without_load_segments(void **state)
{
	struct builder b;
	builder_init(&b);
	assert_int_equal(result(&b), KOSH_ELF_E_NO_SEGMENTS); /* phnum == 0 */
	b.size = 64;
	assert_int_equal(result(&b), KOSH_ELF_E_NO_SEGMENTS); /* header only */
	builder_init(&b);
	add_phdr(&b, PT_NOTE, RX, BASE, 0x1000, 0x1000, 0x1000);
	add_phdr(&b, PT_LOAD, RX, BASE, 0, 0x1000, 0);
	assert_int_equal(result(&b), KOSH_ELF_E_NO_SEGMENTS);
}

static void add_page_segments(struct builder *b, int count)
{
	for (int i = 0; i < count; i++)
		add_phdr(b, PT_LOAD, RX, BASE + 0x1000 * (uint64_t)i, 0x1000, 0x1000, 0x100);
}

static void test_elf_accepts_sixteen_segments(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_page_segments(&b, KOSH_ELF_MAX_SEGMENTS);
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.count, KOSH_ELF_MAX_SEGMENTS);
	for (int i = 1; i < KOSH_ELF_MAX_SEGMENTS; i++)
		assert_true(img.seg[i - 1].vaddr < img.seg[i].vaddr);
	assert_int_equal(img.vmax, BASE + 0x1000 * KOSH_ELF_MAX_SEGMENTS);
}

static void test_elf_rejects_too_many_segments(void **state)
{
	struct builder b;
	builder_init(&b);
	add_page_segments(&b, KOSH_ELF_MAX_SEGMENTS + 1);
	assert_int_equal(result(&b), KOSH_ELF_E_TOO_MANY);
}

static void test_elf_rejects_filesz_above_memsz(void **state)
{
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x800, 0x1000, 0x801);
	assert_int_equal(result(&b), KOSH_ELF_E_SEGMENT_SIZE);
}

static void test_elf_rejects_wrapping_segment(void **state)
{
	struct builder b;
	struct kosh_elf_limits all = { KOSH_EM_X86_64, 0, UINT64_MAX };
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, UINT64_MAX - 10, 100, 0x1000, 0);
	assert_int_equal(result(&b), KOSH_ELF_E_SEGMENT_SIZE);
	assert_int_equal(validate_with(&b, &all), KOSH_ELF_E_SEGMENT_SIZE);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, UINT64_MAX, 0x1000, 0);
	assert_int_equal(result(&b), KOSH_ELF_E_SEGMENT_SIZE);
	/* Ends inside the last page: the page-rounded end would wrap. */
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, UINT64_MAX - 0xfff, 0x800, 0x1000, 0);
	assert_int_equal(validate_with(&b, &all), KOSH_ELF_E_SEGMENT_SIZE);
}

static void test_elf_rejects_segment_outside_window(void **state)
{
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE - 0x1000, 0x1000, 0x1000, 0x100);
	assert_int_equal(result(&b), KOSH_ELF_E_WINDOW);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE + KOSH_KERNEL_WINDOW - 0x1000, 0x1001, 0x1000, 0x100);
	assert_int_equal(result(&b), KOSH_ELF_E_WINDOW);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, 0x100000, 0x1000, 0x1000, 0x100); /* a low, identity build */
	assert_int_equal(result(&b), KOSH_ELF_E_WINDOW);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE + KOSH_KERNEL_WINDOW, 0x1000, 0x1000, 0x100);
	assert_int_equal(result(&b), KOSH_ELF_E_WINDOW);
}

static void test_elf_accepts_segments_at_window_edges(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x1000, 0x1000, 0x100);
	add_phdr(&b, PT_LOAD, RW, BASE + KOSH_KERNEL_WINDOW - 0x1000, 0x1000, 0x2000, 0x100);
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.vmin, BASE);
	assert_int_equal(img.vmax, BASE + KOSH_KERNEL_WINDOW);
}

static void test_elf_accepts_window_reaching_top_of_address_space(void **state)
{
	/* base + size == 2^64: the window's end does not fit in 64 bits. */
	struct kosh_elf_limits top = { KOSH_EM_X86_64, 0xffffffff80000000ull, 0x80000000ull };
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, 0xffffffff80000000ull, 0x1000, 0x1000, 0x100);
	add_phdr(&b, PT_LOAD, RW, UINT64_MAX - 0x1fff, 0x1000, 0x2000, 0x100);
	set_entry(&b, 0xffffffff80000000ull);
	assert_int_equal(validate_with(&b, &top), KOSH_ELF_OK);
}

static void test_elf_rejects_file_bytes_outside_file(void **state)
{
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x2000, FILE_SIZE - 0xfff, 0x1000);
	assert_int_equal(result(&b), KOSH_ELF_E_FILE_RANGE);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x2000, UINT64_MAX - 10, 20); /* offset + filesz wraps */
	assert_int_equal(result(&b), KOSH_ELF_E_FILE_RANGE);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x2000, FILE_SIZE + 1, 0); /* empty, yet past the end */
	assert_int_equal(result(&b), KOSH_ELF_E_FILE_RANGE);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x10000, 0, FILE_SIZE + 1);
	assert_int_equal(result(&b), KOSH_ELF_E_FILE_RANGE);
}

static void test_elf_accepts_file_bytes_ending_at_file_end(void **state)
{
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x2000, FILE_SIZE - 0x1000, 0x1000);
	assert_int_equal(result(&b), KOSH_ELF_OK);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x2000, FILE_SIZE, 0);
	assert_int_equal(result(&b), KOSH_ELF_OK);
}

static void test_elf_rejects_segments_sharing_a_page(void **state)
{
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x100, 0x1000, 0x100);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x800, 0x100, 0x1800, 0x100); /* same page */
	assert_int_equal(result(&b), KOSH_ELF_E_OVERLAP);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x1001, 0x1000, 0x100);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x1800, 0x100, 0x2000, 0x100); /* tail page shared */
	assert_int_equal(result(&b), KOSH_ELF_E_OVERLAP);
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x1000, 0x3000, 0x2000, 0x100);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x10000, 0x1000, 0x100); /* contains the first */
	assert_int_equal(result(&b), KOSH_ELF_E_OVERLAP);
}

static void test_elf_accepts_segments_in_adjacent_pages(void **state)
{
	struct builder b;
	struct kosh_elf_image img;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x1000, 0x1000, 0x100);
	add_phdr(&b, PT_LOAD, RO, BASE + 0x1000, 0x10, 0x1000, 0x10);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x2fff, 0x1, 0x2000, 0x1); /* last byte of a page */
	assert_int_equal(validate(&b, &img), KOSH_ELF_OK);
	assert_int_equal(img.count, 3);
	assert_int_equal(img.vmax, BASE + 0x3000);
}

static void test_elf_rejects_entry_outside_segments(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	set_entry(&b, BASE + 0x1800); /* one past the end */
	assert_int_equal(result(&b), KOSH_ELF_E_ENTRY);
	set_entry(&b, BASE + 0x17ff);
	assert_int_equal(result(&b), KOSH_ELF_OK);
	set_entry(&b, 0);
	assert_int_equal(result(&b), KOSH_ELF_E_ENTRY);
	set_entry(&b, BASE - 1);
	assert_int_equal(result(&b), KOSH_ELF_E_ENTRY);
}

static void test_elf_rejects_entry_in_non_executable_segment(void **state)
{
	struct builder b;
	builder_init(&b);
	add_text(&b);
	add_phdr(&b, PT_LOAD, RW, BASE + 0x4000, 0x1000, 0x2000, 0x100);
	set_entry(&b, BASE + 0x4010);
	assert_int_equal(result(&b), KOSH_ELF_E_ENTRY);
}

static void test_elf_checks_header_before_segments(void **state)
{
	struct builder b;
	builder_init(&b);
	add_phdr(&b, PT_LOAD, RX, BASE, 0x800, 0x1000, 0x801); /* a bad segment too */
	put(b.file + 18, KOSH_EM_AARCH64, 2);
	assert_int_equal(result(&b), KOSH_ELF_E_MACHINE);
}

static void test_elf_strerror_names_every_error(void **state)
{
	for (int e = 0; e < KOSH_ELF_E_COUNT; e++) {
		const char *m = kosh_elf_strerror((enum kosh_elf_error)e);
		assert_non_null(m);
		assert_true(strlen(m) > 4);
		assert_true(m[0] >= 'a' && m[0] <= 'z');
		assert_null(strchr(m, '\n'));
		assert_string_not_equal(m, "unknown error");
		for (int f = 0; f < e; f++)
			assert_string_not_equal(m, kosh_elf_strerror((enum kosh_elf_error)f));
	}
	assert_string_equal(kosh_elf_strerror(KOSH_ELF_E_MAGIC), "not an ELF file (bad magic)");
	assert_string_equal(kosh_elf_strerror(KOSH_ELF_E_WINDOW),
			    "a segment lies outside the kernel window");
	assert_string_equal(kosh_elf_strerror(KOSH_ELF_E_COUNT), "unknown error");
	assert_string_equal(kosh_elf_strerror((enum kosh_elf_error)-1), "unknown error");
}

static void test_elf_machine_names(void **state)
{
	assert_string_equal(kosh_elf_machine_name(KOSH_EM_X86_64), "x86-64");
	assert_string_equal(kosh_elf_machine_name(KOSH_EM_AARCH64), "AArch64");
	assert_string_equal(kosh_elf_machine_name(3), "unknown");
	assert_string_equal(kosh_elf_machine_name(0), "unknown");
}

static void test_elf_machine_reads_e_machine(void **state)
{
	struct builder b;
	builder_init(&b);
	assert_int_equal(kosh_elf_machine(b.file, b.size), KOSH_EM_X86_64);
	put(b.file + 18, KOSH_EM_AARCH64, 2);
	assert_int_equal(kosh_elf_machine(b.file, 20), KOSH_EM_AARCH64);
	assert_int_equal(kosh_elf_machine(b.file, 19), 0);
	assert_int_equal(kosh_elf_machine(b.file, 0), 0);
	b.file[0] = 0;
	assert_int_equal(kosh_elf_machine(b.file, b.size), 0);
}

/* Links a small freestanding kernel at BASE with clang and ld.lld. */
static int link_real_elf(const char *dir, char *path, size_t path_size)
{
	char cmd[1024];
	snprintf(path, path_size, "%s/kernel.elf", dir);
	snprintf(cmd, sizeof(cmd),
		 "printf 'int counter = 3; const char msg[] = \"hi\";\\n"
		 "static char bss[8192];\\n"
		 "void _start(void) { bss[counter] = msg[0]; for (;;) {} }\\n' > %s/k.c && "
		 "clang --target=x86_64-unknown-none-elf -ffreestanding -mcmodel=kernel -O1 "
		 "-c %s/k.c -o %s/k.o 2>/dev/null && "
		 "ld.lld -static -nostdlib -z max-page-size=4096 -z separate-code "
		 "--image-base=0x%llx -Ttext=0x%llx -e _start %s/k.o -o %s 2>/dev/null",
		 dir, dir, dir, (unsigned long long)BASE, (unsigned long long)BASE + 0x1000,
		 dir, path);
	return system(cmd);
}

/* Links and reads a real kernel-like ELF into buf; 0 when that fails. */
static size_t read_real_elf(uint8_t *buf, size_t cap)
{
	char dir[] = "/tmp/kosh-elf-XXXXXX", path[256], cmd[300];
	size_t n = 0;
	assert_non_null(mkdtemp(dir));
	if (link_real_elf(dir, path, sizeof(path)) == 0) {
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, cap, f);
		assert_true(feof(f));
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return n;
}

static uint8_t real_elf[1 << 20];

static void test_elf_accepts_real_linked_kernel(void **state)
{
	struct kosh_elf_image img;
	struct kosh_elf_limits arm = x86_limits;
	size_t n = read_real_elf(real_elf, sizeof(real_elf));
	if (!n)
		fail_msg("cannot link a test ELF: clang and ld.lld are needed (scripts/setup.sh)");
	assert_int_equal(kosh_elf_validate(real_elf, n, &x86_limits, &img), KOSH_ELF_OK);
	assert_true(img.count >= 3); /* text, rodata and data, each in pages of its own */
	assert_true(img.vmin >= BASE);
	assert_true(img.entry >= img.vmin && img.entry < img.vmax);
	assert_int_equal(kosh_elf_machine(real_elf, n), KOSH_EM_X86_64);
	arm.machine = KOSH_EM_AARCH64;
	assert_int_equal(kosh_elf_validate(real_elf, n, &arm, &img), KOSH_ELF_E_MACHINE);
}

/* The file size up to the end of the program headers and of every segment's bytes. */
static uint64_t bytes_needed(const uint8_t *file, const struct kosh_elf_image *img)
{
	uint64_t phoff = 0, needed;
	for (int i = 7; i >= 0; i--)
		phoff = phoff << 8 | file[32 + i];
	needed = phoff + 56 * (uint64_t)(file[56] | file[57] << 8);
	for (uint32_t i = 0; i < img->count; i++) {
		if (img->seg[i].offset + img->seg[i].filesz > needed)
			needed = img->seg[i].offset + img->seg[i].filesz;
	}
	return needed;
}

static void test_elf_rejects_truncated_real_kernel(void **state)
{
	struct kosh_elf_image img, cut_img;
	size_t n = read_real_elf(real_elf, sizeof(real_elf));
	if (!n)
		fail_msg("cannot link a test ELF: clang and ld.lld are needed (scripts/setup.sh)");
	assert_int_equal(kosh_elf_validate(real_elf, n, &x86_limits, &img), KOSH_ELF_OK);
	uint64_t needed = bytes_needed(real_elf, &img);
	/* A cut after the last needed byte (into the section headers) changes nothing. */
	for (size_t cut = 0; cut <= n; cut += cut < 128 ? 1 : 61) {
		enum kosh_elf_error err = kosh_elf_validate(real_elf, cut, &x86_limits, &cut_img);
		if (cut < needed)
			assert_int_not_equal(err, KOSH_ELF_OK);
		else
			assert_memory_equal(&cut_img, &img, sizeof(img));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_accepts_one_segment),
		cmocka_unit_test(test_elf_sorts_several_segments),
		cmocka_unit_test(test_elf_rounds_vmin_vmax_to_pages),
		cmocka_unit_test(test_elf_accepts_bss_only_segment),
		cmocka_unit_test(test_elf_rejects_truncated_file),
		cmocka_unit_test(test_elf_rejects_bad_magic),
		cmocka_unit_test(test_elf_rejects_bad_class),
		cmocka_unit_test(test_elf_rejects_big_endian),
		cmocka_unit_test(test_elf_rejects_bad_version),
		cmocka_unit_test(test_elf_rejects_non_executable_type),
		cmocka_unit_test(test_elf_rejects_other_machine),
		cmocka_unit_test(test_elf_rejects_bad_phentsize),
		cmocka_unit_test(test_elf_rejects_phdr_table_outside_file),
		cmocka_unit_test(test_elf_rejects_huge_phnum),
		cmocka_unit_test(test_elf_accepts_phdr_table_ending_at_file_end),
		cmocka_unit_test(test_elf_rejects_file_without_load_segments),
		cmocka_unit_test(test_elf_accepts_sixteen_segments),
		cmocka_unit_test(test_elf_rejects_too_many_segments),
		cmocka_unit_test(test_elf_rejects_filesz_above_memsz),
		cmocka_unit_test(test_elf_rejects_wrapping_segment),
		cmocka_unit_test(test_elf_rejects_segment_outside_window),
		cmocka_unit_test(test_elf_accepts_segments_at_window_edges),
		cmocka_unit_test(test_elf_accepts_window_reaching_top_of_address_space),
		cmocka_unit_test(test_elf_rejects_file_bytes_outside_file),
		cmocka_unit_test(test_elf_accepts_file_bytes_ending_at_file_end),
		cmocka_unit_test(test_elf_rejects_segments_sharing_a_page),
		cmocka_unit_test(test_elf_accepts_segments_in_adjacent_pages),
		cmocka_unit_test(test_elf_rejects_entry_outside_segments),
		cmocka_unit_test(test_elf_rejects_entry_in_non_executable_segment),
		cmocka_unit_test(test_elf_checks_header_before_segments),
		cmocka_unit_test(test_elf_strerror_names_every_error),
		cmocka_unit_test(test_elf_machine_names),
		cmocka_unit_test(test_elf_machine_reads_e_machine),
		cmocka_unit_test(test_elf_accepts_real_linked_kernel),
		cmocka_unit_test(test_elf_rejects_truncated_real_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
