/* SPDX-License-Identifier: MIT */
/*
 * Loading the root task, sbin/bootstrap from the initfs (roottask.c).
 */
#ifndef KERNEL_ROOTTASK_H
#define KERNEL_ROOTTASK_H

#include <stdint.h>

struct kosh_bootinfo;

/*
 * Load sbin/bootstrap, give it every initial capability and make its thread
 * ready (with the big lock held). on_exit runs once it has exited. 0, or -1
 * with the reason logged.
 */
int roottask_start(const struct kosh_bootinfo *bi, void (*on_exit)(uint64_t status));

#endif
