/* SPDX-License-Identifier: MIT */
/*
 * rngcheck [uri]: reads random bytes from rng:// (or uri) and checks they look
 * random, for the QEMU test (test/qemu/virtiotest.py): two reads of
 * CHUNK bytes each, and for each that the bytes are not all equal, that no
 * 16-byte block repeats within or across them (a stuck or looping source),
 * that every byte value appears (8 KiB of uniform bytes miss one with
 * probability about 1e-25), and that the two reads differ; and that the stream
 * cannot be seeked (ESPIPE) or opened for writing (EACCES). Prints one line per
 * check ("rngcheck: ok <what>" or "rngcheck: FAIL <what>") and a summary;
 * the status is 0 when all passed, 1 if a check failed, 2 if rng:// could not
 * be read (its error printed: ENODEV where there is no source).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 8192u
#define BLOCK 16u

static int failures;

static void check(int ok, const char *what)
{
	printf("rngcheck: %s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

/* Read exactly CHUNK bytes (several READs); 0, or -1 with errno. */
static int read_chunk(int fd, uint8_t *buf)
{
	size_t done = 0;
	while (done < CHUNK) {
		ssize_t n = read(fd, buf + done, CHUNK - done);
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO; /* an endless stream that ended */
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int cmp_block(const void *a, const void *b)
{
	return memcmp(a, b, BLOCK);
}

/* No two 16-byte blocks of buf[0 .. n) are equal. */
static int blocks_unique(const uint8_t *buf, size_t n)
{
	uint8_t *copy = malloc(n);
	if (!copy)
		return 0;
	memcpy(copy, buf, n);
	qsort(copy, n / BLOCK, BLOCK, cmp_block);
	int unique = 1;
	for (size_t i = BLOCK; i < n && unique; i += BLOCK)
		unique = memcmp(copy + i - BLOCK, copy + i, BLOCK) != 0;
	free(copy);
	return unique;
}

static int all_values(const uint8_t *buf, size_t n)
{
	uint8_t seen[256] = {0};
	for (size_t i = 0; i < n; i++)
		seen[buf[i]] = 1;
	for (int v = 0; v < 256; v++)
		if (!seen[v])
			return 0;
	return 1;
}

static int all_equal(const uint8_t *buf, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (buf[i] != buf[0])
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "rng://";
	static uint8_t buf[2 * CHUNK];
	if (argc > 2) {
		fprintf(stderr, "usage: rngcheck [uri]\n");
		return 2;
	}
	int fd = open(uri, O_RDONLY);
	if (fd < 0) {
		printf("rngcheck: cannot open %s: %s\n", uri, strerror(errno));
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		if (read_chunk(fd, buf + i * CHUNK)) {
			printf("rngcheck: cannot read %s: %s\n", uri, strerror(errno));
			close(fd);
			return 2;
		}
	}
	errno = 0;
	check(lseek(fd, 0, SEEK_SET) < 0 && errno == ESPIPE, "the stream is not seekable (ESPIPE)");
	close(fd);
	errno = 0;
	fd = open(uri, O_WRONLY);
	check(fd < 0 && errno == EACCES, "opening it for writing is refused (EACCES)");
	if (fd >= 0)
		close(fd);
	check(!all_equal(buf, CHUNK) && !all_equal(buf + CHUNK, CHUNK), "bytes not all equal");
	check(all_values(buf, CHUNK) && all_values(buf + CHUNK, CHUNK), "every byte value appears");
	check(blocks_unique(buf, sizeof(buf)), "no 16-byte block repeats");
	check(memcmp(buf, buf + CHUNK, CHUNK) != 0, "two reads differ");
	printf("rngcheck: %s, %u bytes from %s\n", failures ? "FAILED" : "passed", 2 * CHUNK, uri);
	return failures ? 1 : 0;
}
