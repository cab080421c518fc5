/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the pure part of the virtio-blk driver
 * (user/drivers/virtio-blk/blkstate.c): partition names ("vda1", "nvme0p1",
 * names that do not fit), the device list built from a partition table
 * (partitions that do not fit a badge or lie outside the disk are left out),
 * finding devices by name and number, badges (round trip, foreign badges), the
 * client table (full, least recently used eviction, never a client with
 * requests in flight), request slots (exhaustion is EAGAIN's cue) and cutting
 * requests into chunks (512- and 4096-byte sectors, partitions' offsets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blkstate.h"

static void test_part_names(void **state)
{
	char out[KOSH_DEV_NAME_MAX];
	(void)state;
	assert_int_equal(blk_part_name("vda", 1, out), 0);
	assert_string_equal(out, "vda1");
	assert_int_equal(blk_part_name("vda", 128, out), 0);
	assert_string_equal(out, "vda128");
	assert_int_equal(blk_part_name("vdb", 4095, out), 0);
	assert_string_equal(out, "vdb4095");
	/* A disk name ending in a digit takes a 'p', as Linux's nvme0n1p1. */
	assert_int_equal(blk_part_name("nvme0", 1, out), 0);
	assert_string_equal(out, "nvme0p1");
	/* 15 characters and a NUL fit; one more does not. */
	assert_int_equal(blk_part_name("abcdefghijkl", 999, out), 0);
	assert_string_equal(out, "abcdefghijkl999");
	assert_int_equal(blk_part_name("abcdefghijkl", 1000, out), -1);
	assert_int_equal(blk_part_name("abcdefghijklmn0", 1, out), -1);
	assert_int_equal(blk_part_name("", 1, out), -1);
	assert_int_equal(blk_part_name("abcdefghijklmnop", 1, out), -1); /* no NUL in 16 */
}

static struct kosh_part_table table;

static void add_part(uint32_t index, uint64_t first, uint64_t sectors)
{
	struct kosh_part *p = &table.part[table.count++];
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->first_lba = first;
	p->sectors = sectors;
}

static void test_devs(void **state)
{
	struct blk_dev devs[BLK_DEVS_MAX];
	(void)state;
	memset(&table, 0, sizeof(table));
	table.scheme = KOSH_PART_SCHEME_GPT;
	add_part(1, 2048, 4096);
	add_part(2, 6144, 1000);
	add_part(5000, 8000, 10);  /* a number no badge can carry */
	add_part(3, 9000, 2000);   /* past the 10000-sector disk */
	add_part(4, 10000, 1);     /* starts at the end */
	add_part(6, 9990, 10);     /* the very last sectors */
	uint32_t n = blk_devs_build("vda", 10000, &table, devs, BLK_DEVS_MAX);
	assert_int_equal(n, 4);
	assert_string_equal(devs[0].name, "vda");
	assert_int_equal(devs[0].index, 0);
	assert_int_equal(devs[0].first, 0);
	assert_int_equal(devs[0].sectors, 10000);
	assert_string_equal(devs[1].name, "vda1");
	assert_int_equal(devs[1].first, 2048);
	assert_int_equal(devs[1].sectors, 4096);
	assert_string_equal(devs[2].name, "vda2");
	assert_string_equal(devs[3].name, "vda6");
	assert_int_equal(blk_dev_find(devs, n, "vda", 3), 0);
	assert_int_equal(blk_dev_find(devs, n, "/vda", 4), 0);
	assert_int_equal(blk_dev_find(devs, n, "vda1", 4), 1);
	assert_int_equal(blk_dev_find(devs, n, "/vda2", 5), 2);
	assert_int_equal(blk_dev_find(devs, n, "vda1x", 5), -1);
	assert_int_equal(blk_dev_find(devs, n, "vd", 2), -1);
	assert_int_equal(blk_dev_find(devs, n, "vda3", 4), -1);
	assert_int_equal(blk_dev_find(devs, n, "/", 1), -1);
	assert_int_equal(blk_dev_find(devs, n, "", 0), -1);
	assert_int_equal(blk_dev_find(devs, n, "vda1/", 5), -1);
	assert_int_equal(blk_dev_by_index(devs, n, 0), 0);
	assert_int_equal(blk_dev_by_index(devs, n, 6), 3);
	assert_int_equal(blk_dev_by_index(devs, n, 3), -1);
	/* No table: the disk alone; a room for one: the disk alone. */
	assert_int_equal(blk_devs_build("vdb", 5, NULL, devs, BLK_DEVS_MAX), 1);
	assert_string_equal(devs[0].name, "vdb");
	assert_int_equal(blk_devs_build("vda", 10000, &table, devs, 1), 1);
	assert_int_equal(blk_devs_build("vda", 10000, &table, devs, 0), 0);
	assert_int_equal(blk_devs_build("abcdefghijklmnop", 10, NULL, devs, BLK_DEVS_MAX), 0);
}

static void test_badges(void **state)
{
	uint32_t index = 99;
	(void)state;
	for (uint32_t i = 0; i <= BLK_PART_INDEX_MAX; i += 7) {
		uint64_t b = blk_badge_make(i, 123456789 + i);
		assert_true(blk_badge_index(b, &index));
		assert_int_equal(index, i);
		assert_int_not_equal(b, 0);
	}
	/* Serials differ: so do badges; a serial of 0 still makes a valid badge. */
	assert_int_not_equal(blk_badge_make(1, 5), blk_badge_make(1, 6));
	assert_true(blk_badge_index(blk_badge_make(1, 0), &index));
	assert_true(blk_badge_index(blk_badge_make(1, 1ull << 48), &index));
	/* Not ours: 0 (vfsd's or devmgr's root handle), small badges, other high bits. */
	assert_false(blk_badge_index(0, &index));
	assert_false(blk_badge_index(1, &index));
	assert_false(blk_badge_index(2, &index));
	assert_false(blk_badge_index(1ull << 63, &index));
	assert_false(blk_badge_index(BLK_BADGE_MARK | (1ull << 63) | 5, &index));
	assert_false(blk_badge_index(BLK_BADGE_MARK, &index)); /* no serial */
}

static void test_clients(void **state)
{
	static struct blk_clients cs;
	struct blk_client old;
	int evicted;
	(void)state;
	memset(&cs, 0, sizeof(cs));
	assert_null(blk_client_find(&cs, 0));
	for (uint32_t i = 0; i < BLK_CLIENTS_MAX; i++) {
		struct blk_client *c = blk_client_add(&cs, 100 + i, i % 3, &old, &evicted);
		assert_non_null(c);
		assert_false(evicted);
		c->buffer_size = 4096 * (i + 1);
		c->inflight = i % 2; /* odd ones busy */
	}
	assert_null(blk_client_find(&cs, 99));
	/* Touch client 100 (idle): the least recently used idle one is now 102. */
	struct blk_client *c = blk_client_find(&cs, 100);
	assert_non_null(c);
	assert_int_equal(c->dev, 0);
	c = blk_client_add(&cs, 500, 1, &old, &evicted);
	assert_non_null(c);
	assert_true(evicted);
	assert_int_equal(old.badge, 102);
	assert_int_equal(old.buffer_size, 4096 * 3);
	assert_int_equal(c->badge, 500);
	assert_int_equal(c->buffer_size, 0);
	assert_null(blk_client_find(&cs, 102));
	assert_non_null(blk_client_find(&cs, 100));
	/* Everyone busy: nothing to evict. */
	for (uint32_t i = 0; i < BLK_CLIENTS_MAX; i++)
		cs.c[i].inflight = 1;
	assert_null(blk_client_add(&cs, 600, 0, &old, &evicted));
	/* Removing frees an entry for the next one without eviction. */
	c = blk_client_find(&cs, 101);
	blk_client_remove(&cs, c);
	assert_null(blk_client_find(&cs, 101));
	c = blk_client_add(&cs, 601, 2, &old, &evicted);
	assert_non_null(c);
	assert_false(evicted);
}

static void test_slots(void **state)
{
	struct blk_slots s;
	(void)state;
	blk_slots_init(&s, 1000);
	assert_int_equal(s.count, BLK_SLOTS_MAX);
	blk_slots_init(&s, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(blk_slot_get(&s), i);
	assert_int_equal(blk_slot_get(&s), -1);
	assert_int_equal(s.used, 4);
	blk_slot_put(&s, 2);
	blk_slot_put(&s, 2); /* a second put changes nothing */
	blk_slot_put(&s, 77);
	assert_int_equal(s.used, 3);
	assert_int_equal(blk_slot_get(&s), 2);
	assert_int_equal(blk_slot_get(&s), -1);
}

static void test_cursor(void **state)
{
	struct blk_cursor cur;
	struct blk_dev part = { "vda2", 2, 6144, 1000 };
	(void)state;
	/* 512-byte sectors: 300 sectors (150 KiB) at sector 10 of a partition at 6144. */
	blk_cursor_start(&cur, &part, 512, 10, 300, 8192);
	assert_int_equal(cur.vsector, 6154);
	assert_int_equal(blk_cursor_next(&cur, 65536), 65536);
	blk_cursor_advance(&cur);
	assert_int_equal(cur.vsector, 6154 + 128);
	assert_int_equal(cur.offset, 8192 + 65536);
	assert_int_equal(blk_cursor_next(&cur, 65536), 65536);
	blk_cursor_advance(&cur);
	assert_int_equal(blk_cursor_next(&cur, 65536), 300 * 512 - 131072);
	blk_cursor_advance(&cur);
	assert_int_equal(cur.vsector, 6154 + 300);
	assert_int_equal(cur.offset, 8192 + 300 * 512);
	assert_int_equal(blk_cursor_next(&cur, 65536), 0);
	/* 4096-byte sectors: virtio still counts 512-byte units. */
	struct blk_dev disk = { "vdb", 0, 0, 100 };
	blk_cursor_start(&cur, &disk, 4096, 3, 1, 0);
	assert_int_equal(cur.vsector, 24);
	assert_int_equal(blk_cursor_next(&cur, 65536), 4096);
	blk_cursor_advance(&cur);
	assert_int_equal(cur.vsector, 32);
	assert_int_equal(blk_cursor_next(&cur, 65536), 0);
	/* A whole 16 MiB buffer in 64 KiB chunks: 256 of them. */
	struct blk_dev big = { "vdc", 0, 0, 1ull << 40 };
	blk_cursor_start(&cur, &big, 512, (1ull << 40) - 32768, 32768, 0);
	uint32_t chunks = 0;
	while (blk_cursor_next(&cur, 65536)) {
		chunks++;
		blk_cursor_advance(&cur);
	}
	assert_int_equal(chunks, 256);
	assert_int_equal(cur.vsector, 1ull << 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_part_names), cmocka_unit_test(test_devs),
	    cmocka_unit_test(test_badges),     cmocka_unit_test(test_clients),
	    cmocka_unit_test(test_slots),      cmocka_unit_test(test_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
