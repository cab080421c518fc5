/* SPDX-License-Identifier: MIT */
/*
 * Configuration tables, GOP and RNG (see firmware.h).
 */
#include "firmware.h"

#include "arch.h"
#include "console.h"

#include <kosh/string.h>

#define DTB_MAGIC 0xd00dfeedu
#define DTB_MAX (8u << 20)

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID smbios_guid = SMBIOS_TABLE_GUID;
static EFI_GUID smbios3_guid = SMBIOS3_TABLE_GUID;
static EFI_GUID dtb_guid = EFI_DTB_TABLE_GUID;
static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
static EFI_GUID rng_guid = EFI_RNG_PROTOCOL_GUID;

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void take_dtb(const void *blob, struct firmware_tables *out)
{
	uint32_t size = be32((const uint8_t *)blob + 4);
	if (be32(blob) != DTB_MAGIC || size < 40 || size > DTB_MAX) {
		console_printf("kosh: ignoring a malformed device tree at %p\n", blob);
		return;
	}
	out->dtb = blob;
	out->dtb_size = size;
}

void firmware_tables(EFI_SYSTEM_TABLE *st, struct firmware_tables *out)
{
	uint64_t acpi10 = 0;
	memset(out, 0, sizeof(*out));
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];
		uint64_t addr = (uint64_t)(uintptr_t)t->VendorTable;
		if (guid_eq(&t->VendorGuid, &acpi20_guid))
			out->acpi_rsdp = addr;
		else if (guid_eq(&t->VendorGuid, &acpi10_guid))
			acpi10 = addr;
		else if (guid_eq(&t->VendorGuid, &smbios_guid))
			out->smbios = addr;
		else if (guid_eq(&t->VendorGuid, &smbios3_guid))
			out->smbios3 = addr;
		else if (guid_eq(&t->VendorGuid, &dtb_guid))
			take_dtb(t->VendorTable, out);
	}
	if (!out->acpi_rsdp)
		out->acpi_rsdp = acpi10;
}

/* Pixel masks of a mode; 0 when it is not a 32-bit linear framebuffer. */
static int mode_masks(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m, struct kosh_framebuffer *fb)
{
	switch (m->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->red_mask = 0x000000ff, fb->green_mask = 0x0000ff00;
		fb->blue_mask = 0x00ff0000, fb->reserved_mask = 0xff000000;
		return 1;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->red_mask = 0x00ff0000, fb->green_mask = 0x0000ff00;
		fb->blue_mask = 0x000000ff, fb->reserved_mask = 0xff000000;
		return 1;
	case PixelBitMask:
		fb->red_mask = m->PixelInformation.RedMask;
		fb->green_mask = m->PixelInformation.GreenMask;
		fb->blue_mask = m->PixelInformation.BlueMask;
		fb->reserved_mask = m->PixelInformation.ReservedMask;
		return (fb->red_mask | fb->green_mask | fb->blue_mask | fb->reserved_mask) >> 24 != 0;
	default: /* PixelBltOnly: no linear framebuffer */
		return 0;
	}
}

static EFI_GRAPHICS_OUTPUT_PROTOCOL *find_gop(EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL, *found = NULL;
	struct kosh_framebuffer probe;
	EFI_HANDLE *handles = NULL;
	UINTN count = 0;
	if (st->ConsoleOutHandle &&
	    bs->HandleProtocol(st->ConsoleOutHandle, &gop_guid, (void **)&gop) == EFI_SUCCESS &&
	    gop->Mode && mode_masks(gop->Mode->Info, &probe))
		return gop;
	if (bs->LocateHandleBuffer(ByProtocol, &gop_guid, NULL, &count, &handles) != EFI_SUCCESS)
		return NULL;
	for (UINTN i = 0; i < count && !found; i++) {
		if (bs->HandleProtocol(handles[i], &gop_guid, (void **)&gop) == EFI_SUCCESS &&
		    gop->Mode && mode_masks(gop->Mode->Info, &probe))
			found = gop;
	}
	bs->FreePool(handles);
	return found;
}

static void set_mode(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, uint32_t width, uint32_t height)
{
	struct kosh_framebuffer probe;
	for (UINT32 i = 0; i < gop->Mode->MaxMode; i++) {
		EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
		UINTN size;
		if (gop->QueryMode(gop, i, &size, &info) != EFI_SUCCESS)
			continue;
		if (info->HorizontalResolution == width && info->VerticalResolution == height &&
		    mode_masks(info, &probe) && gop->SetMode(gop, i) == EFI_SUCCESS)
			return;
	}
	console_printf("kosh: video %ux%u is not offered; keeping %ux%u\n", width, height,
		       gop->Mode->Info->HorizontalResolution, gop->Mode->Info->VerticalResolution);
}

void firmware_framebuffer(EFI_SYSTEM_TABLE *st, uint32_t width, uint32_t height,
			  struct kosh_framebuffer *fb)
{
	memset(fb, 0, sizeof(*fb));
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = find_gop(st);
	if (!gop)
		return;
	if (width && height && (gop->Mode->Info->HorizontalResolution != width ||
				gop->Mode->Info->VerticalResolution != height))
		set_mode(gop, width, height);
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m = gop->Mode->Info;
	if (!mode_masks(m, fb) || !gop->Mode->FrameBufferBase) {
		memset(fb, 0, sizeof(*fb));
		return;
	}
	fb->phys = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = m->HorizontalResolution;
	fb->height = m->VerticalResolution;
	fb->pitch = m->PixelsPerScanLine * 4;
	fb->bpp = 32;
}

int firmware_rng_seed(EFI_BOOT_SERVICES *bs, uint8_t *seed, UINTN len)
{
	EFI_RNG_PROTOCOL *rng;
	if (bs->LocateProtocol(&rng_guid, NULL, (void **)&rng) != EFI_SUCCESS)
		return 0;
	return rng->GetRNG(rng, NULL, len, seed) == EFI_SUCCESS;
}

int firmware_time(EFI_RUNTIME_SERVICES *rt, struct kosh_efi_time *out)
{
	EFI_TIME t;
	if (!rt || rt->GetTime(&t, NULL) != EFI_SUCCESS)
		return 0;
	out->ticks = arch_ticks();
	out->year = t.Year;
	out->month = t.Month;
	out->day = t.Day;
	out->hour = t.Hour;
	out->minute = t.Minute;
	out->second = t.Second;
	out->daylight = t.Daylight;
	out->nanosecond = t.Nanosecond;
	out->time_zone = t.TimeZone;
	return 1;
}
