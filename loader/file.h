/* SPDX-License-Identifier: MIT */
/*
 * The loader's files: everything is read from the directory the loader itself
 * was started from, on its own volume (LoadedImage → DeviceHandle → file system,
 * walking up ParentHandle for a chain-loaded image). Never probes other volumes.
 */
#ifndef LOADER_FILE_H
#define LOADER_FILE_H

#include <efi.h>

struct loader_dir {
	EFI_FILE_HANDLE root;
	EFI_FILE_HANDLE dir;
	char path[256]; /* the directory, e.g. "\EFI\BOOT", for messages */
};

/* Open the directory the image was loaded from. Prints the reason on failure. */
EFI_STATUS file_open_own_dir(EFI_HANDLE image, EFI_BOOT_SERVICES *bs, struct loader_dir *d);

void file_close_dir(struct loader_dir *d);

/*
 * Read the file `name` (relative to the directory; '/' is accepted for '\') into
 * memory from alloc(pages) — whole pages of EfiLoaderData. Files larger than
 * max_size are refused. On success *data and *size describe the content and
 * *pages the allocation. EFI_NOT_FOUND when the file does not exist; other
 * errors are printed here, naming the file.
 */
EFI_STATUS file_read(struct loader_dir *d, EFI_BOOT_SERVICES *bs, const char *name,
		     UINT64 max_size, void **data, UINT64 *size, UINTN *pages);

#endif
