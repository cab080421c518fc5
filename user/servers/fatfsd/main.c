/* SPDX-License-Identifier: MIT */
/*
 * fatfsd: one FAT12/16/32 volume served as files (docs/fat.md, "The server").
 * Started by devmgr through init as a driver with the start handles "serve"
 * (our endpoint), "device" (the block device: an open file of the virtio-blk
 * driver), "vfs", "quota" and "klog". Arguments: [--read-only] [--source URI]
 * [--device URI] (the last opens the block device through the namespace
 * instead of the "device" handle, for testing by hand).
 *
 * All the file system is the library (fat.h); this file is the protocol around
 * it: one shared node per open file (struct onode), kept right across rename
 * and unlink; a read-ahead buffer and a write-behind buffer so that a stream of
 * 4064-byte READs and WRITEs reaches the disk in runs of RA_BYTES / WB_BYTES;
 * STATFS and UNMOUNT. A mount that fails leaves the server answering every
 * request with the mount's error until UNMOUNT, so that devmgr learns why
 * through STATFS.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/blockdev.h>
#include <kosh/file.h>
#include <kosh/fileserver.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "fat.h"

#define DEV_BUFFER    (256u * 1024u) /* the block device's shared buffer */
#define RA_BYTES      (256u * 1024u) /* read-ahead: a file is read in runs of this */
#define WB_BYTES      (256u * 1024u) /* write-behind: written in aligned runs of this */
#define WIN_BYTES     (32u * 1024u) /* small reads (FAT, directories) fetch this much around them */
#define FILE_SIZE_MAX 0xffffffffull /* FAT's limit */

/*
 * An open node: every open file of one directory entry shares it, so that two
 * handles see each other's writes, size and truncation. Found by the entry's
 * place on the disk (ent_lba, ent_off), which is what names a FAT file.
 */
struct onode {
	uint32_t refs; /* open files on it; 0: the slot is free */
	uint32_t type; /* KOSH_VFS_FILE or KOSH_VFS_DIR */
	int gone;      /* unlinked or replaced by a rename: its clusters are not its own any more */
	uint32_t werr; /* a write-behind error not yet told to a caller */
	uint64_t next_read; /* where a sequential read would go on (read-ahead) */
	uint64_t gen;	    /* bumped by every change of its bytes: the read-ahead's check */
	struct fat_node n;
};

static struct fat_vol vol;
static struct kosh_blockdev bd;
static int bd_ok;
static uint32_t mount_err; /* the mount's error: every request answers it */
static int read_only;
static const char *source = "";
static uint64_t wall_offset; /* time:///now minus the monotonic clock at start; 0: unknown */
static struct onode onodes[KOSH_FSRV_FILES_MAX];

/* What the volume cost the device, logged at unmount (the throughput's why). */
static struct {
	uint64_t reads, writes, flushes, read_sectors, written_sectors, ns, write_ns, flush_ns,
	    small_writes;
} io;

/* Read-ahead: RA_BYTES of one file at off, valid while gen is the file's. */
static struct {
	struct onode *on;
	uint64_t off;
	uint32_t len;
	uint64_t gen;
	uint8_t data[RA_BYTES];
} ra;

/* Write-behind: bytes [off, off + len) of one file, not yet given to the library. */
static struct {
	struct onode *on;
	uint64_t off;
	uint32_t len;
	uint8_t data[WB_BYTES + KOSH_VFS_IO_MAX];
} wb;

/* ---- the block device and the clock, for the library ---- */

static uint32_t dev_err(uint32_t err, const char *what, uint64_t lba)
{
	static int told;
	if (!told++)
		kosh_printf("%s at sector %llu: %s", what, (unsigned long long)lba,
			    kosh_block_strerror(err));
	return err == KOSH_BLOCK_EROFS ? KOSH_VFS_EROFS : KOSH_VFS_EIO;
}

