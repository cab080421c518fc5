/* SPDX-License-Identifier: MIT */
/*
 * fat_dir.c: directories, paths and the operations on them.
 *
 * A directory is read a 32-byte slot at a time through the cache; long-name
 * entries are gathered only while their sequence numbers count down from the
 * 0x40-marked one and their checksums match the short entry that follows,
 * else they are dropped and the short name is used. Entries with names that
 * cannot be shown (bad bytes, bad UTF-16) are skipped. Subdirectories must
 * start with "." (itself) and ".." (its parent), else they are EIO.
 *
 * Changes are ordered for a cut at any moment: new entries point at chains
 * already written (fat.c writes data and FAT before directory sectors);
 * removals reach the disk (fat_writeback) before their clusters are freed.
 */
#include "fat_int.h"

#include <kosh/string.h>

#define DEPTH_MAX   4096u /* ".." steps when checking a rename for a loop */
#define ALIAS_TRIES 100u  /* short aliases tried for a new long name, a directory scan each */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void wr16(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8);
}

static void wr32(uint8_t *p, uint32_t x)
{
	wr16(p, x), wr16(p + 2, x >> 16);
}

/* ---- slots ---- */

struct dir_walk {
	uint32_t first; /* 0: the fixed root */
	uint32_t cluster, cluster_index;
};

static void walk_init(struct dir_walk *w, uint32_t first)
{
	w->first = first, w->cluster = first, w->cluster_index = 0;
}

/* Where slot index is: 0, ENOENT past the directory's end, EIO for a damaged chain. */
static int slot_at(struct fat_vol *v, struct dir_walk *w, uint32_t index, uint64_t *lba,
		   uint32_t *off)
{
	uint32_t per = v->cluster_bytes / 32, ci = index / per;

	if (w->first == 0) {
		if (index >= v->root_entries)
			return KOSH_VFS_ENOENT;
		*lba = v->root_start + (uint64_t)index * 32 / v->bps;
		*off = index * 32 % v->bps;
		return 0;
	}
	if ((uint64_t)index * 32 >= FAT_DIR_BYTES_MAX)
		return KOSH_VFS_ENOENT;
	if (ci < w->cluster_index)
		w->cluster = w->first, w->cluster_index = 0;
	while (w->cluster_index < ci) {
		uint32_t c;
		int e = fat_next(v, w->cluster, &c);

		if (e)
			return e;
		if (c == 0)
			return KOSH_VFS_ENOENT;
		w->cluster = c, w->cluster_index++;
	}
	if (!fat_valid(v, w->cluster))
		return KOSH_VFS_EIO;
	*lba = fat_cluster_lba(v, w->cluster) + (index % per) * 32 / v->bps;
	*off = index % per * 32 % v->bps;
	return 0;
}

/* The 32 bytes of a slot, in the cache (index for fat_cache_dirty). */
static int slot_get(struct fat_vol *v, struct dir_walk *w, uint32_t index, uint8_t **ent,
		    unsigned *ci, uint64_t *lba_out, uint32_t *off_out)
{
	uint64_t lba;
	uint32_t off;
	uint8_t *p;
	int e = slot_at(v, w, index, &lba, &off);

	if (!e)
		e = fat_cache_get(v, lba, FAT_KIND_DIR, 1, &p, ci);
	if (e)
		return e;
	*ent = p + off;
	if (lba_out)
		*lba_out = lba, *off_out = off;
	return 0;
}

/* ---- entries ---- */

static void node_from(const struct fat_vol *v, const uint8_t *e, struct fat_node *n)
{
	memset(n, 0, sizeof(*n));
	n->first = rd16(e + 26) | (v->type == 32 ? (uint32_t)rd16(e + 20) << 16 : 0);
	n->size = rd32(e + 28);
	n->attr = e[11];
	n->ntres = e[12];
	n->crt_cs = e[13];
	n->crt_time = rd16(e + 14), n->crt_date = rd16(e + 16), n->acc_date = rd16(e + 18);
	n->wrt_time = rd16(e + 22), n->wrt_date = rd16(e + 24);
}

static void node_to(const struct fat_vol *v, const struct fat_node *n, uint8_t *e)
{
	e[11] = n->attr;
	e[12] = n->ntres;
	e[13] = n->crt_cs;
	wr16(e + 14, n->crt_time), wr16(e + 16, n->crt_date), wr16(e + 18, n->acc_date);
	wr16(e + 20, v->type == 32 ? n->first >> 16 : 0);
	wr16(e + 22, n->wrt_time), wr16(e + 24, n->wrt_date);
	wr16(e + 26, n->first & 0xffff);
	wr32(e + 28, n->size);
}

/* Write a node's fields back to its entry. */
static int node_store(struct fat_vol *v, const struct fat_node *n)
{
	uint8_t *p;
	unsigned ci;
	int e;

	if (n->is_root)
		return 0;
	e = fat_cache_get(v, n->ent_lba, FAT_KIND_DIR, 1, &p, &ci);
	if (e)
		return e;
	node_to(v, n, p + n->ent_off);
	fat_cache_dirty(v, ci);
	return 0;
}

