/* SPDX-License-Identifier: MIT */
/*
 * The one interface every architecture port implements (arch-<arch>/kernel/).
 * Generic kernel code calls only these hooks; a missing hook is a link error.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdint.h>

/* enum kosh_arch of this port. */
uint32_t arch_id(void);

/* First thing in kmain: the kernel's own descriptor tables / exception vectors. */
void arch_early_init(void);

/* The boot counter the loader also read (TSC / CNTVCT). */
uint64_t arch_ticks(void);

/* Port I/O (x86-64); on ports without an I/O space reads give 0xff.. and writes vanish. */
uint8_t arch_port_in8(uint16_t port);
void arch_port_out8(uint16_t port, uint8_t value);
void arch_port_out16(uint16_t port, uint16_t value);
void arch_port_out32(uint16_t port, uint32_t value);

/* The console UART to use when firmware tables name none (0 type: none). */
void arch_default_uart(uint32_t *type, uint8_t *space, uint64_t *base);

/*
 * A PSCI call (function id, three arguments) through hvc (use_hvc) or smc.
 * Returns the PSCI result; -1 (NOT_SUPPORTED) on ports without PSCI.
 */
int64_t arch_psci_call(int use_hvc, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2);

/* This CPU's index (0 for the boot CPU, then in bring-up order). */
uint32_t arch_cpu_index(void);

/* A hint inside spin loops (pause / yield). */
void arch_cpu_relax(void);

/* Mask interrupts on this CPU, returning the previous state for arch_irq_restore. */
uint64_t arch_irq_save(void);
void arch_irq_restore(uint64_t flags);

/* Log every register of a trap frame (klog_error lines). */
struct trap_frame;
void arch_trap_dump_regs(const struct trap_frame *f);

/*
 * This CPU's one-shot timer: interrupt once clock_ns() reaches deadline_ns
 * (at once if it already has), then call timer_interrupt(); 0 disarms it.
 */
void arch_timer_set(uint64_t deadline_ns);

/* Mask interrupts and stop this CPU for good. */
__attribute__((noreturn)) void arch_halt(void);

#endif
