/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of devmgr's mounting (mount.c, docs/vfs.md "Mounts"),
 * host-tested by test/unit/devmgr_test.c: which block devices of a disk to try
 * at boot and in what order (its partitions, as its driver names them, each
 * marked when it is an EFI system partition; the whole disk when it has no
 * partition table), and the check of a request on the "mount" endpoint
 * (<kosh/proto/mount.h>).
 */
#ifndef KOSH_DEVMGR_MOUNTPLAN_H
#define KOSH_DEVMGR_MOUNTPLAN_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/part.h>
#include <kosh/proto/dev.h>
#include <kosh/proto/drv.h>

#define DEVMGR_CANDIDATES_MAX 32 /* block devices tried at boot, over every disk */

/* A block device to try at boot. */
struct devmgr_candidate {
	char name[KOSH_DEV_NAME_MAX]; /* "vda2", or "vdb" (a disk without a table) */
	int esp;		      /* an EFI system partition: for fs:///boot */
};

/*
 * The name the block driver gives partition index of disk: the disk's name and
 * the index, with a 'p' between when the name ends in a digit ("nvme0p1").
 * 0, or -1 when it does not fit size bytes.
 */
int devmgr_part_name(const char *disk, uint32_t index, char *out, size_t size);

/*
 * Append disk's block devices to try to out[*n .. max), in table order: table
 * the result of kosh_part_read (err its return): every partition, or the disk
 * itself when err is KOSH_PART_E_NO_TABLE. A table that could not be read
 * (another error) gives nothing: the driver serves the disk, but what is on it
 * is unknown. Returns how many were appended (those past max are left out).
 */
uint32_t devmgr_candidates(const char *disk, uint32_t err, const struct kosh_part_table *table,
			   struct devmgr_candidate *out, uint32_t *n, uint32_t max);

/*
 * The boot plan over out[0 .. n): *root the indexes of the non-ESP ones, in
 * order, to try until one mounts at fs:///; *esp the first ESP (-1: none).
 */
uint32_t devmgr_plan(const struct devmgr_candidate *c, uint32_t n, uint32_t *root, int *esp);

/* 1 for an etc/drivers entry whose devices are disks (virtio-blk). */
int devmgr_is_block_driver(const char *entry_name);

/* A request of the "mount" endpoint, checked. */
struct devmgr_mount_req {
	uint32_t op;			/* KOSH_MOUNT_MOUNT or KOSH_MOUNT_UNMOUNT */
	uint32_t flags;			/* KOSH_MOUNT_* */
	char device[KOSH_DEV_NAME_MAX]; /* MOUNT: "vdb1" of dev:///vdb1 */
	char target[KOSH_DRV_URI_MAX];	/* "fs:///mnt", normalised */
};

/*
 * Check a message of the "mount" endpoint: tag, words 0 .. 3, and the bytes
 * from word 4 at data (KOSH_MSG_WORDS(tag) - 4 words of them). 0 and *req, or
 * a KOSH_VFS_E* error: EPROTO (label, capabilities, lengths beyond the
 * message), EINVAL (unknown flags, a source that is not dev:///<name>, a
 * target that is not a URI vfsd takes), ENAMETOOLONG (a target of
 * KOSH_DRV_URI_MAX bytes or more once normalised).
 */
uint32_t devmgr_mount_decode(uint64_t tag, const uint64_t words[4], const void *data,
			     struct devmgr_mount_req *req);

#endif
