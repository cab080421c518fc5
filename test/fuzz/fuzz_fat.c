/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the FAT library (user/servers/fatfsd/fat*.c). The input
 * flips bits of a 64 KiB FAT12 volume (128 sectors, 1 sector per cluster, 16
 * root entries) that the harness builds once with the library itself: long
 * and short names, a subdirectory, files over several clusters. Byte 0 holds
 * settings: bit 0 keeps the boot sector as built (the flips start at sector 1),
 * bit 1 mounts read-only. Whatever the bytes, the library must mount or
 * refuse, walk every directory it can (bounded here only by the depth), read
 * every file, run the whole-volume check (after which a damaged volume takes
 * no writes), then create, write, rename and remove, never touching a sector
 * past the device and never hanging.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../user/servers/fatfsd/fat.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

#define SECTORS 128u
static uint8_t image[SECTORS * 512];
static struct fat_vol vol;
static uint8_t buf[8192];
static uint8_t bitmap[SECTORS / 8 + 1];

static int dev_read(void *ctx, uint64_t lba, uint32_t count, void *out)
{
	(void)ctx;
	CHECK(count >= 1 && lba < SECTORS && count <= SECTORS - lba);
	memcpy(out, image + lba * 512, (size_t)count * 512);
	return 0;
}

static int dev_write(void *ctx, uint64_t lba, uint32_t count, const void *in)
{
	(void)ctx;
	CHECK(count >= 1 && lba < SECTORS && count <= SECTORS - lba);
	memcpy(image + lba * 512, in, (size_t)count * 512);
	return 0;
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static const uint8_t boot[62] = {
    0xeb,    0x3c, 0x90, 'M', 'K',  'F',  'S',
    'F',     'A',  'T',	 ' ', 0x00, 0x02, /* 512 bytes per sector */
    1,					  /* sectors per cluster */
    1,	     0,				  /* reserved */
    2,					  /* FATs */
    16,	     0,				  /* root entries */
    SECTORS, 0,	   0xf8, 1,   0,	  /* total, media, FAT size */
};

static void walk(const struct fat_node *dir, char *path, size_t len, int depth)
{
	static struct fat_dirent de;
	uint64_t cookie = 0;
	unsigned count = 0;

	while (count++ < 64 && fat_readdir(&vol, dir, &cookie, &de) == 0) {
		struct fat_node n;
		size_t nl = de.namelen, done;

		CHECK(nl >= 1 && nl <= FAT_NAME_UTF8MAX && de.name[nl] == 0 &&
		      strlen(de.name) == nl);
		if (len + 1 + nl >= 1024)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de.name, nl + 1);
		if (fat_lookup(&vol, path, len + 1 + nl, &n) == 0) {
			if (de.type == KOSH_VFS_DIR && depth < 4) {
				struct fat_node d = n;

				walk(&d, path, len + 1 + nl, depth + 1);
			} else if (de.type == KOSH_VFS_FILE) {
				for (uint64_t off = 0; off < n.size && off < 65536;
				     off += sizeof(buf))
					if (fat_read(&vol, &n, off, buf, sizeof(buf), &done) ||
					    done == 0)
						break;
			}
		}
		path[len] = 0;
	}
}

static uint8_t base[SECTORS * 512];

/* The volume the inputs flip bits of, made once by the library. */
static void build_base(void)
{
	struct fat_dev dev = {NULL, 512, SECTORS, dev_read, dev_write, dev_flush, NULL};
	struct fat_node n;

	memset(image, 0, sizeof(image));
	memcpy(image, boot, sizeof(boot));
	image[510] = 0x55, image[511] = 0xaa;
	for (unsigned k = 0; k < 2; k++)
		image[512 * (1 + k)] = 0xf8, image[512 * (1 + k) + 1] = 0xff,
				 image[512 * (1 + k) + 2] = 0xff;
	CHECK(fat_mount(&vol, &dev, 0) == 0);
	memset(buf, 0x33, sizeof(buf));
	CHECK(fat_create(&vol, "/A long file name.txt", 21, &n) == 0);
	CHECK(fat_write(&vol, &n, 0, buf, 1500) == 0);
	CHECK(fat_mkdir(&vol, "/Sub Dir", 8) == 0);
	CHECK(fat_create(&vol, "/Sub Dir/INNER.BIN", 18, &n) == 0);
	CHECK(fat_write(&vol, &n, 0, buf, 700) == 0);
	CHECK(fat_create(&vol, "/empty", 6, &n) == 0);
	CHECK(fat_unmount(&vol) == 0);
	memcpy(base, image, sizeof(base));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fat_dev dev = {NULL, 512, SECTORS, dev_read, dev_write, dev_flush, NULL};
	struct fat_node root, n;
	static char path[1100];
	static int built;
	uint8_t flags;
	size_t from;

	if (!built)
		build_base(), built = 1;
	if (size < 1)
		return 0;
	flags = data[0];
	data++, size--;
	memcpy(image, base, sizeof(image));
	from = (flags & 1) ? 512 : 0;
	for (size_t i = 0; i < size && from + i < sizeof(image); i++)
		image[from + i] ^= data[i];
	if (fat_mount(&vol, &dev, (flags & 2) ? FAT_MOUNT_READ_ONLY : 0))
		return 0;
	fat_root(&vol, &root);
	path[0] = 0;
	walk(&root, path, 0, 0);
	/* The whole-volume check: on damage the volume turns read-only, so the writes below must
	 * fail. */
	int checked = fat_check(&vol, bitmap, sizeof(bitmap));
	if (checked == KOSH_VFS_EIO)
		CHECK(fat_create(&vol, "/after damage", 13, &n) == KOSH_VFS_EROFS);
	/* Mending what passed the check (as fatfsd does) leaves nothing fat_check objects to. */
	if (checked == 0 && !(flags & 2) && !(vol.state & FAT_STATE_SHALLOW)) {
		uint32_t freed, copied;
		if (fat_repair(&vol, bitmap, &freed, &copied) == 0)
			CHECK(fat_check(&vol, bitmap, sizeof(bitmap)) == 0 &&
			      (vol.state & FAT_STATE_CHECKED));
	}
	memset(buf, 0x5a, sizeof(buf));
	if (fat_create(&vol, "/fuzz new file.txt", 18, &n) == 0)
		fat_write(&vol, &n, 100, buf, 3000);
	if (fat_lookup(&vol, "/fuzz new file.txt", 18, &n) == 0)
		fat_truncate(&vol, &n, 10);
	fat_mkdir(&vol, "/D", 2);
	fat_rename(&vol, "/fuzz new file.txt", 18, "/D/moved", 8);
	fat_rename(&vol, "/A long file name.txt", 21, "/Sub Dir/renamed", 16);
	fat_unlink(&vol, "/D/moved", 8, 0);
	fat_unlink(&vol, "/D", 2, 1);
	fat_unlink(&vol, "/Sub Dir/INNER.BIN", 18, 0);
	fat_unmount(&vol);
	return 0;
}
