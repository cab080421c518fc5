/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the kernel's console sinks (kernel/console.c) on the fake
 * port, whose port writes are counted and whose 16550 always has room: the
 * UART is written until it is given away (log_console), again once the giver
 * says it is no longer given, and always during a panic; the region of a
 * memory-mapped UART is its page(s), that of an I/O-port UART none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch_fake.h"
#include "console.h"
#include "fw.h"

static int given;

static int uart_given(void)
{
	return given;
}

/* Port writes for one console_write of 3 bytes. */
static uint64_t writes_for_line(void)
{
	uint64_t before = arch_fake.port_writes;
	console_write("ab\n", 3);
	return arch_fake.port_writes - before;
}

static void test_console_uart_given_away_and_back(void **state)
{
	struct fw_uart com1 = { .type = FW_UART_16550, .space = FW_SPACE_IO, .base = 0x3f8 };
	assert_int_equal(console_use_uart(&com1, 0), 0);
	console_set_uart_given(uart_given);
	given = 0;
	assert_int_equal(writes_for_line(), 4); /* '\n' goes out as CR LF */
	given = 1;
	assert_int_equal(writes_for_line(), 0);
	arch_fake.panicking = 1; /* a panic prints whoever holds the UART */
	assert_int_equal(writes_for_line(), 4);
	arch_fake.panicking = 0;
	given = 0; /* the holder died */
	assert_int_equal(writes_for_line(), 4);
	console_set_uart_given(NULL);
	given = 1;
	assert_int_equal(writes_for_line(), 4);
}

static void test_console_uart_region(void **state)
{
	uint64_t phys = 0, size = 0;
	struct fw_uart com1 = { .type = FW_UART_16550, .space = FW_SPACE_IO, .base = 0x3f8 };
	struct fw_uart pl011 = { .type = FW_UART_PL011, .space = FW_SPACE_MEMORY, .base = 0x9000000 };
	struct fw_uart mmio = { .type = FW_UART_16550, .space = FW_SPACE_MEMORY, .base = 0x1ff0,
				.reg_shift = 2 };
	assert_int_equal(console_use_uart(&com1, 0), 0);
	assert_int_equal(console_uart_region(&phys, &size), 0); /* ports: no frame */
	assert_int_equal(console_use_uart(&pl011, 0), 0);
	assert_int_equal(console_uart_region(&phys, &size), 1);
	assert_int_equal(phys, 0x9000000);
	assert_int_equal(size, 4096);
	/* A 16550 at stride 4 from 0x1ff0 reaches 0x200f: two pages. Its registers are regs. */
	static uint8_t regs[64];
	assert_int_equal(console_use_uart(&mmio, (uint64_t)(uintptr_t)regs - 0x1ff0), 0);
	assert_int_equal(console_uart_region(&phys, &size), 1);
	assert_int_equal(phys, 0x1000);
	assert_int_equal(size, 0x2000);
	struct fw_uart none = { .type = FW_UART_OTHER };
	assert_int_equal(console_use_uart(&none, 0), -1);
	assert_int_equal(console_uart_region(&phys, &size), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_console_uart_given_away_and_back),
		cmocka_unit_test(test_console_uart_region),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