static uint64_t node_ino(const struct fat_node *n)
{
	return n->is_root ? 1 : ((uint64_t)n->parent << 32 | n->slot) + 2;
}

void fat_root(const struct fat_vol *v, struct fat_node *out)
{
	memset(out, 0, sizeof(*out));
	out->is_root = 1;
	out->attr = FAT_ATTR_DIR;
	out->first = v->type == 32 ? v->root_cluster : 0;
}

/* Long-name state while reading a directory. */
struct lfn {
	uint16_t u[260];
	uint32_t start; /* slot of the first long entry */
	uint8_t expect; /* the sequence number wanted next; 0: none pending */
	uint8_t count;	/* long entries in the set */
	uint8_t sum;
	uint8_t done; /* all of them seen, the short entry is next */
};

static void lfn_take(struct lfn *l, const uint8_t *e, uint32_t index)
{
	uint8_t ord = e[0], seq = ord & 0x1f;
	static const uint8_t at[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

	if (ord & 0x40) {
		l->done = 0;
		if (seq == 0 || seq > 20 || (ord & 0x80)) {
			l->expect = 0;
			return;
		}
		l->count = seq, l->sum = e[13], l->start = index, l->expect = seq;
		for (unsigned i = 0; i < 260; i++)
			l->u[i] = 0xffff;
	} else if (l->expect == 0 || l->done || seq != l->expect || e[13] != l->sum) {
		l->expect = 0, l->done = 0;
		return;
	}
	if (e[12] != 0 || rd16(e + 26) != 0) {
		l->expect = 0, l->done = 0;
		return;
	}
	for (unsigned i = 0; i < 13; i++)
		l->u[(seq - 1) * 13 + i] = rd16(e + at[i]);
	if (--l->expect == 0)
		l->done = 1;
}

/* The long name as UTF-8, or nonzero if it is unusable. */
static int lfn_name(const struct lfn *l, const uint8_t *e, char *out, uint32_t *len)
{
	unsigned n = 0;
	size_t k;

	if (!l->done || fat_name_checksum(e) != l->sum)
		return 1;
	while (n < (unsigned)l->count * 13 && l->u[n] != 0)
		n++;
	if (n > 255 || fat_name_to_utf8(l->u, n, out, FAT_NAME_UTF8MAX + 1, &k))
		return 1;
	*len = (uint32_t)k;
	return 0;
}

/*
 * The next named entry from *index: 0 with *out filled (dots too, then dot is
 * set), ENOENT at the end, EIO for damage. short_name gets the 8.3 text.
 */
static int dir_next(struct fat_vol *v, struct dir_walk *w, uint32_t *index, struct fat_dirent *out,
		    char short_name[13], int *dot)
{
	struct lfn l = {.expect = 0};

	for (;;) {
		uint8_t *e, name[11];
		uint64_t lba;
		uint32_t off, i = (*index)++;
		size_t sl;
		int err = slot_get(v, w, i, &e, NULL, &lba, &off);

		if (err)
			return err;
		if (e[0] == 0)
			return KOSH_VFS_ENOENT;
		if (e[0] == 0xe5) {
			l.expect = 0, l.done = 0;
			continue;
		}
		if ((e[11] & 0x3f) == FAT_ATTR_LFN) {
			lfn_take(&l, e, i);
			continue;
		}
		if (e[11] & FAT_ATTR_VOLUME) {
			l.done = 0;
			continue;
		}
		memcpy(name, e, 11);
		*dot = name[0] == '.';
		if (*dot) {
			l.done = 0;
			if (memcmp(name, ".          ", 11) && memcmp(name, "..         ", 11))
				continue; /* a name starting with a dot is not allowed in a short
					     entry */
		} else if (name[0] == 0x05) {
			name[0] = 0xe5;
		}
		node_from(v, e, &out->node);
		out->node.slot = i;
		out->node.first_slot = l.done && fat_name_checksum(e) == l.sum ? l.start : i;
		out->node.ent_lba = lba, out->node.ent_off = off;
		out->node.parent = w->first;
		/* 0xE5 in an OEM name cannot be shown as ASCII: refused by short_text, like any
		 * byte above 0x7f. */
		if (*dot) {
			short_name[0] = 0;
		} else if (fat_name_short_text(name, e[12], short_name, &sl)) {
			short_name[0] = 0;
		}
		if (*dot || lfn_name(&l, e, out->name, &out->namelen)) {
			out->node.first_slot = i;
			if (!*dot && short_name[0] == 0) {
				l.done = 0;
				continue; /* no name we can give */
			}
			memcpy(out->name, short_name, 13);
			out->namelen = (uint32_t)strlen(short_name);
		}
		out->ino = node_ino(&out->node);
		out->type = (e[11] & FAT_ATTR_DIR) ? KOSH_VFS_DIR : KOSH_VFS_FILE;
		return 0;
	}
}

/* A subdirectory's "." and ".." must name it and its parent. */
static int check_dots(struct fat_vol *v, const struct fat_node *dir)
{
	struct dir_walk w;
	uint8_t *e;
	uint32_t want_parent = dir->parent == v->root_cluster && v->type == 32 ? 0 : dir->parent;
	int err;

	if (dir->is_root)
		return 0;
	walk_init(&w, dir->first);
	err = slot_get(v, &w, 0, &e, NULL, NULL, NULL);
	if (err)
		return err == KOSH_VFS_ENOENT ? KOSH_VFS_EIO : err;
	if (memcmp(e, ".          ", 11) || !(e[11] & FAT_ATTR_DIR) ||
	    (rd16(e + 26) | (v->type == 32 ? (uint32_t)rd16(e + 20) << 16 : 0)) != dir->first)
		return KOSH_VFS_EIO;
	err = slot_get(v, &w, 1, &e, NULL, NULL, NULL);
	if (err)
		return err == KOSH_VFS_ENOENT ? KOSH_VFS_EIO : err;
	uint32_t pc = rd16(e + 26) | (v->type == 32 ? (uint32_t)rd16(e + 20) << 16 : 0);

	if (memcmp(e, "..         ", 11) || !(e[11] & FAT_ATTR_DIR) ||
	    (pc != want_parent && !(v->type == 32 && want_parent == 0 && pc == v->root_cluster)))
		return KOSH_VFS_EIO;
	return 0;
}

/* Find name in dir: 0 with *out, ENOENT, or an error. */
static int dir_find(struct fat_vol *v, const struct fat_node *dir, const char *name, size_t len,
		    struct fat_dirent *out)
{
	struct dir_walk w;
	uint32_t index = 0;
	char sn[13];
	int dot, e;

	walk_init(&w, dir->first);
	while ((e = dir_next(v, &w, &index, out, sn, &dot)) == 0) {
		if (dot)
			continue;
		if (fat_name_eq(out->name, out->namelen, name, len) ||
		    (sn[0] && fat_name_eq(sn, strlen(sn), name, len)))
			return 0;
	}
	return e;
}

/* Open a directory or file found in a directory: chains and dots checked. */
static int node_check(struct fat_vol *v, const struct fat_node *n)
{
	int e = fat_check_chain(v, n);

	if (!e && (n->attr & FAT_ATTR_DIR))
		e = check_dots(v, n);
	return e;
}

static int next_component(const char *path, size_t len, size_t *pos, const char **c, size_t *clen)
{
	while (*pos < len && path[*pos] == '/')
		(*pos)++;
	if (*pos >= len)
		return 0;
	*c = path + *pos;
	while (*pos < len && path[*pos] != '/')
		(*pos)++;
	*clen = (size_t)(path + *pos - *c);
	return 1;
}

/*
 * Walk path: with parent set, stop before the last component and return it
 * (name, name_len); else resolve all of it. Each directory passed is checked.
 */
static int walk(struct fat_vol *v, const char *path, size_t len, int parent, struct fat_node *out,
		const char **name, size_t *name_len)
{
	struct fat_dirent *d = (struct fat_dirent *)v->scratch;
	size_t pos = 0, clen = 0, next;
	const char *c = NULL;
	int e;

	_Static_assert(sizeof(struct fat_dirent) <= sizeof(((struct fat_vol *)0)->scratch),
		       "scratch");
	if (!v->mounted)
		return KOSH_VFS_ENODEV;
	if (len == 0 || path[0] != '/')
		return KOSH_VFS_EINVAL;
	fat_root(v, out);
	if (!next_component(path, len, &pos, &c, &clen))
		return parent ? KOSH_VFS_EINVAL : 0; /* the root has no parent */
	for (;;) {
		const char *nc;
		size_t nl;

		if (clen > KOSH_VFS_NAME_MAX)
			return KOSH_VFS_ENAMETOOLONG;
		if ((clen == 1 && c[0] == '.') || (clen == 2 && c[0] == '.' && c[1] == '.'))
			return KOSH_VFS_EINVAL;
		next = pos;
		if (!next_component(path, len, &next, &nc, &nl) && parent) {
			*name = c, *name_len = clen;
			return 0;
		}
		if (!(out->attr & FAT_ATTR_DIR))
			return KOSH_VFS_ENOTDIR;
		e = dir_find(v, out, c, clen, d);
		if (e)
			return e;
		e = node_check(v, &d->node);
		if (e)
			return e;
		*out = d->node;
		if (!next_component(path, len, &pos, &c, &clen))
			return 0;
	}
}

int fat_lookup(struct fat_vol *v, const char *path, size_t len, struct fat_node *out)
{
	return walk(v, path, len, 0, out, NULL, NULL);
}

void fat_stat(const struct fat_vol *v, const struct fat_node *n, struct kosh_vfs_stat *st)
{
	int dir = (n->attr & FAT_ATTR_DIR) != 0;

	memset(st, 0, sizeof(*st));
	st->type = dir ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	st->mode = (n->attr & FAT_ATTR_RO) ? (dir ? 0555 : 0444) : (dir ? 0755 : 0644);
	st->size = dir ? 0 : n->size;
	st->mtime_ns = fat_time_ns(n->wrt_date, n->wrt_time, 0);
	st->ctime_ns = fat_time_ns(n->crt_date, n->crt_time, n->crt_cs);
	st->ino = node_ino(n);
	st->nlink = 1;
	st->blksize = v->cluster_bytes;
}

int fat_readdir(struct fat_vol *v, const struct fat_node *dir, uint64_t *cookie,
		struct fat_dirent *out)
{
	struct dir_walk w;
	uint32_t index;
	char sn[13];
	int dot, e;

	if (!(dir->attr & FAT_ATTR_DIR))
		return KOSH_VFS_ENOTDIR;
	if (*cookie >= FAT_DIR_BYTES_MAX / 32)
		return KOSH_VFS_ENOENT;
	index = (uint32_t)*cookie;
	walk_init(&w, dir->first);
	do
		e = dir_next(v, &w, &index, out, sn, &dot);
	while (!e && dot);
	*cookie = index;
	return e;
}

/* ---- file data ---- */

int fat_read(struct fat_vol *v, struct fat_node *n, uint64_t off, void *buf, size_t len,
	     size_t *done)
{
	int e;

	*done = 0;
	if (n->attr & FAT_ATTR_DIR)
		return KOSH_VFS_EISDIR;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	e = fat_data(v, n, off, buf, NULL, len);
	if (!e)
		*done = len;
	return e;
}

static int writable(const struct fat_vol *v)
{
	if (!v->mounted)
		return KOSH_VFS_ENODEV;
	return (v->flags & FAT_MOUNT_READ_ONLY) ? KOSH_VFS_EROFS : 0;
}

/* Clusters for size bytes. */
static uint32_t clusters_for(const struct fat_vol *v, uint64_t size)
{
	return (uint32_t)((size + v->cluster_bytes - 1) / v->cluster_bytes);
}

/* Grow a file's chain to hold size bytes; on failure the chain is cut back as it was. */
static int grow(struct fat_vol *v, struct fat_node *n, uint64_t size)
{
	uint32_t have = clusters_for(v, n->size), want = clusters_for(v, size), last = 0,
		 first_new = 0;
	int e = 0;

	if (want <= have)
		return 0;
	if (want - have > v->free_count)
		return KOSH_VFS_ENOSPC;
	if (have && (e = fat_chain_at(v, n, have - 1, &last)))
		return e;
	for (uint32_t i = have; i < want; i++) {
		uint32_t c;

		e = fat_alloc(v, last, &c);
		if (e)
			break;
		if (!first_new)
			first_new = c;
		last = c;
	}
	if (e) {
		/* Undo: nothing points at the new clusters from the entry yet. */
		if (have && fat_chain_at(v, n, have - 1, &last) == 0)
			fat_put(v, last, fat_eoc(v));
		if (first_new)
			fat_free_chain(v, first_new);
		return e;
	}
	if (!have)
		n->first = first_new;
	return 0;
}

/* After a failed write: the chain back to what the entry on the disk holds (count clusters). */
static void cut_back(struct fat_vol *v, struct fat_node *n, uint32_t count, uint32_t old_first)
{
	uint32_t c, rest = 0;

	n->hint_index = n->hint_cluster = 0;
	if (count == 0) {
		if (!old_first && n->first)
			fat_free_chain(v, n->first);
		n->first = old_first;
		return;
	}
	if (fat_chain_at(v, n, count - 1, &c) || fat_next(v, c, &rest) || !rest)
		return;
	if (fat_put(v, c, fat_eoc(v)) == 0)
		fat_free_chain(v, rest);
	n->hint_index = n->hint_cluster = 0;
}

static void touch(struct fat_vol *v, struct fat_node *n)
{
	fat_time_now(v, &n->wrt_date, &n->wrt_time, NULL);
	n->acc_date = n->wrt_date;
	n->attr |= FAT_ATTR_ARCH;
}

int fat_write(struct fat_vol *v, struct fat_node *n, uint64_t off, const void *buf, size_t len)
{
	uint64_t end = off + len;
	uint32_t old_first = n->first;
	int e = writable(v);

	if (e)
		return e;
	if (n->attr & FAT_ATTR_DIR)
		return KOSH_VFS_EISDIR;
	if (off > UINT32_MAX || len > UINT32_MAX || end > UINT32_MAX)
		return KOSH_VFS_EFBIG;
	if (len == 0)
		return 0;
	e = grow(v, n, end);
	if (e)
		return e;
	if (off > n->size)
		e = fat_data(v, n, n->size, NULL, NULL, (size_t)(off - n->size));
	if (!e)
		e = fat_data(v, n, off, NULL, buf, len);
	if (e) {
		cut_back(v, n, clusters_for(v, n->size), old_first);
		return e;
	}
	if (end > n->size)
		n->size = (uint32_t)end;
	touch(v, n);
	return node_store(v, n);
}

int fat_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size)
{
	uint32_t keep, c, rest;
	int e = writable(v);

	if (e)
		return e;
	if (n->attr & FAT_ATTR_DIR)
		return KOSH_VFS_EISDIR;
	if (size > UINT32_MAX)
		return KOSH_VFS_EFBIG;
	if (size > n->size) {
		uint32_t old_first = n->first;

		e = grow(v, n, size);
		if (!e)
			e = fat_data(v, n, n->size, NULL, NULL, (size_t)(size - n->size));
		if (e) {
			cut_back(v, n, clusters_for(v, n->size), old_first);
			return e;
		}
		n->size = (uint32_t)size;
		touch(v, n);
		return node_store(v, n);
	}
	keep = clusters_for(v, size);
	rest = 0;
	if (keep == 0) {
		rest = n->first;
		n->first = 0;
	} else if (keep < clusters_for(v, n->size)) {
		if ((e = fat_chain_at(v, n, keep - 1, &c)) || (e = fat_next(v, c, &rest)))
			return e;
	}
	n->size = (uint32_t)size;
	n->hint_index = n->hint_cluster = 0;
	touch(v, n);
	/* The entry first, on the disk; then the clusters it no longer holds are freed. */
	e = node_store(v, n);
	if (!e && rest)
		e = fat_writeback(v, FAT_KIND_DIR + 1);
	if (!e && keep && rest)
		e = fat_put(v, c, fat_eoc(v));
	if (!e && rest)
		e = fat_free_chain(v, rest);
	return e;
}

