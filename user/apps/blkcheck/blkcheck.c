/* SPDX-License-Identifier: MIT */
/*
 * blkcheck: read a block device through the block protocol (<kosh/blockdev.h>)
 * and check every byte against the pattern the disk test wrote
 * (test/qemu/disktest.py): the 8-byte little-endian word at byte X of the disk
 * is blk_pattern(X), so no copy of the data is needed.
 *
 *   blkcheck [options] URI
 *     --base S        the device's sector 0 is sector S of the disk (a partition)
 *     --check A:B     check sectors [A, B) of the device only (tables lie
 *                     elsewhere); everything is read all the same
 *     --req BYTES     bytes per READ (default 65536)
 *     --threads T     T threads read at once (1 .. 64), each its own requests
 *                     and its own part of the buffer: requests in flight
 *                     together, answered in any order
 *     --write A:C     write ~pattern over sectors [A, A + C), flush, read back
 *                     and check (the harness then checks the image file)
 *     --loop N        read the device N times over
 *     --kill-driver NAME  while looping, kill the process NAME (through
 *                     proc://) once, a third of the way through the first pass
 *
 * Prints what it did and "blkcheck: ok" or "blkcheck: FAIL" to stdout; the
 * status is 0 only when nothing was wrong. Errors (requests that failed even
 * after the client's retries) are counted apart from wrong data: under
 * --kill-driver a few may come while the driver restarts, wrong data never.
 */
#include <stdarg.h>

#include <kosh/blockdev.h>
#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "blkout.h"
#include <kosh/thread.h>

#define USAGE                                                                                      \
	"usage: blkcheck [--base S] [--check A:B] [--req BYTES] [--threads T] [--write A:C] "      \
	"[--loop N] [--kill-driver NAME] URI"
#define THREADS_MAX 64

