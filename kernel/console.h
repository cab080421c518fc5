/* SPDX-License-Identifier: MIT */
/*
 * The kernel's early console: every line goes to the boot UART and to the
 * framebuffer text console, whichever exist. The kernel log ring comes later.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdint.h>

struct fw_uart;
struct kosh_framebuffer;

/* Use the UART described by fw (MMIO reached through hhdm). 0, or -1 if unusable. */
int console_use_uart(const struct fw_uart *fw, uint64_t hhdm);

/* Draw on the framebuffer fb, mapped at pixels. 0, or -1 if unusable. */
int console_use_framebuffer(void *pixels, const struct kosh_framebuffer *fb);

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
