/* SPDX-License-Identifier: MIT */
/*
 * Validation of ELF64 executables (see <kosh/elf.h>).
 *
 * The file is read byte by byte in little-endian order, never through a cast to a
 * header struct, so an unaligned buffer is fine and no field is used before it is
 * checked. Every sum of two untrusted 64-bit values is written as a comparison
 * against a difference that cannot wrap. A successful result guarantees: each
 * segment's file bytes lie inside the file, its memory lies inside the limits'
 * window, no two segments share a page, and the entry point is in an executable
 * segment.
 */
#include <kosh/elf.h>
#include <kosh/string.h>

#define ELF_EHDR_SIZE  64u
#define ELF_PHDR_SIZE  56u
#define ELF_PAGE_SIZE  4096u
#define ELF_PT_LOAD    1u
#define ELF_ET_EXEC    2u
#define ELF_CLASS64    2u
#define ELF_DATA2LSB   1u
#define ELF_EV_CURRENT 1u

/* Offsets in the ELF64 file header and program header. */
#define EH_CLASS     4
#define EH_DATA      5
#define EH_VERSION   6
#define EH_TYPE      16
#define EH_MACHINE   18
#define EH_EVERSION  20
#define EH_ENTRY     24
#define EH_PHOFF     32
#define EH_PHENTSIZE 54
#define EH_PHNUM     56
#define PH_TYPE      0
#define PH_FLAGS     4
#define PH_OFFSET    8
#define PH_VADDR     16
#define PH_FILESZ    32
#define PH_MEMSZ     40

static uint64_t read_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

static int has_magic(const uint8_t *f)
{
	return f[0] == 0x7f && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
}

/* 1 if [start, start + len) lies inside [0, limit), without computing start + len. */
static int range_inside(uint64_t start, uint64_t len, uint64_t limit)
{
	return start <= limit && len <= limit - start;
}

