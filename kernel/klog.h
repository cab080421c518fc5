/* SPDX-License-Identifier: MIT */
/*
 * The kernel log: every message goes into one ring buffer with a timestamp (ns
 * of the monotonic clock), the CPU it came from and a level, and is printed on
 * the consoles as "[seconds.micros cN] text". Readers (later: log:// in
 * userspace) walk the ring by sequence number. Safe from any context.
 */
#ifndef KERNEL_KLOG_H
#define KERNEL_KLOG_H

#include <stddef.h>
#include <stdint.h>

enum klog_level {
	KLOG_DEBUG = 0,
	KLOG_INFO = 1,
	KLOG_WARN = 2,
	KLOG_ERROR = 3,
};

struct klog_record {
	uint64_t seq;
	uint64_t time_ns;
	uint32_t cpu;
	uint32_t level;
	char text[240]; /* NUL-terminated, without the trailing newline */
};

/* Log one line (a trailing '\n' in fmt is optional). */
void klog(enum klog_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define klog_info(...)  klog(KLOG_INFO, __VA_ARGS__)
#define klog_warn(...)  klog(KLOG_WARN, __VA_ARGS__)
#define klog_error(...) klog(KLOG_ERROR, __VA_ARGS__)
#ifdef KOSH_DEBUG
#define klog_debug(...) klog(KLOG_DEBUG, __VA_ARGS__)
#else
#define klog_debug(...) ((void)0)
#endif

/*
 * Copy the oldest record with a sequence number >= seq into *out. Returns 1, or
 * 0 when there is none yet. Records overwritten by newer ones are skipped: the
 * caller sees a gap in out->seq.
 */
int klog_read(uint64_t seq, struct klog_record *out);

/* The sequence number the next record will get. */
uint64_t klog_next_seq(void);

/* Where log lines go besides the ring (the console); NULL for none. */
void klog_set_sink(void (*sink)(const char *line, size_t len));

#endif
