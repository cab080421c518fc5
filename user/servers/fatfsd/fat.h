/* SPDX-License-Identifier: MIT */
/*
 * fat.h: FAT12, FAT16 and FAT32 with long file names (VFAT), as a pure,
 * freestanding library: the block device and the clock are callbacks, so the
 * same code runs inside fatfsd and in host tests. The volume is untrusted
 * input: every BPB field is checked at mount, every cluster chain walk is
 * bounded, and damage is a KOSH_VFS_EIO for the file it touches, never a
 * crash or a hang. Errors are the file protocol's KOSH_VFS_E* numbers.
 *
 * A node (struct fat_node) is a copy of a directory entry plus where it lives;
 * it stays valid until its entry is moved or removed (rename, unlink): the
 * caller looks it up again after those. See docs/fat.md.
 */
#ifndef FATFSD_FAT_H
#define FATFSD_FAT_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/proto/vfs.h>

/* The block device and the clock. Callbacks return 0 or a KOSH_VFS_E* error. */
struct fat_dev {
	void *ctx;
	uint32_t sector_size; /* 512 … 4096, a power of two */
	uint64_t sectors;
	int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf);
	int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf);
	int (*flush)(void *ctx);
	uint64_t (*now)(void *ctx); /* ns since 1970 (UTC); NULL or 0: unknown */
};

#define FAT_SECTOR_MAX	 4096u
#define FAT_CACHE_SLOTS	 32u
#define FAT_NAME_UTF8MAX 765u /* 255 UCS-2 units, 3 bytes each */

/* fat_mount flags. */
#define FAT_MOUNT_READ_ONLY 0x1u

/* fat_vol.state bits, reported after mount. */
#define FAT_STATE_WAS_DIRTY 0x1u /* the dirty bit was set (not cleanly unmounted) */
#define FAT_STATE_NO_FSINFO 0x2u /* FAT32 FSInfo signatures bad: not used, not written */
#define FAT_STATE_DAMAGED   0x4u /* fat_check found damage: the volume is now read-only */
#define FAT_STATE_CHECKED   0x8u /* fat_check walked everything: no damage, no lost cluster */
#define FAT_STATE_SHALLOW   0x10u /* fat_check met directories deeper than it descends */

struct fat_cache_slot {
	uint64_t lba;
	uint32_t stamp; /* last use, for LRU */
	uint8_t state;	/* 0 empty, 1 clean, 2 dirty */
	uint8_t kind;	/* write-back order: data, FAT, directory, FSInfo */
};

struct fat_vol {
	struct fat_dev dev;
	unsigned flags;
	unsigned state;
	int type; /* 12, 16, 32 */
	uint32_t bps, spc, cluster_bytes;
	uint32_t rsvd, nfats, fat_sectors;
	uint32_t root_entries, root_sectors;
	uint64_t fat_start, root_start, data_start, total;
	uint32_t clusters; /* data clusters: valid numbers are 2 … clusters + 1 */
	uint32_t root_cluster;
	uint32_t fsinfo_sector;
	uint32_t free_count, next_free;
	uint32_t active_fat; /* FAT32 without mirroring: the only FAT used */
	uint8_t mirror;
	uint8_t mounted;
	const char *why; /* the field or structure behind the last EIO / EINVAL at mount */
	uint32_t stamp;
	struct fat_cache_slot slot[FAT_CACHE_SLOTS];
	uint8_t buf[FAT_CACHE_SLOTS][FAT_SECTOR_MAX];
	uint8_t zero[FAT_SECTOR_MAX];
	uint8_t scratch[FAT_SECTOR_MAX];
};

/* A file or directory: its entry's fields and place. */
struct fat_node {
	uint32_t first; /* first cluster (0: none; the fixed FAT12/16 root) */
	uint32_t size;
	uint8_t attr;
	uint8_t is_root;
	uint8_t ntres;
	uint8_t crt_cs;
	uint16_t crt_time, crt_date, wrt_time, wrt_date, acc_date;
	uint32_t parent;     /* first cluster of the directory holding the entry (0: fixed root) */
	uint32_t slot;	     /* index of the short entry there */
	uint32_t first_slot; /* index of its first long-name entry (slot if none) */
	uint64_t ent_lba;    /* sector and byte of the short entry */
	uint32_t ent_off;
	uint32_t hint_index, hint_cluster; /* the last cluster walked to (0: none) */
};

struct fat_dirent {
	struct fat_node node;
	uint64_t ino;
	uint32_t type; /* KOSH_VFS_FILE or KOSH_VFS_DIR */
	uint32_t namelen;
	char name[FAT_NAME_UTF8MAX + 1];
};

