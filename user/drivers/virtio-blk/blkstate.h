/* SPDX-License-Identifier: MIT */
/*
 * The pure part of sbin/drivers/virtio-blk (docs/block.md, "The driver"): the
 * block devices one disk is served as and their names, the badges of open
 * devices, the clients and their buffers, the request slots and how a request
 * is cut into chunks for the device. No system calls: host-tested
 * (test/unit/virtio_blk_test.c); main.c does the device and the IPC.
 */
#ifndef VIRTIO_BLK_STATE_H
#define VIRTIO_BLK_STATE_H

#include <stdint.h>

#include <kosh/part.h>
#include <kosh/proto/dev.h>

#define BLK_DEVS_MAX	 (1u + KOSH_PART_MAX) /* the whole disk and its partitions */
#define BLK_CLIENTS_MAX	 64u		      /* clients with a buffer at once (LRU beyond) */
#define BLK_SLOTS_MAX	 32u		      /* requests in flight at once */
#define BLK_PART_INDEX_MAX 4095u	      /* partition numbers a badge can carry */

/* One block device: the whole disk (index 0) or partition <index>. */
struct blk_dev {
	char name[KOSH_DEV_NAME_MAX]; /* "vda", "vda1" */
	uint32_t index;		      /* 0: the disk; else the partition's number */
	uint64_t first;		      /* first sector on the disk */
	uint64_t sectors;
};

/*
 * The name of partition index of disk: "vda" + "1" ("nvme0" + "p1" when the
 * disk's name ends in a digit). 0, or -1 if it does not fit KOSH_DEV_NAME_MAX.
 */
int blk_part_name(const char *disk, uint32_t index, char out[KOSH_DEV_NAME_MAX]);

/*
 * The devices of a disk of `sectors` sectors named disk: [0] the disk, then
 * each partition of table (NULL: none) whose index fits a badge. How many.
 */
uint32_t blk_devs_build(const char *disk, uint64_t sectors, const struct kosh_part_table *table,
			struct blk_dev *devs, uint32_t max);

/* The device named name (len bytes, an optional leading '/'), or -1. */
int blk_dev_find(const struct blk_dev *devs, uint32_t count, const char *name, uint32_t len);

/* The device with partition number index, or -1. */
int blk_dev_by_index(const struct blk_dev *devs, uint32_t count, uint32_t index);

/*
 * Badges of open devices: a marker bit, the partition number (so a restarted
 * driver still knows which device an old handle names) and a serial, never
 * reused while the machine runs (it starts from the clock).
 */
#define BLK_BADGE_MARK (1ull << 62)
uint64_t blk_badge_make(uint32_t index, uint64_t serial);
/* 1 and *index if badge is one of ours (of any incarnation), else 0. */
int blk_badge_index(uint64_t badge, uint32_t *index);

/* A client: one badge, with the buffer it gave (SET_BUFFER). */
struct blk_client {
	uint64_t badge; /* 0: a free entry */
	uint32_t dev;	/* index into the devices */
	uint32_t inflight;
	uint64_t last_use; /* for LRU */
	int closed;	   /* CLOSE came while requests were in flight */
	/* The buffer (main.c fills these). */
	uint8_t *buffer;
	uint64_t buffer_size;
	uint32_t frame;
};

struct blk_clients {
	struct blk_client c[BLK_CLIENTS_MAX];
	uint64_t tick;
};

/* The client with this badge, or NULL. Marks it used. */
struct blk_client *blk_client_find(struct blk_clients *cs, uint64_t badge);

/*
 * A new entry for badge on device dev: a free one, else the least recently
 * used without requests in flight, which is handed back in *evicted (a copy,
 * for main.c to unmap its buffer) with 1 in *was_evicted. NULL if every entry
 * has requests in flight.
 */
struct blk_client *blk_client_add(struct blk_clients *cs, uint64_t badge, uint32_t dev,
				  struct blk_client *evicted, int *was_evicted);

void blk_client_remove(struct blk_clients *cs, struct blk_client *c);

/* Slots: requests in flight. */
struct blk_slots {
	uint32_t count; /* usable slots (<= BLK_SLOTS_MAX) */
	uint32_t used;
	uint8_t busy[BLK_SLOTS_MAX];
};
void blk_slots_init(struct blk_slots *s, uint32_t count);
/* A free slot's number, or -1 (the request is answered EAGAIN). */
int blk_slot_get(struct blk_slots *s);
void blk_slot_put(struct blk_slots *s, uint32_t i);

/*
 * One request cut into chunks of at most chunk_max bytes (whole sectors): where
 * the next one goes on the device (in virtio's 512-byte units) and in the
 * client's buffer.
 */
struct blk_cursor {
	uint64_t vsector;   /* next chunk's first 512-byte sector on the disk */
	uint64_t offset;    /* next chunk's byte offset in the client's buffer */
	uint64_t remaining; /* bytes still to transfer */
	uint32_t chunk;	    /* bytes of the chunk in flight */
};

/*
 * Start: device dev, request sectors [sector, sector + count) of sector_size
 * bytes, at offset in the buffer (all checked by kosh_block_decode already).
 * The sum first + sector lies inside the disk because dev does.
 */
void blk_cursor_start(struct blk_cursor *cur, const struct blk_dev *dev, uint32_t sector_size,
		      uint64_t sector, uint64_t count, uint64_t offset);
/* The next chunk's size (0: done), at most chunk_max (a multiple of sector_size). */
uint32_t blk_cursor_next(struct blk_cursor *cur, uint32_t chunk_max);
/* The chunk in flight completed: move on. */
void blk_cursor_advance(struct blk_cursor *cur);

#endif
