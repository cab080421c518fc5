/* SPDX-License-Identifier: MIT */
/*
 * The CPU's own random numbers, virtio-rng's fallback when there is no
 * device: one file per architecture (cpu_x86_64.c, cpu_aarch64.c), chosen by
 * part.cmake, so the driver itself has no #ifdef.
 */
#ifndef CPU_RANDOM_H
#define CPU_RANDOM_H

#include <stdint.h>

/* 0 if the CPU gives random numbers here; else -1 with *why (for the log). */
int cpu_random_probe(const char **why);

/* Fill buf with len random bytes: 0, or -1 if the CPU kept failing (after retries). */
int cpu_random_fill(void *buf, uint32_t len);

#endif
