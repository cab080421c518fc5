/* SPDX-License-Identifier: MIT */
/*
 * ramfs: a read/write filesystem in RAM (docs/vfs.md), serving fs:// until a
 * disk filesystem exists. Arguments: --scheme <name> (default fs; also the
 * name of the start handle that is its endpoint) and --limit <bytes>[K|M|G]
 * (default 16M): everything it keeps — file data, directory entries, the
 * index pages of files — comes out of that many bytes of pages, and a write
 * or create past them is ENOSPC. At start it makes /home, /tmp and /bin.
 *
 * Memory: pages come from frames of CHUNK_PAGES pages taken from the quota as
 * needed and are handed out one at a time; a freed page (unlink, truncate)
 * goes back to ramfs's free list, not to the quota. A file's data hangs off a
 * two-level index: a top page of INDEX_SLOTS index pages of INDEX_SLOTS data
 * pages each, missing pages reading as zeros (holes), so a file is at most
 * FILE_MAX bytes. Times come from kosh_clock_get: the monotonic clock, i.e.
 * nanoseconds since boot, until there is a wall clock.
 *
 * A file unlinked while open lives on, detached, until its last CLOSE.
 * STATFS answers type "ramfs", source "", pages of 4 KiB: the limit's and
 * those not in use. There is no UNMOUNT (ENOSYS): nothing to write back.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fileserver.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define PAGE	      KOSH_PAGE_SIZE
#define CHUNK_PAGES   64u
#define INDEX_SLOTS   (PAGE / sizeof(void *))			   /* 512 */
#define FILE_MAX      ((uint64_t)INDEX_SLOTS * INDEX_SLOTS * PAGE) /* 1 GiB */
#define LIMIT_DEFAULT (16ull << 20)

struct node {
	struct node *parent;   /* NULL: the root, or detached */
	struct node *next;     /* the next entry of the parent */
	struct node *children; /* a directory's entries, in creation order */
	uint32_t type;	       /* KOSH_VFS_FILE or KOSH_VFS_DIR */
	uint32_t entries;      /* a directory's */
	uint64_t size;	       /* a file's bytes */
	uint64_t ino, mtime, ctime;
	uint32_t opens;	  /* open files on it */
	uint32_t subdirs; /* a directory's entries that are directories (for nlink) */
	void ***top;	  /* a file's index: NULL until it has data */
	uint16_t namelen;
	char name[KOSH_VFS_NAME_MAX + 1];
};

/* Every page ramfs holds, and the limit on them. */
struct pool {
	void *free;	/* free pages, linked through their first word */
	uint64_t used;	/* pages handed out */
	uint64_t limit; /* pages that may be */
	struct node *free_nodes;
};

static struct pool pool;
static struct node *root;
static uint64_t next_ino = 1;

/* ---- pages and nodes ---- */

static int pool_grow(void)
{
	int64_t frame = kosh_frame_new(kosh_self()->quota, CHUNK_PAGES * PAGE);
	kosh_err_t err;
	uint8_t *p;

	if (frame < 0)
		return 0;
	p = kosh_frame_map((kosh_handle_t)frame, 0, CHUNK_PAGES * PAGE,
			   KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!p) {
		kosh_handle_close((kosh_handle_t)frame);
		return 0;
	}
	/* The handle stays open: the frame (and its mapping) lives as long as ramfs. */
	for (uint32_t i = 0; i < CHUNK_PAGES; i++) {
		*(void **)(p + i * PAGE) = pool.free;
		pool.free = p + i * PAGE;
	}
	return 1;
}

/* A zeroed page, or NULL at the limit or when the quota has no more. */
static void *page_get(void)
{
	void *p;

	if (pool.used >= pool.limit || (!pool.free && !pool_grow()))
		return NULL;
	p = pool.free;
	pool.free = *(void **)p;
	pool.used++;
	memset(p, 0, PAGE);
	return p;
}

static void page_put(void *p)
{
	*(void **)p = pool.free;
	pool.free = p;
	pool.used--;
}

/* Nodes are carved from pages; a page of them stays with the nodes once carved. */
static struct node *node_new(uint32_t type, const char *name, uint32_t namelen)
{
	struct node *n;

