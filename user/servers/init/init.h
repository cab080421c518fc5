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
#include <kosh/services.h>

#include "policy.h"

#define INIT_DEFAULT_QUOTA (1ull << 20) /* a service without "quota" */
#define INIT_ENDPOINTS_MAX (KOSH_SERVICES_MAX * KOSH_SERVICES_CAPS_MAX)
#define INIT_FRAMES_MAX	   16
#define INIT_EXIT_TEXT	   32

/* One service of etc/services as init runs it. */
struct service_run {
	const struct kosh_service *svc;
	int here; /* exists on this architecture */
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

/* An MMIO frame bootstrap gave init ("mmio<i>", described by "rootinfo"). */
struct given_frame {
	kosh_handle_t handle;
	uint64_t phys, size;
};

struct init {
	struct kosh_services services; /* the parsed etc/services */
	struct service_run runs[KOSH_SERVICES_MAX];
	uint8_t order[KOSH_SERVICES_MAX]; /* start order (all services; runs[i].here says which) */
	uint32_t order_count;
	struct named_endpoint endpoints[INIT_ENDPOINTS_MAX];
	uint32_t endpoint_count;
	struct given_frame frames[INIT_FRAMES_MAX];
	uint32_t frame_count;
	/* From bootstrap. */
	kosh_handle_t klog, quota, initfs, irq_control, ioport_control, klog_read, klog_console;
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

/* Register every scheme (the services', initfs and svc) with vfsd. */
void init_register_schemes(void);

/*
 * Open uri through vfsd (client badge) with flags, giving up after the timeout
 * (a scheme server that is not up yet): 0 and *file, or a KOSH_VFS_E* error.
 */
uint32_t init_open(const char *uri, uint32_t flags, kosh_handle_t *file);

/* Start the svc:// server on its own thread. */
kosh_err_t init_serve_svc(void);

/* Tell procd about service i's process (KOSH_PROC_REGISTER), if procd is up. */
void init_proc_register(uint32_t i);

/* procd (re)started: tell it about every running service. */
void init_proc_register_all(void);

#endif
