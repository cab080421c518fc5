/* SPDX-License-Identifier: MIT */
/*
 * fat_int.h: what fat.c (cache, FAT, data) and fat_dir.c (directories, names,
 * paths) share inside the library; nothing here is for fatfsd itself.
 */
#ifndef FATFSD_FAT_INT_H
#define FATFSD_FAT_INT_H

#include "fat.h"

/* Cache slot states and kinds; kinds are written back in this order. */
#define FAT_SLOT_EMPTY 0u
#define FAT_SLOT_CLEAN 1u
#define FAT_SLOT_DIRTY 2u
#define FAT_KIND_DATA  0u
#define FAT_KIND_FAT   1u
#define FAT_KIND_DIR   2u
#define FAT_KIND_META  3u

#define FAT_ATTR_RO	0x01u
#define FAT_ATTR_HIDDEN 0x02u
#define FAT_ATTR_SYSTEM 0x04u
#define FAT_ATTR_VOLUME 0x08u
#define FAT_ATTR_DIR	0x10u
#define FAT_ATTR_ARCH	0x20u
#define FAT_ATTR_LFN	0x0fu

#define FAT_DIR_BYTES_MAX (65536u * 32u) /* the spec's limit: 65536 entries */

static inline int fat_valid(const struct fat_vol *v, uint32_t c)
{
	return c >= 2 && c - 2 < v->clusters;
}

/* A cached sector (fill: read it; else zeros); index for fat_cache_dirty. */
int fat_cache_get(struct fat_vol *v, uint64_t lba, unsigned kind, int fill, uint8_t **out,
		  unsigned *index);
void fat_cache_dirty(struct fat_vol *v, unsigned index);
/* Write back every dirty sector of a kind below limit, in kind order, then flush. */
int fat_writeback(struct fat_vol *v, unsigned limit);

int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val);
int fat_put(struct fat_vol *v, uint32_t c, uint32_t val);
uint32_t fat_eoc(const struct fat_vol *v);
/* The cluster after c (0: c ends the chain); EIO for a damaged link. */
int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next);
int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out);
int fat_free_chain(struct fat_vol *v, uint32_t c);

uint64_t fat_cluster_lba(const struct fat_vol *v, uint32_t c);
int fat_cluster_init(struct fat_vol *v, uint32_t c, const uint8_t *first);
int fat_chain_at(struct fat_vol *v, struct fat_node *n, uint32_t index, uint32_t *out);
int fat_data(struct fat_vol *v, struct fat_node *n, uint64_t off, uint8_t *rbuf,
	     const uint8_t *wbuf, size_t len);
int fat_check_chain(struct fat_vol *v, const struct fat_node *n);

void fat_time_now(const struct fat_vol *v, uint16_t *date, uint16_t *time, uint8_t *cs);
uint64_t fat_time_ns(uint16_t date, uint16_t time, uint8_t cs);

#endif
