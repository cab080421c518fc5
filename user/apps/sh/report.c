/* SPDX-License-Identifier: MIT */
/*
 * Where a program faulted, for the shell's report ("sh: crash: killed by page
 * fault at 0x0"). The exit status only says the kind of fault; the kernel logs
 * the rest when it kills the process:
 *
 *   kosh: process 12 (crash) thread 13 killed: page fault at 0x0, pc 0x400123, ...
 *
 * and logd serves every kernel log record still in the ring as log://. The
 * last such line for the process's kernel id gives the address. Best effort:
 * without logd, or once the line has left the ring, there is no address.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

#define REPORT_READ_MAX (1u << 20) /* bytes of log:// read at most */
#define REPORT_LINE_MAX 512u

/* In a kill line, " at 0x…" up to the next ',' into out. */
static void take_address(const char *line, char *out, size_t size)
{
	const char *at = strstr(line, " at 0x");
	if (!at)
		return;
	size_t len = strcspn(at, ",\n");
	if (len >= size)
		len = size - 1;
	memcpy(out, at, len);
	out[len] = '\0';
}

void sh_fault_where(uint64_t id, char *out, size_t size)
{
	char needle[48], buf[4096], line[REPORT_LINE_MAX];
	size_t line_len = 0, total = 0;
	ssize_t n;
	out[0] = '\0';
	int fd = open("log://", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(needle, sizeof(needle), "kosh: process %llu (", (unsigned long long)id);
	while (total < REPORT_READ_MAX && (n = read(fd, buf, sizeof(buf))) > 0) {
		total += (size_t)n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (line_len < sizeof(line) - 1)
					line[line_len++] = buf[i];
				continue;
			}
			line[line_len] = '\0';
			if (strstr(line, needle) && strstr(line, " killed: "))
				take_address(line, out, size);
			line_len = 0;
		}
	}
	close(fd);
}
