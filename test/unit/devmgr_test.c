/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the driver manager's pure parts (user/servers/devmgr):
 * etc/drivers (drivers.c) read back, its errors with their lines, the shipped
 * user/initfs/etc/drivers itself, matching devices (vendor:device before
 * class, class wildcards, compatible strings), device names (vda … vdz, vdaa;
 * net0 …), the exact text of dev:///pci and dev:///devices (text.c), and the
 * mounting's pure parts (mountplan.c): partition names, the boot plan (root
 * and EFI system partition), the check of a "mount" request.
 * Every parse is of an exact-size heap copy, so ASan catches a read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/proto/mount.h>
#include <kosh/proto/vfs.h>

#include "drivers.h"
#include "mountplan.h"
#include "text.h"

#define SAMPLE_PATH KOSH_SOURCE_DIR "/user/initfs/etc/drivers"

static struct drivers drv;

static int parse(const char *text, struct drivers_error *err)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	int r = drivers_parse(copy, len, &drv, err);
	free(copy);
	return r;
}

static void expect_error(const char *text, uint32_t line, const char *message)
{
	struct drivers_error err;
	int r = parse(text, &err);
	if (r != -1)
		fprintf(stderr, "accepted: %s", text);
	assert_int_equal(r, -1);
	assert_string_equal(err.message, message);
	assert_int_equal(err.line, line);
	assert_int_equal(drv.count, 0);
}

static void test_devmgr_drivers_reads_every_key(void **state)
{
	struct drivers_error err;
	const struct drivers_entry *e;
	assert_int_equal(
	    parse("# a comment\r\n[driver blk]\nbinary = initfs:///sbin/drivers/blk\n"
		  "args = --fast -q\npci = 1af4:1001 1AF4:1042\npci = 8086:2922\n"
		  "class = 01:06:01 01:08 02\ncompatible = arm,pl031 PNP0501\n"
		  "name = vda\nquota = 4M\nscheme = blk\nendpoint = input\n"
		  "nodevice = start\nrestart = on-failure\n\n[driver b]\nbinary = fs:///b\n"
		  "name = net0",
		  &err),
	    0);
	assert_int_equal(drv.count, 2);
	e = &drv.entries[0];
	assert_string_equal(e->name, "blk");
	assert_string_equal(e->binary, "initfs:///sbin/drivers/blk");
	assert_int_equal(e->arg_count, 2);
	assert_memory_equal(e->args, "--fast\0-q\0", 10);
	assert_int_equal(e->pci_count, 3);
	assert_int_equal(e->pci[1].vendor, 0x1af4);
	assert_int_equal(e->pci[1].device, 0x1042);
	assert_int_equal(e->pci[2].device, 0x2922);
	assert_int_equal(e->class_count, 3);
	assert_int_equal(e->classes[0].prog_if, 1);
	assert_int_equal(e->classes[1].subclass, 8);
	assert_int_equal(e->classes[1].prog_if, DRIVERS_CLASS_ANY);
	assert_int_equal(e->classes[2].class_code, 2);
	assert_int_equal(e->classes[2].subclass, DRIVERS_CLASS_ANY);
	assert_int_equal(e->compatible_count, 2);
	assert_string_equal(e->compatible[1], "PNP0501");
	assert_string_equal(e->device_prefix, "vd");
	assert_int_equal(e->first_suffix, 'a');
	assert_int_equal(e->quota, 4u << 20);
	assert_string_equal(e->scheme, "blk");
	assert_string_equal(e->endpoint, "input");
	assert_int_equal(e->nodevice, DRIVERS_NODEVICE_START);
	assert_int_equal(e->restart, 1);
	e = &drv.entries[1];
	assert_int_equal(e->quota, 1u << 20); /* the default */
	assert_int_equal(e->nodevice, DRIVERS_NODEVICE_IGNORE);
	assert_string_equal(e->device_prefix, "net");
	assert_int_equal(e->first_suffix, '0');
}

