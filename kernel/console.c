/* SPDX-License-Identifier: MIT */
/*
 * Console sinks (see console.h). Not locked here: the kernel log calls
 * console_write under its own lock.
 */
#include "console.h"

#include "fbcon.h"
#include "fw.h"
#include "uart.h"


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

void console_write(const char *s, size_t len)
{
	uart_write(&boot_uart, s, len);
	if (have_fb)
		fbcon_write(&boot_fb, s, len);
}
