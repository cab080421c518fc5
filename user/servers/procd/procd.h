/* SPDX-License-Identifier: MIT */
/*
 * procd (docs/system.md, "logd and procd"): the registry of processes that
 * spawners tell it about (<kosh/proto/proc.h>, registry.c) and the proc://
 * files made from it (files.c). Two threads share the registry: the file
 * server (the main thread) and the registration thread; registry_lock guards
 * every entry.
 */
#ifndef PROCD_H
#define PROCD_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/proto/proc.h>

/* One registered process. */
struct proc_entry {
	int used;
	kosh_handle_t process; /* read, and manage when the spawner gave it */
	kosh_handle_t quota;   /* read-only quota it was charged to, or 0 */
	uint64_t id;	       /* its kernel id */
	uint64_t parent;       /* its parent's kernel id, 0: not known */
};

extern struct proc_entry registry[KOSH_PROC_MAX];

void registry_lock(void);
void registry_unlock(void);

/* The entry of process id (lock held), or NULL. */
struct proc_entry *registry_find(uint64_t id);

/*
 * Serve registrations on ep (a thread's loop; never returns unless ep is
 * gone). Every second, and before refusing a registration for want of room,
 * the processes that have exited are dropped.
 */
void registry_serve(kosh_handle_t ep);

/* Serve proc:// on ep; the quota shown by meminfo is root_quota (0: our own). */
kosh_err_t files_serve(kosh_handle_t ep, kosh_handle_t root_quota);

#endif