static void test_devmgr_drivers_rejects_bad_lines(void **state)
{
	const char *h = "[driver a]\nbinary = initfs:///a\nname = vda\n";
	char text[512];
	static const struct {
		const char *line, *message;
	} cases[] = {
	    {"pci = 1af4-1001",
	     "line 4: pci '1af4-1001': expected VENDOR:DEVICE in hex, e.g. 1af4:1042"},
	    {"pci = ffff:0001",
	     "line 4: pci 'ffff:0001': expected VENDOR:DEVICE in hex, e.g. 1af4:1042"},
	    {"pci = 1af4:10011",
	     "line 4: pci '1af4:10011': expected VENDOR:DEVICE in hex, e.g. 1af4:1042"},
	    {"class = 1", "line 4: class '1': expected CC, CC:SS or CC:SS:PP in hex"},
	    {"class = 01:06:01:00",
	     "line 4: class '01:06:01:00': expected CC, CC:SS or CC:SS:PP in hex"},
	    {"class = 01:", "line 4: class '01:': expected CC, CC:SS or CC:SS:PP in hex"},
	    {"name = vd", "line 4: duplicate key 'name'"},
	    {"quota = 4097", "line 4: quota '4097': whole 4K pages, at most 4096M"},
	    {"quota = 5G", "line 4: quota '5G': a decimal number, K or M"},
	    {"scheme = Rng", "line 4: scheme 'Rng': use a-z and 0-9"},
	    {"endpoint = -in", "line 4: endpoint '-in': use a-z and 0-9 and '-'"},
	    {"nodevice = maybe", "line 4: nodevice 'maybe' is not one of the choices"},
	    {"restart = sometimes", "line 4: restart 'sometimes' is not one of the choices"},
	    {"irq = 5", "line 4: unknown key 'irq'"},
	    {"pci", "line 4: missing '=' (expected key = value)"},
	    {"pci =", "line 4: key 'pci' has no value"},
	    {"[driver a]", "line 4: duplicate driver 'a'"},
	    {"[service a]", "line 4: expected [driver NAME]"},
	    {"[driver A]", "line 4: bad driver name (use a-z, 0-9 and '-', not first)"},
	    {"[driver abcdefghijklmnop]", "line 4: driver name too long (at most 15 characters)"},
	    {"\x01", "line 4: control or non-ASCII byte 0x01 in column 1"},
	    {"# caf\xc3\xa9", "line 4: control or non-ASCII byte 0xc3 in column 6"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", h, cases[i].line);
		expect_error(text, 4, cases[i].message);
	}
	expect_error("binary = initfs:///a\n", 1, "line 1: key 'binary' before any [driver NAME]");
	expect_error("[driver a]\nname = vda\n", 1, "line 1: driver 'a' has no binary");
	expect_error("[driver a]\nbinary = initfs:///a\n[driver b]\n", 1,
		     "line 1: driver 'a' has no name (the first device's: vda, net0 ...)");
	expect_error("[driver a]\nbinary = sbin/a\n", 2,
		     "line 2: binary must be an initfs:/// or fs:/// file path (at most 127 "
		     "characters)");
	expect_error("[driver a]\nbinary = initfs:///a\nname = vdb\n", 3,
		     "line 3: name 'vdb' must end in 'a' (vda, vdb ...) or '0' (net0, net1 ...)");
	expect_error("[driver a]\nbinary = initfs:///a\nname = v1a\n", 3,
		     "line 3: name 'v1a': letters a-z, then the first letter or digit");
}

static void test_devmgr_drivers_ships_a_valid_file(void **state)
{
	struct drivers_error err;
	FILE *f = fopen(SAMPLE_PATH, "rb");
	char buf[DRIVERS_FILE_MAX + 1];
	assert_non_null(f);
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	buf[len] = '\0';
	assert_int_equal(parse(buf, &err), 0);
	struct drivers_device blk = {.pci = 1, .vendor = 0x1af4, .device = 0x1042};
	struct drivers_device legacy_rng = {.pci = 1, .vendor = 0x1af4, .device = 0x1005};
	struct drivers_device edu = {.pci = 1, .vendor = 0x1234, .device = 0x11e8};
	int b = drivers_match(&drv, &blk), r = drivers_match(&drv, &legacy_rng);
	assert_true(b >= 0 && r >= 0);
	assert_string_equal(drv.entries[b].name, "virtio-blk");
	assert_string_equal(drv.entries[r].name, "virtio-rng");
	assert_string_equal(drv.entries[r].scheme, "rng");
	assert_int_equal(drv.entries[r].nodevice, DRIVERS_NODEVICE_START);
	assert_int_equal(drivers_match(&drv, &edu), -1);
	for (uint32_t i = 0; i < drv.count; i++) {
		char name[KOSH_DEV_NAME_MAX];
		assert_int_equal(drivers_device_name(&drv.entries[i], 0, name), 0);
	}
}

static void test_devmgr_drivers_matches_ids_then_classes(void **state)
{
	struct drivers_error err;
	assert_int_equal(
	    parse("[driver ahci]\nbinary = initfs:///a\nname = sda\nclass = 01:06:01\n"
		  "[driver any-storage]\nbinary = initfs:///s\nname = st0\nclass = 01\n"
		  "[driver special]\nbinary = initfs:///x\nname = x0\npci = 8086:2922\n"
		  "[driver rtc]\nbinary = initfs:///r\nname = rtc0\ncompatible = arm,pl031\n",
		  &err),
	    0);
	struct drivers_device sata = {.pci = 1,
				      .vendor = 0x8086,
				      .device = 0x2922,
				      .class_code = 1,
				      .subclass = 6,
				      .prog_if = 1};
	struct drivers_device other_sata = {.pci = 1,
					    .vendor = 0x8086,
					    .device = 0x2829,
					    .class_code = 1,
					    .subclass = 6,
					    .prog_if = 1};
	struct drivers_device nvme = {.pci = 1,
				      .vendor = 0x1b36,
				      .device = 0x0010,
				      .class_code = 1,
				      .subclass = 8,
				      .prog_if = 2};
	struct drivers_device net = {.pci = 1, .class_code = 2};
	struct drivers_device pl031 = {.pci = 0, .compatible = "arm,pl031"};
	struct drivers_device pl011 = {.pci = 0, .compatible = "arm,pl011"};
	assert_int_equal(drivers_match(&drv, &sata), 2); /* vendor:device wins over a class */
	assert_int_equal(drivers_match(&drv, &other_sata), 0);
	assert_int_equal(drivers_match(&drv, &nvme), 1);
	assert_int_equal(drivers_match(&drv, &net), -1);
	assert_int_equal(drivers_match(&drv, &pl031), 3);
	assert_int_equal(drivers_match(&drv, &pl011), -1);
}

static void test_devmgr_drivers_names_devices(void **state)
{
	struct drivers_entry e;
	char name[KOSH_DEV_NAME_MAX];
	memset(&e, 0, sizeof(e));
	strcpy(e.device_prefix, "vd");
	e.first_suffix = 'a';
	static const struct {
		uint32_t n;
		const char *name;
	} letters[] = {{0, "vda"},   {1, "vdb"},    {25, "vdz"},   {26, "vdaa"},
		       {27, "vdab"}, {701, "vdzz"}, {702, "vdaaa"}};
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
		assert_int_equal(drivers_device_name(&e, letters[i].n, name), 0);
		assert_string_equal(name, letters[i].name);
	}
	strcpy(e.device_prefix, "net");
	e.first_suffix = '0';
	assert_int_equal(drivers_device_name(&e, 0, name), 0);
	assert_string_equal(name, "net0");
	assert_int_equal(drivers_device_name(&e, 12, name), 0);
	assert_string_equal(name, "net12");
	strcpy(e.device_prefix, "abcdefghijkl");
	assert_int_equal(drivers_device_name(&e, 9, name), 0);
	assert_string_equal(name, "abcdefghijkl9");
	assert_int_equal(drivers_device_name(&e, 4000000000u, name), -1);
}

