/* SPDX-License-Identifier: MIT */
/*
 * mount and umount (docs/shell.md), builtins because they use the shell's own
 * authority: the "mount" endpoint init gives the shell (etc/services), which
 * the driver manager serves (<kosh/proto/mount.h>); the programs the shell
 * runs do not get it. Listing the mounts needs only the namespace (vfsd's
 * MOUNTS and each mount's STATFS), which df uses too.
 *
 *   mount                          the mounts, one line each
 *   mount [-r] SOURCE TARGET       mount a block device's FAT volume (-r read-only)
 *   umount TARGET                  write it back, mark it clean, take it away
 *
 * SOURCE and TARGET are URIs or names relative to the working directory.
 */
#include <string.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/proto/mount.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "sh.h"

#define MOUNT_TIMEOUT_NS (60ull * 1000000000ull) /* fatfsd checks the whole volume first */

/* "dev:///vda1 on fs:/// type fat32 (rw)" for the mount at uri. */
static void print_mount(const char *uri)
{
	struct kosh_vfs_statfs st;
	uint32_t err = kosh_file_statfs(kosh_vfs(), uri, &st);

	if (err != 0) {
		sh_print(1, "none on %s type unknown (%s)\n", uri, kosh_vfs_strerror(err));
		return;
	}
	sh_print(1, "%s on %s type %s (%s%s%s)\n", st.source[0] ? st.source : st.type, uri, st.type,
		 st.flags & KOSH_VFS_STATFS_READ_ONLY ? "ro" : "rw",
		 st.flags & KOSH_VFS_STATFS_DAMAGED ? ",damaged" : "",
		 st.flags & KOSH_VFS_STATFS_WAS_DIRTY ? ",was-dirty" : "");
}

static int list_mounts(void)
{
	char uri[KOSH_VFS_PATH_MAX + 1];
	uint64_t index = 0, next;
	int last = 0;

	while (!last) {
		uint32_t err = kosh_file_mounts(kosh_vfs(), index, uri, sizeof(uri), &next, &last);
		if (err != 0) {
			sh_error("mount: cannot list the mounts: %s", kosh_vfs_strerror(err));
			return 1;
		}
		print_mount(uri);
		index = next;
	}
	return 0;
}

/* name resolved against the working directory, as a URI, into out. */
static int resolve(const char *cmd, const char *name, char *out, size_t size)
{
	uint32_t err = kosh_vfs_uri_join(sh_cwd(), name, out, (uint32_t)size);
	if (err != 0) {
		sh_error("%s: %s: %s", cmd, name, kosh_vfs_strerror(err));
		return -1;
	}
	return 0;
}

/* One request to the driver manager: the paths from word 4, as the file protocol lays them out. */
static int request(const char *cmd, uint32_t op, uint32_t flags, const char *a, const char *b)
{
	kosh_handle_t ep = kosh_start_handle(KOSH_MOUNT_ENDPOINT, NULL);
	struct kosh_ipc_buffer *ipc = kosh_self()->ipc_buffer;
	uint32_t la = (uint32_t)strlen(a), lb = b ? (uint32_t)strlen(b) : 0;
	struct kosh_msg m;
	kosh_err_t e;

	if (!ep) {
		sh_error("%s: this shell was given no \"mount\" endpoint", cmd);
		return 1;
	}
	char *data = (char *)&ipc->words[KOSH_MSG_WORDS_REG];
	memcpy(data, a, la);
	if (lb)
		memcpy(data + la, b, lb);
	m.tag = kosh_msg_tag(op, KOSH_MSG_WORDS_REG + (la + lb + 7) / 8, 0, 0);
	m.words[0] = flags;
	m.words[1] = la;
	m.words[2] = lb;
	m.words[3] = 0;
	e = kosh_call(ep, &m, &m, MOUNT_TIMEOUT_NS);
	if (e != KOSH_OK) {
		sh_error("%s: the driver manager did not answer: %s", cmd, kosh_strerror(e));
		return 1;
	}
	if (KOSH_MSG_LABEL(m.tag) != 0) {
		sh_error("%s: %s: %s", cmd, b ? b : a, kosh_vfs_strerror(KOSH_MSG_LABEL(m.tag)));
		return 1;
	}
	return 0;
}

int sh_b_mount(int argc, char **argv)
{
	char source[KOSH_VFS_PATH_MAX + 1], target[KOSH_VFS_PATH_MAX + 1];
	uint32_t flags = 0;
	int i = 1;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		flags |= KOSH_MOUNT_READ_ONLY;
		i++;
	}
	if (argc == 1)
		return list_mounts();
	if (argc - i != 2) {
		sh_error("mount: usage: mount [-r SOURCE TARGET | SOURCE TARGET]");
		return SH_STATUS_USAGE;
	}
	if (resolve("mount", argv[i], source, sizeof(source)) < 0 ||
	    resolve("mount", argv[i + 1], target, sizeof(target)) < 0)
		return 1;
	return request("mount", KOSH_MOUNT_MOUNT, flags, source, target);
}

int sh_b_umount(int argc, char **argv)
{
	char target[KOSH_VFS_PATH_MAX + 1];

	if (argc != 2) {
		sh_error("umount: usage: umount TARGET");
		return SH_STATUS_USAGE;
	}
	if (resolve("umount", argv[1], target, sizeof(target)) < 0)
		return 1;
	return request("umount", KOSH_MOUNT_UNMOUNT, 0, target, NULL);
}
