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

#endif
