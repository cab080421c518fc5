/* SPDX-License-Identifier: MIT */
/*
 * For the in-OS tests that run code without an ELF image (LEAK0001): machine
 * code of AArch64 (little-endian instruction words), position-independent, to
 * be mapped executable at any address. space_map makes code written through
 * the data side visible to instruction fetches, so nothing here syncs caches.
 */
#ifndef ARCH_TEST_CODE_H
#define ARCH_TEST_CODE_H

#include <stdint.h>

/* exit(ARCH_TEST_CODE_EXIT_STATUS) and, should it come back, a fault. */
#define ARCH_TEST_CODE_EXIT_STATUS 7
static const uint8_t arch_test_code_exit[] = {
	0x28, 0x00, 0x80, 0xd2, /* mov x8, #1 (KOSH_SYS_exit) */
	0xe0, 0x00, 0x80, 0xd2, /* mov x0, #7 */
	0x01, 0x00, 0x00, 0xd4, /* svc #0 */
	0x00, 0x00, 0x00, 0x00, /* udf #0 */
};

#endif
