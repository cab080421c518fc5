/* SPDX-License-Identifier: MIT */
#include "blkout.h"

#include <stdarg.h>
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/log.h>
#include <kosh/proto/block.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/string.h>

void blk_out(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	kosh_handle_t h = kosh_start_handle("stdout", NULL);
	uint32_t done;
	if (!h || kosh_file_write(h, line, (uint32_t)n, &done))
		kosh_log_line(line, (size_t)n - 1);
}

const char *blk_errtext(uint32_t err)
{
	const char *t = kosh_block_strerror(err);
	return strcmp(t, "unknown error") == 0 ? kosh_vfs_strerror(err) : t;
}
