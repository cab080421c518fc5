/* SPDX-License-Identifier: MIT */
/*
 * Console sinks (see console.h). Not locked here: the kernel log calls
 * console_write under its own lock. Whether the UART has been handed to a
 * userspace driver is asked of uart_given (sys_log.c's) before each write,
 * except in a panic, whose report must reach the UART whatever holds it.
 */
#include "console.h"

#include "fbcon.h"
#include "fw.h"
#include "panic.h"
#include "uart.h"

#define PAGE 4096ull

static struct uart boot_uart;
static uint64_t uart_phys; /* the UART's registers, if memory-mapped */
static struct fbcon boot_fb;
static int have_fb;

static int (*uart_given)(void);

int console_use_uart(const struct fw_uart *fw, uint64_t hhdm)
{
	uart_phys = fw->space == FW_SPACE_MEMORY ? fw->base : 0;
	return uart_init(&boot_uart, fw, hhdm);
}

int console_use_framebuffer(void *pixels, const struct kosh_framebuffer *fb)
{
	fbcon_init(&boot_fb, pixels, fb);
	have_fb = boot_fb.cols != 0;
	return have_fb ? 0 : -1;
}

/* Whether log lines go to the UART now. */
static int uart_ours(void)
{
	return panic_in_progress() || !uart_given || !uart_given();
}

void console_write(const char *s, size_t len)
{
	if (uart_ours())
		uart_write(&boot_uart, s, len);
	if (have_fb)
		fbcon_write(&boot_fb, s, len);
}

void console_set_uart_given(int (*given)(void))
{
	uart_given = given;
}

int console_uart_region(uint64_t *phys, uint64_t *size)
{
	if (!boot_uart.type || boot_uart.space != FW_SPACE_MEMORY || !uart_phys)
		return 0;
	/* A PL011 has 4 KiB of registers; a 16550's eight fit in one page at any stride. */
	uint64_t end = uart_phys + (boot_uart.type == FW_UART_PL011 ? PAGE : 8ull * boot_uart.stride);
	*phys = uart_phys & ~(PAGE - 1);
	*size = ((end + PAGE - 1) & ~(PAGE - 1)) - *phys;
	return 1;
}