/* ---- adding and removing entries ---- */

static int short_taken(struct fat_vol *v, const struct fat_node *dir, const uint8_t name[11])
{
	struct dir_walk w;
	uint8_t *e;

	walk_init(&w, dir->first);
	for (uint32_t i = 0;; i++) {
		int err = slot_get(v, &w, i, &e, NULL, NULL, NULL);

		if (err == KOSH_VFS_ENOENT)
			return 0;
		if (err)
			return err;
		if (e[0] == 0)
			return 0;
		if (e[0] != 0xe5 && (e[11] & 0x3f) != FAT_ATTR_LFN && !memcmp(e, name, 11))
			return 1;
	}
}

/* A run of count free slots in dir (extended by a cluster when full): its first index. */
static int find_free(struct fat_vol *v, struct fat_node *dir, uint32_t count, uint32_t *start)
{
	struct dir_walk w;
	uint32_t run = 0;
	int ended = 0;

	walk_init(&w, dir->first);
	for (uint32_t i = 0;; i++) {
		uint8_t *e;
		unsigned ci;
		int err = slot_get(v, &w, i, &e, &ci, NULL, NULL);

		if (err == KOSH_VFS_ENOENT) {
			uint32_t c;

			if (dir->first == 0 || (uint64_t)i * 32 >= FAT_DIR_BYTES_MAX)
				return KOSH_VFS_ENOSPC;
			/* A new zeroed cluster at the end of the chain: w.cluster is the last one.
			 */
			if ((err = fat_alloc(v, 0, &c)) || (err = fat_cluster_init(v, c, NULL)))
				return err;
			if ((err = fat_put(v, w.cluster, c)))
				return err;
			i--;
			continue;
		}
		if (err)
			return err;
		if (e[0] == 0)
			ended = 1;
		run = (ended || e[0] == 0xe5) ? run + 1 : 0;
		if (ended && e[0] != 0) {
			/* Past the end mark: whatever is there is free; keep the mark after our
			 * entries. */
			e[0] = 0;
			fat_cache_dirty(v, ci);
		}
		if (run == count) {
			*start = i + 1 - count;
			return 0;
		}
	}
}

