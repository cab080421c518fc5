/* SPDX-License-Identifier: MIT */
/*
 * fat.c: mount, the sector cache, the FAT and cluster chains, file data.
 *
 * Invariants kept here:
 * - every cluster number taken from the volume is checked against
 *   2 … clusters + 1 before use, and every chain walk is bounded by the
 *   length the caller expects (a file's size, a directory's 2 MiB limit), so
 *   a loop ends as EIO;
 * - the cache writes back in kind order: data, then FAT, then directory
 *   sectors, then FSInfo, so a cut leaves at worst lost clusters; a freshly
 *   allocated cluster's end mark reaches the disk before the link to it when
 *   the two sit in different FAT sectors; frees happen only after the
 *   directory change that dropped the chain was written (fat_dir.c's sync
 *   points);
 * - both FATs are written (only the active one when FAT32 mirroring is off).
 */
#include "fat_int.h"

#include <kosh/string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8), p[2] = (uint8_t)(x >> 16),
	p[3] = (uint8_t)(x >> 24);
}

static int dev_err(int e)
{
	return e ? (e > 0 && e < 256 ? e : (int)KOSH_VFS_EIO) : 0;
}

/* ---- the cache ---- */

static int slot_write(struct fat_vol *v, unsigned i)
{
	int e = dev_err(v->dev.write(v->dev.ctx, v->slot[i].lba, 1, v->buf[i]));

	if (e)
		return e;
	v->slot[i].state = FAT_SLOT_CLEAN;
	return 0;
}

/* Write back every dirty sector of kind below limit (in kind order); flush if any was written. */
static int writeback_below(struct fat_vol *v, unsigned limit)
{
	int wrote = 0;

	for (unsigned k = 0; k < limit; k++)
		for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
			if (v->slot[i].state == FAT_SLOT_DIRTY && v->slot[i].kind == k) {
				int e = slot_write(v, i);

				if (e)
					return e;
				wrote = 1;
			}
	if (wrote && v->dev.flush)
		return dev_err(v->dev.flush(v->dev.ctx));
	return 0;
}

int fat_writeback(struct fat_vol *v, unsigned limit)
{
	return writeback_below(v, limit);
}

static int find_slot(const struct fat_vol *v, uint64_t lba)
{
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (v->slot[i].state != FAT_SLOT_EMPTY && v->slot[i].lba == lba)
			return (int)i;
	return -1;
}

static int evict(struct fat_vol *v, unsigned *out)
{
	unsigned best = 0;

	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++) {
		if (v->slot[i].state == FAT_SLOT_EMPTY) {
			*out = i;
			return 0;
		}
		if (v->stamp - v->slot[i].stamp > v->stamp - v->slot[best].stamp)
			best = i;
	}
	if (v->slot[best].state == FAT_SLOT_DIRTY) {
		int e = writeback_below(v, v->slot[best].kind);

		if (!e)
			e = slot_write(v, best);
		if (e)
			return e;
	}
	v->slot[best].state = FAT_SLOT_EMPTY;
	*out = best;
	return 0;
}

int fat_cache_get(struct fat_vol *v, uint64_t lba, unsigned kind, int fill, uint8_t **out,
		  unsigned *index)
{
	int i = find_slot(v, lba);
	unsigned u;

	if (lba >= v->total)
		return KOSH_VFS_EIO;
	if (i < 0) {
		int e = evict(v, &u);

		if (e)
			return e;
		if (fill) {
			e = dev_err(v->dev.read(v->dev.ctx, lba, 1, v->buf[u]));
			if (e)
				return e;
		} else {
			memset(v->buf[u], 0, v->bps);
		}
		v->slot[u].lba = lba;
		v->slot[u].state = FAT_SLOT_CLEAN;
		v->slot[u].kind = (uint8_t)kind;
		i = (int)u;
	}
	if (v->slot[i].state == FAT_SLOT_CLEAN || kind > v->slot[i].kind)
		v->slot[i].kind = (uint8_t)kind;
	v->slot[i].stamp = ++v->stamp;
	*out = v->buf[i];
	if (index)
		*index = (unsigned)i;
	return 0;
}