/*
 * Small reads (the library reads the FAT and directories a sector at a time
 * through its cache) are served from windows of WIN_BYTES, each read in one
 * call: one for each FAT copy and for the directories the library goes
 * between, the least recently used replaced. Writes keep the windows' copies
 * of their sectors right. Reads only: writes reach the device one by one, in
 * the library's order.
 */
#define WINDOWS 4u
static struct window {
	uint64_t lba;
	uint32_t count; /* sectors held; 0: none */
	uint32_t used;	/* last use, for LRU */
	uint8_t data[WIN_BYTES];
} win[WINDOWS];
static uint32_t win_clock;

static int dev_read_raw(uint64_t lba, uint32_t count, void *buf);

static int dev_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	uint32_t ss = bd.sector_size, want = WIN_BYTES / ss;
	struct window *w = NULL;

	(void)ctx;
	if (count > want / 4)
		return dev_read_raw(lba, count, buf);
	for (uint32_t i = 0; i < WINDOWS && !w; i++)
		if (win[i].count && lba >= win[i].lba && lba + count <= win[i].lba + win[i].count)
			w = &win[i];
	if (!w) {
		w = &win[0];
		for (uint32_t i = 1; i < WINDOWS; i++)
			if (win_clock - win[i].used > win_clock - w->used)
				w = &win[i];
		if (want > bd.sectors - lba)
			want =
			    (uint32_t)(bd.sectors - lba); /* the library asks for sectors inside */
		w->count = 0;
		int err = dev_read_raw(lba, want, w->data);
		if (err)
			return err;
		w->lba = lba;
		w->count = want;
	}
	w->used = ++win_clock;
	memcpy(buf, w->data + (lba - w->lba) * ss, (size_t)count * ss);
	return 0;
}

/* A write's sectors that a window holds are changed there too. */
static void win_update(uint64_t lba, uint32_t count, const uint8_t *buf)
{
	for (uint32_t i = 0; i < WINDOWS; i++) {
		struct window *w = &win[i];
		uint64_t from = lba > w->lba ? lba : w->lba;
		uint64_t to = lba + count < w->lba + w->count ? lba + count : w->lba + w->count;
		if (!w->count || from >= to)
			continue;
		memcpy(w->data + (from - w->lba) * bd.sector_size,
		       buf + (from - lba) * bd.sector_size, (size_t)(to - from) * bd.sector_size);
	}
}

static int dev_read_raw(uint64_t lba, uint32_t count, void *buf)
{
	uint32_t per = (uint32_t)(bd.buffer_size / bd.sector_size);
	uint8_t *out = buf;

	while (count > 0) {
		uint32_t n = count < per ? count : per, err;
		uint64_t t = (uint64_t)kosh_clock_get();
		err = kosh_blockdev_read(&bd, lba, n, 0);
		io.ns += (uint64_t)kosh_clock_get() - t;
		io.reads++;
		io.read_sectors += n;
		if (err != 0)
			return (int)dev_err(err, "read", lba);
		memcpy(out, bd.buffer, (size_t)n * bd.sector_size);
		out += (size_t)n * bd.sector_size;
		lba += n;
		count -= n;
	}
	return 0;
}

static int dev_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	uint32_t per = (uint32_t)(bd.buffer_size / bd.sector_size);
	const uint8_t *in = buf;

	(void)ctx;
	win_update(lba, count, in);
	while (count > 0) {
		uint32_t n = count < per ? count : per, err;
		memcpy(bd.buffer, in, (size_t)n * bd.sector_size);
		uint64_t t = (uint64_t)kosh_clock_get();
		err = kosh_blockdev_write(&bd, lba, n, 0);
		t = (uint64_t)kosh_clock_get() - t;
		io.ns += t;
		io.write_ns += t;
		io.small_writes += n < 8;
		io.writes++;
		io.written_sectors += n;
		if (err != 0) {
			for (uint32_t i = 0; i < WINDOWS; i++)
				win[i].count = 0; /* what the disk holds there is not known now */
			return (int)dev_err(err, "write", lba);
		}
		in += (size_t)n * bd.sector_size;
		lba += n;
		count -= n;
	}
	return 0;
}

