/* SPDX-License-Identifier: MIT */
/*
 * The hardware-authority objects the root task starts with, and the delivery of
 * user interrupt lines (sys_irq.c).
 */
#ifndef KERNEL_SYS_IRQ_H
#define KERNEL_SYS_IRQ_H

struct kobject;

/* A new reference to the IRQ-control object. */
struct kobject *irq_control_object(void);

/* Signal the notifications of the lines that fired since last time (SCHED_WORK_IRQ). */
void irqobj_deliver_pending(void);

/* A new reference to the I/O-port-control object, or NULL on ports without I/O ports. */
struct kobject *ioport_control_object(void);

#endif
