/* SPDX-License-Identifier: MIT */
/*
 * What blkcheck and blkbench (native programs, without the C library) share:
 * a line of output and the text of an error.
 */
#ifndef KOSH_BLKOUT_H
#define KOSH_BLKOUT_H

#include <stdint.h>

/* printf-style text and a newline to "stdout", or to the kernel log without one. */
void blk_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A block or file protocol error's text (an open's errors are the file protocol's). */
const char *blk_errtext(uint32_t err);

#endif