static uint64_t page_down(uint64_t v)
{
	return v & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

/* Rounds up; the caller has checked that v is at most UINT64_MAX - page + 1. */
static uint64_t page_up(uint64_t v)
{
	return page_down(v + (ELF_PAGE_SIZE - 1));
}

static enum kosh_elf_error check_ident(const uint8_t *f, uint64_t size)
{
	if (size < ELF_EHDR_SIZE)
		return KOSH_ELF_E_TRUNCATED;
	if (!has_magic(f))
		return KOSH_ELF_E_MAGIC;
	if (f[EH_CLASS] != ELF_CLASS64)
		return KOSH_ELF_E_CLASS;
	if (f[EH_DATA] != ELF_DATA2LSB)
		return KOSH_ELF_E_ENDIAN;
	if (f[EH_VERSION] != ELF_EV_CURRENT || read_le(f + EH_EVERSION, 4) != ELF_EV_CURRENT)
		return KOSH_ELF_E_VERSION;
	return KOSH_ELF_OK;
}

static enum kosh_elf_error check_header(const uint8_t *f, uint64_t size,
					const struct kosh_elf_limits *limits)
{
	enum kosh_elf_error err = check_ident(f, size);
	if (err)
		return err;
	if (read_le(f + EH_TYPE, 2) != ELF_ET_EXEC)
		return KOSH_ELF_E_TYPE;
	if (read_le(f + EH_MACHINE, 2) != limits->machine)
		return KOSH_ELF_E_MACHINE;
	if (read_le(f + EH_PHENTSIZE, 2) != ELF_PHDR_SIZE)
		return KOSH_ELF_E_PHDR;
	/* phnum is 16 bits, so the table size cannot overflow. */
	uint64_t table = read_le(f + EH_PHNUM, 2) * ELF_PHDR_SIZE;
	if (!range_inside(read_le(f + EH_PHOFF, 8), table, size))
		return KOSH_ELF_E_PHDR;
	return KOSH_ELF_OK;
}

static void read_segment(const uint8_t *ph, struct kosh_elf_segment *seg)
{
	seg->flags = (uint32_t)read_le(ph + PH_FLAGS, 4);
	seg->offset = read_le(ph + PH_OFFSET, 8);
	seg->vaddr = read_le(ph + PH_VADDR, 8);
	seg->filesz = read_le(ph + PH_FILESZ, 8);
	seg->memsz = read_le(ph + PH_MEMSZ, 8);
}

/* Checks one segment on its own: sizes, window, file bytes. */
static enum kosh_elf_error check_segment(const struct kosh_elf_segment *seg, uint64_t size,
					 const struct kosh_elf_limits *limits)
{
	if (seg->filesz > seg->memsz)
		return KOSH_ELF_E_SEGMENT_SIZE;
	/* The end, rounded up to a page, must still be representable. */
	const uint64_t top = UINT64_MAX - (ELF_PAGE_SIZE - 1);
	if (seg->memsz > top || seg->vaddr > top - seg->memsz)
		return KOSH_ELF_E_SEGMENT_SIZE;
	if (seg->vaddr < limits->window_base ||
	    !range_inside(seg->vaddr - limits->window_base, seg->memsz, limits->window_size))
		return KOSH_ELF_E_WINDOW;
	if (!range_inside(seg->offset, seg->filesz, size))
		return KOSH_ELF_E_FILE_RANGE;
	return KOSH_ELF_OK;
}

static int pages_intersect(const struct kosh_elf_segment *a, const struct kosh_elf_segment *b)
{
	return page_down(a->vaddr) < page_up(b->vaddr + b->memsz) &&
	       page_down(b->vaddr) < page_up(a->vaddr + a->memsz);
}

/* Adds a checked segment to out->seg[], keeping it sorted by vaddr. */
static enum kosh_elf_error insert_segment(struct kosh_elf_image *out,
					  const struct kosh_elf_segment *seg)
{
	uint32_t i;
	for (i = 0; i < out->count; i++) {
		if (pages_intersect(&out->seg[i], seg))
			return KOSH_ELF_E_OVERLAP;
	}
	if (out->count == KOSH_ELF_MAX_SEGMENTS)
		return KOSH_ELF_E_TOO_MANY;
	for (i = out->count; i > 0 && out->seg[i - 1].vaddr > seg->vaddr; i--)
		out->seg[i] = out->seg[i - 1];
	out->seg[i] = *seg;
	out->count++;
	return KOSH_ELF_OK;
}

static enum kosh_elf_error collect_segments(const uint8_t *f, uint64_t size,
					    const struct kosh_elf_limits *limits,
					    struct kosh_elf_image *out)
{
	uint64_t phoff = read_le(f + EH_PHOFF, 8);
	uint32_t phnum = (uint32_t)read_le(f + EH_PHNUM, 2);
	for (uint32_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * ELF_PHDR_SIZE;
		struct kosh_elf_segment seg;
		if (read_le(ph + PH_TYPE, 4) != ELF_PT_LOAD)
			continue;
		read_segment(ph, &seg);
		if (seg.memsz == 0)
			continue;
		enum kosh_elf_error err = check_segment(&seg, size, limits);
		if (!err)
			err = insert_segment(out, &seg);
		if (err)
			return err;
	}
	return out->count ? KOSH_ELF_OK : KOSH_ELF_E_NO_SEGMENTS;
}

static int entry_executable(const struct kosh_elf_image *img)
{
	for (uint32_t i = 0; i < img->count; i++) {
		const struct kosh_elf_segment *s = &img->seg[i];
		if ((s->flags & KOSH_ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return 1;
	}
	return 0;
}

enum kosh_elf_error kosh_elf_validate(const void *file, uint64_t size,
				      const struct kosh_elf_limits *limits,
				      struct kosh_elf_image *out)
{
	const uint8_t *f = file;
	memset(out, 0, sizeof(*out));
	enum kosh_elf_error err = check_header(f, size, limits);
	if (!err)
		err = collect_segments(f, size, limits, out);
	if (err)
		return err;
	out->entry = read_le(f + EH_ENTRY, 8);
	if (!entry_executable(out))
		return KOSH_ELF_E_ENTRY;
	const struct kosh_elf_segment *last = &out->seg[out->count - 1];
	out->vmin = page_down(out->seg[0].vaddr);
	out->vmax = page_up(last->vaddr + last->memsz);
	return KOSH_ELF_OK;
}

static const char *const elf_messages[KOSH_ELF_E_COUNT] = {
	[KOSH_ELF_OK] = "valid",
	[KOSH_ELF_E_TRUNCATED] = "truncated (shorter than an ELF header)",
	[KOSH_ELF_E_MAGIC] = "not an ELF file (bad magic)",
	[KOSH_ELF_E_CLASS] = "not a 64-bit ELF file",
	[KOSH_ELF_E_ENDIAN] = "not a little-endian ELF file",
	[KOSH_ELF_E_VERSION] = "unsupported ELF version",
	[KOSH_ELF_E_TYPE] = "not an executable (ET_EXEC) ELF file",
	[KOSH_ELF_E_MACHINE] = "built for another architecture",
	[KOSH_ELF_E_PHDR] = "bad program header table",
	[KOSH_ELF_E_NO_SEGMENTS] = "no loadable segments",
	[KOSH_ELF_E_TOO_MANY] = "too many loadable segments",
	[KOSH_ELF_E_SEGMENT_SIZE] = "a segment's size is invalid or its addresses overflow",
	[KOSH_ELF_E_WINDOW] = "a segment lies outside the kernel window",
	[KOSH_ELF_E_FILE_RANGE] = "a segment's data lies outside the file",
	[KOSH_ELF_E_OVERLAP] = "two segments share a page",
	[KOSH_ELF_E_ENTRY] = "entry point is not in an executable segment",
};

const char *kosh_elf_strerror(enum kosh_elf_error err)
{
	if ((unsigned)err >= KOSH_ELF_E_COUNT)
		return "unknown error";
	return elf_messages[err];
}

const char *kosh_elf_machine_name(uint16_t machine)
{
	if (machine == KOSH_EM_X86_64)
		return "x86-64";
	if (machine == KOSH_EM_AARCH64)
		return "AArch64";
	return "unknown";
}

uint16_t kosh_elf_machine(const void *file, uint64_t size)
{
	const uint8_t *f = file;
	if (size < EH_MACHINE + 2 || !has_magic(f))
		return 0;
	return (uint16_t)read_le(f + EH_MACHINE, 2);
}
