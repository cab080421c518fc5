/* SPDX-License-Identifier: MIT */
/*
 * crash: reads through a null pointer, so the kernel kills it with a page
 * fault. The QEMU shell test runs it to see the shell report the fault
 * (docs/shell.md); it never returns normally.
 */
#include <stdio.h>

int main(void)
{
	volatile int *null = (volatile int *)0;
	fflush(stdout);
	return *null;
}
