/* SPDX-License-Identifier: MIT */
/*
 * spin: loops forever without a system call, until it is killed. The QEMU
 * shell test stops it with Ctrl-C (docs/shell.md).
 */
int main(void)
{
	volatile unsigned long n = 0;
	for (;;)
		n++;
}
