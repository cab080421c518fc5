/* SPDX-License-Identifier: MIT */
/*
 * Boot self-checks, run when the command line holds "kosh.test": each checks one
 * promise of the hand-off against the machine and prints a TAP line on the
 * console, for the QEMU harness (test/qemu/) to read.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stdint.h>

struct kosh_bootinfo;
struct firmware;
struct platform;

void selftest_run(const struct kosh_bootinfo *bi, const struct firmware *fw,
		  const struct platform *plat, uint64_t kmain_ticks, uint64_t kmain_addr);

/*
 * Fault on purpose ("kosh.fault" on the command line): a write to an unmapped
 * kernel address, so the harness can check the panic report. Does not return.
 */
__attribute__((noinline)) void selftest_fault(void);

#endif
