/* SPDX-License-Identifier: MIT */
/*
 * The kernel's consoles: the boot UART and the framebuffer text console,
 * whichever exist. Lines reach them through the kernel log (klog.h), which
 * makes console_write its sink.
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

#endif
