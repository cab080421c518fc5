/* SPDX-License-Identifier: MIT */
/*
 * Finding the loader's own directory and reading files from it.
 *
 * The directory comes from the FILEPATH nodes of LoadedImage->FilePath (one or
 * several, concatenated), minus the image's own name. Reads go in chunks of at
 * most 1 MiB, looping, because firmware file systems may return less than asked.
 */
#include "file.h"

#include "console.h"

#include <kosh/string.h>

#define READ_CHUNK (1u << 20)
#define PARENT_DEPTH 8
#define FILE_NAME_WIDE 160

static EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID sfs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;

/* Append the FILEPATH nodes of a device path to path (ASCII, '\'-separated). */
static void device_path_to_dir(EFI_DEVICE_PATH *dp, char *path, UINTN cap)
{
	UINTN n = 0;
	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH ||
		    DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		UINTN len = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);
		const CHAR16 *s = ((FILEPATH_DEVICE_PATH *)dp)->PathName;
		if (n && path[n - 1] != '\\' && len && s[0] != L'\\' && n + 1 < cap)
			path[n++] = '\\';
		for (UINTN i = 0; i < len && s[i] && n + 1 < cap; i++)
			path[n++] = s[i] == L'/' ? '\\' : (s[i] < 0x80 ? (char)s[i] : '?');
	}
	/* Strip the image's own file name, keeping the directory. */
	while (n && path[n - 1] != '\\')
		n--;
	while (n > 1 && path[n - 1] == '\\')
		n--;
	if (!n)
		path[n++] = '\\';
	path[n] = 0;
}

static void ascii_to_wide(const char *s, CHAR16 *w, UINTN cap)
{
	UINTN i = 0;
	for (; s[i] && i + 1 < cap; i++)
		w[i] = s[i] == '/' ? L'\\' : (CHAR16)(unsigned char)s[i];
	w[i] = 0;
}

/* The file system of the image's device, or of the nearest parent image's. */
static EFI_STATUS open_volume(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, EFI_FILE_HANDLE *root,
			      EFI_LOADED_IMAGE **own)
{
	EFI_HANDLE h = image;
	*own = NULL;
	for (int depth = 0; h && depth < PARENT_DEPTH; depth++) {
		EFI_LOADED_IMAGE *li;
		EFI_FILE_IO_INTERFACE *fs;
		if (bs->HandleProtocol(h, &loaded_image_guid, (void **)&li) != EFI_SUCCESS)
			break;
		if (!*own)
			*own = li;
		if (li->DeviceHandle &&
		    bs->HandleProtocol(li->DeviceHandle, &sfs_guid, (void **)&fs) == EFI_SUCCESS)
			return fs->OpenVolume(fs, root);
		h = li->ParentHandle;
	}
	return EFI_NOT_FOUND;
}

EFI_STATUS file_open_own_dir(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, struct loader_dir *d)
{
	EFI_LOADED_IMAGE *li;
	CHAR16 wide[256];
	memset(d, 0, sizeof(*d));
	EFI_STATUS st = open_volume(image, bs, &d->root, &li);
	if (st != EFI_SUCCESS) {
		console_printf("kosh: cannot open the loader's own volume (status %lx)\n",
			       (unsigned long)st);
		return st;
	}
	device_path_to_dir(li ? li->FilePath : NULL, d->path, sizeof(d->path));
	ascii_to_wide(d->path, wide, 256);
	st = d->root->Open(d->root, &d->dir, wide, EFI_FILE_MODE_READ, 0);
	if (st != EFI_SUCCESS) {
		console_printf("kosh: cannot open directory %s (status %lx)\n", d->path,
			       (unsigned long)st);
		d->root->Close(d->root);
		d->root = NULL;
	}
	return st;
}

void file_close_dir(struct loader_dir *d)
{
	if (d->dir)
		d->dir->Close(d->dir);
	if (d->root)
		d->root->Close(d->root);
	d->dir = d->root = NULL;
}

static EFI_STATUS file_size(EFI_FILE_HANDLE f, UINT64 *size, int *is_dir)
{
	union {
		EFI_FILE_INFO info;
		UINT8 bytes[sizeof(EFI_FILE_INFO) + 512];
	} buf;
	UINTN len = sizeof(buf);
	EFI_STATUS st = f->GetInfo(f, &file_info_guid, &len, &buf);
	if (st == EFI_SUCCESS) {
		*size = buf.info.FileSize;
		*is_dir = (buf.info.Attribute & EFI_FILE_DIRECTORY) != 0;
	}
	return st;
}

static EFI_STATUS read_all(EFI_FILE_HANDLE f, UINT8 *dst, UINT64 size)
{
	UINT64 done = 0;
	while (done < size) {
		UINTN chunk = size - done < READ_CHUNK ? (UINTN)(size - done) : READ_CHUNK;
		EFI_STATUS st = f->Read(f, &chunk, dst + done);
		if (st != EFI_SUCCESS)
			return st;
		if (chunk == 0)
			return EFI_END_OF_FILE; /* shorter than its directory entry says */
		done += chunk;
	}
	return EFI_SUCCESS;
}

EFI_STATUS file_read(struct loader_dir *d, EFI_BOOT_SERVICES *bs, const char *name,
		     UINT64 max_size, void **data, UINT64 *size, UINTN *pages)
{
	CHAR16 wide[FILE_NAME_WIDE];
	EFI_FILE_HANDLE f;
	EFI_PHYSICAL_ADDRESS addr = 0;
	int is_dir = 0;
	ascii_to_wide(name, wide, FILE_NAME_WIDE);
	EFI_STATUS st = d->dir->Open(d->dir, &f, wide, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return st;
	if (st != EFI_SUCCESS) {
		console_printf("kosh: %s: cannot open (status %lx)\n", name, (unsigned long)st);
		return st;
	}
	st = file_size(f, size, &is_dir);
	if (st != EFI_SUCCESS || is_dir) {
		console_printf("kosh: %s: %s\n", name, is_dir ? "is a directory" : "cannot stat");
		st = is_dir ? EFI_UNSUPPORTED : st;
		goto out_close;
	}
	if (*size > max_size) {
		console_printf("kosh: %s: too large (%lu bytes, at most %lu)\n", name,
			       (unsigned long)*size, (unsigned long)max_size);
		st = EFI_BAD_BUFFER_SIZE;
		goto out_close;
	}
	*pages = EFI_SIZE_TO_PAGES(*size ? *size : 1);
	st = bs->AllocatePages(AllocateAnyPages, EfiLoaderData, *pages, &addr);
	if (st != EFI_SUCCESS) {
		console_printf("kosh: %s: out of memory (%lu bytes)\n", name, (unsigned long)*size);
		goto out_close;
	}
	st = read_all(f, (UINT8 *)(UINTN)addr, *size);
	if (st != EFI_SUCCESS) {
		console_printf("kosh: %s: read error (status %lx)\n", name, (unsigned long)st);
		bs->FreePages(addr, *pages);
		goto out_close;
	}
	*data = (void *)(UINTN)addr;
out_close:
	f->Close(f);
	return st;
}