static int dev_flush(void *ctx)
{
	uint32_t err;

	(void)ctx;
	uint64_t t = (uint64_t)kosh_clock_get();
	err = kosh_blockdev_flush(&bd);
	t = (uint64_t)kosh_clock_get() - t;
	io.ns += t;
	io.flush_ns += t;
	io.flushes++;
	return err ? (int)dev_err(err, "flush", 0) : 0;
}

static uint64_t dev_now(void *ctx)
{
	(void)ctx;
	return wall_offset ? wall_offset + (uint64_t)kosh_clock_get() : 0;
}

/* The wall clock, once: time:///now against the monotonic clock (0 if there is none). */
static void clock_start(void)
{
	wall_offset = kosh_file_realtime_offset(kosh_vfs());
	if (!wall_offset)
		kosh_printf("no time:///now: timestamps are the FAT epoch");
}

/* ---- open nodes ---- */

static int same_entry(const struct fat_node *a, const struct fat_node *b)
{
	if (a->is_root || b->is_root)
		return a->is_root && b->is_root;
	return a->ent_lba == b->ent_lba && a->ent_off == b->ent_off;
}

static struct onode *onode_find(const struct fat_node *n)
{
	for (uint32_t i = 0; i < KOSH_FSRV_FILES_MAX; i++)
		if (onodes[i].refs && !onodes[i].gone && same_entry(&onodes[i].n, n))
			return &onodes[i];
	return NULL;
}

static struct onode *onode_get(const struct fat_node *n, uint32_t type)
{
	struct onode *on = onode_find(n);

	if (on) {
		on->refs++;
		return on;
	}
	for (uint32_t i = 0; i < KOSH_FSRV_FILES_MAX; i++) {
		on = &onodes[i];
		if (on->refs)
			continue;
		memset(on, 0, sizeof(*on));
		on->refs = 1;
		on->type = type;
		on->n = *n;
		return on;
	}
	return NULL; /* the library's table is as large: not reached */
}

/* The size of an open file, with what waits in the write-behind buffer. */
static uint64_t onode_size(const struct onode *on)
{
	uint64_t size = on->n.size;

	if (wb.on == on && wb.len && wb.off + wb.len > size)
		size = wb.off + wb.len;
	return size;
}

/* ---- the write-behind buffer ---- */

/* Give the library the first len bytes of the buffer (all of them: wb.len). */
static uint32_t wb_write(uint32_t len)
{
	struct onode *on = wb.on;
	int err;

	on->gen++;
	err = fat_write(&vol, &on->n, wb.off, wb.data, len);
	if (err != 0) {
		/* The bytes are dropped; the next call on the file says so. */
		wb.len = 0;
		wb.on = NULL;
		on->werr = (uint32_t)err;
		return (uint32_t)err;
	}
	memmove(wb.data, wb.data + len, wb.len - len);
	wb.off += len;
	wb.len -= len;
	if (!wb.len)
		wb.on = NULL;
	return 0;
}

/* Everything waiting reaches the library (before any other operation). */
static uint32_t wb_flush(void)
{
	if (!wb.on || !wb.len) {
		wb.on = NULL;
		return 0;
	}
	return wb_write(wb.len);
}

/* The error a file's earlier buffered write met, told once. */
static uint32_t take_werr(struct onode *on)
{
	uint32_t err = on->werr;

	on->werr = 0;
	return err;
}

/* ---- the file protocol ---- */

/*
 * What every path operation checks first: the mount failed (its error);
 * pending writes go to the library so that what follows sees them.
 */
static uint32_t enter(void)
{
	if (mount_err)
		return mount_err;
	wb_flush();
	return 0;
}

