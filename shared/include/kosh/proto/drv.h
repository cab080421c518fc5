/* SPDX-License-Identifier: MIT */
/*
 * init's driver registration protocol (docs/devices.md, "drvreg"): the driver
 * manager (sbin/devmgr) asks init to start and supervise a driver it has
 * matched to a device, with the handles it built for that device
 * (<kosh/proto/dev.h>). init serves it on the endpoint "drvreg", which devmgr
 * `use`s in etc/services; nobody else is given it.
 *
 * A registration is a short conversation, one message at a time (init keeps
 * one registration in the making, and a new BEGIN drops it):
 *
 *   BEGIN    data: struct kosh_drv_spec; cap 0: the driver's quota (moved)
 *   HANDLES  w0: how many (1 .. KOSH_DRV_CAPS_PER_MSG); data: struct
 *            kosh_drv_handles; caps 0 .. w0-1: the handles (moved), given to
 *            the driver under those names at every start
 *   COMMIT   reply: cap 0, a send copy (write, transfer, duplicate) of the
 *            endpoint the driver serves; w0 its index in init's table
 *   CANCEL   the registration in the making is dropped
 *   LOOKUP   data: the name (KOSH_DRV_NAME_MAX bytes, NUL-terminated) |
 *            reply: cap 0 as COMMIT's, w0 the index: a driver registered
 *            before (by an earlier devmgr: devmgr restarted)
 *
 * and, at any time, on a driver committed before (w0 its index):
 *
 *   MOUNT    data: a URI (KOSH_DRV_URI_MAX bytes, NUL-terminated): init
 *            mounts the driver's serve endpoint there with vfsd
 *            (KOSH_VFS_MOUNT), now and again whenever vfsd starts; a driver
 *            has at most one mount. A filesystem server (sbin/fatfsd) is
 *            registered like a driver and mounted this way.
 *   UNMOUNT  init takes the driver's mount away at vfsd (KOSH_VFS_UNMOUNT)
 *   REMOVE   init stops supervising the driver: its mount is taken away, its
 *            process killed, its handles and quota dropped, its name free
 *
 * (MOUNT's vfsd error, a KOSH_VFS_E* number, comes back in reply word 0 with
 * label KOSH_DRV_E_VFS.)
 *
 * Every reply's label is 0 or a KOSH_DRV_E_* error; a refused message's
 * capabilities are closed by init. After COMMIT init treats the driver like a
 * service of etc/services: it starts it (quota, klog, vfs with the client
 * badge, "serve", then the handles given), restarts it with the same handles
 * by its restart policy and back-off, lists it in svc://, registers it with
 * procd, and registers its scheme (if any) with vfsd. The driver's serve
 * endpoint is a fresh one, or with spec.endpoint the endpoint of that name
 * init made for etc/services ("input": a virtio keyboard serves what the
 * console reads).
 */
#ifndef KOSH_PROTO_DRV_H
#define KOSH_PROTO_DRV_H

#include <stdint.h>

#include <kosh/abi.h>

#define KOSH_DRV_ENDPOINT "drvreg" /* the endpoint's name in etc/services */

#define KOSH_DRV_NAME_MAX     32  /* a driver's (service) name: 1..31 of a-z 0-9 -, + NUL */
#define KOSH_DRV_PATH_MAX     128 /* binary: initfs:///… or fs:///…, + NUL */
#define KOSH_DRV_ARGS_BYTES   256 /* arg_count NUL-terminated strings, one after the other */
#define KOSH_DRV_ARGS_MAX     16
#define KOSH_DRV_SCHEME_MAX   16 /* 1..15 of a-z 0-9, + NUL; "" none */
#define KOSH_DRV_HNAME_MAX    16 /* a start-page name, + NUL */
#define KOSH_DRV_CAPS_PER_MSG 4	 /* handles per HANDLES message */
#define KOSH_DRV_HANDLES_MAX  24 /* handles devmgr may give one driver */

enum kosh_drv_op {
	KOSH_DRV_BEGIN = 1,
	KOSH_DRV_HANDLES = 2,
	KOSH_DRV_COMMIT = 3,
	KOSH_DRV_CANCEL = 4,
	KOSH_DRV_LOOKUP = 5,
	KOSH_DRV_MOUNT = 6,
	KOSH_DRV_UNMOUNT = 7,
	KOSH_DRV_REMOVE = 8,
};

#define KOSH_DRV_URI_MAX 128 /* a mount point: "fs:///boot", + NUL */

