/* SPDX-License-Identifier: MIT */
/*
 * Interrupt dispatch: the architecture's interrupt entry calls irq_handle()
 * with its interrupt number (the vector on x86-64, the GIC INTID on AArch64);
 * handlers registered here run with interrupts masked on this CPU.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdint.h>

#define IRQ_MAX 1024

typedef void (*irq_handler_fn)(uint32_t irq, void *ctx);

/* Install the handler of irq (replacing any). 0, or -1 if irq is out of range. */
int irq_register(uint32_t irq, irq_handler_fn fn, void *ctx);

/* Called by the architecture for every interrupt; unhandled ones are counted and logged once. */
void irq_handle(uint32_t irq);

/* How many times irq was handled (or arrived unhandled) on this CPU. */
uint64_t irq_count(uint32_t irq);

#endif