static uint32_t fs_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			struct kosh_fsrv_file *f)
{
	struct kosh_vfs_stat st;
	struct fat_node n;
	struct onode *on;
	uint32_t err = enter();
	int made = 0;

	(void)s;
	if (err)
		return err;
	if (read_only && (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_TRUNC)))
		return KOSH_VFS_EROFS;
	if ((flags & KOSH_VFS_O_TRUNC) && !(flags & KOSH_VFS_O_WRITE))
		return KOSH_VFS_EINVAL;
	err = (uint32_t)fat_lookup(&vol, path, len, &n);
	if (err == KOSH_VFS_ENOENT && (flags & KOSH_VFS_O_CREATE)) {
		if (read_only)
			return KOSH_VFS_EROFS;
		if (flags & KOSH_VFS_O_DIRECTORY)
			return KOSH_VFS_ENOENT;
		err = (uint32_t)fat_create(&vol, path, len, &n);
		made = 1;
	} else if (err == 0 && (flags & KOSH_VFS_O_CREATE) && (flags & KOSH_VFS_O_EXCL)) {
		return KOSH_VFS_EEXIST;
	}
	if (err)
		return err;
	fat_stat(&vol, &n, &st);
	if ((flags & KOSH_VFS_O_DIRECTORY) && st.type != KOSH_VFS_DIR)
		return KOSH_VFS_ENOTDIR;
	if (st.type == KOSH_VFS_DIR && (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_TRUNC)))
		return KOSH_VFS_EISDIR;
	on = onode_get(&n, st.type);
	if (!on)
		return KOSH_VFS_ENFILE;
	if ((flags & KOSH_VFS_O_TRUNC) && !made && on->n.size) {
		on->gen++;
		err = (uint32_t)fat_truncate(&vol, &on->n, 0);
		if (err) {
			on->refs--;
			return err;
		}
	}
	f->node = on;
	f->type = st.type;
	f->seekable = 1;
	return 0;
}

static uint32_t fs_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			 struct kosh_vfs_stat *st)
{
	struct fat_node n;
	uint32_t err = enter();

	(void)s;
	if (err)
		return err;
	err = (uint32_t)fat_lookup(&vol, path, len, &n);
	if (err)
		return err;
	fat_stat(&vol, &n, st);
	return 0;
}

static uint32_t fs_mkdir(struct kosh_fsrv *s, const char *path, uint32_t len)
{
	uint32_t err = enter();

	(void)s;
	if (err)
		return err;
	if (read_only)
		return KOSH_VFS_EROFS;
	return (uint32_t)fat_mkdir(&vol, path, len);
}

/* The open nodes of an entry that was removed are marked gone. */
static void mark_gone(const struct fat_node *n)
{
	for (uint32_t i = 0; i < KOSH_FSRV_FILES_MAX; i++)
		if (onodes[i].refs && !onodes[i].gone && same_entry(&onodes[i].n, n)) {
			onodes[i].gone = 1;
			if (ra.on == &onodes[i])
				ra.on = NULL;
		}
}

/* The entry at path, about to be removed or moved: writable, there, not the root. */
static uint32_t entry_to_change(const char *path, uint32_t len, struct fat_node *n)
{
	uint32_t err = enter();

	if (err)
		return err;
	if (read_only)
		return KOSH_VFS_EROFS;
	err = (uint32_t)fat_lookup(&vol, path, len, n);
	if (err)
		return err;
	return n->is_root ? KOSH_VFS_EBUSY : 0;
}

static uint32_t fs_unlink(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags)
{
	struct fat_node n;
	uint32_t err = entry_to_change(path, len, &n);

	(void)s;
	if (err)
		return err;
	err = (uint32_t)fat_unlink(&vol, path, len, (flags & KOSH_VFS_UNLINK_DIR) ? 1 : 0);
	if (err == 0)
		mark_gone(&n);
	return err;
}

