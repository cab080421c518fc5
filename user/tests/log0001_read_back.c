/* SPDX-License-Identifier: MIT */
/*
 * LOG0001: the kernel log is readable through the log capability. A line this
 * process writes comes back from log_read, prefixed with the process's name,
 * with a sequence number and a time that only grow; reading past the newest
 * record says KOSH_E_WOULD_BLOCK; a handle without the read right, a buffer
 * too small for a record, or a bad buffer are refused. debug_print works in
 * debug builds (the default) and refuses bad pointers.
 */
#include <kosh/fmt.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "check.h"

static int contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return 1;
	return 0;
}

/* Read records from seq on until one holds text; its sequence number, or 0 if none. */
static uint64_t find(kosh_handle_t log, uint64_t seq, const char *text)
{
	struct kosh_log_record rec;
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	uint64_t last_time = 0;
	for (;;) {
		r[0] = log;
		r[1] = seq;
		r[2] = (uint64_t)(uintptr_t)&rec;
		r[3] = sizeof(rec);
		int64_t n = kosh_syscall(KOSH_SYS_log_read, r);
		if (n == KOSH_E_WOULD_BLOCK)
			return 0;
		CHECK(n > 0 && (uint64_t)n <= sizeof(rec));
		CHECK(rec.seq >= seq);
		CHECK(rec.time_ns >= last_time);
		CHECK_EQ(rec.len, strlen(rec.text));
		last_time = rec.time_ns;
		if (contains(rec.text, text))
			return rec.seq + 1;
		seq = r[1];
	}
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	char line[64];
	kosh_snprintf(line, sizeof(line), "log0001 marker %lld", (long long)kosh_clock_get());
	CHECK_OK(kosh_log_write(self->log, (uint64_t)(uintptr_t)line, strlen(line)));
	uint64_t at = find(self->log, 0, line);
	CHECK(at != 0);
	/* Reading on reaches the newest record (others may still log meanwhile), then stops. */
	struct kosh_log_record rec;
	int64_t n;
	while ((n = kosh_log_read(self->log, at, (uint64_t)(uintptr_t)&rec, sizeof(rec))) > 0)
		at = rec.seq + 1;
	CHECK_EQ(n, KOSH_E_WOULD_BLOCK);

	CHECK_ERR(kosh_log_read(self->log, 0, (uint64_t)(uintptr_t)&rec, sizeof(rec) - 1),
		  KOSH_E_INVALID_ARGUMENT);
	CHECK_ERR(kosh_log_read(self->log, 0, 0, sizeof(rec)), KOSH_E_BAD_ADDRESS);
	kosh_handle_t wo = (kosh_handle_t)CHECK_OK(kosh_handle_dup(self->log, KOSH_RIGHT_WRITE, 0));
	CHECK_ERR(kosh_log_read(wo, 0, (uint64_t)(uintptr_t)&rec, sizeof(rec)),
		  KOSH_E_ACCESS_DENIED);
	CHECK_OK(kosh_log_write(wo, (uint64_t)(uintptr_t)"via a write-only handle", 23));

	static const char hello[] = "LOG0001: debug_print reaches the console\n";
	CHECK_OK(kosh_debug_print((uint64_t)(uintptr_t)hello, sizeof(hello) - 1));
	CHECK_ERR(kosh_debug_print(0xffff800000000000ull, 16), KOSH_E_BAD_ADDRESS);
	return 0;
}
