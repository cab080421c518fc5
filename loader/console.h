/* SPDX-License-Identifier: MIT */
/*
 * The loader's console: formatted ASCII lines on the firmware's ConOut, which
 * OVMF and AAVMF mirror to the serial port. Usable only before ExitBootServices.
 */
#ifndef LOADER_CONSOLE_H
#define LOADER_CONSOLE_H

#include <efi.h>

void console_init(EFI_SYSTEM_TABLE *st);

/* Print a formatted line (kosh_vsnprintf syntax); '\n' becomes CRLF. */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
