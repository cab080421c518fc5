/* SPDX-License-Identifier: MIT */
/*
 * sync [PATH...]: what was written reaches the disk: for every mounted
 * filesystem (a mount whose server answers STATFS; others, such as log:// or
 * pipe://, hold no files to write back), or each path given, SYNC on it
 * (the mount point, or the path), which a filesystem server answers by
 * writing back everything it holds for the volume and flushing the device. ENOSYS from a
 * filesystem with nothing to write back (ramfs) is no error.
 */
#include <kosh/file.h>
#include <kosh/proto/vfs.h>

#include "util.h"

#define USAGE "[PATH...]"

static int sync_one(const char *uri, const struct kosh_vfs_statfs *st)
{
	kosh_handle_t f;
	uint32_t type, err = kosh_file_open(kosh_vfs(), uri, KOSH_VFS_O_READ, &f, &type, NULL);

	(void)st;
	if (err == 0) {
		err = kosh_file_sync(f);
		kosh_file_close(f);
	}
	if (err == 0 || err == KOSH_VFS_ENOSYS)
		return 0;
	util_error(uri, (int)err); /* KOSH_VFS_E* are the Linux errno numbers */
	return UTIL_FAIL;
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "sync", "", USAGE, flags);

	return util_each_filesystem(argv + i, argc - i, sync_one);
}
