/* SPDX-License-Identifier: MIT */
/*
 * bootstrap's pieces besides the test runner in main.c: the initfs:// server
 * (serve.c, on its own thread) and the start of init (start.c).
 */
#ifndef KOSH_BOOTSTRAP_H
#define KOSH_BOOTSTRAP_H

#include <stdint.h>

#include <kosh/abi.h>

struct kosh_root_info;

/*
 * Index the initfs archive and serve it read-only on endpoint ep from a thread
 * of its own (the endpoint needs read, write, transfer and duplicate). KOSH_OK
 * once the thread runs; the error otherwise (logged).
 */
kosh_err_t bootstrap_serve_initfs(kosh_handle_t ep, const void *archive, uint64_t size);

/*
 * A read-only copy of the root info page for another process: no handles, and
 * as its frame list frames[order[0 .. n)] of info's (n may be 0). The frame's
 * handle, or an error.
 */
int64_t bootstrap_root_info_copy(const struct kosh_root_info *info, const uint32_t *order,
				 uint32_t n);

/*
 * Start sbin/init with its share of the root task's authority (docs/system.md,
 * "Boot, in userspace"), initfs being the endpoint served by the initfs thread.
 * KOSH_OK and *process, or the error (logged).
 */
kosh_err_t bootstrap_start_init(const struct kosh_root_info *info, kosh_handle_t initfs,
				kosh_handle_t *process);

#endif
