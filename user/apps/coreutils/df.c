/* SPDX-License-Identifier: MIT */
/*
 * df [PATH...]: the size and free space of each mounted filesystem (every
 * mount vfsd lists whose server answers STATFS), or of the ones holding the
 * paths given, in 1024-byte blocks.
 */
#include <stdio.h>

#include <kosh/proto/vfs.h>

#include "util.h"

#define USAGE "[PATH...]"

static int row(const char *where, const struct kosh_vfs_statfs *st)
{
	unsigned long long size = st->blocks * st->block_size / 1024;
	unsigned long long avail = st->blocks_free * st->block_size / 1024;
	unsigned long long used = size - avail;
	printf("%-16s %10llu %10llu %10llu %3llu%% %s\n", st->source[0] ? st->source : st->type,
	       size, used, avail, size ? (used * 100 + size - 1) / size : 0, where);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	int i = util_options(argc, argv, "df", "", USAGE, flags);

	printf("%-16s %10s %10s %10s %4s %s\n", "Filesystem", "1K-blocks", "Used", "Available",
	       "Use%", "Mounted on");
	return util_each_filesystem(argv + i, argc - i, row);
}
