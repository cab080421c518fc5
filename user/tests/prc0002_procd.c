/* SPDX-License-Identifier: MIT */
/*
 * PRC0002: procd (sbin/procd) serves proc:// from the processes registered
 * with it (<kosh/proto/proc.h>). Started on endpoints of ours ("proc" and
 * "procreg") and spoken to directly (no vfsd): a child registered with its
 * quota is listed, its status has its name, parent, state, threads and its
 * quota's limit; registering it twice is EEXIST, a capability of another type
 * EBADF; meminfo and uptime read; writing "kill" to its ctl ends it with
 * KOSH_EXIT_KILLED, and it leaves the listing; a process registered without
 * the manage right cannot be killed through ctl (EACCES).
 */
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/proc.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define SELF_PATH  "bin/tests/PRC0002-procd"
#define PROCD_PATH "sbin/procd"

/* Spawn path as name with the handles extra besides klog and a quota, whose copy *quota keeps. */
static void spawn(const char *path, const char *name, const char *arg,
		  const struct kosh_spawn_handle *extra, uint32_t count, kosh_handle_t *quota,
		  struct kosh_child *child)
{
	const struct kosh_self *self = kosh_self();
	const void *initfs;
	uint64_t size;
	struct kosh_tar_entry e;
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK);
	CHECK_EQ(kosh_tar_find(initfs, size, path, &e), KOSH_TAR_OK);
	kosh_handle_t q =
	    (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, TEST_HELPER_QUOTA));
	struct kosh_spawn_handle give[8] = {
	    {"klog", self->log, 0, 0},
	    {"quota", q, 0, TEST_HELPER_QUOTA},
	};
	CHECK(count <= 6);
	for (uint32_t i = 0; i < count; i++)
		give[2 + i] = extra[i];
	const char *argv[] = {path, arg};
	struct kosh_spawn s = {
	    .name = name,
	    .image = e.data,
	    .image_size = e.size,
	    .argv = argv,
	    .argc = arg ? 2 : 1,
	    .handles = give,
	    .handle_count = 2 + count,
	    .quota = q,
	};
	CHECK_EQ(kosh_spawn(&s, child), KOSH_OK);
	*quota = q;
}

static char text[1024];

/* The whole of file uri (at most sizeof(text) - 1 bytes), NUL-terminated; 0 or the error. */
static uint32_t read_file(kosh_handle_t ep, const char *uri)
{
	kosh_handle_t f;
	uint32_t len = 0, got, err = kosh_file_open(ep, uri, KOSH_VFS_O_READ, &f, NULL, NULL);
	if (err)
		return err;
	do {
		CHECK_EQ(kosh_file_read(f, text + len, sizeof(text) - 1 - len, &got), 0);
		len += got;
	} while (got && len < sizeof(text) - 1);
	text[len] = 0;
	CHECK_EQ(kosh_file_close(f), 0);
	return 0;
}

static int has_line(const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; *p;) {
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
			return 1;
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return 0;
}

/* 1 if the directory "/" lists name. */
static int listed(kosh_handle_t ep, const char *name)
{
	kosh_handle_t d;
	static char buf[KOSH_VFS_IO_MAX];
	uint64_t cookie = 0, next;
	int end = 0, found = 0;
	CHECK_EQ(kosh_file_open(ep, "/", KOSH_VFS_O_READ | KOSH_VFS_O_DIRECTORY, &d, NULL, NULL),
		 0);
	while (!end) {
		uint32_t used, pos = 0;
		CHECK_EQ(kosh_file_readdir(d, cookie, buf, sizeof(buf), &used, &next, &end), 0);
		const struct kosh_vfs_dirent *e;
		while ((e = kosh_vfs_dirent_next(buf, used, &pos)))
			found |= strcmp(e->name, name) == 0;
		cookie = next;
	}
	CHECK_EQ(kosh_file_close(d), 0);
	return found;
}

