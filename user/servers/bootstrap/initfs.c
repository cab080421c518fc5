/* SPDX-License-Identifier: MIT */
/*
 * The initfs as a read-only file tree (see initfs.h).
 *
 * The archive is checked by the tar reader; on top of that every entry's name
 * goes through the same path rules as a client's path, so a name with "..",
 * control bytes or broken UTF-8 is left out of the tree (and counted), never
 * served. Directories exist when an entry says so or when a path implies them;
 * a later entry of the same path replaces an earlier one, as tar extracts them.
 * Lookups are linear: the initfs holds a few hundred entries.
 */
#include "initfs.h"

#include <kosh/string.h>

#define INITFS_FULL (-100)

/* Length of the UTF-8 sequence at s[0 .. len), or 0 if it is not valid (overlong, surrogate, >
 * U+10FFFF). */
static uint32_t utf8_seq(const uint8_t *s, uint32_t len)
{
	uint32_t n, cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (uint32_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* 0 if path[0 .. len) is UTF-8 without control bytes (< 0x20, 0x7f). */
static uint32_t text_check(const char *path, uint32_t len)
{
	const uint8_t *s = (const uint8_t *)path;
	for (uint32_t i = 0, n; i < len; i += n) {
		if (s[i] < 0x20 || s[i] == 0x7f || !(n = utf8_seq(s + i, len - i)))
			return KOSH_VFS_EINVAL;
	}
	return 0;
}

/* Appends component c[0 .. n) to out (*used bytes so far); "." skipped, ".." pops. */
static uint32_t add_component(const char *c, uint32_t n, char *out, uint32_t out_size,
			      uint32_t *used)
{
	if (n > KOSH_VFS_NAME_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	if (n == 0 || (n == 1 && c[0] == '.'))
		return 0;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		if (*used == 0)
			return KOSH_VFS_EACCES; /* an escape above the root */
		while (*used > 0 && out[*used - 1] != '/')
			(*used)--;
		if (*used > 0)
			(*used)--; /* the '/' before it */
		return 0;
	}
	if (*used + (*used ? 1 : 0) + n + 1 > out_size)
		return KOSH_VFS_ENAMETOOLONG;
	if (*used)
		out[(*used)++] = '/';
	memcpy(out + *used, c, n);
	*used += n;
	return 0;
}

uint32_t initfs_path(const char *path, uint32_t len, char *out, uint32_t out_size,
		     uint32_t *out_len)
{
	uint32_t used = 0, start = 1, err;
	if (len == 0)
		return KOSH_VFS_ENOENT;
	if (len > KOSH_VFS_PATH_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	if (path[0] != '/')
		return KOSH_VFS_EINVAL;
	if ((err = text_check(path, len)))
		return err;
	for (uint32_t i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if ((err = add_component(path + start, i - start, out, out_size, &used)))
			return err;
		start = i + 1;
	}
	out[used] = '\0';
	*out_len = used;
	return 0;
}

int initfs_find(const struct initfs *fs, const char *norm, uint32_t len)
{
	for (uint32_t i = 0; i < fs->count; i++)
		if (fs->nodes[i].path_len == len && memcmp(fs->nodes[i].path, norm, len) == 0)
			return (int)i;
	return -1;
}

/* A new node for path (not yet in the tree) under parent; its index, or -1 when full. */
static int add_node(struct initfs *fs, const char *path, uint32_t len, uint32_t parent,
		    uint32_t type)
{
	struct initfs_node *n;
	if (fs->count == INITFS_NODES_MAX || INITFS_NAMES_BYTES - fs->names_used < len + 1)
		return -1;
	n = &fs->nodes[fs->count];
	memcpy(fs->names + fs->names_used, path, len);
	fs->names[fs->names_used + len] = '\0';
	*n = (struct initfs_node){.path = fs->names + fs->names_used,
				  .path_len = len,
				  .parent = parent,
				  .type = type,
				  .mode = INITFS_DIR_MODE};
	fs->names_used += len + 1;
	fs->nodes[parent].children++;
	return (int)fs->count++;
}

/*
 * The directory holding path[0 .. len), made (implied) if missing: its index,
 * -1 when full, -2 when a file is in the way.
 */
static int parent_dir(struct initfs *fs, const char *path, uint32_t len)
{
	uint32_t cut = len;
	int dir, up;
	while (cut > 0 && path[cut - 1] != '/')
		cut--;
	if (cut == 0)
		return 0; /* the root */
	cut--;		  /* without the '/' */
	dir = initfs_find(fs, path, cut);
	if (dir >= 0)
		return fs->nodes[dir].type == KOSH_VFS_DIR ? dir : -2;
	up = parent_dir(fs, path, cut); /* at most 128 levels: paths are 256 bytes */
	if (up < 0)
		return up;
	return add_node(fs, path, cut, (uint32_t)up, KOSH_VFS_DIR);
}

/* Puts one archive entry into the tree (or counts it skipped); INITFS_FULL when out of room. */
static int add_entry(struct initfs *fs, const struct kosh_tar_entry *e)
{
	char path[INITFS_PATH_MAX + 1], norm[INITFS_PATH_MAX];
	uint32_t len = (uint32_t)strlen(e->name), norm_len, type;
	int parent, node;
	type = e->type == '5' ? KOSH_VFS_DIR : e->type == '0' ? KOSH_VFS_FILE : 0;
	path[0] = '/';
	memcpy(path + 1, e->name, len + 1);
	if (!type || initfs_path(path, len + 1, norm, sizeof(norm), &norm_len)) {
		fs->skipped++;
		return 0;
	}
	node = initfs_find(fs, norm, norm_len);
	if (node == 0 || (node > 0 && fs->nodes[node].type != type)) {
		if (node != 0 || type != KOSH_VFS_DIR)
			fs->skipped++; /* a file over the root or a clash of kinds */
		else
			fs->nodes[0].mode = e->mode & 0777; /* "./" */
		return 0;
	}
	if (node < 0) {
		parent = parent_dir(fs, norm, norm_len);
		if (parent == -2) {
			fs->skipped++;
			return 0;
		}
		if (parent < 0 || (node = add_node(fs, norm, norm_len, (uint32_t)parent, type)) < 0)
			return INITFS_FULL;
	}
	fs->nodes[node].mode = e->mode & 0777;
	fs->nodes[node].data = type == KOSH_VFS_FILE ? e->data : NULL;
	fs->nodes[node].size = type == KOSH_VFS_FILE ? e->size : 0;
	return 0;
}

int initfs_build(struct initfs *fs, const void *archive, uint64_t size)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	int r;
	fs->count = 0;
	fs->skipped = 0;
	fs->names_used = 0;
	add_node(fs, "", 0, 0, KOSH_VFS_DIR);
	fs->nodes[0].children = 0; /* add_node counted the root as its own child */
	kosh_tar_iter_init(&it, archive, size);
	while ((r = kosh_tar_next(&it, &e)) == 1)
		if (add_entry(fs, &e))
			return INITFS_FULL;
	return r;
}

/* ENOTDIR if a file lies on the way to norm (a prefix of it), else ENOENT. */
static uint32_t missing(const struct initfs *fs, const char *norm, uint32_t len)
{
	for (uint32_t cut = 1; cut < len; cut++) {
		int n;
		if (norm[cut] != '/')
			continue;
		n = initfs_find(fs, norm, cut);
		if (n < 0)
			break;
		if (fs->nodes[n].type != KOSH_VFS_DIR)
			return KOSH_VFS_ENOTDIR;
	}
	return KOSH_VFS_ENOENT;
}

uint32_t initfs_open(const struct initfs *fs, const char *path, uint32_t len, uint32_t flags,
		     uint32_t *node)
{
	const uint32_t writing = KOSH_VFS_O_WRITE | KOSH_VFS_O_TRUNC | KOSH_VFS_O_APPEND;
	char norm[INITFS_PATH_MAX];
	uint32_t norm_len, err;
	int n;
	if ((err = initfs_path(path, len, norm, sizeof(norm), &norm_len)))
		return err;
	n = initfs_find(fs, norm, norm_len);
	if (n < 0)
		return (flags & KOSH_VFS_O_CREATE) ? KOSH_VFS_EROFS : missing(fs, norm, norm_len);
	if ((flags & KOSH_VFS_O_CREATE) && (flags & KOSH_VFS_O_EXCL))
		return KOSH_VFS_EEXIST;
	if (fs->nodes[n].type == KOSH_VFS_DIR && (flags & writing))
		return KOSH_VFS_EISDIR;
	if (flags & (writing | KOSH_VFS_O_CREATE))
		return KOSH_VFS_EROFS;
	if ((flags & KOSH_VFS_O_DIRECTORY) && fs->nodes[n].type != KOSH_VFS_DIR)
		return KOSH_VFS_ENOTDIR;
	*node = (uint32_t)n;
	return 0;
}

uint32_t initfs_read(const struct initfs *fs, uint32_t node, uint64_t off, void *buf, uint32_t want,
		     uint32_t *got)
{
	const struct initfs_node *n = &fs->nodes[node];
	uint64_t left;
	if (n->type == KOSH_VFS_DIR)
		return KOSH_VFS_EISDIR;
	left = off < n->size ? n->size - off : 0;
	*got = left < want ? (uint32_t)left : want;
	if (*got)
		memcpy(buf, n->data + off, *got);
	return 0;
}

void initfs_stat(const struct initfs *fs, uint32_t node, struct kosh_vfs_stat *st)
{
	const struct initfs_node *n = &fs->nodes[node];
	*st = (struct kosh_vfs_stat){
	    .type = n->type,
	    .mode = n->mode,
	    .size = n->type == KOSH_VFS_DIR ? n->children : n->size,
	    .ino = node + 1,
	    .nlink = 1,
	    .blksize = KOSH_TAR_BLOCK,
	};
}

/* The last component of n's path. */
static const char *base_name(const struct initfs_node *n, uint32_t *len)
{
	uint32_t cut = n->path_len;
	while (cut > 0 && n->path[cut - 1] != '/')
		cut--;
	*len = n->path_len - cut;
	return n->path + cut;
}

uint32_t initfs_readdir(const struct initfs *fs, uint32_t dir, uint64_t cookie, void *buf,
			uint32_t size, uint32_t *used, uint64_t *next, int *end)
{
	uint64_t i = cookie ? cookie : 1; /* node 0, the root, is nobody's entry */
	if (fs->nodes[dir].type != KOSH_VFS_DIR)
		return KOSH_VFS_ENOTDIR;
	*used = 0;
	for (; i < fs->count; i++) {
		const struct initfs_node *n = &fs->nodes[i];
		const char *name;
		uint32_t len;
		if (n->parent != dir)
			continue;
		name = base_name(n, &len);
		if (kosh_vfs_dirent_put(buf, size, used, i + 1, n->type, name, len)) {
			if (*used == 0)
				return KOSH_VFS_EINVAL;
			*next = i;
			*end = 0;
			return 0;
		}
	}
	*next = fs->count;
	*end = 1;
	return 0;
}