/* The word at disk byte x (splitmix64's finaliser: every word differs). */
static uint64_t blk_pattern(uint64_t x)
{
	uint64_t z = x + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct {
	struct kosh_blockdev b;
	const char *uri;
	uint64_t base, check_from, check_to, req, write_at, write_count, loops;
	int has_check, has_write;
	const char *kill_name;
	/* Counts. */
	uint64_t reads, bytes, checked, wrong, errors, first_wrong;
	/* The killer thread. */
	uint64_t passes, threads, done; /* threads finished */
	volatile int kill_state;    /* 0 waiting, 1 killed, -1 failed */
	volatile uint64_t killed_id;
	uint64_t pass_bytes;
} ck;

static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

/* "A:B" */
static int parse_pair(const char *s, uint64_t *a, uint64_t *b)
{
	char first[24];
	size_t i = 0;
	while (s[i] && s[i] != ':' && i < sizeof(first) - 1) {
		first[i] = s[i];
		i++;
	}
	if (s[i] != ':')
		return -1;
	first[i] = '\0';
	return parse_u64(first, a) || parse_u64(s + i + 1, b) ? -1 : 0;
}

#define ADD(field, n) __atomic_fetch_add(&(field), (n), __ATOMIC_RELAXED)

/* Check count sectors read at device sector sector, now in the buffer at offset. */
static void check(uint64_t sector, uint64_t count, uint64_t offset, int inverted)
{
	uint32_t ss = ck.b.sector_size;
	for (uint64_t s = 0; s < count; s++) {
		uint64_t dev_sector = sector + s;
		if (dev_sector < ck.check_from || dev_sector >= ck.check_to)
			continue;
		const uint64_t *w = (const uint64_t *)(ck.b.buffer + offset + s * ss);
		uint64_t disk = (ck.base + dev_sector) * ss;
		for (uint32_t i = 0; i < ss / 8; i++) {
			uint64_t want = blk_pattern(disk + 8u * i);
			if (inverted)
				want = ~want;
			if (w[i] != want) {
				if (!ck.wrong)
					ck.first_wrong = disk + 8u * i;
				ADD(ck.wrong, 1);
			}
		}
		ADD(ck.checked, ss);
	}
}

/*
 * Worker k of ck.threads: every pass over the device, requests k, k + threads,
 * k + 2·threads … of ck.req bytes each, into its own part of the buffer.
 */
static void read_passes(uint32_t k)
{
	uint64_t per = ck.req / ck.b.sector_size, offset = k * ck.req;
	for (uint64_t pass = 0; pass < ck.passes; pass++)
		for (uint64_t s = k * per; s < ck.b.sectors; s += per * ck.threads) {
			uint64_t n = ck.b.sectors - s < per ? ck.b.sectors - s : per;
			uint32_t err = kosh_blockdev_read(&ck.b, s, n, offset);
			ADD(ck.reads, 1);
			if (err) {
				if (ADD(ck.errors, 1) < 5)
					blk_out("blkcheck: read of sectors %llu .. %llu: %s (%u)",
					    (unsigned long long)s, (unsigned long long)(s + n - 1),
					    blk_errtext(err), err);
				continue;
			}
			ADD(ck.bytes, n * ck.b.sector_size);
			check(s, n, offset, 0);
		}
}

static void worker(void *arg)
{
	read_passes((uint32_t)(uintptr_t)arg);
	ADD(ck.done, 1);
}

/* All passes with ck.threads threads (this one among them). 0, or -1. */
static int read_all(void)
{
	static struct kosh_thread t[THREADS_MAX];
	for (uint32_t k = 1; k < ck.threads; k++)
		if (kosh_thread_spawn(&t[k], worker, (void *)(uintptr_t)k, 16384)) {
			blk_out("blkcheck: cannot start thread %u", k);
			ck.passes = 0; /* the ones started stop at once */
			while (__atomic_load_n(&ck.done, __ATOMIC_ACQUIRE) < k - 1)
				kosh_yield();
			return -1;
		}
	read_passes(0);
	while (__atomic_load_n(&ck.done, __ATOMIC_ACQUIRE) < ck.threads - 1)
		kosh_yield();
	return 0;
}

/* The process named name in proc://: its id, or 0. */
static uint64_t find_process(const char *name)
{
	kosh_handle_t root;
	uint32_t type;
	uint64_t size, found = 0;
	static uint8_t dir[KOSH_VFS_IO_MAX];
	if (kosh_file_open(kosh_vfs(), "proc:///", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY, &root,
			   &type, &size))
		return 0;
	uint64_t cookie = 0;
	int end = 0;
	while (!end && !found) {
		uint32_t used;
		uint64_t next;
		if (kosh_file_readdir(root, cookie, dir, sizeof(dir), &used, &next, &end))
			break;
		for (uint32_t at = 0; at + 12 <= used && !found;) {
			const struct kosh_vfs_dirent *e = (const void *)(dir + at);
			uint64_t id;
			char nm[24], path[64], text[512];
			if (e->namelen >= sizeof(nm) || at + KOSH_VFS_DIRENT_SIZE(e->namelen) > used)
				break;
			memcpy(nm, e->name, e->namelen);
			nm[e->namelen] = '\0';
			at += KOSH_VFS_DIRENT_SIZE(e->namelen);
			if (parse_u64(nm, &id))
				continue;
			kosh_snprintf(path, sizeof(path), "proc:///%s/status", nm);
			kosh_handle_t f;
			if (kosh_file_open(kosh_vfs(), path, KOSH_VFS_O_READ, &f, &type, &size))
				continue;
			uint32_t got = 0;
			(void)kosh_file_read(f, text, sizeof(text) - 1, &got);
			(void)kosh_file_close(f);
			text[got] = '\0';
			/* "name: <name>\n" is the first line; "state: running" must follow. */
			size_t nl = strlen(name);
			if (strncmp(text, "name: ", 6) == 0 && strncmp(text + 6, name, nl) == 0 &&
			    text[6 + nl] == '\n')
				for (const char *p = text; *p; p++)
					if (strncmp(p, "state: running", 14) == 0)
						found = id;
		}
		cookie = next;
	}
	(void)kosh_file_close(root);
	return found;
}

static void killer(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&ck.bytes, __ATOMIC_RELAXED) < ck.pass_bytes / 3)
		kosh_yield();
	uint64_t id = find_process(ck.kill_name);
	if (!id) {
		ck.kill_state = -1;
		return;
	}
	char path[64];
	kosh_handle_t f;
	uint32_t type, done;
	uint64_t size;
	kosh_snprintf(path, sizeof(path), "proc:///%llu/ctl", (unsigned long long)id);
	if (kosh_file_open(kosh_vfs(), path, KOSH_VFS_O_WRITE, &f, &type, &size)) {
		ck.kill_state = -1;
		return;
	}
	uint32_t err = kosh_file_write(f, "kill", 4, &done);
	(void)kosh_file_close(f);
	ck.killed_id = id;
	ck.kill_state = err ? -1 : 1;
}