/* Check the BPB and mount; on failure v->why names the field. 0 or an error. */
int fat_mount(struct fat_vol *v, const struct fat_dev *dev, unsigned flags);
/*
 * Write everything back, clear the dirty bit, flush. A volume that was dirty
 * at mount stays marked so for fsck unless fat_check has since found it whole
 * (FAT_STATE_CHECKED).
 */
int fat_unmount(struct fat_vol *v);
/* Write every dirty sector in order (data, FAT, directories, FSInfo) and flush. */
int fat_sync(struct fat_vol *v);

/*
 * Check the whole tree (up to 32 levels deep): every chain as long as its
 * size, dot entries, no cluster in two chains. bitmap: (clusters + 2) / 8 + 1
 * bytes of the caller's. On damage (EIO, v->why says what) the volume is
 * made read-only. Without damage, and with every directory reached and no
 * cluster in use outside a chain (a lost one, which a cut can leave), the
 * volume is FAT_STATE_CHECKED.
 */
int fat_check(struct fat_vol *v, uint8_t *bitmap, size_t bytes);

/*
 * After fat_check passed (returned 0, and reached every directory) on a
 * volume mounted read-write: what a cut or a kill leaves, mended as fsck
 * would: every FAT copy made equal to the active one, the clusters in use
 * that no chain reaches (bitmap: fat_check's) freed, the free count counted
 * again; then written back. The volume is FAT_STATE_CHECKED; *freed gets the
 * lost clusters freed, *copied the FAT sectors copied. EINVAL if read-only,
 * damaged or not wholly checked.
 */
int fat_repair(struct fat_vol *v, const uint8_t *bitmap, uint32_t *freed, uint32_t *copied);

/* The root directory. */
void fat_root(const struct fat_vol *v, struct fat_node *out);
/* Look up an absolute path ("/", "/a/b"); the node's chain is checked. */
int fat_lookup(struct fat_vol *v, const char *path, size_t len, struct fat_node *out);
/* Fill a stat record for a node. */
void fat_stat(const struct fat_vol *v, const struct fat_node *n, struct kosh_vfs_stat *st);
/* The next entry of directory dir from *cookie (0: the start); ENOENT at the end. */
int fat_readdir(struct fat_vol *v, const struct fat_node *dir, uint64_t *cookie,
		struct fat_dirent *out);

/* Read up to len bytes at off; *done gets the bytes read (0 at or past the end). */
int fat_read(struct fat_vol *v, struct fat_node *n, uint64_t off, void *buf, size_t len,
	     size_t *done);
/* Write len bytes at off (a hole up to off reads as zeros); all or an error. */
int fat_write(struct fat_vol *v, struct fat_node *n, uint64_t off, const void *buf, size_t len);
/* Cut or extend (with zeros) a file to size bytes. */
int fat_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size);

/* Create an empty file (EEXIST if the name is taken). */
int fat_create(struct fat_vol *v, const char *path, size_t len, struct fat_node *out);
/* Create a directory with its dot entries. */
int fat_mkdir(struct fat_vol *v, const char *path, size_t len);
/* Remove a file, or with dir set an empty directory. */
int fat_unlink(struct fat_vol *v, const char *path, size_t len, int dir);
/* Move an entry (also across directories); an existing file, or empty directory, at to is replaced.
 */
int fat_rename(struct fat_vol *v, const char *from, size_t from_len, const char *to, size_t to_len);

/* ---- names (fat_name.c) ---- */

/* The checksum a long-name entry carries of its short name. */
uint8_t fat_name_checksum(const uint8_t shortname[11]);
/* UCS-2 (n units, UTF-16 surrogate pairs allowed) to UTF-8 in out[size]; 0 or EINVAL. */
int fat_name_to_utf8(const uint16_t *u, unsigned n, char *out, size_t size, size_t *len);
/* A path component to UCS-2 (at most 255 units) as a long name; 0, EINVAL or ENAMETOOLONG. */
int fat_name_from_utf8(const char *s, size_t len, uint16_t u[255], unsigned *n);
/* A short entry's name as text ("README.TXT"; NT case bits applied); 0 or EINVAL for bad bytes. */
int fat_name_short_text(const uint8_t e[11], uint8_t ntres, char out[13], size_t *len);
/* 1 if the name is stored as a short entry alone (out, ntres filled), else 0. */
int fat_name_short_exact(const char *s, size_t len, uint8_t out[11], uint8_t *ntres);
/* The short alias for a long name's try num (from 1): "BASIS~N.EXT" up to 9, then "BAXXXX~1.EXT"
 * with a hash. */
void fat_name_alias(const uint16_t *u, unsigned n, uint32_t num, uint8_t out[11]);
/* ASCII case-insensitive equality. */
int fat_name_eq(const char *a, size_t alen, const char *b, size_t blen);

#endif