/* Errors (reply labels), each naming what was wrong. */
#define KOSH_DRV_ERRORS(X)                                                                         \
	X(1, PROTO, "malformed message (label, size or capabilities)")                             \
	X(2, STATE, "no registration in the making (BEGIN first)")                                 \
	X(3, NAME, "bad driver name (1 to 31 of a-z, 0-9 and '-', not first)")                     \
	X(4, EXISTS, "a service or driver of that name exists")                                    \
	X(5, BINARY, "binary must be an initfs:/// or fs:/// file path")                           \
	X(6, ARGS, "bad arguments (count, terminators or bytes)")                                  \
	X(7, QUOTA, "no quota given, or its size is not whole pages (4K to 1024G)")                \
	X(8, RESTART, "bad restart policy or back-off")                                            \
	X(9, SCHEME, "bad scheme name (1 to 15 of a-z and 0-9)")                                   \
	X(10, SCHEME_TAKEN, "the scheme is already registered by a service or driver")             \
	X(11, ENDPOINT, "bad endpoint name, or no such endpoint of init's")                        \
	X(12, ENDPOINT_TAKEN, "the endpoint is already served")                                    \
	X(13, HANDLE_NAME, "bad or reserved handle name")                                          \
	X(14, HANDLE_TWICE, "a handle name given twice")                                           \
	X(15, TOO_MANY, "too many handles for one driver")                                         \
	X(16, FULL, "init supervises as many processes as it can")                                 \
	X(17, NO_MEMORY, "init has no memory for the driver's endpoint")                           \
	X(18, NOT_FOUND, "no driver of that name")                                                 \
	X(19, HANDLE, "a capability given is not a handle init can keep")                         \
	X(20, INDEX, "no committed driver at that index")                                          \
	X(21, URI, "bad mount point (scheme:///path, at most 127 bytes)")                          \
	X(22, MOUNTED, "the driver is already mounted")                                            \
	X(23, NOT_MOUNTED, "the driver is not mounted")                                            \
	X(24, VFS, "vfsd refused (its error in word 0)")

enum kosh_drv_error {
	KOSH_DRV_OK = 0,
#define KOSH_DRV_ERROR_ENUM(n, id, text) KOSH_DRV_E_##id = n,
	KOSH_DRV_ERRORS(KOSH_DRV_ERROR_ENUM)
#undef KOSH_DRV_ERROR_ENUM
};

/* English text of a KOSH_DRV_E_* error; "unknown error" otherwise. */
static inline const char *kosh_drv_strerror(uint32_t err)
{
	switch (err) {
	case 0:
		return "ok";
#define KOSH_DRV_ERROR_TEXT(n, id, text)                                                           \
	case n:                                                                                    \
		return text;
		KOSH_DRV_ERRORS(KOSH_DRV_ERROR_TEXT)
#undef KOSH_DRV_ERROR_TEXT
	default:
		return "unknown error";
	}
}

/* BEGIN's data. Every string NUL-terminated within its array; unused bytes 0. */
struct kosh_drv_spec {
	char name[KOSH_DRV_NAME_MAX];	  /* "virtio-blk-vda": the service name in svc:// */
	char binary[KOSH_DRV_PATH_MAX];	  /* "initfs:///sbin/drivers/virtio-blk" */
	char args[KOSH_DRV_ARGS_BYTES];	  /* the arguments after argv[0] */
	uint32_t arg_count;		  /* 0 .. KOSH_DRV_ARGS_MAX */
	uint32_t restart;		  /* enum kosh_service_restart */
	uint32_t backoff_initial_ms;	  /* 0 and 0: init's default (100 ms, 10 s) */
	uint32_t backoff_max_ms;	  /* else 1 ms .. 3600 s, max >= initial */
	uint64_t quota;			  /* the size of the quota given (for svc:// and checks) */
	char scheme[KOSH_DRV_SCHEME_MAX]; /* registered with vfsd for the serve endpoint; "" none */
	char endpoint[KOSH_DRV_HNAME_MAX]; /* serve this endpoint of init's; "": a fresh one */
};
_Static_assert(sizeof(struct kosh_drv_spec) == 472, "kosh_drv_spec layout");
_Static_assert(sizeof(struct kosh_drv_spec) <= (KOSH_MSG_WORDS_MAX - KOSH_MSG_WORDS_REG) * 8,
	       "the spec fits a message");

/* HANDLES' data: the names (and start-page values) of caps 0 .. w0-1. */
struct kosh_drv_handles {
	char names[KOSH_DRV_CAPS_PER_MSG][KOSH_DRV_HNAME_MAX];
	uint64_t values[KOSH_DRV_CAPS_PER_MSG];
};
_Static_assert(sizeof(struct kosh_drv_handles) == 96, "kosh_drv_handles layout");

#endif
