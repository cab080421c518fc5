/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kosh_elf_validate(): any input must be rejected cleanly or
 * accepted with a description that keeps every promise of <kosh/elf.h>. Each
 * input is tried twice: as a whole file, and as entry point + program headers
 * behind a valid file header, so that the fuzzer reaches the segment checks
 * without first having to guess a header.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/bootinfo.h>
#include <kosh/elf.h>

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

static void check_image(const struct kosh_elf_image *img, uint64_t size,
			const struct kosh_elf_limits *limits)
{
	int entry_ok = 0;
	CHECK(img->count >= 1 && img->count <= KOSH_ELF_MAX_SEGMENTS);
	CHECK(img->vmin % 4096 == 0 && img->vmax % 4096 == 0 && img->vmin < img->vmax);
	for (uint32_t i = 0; i < img->count; i++) {
		const struct kosh_elf_segment *s = &img->seg[i];
		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->vaddr >= limits->window_base);
		CHECK(s->vaddr - limits->window_base <= limits->window_size);
		CHECK(s->memsz <= limits->window_size - (s->vaddr - limits->window_base));
		CHECK(s->vaddr >= img->vmin && s->vaddr + s->memsz <= img->vmax);
		if (i > 0) /* sorted, and not sharing a page with the previous one */
			CHECK((img->seg[i - 1].vaddr + img->seg[i - 1].memsz + 4095) / 4096 <=
			      s->vaddr / 4096);
		if ((s->flags & KOSH_ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	CHECK(entry_ok);
}

static void validate_all(const uint8_t *data, size_t size)
{
	static const struct kosh_elf_limits limits[] = {
		{ KOSH_EM_X86_64, KOSH_KERNEL_VIRT_BASE, KOSH_KERNEL_WINDOW },
		{ KOSH_EM_AARCH64, KOSH_KERNEL_VIRT_BASE, KOSH_KERNEL_WINDOW },
		{ KOSH_EM_X86_64, 0, UINT64_MAX },
		{ KOSH_EM_X86_64, 0xffffffff80000000ull, 0x80000000ull },
	};
	struct kosh_elf_image img;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		enum kosh_elf_error err = kosh_elf_validate(data, size, &limits[i], &img);
		CHECK(kosh_elf_strerror(err) != NULL);
		if (err == KOSH_ELF_OK)
			check_image(&img, size, &limits[i]);
	}
	(void)kosh_elf_machine(data, size);
}

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A valid x86-64 header, then data: 8 bytes of entry point, then program headers. */
static void validate_behind_header(const uint8_t *data, size_t size)
{
	static uint8_t file[64 + 8192];
	if (size < 8)
		return;
	if (size > sizeof(file) - 64)
		size = sizeof(file) - 64;
	memset(file, 0, 64);
	memcpy(file, "\x7f" "ELF\x02\x01\x01", 7);
	put(file + 16, 2, 2);
	put(file + 18, KOSH_EM_X86_64, 2);
	put(file + 20, 1, 4);
	memcpy(file + 24, data, 8);
	put(file + 32, 72, 8);
	put(file + 54, 56, 2);
	put(file + 56, (size - 8) / 56, 2);
	memcpy(file + 64, data, size);
	validate_all(file, 64 + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	validate_all(data, size);
	validate_behind_header(data, size);
	return 0;
}
