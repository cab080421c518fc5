/* SPDX-License-Identifier: MIT */
/*
 * ConOut output for the loader. Text is formatted as ASCII and widened to UCS-2
 * in small chunks, so no allocation is needed and a long line is never lost.
 */
#include "console.h"

#include <kosh/fmt.h>

static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;

void console_init(EFI_SYSTEM_TABLE *st)
{
	con_out = st->ConOut;
}

static void put_ascii(const char *s)
{
	CHAR16 wide[128];
	UINTN n = 0;
	for (; *s; s++) {
		if (*s == '\n')
			wide[n++] = L'\r';
		wide[n++] = (CHAR16)(unsigned char)*s;
		if (n >= 126) {
			wide[n] = 0;
			con_out->OutputString(con_out, wide);
			n = 0;
		}
	}
	wide[n] = 0;
	if (n)
		con_out->OutputString(con_out, wide);
}

void console_printf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!con_out)
		return;
	va_start(ap, fmt);
	kosh_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put_ascii(line);
}