static uint32_t fs_rename(struct kosh_fsrv *s, const char *from, uint32_t from_len, const char *to,
			  uint32_t to_len)
{
	struct fat_node src, dst, moved;
	int replaced;
	uint32_t err = entry_to_change(from, from_len, &src);

	(void)s;
	if (err)
		return err;
	replaced = fat_lookup(&vol, to, to_len, &dst) == 0 && !same_entry(&src, &dst);
	err = (uint32_t)fat_rename(&vol, from, from_len, to, to_len);
	if (err)
		return err;
	if (replaced)
		mark_gone(&dst);
	/*
	 * The moved entry has a new place: its open nodes follow it (their
	 * copies would write the old, freed slots). Entries below a moved
	 * directory stay where they are: their nodes are still right.
	 */
	int found = fat_lookup(&vol, to, to_len, &moved) == 0;
	for (uint32_t i = 0; i < KOSH_FSRV_FILES_MAX; i++) {
		struct onode *on = &onodes[i];
		if (!on->refs || on->gone)
			continue;
		if (same_entry(&on->n, &src)) {
			if (!found) {
				on->gone = 1;
				continue;
			}
			uint32_t hint_index = on->n.hint_index, hint_cluster = on->n.hint_cluster;
			on->n = moved;
			if (moved.first == src.first) {
				on->n.hint_index = hint_index;
				on->n.hint_cluster = hint_cluster;
			}
		}
	}
	if (ra.on && ra.on->gone)
		ra.on = NULL;
	return 0;
}

/*
 * What every operation on an open file checks first: the mount's error; its
 * own pending writes go to the library (those of another file may wait: a
 * copy reads one file and writes another); a file that was unlinked or
 * replaced while open is gone (its clusters may be another's now); the error
 * of an earlier buffered write.
 */
static uint32_t check_file(struct kosh_fsrv_file *f, struct onode **out)
{
	struct onode *on = f->node;

	if (mount_err)
		return mount_err;
	if (wb.on == on)
		wb_flush();
	if (on->gone)
		return KOSH_VFS_ENOENT;
	*out = on;
	return take_werr(on);
}

static uint32_t fs_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			uint32_t want, uint32_t *got)
{
	struct onode *on;
	size_t done = 0;
	uint32_t err = check_file(f, &on);

	(void)s;
	if (err)
		return err;
	if (ra.on == on && ra.gen == on->gen && off >= ra.off && off < ra.off + ra.len) {
		uint64_t have = ra.off + ra.len - off;
		*got = want < have ? want : (uint32_t)have;
		memcpy(buf, ra.data + (off - ra.off), *got);
		on->next_read = off + *got;
		return 0;
	}
	if (off >= on->n.size) {
		*got = 0;
		return 0;
	}
	/*
	 * A read that goes on from the last one (or starts the file) takes a
	 * whole aligned run into the read-ahead buffer; a random one only what
	 * it asks.
	 */
	if (off == on->next_read || off == 0) {
		uint64_t start = off - off % RA_BYTES;
		ra.on = NULL;
		err = (uint32_t)fat_read(&vol, &on->n, start, ra.data, RA_BYTES, &done);
		if (err)
			return err;
		ra.on = on;
		ra.off = start;
		ra.len = (uint32_t)done;
		ra.gen = on->gen;
		if (off >= start + done) {
			*got = 0;
			return 0;
		}
		uint64_t have = start + done - off;
		*got = want < have ? want : (uint32_t)have;
		memcpy(buf, ra.data + (off - start), *got);
	} else {
		err = (uint32_t)fat_read(&vol, &on->n, off, buf, want, &done);
		if (err)
			return err;
		*got = (uint32_t)done;
	}
	on->next_read = off + *got;
	return 0;
}

/* Clusters a file of size bytes holds. */
static uint64_t clusters_of(uint64_t size)
{
	return (size + vol.cluster_bytes - 1) / vol.cluster_bytes;
}

