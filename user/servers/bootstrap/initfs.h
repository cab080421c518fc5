/* SPDX-License-Identifier: MIT */
/*
 * The initfs as a read-only file tree: an index over the mapped ustar archive
 * (shared/lib/tar.c) with the directories its paths imply, and the path rules of
 * initfs:// (docs/system.md). Pure C, no system calls: bootstrap serves it with
 * the fileserver library, and test/unit/initfs_server_test.c runs it on the host.
 *
 * Node 0 is the root. A node's path is kept without its leading '/' ("etc/services";
 * the root's is ""), pointing into the index's own name pool, never into the archive.
 * Every path a client sends goes through initfs_path first: it must start with '/',
 * be valid UTF-8 without control bytes, have no component over 255 bytes and no
 * ".." that climbs above the root; "." and repeated '/' are dropped.
 */
#ifndef KOSH_BOOTSTRAP_INITFS_H
#define KOSH_BOOTSTRAP_INITFS_H

#include <stdint.h>

#include <kosh/proto/vfs.h>
#include <kosh/tar.h>

#define INITFS_NODES_MAX   1024
#define INITFS_NAMES_BYTES (96u << 10)
#define INITFS_PATH_MAX	   KOSH_TAR_NAME_MAX /* a normalised path with its NUL */
#define INITFS_DIR_MODE	   0755u	     /* of a directory only implied by paths */

struct initfs_node {
	const char *path; /* normalised, without the leading '/'; NUL-terminated */
	uint32_t path_len;
	uint32_t parent;     /* index of its directory (the root's is 0) */
	uint32_t type;	     /* KOSH_VFS_FILE or KOSH_VFS_DIR */
	uint32_t mode;	     /* permission bits from the tar header */
	uint32_t children;   /* entries of a directory */
	const uint8_t *data; /* a file's bytes, inside the archive */
	uint64_t size;
};

struct initfs {
	struct initfs_node nodes[INITFS_NODES_MAX];
	uint32_t count;
	uint32_t skipped; /* entries left out: bad names, links and devices, clashes */
	uint32_t names_used;
	char names[INITFS_NAMES_BYTES];
};

/*
 * Index the archive [archive, archive + size) into *fs (about 150 KiB: static
 * storage). 0 on success; a kosh_tar_error (< 0) for a damaged archive, or -100
 * when it has more entries or longer names than the index holds.
 */
int initfs_build(struct initfs *fs, const void *archive, uint64_t size);

/*
 * Check and normalise a client's path[0 .. len): out (out_size bytes, with a NUL)
 * gets it without the leading '/', *out_len its length. 0, or KOSH_VFS_ENOENT
 * (empty), EINVAL (not absolute, control bytes, not UTF-8), ENAMETOOLONG (over
 * KOSH_VFS_PATH_MAX, a component over KOSH_VFS_NAME_MAX, a result over out_size - 1),
 * EACCES (".." above the root).
 */
uint32_t initfs_path(const char *path, uint32_t len, char *out, uint32_t out_size,
		     uint32_t *out_len);

/* The node of a normalised path, or -1. */
int initfs_find(const struct initfs *fs, const char *norm, uint32_t len);

/*
 * OPEN: *node for path with flags (KOSH_VFS_O_*). 0, a path error, ENOENT,
 * ENOTDIR (a file on the way, or O_DIRECTORY on a file), EROFS (any way of
 * writing or creating), EISDIR (a directory opened for writing).
 */
uint32_t initfs_open(const struct initfs *fs, const char *path, uint32_t len, uint32_t flags,
		     uint32_t *node);

/* Up to want bytes of a file from off into buf; *got (0 at the end). EISDIR for a directory. */
uint32_t initfs_read(const struct initfs *fs, uint32_t node, uint64_t off, void *buf, uint32_t want,
		     uint32_t *got);

void initfs_stat(const struct initfs *fs, uint32_t node, struct kosh_vfs_stat *st);

/*
 * READDIR of a directory from cookie (0: the start): records into buf (size
 * bytes), *used, *next (the cookie to go on from), *end (1 when nothing is left).
 * ENOTDIR for a file, EINVAL when not even one record fits.
 */
uint32_t initfs_readdir(const struct initfs *fs, uint32_t dir, uint64_t cookie, void *buf,
			uint32_t size, uint32_t *used, uint64_t *next, int *end);

#endif
