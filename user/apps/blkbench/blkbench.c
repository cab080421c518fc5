/* SPDX-License-Identifier: MIT */
/*
 * blkbench: the sequential read throughput of a block device through the block
 * protocol (<kosh/blockdev.h>): the whole device read once with 4 KiB requests
 * and with 64 KiB requests, one request at a time, three times each, timed by
 * the monotonic clock (guest time: scripts/bench.sh runs QEMU with -icount
 * shift=0,sleep=off). Prints, to stdout, the median run's figure and each run's
 * (MB = 10^6 bytes):
 *
 *   blkbench: read_4k <MB/s> MB/s (median of 3 runs of <bytes> bytes in 4096-byte
 *             requests: <MB/s> <MB/s> <MB/s>; <n> requests over 1 ms)
 *   blkbench: read_64k ...
 *
 * and, first, the time of a GET_INFO round trip (the protocol without the device).
 *
 *   blkbench [--max BYTES] [--all] URI
 *     --max   read at most that much of the device
 *     --all   8, 16 and 32 KiB requests as well
 */
#include <stdarg.h>

#include <kosh/blockdev.h>
#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "blkout.h"

/* Read [0, bytes) of b in requests of req bytes: the guest ns it took, or 0 on an error. */
static uint64_t run_once(struct kosh_blockdev *b, const char *name, uint64_t req, uint64_t bytes,
			 uint64_t *slow)
{
	uint64_t per = req / b->sector_size, sectors = bytes / b->sector_size;
	uint64_t t0 = (uint64_t)kosh_clock_get(), last = t0;
	for (uint64_t s = 0; s < sectors; s += per) {
		uint64_t count = sectors - s < per ? sectors - s : per;
		uint32_t err = kosh_blockdev_read(b, s, count, 0);
		uint64_t now = (uint64_t)kosh_clock_get();
		*slow += now - last > 1000000; /* over 1 ms: the CPU went idle waiting */
		last = now;
		if (err) {
			blk_out("blkbench: %s: read of sector %llu: %s", name, (unsigned long long)s,
			    blk_errtext(err));
			return 0;
		}
	}
	uint64_t ns = (uint64_t)kosh_clock_get() - t0;
	return ns ? ns : 1;
}

/* MB/s (10^6 bytes) of bytes in ns, in hundredths. */
static uint64_t centi_mbs(uint64_t bytes, uint64_t ns)
{
	return bytes * 100000ull / ns;
}

/* RUNS runs; the median's figure, with every run's. 0 or -1. */
#define RUNS 3
static int run(struct kosh_blockdev *b, const char *name, uint64_t req, uint64_t bytes)
{
	uint64_t ns[RUNS], slow = 0;
	for (int i = 0; i < RUNS; i++)
		if (!(ns[i] = run_once(b, name, req, bytes, &slow)))
			return -1;
	uint64_t sorted[RUNS];
	memcpy(sorted, ns, sizeof(ns));
	for (int i = 1; i < RUNS; i++)
		for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			uint64_t t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	uint64_t done = bytes - bytes % b->sector_size, m = centi_mbs(done, sorted[RUNS / 2]);
	uint64_t c0 = centi_mbs(done, ns[0]), c1 = centi_mbs(done, ns[1]),
		 c2 = centi_mbs(done, ns[2]);
	blk_out("blkbench: %s %llu.%02llu MB/s (median of %d runs of %llu bytes in %llu-byte "
	    "requests: %llu.%02llu %llu.%02llu %llu.%02llu; %llu requests over 1 ms)",
	    name, (unsigned long long)(m / 100), (unsigned long long)(m % 100), RUNS,
	    (unsigned long long)done, (unsigned long long)req, (unsigned long long)(c0 / 100),
	    (unsigned long long)(c0 % 100), (unsigned long long)(c1 / 100),
	    (unsigned long long)(c1 % 100), (unsigned long long)(c2 / 100),
	    (unsigned long long)(c2 % 100), (unsigned long long)slow);
	return 0;
}

int main(int argc, char **argv)
{
	const char *uri = NULL;
	uint64_t max = UINT64_MAX;
	int explore = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
			uint64_t v = 0;
			for (const char *p = argv[++i]; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (uint64_t)(*p - '0');
			max = v;
		} else if (strcmp(argv[i], "--all") == 0) {
			explore = 1; /* 8, 16 and 32 KiB as well */
		} else if (!uri && argv[i][0] != '-') {
			uri = argv[i];
		} else {
			uri = NULL;
			break;
		}
	}
	if (!uri) {
		blk_out("usage: blkbench [--max BYTES] URI");
		return 2;
	}
	struct kosh_blockdev b;
	uint32_t err = kosh_blockdev_open(&b, kosh_vfs(), uri, 65536);
	if (err) {
		blk_out("blkbench: %s: %s", uri, blk_errtext(err));
		return 1;
	}
	uint64_t bytes = b.sectors * b.sector_size;
	if (bytes > max)
		bytes = max - max % 65536;
	/* The protocol alone, for comparison: GET_INFO round trips (no device access). */
	uint64_t t0 = (uint64_t)kosh_clock_get();
	for (int i = 0; i < 1000; i++)
		if (kosh_blockdev_info(&b))
			break;
	blk_out("blkbench: get_info %llu ns per call (1000 calls)",
	    (unsigned long long)(((uint64_t)kosh_clock_get() - t0) / 1000));
	int fail = run(&b, "read_4k", 4096, bytes) || run(&b, "read_64k", 65536, bytes);
	for (uint64_t req = 8192; !fail && explore && req <= 32768; req *= 2) {
		char name[16];
		kosh_snprintf(name, sizeof(name), "read_%lluk", (unsigned long long)(req >> 10));
		fail = run(&b, name, req, bytes) != 0;
	}
	kosh_blockdev_close(&b);
	return fail;
}