	if (!pool.free_nodes) {
		uint8_t *p = page_get();
		if (!p)
			return NULL;
		for (uint32_t i = 0; i + sizeof(struct node) <= PAGE; i += sizeof(struct node)) {
			((struct node *)(p + i))->next = pool.free_nodes;
			pool.free_nodes = (struct node *)(p + i);
		}
	}
	n = pool.free_nodes;
	pool.free_nodes = n->next;
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->ino = next_ino++;
	n->mtime = n->ctime = (uint64_t)kosh_clock_get();
	n->namelen = (uint16_t)namelen;
	memcpy(n->name, name, namelen);
	return n;
}

/* Free a file's data pages from page index first on (and index pages left empty). */
static void data_free_from(struct node *n, uint64_t first)
{
	if (!n->top)
		return;
	for (uint64_t i = 0; i < INDEX_SLOTS; i++) {
		void **index = n->top[i];
		uint64_t base = i * INDEX_SLOTS;
		if (!index || base + INDEX_SLOTS <= first)
			continue;
		for (uint64_t j = first > base ? first - base : 0; j < INDEX_SLOTS; j++) {
			if (index[j]) {
				page_put(index[j]);
				index[j] = NULL;
			}
		}
		if (base >= first) {
			page_put(index);
			n->top[i] = NULL;
		}
	}
	if (first == 0) {
		page_put(n->top);
		n->top = NULL;
	}
}

static void node_free(struct node *n)
{
	data_free_from(n, 0);
	n->next = pool.free_nodes;
	pool.free_nodes = n;
}

/* The data page for page index i of n: existing, or made when make is set (NULL: none / no room).
 */
static uint8_t *data_page(struct node *n, uint64_t i, int make)
{
	void **index;

	if (!n->top) {
		if (!make || !(n->top = page_get()))
			return NULL;
	}
	index = n->top[i / INDEX_SLOTS];
	if (!index) {
		if (!make || !(index = n->top[i / INDEX_SLOTS] = page_get()))
			return NULL;
	}
	if (!index[i % INDEX_SLOTS] && make)
		index[i % INDEX_SLOTS] = page_get();
	return index[i % INDEX_SLOTS];
}

/* ---- the tree ---- */

static void link_child(struct node *dir, struct node *n)
{
	struct node **p = &dir->children;

	while (*p)
		p = &(*p)->next;
	*p = n;
	n->next = NULL;
	n->parent = dir;
	dir->entries++;
	if (n->type == KOSH_VFS_DIR)
		dir->subdirs++;
	dir->mtime = (uint64_t)kosh_clock_get();
}

static void unlink_child(struct node *n)
{
	struct node *dir = n->parent, **p = &dir->children;

	while (*p != n)
		p = &(*p)->next;
	*p = n->next;
	n->next = NULL;
	n->parent = NULL;
	dir->entries--;
	if (n->type == KOSH_VFS_DIR)
		dir->subdirs--;
	dir->mtime = (uint64_t)kosh_clock_get();
}