static uint32_t fs_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			 const void *buf, uint32_t len, uint32_t *taken)
{
	struct onode *on = f->node;
	uint64_t end = off + len, grow;
	uint32_t err;

	(void)s;
	if (mount_err)
		return mount_err;
	if (read_only)
		return KOSH_VFS_EROFS;
	if (on->gone)
		return KOSH_VFS_ENOENT;
	err = take_werr(on);
	if (err)
		return err;
	if (len == 0) {
		*taken = 0;
		return 0;
	}
	if (off > FILE_SIZE_MAX || end > FILE_SIZE_MAX)
		return KOSH_VFS_EFBIG;
	/*
	 * Buffered only while the clusters it needs are surely free, so that
	 * ENOSPC is told now, not on a later call.
	 */
	grow = end > on->n.size ? clusters_of(end) - clusters_of(on->n.size) : 0;
	/* Going on from what waits: join it. */
	if (grow + 1 < vol.free_count && wb.on == on && off == wb.off + wb.len &&
	    wb.len + len <= sizeof(wb.data)) {
		memcpy(wb.data + wb.len, buf, len);
		wb.len += len;
		*taken = len;
		/* Whole aligned runs go on at once: the next write starts aligned. */
		uint64_t edge = wb.off - wb.off % WB_BYTES + WB_BYTES;
		if (wb.off + wb.len >= edge)
			wb_write((uint32_t)(edge - wb.off)); /* an error waits in werr */
		return 0;
	}
	wb_flush();
	err = take_werr(on); /* this file's earlier bytes failed: say so first */
	if (err)
		return err;
	if (grow + 1 < vol.free_count) {
		wb.on = on;
		wb.off = off;
		wb.len = len;
		memcpy(wb.data, buf, len);
		*taken = len;
		return 0;
	}
	on->gen++;
	err = (uint32_t)fat_write(&vol, &on->n, off, buf, len);
	if (err)
		return err;
	*taken = len;
	return 0;
}

static uint32_t fs_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	struct onode *on = f->node;

	(void)s;
	if (mount_err)
		return mount_err;
	if (on->gone)
		return KOSH_VFS_ENOENT;
	/* No flush: APPEND asks for the size before every write. */
	fat_stat(&vol, &on->n, st);
	if (on->type == KOSH_VFS_FILE)
		st->size = onode_size(on);
	return 0;
}

static uint32_t fs_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
			   void *buf, uint32_t size, uint32_t *used, uint64_t *next, int *end)
{
	static struct fat_dirent de;
	struct onode *on;
	uint32_t err = check_file(f, &on);

	(void)s;
	if (err)
		return err;
	*used = 0;
	*end = 0;
	for (;;) {
		uint64_t at = cookie;
		int e = fat_readdir(&vol, &on->n, &cookie, &de);
		if (e == KOSH_VFS_ENOENT) {
			*end = 1;
			break;
		}
		if (e) {
			if (*used)
				break; /* what was read goes out; the next call meets the error */
			return (uint32_t)e;
		}
		if (de.namelen == 0 || de.namelen > KOSH_VFS_NAME_MAX)
			continue; /* a name the protocol cannot carry */
		if (kosh_vfs_dirent_put(buf, size, used, de.ino, de.type, de.name, de.namelen)) {
			cookie = at;
			break;
		}
	}
	*next = cookie;
	return 0;
}

static uint32_t fs_truncate(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t size)
{
	struct onode *on;
	uint32_t err = check_file(f, &on);

	(void)s;
	if (err)
		return err;
	if (read_only)
		return KOSH_VFS_EROFS;
	if (size > FILE_SIZE_MAX)
		return KOSH_VFS_EFBIG;
	/* Growing takes clusters: those another file's buffered bytes counted on go first. */
	wb_flush();
	on->gen++;
	return (uint32_t)fat_truncate(&vol, &on->n, size);
}

static uint32_t fs_sync(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct onode *on;
	uint32_t err = check_file(f, &on);

	(void)s;
	if (mount_err)
		return mount_err;
	if (err == KOSH_VFS_ENOENT)
		err = 0; /* gone, but what else was written still goes to the disk */
	/* A buffered write that failed is this SYNC's error; the rest is synced all the same. */
	wb_flush(); /* another file's (its error waits for that file) */
	uint32_t e = read_only ? 0 : (uint32_t)fat_sync(&vol);
	return err ? err : e;
}

