/* SPDX-License-Identifier: MIT */
/*
 * Early console sinks (see console.h). Single CPU, no locking yet: the kernel
 * runs on the boot CPU alone until SMP arrives, with interrupts masked.
 */
#include "console.h"

#include "fbcon.h"
#include "fw.h"
#include "uart.h"

#include <kosh/fmt.h>

static struct uart boot_uart;
static struct fbcon boot_fb;
static int have_fb;

int console_use_uart(const struct fw_uart *fw, uint64_t hhdm)
{
	return uart_init(&boot_uart, fw, hhdm);
}

int console_use_framebuffer(void *pixels, const struct kosh_framebuffer *fb)
{
	fbcon_init(&boot_fb, pixels, fb);
	have_fb = boot_fb.cols != 0;
	return have_fb ? 0 : -1;
}

void kprintf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	uart_write(&boot_uart, line, (uint64_t)n);
	if (have_fb)
		fbcon_write(&boot_fb, line, (uint64_t)n);
}
