/* SPDX-License-Identifier: MIT */
/*
 * bin/tests/helpers/fault: a program that faults on purpose, for FLT0001 (not
 * a test itself). argv[1] says how: null-read, null-write, rodata-write,
 * exec-data. Every one must be a page fault that ends the process; if the
 * access somehow succeeds the helper exits with status 77, which FLT0001
 * reports. Spawned under a name starting with "expected-fault", which tells
 * the boot-test harness that the kernel's report of the fault is expected.
 */
#include <stdint.h>

#include <kosh/log.h>
#include <kosh/string.h>

#define SURVIVED 77

static const uint64_t constant = 0x1234;
static uint8_t data_code[64] __attribute__((aligned(16)));

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	volatile uint64_t *volatile null = 0;
	if (strcmp(mode, "null-read") == 0) {
		uint64_t v = *null;
		kosh_printf("# read 0x%llx through NULL", (unsigned long long)v);
	} else if (strcmp(mode, "null-write") == 0) {
		*null = 1;
	} else if (strcmp(mode, "rodata-write") == 0) {
		*(volatile uint64_t *)&constant = 0x5678;
	} else if (strcmp(mode, "exec-data") == 0) {
		/* Zeros are harmless instructions on neither port: the fetch must fail first. */
		void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;
		fn();
	} else {
		kosh_printf("# unknown mode '%s'", mode);
		return 2;
	}
	kosh_printf("# %s did not fault", mode);
	return SURVIVED;
}
