/* SPDX-License-Identifier: MIT */
/*
 * What the x86-64 port's files share among themselves (not part of arch.h).
 */
#ifndef ARCH_X86_64_CPU_X86_H
#define ARCH_X86_64_CPU_X86_H

#include <stdint.h>

#define X86_MAX_CPUS 64
#define X86_KERNEL_CS 0x08
#define X86_KERNEL_DS 0x10

/* IST slots (1-based in IDT entries): NMI, double fault, machine check. */
#define X86_IST_NMI 1
#define X86_IST_DOUBLE_FAULT 2
#define X86_IST_MACHINE_CHECK 3
#define X86_IST_COUNT 3
#define X86_IST_STACK_SIZE 16384

/* Load CPU index's GDT and TSS (with its IST stack tops). */
void x86_cpu_tables_init(uint32_t index, const uint64_t ist_tops[X86_IST_COUNT]);

/* Build the IDT (once) and load it on this CPU. */
void x86_traps_init(void);

#endif