void fat_cache_dirty(struct fat_vol *v, unsigned index)
{
	v->slot[index].state = FAT_SLOT_DIRTY;
}

/* Forget a cached copy of sectors about to be written directly. */
static void cache_drop(struct fat_vol *v, uint64_t lba, uint32_t count)
{
	for (unsigned i = 0; i < FAT_CACHE_SLOTS; i++)
		if (v->slot[i].state != FAT_SLOT_EMPTY && v->slot[i].lba >= lba &&
		    v->slot[i].lba - lba < count)
			v->slot[i].state = FAT_SLOT_EMPTY;
}

/* ---- the FAT ---- */

static uint64_t fat_copy_start(const struct fat_vol *v, uint32_t copy)
{
	return v->fat_start + (uint64_t)copy * v->fat_sectors;
}

/* Byte offset of entry c in a FAT. */
static uint32_t fat_offset(const struct fat_vol *v, uint32_t c)
{
	if (v->type == 12)
		return c + c / 2;
	return v->type == 16 ? c * 2 : c * 4;
}

static int fat_byte(struct fat_vol *v, uint32_t copy, uint32_t off, uint8_t *b)
{
	uint8_t *p;
	int e = fat_cache_get(v, fat_copy_start(v, copy) + off / v->bps, FAT_KIND_FAT, 1, &p, NULL);

	if (!e)
		*b = p[off % v->bps];
	return e;
}

int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	uint32_t off = fat_offset(v, c), x = 0;
	unsigned width = v->type == 12 ? 2 : (unsigned)v->type / 8;

	for (unsigned i = 0; i < width; i++) {
		uint8_t b;
		int e = fat_byte(v, v->active_fat, off + i, &b);

		if (e)
			return e;
		x |= (uint32_t)b << (8 * i);
	}
	if (v->type == 12)
		x = (c & 1) ? x >> 4 : x & 0xfff;
	else if (v->type == 32)
		x &= 0x0fffffff;
	*val = x;
	return 0;
}

static int fat_put_copy(struct fat_vol *v, uint32_t copy, uint32_t c, uint32_t val)
{
	uint32_t off = fat_offset(v, c);
	unsigned width = v->type == 12 ? 2 : (unsigned)v->type / 8;

	for (unsigned i = 0; i < width; i++) {
		uint8_t *p;
		unsigned idx;
		uint32_t o = off + i;
		int e = fat_cache_get(v, fat_copy_start(v, copy) + o / v->bps, FAT_KIND_FAT, 1, &p,
				      &idx);

		if (e)
			return e;
		uint8_t *b = &p[o % v->bps];

		if (v->type == 12) {
			uint16_t x = (uint16_t)(val & 0xfff);

			if (c & 1)
				*b = i == 0 ? (uint8_t)((*b & 0x0f) | ((x << 4) & 0xf0))
					    : (uint8_t)(x >> 4);
			else
				*b = i == 0 ? (uint8_t)x : (uint8_t)((*b & 0xf0) | (x >> 8));
		} else if (v->type == 32 && i == 3) {
			/* The top four bits are reserved: kept as they are. */
			*b = (uint8_t)((*b & 0xf0) | ((val >> 24) & 0x0f));
		} else {
			*b = (uint8_t)(val >> (8 * i));
		}
		fat_cache_dirty(v, idx);
	}
	return 0;
}

int fat_put(struct fat_vol *v, uint32_t c, uint32_t val)
{
	for (uint32_t k = 0; k < v->nfats; k++) {
		if (!v->mirror && k != v->active_fat)
			continue;
		int e = fat_put_copy(v, k, c, val);

		if (e)
			return e;
	}
	return 0;
}

