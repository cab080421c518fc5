/* SPDX-License-Identifier: MIT */
/*
 * Conversion of the UEFI memory map into Kosh's (see <kosh/memmap.h>).
 *
 * With no allocator to sort into, the conversion sweeps the address space: the
 * boundary points are the starts and ends of all ranges, firmware and overlay,
 * and each piece between two consecutive points takes the type of the strongest
 * range covering it (an overlay beats every firmware range; of two overlays the
 * later wins). Pieces are appended in address order, merged with the previous
 * one when adjacent and of the same type, so the output comes out sorted,
 * non-overlapping and merged by construction. Every range is checked for
 * wrap-around before the sweep starts, so the sweep itself cannot fail on bad
 * input, only on a full output.
 */
#include <kosh/memmap.h>
#include <kosh/string.h>

#define EFI_DESC_MIN sizeof(struct kosh_efi_memory_descriptor)

/* Half-open [base, end); end never wraps (checked when the range is read). */
struct span {
	uint64_t base;
	uint64_t end;
	uint32_t type; /* enum kosh_mem_type */
};

struct sources {
	const uint8_t *map;
	uint64_t desc_count;
	uint64_t desc_size;
	const struct kosh_memmap_overlay *overlays;
	uint32_t overlay_count;
};

enum kosh_mem_type kosh_memmap_type_from_efi(uint32_t efi_type)
{
	switch (efi_type) {
	case KOSH_EFI_LOADER_CODE:
	case KOSH_EFI_LOADER_DATA:
		return KOSH_MEM_LOADER_RECLAIM;
	case KOSH_EFI_BOOT_SERVICES_CODE:
	case KOSH_EFI_BOOT_SERVICES_DATA:
	case KOSH_EFI_CONVENTIONAL:
		return KOSH_MEM_USABLE;
	case KOSH_EFI_RUNTIME_SERVICES_CODE:
		return KOSH_MEM_FW_CODE;
	case KOSH_EFI_RUNTIME_SERVICES_DATA:
		return KOSH_MEM_FW_DATA;
	case KOSH_EFI_ACPI_RECLAIM:
		return KOSH_MEM_ACPI_RECLAIM;
	case KOSH_EFI_ACPI_NVS:
		return KOSH_MEM_ACPI_NVS;
	case KOSH_EFI_MMIO:
	case KOSH_EFI_MMIO_PORT_SPACE:
		return KOSH_MEM_MMIO;
	default: /* reserved, unusable, PAL, persistent, unaccepted, OEM, OS, unknown */
		return KOSH_MEM_RESERVED;
	}
}

/* How restrictive a firmware type is; ties are broken by the type's value. */
static unsigned strength(uint32_t type)
{
	switch (type) {
	case KOSH_MEM_USABLE:
		return 0;
	case KOSH_MEM_LOADER_RECLAIM:
		return 1;
	case KOSH_MEM_ACPI_RECLAIM:
		return 2;
	case KOSH_MEM_FW_CODE:
	case KOSH_MEM_FW_DATA:
		return 3;
	case KOSH_MEM_ACPI_NVS:
		return 4;
	case KOSH_MEM_MMIO:
		return 5;
	default:
		return 6;
	}
}

/* 1 if firmware type a beats b where their ranges overlap. */
static int stronger(uint32_t a, uint32_t b)
{
	unsigned sa = strength(a), sb = strength(b);
	return sa > sb || (sa == sb && a < b);
}

static uint64_t page_down(uint64_t v)
{
	return v & ~(KOSH_PAGE_SIZE - 1);
}

/* Rounds [base, base + size) to pages, inward if asked, else outward; E_RANGE if it wraps. */
static enum kosh_memmap_error make_span(uint64_t base, uint64_t size, uint32_t type, int inward,
					struct span *out)
{
	out->type = type;
	out->base = out->end = 0;
	if (size == 0)
		return KOSH_MEMMAP_OK; /* empty: ignored, wherever it claims to be */
	if (base > UINT64_MAX - size)
		return KOSH_MEMMAP_E_RANGE;
	uint64_t end = base + size;
	uint64_t up = KOSH_PAGE_SIZE - 1;
	if (inward) {
		if (base > UINT64_MAX - up)
			return KOSH_MEMMAP_E_RANGE;
		out->base = page_down(base + up);
		out->end = page_down(end);
		if (out->end < out->base)
			out->end = out->base;
	} else {
		if (end > UINT64_MAX - up)
			return KOSH_MEMMAP_E_RANGE;
		out->base = page_down(base);
		out->end = page_down(end + up);
	}
	return KOSH_MEMMAP_OK;
}

static enum kosh_memmap_error firmware_span(const struct sources *src, uint64_t i,
					    struct span *out)
{
	struct kosh_efi_memory_descriptor d;
	memcpy(&d, src->map + i * src->desc_size, sizeof(d));
	if (d.pages > UINT64_MAX / KOSH_PAGE_SIZE)
		return KOSH_MEMMAP_E_RANGE;
	uint32_t type = kosh_memmap_type_from_efi(d.type);
	return make_span(d.phys_start, d.pages * KOSH_PAGE_SIZE, type, type == KOSH_MEM_USABLE,
			 out);
}

static enum kosh_memmap_error overlay_span(const struct sources *src, uint32_t i,
					   struct span *out)
{
	const struct kosh_memmap_overlay *o = &src->overlays[i];
	uint32_t type = o->type;
	if (type == 0 || type >= KOSH_MEM_TYPE_COUNT)
		type = KOSH_MEM_RESERVED;
	return make_span(o->base, o->size, type, 0, out);
}