/* --write: ~pattern over [write_at, write_at + write_count), flush, read back. */
static int write_test(void)
{
	uint32_t ss = ck.b.sector_size;
	uint64_t per = ck.b.buffer_size / ss;
	uint64_t wrong_before = ck.wrong;
	if (ck.write_at >= ck.b.sectors || ck.write_count > ck.b.sectors - ck.write_at) {
		blk_out("blkcheck: --write %llu:%llu is past the device's end",
		    (unsigned long long)ck.write_at, (unsigned long long)ck.write_count);
		return -1;
	}
	for (uint64_t s = 0; s < ck.write_count; s += per) {
		uint64_t n = ck.write_count - s < per ? ck.write_count - s : per;
		uint64_t *w = (uint64_t *)ck.b.buffer;
		for (uint64_t i = 0; i < n * ss / 8; i++)
			w[i] = ~blk_pattern((ck.base + ck.write_at + s) * ss + 8 * i);
		uint32_t err = kosh_blockdev_write(&ck.b, ck.write_at + s, n, 0);
		if (err) {
			blk_out("blkcheck: write: %s", blk_errtext(err));
			return -1;
		}
	}
	uint32_t err = kosh_blockdev_flush(&ck.b);
	if (err) {
		blk_out("blkcheck: flush: %s", blk_errtext(err));
		return -1;
	}
	uint64_t from = ck.check_from, to = ck.check_to;
	ck.check_from = 0;
	ck.check_to = UINT64_MAX;
	for (uint64_t s = 0; s < ck.write_count; s += per) {
		uint64_t n = ck.write_count - s < per ? ck.write_count - s : per;
		memset(ck.b.buffer, 0, n * ss);
		err = kosh_blockdev_read(&ck.b, ck.write_at + s, n, 0);
		if (err) {
			blk_out("blkcheck: read back: %s", blk_errtext(err));
			return -1;
		}
		check(ck.write_at + s, n, 0, 1);
	}
	ck.check_from = from;
	ck.check_to = to;
	blk_out("blkcheck: write: %llu sectors at %llu written, flushed, read back: wrong %llu",
	    (unsigned long long)ck.write_count, (unsigned long long)ck.write_at,
	    (unsigned long long)(ck.wrong - wrong_before));
	return ck.wrong == wrong_before ? 0 : -1;
}

