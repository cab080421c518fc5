/* SPDX-License-Identifier: MIT */
/*
 * fsbench [-s MiB] [-b KiB] [-k PID] FILE: sequential file throughput through the C
 * library (docs/performance.md): writes FILE (MiB mebibytes, default 16, in
 * writes of KiB kibibytes, default 64) with a pattern, fsyncs it, then reads
 * it back in the same size and checks every byte. Only the time inside
 * write, fsync and read counts (making and checking the pattern does not).
 * Prints, in guest time (CLOCK_MONOTONIC):
 *   fsbench: write <MB/s> MB/s (<bytes> bytes, <ns> ns, fsync included)
 *   fsbench: read <MB/s> MB/s (<bytes> bytes, <ns> ns)
 * Exit 1 if anything fails or a byte read back differs. (MB: 10^6 bytes.)
 *
 * -k PID, for test/qemu/fattest.py: once half the file is written, end
 * process PID (the file's server) as kill does, through proc:///PID/ctl, and
 * go on writing: what the writes after that answer is printed, and the exit
 * status is 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The byte at offset off: not periodic in any power of two a cluster could hide. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + off / 251);
}

static void fill(uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern(off + i);
}

static void report(const char *what, uint64_t bytes, uint64_t ns, const char *extra)
{
	uint64_t centi = ns ? bytes * 100000ull / ns : 0; /* MB/s * 100 */
	printf("fsbench: %s %llu.%02llu MB/s (%llu bytes, %llu ns%s)\n", what,
	       (unsigned long long)(centi / 100), (unsigned long long)(centi % 100),
	       (unsigned long long)bytes, (unsigned long long)ns, extra);
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "fsbench: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

/* "kill" to proc:///pid/ctl: 0, or -1 with errno. */
static int kill_pid(unsigned long pid)
{
	char ctl[64];
	snprintf(ctl, sizeof(ctl), "proc:///%lu/ctl", pid);
	int fd = open(ctl, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "kill", 4);
	int saved = errno;
	close(fd);
	errno = saved;
	return n == 4 ? 0 : -1;
}

static unsigned long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	return *s && !*end && v >= 1 && v <= max ? v : 0;
}

int main(int argc, char **argv)
{
	static const char usage[] =
	    "usage: fsbench [-s MiB (1..1024)] [-b KiB (1..1024)] [-k PID] FILE\n";
	unsigned long mib = 16, kib = 64, victim = 0;
	int opt;
	while ((opt = getopt(argc, argv, "s:b:k:")) != -1) {
		if (opt == 's' && (mib = number(optarg, 1024)))
			continue;
		if (opt == 'b' && (kib = number(optarg, 1024)))
			continue;
		if (opt == 'k' && (victim = number(optarg, 1ul << 31)))
			continue;
		fputs(usage, stderr);
		return 2;
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *path = argv[optind];
	uint64_t total = (uint64_t)mib << 20;
	size_t chunk = (size_t)kib << 10;
	uint8_t *buf = malloc(chunk), *want = malloc(chunk);
	if (!buf || !want) {
		fprintf(stderr, "fsbench: no memory for %zu-byte buffers\n", chunk);
		return 1;
	}

	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("cannot create", path);
	uint64_t spent = 0, t0;
	for (uint64_t off = 0; off < total; off += chunk) {
		if (victim && off >= total / 2) {
			if (kill_pid(victim) < 0) {
				fprintf(stderr, "fsbench: cannot kill process %lu: %s\n", victim,
					strerror(errno));
				return 1;
			}
			printf("fsbench: killed %lu at byte %llu\n", victim,
			       (unsigned long long)off);
			fflush(stdout);
			victim = 0;
		}
		fill(buf, off, chunk);
		t0 = now_ns();
		for (size_t done = 0; done < chunk;) {
			ssize_t n = write(fd, buf + done, chunk - done);
			if (n <= 0)
				return fail("cannot write", path);
			done += (size_t)n;
		}
		spent += now_ns() - t0;
	}
	t0 = now_ns();
	if (fsync(fd) < 0)
		return fail("cannot fsync", path);
	spent += now_ns() - t0;
	close(fd);
	report("write", total, spent, ", fsync included");

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("cannot open", path);
	uint64_t bad = 0, got = 0;
	spent = 0;
	for (;;) {
		t0 = now_ns();
		ssize_t n = read(fd, buf, chunk);
		spent += now_ns() - t0;
		if (n < 0)
			return fail("cannot read", path);
		if (n == 0)
			break;
		fill(want, got, (size_t)n);
		if (memcmp(buf, want, (size_t)n) != 0)
			for (ssize_t i = 0; i < n; i++)
				bad += buf[i] != want[i];
		got += (uint64_t)n;
	}
	close(fd);
	if (got != total || bad) {
		fprintf(stderr, "fsbench: read back %llu of %llu bytes, %llu wrong\n",
			(unsigned long long)got, (unsigned long long)total,
			(unsigned long long)bad);
		return 1;
	}
	report("read", total, spent, "");
	return 0;
}