static struct node *child_find(struct node *dir, const char *name, uint32_t len)
{
	for (struct node *c = dir->children; c; c = c->next)
		if (c->namelen == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

/*
 * Walk a normalised path ("/", "/a/b"): *dir gets the directory that holds (or
 * would hold) the last component, *name / *namelen that component (namelen 0
 * for the root), and the result is the node itself or NULL if it is missing.
 * *err is ENOENT / ENOTDIR when a directory on the way is missing / not one.
 */
static struct node *walk(const char *path, uint32_t len, struct node **dir, const char **name,
			 uint32_t *namelen, uint32_t *err)
{
	struct node *cur = root, *parent = NULL;
	uint32_t i = 1, start = 1;

	*err = 0;
	*name = path + 1;
	*namelen = 0;
	while (i <= len && len > 1) {
		if (i < len && path[i] != '/') {
			i++;
			continue;
		}
		if (!cur) {
			*err = KOSH_VFS_ENOENT;
			return NULL;
		}
		if (cur->type != KOSH_VFS_DIR) {
			*err = KOSH_VFS_ENOTDIR;
			return NULL;
		}
		parent = cur;
		*name = path + start;
		*namelen = i - start;
		cur = child_find(cur, *name, *namelen);
		start = ++i;
	}
	*dir = parent;
	return cur;
}

/* Take a node out of its directory; freed now, or at its last CLOSE. */
static void node_remove(struct node *n)
{
	unlink_child(n);
	if (n->opens == 0)
		node_free(n);
}

/* ---- path operations ---- */

static uint32_t ramfs_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			   struct kosh_fsrv_file *f)
{
	const char *name;
	uint32_t namelen, err;
	struct node *dir, *n = walk(path, len, &dir, &name, &namelen, &err);

	(void)s;
	if (err != 0)
		return err;
	if (n && (flags & KOSH_VFS_O_CREATE) && (flags & KOSH_VFS_O_EXCL))
		return KOSH_VFS_EEXIST;
	if (!n) {
		if (!(flags & KOSH_VFS_O_CREATE))
			return KOSH_VFS_ENOENT;
		n = node_new(KOSH_VFS_FILE, name, namelen);
		if (!n)
			return KOSH_VFS_ENOSPC;
		link_child(dir, n);
	}
	if (n->type == KOSH_VFS_DIR && (flags & KOSH_VFS_O_WRITE))
		return KOSH_VFS_EISDIR;
	if (n->type != KOSH_VFS_DIR && (flags & KOSH_VFS_O_DIRECTORY))
		return KOSH_VFS_ENOTDIR;
	if (n->type == KOSH_VFS_FILE && (flags & KOSH_VFS_O_TRUNC) && n->size) {
		data_free_from(n, 0);
		n->size = 0;
		n->mtime = (uint64_t)kosh_clock_get();
	}
	n->opens++;
	f->node = n;
	f->type = n->type;
	f->seekable = n->type == KOSH_VFS_FILE;
	return 0;
}

static void fill_stat(const struct node *n, struct kosh_vfs_stat *st)
{
	st->type = n->type;
	st->mode = n->type == KOSH_VFS_DIR ? 0755 : 0644;
	st->size = n->type == KOSH_VFS_DIR ? n->entries : n->size;
	st->mtime_ns = n->mtime;
	st->ctime_ns = n->ctime;
	st->ino = n->ino;
	st->nlink = n->type == KOSH_VFS_DIR ? 2 + n->subdirs : 1;
	st->blksize = PAGE;
}

static uint32_t ramfs_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			    struct kosh_vfs_stat *st)
{
	const char *name;
	uint32_t namelen, err;
	struct node *dir, *n = walk(path, len, &dir, &name, &namelen, &err);

	(void)s;
	if (err != 0)
		return err;
	if (!n)
		return KOSH_VFS_ENOENT;
	fill_stat(n, st);
	return 0;
}

static uint32_t ramfs_mkdir(struct kosh_fsrv *s, const char *path, uint32_t len)
{
	const char *name;
	uint32_t namelen, err;
	struct node *dir, *n = walk(path, len, &dir, &name, &namelen, &err);

	(void)s;
	if (err != 0)
		return err;
	if (n)
		return KOSH_VFS_EEXIST;
	n = node_new(KOSH_VFS_DIR, name, namelen);
	if (!n)
		return KOSH_VFS_ENOSPC;
	link_child(dir, n);
	return 0;
}

static uint32_t ramfs_unlink(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags)
{
	const char *name;
	uint32_t namelen, err;
	struct node *dir, *n = walk(path, len, &dir, &name, &namelen, &err);

	(void)s;
	if (err != 0)
		return err;
	if (!n)
		return KOSH_VFS_ENOENT;
	if (n == root)
		return KOSH_VFS_EBUSY;
	if (flags & KOSH_VFS_UNLINK_DIR) {
		if (n->type != KOSH_VFS_DIR)
			return KOSH_VFS_ENOTDIR;
		if (n->entries)
			return KOSH_VFS_ENOTEMPTY;
	} else if (n->type == KOSH_VFS_DIR) {
		return KOSH_VFS_EISDIR;
	}
	node_remove(n);
	return 0;
}

static int is_within(const struct node *n, const struct node *dir)
{
	for (; n; n = n->parent)
		if (n == dir)
			return 1;
	return 0;
}

