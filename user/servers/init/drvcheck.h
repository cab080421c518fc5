/* SPDX-License-Identifier: MIT */
/*
 * The checks of init's driver registration (<kosh/proto/drv.h>, drvreg.c), as
 * pure functions host-tested by test/unit/init_drv_test.c: a BEGIN's spec
 * turned into the struct kosh_service init supervises, a handle's name, and
 * the conflicts of a new driver with the services and drivers init has. Each
 * returns 0 or the KOSH_DRV_E_* error that names what is wrong.
 */
#ifndef KOSH_INIT_DRVCHECK_H
#define KOSH_INIT_DRVCHECK_H

#include <stdint.h>

#include <kosh/proto/drv.h>
#include <kosh/services.h>

/* The spec's fields, each checked, into *out (emptied first; endpoints[0] when spec.endpoint). */
uint32_t init_drv_spec(const struct kosh_drv_spec *spec, struct kosh_service *out);

/*
 * name (a KOSH_DRV_HNAME_MAX array) as the count + 1-th handle of a driver that
 * already has given[0 .. count): a start-page name, not one init gives itself
 * (process, space, thread, klog, quota, vfs, serve, stdin, stdout, stderr), not
 * given before, and within KOSH_DRV_HANDLES_MAX.
 */
uint32_t init_drv_handle_name(const char *name, const char (*given)[KOSH_DRV_HNAME_MAX],
			      uint32_t count);

/*
 * A new driver d against all[0 .. n) (the services of this machine and the
 * drivers): its name (EXISTS), its scheme (SCHEME_TAKEN; initfs and svc are
 * init's), the endpoint it serves (ENDPOINT_TAKEN).
 */
uint32_t init_drv_conflict(const struct kosh_service *const *all, uint32_t n,
			   const struct kosh_service *d);

/*
 * A mount point of drvreg MOUNT (a KOSH_DRV_URI_MAX array): NUL-terminated in
 * it, "scheme:///path" with a scheme of 1 to 15 of a-z and 0-9 and a path as
 * vfsd takes it, already normal (no ".", "..", "//" or trailing '/' but the
 * root's), so that UNMOUNT names exactly what was mounted. 0 or KOSH_DRV_E_URI.
 */
uint32_t init_drv_uri(const char *uri);

/*
 * Word 0 of MOUNT, UNMOUNT or REMOVE as the index of a committed driver: runs
 * first .. count - 1 are drivers' slots, driver[i - first] non-zero where one
 * is committed (0: a slot freed by REMOVE). The index, or UINT32_MAX
 * (KOSH_DRV_E_INDEX).
 */
uint32_t init_drv_index(uint64_t w0, uint32_t first, uint32_t count, const uint8_t *driver);

/*
 * 1 if a message's tag says exactly bytes of data after the register words
 * (bytes 0: at most the register words) and caps capabilities.
 */
int init_drv_shaped(uint64_t tag, uint32_t bytes, uint32_t caps);

/* What init_drv_target knows of each driver's slot. */
enum init_drv_slot {
	INIT_DRV_FREE = 0,  /* no committed driver (removed) */
	INIT_DRV_COMMITTED, /* committed, not mounted */
	INIT_DRV_MOUNTED,   /* committed and mounted */
};

/*
 * A MOUNT, UNMOUNT or REMOVE (op) with tag, word 0, and the bytes after the
 * register words at data (MOUNT: the URI), against the drivers' slots
 * first .. count - 1 (slot[i - first], enum init_drv_slot): 0 and *index the
 * run it names, or the error, checked in this order: PROTO (shape), INDEX,
 * URI, MOUNTED (MOUNT of a mounted driver), NOT_MOUNTED (UNMOUNT of one that
 * is not).
 */
uint32_t init_drv_target(uint32_t op, uint64_t tag, uint64_t w0, const char *data, uint32_t first,
			 uint32_t count, const uint8_t *slot, uint32_t *index);

/*
 * After vfsd's answer err (KOSH_VFS_E*, or 0) to UNMOUNT of a driver's mount:
 * 1 if init forgets the mount (done, vfsd had none there, or vfsd does not
 * answer and will be given the mounts init keeps when it starts again), 0 if
 * vfsd refused and the mount stays (EBUSY …).
 */
int init_drv_unmount_forgets(uint32_t err);

#endif