/* Reads every range once, so that the sweep may assume none of them wraps. */
static enum kosh_memmap_error check_sources(const struct sources *src)
{
	struct span s;
	enum kosh_memmap_error err;
	for (uint64_t i = 0; i < src->desc_count; i++) {
		if ((err = firmware_span(src, i, &s)))
			return err;
	}
	for (uint32_t i = 0; i < src->overlay_count; i++) {
		if ((err = overlay_span(src, i, &s)))
			return err;
	}
	return KOSH_MEMMAP_OK;
}

/* Range number i: firmware descriptors first, then overlays. */
static struct span source_span(const struct sources *src, uint64_t i)
{
	struct span s;
	enum kosh_memmap_error err;
	if (i < src->desc_count)
		err = firmware_span(src, i, &s);
	else
		err = overlay_span(src, (uint32_t)(i - src->desc_count), &s);
	if (err)
		s.base = s.end = 0; /* unreachable: check_sources() went first */
	return s;
}

/* The smallest start or end of a range above pos; pos itself if there is none. */
static uint64_t next_boundary(const struct sources *src, uint64_t pos)
{
	uint64_t total = src->desc_count + src->overlay_count, best = pos;
	for (uint64_t i = 0; i < total; i++) {
		struct span s = source_span(src, i);
		if (s.base == s.end)
			continue;
		if (s.base > pos && (best == pos || s.base < best))
			best = s.base;
		if (s.end > pos && (best == pos || s.end < best))
			best = s.end;
	}
	return best;
}

/* The type of the address pos: 0 if nothing covers it. */
static uint32_t type_at(const struct sources *src, uint64_t pos)
{
	uint32_t type = 0;
	for (uint64_t i = 0; i < src->desc_count; i++) {
		struct span s = source_span(src, i);
		if (pos >= s.base && pos < s.end && (!type || stronger(s.type, type)))
			type = s.type;
	}
	for (uint32_t i = 0; i < src->overlay_count; i++) {
		struct span s = source_span(src, src->desc_count + i);
		if (pos >= s.base && pos < s.end)
			type = s.type;
	}
	return type;
}

/* Appends [base, end) of a type, merging it into the last range when they touch. */
static enum kosh_memmap_error emit(struct kosh_mem_range *out, uint32_t capacity,
				   uint32_t *count, struct span piece)
{
	struct kosh_mem_range *last = *count ? &out[*count - 1] : NULL;
	if (last && last->type == piece.type && last->base + last->size == piece.base) {
		last->size += piece.end - piece.base;
		return KOSH_MEMMAP_OK;
	}
	if (*count == capacity)
		return KOSH_MEMMAP_E_FULL;
	out[*count] = (struct kosh_mem_range){
		.base = piece.base, .size = piece.end - piece.base, .type = piece.type
	};
	(*count)++;
	return KOSH_MEMMAP_OK;
}

/* Walks the pieces between consecutive boundaries from address 0 upwards. */
static enum kosh_memmap_error sweep(const struct sources *src, struct kosh_mem_range *out,
				    uint32_t capacity, uint32_t *count)
{
	uint64_t pos = 0, next;
	while ((next = next_boundary(src, pos)) != pos) {
		struct span piece = { pos, next, type_at(src, pos) };
		if (piece.type) {
			enum kosh_memmap_error err = emit(out, capacity, count, piece);
			if (err)
				return err;
		}
		pos = next;
	}
	return KOSH_MEMMAP_OK;
}

enum kosh_memmap_error kosh_memmap_convert(const void *efi_map, uint64_t map_size,
					   uint64_t desc_size,
					   const struct kosh_memmap_overlay *overlays,
					   uint32_t overlay_count, struct kosh_mem_range *out,
					   uint32_t capacity, uint32_t *count)
{
	struct sources src = { efi_map, 0, desc_size, overlays, overlay_count };
	enum kosh_memmap_error err;
	*count = 0;
	if (desc_size < EFI_DESC_MIN || desc_size % 8)
		return KOSH_MEMMAP_E_DESC_SIZE;
	if (map_size % desc_size)
		return KOSH_MEMMAP_E_MAP_SIZE;
	src.desc_count = map_size / desc_size;
	if ((err = check_sources(&src)) || (err = sweep(&src, out, capacity, count)))
		*count = 0;
	return err;
}

uint64_t kosh_memmap_sum(const struct kosh_mem_range *map, uint32_t count, uint32_t type_mask)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < count; i++) {
		if (map[i].type >= 32 || !(type_mask & (1u << map[i].type)))
			continue;
		sum = map[i].size > UINT64_MAX - sum ? UINT64_MAX : sum + map[i].size;
	}
	return sum;
}

static const char *const memmap_type_names[KOSH_MEM_TYPE_COUNT] = {
	[KOSH_MEM_USABLE] = "usable",
	[KOSH_MEM_RESERVED] = "reserved",
	[KOSH_MEM_ACPI_RECLAIM] = "acpi-reclaim",
	[KOSH_MEM_ACPI_NVS] = "acpi-nvs",
	[KOSH_MEM_MMIO] = "mmio",
	[KOSH_MEM_FW_CODE] = "fw-code",
	[KOSH_MEM_FW_DATA] = "fw-data",
	[KOSH_MEM_LOADER_RECLAIM] = "loader",
	[KOSH_MEM_KERNEL] = "kernel",
	[KOSH_MEM_INITFS] = "initfs",
	[KOSH_MEM_BOOTINFO] = "bootinfo",
};

const char *kosh_memmap_type_name(uint32_t type)
{
	if (type == 0 || type >= KOSH_MEM_TYPE_COUNT)
		return "unknown";
	return memmap_type_names[type];
}

const char *kosh_arch_name(uint32_t arch)
{
	switch (arch) {
	case KOSH_ARCH_X86_64:
		return "x86-64";
	case KOSH_ARCH_AARCH64:
		return "AArch64";
	default:
		return "an unknown architecture";
	}
}
