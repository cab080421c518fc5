/* SPDX-License-Identifier: MIT */
/*
 * <arch/types.h> for the host tests of kernel objects (test/unit/kernel_obj.cmake):
 * opaque stand-ins for what struct thread and struct cpu embed. The tests never
 * switch contexts, so nothing looks inside.
 */
#ifndef TEST_FAKE_KOBJ_ARCH_TYPES_H
#define TEST_FAKE_KOBJ_ARCH_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096u

struct arch_context {
	uint64_t regs[16];
};

struct arch_thread {
	uint64_t state[4];
};

#endif