static void fs_close(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct onode *on = f->node;

	(void)s;
	if (!on)
		return;
	if (wb.on == on && wb_flush())
		kosh_printf("a buffered write failed at CLOSE: %s", kosh_vfs_strerror(on->werr));
	if (--on->refs == 0) {
		if (ra.on == on)
			ra.on = NULL;
		if (wb.on == on)
			wb.on = NULL;
	}
	f->node = NULL;
}

static uint32_t fs_dup(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct onode *on = f->node;

	(void)s;
	if (on)
		on->refs++;
	return 0;
}

static uint32_t fs_statfs(struct kosh_fsrv *s, const char *path, uint32_t len,
			  struct kosh_vfs_statfs *st)
{
	uint32_t err = enter();

	(void)s;
	(void)path;
	(void)len;
	if (err)
		return err;
	st->block_size = vol.cluster_bytes;
	st->blocks = vol.clusters;
	st->blocks_free = vol.free_count;
	st->flags = 0;
	if (read_only)
		st->flags |= KOSH_VFS_STATFS_READ_ONLY;
	if (vol.state & FAT_STATE_DAMAGED)
		st->flags |= KOSH_VFS_STATFS_DAMAGED;
	if (vol.state & FAT_STATE_WAS_DIRTY)
		st->flags |= KOSH_VFS_STATFS_WAS_DIRTY;
	st->name_max = KOSH_VFS_NAME_MAX;
	memcpy(st->type, vol.type == 12 ? "fat12" : vol.type == 16 ? "fat16" : "fat32", 6);
	size_t n = strlen(source);
	if (n >= sizeof(st->source))
		n = sizeof(st->source) - 1;
	memcpy(st->source, source, n);
	st->source[n] = '\0';
	return 0;
}

static uint32_t fs_unmount(struct kosh_fsrv *s)
{
	uint32_t err;

	(void)s;
	if (mount_err)
		return 0; /* nothing was mounted: just go */
	err = wb_flush();
	if (err)
		kosh_printf("a write failed at unmount: %s", kosh_vfs_strerror(err));
	err = (uint32_t)fat_unmount(&vol);
	if (err) {
		kosh_printf("unmount failed: %s", kosh_vfs_strerror(err));
		return err;
	}
	kosh_printf("%s: clean; the device saw %llu reads (%llu sectors), %llu writes (%llu "
		    "sectors), %llu flushes, %llu ms (writes %llu ms, %llu small; flushes %llu ms)",
		    source, (unsigned long long)io.reads, (unsigned long long)io.read_sectors,
		    (unsigned long long)io.writes, (unsigned long long)io.written_sectors,
		    (unsigned long long)io.flushes, (unsigned long long)(io.ns / 1000000),
		    (unsigned long long)(io.write_ns / 1000000),
		    (unsigned long long)io.small_writes,
		    (unsigned long long)(io.flush_ns / 1000000));
	return 0;
}

static const struct kosh_fsrv_ops fat_ops = {
    .open = fs_open,
    .statp = fs_statp,
    .mkdir = fs_mkdir,
    .unlink = fs_unlink,
    .rename = fs_rename,
    .read = fs_read,
    .write = fs_write,
    .stat = fs_stat,
    .readdir = fs_readdir,
    .truncate = fs_truncate,
    .sync = fs_sync,
    .close = fs_close,
    .dup = fs_dup,
    .statfs = fs_statfs,
    .unmount = fs_unmount,
};

/* ---- start ---- */

