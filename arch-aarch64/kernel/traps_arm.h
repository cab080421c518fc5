/* SPDX-License-Identifier: MIT */
/*
 * What the AArch64 port's files share among themselves (not part of arch.h).
 */
#ifndef ARCH_AARCH64_TRAPS_ARM_H
#define ARCH_AARCH64_TRAPS_ARM_H

/* Point VBAR_EL1 at the vector table. */
void aarch64_traps_init(void);

/* The interrupt controller's IRQ entry (acknowledge, irq_handle, end). */
void aarch64_set_irq_entry(void (*fn)(void));

#endif
