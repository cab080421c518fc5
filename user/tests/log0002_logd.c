/* SPDX-License-Identifier: MIT */
/*
 * LOG0002: logd (sbin/logd) serves the kernel log as a file. Started on an
 * endpoint of ours with our log's read right as "klog-read", spoken to
 * directly (no vfsd): reading "/" gives the ring's records as text lines
 * "[seconds.micros] text" ending in end of file, among them a line we logged
 * just before, the same in 7-byte reads; a WRITE of two lines adds two kernel
 * log lines (read back through log_read and through logd); other paths are
 * ENOENT, a directory open ENOTDIR, SEEK ESPIPE.
 */
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define LOGD_PATH "sbin/logd"
#define TEXT_MAX  (96u << 10)

static char text[TEXT_MAX];

static void spawn_logd(kosh_handle_t ep, struct kosh_child *child)
{
	const struct kosh_self *self = kosh_self();
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry e;
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, LOGD_PATH, &e), KOSH_TAR_OK);
	kosh_handle_t q =
	    (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, TEST_HELPER_QUOTA));
	kosh_handle_t rd = (kosh_handle_t)CHECK_OK(
	    kosh_handle_dup(self->log, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER, 0));
	struct kosh_spawn_handle give[] = {
	    {"klog", self->log, 0, 0},
	    {"quota", q, KOSH_GIVE_MOVE, TEST_HELPER_QUOTA},
	    {"log", ep, 0, 0},
	    {"klog-read", rd, KOSH_GIVE_MOVE, 0},
	};
	const char *argv[] = {LOGD_PATH};
	struct kosh_spawn s = {
	    .name = "logd",
	    .image = e.data,
	    .image_size = e.size,
	    .argv = argv,
	    .argc = 1,
	    .handles = give,
	    .handle_count = 4,
	    .quota = q,
	};
	CHECK_EQ(kosh_spawn(&s, child), KOSH_OK);
}

/* Everything "/" gives until end of file, chunk bytes per READ; its length. */
static uint32_t read_all(kosh_handle_t ep, uint32_t chunk)
{
	kosh_handle_t f;
	uint32_t type, len = 0, got;
	CHECK_EQ(kosh_file_open(ep, "/", KOSH_VFS_O_READ, &f, &type, NULL), 0);
	CHECK_EQ(type, KOSH_VFS_FILE);
	do {
		CHECK(len + chunk < TEXT_MAX);
		CHECK_EQ(kosh_file_read(f, text + len, chunk, &got), 0);
		CHECK(got <= chunk);
		len += got;
	} while (got);
	text[len] = 0;
	CHECK_EQ(kosh_file_close(f), 0);
	return len;
}

/* The line of text that contains needle, or NULL. */
static const char *line_with(const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = text; *p; p++)
		if (strncmp(p, needle, n) == 0)
			return p;
	return NULL;
}

/* Every line is "[" 5+ columns of seconds "." 6 digits "] " text "\n". */
static void check_lines(uint32_t len)
{
	uint32_t lines = 0;
	CHECK(len > 0 && text[len - 1] == '\n');
	for (const char *p = text; *p; lines++) {
		CHECK_EQ(p[0], '[');
		const char *dot = p + 1;
		while (*dot == ' ' || (*dot >= '0' && *dot <= '9'))
			dot++;
		CHECK_EQ(*dot, '.');
		for (int i = 1; i <= 6; i++)
			CHECK(dot[i] >= '0' && dot[i] <= '9');
		CHECK(dot[7] == ']' && dot[8] == ' ');
		while (*p && *p != '\n')
			p++;
		CHECK_EQ(*p, '\n');
		p++;
	}
	check_note("%u lines, %u bytes", lines, len);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_child logd;
	kosh_handle_t f;
	uint32_t done;
	uint64_t pos;
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	spawn_logd(ep, &logd);

	kosh_printf("LOG0002 marker %llu", (unsigned long long)kosh_clock_get());
	uint32_t len = read_all(ep, KOSH_VFS_IO_MAX);
	check_lines(len);
	CHECK(line_with("LOG0002-logd: LOG0002 marker") != NULL);
	len = read_all(ep, 7);
	check_lines(len);
	CHECK(line_with("LOG0002-logd: LOG0002 marker") != NULL);

	/* Writing: each line a kernel log line, named after logd. */
	static const char two[] = "written through log://\nand a second line\n";
	CHECK_EQ(kosh_file_open(ep, "/", KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC,
				&f, NULL, NULL),
		 0);
	CHECK_EQ(kosh_file_write(f, two, sizeof(two) - 1, &done), 0);
	CHECK_EQ(done, sizeof(two) - 1);
	CHECK_EQ(kosh_file_seek(f, 0, KOSH_VFS_SEEK_SET, &pos), KOSH_VFS_ESPIPE);
	CHECK_EQ(kosh_file_close(f), 0);
	read_all(ep, KOSH_VFS_IO_MAX);
	const char *a = line_with("logd: written through log://"),
		   *b = line_with("logd: and a second line");
	CHECK(a && b && a < b);

	/* Other paths. */
	CHECK_EQ(kosh_file_open(ep, "/other", KOSH_VFS_O_READ, &f, NULL, NULL), KOSH_VFS_ENOENT);
	CHECK_EQ(kosh_file_open(ep, "/", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY, &f, NULL, NULL),
		 KOSH_VFS_ENOTDIR);

	CHECK_EQ(kosh_process_kill(logd.process, 0), KOSH_OK);
	CHECK_EQ(test_wait(&logd, 5 * TEST_SECOND), 0);
	return 0;
}