int main(int argc, char **argv)
{
	ck.req = 65536;
	ck.threads = 1;
	ck.check_to = UINT64_MAX;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--base") == 0 && v)
			bad = parse_u64(v, &ck.base), i++;
		else if (strcmp(a, "--check") == 0 && v)
			bad = parse_pair(v, &ck.check_from, &ck.check_to), ck.has_check = 1, i++;
		else if (strcmp(a, "--req") == 0 && v)
			bad = parse_u64(v, &ck.req), i++;
		else if (strcmp(a, "--write") == 0 && v)
			bad = parse_pair(v, &ck.write_at, &ck.write_count), ck.has_write = 1, i++;
		else if (strcmp(a, "--loop") == 0 && v)
			bad = parse_u64(v, &ck.loops), i++;
		else if (strcmp(a, "--threads") == 0 && v)
			bad = parse_u64(v, &ck.threads) || !ck.threads || ck.threads > THREADS_MAX, i++;
		else if (strcmp(a, "--kill-driver") == 0 && v)
			ck.kill_name = v, i++;
		else if (a[0] != '-' && !ck.uri)
			ck.uri = a;
		else
			bad = 1;
		if (bad) {
			blk_out("%s", USAGE);
			return 2;
		}
	}
	if (!ck.uri || !ck.req || ck.req > KOSH_BLOCK_BUFFER_MAX / ck.threads ||
	    ck.req % KOSH_BLOCK_PAGE) {
		blk_out("%s", USAGE);
		return 2;
	}
	uint32_t err = kosh_blockdev_open(&ck.b, kosh_vfs(), ck.uri, ck.req * ck.threads);
	if (err) {
		blk_out("blkcheck: %s: %s", ck.uri, blk_errtext(err));
		blk_out("blkcheck: FAIL");
		return 1;
	}
	blk_out("blkcheck: %s: %llu sectors of %u bytes%s", ck.uri, (unsigned long long)ck.b.sectors,
	    ck.b.sector_size, ck.b.flags & KOSH_BLOCK_F_READ_ONLY ? ", read-only" : "");
	if (ck.req % ck.b.sector_size) {
		blk_out("blkcheck: --req is not a whole number of sectors");
		return 2;
	}
	int fail = 0;
	uint64_t t0 = (uint64_t)kosh_clock_get();
	if (ck.has_write) {
		fail |= write_test() != 0;
	} else if (ck.loops) {
		struct kosh_thread t;
		ck.pass_bytes = ck.b.sectors * ck.b.sector_size;
		if (ck.kill_name && kosh_thread_spawn(&t, killer, NULL, 0)) {
			blk_out("blkcheck: cannot start the killer thread");
			return 1;
		}
		ck.passes = ck.loops;
		fail |= read_all() != 0;
		if (ck.kill_name) {
			while (ck.kill_state == 0) /* a device read faster than the killer looked */
				kosh_yield();
		}
		blk_out("blkcheck: loop: passes %llu, reads %llu, bytes %llu, errors %llu, wrong %llu, "
		    "retried: lost %llu, rebuffer %llu, again %llu, killed %s (id %llu)",
		    (unsigned long long)ck.loops, (unsigned long long)ck.reads,
		    (unsigned long long)ck.bytes, (unsigned long long)ck.errors,
		    (unsigned long long)ck.wrong, (unsigned long long)ck.b.stats.lost,
		    (unsigned long long)ck.b.stats.rebuffer, (unsigned long long)ck.b.stats.again,
		    !ck.kill_name ? "no" : ck.kill_state > 0 ? "yes" : "FAILED",
		    (unsigned long long)ck.killed_id);
		fail |= ck.wrong != 0 || (ck.kill_name && ck.kill_state <= 0);
	} else {
		ck.passes = 1;
		fail |= read_all() != 0;
		blk_out("blkcheck: %s: read %llu bytes in %llu reads, checked %llu, wrong %llu, errors "
		    "%llu, retried: again %llu",
		    ck.uri, (unsigned long long)ck.bytes, (unsigned long long)ck.reads,
		    (unsigned long long)ck.checked, (unsigned long long)ck.wrong,
		    (unsigned long long)ck.errors, (unsigned long long)ck.b.stats.again);
		fail |= ck.wrong != 0 || ck.errors != 0 || (ck.has_check && ck.checked == 0);
	}
	if (ck.wrong)
		blk_out("blkcheck: first wrong word at disk byte %llu", (unsigned long long)ck.first_wrong);
	uint64_t ms = ((uint64_t)kosh_clock_get() - t0) / 1000000;
	blk_out("blkcheck: %s (%llu ms)", fail ? "FAIL" : "ok", (unsigned long long)ms);
	kosh_blockdev_close(&ck.b);
	return fail;
}
