/* SPDX-License-Identifier: MIT */
/*
 * init's state, shared by its files: main.c (start-up and the supervision
 * loop), launch.c (one service's capabilities and its start), names.c (vfsd:
 * schemes, stdio; procd: registrations), svc.c and svctext.c (the svc://
 * server, on a thread of its own, which only reads this state), policy.c (the
 * supervision decisions).
 *
 * Everything is written by the supervising (first) thread alone. The svc://
 * thread reads the table to answer `svc list`; a read racing an update can
 * show one service half-updated, never anything outside the table.
 */
#ifndef KOSH_INIT_H
#define KOSH_INIT_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/proto/drv.h>
#include <kosh/services.h>

#include "policy.h"

struct kosh_msg;

#define INIT_DEFAULT_QUOTA (1ull << 20) /* a service without "quota" */
#define INIT_DRIVERS_MAX   32		/* drivers registered on drvreg */
#define INIT_RUNS_MAX	   64		/* services and drivers: a bit each of the exits */
#define INIT_ENDPOINTS_MAX (KOSH_SERVICES_MAX * KOSH_SERVICES_CAPS_MAX)
#define INIT_FRAMES_MAX	   32
#define INIT_EXIT_TEXT	   32

/*
 * A driver devmgr registered (drvreg.c): its entry as a service, and what init
 * keeps to start it again: its endpoint, its quota, the handles devmgr built.
 */
struct driver {
	struct kosh_service svc;
	kosh_handle_t serve; /* the endpoint it receives on (init's: every right) */
	kosh_handle_t quota; /* devmgr's quota for it, spawned on at every start */
	uint32_t handle_count;
	kosh_handle_t handles[KOSH_DRV_HANDLES_MAX];
	char names[KOSH_DRV_HANDLES_MAX][KOSH_DRV_HNAME_MAX];
	uint64_t values[KOSH_DRV_HANDLES_MAX];
	char mount[KOSH_DRV_URI_MAX]; /* where vfsd mounts its endpoint (drvreg MOUNT), or "" */
};

/* One service of etc/services (or a driver) as init runs it. */
struct service_run {
	const struct kosh_service *svc;
	struct driver *driver; /* a driver of drvreg, or NULL */
	int here;	       /* exists on this architecture */
	struct init_supervision sup;
	kosh_handle_t process;		/* while RUNNING */
	uint64_t pid;			/* process_info's id of the last start, 0 before */
	char last_exit[INIT_EXIT_TEXT]; /* "exit 3", "page fault" …; "" before the first exit */
	char last_error[64];		/* why the last start failed, or "" */
	int hopeless;		/* the last start failed for good (no binary, not a program) */
	kosh_handle_t quota_ro; /* its quota, read only (for procd), while RUNNING */
};

/* A named endpoint of etc/services, created by init (or bootstrap's, or init's own). */
struct named_endpoint {
	char name[KOSH_SERVICES_ENDPOINT_MAX];
	kosh_handle_t handle; /* init's: every right */
};

/*
 * A frame bootstrap gave init, described by frames[index] of "rootinfo" and
 * named by its kind: "mmio<index>", "acpi<index>", "dtb<index>", "fb<index>".
 */
struct given_frame {
	kosh_handle_t handle;
	uint32_t kind; /* enum kosh_root_frame_kind */
	uint32_t index;
	uint64_t phys, size;
};

struct init {
	struct kosh_services services; /* the parsed etc/services */
	/* runs[0 .. services.count) the services, then the drivers as they register. */
	struct service_run runs[INIT_RUNS_MAX];
	uint32_t run_count;	      /* published last, for the svc:// thread */
	uint8_t order[INIT_RUNS_MAX]; /* start order (all runs; runs[i].here says which) */
	uint32_t order_count;
	struct driver drivers[INIT_DRIVERS_MAX]; /* a free one's svc.name is "" (REMOVE) */
	uint32_t driver_count;			 /* drivers[] used so far, free ones included */
	kosh_handle_t drvreg;			 /* the drvreg endpoint (0: no service uses it) */
	struct named_endpoint endpoints[INIT_ENDPOINTS_MAX];
	uint32_t endpoint_count;
	struct given_frame frames[INIT_FRAMES_MAX];
	uint32_t frame_count;
	/* From bootstrap. */
	kosh_handle_t klog, quota, initfs, irq_control, ioport_control, klog_read, klog_console;
	kosh_handle_t mmio_control; /* 0 until bootstrap gives it */
	kosh_handle_t rootinfo;	    /* the page describing frames[] (read), or 0 */
	/* init's own. */
	kosh_handle_t exits;	  /* notification: bit i when service i ends */
	kosh_handle_t svc;	  /* the svc:// endpoint */
	kosh_handle_t vfs_admin;  /* vfsd's endpoint, badge KOSH_VFS_BADGE_ADMIN (0: no vfsd) */
	kosh_handle_t vfs_client; /* the same, badge KOSH_VFS_BADGE_CLIENT */
	uint32_t arch;		  /* KOSH_SERVICE_ARCH_* of this machine */
	int proc_up;		  /* the server of "procreg" is running */
};

extern struct init init;

/* The endpoint called name (created by init, or initfs / svc), or 0. */
kosh_handle_t init_endpoint(const char *name);

/*
 * Start service i now: its capabilities, the process, the exit notification.
 * KOSH_OK with runs[i] RUNNING, or the error with runs[i].last_error set
 * (everything made for it undone).
 */
kosh_err_t init_launch(uint32_t i);

/*
 * Register every scheme (the services', initfs and svc) with vfsd, then mount
 * every driver that has a mount (drvreg MOUNT) again.
 */
void init_register_schemes(void);

/* KOSH_VFS_MOUNT of ep (a send copy goes) at uri, or UNMOUNT of uri: 0 or a KOSH_VFS_E* error. */
uint32_t init_vfs_mount(const char *uri, kosh_handle_t ep);
uint32_t init_vfs_unmount(const char *uri);

/*
 * Open uri through vfsd (client badge) with flags, giving up after the timeout
 * (a scheme server that is not up yet): 0 and *file, or a KOSH_VFS_E* error.
 */
uint32_t init_open(const char *uri, uint32_t flags, kosh_handle_t *file);

/* Start the svc:// server on its own thread. */
kosh_err_t init_serve_svc(void);

/*
 * One message of the driver registration protocol received on drvreg (in the
 * IPC buffer): handled, *reply filled. Returns 1 when a driver was committed
 * whose scheme must be registered once the reply is sent (init_drv_after).
 */
int init_drv_handle(const struct kosh_msg *m, struct kosh_msg *reply, uint64_t now);

/* After the reply: register the new driver's scheme with vfsd. */
void init_drv_after(void);

/* Register the scheme of run i with vfsd (a driver's, on its endpoint). */
void init_register_run_schemes(uint32_t i);

/* Tell procd about service i's process (KOSH_PROC_REGISTER), if procd is up. */
void init_proc_register(uint32_t i);

/* procd (re)started: tell it about every running service. */
void init_proc_register_all(void);

#endif