/* Write now the FAT sectors holding entry c, in every copy (the end mark before a link to it). */
static int fat_put_through(struct fat_vol *v, uint32_t c)
{
	uint32_t off = fat_offset(v, c);
	uint32_t last = off + (v->type == 12 ? 1 : (uint32_t)v->type / 8 - 1);

	for (uint32_t k = 0; k < v->nfats; k++)
		for (uint32_t s = off / v->bps; s <= last / v->bps; s++) {
			int i = find_slot(v, fat_copy_start(v, k) + s);

			if (i >= 0 && v->slot[i].state == FAT_SLOT_DIRTY) {
				int e = slot_write(v, (unsigned)i);

				if (e)
					return e;
			}
		}
	return 0;
}

uint32_t fat_eoc(const struct fat_vol *v)
{
	return v->type == 12 ? 0xfff : v->type == 16 ? 0xffff : 0x0fffffff;
}

int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next)
{
	uint32_t x;
	int e;

	if (!fat_valid(v, c))
		return KOSH_VFS_EIO;
	e = fat_get(v, c, &x);
	if (e)
		return e;
	if (x >= (fat_eoc(v) & ~7u)) {
		*next = 0;
		return 0;
	}
	if (!fat_valid(v, x)) {
		/* Free (0), reserved (1), bad (…F7) or past the volume: the chain is damaged. */
		return KOSH_VFS_EIO;
	}
	*next = x;
	return 0;
}

/* ---- allocation ---- */

/* A free cluster, marked end of chain and linked after prev (0: a new chain). */
int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out)
{
	uint32_t c = v->next_free;

	if (v->free_count == 0)
		return KOSH_VFS_ENOSPC;
	if (!fat_valid(v, c))
		c = 2;
	for (uint32_t n = 0; n < v->clusters; n++, c++) {
		uint32_t x;
		int e;

		if (!fat_valid(v, c))
			c = 2;
		e = fat_get(v, c, &x);
		if (e)
			return e;
		if (x != 0)
			continue;
		e = fat_put(v, c, fat_eoc(v));
		if (!e && prev && fat_offset(v, c) / v->bps != fat_offset(v, prev) / v->bps)
			e = fat_put_through(v, c);
		if (!e && prev)
			e = fat_put(v, prev, c);
		if (e)
			return e;
		v->free_count--;
		v->next_free = c + 1;
		*out = c;
		return 0;
	}
	v->free_count = 0;
	return KOSH_VFS_ENOSPC;
}

/* Free a chain from c; stops at the first entry that is not a link (a damaged chain is not
 * followed). */
int fat_free_chain(struct fat_vol *v, uint32_t c)
{
	for (uint32_t n = 0; n < v->clusters && fat_valid(v, c); n++) {
		uint32_t x;
		int e = fat_get(v, c, &x);

		if (!e)
			e = fat_put(v, c, 0);
		if (e)
			return e;
		v->free_count++;
		if (c < v->next_free)
			v->next_free = c;
		if (x == 0 || x >= (fat_eoc(v) & ~7u))
			break;
		c = x;
	}
	return 0;
}

/* ---- data ---- */

uint64_t fat_cluster_lba(const struct fat_vol *v, uint32_t c)
{
	return v->data_start + (uint64_t)(c - 2) * v->spc;
}

/* Write a cluster now: the first sector from first (NULL: zeros), the rest zeros. */
int fat_cluster_init(struct fat_vol *v, uint32_t c, const uint8_t *first)
{
	uint64_t lba = fat_cluster_lba(v, c);

	cache_drop(v, lba, v->spc);
	for (uint32_t s = 0; s < v->spc; s++) {
		int e = dev_err(
		    v->dev.write(v->dev.ctx, lba + s, 1, s == 0 && first ? first : v->zero));

		if (e)
			return e;
	}
	return 0;
}

