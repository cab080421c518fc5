/* SPDX-License-Identifier: MIT */
/*
 * The monotonic clock in nanoseconds, from the architecture's constant-rate
 * counter (invariant TSC / CNTVCT). Starts at the loader's first instruction,
 * so boot times read directly off it.
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdint.h>

/* Counter frequency in Hz and the counter value that is time 0. */
void clock_init(uint64_t hz, uint64_t zero_ticks);

/*
 * A better measurement of the counter frequency (x86: the kernel's calibration
 * against HPET refines the loader's): from now on time advances at the new
 * rate, continuing from its current value, so it never jumps.
 */
void clock_set_hz(uint64_t hz);

/* Nanoseconds since time 0; 0 before clock_init. Monotonic, on every CPU. */
uint64_t clock_ns(void);

/* The counter frequency clock_init was given. */
uint64_t clock_hz(void);

/* Counter ticks to nanoseconds, without overflow for any 64-bit tick count. */
uint64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz);

/*
 * The raw counter, for intervals taken often and converted seldom (CPU time at
 * every context switch): no division, unlike clock_ns. clock_ticks_ns gives a
 * number of them in nanoseconds at the counter's current rate.
 */
uint64_t clock_ticks(void);
uint64_t clock_ticks_ns(uint64_t ticks);

#endif