static uint32_t ramfs_rename(struct kosh_fsrv *s, const char *from, uint32_t from_len,
			     const char *to, uint32_t to_len)
{
	const char *name, *name2;
	uint32_t namelen, namelen2, err;
	struct node *dir, *dir2, *n, *old;

	(void)s;
	n = walk(from, from_len, &dir, &name, &namelen, &err);
	if (err != 0)
		return err;
	if (!n)
		return KOSH_VFS_ENOENT;
	old = walk(to, to_len, &dir2, &name2, &namelen2, &err);
	if (err != 0)
		return err;
	if (n == root || old == root)
		return KOSH_VFS_EBUSY;
	if (!dir2)
		return KOSH_VFS_ENOENT;
	if (old == n)
		return 0;
	/* A directory cannot move into itself or below. */
	if (n->type == KOSH_VFS_DIR && is_within(dir2, n))
		return KOSH_VFS_EINVAL;
	if (old) {
		if (n->type == KOSH_VFS_DIR && old->type != KOSH_VFS_DIR)
			return KOSH_VFS_ENOTDIR;
		if (n->type != KOSH_VFS_DIR && old->type == KOSH_VFS_DIR)
			return KOSH_VFS_EISDIR;
		if (old->type == KOSH_VFS_DIR && old->entries)
			return KOSH_VFS_ENOTEMPTY;
		node_remove(old);
	}
	unlink_child(n);
	n->namelen = (uint16_t)namelen2;
	memcpy(n->name, name2, namelen2);
	link_child(dir2, n);
	return 0;
}

/* ---- file operations ---- */

static uint32_t ramfs_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			   uint32_t want, uint32_t *got)
{
	struct node *n = f->node;
	uint8_t *out = buf;
	uint32_t done = 0;

	(void)s;
	if (want > KOSH_VFS_IO_MAX)
		want = KOSH_VFS_IO_MAX;
	if (off >= n->size) {
		*got = 0;
		return 0;
	}
	if (want > n->size - off)
		want = (uint32_t)(n->size - off);
	while (done < want) {
		uint64_t at = off + done;
		uint32_t in = (uint32_t)(at % PAGE), k = PAGE - in;
		const uint8_t *page = data_page(n, at / PAGE, 0);
		if (k > want - done)
			k = want - done;
		if (page)
			memcpy(out + done, page + in, k);
		else
			memset(out + done, 0, k);
		done += k;
	}
	*got = done;
	return 0;
}

static uint32_t ramfs_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			    const void *buf, uint32_t len, uint32_t *taken)
{
	struct node *n = f->node;
	const uint8_t *in = buf;
	uint32_t done = 0;

	(void)s;
	if (off >= FILE_MAX || len > FILE_MAX - off)
		return KOSH_VFS_EFBIG;
	while (done < len) {
		uint64_t at = off + done;
		uint32_t o = (uint32_t)(at % PAGE), k = PAGE - o;
		uint8_t *page = data_page(n, at / PAGE, 1);
		if (!page)
			break;
		if (k > len - done)
			k = len - done;
		memcpy(page + o, in + done, k);
		done += k;
	}
	if (done == 0 && len > 0)
		return KOSH_VFS_ENOSPC;
	if (off + done > n->size)
		n->size = off + done;
	n->mtime = (uint64_t)kosh_clock_get();
	*taken = done;
	return 0;
}

static uint32_t ramfs_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	(void)s;
	fill_stat(f->node, st);
	return 0;
}

/* The cookie is the number of entries already listed. */
static uint32_t ramfs_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
			      void *buf, uint32_t size, uint32_t *used, uint64_t *next, int *end)
{
	struct node *c = ((struct node *)f->node)->children;
	uint64_t i = 0;

	(void)s;
	for (; c && i < cookie; c = c->next)
		i++;
	for (; c; c = c->next, i++)
		if (kosh_vfs_dirent_put(buf, size, used, c->ino, c->type, c->name, c->namelen) != 0)
			break;
	*next = i;
	*end = c == NULL;
	return 0;
}