/* The cluster holding byte index * cluster_bytes of a chain, walked from the hint when it helps. */
int fat_chain_at(struct fat_vol *v, struct fat_node *n, uint32_t index, uint32_t *out)
{
	uint32_t c = n->first, i = 0;

	if (n->hint_cluster && n->hint_index <= index)
		c = n->hint_cluster, i = n->hint_index;
	for (; i < index; i++) {
		int e = fat_next(v, c, &c);

		if (e)
			return e;
		if (c == 0)
			return KOSH_VFS_EIO; /* shorter than the size */
	}
	if (!fat_valid(v, c))
		return KOSH_VFS_EIO;
	n->hint_index = index, n->hint_cluster = c;
	*out = c;
	return 0;
}

/*
 * Copy [off, off + len) of the clusters from c on, which are in a row on the
 * disk: sectors in the cache are used there, whole others go straight to the
 * device, as many in one call as are in a row. A sector written in part that
 * lies wholly at or past fresh (the file's old end) starts from zeros rather
 * than being read.
 */
static int data_io(struct fat_vol *v, uint32_t c, uint32_t off, uint8_t *rbuf, const uint8_t *wbuf,
		   uint32_t len, uint64_t pos, uint64_t fresh)
{
	uint64_t lba = fat_cluster_lba(v, c) + off / v->bps;
	uint32_t so = off % v->bps;

	while (len) {
		uint32_t k = v->bps - so < len ? v->bps - so : len;
		int i = find_slot(v, lba);
		int e;

		if (k == v->bps && i < 0) {
			uint32_t run = 1;

			while ((run + 1) * v->bps <= len && find_slot(v, lba + run) < 0)
				run++;
			if (rbuf)
				e = dev_err(v->dev.read(v->dev.ctx, lba, run, rbuf));
			else if (wbuf)
				e = dev_err(v->dev.write(v->dev.ctx, lba, run, wbuf));
			else
				for (uint32_t s = e = 0; s < run && !e; s++)
					e = dev_err(v->dev.write(v->dev.ctx, lba + s, 1, v->zero));
			if (e)
				return e;
			k = run * v->bps;
		} else {
			uint8_t *p;
			unsigned idx;
			int fill = rbuf || pos - so < fresh;

			e = fat_cache_get(v, lba, FAT_KIND_DATA, fill, &p, &idx);
			if (e)
				return e;
			if (rbuf) {
				memcpy(rbuf, p + so, k);
			} else {
				if (wbuf)
					memcpy(p + so, wbuf, k);
				else
					memset(p + so, 0, k);
				fat_cache_dirty(v, idx);
			}
		}
		lba += (so + k) / v->bps;
		so = 0;
		len -= k;
		pos += k;
		if (rbuf)
			rbuf += k;
		if (wbuf)
			wbuf += k;
	}
	return 0;
}

#define DATA_RUN_MAX (1u << 20) /* bytes of clusters in a row handled at once */

/* Read or write (wbuf NULL and rbuf NULL: zeros) bytes [off, off + len) inside the allocated chain.
 */
int fat_data(struct fat_vol *v, struct fat_node *n, uint64_t off, uint8_t *rbuf,
	     const uint8_t *wbuf, size_t len)
{
	uint64_t fresh = n->size;

	while (len) {
		uint32_t c, last, index = (uint32_t)(off / v->cluster_bytes);
		uint32_t in = (uint32_t)(off % v->cluster_bytes);
		uint32_t k = v->cluster_bytes - in < len ? v->cluster_bytes - in : (uint32_t)len;
		int e = fat_chain_at(v, n, index, &c);

		if (e)
			return e;
		/* Clusters that follow each other on the disk go in one piece. */
		for (last = c; k < len && k < DATA_RUN_MAX;
		     k += v->cluster_bytes < len - k ? v->cluster_bytes : (uint32_t)(len - k)) {
			uint32_t next;

			if (fat_next(v, last, &next) || next != last + 1)
				break;
			last = next;
			n->hint_index = ++index, n->hint_cluster = last;
		}
		e = data_io(v, c, in, rbuf, wbuf, k, off, fresh);
		if (e)
			return e;
		off += k, len -= k;
		if (rbuf)
			rbuf += k;
		if (wbuf)
			wbuf += k;
	}
	return 0;
}

