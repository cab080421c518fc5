/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, generated at build time from the linked image
 * (scripts/gensyms.py) and embedded in it, for symbolized backtraces.
 */
#ifndef KERNEL_SYMBOLS_H
#define KERNEL_SYMBOLS_H

#include <stdint.h>

/* The function containing addr and addr's offset into it, or NULL. */
const char *symbols_lookup(uint64_t addr, uint64_t *offset);

/* How many symbols the table holds (0 in the first link stage). */
uint64_t symbols_count(void);

#endif
