/* SPDX-License-Identifier: MIT */
/*
 * The kernel's consoles: the boot UART and the framebuffer text console,
 * whichever exist. Lines reach them through the kernel log (klog.h), which
 * makes console_write its sink.
 *
 * The UART can be handed to a userspace driver (log_console, docs/console.md):
 * while it is, log lines go only to the framebuffer (and the log ring), except
 * during a panic, which always prints on the UART.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct fw_uart;
struct kosh_framebuffer;

/* Use the UART described by fw (MMIO reached through hhdm). 0, or -1 if unusable. */
int console_use_uart(const struct fw_uart *fw, uint64_t hhdm);

/* Draw on the framebuffer fb, mapped at pixels. 0, or -1 if unusable. */
int console_use_framebuffer(void *pixels, const struct kosh_framebuffer *fb);

/* Write len bytes to every console. */
void console_write(const char *s, size_t len);

/*
 * Ask given() before each write to the UART: while it answers non-zero the
 * UART belongs to someone else (log_console, sys_log.h) and only the
 * framebuffer is written. A panic writes regardless. Set once at boot.
 */
void console_set_uart_given(int (*given)(void));

/* The physical pages of a memory-mapped UART in use: 1 and *phys, *size; 0 for none or I/O ports. */
int console_uart_region(uint64_t *phys, uint64_t *size);

#endif