/* Check a node's chain: a file's is exactly as long as its size; a directory's ends within 2 MiB.
 */
int fat_check_chain(struct fat_vol *v, const struct fat_node *n)
{
	uint32_t c = n->first, count, limit;

	if (n->is_root && v->type != 32)
		return 0;
	if (n->attr & FAT_ATTR_DIR) {
		if (!fat_valid(v, c))
			return KOSH_VFS_EIO;
		limit = FAT_DIR_BYTES_MAX / v->cluster_bytes;
		for (count = 1; count <= limit; count++) {
			int e = fat_next(v, c, &c);

			if (e)
				return e;
			if (c == 0)
				return 0;
		}
		return KOSH_VFS_EIO; /* a loop, or longer than a directory may be */
	}
	count = (uint32_t)(((uint64_t)n->size + v->cluster_bytes - 1) / v->cluster_bytes);
	if (count == 0)
		return c == 0 ? 0 : KOSH_VFS_EIO;
	if (count > v->clusters || !fat_valid(v, c))
		return KOSH_VFS_EIO;
	for (uint32_t i = 1; i <= count; i++) {
		int e = fat_next(v, c, &c);

		if (e)
			return e;
		if ((c == 0) != (i == count))
			return KOSH_VFS_EIO; /* shorter or longer than the size */
	}
	return 0;
}

/* ---- mount ---- */

static int bad(struct fat_vol *v, const char *why)
{
	v->why = why;
	return KOSH_VFS_EINVAL;
}

static int pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

