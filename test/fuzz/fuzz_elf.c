/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kosh_elf_validate(): any input must be rejected cleanly or
 * accepted with a description that keeps every promise of <kosh/elf.h>.
 */
#include <stddef.h>
#include <stdint.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
	return 0;
}
