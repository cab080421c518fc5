/* SPDX-License-Identifier: MIT */
/*
 * The mount protocol (docs/vfs.md, "Mounts"): what the shell's mount and
 * umount ask of the driver manager (sbin/devmgr), which serves it on the
 * endpoint "mount" (etc/services gives it to the shell with `use mount`).
 * devmgr starts a filesystem server for the block device (sbin/fatfsd), checks
 * that it mounted the volume (STATFS at its root), and has init mount it at
 * the target (<kosh/proto/drv.h>, KOSH_DRV_MOUNT). devmgr mounts disks at
 * boot the same way (fs:/// and fs:///boot).
 *
 * Messages are laid out as the file protocol's (<kosh/proto/vfs.h>): words 0
 * .. 3 in registers, bytes from word 4. A reply's label is 0 or a KOSH_VFS_E*
 * error:
 *
 *   MOUNT    w0 KOSH_MOUNT_* flags, w1 source bytes, w2 target bytes; the
 *            source URI (a block device, "dev:///vdb1") then the target URI
 *            ("fs:///mnt"). ENODEV: no such block device; EINVAL: not a
 *            volume fatfsd can mount (bad flags, or a source that is not
 *            dev:///); EBUSY: the device or the target is mounted already;
 *            EIO: the volume is damaged beyond mounting.
 *   UNMOUNT  w1 target bytes; the target URI. The filesystem's server writes
 *            everything back, marks the volume clean and exits. ENOENT: no
 *            mount of devmgr's there; EBUSY: a scheme's root that has nothing
 *            under it to fall back to.
 */
#ifndef KOSH_PROTO_MOUNT_H
#define KOSH_PROTO_MOUNT_H

#include <stdint.h>

#define KOSH_MOUNT_ENDPOINT "mount" /* the endpoint's name in etc/services */

enum kosh_mount_op {
	KOSH_MOUNT_MOUNT = 1,
	KOSH_MOUNT_UNMOUNT = 2,
};

#define KOSH_MOUNT_READ_ONLY 0x1u /* MOUNT: no writes, the volume is left as it is */
#define KOSH_MOUNT_ALL	     0x1u

#endif
