/* SPDX-License-Identifier: MIT */
/* What generic userspace code needs to know of x86-64, without #ifdefs. */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <kosh/bootinfo.h>
#include <kosh/elf.h>

#define ARCH_USER_ELF_MACHINE KOSH_EM_X86_64 /* e_machine of our programs */
#define ARCH_USER_KOSH_ARCH   KOSH_ARCH_X86_64
#define ARCH_USER_NAME        "x86-64"
#define ARCH_USER_STACK_ALIGN 16 /* the stack pointer at a call, per the psABI */
#define ARCH_USER_TOP         (1ull << 47) /* end of the user half (exclusive) */

#endif