static int check_geometry(struct fat_vol *v, const uint8_t *b)
{
	uint32_t bps = rd16(b + 11), spc = b[13], rsvd = rd16(b + 14), nfats = b[16];
	uint32_t root = rd16(b + 17), tot16 = rd16(b + 19), fatsz16 = rd16(b + 22);
	uint32_t tot32 = rd32(b + 32), fatsz32 = rd32(b + 36), media = b[21];
	uint64_t total, fatsz, data;

	if (!((b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9))
		return bad(v, "jump instruction");
	if (b[510] != 0x55 || b[511] != 0xaa)
		return bad(v, "boot signature 55 AA");
	if (bps < 512 || bps > 4096 || !pow2(bps))
		return bad(v, "bytes per sector");
	if (bps != v->dev.sector_size)
		return bad(v, "bytes per sector (not the device's sector size)");
	if (!pow2(spc) || spc > 128 || spc * bps > 65536)
		return bad(v, "sectors per cluster");
	if (rsvd == 0)
		return bad(v, "reserved sectors");
	if (nfats == 0 || nfats > 4)
		return bad(v, "number of FATs");
	if (media != 0xf0 && media < 0xf8)
		return bad(v, "media descriptor");
	if ((tot16 == 0) == (tot32 == 0) && !(tot16 && tot32 == tot16))
		return bad(v, "total sectors (16- and 32-bit fields)");
	total = tot16 ? tot16 : tot32;
	if (total > v->dev.sectors)
		return bad(v, "total sectors (past the device)");
	fatsz = fatsz16 ? fatsz16 : fatsz32;
	if (fatsz == 0)
		return bad(v, "FAT size");
	v->bps = bps, v->spc = spc, v->cluster_bytes = bps * spc, v->rsvd = rsvd, v->nfats = nfats;
	v->root_entries = root;
	v->mirror = 1; /* FAT32's extended flags may turn it off */
	v->root_sectors = (uint32_t)(((uint64_t)root * 32 + bps - 1) / bps);
	v->fat_sectors = (uint32_t)fatsz;
	v->fat_start = rsvd;
	v->root_start = rsvd + nfats * fatsz;
	data = v->root_start + v->root_sectors;
	if (data >= total)
		return bad(v, "FAT size or root entries (no room for data)");
	v->data_start = data;
	v->total = total;
	v->clusters = (uint32_t)((total - data) / spc);
	/* Microsoft's rule: the count of clusters alone decides the type. */
	v->type = v->clusters < 4085 ? 12 : v->clusters < 65525 ? 16 : 32;
	if (v->type == 32 && v->clusters > 0x0ffffff5 - 2)
		return bad(v, "total sectors (too many clusters)");
	if ((v->type == 32) != (root == 0))
		return bad(v, "root entries (FAT32 has none; FAT12/16 need some)");
	if ((v->type == 32) != (fatsz16 == 0))
		return bad(v, "FAT size (16-bit field against the FAT type)");
	if ((v->type == 32) != (tot16 == 0) && v->type == 32)
		return bad(v, "total sectors (16-bit field on FAT32)");
	if (((uint64_t)v->clusters + 2) * (v->type == 12 ? 3 : (uint32_t)v->type / 4) >
	    fatsz * bps * 2)
		return bad(v, "FAT size (too small for the clusters)");
	return 0;
}

static int read_fsinfo(struct fat_vol *v)
{
	uint8_t *p;
	int e = fat_cache_get(v, v->fsinfo_sector, FAT_KIND_META, 1, &p, NULL);

	if (e)
		return e;
	if (rd32(p) != 0x41615252 || rd32(p + 484) != 0x61417272 || rd32(p + 508) != 0xaa550000) {
		v->state |= FAT_STATE_NO_FSINFO;
		return 0;
	}
	/* A hint only: the count is recounted below, the next-free kept if in range. */
	v->next_free = rd32(p + 492);
	return 0;
}

static int check_fat32(struct fat_vol *v, const uint8_t *b)
{
	uint16_t flags = rd16(b + 40);

	if (rd16(b + 42) != 0)
		return bad(v, "FAT32 version");
	v->root_cluster = rd32(b + 44);
	if (!fat_valid(v, v->root_cluster))
		return bad(v, "root cluster");
	v->fsinfo_sector = rd16(b + 48);
	if (v->fsinfo_sector == 0 || v->fsinfo_sector >= v->rsvd)
		return bad(v, "FSInfo sector");
	v->mirror = !(flags & 0x80);
	v->active_fat = v->mirror ? 0 : (flags & 0x0fu);
	if (v->active_fat >= v->nfats)
		return bad(v, "extended flags (active FAT)");
	return 0;
}

/* The true free count (FSInfo's is a hint): FAT16/32 a sector at a time, FAT12 entry by entry. */
static int count_free(struct fat_vol *v)
{
	uint32_t n = 0, per = v->bps / ((uint32_t)v->type / 8);

	if (v->type == 12) {
		for (uint32_t c = 2; c < v->clusters + 2; c++) {
			uint32_t x;
			int e = fat_get(v, c, &x);

			if (e)
				return e;
			n += x == 0;
		}
	} else {
		for (uint32_t c = 2; c < v->clusters + 2;) {
			uint8_t *p;
			uint32_t first = c % per;
			int e = fat_cache_get(v, fat_copy_start(v, v->active_fat) + c / per,
					      FAT_KIND_FAT, 1, &p, NULL);

			if (e)
				return e;
			for (uint32_t i = first; i < per && c < v->clusters + 2; i++, c++)
				n += v->type == 16 ? rd16(p + 2 * i) == 0
						   : (rd32(p + 4 * i) & 0x0fffffffu) == 0;
		}
	}
	v->free_count = n;
	return 0;
}

/* The dirty bit: FAT[1]'s clean-shutdown bit (FAT16 bit 15, FAT32 bit 27; FAT12 has none). */
static uint32_t clean_bit(const struct fat_vol *v)
{
	return v->type == 16 ? 0x8000u : v->type == 32 ? 0x08000000u : 0;
}

static int set_clean(struct fat_vol *v, int clean)
{
	uint32_t x, bit = clean_bit(v);
	int e;

	if (!bit)
		return 0;
	e = fat_get(v, 1, &x);
	if (e)
		return e;
	x = clean ? x | bit : x & ~bit;
	e = fat_put(v, 1, x);
	if (!e)
		e = fat_sync(v);
	return e;
}

int fat_mount(struct fat_vol *v, const struct fat_dev *dev, unsigned flags)
{
	uint8_t *b;
	uint32_t x;
	int e;

	memset(v, 0, sizeof(*v));
	v->dev = *dev;
	v->flags = flags;
	v->why = "";
	if (dev->sector_size < 512 || dev->sector_size > FAT_SECTOR_MAX ||
	    !pow2(dev->sector_size) || !dev->read ||
	    (!(flags & FAT_MOUNT_READ_ONLY) && !dev->write))
		return bad(v, "device");
	if (dev->sectors == 0)
		return bad(v, "device (no sectors)");
	v->bps = dev->sector_size;
	v->total = dev->sectors;
	e = fat_cache_get(v, 0, FAT_KIND_META, 1, &b, NULL);
	if (e) {
		v->why = "boot sector (read)";
		return e;
	}
	memcpy(v->scratch, b, v->bps);
	e = check_geometry(v, v->scratch);
	if (!e && v->type == 32)
		e = check_fat32(v, v->scratch);
	if (e)
		return e;
	v->slot[0].state = FAT_SLOT_EMPTY; /* the boot sector was read at the device's size */
	if (v->type == 32 && (e = read_fsinfo(v)))
		return e;
	if ((e = count_free(v)))
		return e;
	if (!fat_valid(v, v->next_free))
		v->next_free = 2;
	if ((e = fat_get(v, 1, &x)))
		return e;
	if (clean_bit(v) && !(x & clean_bit(v)))
		v->state |= FAT_STATE_WAS_DIRTY;
	/* The boot sector's own flag (offset 37 or 65, bit 0) as Windows and Linux set it. */
	if (v->scratch[v->type == 32 ? 65 : 37] & 1)
		v->state |= FAT_STATE_WAS_DIRTY;
	v->mounted = 1;
	if (!(flags & FAT_MOUNT_READ_ONLY) && (e = set_clean(v, 0)))
		return e;
	return 0;
}

static int write_fsinfo(struct fat_vol *v)
{
	uint8_t *p;
	unsigned idx;
	int e;

	if (v->type != 32 || (v->state & FAT_STATE_NO_FSINFO))
		return 0;
	e = fat_cache_get(v, v->fsinfo_sector, FAT_KIND_META, 1, &p, &idx);
	if (e)
		return e;
	if (rd32(p + 488) != v->free_count || rd32(p + 492) != v->next_free) {
		wr32(p + 488, v->free_count);
		wr32(p + 492, v->next_free);
		fat_cache_dirty(v, idx);
	}
	return 0;
}

int fat_repair(struct fat_vol *v, const uint8_t *bitmap, uint32_t *freed, uint32_t *copied)
{
	uint32_t lost = 0;
	int e = 0;

	*freed = *copied = 0;
	if (!v->mounted || (v->flags & FAT_MOUNT_READ_ONLY) ||
	    (v->state & (FAT_STATE_DAMAGED | FAT_STATE_SHALLOW)))
		return KOSH_VFS_EINVAL;
	/* Every copy as the active one: a cut between the copies leaves them apart. */
	for (uint32_t s = 0; s < v->fat_sectors && !e; s++) {
		uint8_t *p;
		e = fat_cache_get(v, fat_copy_start(v, v->active_fat) + s, FAT_KIND_FAT, 1, &p, NULL);
		if (e)
			break;
		memcpy(v->scratch, p, v->bps);
		for (uint32_t k = 0; k < v->nfats && !e; k++) {
			unsigned idx;
			if (k == v->active_fat || !v->mirror)
				continue; /* without mirroring only the active copy counts */
			e = fat_cache_get(v, fat_copy_start(v, k) + s, FAT_KIND_FAT, 1, &p, &idx);
			if (!e && memcmp(p, v->scratch, v->bps) != 0) {
				memcpy(p, v->scratch, v->bps);
				fat_cache_dirty(v, idx);
				++*copied;
			}
		}
	}
	/* Clusters in use that no chain reaches: free (in every copy). */
	for (uint32_t c = 2; c < v->clusters + 2 && !e; c++) {
		uint32_t x;
		if (bitmap[c / 8] & (1u << (c % 8)))
			continue;
		e = fat_get(v, c, &x);
		if (!e && x != 0 && x != fat_eoc(v) - 8u) {
			e = fat_put(v, c, 0);
			lost++;
		}
	}
	if (!e)
		e = count_free(v);
	if (!e) {
		v->next_free = 2;
		e = fat_sync(v);
	}
	if (!e) {
		v->state |= FAT_STATE_CHECKED;
		*freed = lost;
	}
	return e;
}

int fat_sync(struct fat_vol *v)
{
	int e;

	if (v->flags & FAT_MOUNT_READ_ONLY)
		return 0;
	e = write_fsinfo(v);
	if (!e)
		e = writeback_below(v, FAT_KIND_DIR + 1);
	if (!e)
		e = writeback_below(v, FAT_KIND_META + 1);
	if (!e && v->dev.flush)
		e = dev_err(v->dev.flush(v->dev.ctx));
	return e;
}

int fat_unmount(struct fat_vol *v)
{
	int e = 0;

	if (!v->mounted)
		return KOSH_VFS_EINVAL;
	if (!(v->flags & FAT_MOUNT_READ_ONLY)) {
		e = fat_sync(v);
		/* A volume found dirty stays marked so, for fsck, unless fat_check found it whole. */
		if (!e && (!(v->state & FAT_STATE_WAS_DIRTY) || (v->state & FAT_STATE_CHECKED)))
			e = set_clean(v, 1);
	}
	v->mounted = 0;
	return e;
}

/* ---- timestamps ---- */

void fat_time_now(const struct fat_vol *v, uint16_t *date, uint16_t *time, uint8_t *cs)
{
	uint64_t ns = v->dev.now ? v->dev.now(v->dev.ctx) : 0;
	uint64_t s = ns / 1000000000u, days = s / 86400, rem = s % 86400;
	/* Civil date from days since 1970 (Howard Hinnant's algorithm). */
	uint64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1,
		 m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	if (y < 1980 || y > 2107) {
		/* Outside what FAT can store: 1980-01-01 00:00. */
		*date = (1 << 5) | 1, *time = 0;
		if (cs)
			*cs = 0;
		return;
	}
	*date = (uint16_t)(((y - 1980) << 9) | (m << 5) | d);
	*time = (uint16_t)(((rem / 3600) << 11) | (((rem / 60) % 60) << 5) | ((rem % 60) / 2));
	if (cs)
		*cs = (uint8_t)((rem % 2) * 100 + (ns / 10000000u) % 100);
}

uint64_t fat_time_ns(uint16_t date, uint16_t time, uint8_t cs)
{
	uint64_t y = 1980u + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	uint64_t h = time >> 11, mi = (time >> 5) & 63, s = (uint64_t)(time & 31) * 2;

	if (date == 0 || m < 1 || m > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || cs > 199)
		return 0;
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	uint64_t days = era * 146097 + doe - 719468;

	return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000u + cs * 10u) * 1000000u;
}