/* Put a name into dir for the entry described by tmpl; *out gets its place. */
static int dir_add(struct fat_vol *v, struct fat_node *dir, const char *name, size_t len,
		   const struct fat_node *tmpl, struct fat_node *out)
{
	uint16_t u[255];
	uint8_t sn[11], ntres = 0, sum;
	unsigned n, lfn_count = 0;
	uint32_t start;
	struct dir_walk w;
	int e = fat_name_from_utf8(name, len, u, &n);

	if (e)
		return e;
	if (!fat_name_short_exact(name, len, sn, &ntres)) {
		uint32_t num;

		for (num = 1; num <= ALIAS_TRIES; num++) {
			fat_name_alias(u, n, num, sn);
			e = short_taken(v, dir, sn);
			if (e < 0 || e > 1)
				return e;
			if (e == 0)
				break;
		}
		if (num > ALIAS_TRIES)
			return KOSH_VFS_EEXIST;
		lfn_count = (n + 12) / 13;
	}
	e = find_free(v, dir, lfn_count + 1, &start);
	if (e)
		return e;
	sum = fat_name_checksum(sn);
	walk_init(&w, dir->first);
	for (unsigned k = 0; k < lfn_count; k++) {
		static const uint8_t at[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
		unsigned seq = lfn_count - k, ci;
		uint8_t *p;

		if ((e = slot_get(v, &w, start + k, &p, &ci, NULL, NULL)))
			return e;
		memset(p, 0, 32);
		p[0] = (uint8_t)(seq | (k == 0 ? 0x40 : 0));
		p[11] = FAT_ATTR_LFN;
		p[13] = sum;
		for (unsigned i = 0; i < 13; i++) {
			unsigned at_u = (seq - 1) * 13 + i;

			wr16(p + at[i], at_u < n ? u[at_u] : at_u == n ? 0 : 0xffff);
		}
		fat_cache_dirty(v, ci);
	}
	{
		uint8_t *p;
		unsigned ci;
		uint64_t lba;
		uint32_t off;

		if ((e = slot_get(v, &w, start + lfn_count, &p, &ci, &lba, &off)))
			return e;
		*out = *tmpl;
		out->ntres = ntres;
		out->parent = dir->first;
		out->slot = start + lfn_count;
		out->first_slot = start;
		out->ent_lba = lba, out->ent_off = off;
		out->is_root = 0;
		out->hint_index = out->hint_cluster = 0;
		memset(p, 0, 32);
		memcpy(p, sn, 11);
		if (p[0] == 0xe5)
			p[0] = 0x05;
		node_to(v, out, p);
		fat_cache_dirty(v, ci);
	}
	return 0;
}

/* Mark a node's slots deleted. */
static int dir_remove(struct fat_vol *v, const struct fat_node *n)
{
	struct dir_walk w;

	walk_init(&w, n->parent);
	for (uint32_t i = n->first_slot; i <= n->slot; i++) {
		uint8_t *p;
		unsigned ci;
		int e = slot_get(v, &w, i, &p, &ci, NULL, NULL);

		if (e)
			return e;
		p[0] = 0xe5;
		fat_cache_dirty(v, ci);
	}
	return 0;
}

static int dir_empty(struct fat_vol *v, const struct fat_node *dir)
{
	struct fat_dirent *d = (struct fat_dirent *)v->scratch;
	uint64_t cookie = 0;
	int e = fat_readdir(v, dir, &cookie, d);

	if (e == KOSH_VFS_ENOENT)
		return 0;
	return e ? e : KOSH_VFS_ENOTEMPTY;
}

static void new_node(struct fat_vol *v, struct fat_node *n, uint8_t attr, uint32_t first)
{
	memset(n, 0, sizeof(*n));
	n->attr = attr;
	n->first = first;
	fat_time_now(v, &n->crt_date, &n->crt_time, &n->crt_cs);
	n->wrt_date = n->crt_date, n->wrt_time = n->crt_time, n->acc_date = n->crt_date;
}

/* Resolve the parent of path and check that the last name is free there. */
static int prepare(struct fat_vol *v, const char *path, size_t len, struct fat_node *dir,
		   const char **name, size_t *nlen)
{
	struct fat_dirent *d = (struct fat_dirent *)v->scratch;
	int e = writable(v);

	if (!e)
		e = walk(v, path, len, 1, dir, name, nlen);
	if (e)
		return e;
	if (!(dir->attr & FAT_ATTR_DIR))
		return KOSH_VFS_ENOTDIR;
	e = dir_find(v, dir, *name, *nlen, d);
	if (e == 0)
		return KOSH_VFS_EEXIST;
	return e == KOSH_VFS_ENOENT ? 0 : e;
}

int fat_create(struct fat_vol *v, const char *path, size_t len, struct fat_node *out)
{
	struct fat_node dir, t;
	const char *name;
	size_t nlen;
	int e = prepare(v, path, len, &dir, &name, &nlen);

	if (e)
		return e;
	new_node(v, &t, FAT_ATTR_ARCH, 0);
	return dir_add(v, &dir, name, nlen, &t, out);
}

static void dot_entry(const struct fat_vol *v, uint8_t *p, const char *name,
		      const struct fat_node *t, uint32_t cluster)
{
	struct fat_node n = *t;

	n.first = cluster;
	n.size = 0;
	memcpy(p, name, 11);
	node_to(v, &n, p);
}

int fat_mkdir(struct fat_vol *v, const char *path, size_t len)
{
	struct fat_node dir, t, out;
	const char *name;
	size_t nlen;
	uint32_t c;
	int e = prepare(v, path, len, &dir, &name, &nlen);

	if (e)
		return e;
	if ((e = fat_alloc(v, 0, &c)))
		return e;
	new_node(v, &t, FAT_ATTR_DIR, c);
	/* The new directory's first sector, dots in place, goes to the disk before anything names
	 * it. */
	memset(v->scratch, 0, v->bps);
	dot_entry(v, v->scratch, ".          ", &t, c);
	dot_entry(v, v->scratch + 32, "..         ", &t, dir.is_root ? 0 : dir.first);
	e = fat_cluster_init(v, c, v->scratch);
	if (!e)
		e = dir_add(v, &dir, name, nlen, &t, &out);
	if (e)
		fat_free_chain(v, c);
	return e;
}

int fat_unlink(struct fat_vol *v, const char *path, size_t len, int want_dir)
{
	struct fat_node n;
	int e = writable(v);

	if (!e)
		e = walk(v, path, len, 0, &n, NULL, NULL);
	if (e)
		return e;
	if (n.is_root)
		return KOSH_VFS_EBUSY;
	if (want_dir && !(n.attr & FAT_ATTR_DIR))
		return KOSH_VFS_ENOTDIR;
	if (!want_dir && (n.attr & FAT_ATTR_DIR))
		return KOSH_VFS_EISDIR;
	if (want_dir && (e = dir_empty(v, &n)))
		return e;
	e = dir_remove(v, &n);
	if (!e && n.first)
		e = fat_writeback(v, FAT_KIND_DIR + 1);
	if (!e && n.first)
		e = fat_free_chain(v, n.first);
	return e;
}

/* EINVAL if dir is inside (or is) the directory whose first cluster is moving. */
static int not_inside(struct fat_vol *v, const struct fat_node *dir, uint32_t moving)
{
	uint32_t c = dir->first;

	for (uint32_t depth = 0; depth < DEPTH_MAX; depth++) {
		struct dir_walk w;
		uint8_t *e;
		int err;

		if (c == 0 || (v->type == 32 && c == v->root_cluster))
			return 0;
		if (c == moving)
			return KOSH_VFS_EINVAL;
		walk_init(&w, c);
		err = slot_get(v, &w, 1, &e, NULL, NULL, NULL);
		if (err)
			return err == KOSH_VFS_ENOENT ? KOSH_VFS_EIO : err;
		if (memcmp(e, "..         ", 11))
			return KOSH_VFS_EIO;
		c = rd16(e + 26) | (v->type == 32 ? (uint32_t)rd16(e + 20) << 16 : 0);
	}
	return KOSH_VFS_EIO;
}

/* Point a moved directory's ".." at the directory whose first cluster is parent, on the disk. */
static int set_dotdot(struct fat_vol *v, const struct fat_node *n, uint32_t parent)
{
	struct dir_walk w;
	uint8_t *p;
	unsigned ci;
	uint32_t pc = (v->type == 32 && parent == v->root_cluster) ? 0 : parent;
	int e;

	walk_init(&w, n->first);
	if ((e = slot_get(v, &w, 1, &p, &ci, NULL, NULL)))
		return e;
	wr16(p + 26, pc & 0xffff);
	wr16(p + 20, v->type == 32 ? pc >> 16 : 0);
	fat_cache_dirty(v, ci);
	return fat_writeback(v, FAT_KIND_DIR + 1);
}

/*
 * What rename finds at its target: *have_old set and *old filled when another
 * entry is there that may be replaced (a file by a file, an empty directory by
 * a directory); 0 or the error that refuses the rename.
 */
static int rename_target(struct fat_vol *v, const struct fat_node *dir, const char *name,
			 size_t nlen, const struct fat_node *src, struct fat_node *old,
			 int *have_old)
{
	struct fat_dirent *d = (struct fat_dirent *)v->scratch;
	uint16_t u[255];
	unsigned n;
	int e = fat_name_from_utf8(name, nlen, u, &n);

	*have_old = 0;
	if (!e)
		e = dir_find(v, dir, name, nlen, d);
	if (e)
		return e == KOSH_VFS_ENOENT ? 0 : e;
	*old = d->node;
	if (old->parent == src->parent && old->slot == src->slot)
		return 0; /* the same entry: only the spelling may change */
	if ((old->attr & FAT_ATTR_DIR) && !(src->attr & FAT_ATTR_DIR))
		return KOSH_VFS_EISDIR;
	if (!(old->attr & FAT_ATTR_DIR) && (src->attr & FAT_ATTR_DIR))
		return KOSH_VFS_ENOTDIR;
	if ((old->attr & FAT_ATTR_DIR) && ((e = node_check(v, old)) || (e = dir_empty(v, old))))
		return e;
	*have_old = 1;
	return 0;
}

int fat_rename(struct fat_vol *v, const char *from, size_t from_len, const char *to, size_t to_len)
{
	struct fat_node src, dir, old, moved;
	const char *name;
	size_t nlen;
	int e = writable(v), have_old = 0, reparent;

	if (!e)
		e = walk(v, from, from_len, 0, &src, NULL, NULL);
	if (!e && src.is_root)
		e = KOSH_VFS_EBUSY;
	if (!e)
		e = walk(v, to, to_len, 1, &dir, &name, &nlen);
	if (!e && !(dir.attr & FAT_ATTR_DIR))
		e = KOSH_VFS_ENOTDIR;
	if (!e && (src.attr & FAT_ATTR_DIR))
		e = not_inside(v, &dir, src.first);
	if (!e)
		e = rename_target(v, &dir, name, nlen, &src, &old, &have_old);
	if (!e && have_old)
		e = dir_remove(v, &old);
	/*
	 * The old name goes first, on the disk: a cut then loses the entry's
	 * clusters, never doubles them. A directory that changes parents gets its
	 * ".." while no name points at it, for the same reason.
	 */
	if (!e)
		e = dir_remove(v, &src);
	if (!e)
		e = fat_writeback(v, FAT_KIND_DIR + 1);
	if (e)
		return e;
	reparent = (src.attr & FAT_ATTR_DIR) && src.parent != dir.first;
	if (reparent && (e = set_dotdot(v, &src, dir.first)))
		return e;
	e = dir_add(v, &dir, name, nlen, &src, &moved);
	if (e) {
		/* Put the old name (and "..") back in the slots just freed. */
		struct fat_node back, sdir;

		if (reparent)
			set_dotdot(v, &src, src.parent);
		if (!walk(v, from, from_len, 1, &sdir, &name, &nlen))
			dir_add(v, &sdir, name, nlen, &src, &back);
		return e;
	}
	if (have_old && old.first && !(e = fat_writeback(v, FAT_KIND_DIR + 1)))
		e = fat_free_chain(v, old.first);
	return e;
}

/* ---- the whole-volume check ---- */

#define CHECK_DEPTH 32u /* directory levels the check descends */

/* Mark a chain's clusters; one already marked is a cross-link. */
static int mark_chain(struct fat_vol *v, uint8_t *bitmap, uint32_t c)
{
	for (uint32_t n = 0; n < v->clusters && c; n++) {
		if (!fat_valid(v, c))
			return KOSH_VFS_EIO;
		if (bitmap[c / 8] & (1u << (c % 8))) {
			v->why = "cross-linked chains (a cluster in two chains)";
			return KOSH_VFS_EIO;
		}
		bitmap[c / 8] |= (uint8_t)(1u << (c % 8));
		int e = fat_next(v, c, &c);

		if (e)
			return e;
	}
	return 0;
}

static int check_dir(struct fat_vol *v, const struct fat_node *dir, uint8_t *bitmap, unsigned depth)
{
	struct fat_dirent d;
	struct dir_walk w;
	uint32_t index = 0;
	char sn[13];
	int dot, e;

	walk_init(&w, dir->first);
	while ((e = dir_next(v, &w, &index, &d, sn, &dot)) == 0) {
		if (dot)
			continue;
		e = node_check(v, &d.node);
		if (e) {
			v->why = "a chain or the dot entries of an entry";
			return e;
		}
		if ((e = mark_chain(v, bitmap, d.node.first)))
			return e;
		if ((d.node.attr & FAT_ATTR_DIR) && depth >= CHECK_DEPTH)
			v->state |= FAT_STATE_SHALLOW;
		else if ((d.node.attr & FAT_ATTR_DIR) && (e = check_dir(v, &d.node, bitmap, depth + 1)))
			return e;
	}
	return e == KOSH_VFS_ENOENT ? 0 : e;
}

int fat_check(struct fat_vol *v, uint8_t *bitmap, size_t bytes)
{
	struct fat_node root;
	int e;

	if (!v->mounted)
		return KOSH_VFS_ENODEV;
	if (bytes < ((size_t)v->clusters + 2 + 7) / 8)
		return KOSH_VFS_EINVAL;
	memset(bitmap, 0, ((size_t)v->clusters + 2 + 7) / 8);
	fat_root(v, &root);
	e = mark_chain(v, bitmap, v->type == 32 ? root.first : 0);
	if (!e)
		e = check_dir(v, &root, bitmap, 0);
	if (!e && !(v->state & FAT_STATE_SHALLOW)) {
		/*
		 * Clusters in use that no chain reaches are lost (a cut between
		 * writes leaves them); bad ones (…F7) are no loss.
		 */
		uint32_t lost = 0, x;
		for (uint32_t c = 2; c < v->clusters + 2 && !e; c++)
			if (!(bitmap[c / 8] & (1u << (c % 8))) && !(e = fat_get(v, c, &x)) && x != 0 &&
			    x != fat_eoc(v) - 8u)
				lost++;
		if (!e && lost == 0)
			v->state |= FAT_STATE_CHECKED;
	}
	if (e == KOSH_VFS_EIO) {
		/* Damage: nothing more is written, so it cannot spread. */
		v->state |= FAT_STATE_DAMAGED;
		if (!(v->flags & FAT_MOUNT_READ_ONLY)) {
			fat_sync(v);
			v->flags |= FAT_MOUNT_READ_ONLY;
		}
	}
	return e;
}