static void write_ctl(kosh_handle_t ep, uint64_t id, const char *what, uint32_t want)
{
	char uri[48];
	kosh_handle_t f;
	uint32_t done;
	kosh_snprintf(uri, sizeof(uri), "/%llu/ctl", (unsigned long long)id);
	CHECK_EQ(kosh_file_open(ep, uri, KOSH_VFS_O_WRITE, &f, NULL, NULL), 0);
	CHECK_EQ(kosh_file_write(f, what, (uint32_t)strlen(what), &done), want);
	CHECK_EQ(kosh_file_close(f), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		for (;;)
			kosh_yield();

	const struct kosh_self *self = kosh_self();
	struct kosh_process_info me, info;
	struct kosh_child procd, child, weak_child;
	kosh_handle_t q, pq, wq;
	uint64_t id, status;
	char line[64], name[24];
	CHECK_EQ(kosh_proc_info(self->process, &me), KOSH_OK);

	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t reg = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	struct kosh_spawn_handle eps[] = {{"proc", ep, 0, 0},
					  {KOSH_PROC_REGISTER_ENDPOINT, reg, 0, 0}};
	spawn(PROCD_PATH, "procd", NULL, eps, 2, &pq, &procd);

	/* A child, registered with its quota. */
	spawn(SELF_PATH, "prc-child", "spin", NULL, 0, &q, &child);
	CHECK_EQ(kosh_proc_info(child.process, &info), KOSH_OK);
	CHECK_EQ(kosh_proc_register(reg, child.process, q, me.id, 5 * TEST_SECOND, &id), KOSH_OK);
	CHECK_EQ(id, info.id);
	CHECK_ERR(kosh_proc_register(reg, child.process, q, me.id, 5 * TEST_SECOND, &id),
		  KOSH_E_INVALID_ARGUMENT);
	CHECK_EQ(id, KOSH_VFS_EEXIST);
	CHECK_ERR(kosh_proc_register(reg, self->quota, 0, 0, 5 * TEST_SECOND, &id),
		  KOSH_E_INVALID_ARGUMENT);
	CHECK_EQ(id, KOSH_VFS_EBADF);

	/* Listed, with its status. */
	kosh_snprintf(name, sizeof(name), "%llu", (unsigned long long)info.id);
	CHECK(listed(ep, "meminfo") && listed(ep, "uptime") && listed(ep, name));
	kosh_snprintf(line, sizeof(line), "/%s/status", name);
	CHECK_EQ(read_file(ep, line), 0);
	CHECK(has_line("name: prc-child"));
	kosh_snprintf(line, sizeof(line), "id: %s", name);
	CHECK(has_line(line));
	kosh_snprintf(line, sizeof(line), "parent: %llu", (unsigned long long)me.id);
	CHECK(has_line(line));
	CHECK(has_line("state: running"));
	CHECK(has_line("threads: 1"));
	kosh_snprintf(line, sizeof(line), "limit_kib: %llu",
		      (unsigned long long)(TEST_HELPER_QUOTA >> 10));
	CHECK(has_line(line));
	CHECK_EQ(read_file(ep, "/meminfo"), 0);
	CHECK(strncmp(text, "total_kib: ", 11) == 0);
	CHECK_EQ(read_file(ep, "/uptime"), 0);
	CHECK(text[0] >= '0' && text[0] <= '9');
	CHECK_EQ(read_file(ep, "/999999/status"), KOSH_VFS_ENOENT);
	kosh_snprintf(line, sizeof(line), "/%s/nothing", name);
	CHECK_EQ(read_file(ep, line), KOSH_VFS_ENOENT);

	/* ctl: anything but "kill" is EINVAL; "kill" ends it, and it leaves the list. */
	write_ctl(ep, info.id, "stop", KOSH_VFS_EINVAL);
	write_ctl(ep, info.id, "kill\n", 0);
	CHECK_EQ(kosh_wait(child.process, 5 * TEST_SECOND, &status), KOSH_OK);
	CHECK_EQ(status, KOSH_EXIT_KILLED);
	CHECK(!listed(ep, name)); /* exited: no longer listed, even before the sweep */
	CHECK_EQ(test_wait(&child, TEST_SECOND), KOSH_EXIT_KILLED);

	/* Registered without the manage right: ctl cannot kill it. */
	spawn(SELF_PATH, "prc-weak", "spin", NULL, 0, &wq, &weak_child);
	kosh_handle_t ro = (kosh_handle_t)CHECK_OK(kosh_handle_dup(
	    weak_child.process, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE, 0));
	CHECK_EQ(kosh_proc_register(reg, ro, 0, 0, 5 * TEST_SECOND, &id), KOSH_OK);
	write_ctl(ep, id, "kill", KOSH_VFS_EACCES);
	CHECK_EQ(kosh_handle_close(ro), KOSH_OK);
	CHECK_EQ(kosh_process_kill(weak_child.process, 0), KOSH_OK);
	CHECK_EQ(test_wait(&weak_child, 5 * TEST_SECOND), 0);

	CHECK_EQ(kosh_process_kill(procd.process, 0), KOSH_OK);
	CHECK_EQ(test_wait(&procd, 5 * TEST_SECOND), 0);
	CHECK_EQ(kosh_handle_close(q), KOSH_OK);
	CHECK_EQ(kosh_handle_close(wq), KOSH_OK);
	CHECK_EQ(kosh_handle_close(pq), KOSH_OK);
	return 0;
}
