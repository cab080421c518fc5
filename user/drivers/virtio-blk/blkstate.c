/* SPDX-License-Identifier: MIT */
/* The pure part of the virtio-blk driver (blkstate.h). */
#include "blkstate.h"

#include <kosh/string.h>

int blk_part_name(const char *disk, uint32_t index, char out[KOSH_DEV_NAME_MAX])
{
	char digits[12];
	uint32_t nd = 0, n = 0;
	while (disk[n] && n < KOSH_DEV_NAME_MAX)
		n++;
	if (n == 0 || n == KOSH_DEV_NAME_MAX)
		return -1;
	do {
		digits[nd++] = (char)('0' + index % 10);
		index /= 10;
	} while (index);
	int sep = disk[n - 1] >= '0' && disk[n - 1] <= '9';
	if (n + (uint32_t)sep + nd >= KOSH_DEV_NAME_MAX)
		return -1;
	memcpy(out, disk, n);
	if (sep)
		out[n++] = 'p';
	while (nd)
		out[n++] = digits[--nd];
	out[n] = '\0';
	return 0;
}

uint32_t blk_devs_build(const char *disk, uint64_t sectors, const struct kosh_part_table *table,
			struct blk_dev *devs, uint32_t max)
{
	uint32_t count = 0;
	if (max == 0 || blk_part_name(disk, 0, devs[0].name))
		return 0;
	/* The disk's own name: blk_part_name checked it fits; drop the "0". */
	uint32_t n = 0;
	while (disk[n])
		n++;
	memcpy(devs[0].name, disk, n + 1);
	devs[0].index = 0;
	devs[0].first = 0;
	devs[0].sectors = sectors;
	count = 1;
	for (uint32_t i = 0; table && i < table->count && i < KOSH_PART_MAX && count < max; i++) {
		const struct kosh_part *p = &table->part[i];
		/* part.c promises partitions inside the disk; check anyway, it costs nothing. */
		if (p->index == 0 || p->index > BLK_PART_INDEX_MAX || p->sectors == 0 ||
		    p->first_lba >= sectors || p->sectors > sectors - p->first_lba)
			continue;
		struct blk_dev *d = &devs[count];
		if (blk_part_name(disk, p->index, d->name))
			continue;
		d->index = p->index;
		d->first = p->first_lba;
		d->sectors = p->sectors;
		count++;
	}
	return count;
}

int blk_dev_find(const struct blk_dev *devs, uint32_t count, const char *name, uint32_t len)
{
	if (len && name[0] == '/') {
		name++;
		len--;
	}
	if (len == 0 || len >= KOSH_DEV_NAME_MAX)
		return -1;
	for (uint32_t i = 0; i < count; i++)
		if (strncmp(devs[i].name, name, len) == 0 && devs[i].name[len] == '\0')
			return (int)i;
	return -1;
}

int blk_dev_by_index(const struct blk_dev *devs, uint32_t count, uint32_t index)
{
	for (uint32_t i = 0; i < count; i++)
		if (devs[i].index == index)
			return (int)i;
	return -1;
}

#define SERIAL_MASK ((1ull << 48) - 1)

uint64_t blk_badge_make(uint32_t index, uint64_t serial)
{
	return BLK_BADGE_MARK | (uint64_t)(index & BLK_PART_INDEX_MAX) << 48 |
	       ((serial & SERIAL_MASK) ? serial & SERIAL_MASK : 1);
}

int blk_badge_index(uint64_t badge, uint32_t *index)
{
	if ((badge >> 60) != (BLK_BADGE_MARK >> 60) || !(badge & SERIAL_MASK))
		return 0;
	*index = (uint32_t)(badge >> 48) & BLK_PART_INDEX_MAX;
	return 1;
}

struct blk_client *blk_client_find(struct blk_clients *cs, uint64_t badge)
{
	if (!badge)
		return NULL;
	for (uint32_t i = 0; i < BLK_CLIENTS_MAX; i++)
		if (cs->c[i].badge == badge) {
			cs->c[i].last_use = ++cs->tick;
			return &cs->c[i];
		}
	return NULL;
}

struct blk_client *blk_client_add(struct blk_clients *cs, uint64_t badge, uint32_t dev,
				  struct blk_client *evicted, int *was_evicted)
{
	struct blk_client *pick = NULL;
	*was_evicted = 0;
	for (uint32_t i = 0; i < BLK_CLIENTS_MAX && !pick; i++)
		if (!cs->c[i].badge)
			pick = &cs->c[i];
	if (!pick) {
		for (uint32_t i = 0; i < BLK_CLIENTS_MAX; i++) {
			struct blk_client *c = &cs->c[i];
			if (c->inflight == 0 && (!pick || c->last_use < pick->last_use))
				pick = c;
		}
		if (!pick)
			return NULL;
		*evicted = *pick;
		*was_evicted = 1;
	}
	*pick = (struct blk_client){ 0 };
	pick->badge = badge;
	pick->dev = dev;
	pick->last_use = ++cs->tick;
	return pick;
}

void blk_client_remove(struct blk_clients *cs, struct blk_client *c)
{
	(void)cs;
	*c = (struct blk_client){ 0 };
}

void blk_slots_init(struct blk_slots *s, uint32_t count)
{
	*s = (struct blk_slots){ 0 };
	s->count = count < BLK_SLOTS_MAX ? count : BLK_SLOTS_MAX;
}

int blk_slot_get(struct blk_slots *s)
{
	for (uint32_t i = 0; i < s->count; i++)
		if (!s->busy[i]) {
			s->busy[i] = 1;
			s->used++;
			return (int)i;
		}
	return -1;
}

void blk_slot_put(struct blk_slots *s, uint32_t i)
{
	if (i < s->count && s->busy[i]) {
		s->busy[i] = 0;
		s->used--;
	}
}

void blk_cursor_start(struct blk_cursor *cur, const struct blk_dev *dev, uint32_t sector_size,
		      uint64_t sector, uint64_t count, uint64_t offset)
{
	cur->vsector = (dev->first + sector) * (sector_size / 512u);
	cur->offset = offset;
	cur->remaining = count * sector_size;
	cur->chunk = 0;
}

uint32_t blk_cursor_next(struct blk_cursor *cur, uint32_t chunk_max)
{
	cur->chunk = cur->remaining < chunk_max ? (uint32_t)cur->remaining : chunk_max;
	return cur->chunk;
}

void blk_cursor_advance(struct blk_cursor *cur)
{
	cur->vsector += cur->chunk / 512u;
	cur->offset += cur->chunk;
	cur->remaining -= cur->chunk;
	cur->chunk = 0;
}
