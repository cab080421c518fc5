/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS tests that run code without an ELF image (LEAK0001): machine
 * code of x86-64, position-independent, to be mapped executable at any address.
 */
#ifndef ARCH_TEST_CODE_H
#define ARCH_TEST_CODE_H

#include <stdint.h>

/* exit(ARCH_TEST_CODE_EXIT_STATUS) and, should it come back, a fault. */
#define ARCH_TEST_CODE_EXIT_STATUS 7
static const uint8_t arch_test_code_exit[] = {
	0xb8, 0x01, 0x00, 0x00, 0x00, /* mov $1, %eax (KOSH_SYS_exit) */
	0xbf, 0x07, 0x00, 0x00, 0x00, /* mov $7, %edi */
	0x0f, 0x05,                   /* syscall */
	0x0f, 0x0b,                   /* ud2 */
};

#endif
