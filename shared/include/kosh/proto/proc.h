/* SPDX-License-Identifier: MIT */
/*
 * The process registry (procd, docs/system.md "logd and procd"). procd serves
 * proc:// with the file protocol (<kosh/proto/vfs.h>) on its endpoint "proc",
 * and takes registrations on a second endpoint, "procreg" (etc/services:
 * `endpoint = serve proc procreg`; a spawner `use`s procreg). Registration has
 * an endpoint of its own because "proc" speaks only the file protocol (the
 * fileserver library answers any other label ENOSYS).
 *
 * The kernel has no list of processes a server could read: each spawner (init,
 * the shell) tells procd about every process it starts, right after
 * kosh_spawn, with a handle to it. procd keeps that handle: process_info
 * gives it the name, state, threads and CPU time (and, polled every second,
 * the exit: the process is then dropped), and process_kill (ctl's "kill")
 * needs the handle's manage right. procd does not take the process's one
 * exit notification (process_notify): that belongs to its supervisor.
 *
 * KOSH_PROC_REGISTER: words 0 the parent's kernel process id (0: none known,
 * e.g. bootstrap's), 1 flags (0); cap 0 the process, with READ and, for ctl's
 * kill, MANAGE (KOSH_PROC_RIGHTS: a copy made with handle_dup, sent moved);
 * cap 1, when given, the quota the process was charged to, with READ only (its
 * use and limit are the process's memory in status). Reply: label 0 and word 0
 * the process's kernel id, or a KOSH_VFS_E* error as label: EPROTO (a
 * malformed message: another label, no cap or more than two, flags not 0),
 * EBADF (cap 0 not a process handle with READ, cap 1 not a quota with READ),
 * EEXIST (that process is registered already), ENFILE (the registry is full of
 * live processes). Capabilities procd does not keep are closed. A process that
 * has exited when it is registered is not kept (label 0 all the same).
 */
#ifndef KOSH_PROTO_PROC_H
#define KOSH_PROTO_PROC_H

#include <stdint.h>

#include <kosh/abi.h>

/* The name of procd's registration endpoint in etc/services and start pages. */
#define KOSH_PROC_REGISTER_ENDPOINT "procreg"

/* The label of a registration. */
#define KOSH_PROC_REGISTER 0x100u

/* Rights of the process handle a spawner sends (cap 0): READ is required, MANAGE lets ctl kill. */
#define KOSH_PROC_RIGHTS (KOSH_RIGHT_READ | KOSH_RIGHT_MANAGE | KOSH_RIGHT_TRANSFER)

/* The status ctl's "kill" ends a process with (as init's supervision decodes: "killed"). */
#define KOSH_PROC_KILL_STATUS KOSH_EXIT_KILLED

/* Processes procd keeps at most. */
#define KOSH_PROC_MAX 256u

#endif