/* Attach the device, mount, check: mount_err is what every request answers if it fails. */
static void start_volume(kosh_handle_t dev, const char *dev_uri, int want_ro)
{
	struct fat_dev fd;
	uint32_t err;
	int e;

	if (dev_uri)
		err = kosh_blockdev_open(&bd, kosh_vfs(), dev_uri, DEV_BUFFER);
	else if (dev)
		err = kosh_blockdev_attach(&bd, dev, DEV_BUFFER);
	else
		err = KOSH_BLOCK_ENODEV;
	if (err) {
		kosh_printf("no block device %s: %s", dev_uri ? dev_uri : "(device)",
			    kosh_block_strerror(err));
		mount_err = err == KOSH_BLOCK_ENODEV || err == 2 ? KOSH_VFS_ENODEV : KOSH_VFS_EIO;
		return;
	}
	bd_ok = 1;
	read_only = want_ro || (bd.flags & KOSH_BLOCK_F_READ_ONLY);
	fd = (struct fat_dev){
	    .ctx = NULL,
	    .sector_size = bd.sector_size,
	    .sectors = bd.sectors,
	    .read = dev_read,
	    .write = dev_write,
	    .flush = dev_flush,
	    .now = dev_now,
	};
	e = fat_mount(&vol, &fd, read_only ? FAT_MOUNT_READ_ONLY : 0);
	if (e) {
		kosh_printf("%s: not mounted: %s (%s)", source, kosh_vfs_strerror((uint32_t)e),
			    vol.why ? vol.why : "?");
		mount_err = (uint32_t)e;
		return;
	}
	size_t bytes = (vol.clusters + 2u) / 8u + 1u;
	uint8_t *bitmap = kosh_page_alloc(bytes);
	if (!bitmap) {
		kosh_printf("no memory to check the volume: mounted read-only");
		read_only = 1;
		vol.flags |= FAT_MOUNT_READ_ONLY;
	} else {
		e = fat_check(&vol, bitmap, bytes);
		if (e) {
			kosh_printf("%s: damaged (%s): %s; serving read-only", source,
				    vol.why ? vol.why : "?", kosh_vfs_strerror((uint32_t)e));
			read_only = 1;
		} else if (!read_only && !(vol.state & FAT_STATE_SHALLOW)) {
			/*
			 * What a cut or a kill left, here or on another system (lost
			 * clusters, FAT copies apart; FAT12 has no dirty bit to say so).
			 */
			uint32_t freed, copied;
			e = fat_repair(&vol, bitmap, &freed, &copied);
			if (e)
				kosh_printf("%s: cannot mend the volume: %s", source,
					    kosh_vfs_strerror((uint32_t)e));
			else if (freed || copied)
				kosh_printf("%s: mended: %u lost clusters freed, %u FAT sectors "
					    "copied",
					    source, freed, copied);
		}
		kosh_page_free(bitmap);
	}
	kosh_printf("%s: FAT%d, %u clusters of %u bytes, %u free%s%s", source, vol.type,
		    vol.clusters, vol.cluster_bytes, vol.free_count, read_only ? ", read-only" : "",
		    (vol.state & FAT_STATE_WAS_DIRTY) ? ", was not cleanly unmounted" : "");
}

int main(int argc, char **argv)
{
	const char *dev_uri = NULL;
	int want_ro = 0;
	struct kosh_fsrv *srv;
	kosh_handle_t ep;
	kosh_err_t err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--read-only") == 0) {
			want_ro = 1;
		} else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc) {
			source = argv[++i];
		} else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
			dev_uri = argv[++i];
		} else {
			kosh_printf("unknown argument %s ([--read-only] [--source URI] "
				    "[--device URI])",
				    argv[i]);
			return 2;
		}
	}
	ep = kosh_start_handle("serve", NULL);
	if (!ep) {
		kosh_printf("no \"serve\" endpoint given");
		return 1;
	}
	clock_start();
	start_volume(dev_uri ? 0 : kosh_start_handle("device", NULL), dev_uri, want_ro);
	struct kosh_fsrv_config cfg = {
	    .name = "fatfsd",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &fat_ops,
	};
	err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK) {
		kosh_printf("cannot serve: %s", kosh_strerror(err));
		return 1;
	}
	err = kosh_fsrv_run(srv);
	if (bd_ok)
		kosh_blockdev_close(&bd);
	return err == KOSH_OK ? 0 : 1;
}
