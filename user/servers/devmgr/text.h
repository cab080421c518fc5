/* SPDX-License-Identifier: MIT */
/*
 * The text of dev:///pci and dev:///devices (docs/devices.md, "dev://"), one
 * line per device, fields separated by one space, "-" for none, so that lspci,
 * lsdev and tests split them:
 *
 *   dev:///pci      SSSS:BB:DD.F VVVV:DDDD CC:SS:PP DRIVER NAME [why]
 *   dev:///devices  pci SSSS:BB:DD.F VVVV:DDDD DRIVER NAME [why]
 *                   platform WHERE COMPATIBLE DRIVER NAME [why]
 *                   none - - DRIVER NAME           (nodevice = start)
 *
 * "why" says what kept a matched device's driver from running. Pure: host-tested
 * by test/unit/devmgr_test.c.
 */
#ifndef KOSH_DEVMGR_TEXT_H
#define KOSH_DEVMGR_TEXT_H

#include <stdint.h>

#include "devmgr.h"

/* Into buf (size bytes, NUL-terminated): the length, cut to size - 1. */
uint32_t devmgr_text_pci(const struct devmgr_device *const *devs, uint32_t n,
			 const struct drivers *drivers, char *buf, uint32_t size);
uint32_t devmgr_text_devices(const struct devmgr_device *const *devs, uint32_t n,
			     const struct drivers *drivers, char *buf, uint32_t size);

#endif
