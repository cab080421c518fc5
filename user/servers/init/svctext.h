/* SPDX-License-Identifier: MIT */
/*
 * The text of svc:// (svc.c): the table of svc:///list and the "key value"
 * lines of svc:///NAME, made from init's table of services. Pure, so that
 * test/unit/init_svc_test.c can check the exact text `svc list` shows.
 */
#ifndef KOSH_INIT_SVCTEXT_H
#define KOSH_INIT_SVCTEXT_H

#include <stdint.h>

#include "init.h"

/*
 * The list: a header line, then one line per service of this machine (here) in
 * order[0 .. count): name, state, pid (while running, else "-"), restarts,
 * last exit ("-" before the first). Into buf (size bytes, NUL-terminated);
 * returns its length, cut to size - 1.
 */
uint32_t svc_text_list(const struct service_run *runs, const uint8_t *order, uint32_t count,
		       char *buf, uint32_t size);

/* One service: name, state, pid (0 unless running), restarts, last-exit, binary, last-error. */
uint32_t svc_text_one(const struct service_run *run, char *buf, uint32_t size);

#endif
