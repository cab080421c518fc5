/* SPDX-License-Identifier: MIT */
/*
 * The kernel log ring (see klog.h): a fixed array of records, the newest
 * overwriting the oldest. One lock orders writers from every CPU; the sink (the
 * console) is called under it, so lines never interleave.
 */
#include "klog.h"

#include "arch.h"
#include "clock.h"
#include "panic.h"
#include "spinlock.h"

#include <kosh/fmt.h>
#include <kosh/string.h>

#define KLOG_RECORDS 256 /* power of two */

static struct klog_record ring[KLOG_RECORDS];
static uint64_t next_seq;
static struct spinlock lock = SPINLOCK_INIT;
static void (*sink)(const char *line, size_t len);

void klog_set_sink(void (*fn)(const char *line, size_t len))
{
	sink = fn;
}

static void emit(const struct klog_record *r)
{
	char line[sizeof(r->text) + 32];
	uint64_t us = r->time_ns / 1000;
	int n = kosh_snprintf(line, sizeof(line), "[%5llu.%06llu c%u] %s\n",
			      (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
			      r->cpu, r->text);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	sink(line, (size_t)n);
}

void klog(enum klog_level level, const char *fmt, ...)
{
	struct klog_record r;
	va_list ap;
	va_start(ap, fmt);
	int n = kosh_vsnprintf(r.text, sizeof(r.text), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(r.text) - 1)
		n = sizeof(r.text) - 1;
	if (n > 0 && r.text[n - 1] == '\n')
		r.text[n - 1] = 0;
	r.time_ns = clock_ns();
	r.cpu = arch_cpu_index();
	r.level = level;
	/* A panicking CPU may have died holding the lock: it writes without it. */
	int locked = !panic_in_progress();
	uint64_t flags = locked ? spin_lock_irqsave(&lock) : 0;
	r.seq = next_seq++;
	ring[r.seq & (KLOG_RECORDS - 1)] = r;
	if (sink)
		emit(&r);
	if (locked)
		spin_unlock_irqrestore(&lock, flags);
}

int klog_read(uint64_t seq, struct klog_record *out)
{
	uint64_t flags = spin_lock_irqsave(&lock);
	int found = seq < next_seq;
	if (found) {
		uint64_t oldest = next_seq > KLOG_RECORDS ? next_seq - KLOG_RECORDS : 0;
		*out = ring[(seq < oldest ? oldest : seq) & (KLOG_RECORDS - 1)];
	}
	spin_unlock_irqrestore(&lock, flags);
	return found;
}

uint64_t klog_next_seq(void)
{
	return __atomic_load_n(&next_seq, __ATOMIC_RELAXED);
}