static void test_devmgr_text_of_pci_and_devices(void **state)
{
	struct drivers_error err;
	struct devmgr_device d[4];
	const struct devmgr_device *all[4] = {&d[0], &d[1], &d[2], &d[3]};
	char buf[1024];
	assert_int_equal(parse("[driver virtio-blk]\nbinary = initfs:///b\nname = vda\n"
			       "[driver virtio-rng]\nbinary = initfs:///r\nname = rng0\n",
			       &err),
			 0);
	memset(d, 0, sizeof(d));
	d[0] = (struct devmgr_device){.bus = DEVMGR_PCI,
				      .pci_device = 2,
				      .driver = 0,
				      .hdr = {.vendor = 0x1af4, .device = 0x1042, .class_code = 1}};
	strcpy(d[0].name, "vda");
	d[1] = (struct devmgr_device){.bus = DEVMGR_PCI,
				      .segment = 1,
				      .pci_bus = 0x10,
				      .pci_device = 0x1f,
				      .pci_function = 3,
				      .driver = -1,
				      .hdr = {.vendor = 0x8086,
					      .device = 0x2930,
					      .class_code = 0xc,
					      .subclass = 5,
					      .prog_if = 0}};
	d[2] = (struct devmgr_device){.bus = DEVMGR_PLATFORM, .driver = -1};
	strcpy(d[2].where, "/pl031@9010000");
	strcpy(d[2].compatible, "arm,pl031");
	d[3] = (struct devmgr_device){.bus = 0, .driver = 1};
	strcpy(d[3].name, "rng0");
	strcpy(d[3].status, "refused by init");
	assert_int_equal(devmgr_text_pci(all, 4, &drv, buf, sizeof(buf)), strlen(buf));
	assert_string_equal(buf, "0000:00:02.0 1af4:1042 01:00:00 virtio-blk vda\n"
				 "0001:10:1f.3 8086:2930 0c:05:00 - -\n");
	devmgr_text_devices(all, 4, &drv, buf, sizeof(buf));
	assert_string_equal(buf, "pci 0000:00:02.0 1af4:1042 virtio-blk vda\n"
				 "pci 0001:10:1f.3 8086:2930 - -\n"
				 "platform /pl031@9010000 arm,pl031 - -\n"
				 "none - - virtio-rng rng0 refused by init\n");
	/* Cut to the buffer, always terminated, never a partial overrun. */
	assert_int_equal(devmgr_text_devices(all, 4, &drv, buf, 10), 9);
	assert_string_equal(buf, "pci 0000:");
	assert_int_equal(devmgr_text_pci(all, 0, &drv, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_devmgr_mount_names_partitions(void **state)
{
	char out[KOSH_DEV_NAME_MAX];
	assert_int_equal(devmgr_part_name("vda", 1, out, sizeof(out)), 0);
	assert_string_equal(out, "vda1");
	assert_int_equal(devmgr_part_name("vdb", 128, out, sizeof(out)), 0);
	assert_string_equal(out, "vdb128");
	assert_int_equal(devmgr_part_name("nvme0", 2, out, sizeof(out)), 0);
	assert_string_equal(out, "nvme0p2");
	assert_int_equal(devmgr_part_name("vdabcdefghijklm", 1, out, sizeof(out)), -1);
	assert_int_equal(devmgr_part_name("vda", 1, out, 4), -1);
}

static struct kosh_part_table tbl;

static void gpt(uint32_t n, const uint32_t *index, const uint32_t *flags)
{
	memset(&tbl, 0, sizeof(tbl));
	tbl.scheme = KOSH_PART_SCHEME_GPT;
	tbl.count = n;
	for (uint32_t i = 0; i < n; i++) {
		tbl.part[i].index = index[i];
		tbl.part[i].flags = flags[i];
		tbl.part[i].first_lba = 2048 + i * 4096;
		tbl.part[i].sectors = 4096;
	}
}

static void test_devmgr_mount_plans_the_boot(void **state)
{
	struct devmgr_candidate c[DEVMGR_CANDIDATES_MAX];
	uint32_t n = 0, root[DEVMGR_CANDIDATES_MAX];
	int esp;
	/* vda: an ESP then a data partition; vdb: no table; vdc: a table that cannot be read. */
	const uint32_t idx[] = {1, 2}, fl[] = {KOSH_PART_F_ESP, 0};
	gpt(2, idx, fl);
	assert_int_equal(devmgr_candidates("vda", KOSH_PART_OK, &tbl, c, &n, DEVMGR_CANDIDATES_MAX),
			 2);
	memset(&tbl, 0, sizeof(tbl));
	assert_int_equal(
	    devmgr_candidates("vdb", KOSH_PART_E_NO_TABLE, &tbl, c, &n, DEVMGR_CANDIDATES_MAX), 1);
	assert_int_equal(devmgr_candidates("vdc", KOSH_PART_E_GPT_HEADER_CRC, &tbl, c, &n,
					   DEVMGR_CANDIDATES_MAX),
			 0);
	assert_int_equal(
	    devmgr_candidates("vdd", KOSH_PART_E_READ, &tbl, c, &n, DEVMGR_CANDIDATES_MAX), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].name, "vda1");
	assert_true(c[0].esp);
	assert_string_equal(c[1].name, "vda2");
	assert_false(c[1].esp);
	assert_string_equal(c[2].name, "vdb");
	assert_false(c[2].esp);
	assert_int_equal(devmgr_plan(c, n, root, &esp), 2);
	assert_int_equal(esp, 0);
	assert_int_equal(root[0], 1); /* vda2 first, then the whole of vdb */
	assert_int_equal(root[1], 2);
}

static void test_devmgr_mount_plan_keeps_table_order(void **state)
{
	struct devmgr_candidate c[4];
	uint32_t n = 0, root[4];
	int esp;
	/* MBR: 1 data, 2 ESP, 5 a logical one, 6 a second ESP; only 4 kept. */
	const uint32_t idx[] = {1, 2, 5, 6, 7},
		       fl[] = {0, KOSH_PART_F_ESP, KOSH_PART_F_LOGICAL, KOSH_PART_F_ESP, 0};
	gpt(5, idx, fl);
	tbl.scheme = KOSH_PART_SCHEME_MBR;
	assert_int_equal(devmgr_candidates("vda", KOSH_PART_OK, &tbl, c, &n, 4), 4);
	assert_int_equal(n, 4);
	assert_string_equal(c[2].name, "vda5");
	assert_string_equal(c[3].name, "vda6");
	assert_int_equal(devmgr_plan(c, n, root, &esp), 2);
	assert_int_equal(esp, 1); /* the first ESP */
	assert_int_equal(root[0], 0);
	assert_int_equal(root[1], 2);
	/* None at all: an empty GPT, no ESP. */
	n = 0;
	gpt(0, idx, fl);
	assert_int_equal(devmgr_candidates("vda", KOSH_PART_OK, &tbl, c, &n, 4), 0);
	assert_int_equal(devmgr_plan(c, 0, root, &esp), 0);
	assert_int_equal(esp, -1);
	/* An MBR that lists nothing is a FAT boot sector as often as not: the whole disk. */
	tbl.scheme = KOSH_PART_SCHEME_MBR;
	assert_int_equal(devmgr_candidates("vda", KOSH_PART_OK, &tbl, c, &n, 4), 1);
	assert_string_equal(c[0].name, "vda");
	assert_false(c[0].esp);
	n = 0;
	/* Only ESPs: nothing for fs:///. */
	const uint32_t e_idx[] = {1}, e_fl[] = {KOSH_PART_F_ESP};
	gpt(1, e_idx, e_fl);
	assert_int_equal(devmgr_candidates("vda", KOSH_PART_OK, &tbl, c, &n, 4), 1);
	assert_int_equal(devmgr_plan(c, n, root, &esp), 0);
	assert_int_equal(esp, 0);
	assert_true(devmgr_is_block_driver("virtio-blk"));
	assert_false(devmgr_is_block_driver("virtio-net"));
}

/* A "mount" message: label, flags, then the strings from word 4. */
static uint32_t decode(uint32_t label, uint64_t flags, const char *a, const char *b, uint32_t caps,
		       struct devmgr_mount_req *req)
{
	static uint64_t data[64];
	uint64_t w[4] = {flags, strlen(a), b ? strlen(b) : 0, 0};
	uint32_t bytes = (uint32_t)(strlen(a) + (b ? strlen(b) : 0));
	memset(data, 0, sizeof(data));
	memcpy(data, a, strlen(a));
	if (b)
		memcpy((char *)data + strlen(a), b, strlen(b));
	return devmgr_mount_decode(kosh_msg_tag(label, 4 + (bytes + 7) / 8, caps, 0), w, data, req);
}

static void test_devmgr_mount_checks_requests(void **state)
{
	struct devmgr_mount_req req;
	uint64_t w[4] = {0, 100, 0, 0}, data[4] = {0};
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdb1", "fs:///mnt", 0, &req), 0);
	assert_int_equal(req.op, KOSH_MOUNT_MOUNT);
	assert_int_equal(req.flags, 0);
	assert_string_equal(req.device, "vdb1");
	assert_string_equal(req.target, "fs:///mnt");
	assert_int_equal(
	    decode(KOSH_MOUNT_MOUNT, KOSH_MOUNT_READ_ONLY, "dev:///vdb", "/mnt/usb/", 0, &req), 0);
	assert_int_equal(req.flags, KOSH_MOUNT_READ_ONLY);
	assert_string_equal(req.device, "vdb");
	assert_string_equal(req.target, "fs:///mnt/usb"); /* normalised */
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdb", "fs:///a/../b//c", 0, &req), 0);
	assert_string_equal(req.target, "fs:///b/c");
	/* Flags, sources, targets. */
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 2, "dev:///vdb", "fs:///mnt", 0, &req),
			 KOSH_VFS_EINVAL);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "fs:///vdb", "fs:///mnt", 0, &req),
			 KOSH_VFS_EINVAL);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///", "fs:///mnt", 0, &req),
			 KOSH_VFS_EINVAL);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vd/b", "fs:///mnt", 0, &req),
			 KOSH_VFS_EINVAL);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///VDB", "fs:///mnt", 0, &req),
			 KOSH_VFS_EINVAL);
	assert_int_equal(
	    decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdbcdefghijklmnop", "fs:///mnt", 0, &req),
	    KOSH_VFS_EINVAL);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdb", "mnt", 0, &req),
			 KOSH_VFS_EINVAL);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdb", "fs:///a\tb", 0, &req),
			 KOSH_VFS_EINVAL);
	/* Malformed: capabilities, labels, lengths past the message, empty strings. */
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdb", "fs:///mnt", 1, &req),
			 KOSH_VFS_EPROTO);
	assert_int_equal(decode(3, 0, "dev:///vdb", "fs:///mnt", 0, &req), KOSH_VFS_EPROTO);
	assert_int_equal(decode(KOSH_MOUNT_MOUNT, 0, "dev:///vdb", "", 0, &req), KOSH_VFS_EPROTO);
	assert_int_equal(
	    devmgr_mount_decode(kosh_msg_tag(KOSH_MOUNT_MOUNT, 5, 0, 0), w, data, &req),
	    KOSH_VFS_EPROTO);
	w[1] = 4;
	w[2] = UINT64_MAX - 2; /* a + b wraps */
	assert_int_equal(
	    devmgr_mount_decode(kosh_msg_tag(KOSH_MOUNT_MOUNT, 5, 0, 0), w, data, &req),
	    KOSH_VFS_EPROTO);
	/* UNMOUNT: the target alone. */
	assert_int_equal(decode(KOSH_MOUNT_UNMOUNT, 0, "fs:///boot/", NULL, 0, &req), 0);
	assert_int_equal(req.op, KOSH_MOUNT_UNMOUNT);
	assert_string_equal(req.target, "fs:///boot");
	assert_int_equal(decode(KOSH_MOUNT_UNMOUNT, 0, "fs:///", NULL, 0, &req), 0);
	assert_string_equal(req.target, "fs:///");
	assert_int_equal(decode(KOSH_MOUNT_UNMOUNT, 0, "", NULL, 0, &req), KOSH_VFS_EPROTO);
	w[1] = 9;
	assert_int_equal(
	    devmgr_mount_decode(kosh_msg_tag(KOSH_MOUNT_UNMOUNT, 5, 0, 0), w, data, &req),
	    KOSH_VFS_EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_devmgr_drivers_reads_every_key),
	    cmocka_unit_test(test_devmgr_drivers_rejects_bad_lines),
	    cmocka_unit_test(test_devmgr_drivers_ships_a_valid_file),
	    cmocka_unit_test(test_devmgr_drivers_matches_ids_then_classes),
	    cmocka_unit_test(test_devmgr_drivers_names_devices),
	    cmocka_unit_test(test_devmgr_text_of_pci_and_devices),
	    cmocka_unit_test(test_devmgr_mount_names_partitions),
	    cmocka_unit_test(test_devmgr_mount_plans_the_boot),
	    cmocka_unit_test(test_devmgr_mount_plan_keeps_table_order),
	    cmocka_unit_test(test_devmgr_mount_checks_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
