/* SPDX-License-Identifier: MIT */
/* What generic userspace code needs to know of AArch64, without #ifdefs. */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <kosh/bootinfo.h>
#include <kosh/elf.h>

#define ARCH_USER_ELF_MACHINE KOSH_EM_AARCH64 /* e_machine of our programs */
#define ARCH_USER_KOSH_ARCH   KOSH_ARCH_AARCH64
#define ARCH_USER_NAME        "AArch64"
#define ARCH_USER_STACK_ALIGN 16 /* sp is always 16-byte aligned (AAPCS64) */
#define ARCH_USER_TOP         (1ull << 48) /* end of the user half (exclusive) */

#endif
