/* SPDX-License-Identifier: MIT */
/*
 * Entering and leaving the kernel from user mode: what every port's entry code
 * calls (DESIGN.md §6, docs/kernel.md "Threads and the big lock").
 *
 * The kernel runs with interrupts masked and, for everything that touches
 * objects, threads or run queues, under one big kernel lock (as seL4 does on
 * SMP): user code runs in parallel on every CPU, kernel work one CPU at a time.
 * Interrupt handlers never take the lock: they only set this CPU's pending-work
 * flags, and the work is done on the way back to user mode or in the idle loop.
 *
 * Every entry from user mode has saved the user registers in the trap frame at
 * the top of the thread's kernel stack. The port calls:
 *   a system call:   syscall_handle(f), then kernel_exit_to_user(f)
 *   an exception:    user_fault(f, kind, address, detail), then kernel_exit_to_user(f)
 *   an interrupt:    its handler, then kernel_exit_to_user(f)
 * and restores the (possibly changed) frame.
 */
#ifndef KERNEL_KENTRY_H
#define KERNEL_KENTRY_H

#include <stdint.h>

struct trap_frame;

/* A system call from user mode (interrupts masked). Takes and drops the big lock. */
void syscall_handle(struct trap_frame *f);

/*
 * An exception in user mode, decoded by the port: kind is an enum kosh_fault,
 * address the faulting data or instruction address, detail the KOSH_FAULT_*
 * access bits for page faults (else the port's raw syndrome). Sends a fault
 * message to the thread's fault endpoint, or kills the process with a report
 * in the kernel log; returns when the thread may go on (possibly elsewhere).
 */
void user_fault(struct trap_frame *f, uint32_t kind, uint64_t address, uint64_t detail);

/*
 * Last thing before restoring the user registers, with interrupts masked: do
 * this CPU's pending work (expired timeouts, wake-ups, a reschedule, a kill or
 * suspension of the running thread). May switch threads; returns on the same
 * thread, ready to return to user mode through f.
 */
void kernel_exit_to_user(struct trap_frame *f);

#endif
