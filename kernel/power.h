/* SPDX-License-Identifier: MIT */
/*
 * Switching the machine off: PSCI SYSTEM_OFF where the firmware tables name a
 * PSCI conduit (AArch64), else ACPI S5 through the FADT's PM1 control blocks or
 * sleep control register.
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include <stddef.h>

struct firmware;

/* Returns only when the machine is still running; then why says what was tried. */
void power_off(const struct firmware *fw, char *why, size_t len);

#endif