static uint32_t ramfs_truncate(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t size)
{
	struct node *n = f->node;

	(void)s;
	if (size > FILE_MAX)
		return KOSH_VFS_EFBIG;
	if (size < n->size) {
		uint64_t first = (size + PAGE - 1) / PAGE;
		uint8_t *last = size % PAGE ? data_page(n, size / PAGE, 0) : NULL;
		data_free_from(n, first);
		/* What lies past the new end must read as zeros if the file grows again. */
		if (last)
			memset(last + size % PAGE, 0, PAGE - size % PAGE);
	}
	n->size = size;
	n->mtime = (uint64_t)kosh_clock_get();
	return 0;
}

static void ramfs_close(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct node *n = f->node;

	(void)s;
	n->opens--;
	if (n->opens == 0 && !n->parent && n != root)
		node_free(n);
}

/* STATFS: pages of the limit, and those not handed out (freed ones are free again). */
static uint32_t ramfs_statfs(struct kosh_fsrv *s, const char *path, uint32_t len,
			     struct kosh_vfs_statfs *st)
{
	(void)s, (void)path, (void)len;
	st->block_size = PAGE;
	st->blocks = pool.limit;
	st->blocks_free = pool.limit - pool.used;
	st->flags = 0;
	st->name_max = KOSH_VFS_NAME_MAX;
	memcpy(st->type, "ramfs", 6);
	st->source[0] = '\0';
	return 0;
}

static const struct kosh_fsrv_ops ramfs_ops = {
    .open = ramfs_open,
    .statp = ramfs_statp,
    .mkdir = ramfs_mkdir,
    .unlink = ramfs_unlink,
    .rename = ramfs_rename,
    .statfs = ramfs_statfs,
    .read = ramfs_read,
    .write = ramfs_write,
    .stat = ramfs_stat,
    .readdir = ramfs_readdir,
    .truncate = ramfs_truncate,
    .close = ramfs_close,
};

/* ---- start ---- */

/* "16M", "512K", "1G", "4096": bytes, or 0 if malformed. */
static uint64_t parse_size(const char *s)
{
	uint64_t v = 0, unit = 1;

	if (!*s)
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == 'K' || *s == 'k')
		unit = 1ull << 10, s++;
	else if (*s == 'M' || *s == 'm')
		unit = 1ull << 20, s++;
	else if (*s == 'G' || *s == 'g')
		unit = 1ull << 30, s++;
	if (*s || v > UINT64_MAX / unit)
		return 0;
	return v * unit;
}

int main(int argc, char **argv)
{
	const char *scheme = "fs";
	uint64_t limit = LIMIT_DEFAULT;
	struct kosh_fsrv *srv;
	kosh_handle_t ep;
	kosh_err_t err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--scheme") == 0 && i + 1 < argc) {
			scheme = argv[++i];
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			limit = parse_size(argv[++i]);
			if (limit < 16 * PAGE) {
				kosh_printf("bad --limit %s (at least 64K)", argv[i]);
				return 2;
			}
		} else {
			kosh_printf("unknown argument %s (--scheme NAME --limit SIZE)", argv[i]);
			return 2;
		}
	}
	ep = kosh_start_handle(scheme, NULL);
	if (!ep) {
		kosh_printf("no \"%s\" endpoint given", scheme);
		return 1;
	}
	pool.limit = limit / PAGE;
	root = node_new(KOSH_VFS_DIR, "", 0);
	struct node *home = node_new(KOSH_VFS_DIR, "home", 4),
		    *tmp = node_new(KOSH_VFS_DIR, "tmp", 3),
		    *bin = node_new(KOSH_VFS_DIR, "bin", 3);
	if (!root || !home || !tmp || !bin) {
		kosh_printf("no memory for the root");
		return 1;
	}
	link_child(root, home);
	link_child(root, tmp);
	link_child(root, bin);
	struct kosh_fsrv_config cfg = {
	    .name = "ramfs",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &ramfs_ops,
	};
	err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK) {
		kosh_printf("cannot serve: %s", kosh_strerror(err));
		return 1;
	}
	kosh_printf("serving %s:// (limit %llu KiB)", scheme, (unsigned long long)(limit >> 10));
	return kosh_fsrv_run(srv) == KOSH_OK ? 0 : 1;
}
