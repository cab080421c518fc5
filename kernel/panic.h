/* SPDX-License-Identifier: MIT */
/*
 * Kernel panics: a report on every console (the cause, the registers when a
 * trap caused it, a symbolized backtrace), then this CPU halts and the others
 * are stopped. A panic while panicking halts at once.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdint.h>

struct trap_frame;

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* A panic from a trap: the cause line, then arch_trap_dump_regs(f), then the backtrace. */
__attribute__((noreturn, format(printf, 2, 3))) void panic_trap(const struct trap_frame *f,
								 const char *fmt, ...);

/* 1 once a panic has begun (the log then writes without its lock). */
int panic_in_progress(void);

/* Log a backtrace from the frame (pc, fp): "  #N 0xADDR symbol+0xOFF". */
void panic_backtrace(uint64_t pc, uint64_t fp);

#endif
