/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space parsing (shared/lib/pci.c) on the configuration
 * spaces of real devices (test/unit/data/pci/: virtio 1.x PCI functions and a
 * host bridge, read from /sys of a Debian 12 virtual machine) and on damaged
 * copies of them: pointers into the header or past the end, loops, impossible
 * capabilities. Every byte of the capability area is also set to every value
 * in turn: the walks must end, within bounds (ASan watches), every time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/pci.h>

static uint8_t cfg[KOSH_PCI_CFG_EXT_SIZE];

static size_t load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/test/unit/data/pci/%s.bin", KOSH_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	memset(cfg, 0, sizeof(cfg));
	size_t n = fread(cfg, 1, sizeof(cfg), f);
	fclose(f);
	assert_true(n == KOSH_PCI_CFG_SIZE || n == KOSH_PCI_CFG_EXT_SIZE);
	return n;
}

static void test_header_of_virtio_block(void **state)
{
	struct kosh_pci_header h;
	size_t len = load("1af4-1042");
	assert_int_equal(kosh_pci_header(cfg, len, &h), KOSH_PCI_OK);
	assert_int_equal(h.vendor, 0x1af4);
	assert_int_equal(h.device, 0x1042); /* 0x1040 + 2: block */
	assert_int_equal(h.class_code, 0x01); /* mass storage */
	assert_int_equal(h.subclass, 0x80);
	assert_int_equal(h.header_type, 0);
	assert_int_equal(h.subsystem_vendor, 0x1af4);
	assert_int_equal(h.bar[0] & 0xf, 0x4); /* memory, 64-bit */
}

static void test_capability_list_of_virtio_block(void **state)
{
	static const uint8_t want_pos[] = { 0x40, 0x50, 0x60, 0x70, 0x84, 0x98 };
	static const uint8_t want_id[] = { 9, 9, 9, 9, 9, KOSH_PCI_CAP_MSIX };
	struct kosh_pci_walk w = {0};
	size_t len = load("1af4-1042");
	uint8_t id;
	for (size_t i = 0; i < sizeof(want_pos); i++) {
		assert_int_equal(kosh_pci_cap_next(cfg, len, &w, &id), KOSH_PCI_OK);
		assert_int_equal(w.pos, want_pos[i]);
		assert_int_equal(id, want_id[i]);
	}
	assert_int_equal(kosh_pci_cap_next(cfg, len, &w, &id), KOSH_PCI_NOT_FOUND);
}

static void test_virtio_regions_of_virtio_block(void **state)
{
	struct kosh_pci_virtio v;
	size_t len = load("1af4-1042");
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_OK);
	assert_true(v.common.present && v.notify.present && v.isr.present && v.device.present);
	assert_int_equal(v.common.bar, 0);
	assert_int_equal(v.common.offset, 0);
	assert_int_equal(v.common.length, 0x38); /* struct virtio_pci_common_cfg */
	assert_int_equal(v.isr.offset, 0x2000);
	assert_int_equal(v.device.offset, 0x4000);
	assert_int_equal(v.notify.offset, 0x6000);
	assert_int_equal(v.notify_multiplier, 4);
}

static void test_msix_of_virtio_block(void **state)
{
	struct kosh_pci_msix m;
	size_t len = load("1af4-1042");
	assert_int_equal(kosh_pci_msix(cfg, len, &m), KOSH_PCI_OK);
	assert_int_equal(m.pos, 0x98);
	assert_int_equal(m.table_size, 2);
	assert_int_equal(m.table_bar, 0);
	assert_int_equal(m.table_offset, 0x8000);
	assert_int_equal(m.pba_bar, 0);
	assert_int_equal(m.pba_offset, 0x48000);
	assert_int_equal(m.enabled, 1);
}

/* Every virtio function of the machine has the three regions a driver needs. */
static void test_every_virtio_function(void **state)
{
	static const char *const names[] = { "1af4-1041", "1af4-1042", "1af4-1044", "1af4-1045",
					     "1af4-1053" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct kosh_pci_header h;
		struct kosh_pci_virtio v;
		struct kosh_pci_msix m;
		size_t len = load(names[i]);
		assert_int_equal(kosh_pci_header(cfg, len, &h), KOSH_PCI_OK);
		assert_true(h.device >= 0x1040 && h.device <= 0x107f); /* modern: 0x1040 + type */
		assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_OK);
		assert_int_equal(kosh_pci_msix(cfg, len, &m), KOSH_PCI_OK);
		assert_true(m.table_size >= 1);
	}
}

static void test_host_bridge_has_no_capabilities(void **state)
{
	struct kosh_pci_header h;
	struct kosh_pci_walk w = {0};
	struct kosh_pci_ext_walk x = {0};
	struct kosh_pci_virtio v;
	uint16_t xid;
	uint8_t id, version;
	size_t len = load("8086-0d57");
	assert_int_equal(len, KOSH_PCI_CFG_EXT_SIZE);
	assert_int_equal(kosh_pci_header(cfg, len, &h), KOSH_PCI_OK);
	assert_int_equal(h.class_code, 0x06); /* bridge */
	assert_int_equal(kosh_pci_cap_next(cfg, len, &w, &id), KOSH_PCI_NOT_FOUND);
	assert_int_equal(kosh_pci_ext_cap_next(cfg, len, &x, &xid, &version), KOSH_PCI_NOT_FOUND);
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_NOT_FOUND);
}

static void test_header_refusals(void **state)
{
	struct kosh_pci_header h;
	size_t len = load("1af4-1042");
	assert_int_equal(kosh_pci_header(cfg, 63, &h), KOSH_PCI_SHORT);
	cfg[0x0e] = 0x81; /* a multi-function PCI-to-PCI bridge */
	assert_int_equal(kosh_pci_header(cfg, len, &h), KOSH_PCI_NOT_TYPE0);
	assert_int_equal(h.header_type, 1);
	assert_int_equal(h.multifunction, 1);
	assert_int_equal(h.bar[0], 0);
	memset(cfg, 0xff, KOSH_PCI_CFG_SIZE); /* what a read of an absent function gives */
	assert_int_equal(kosh_pci_header(cfg, len, &h), KOSH_PCI_ABSENT);
}

static enum kosh_pci_error walk_all(size_t len, uint32_t *count)
{
	struct kosh_pci_walk w = {0};
	enum kosh_pci_error e;
	uint8_t id;
	*count = 0;
	while ((e = kosh_pci_cap_next(cfg, len, &w, &id)) == KOSH_PCI_OK)
		++*count;
	return e;
}

static void test_damaged_capability_lists(void **state)
{
	uint32_t n;
	size_t len = load("1af4-1042");
	/* A capability pointing at itself, and two pointing at each other. */
	cfg[0x60 + 1] = 0x60;
	assert_int_equal(walk_all(len, &n), KOSH_PCI_LOOP);
	assert_int_equal(n, 3);
	load("1af4-1042");
	cfg[0x70 + 1] = 0x50;
	assert_int_equal(walk_all(len, &n), KOSH_PCI_LOOP);
	/* Into the header; past the end of a short buffer. */
	load("1af4-1042");
	cfg[0x34] = 0x20;
	assert_int_equal(walk_all(len, &n), KOSH_PCI_BAD_POINTER);
	load("1af4-1042");
	assert_int_equal(walk_all(0x60, &n), KOSH_PCI_BAD_POINTER); /* 0x60 is past a 0x60-byte copy */
	assert_int_equal(n, 2);
	/* The reserved low bits are masked: 0x43 means 0x40. */
	load("1af4-1042");
	cfg[0x34] = 0x43;
	assert_int_equal(walk_all(len, &n), KOSH_PCI_NOT_FOUND);
	assert_int_equal(n, 6);
	/* No capability list without the status bit. */
	load("1af4-1042");
	cfg[0x06] &= (uint8_t)~0x10;
	assert_int_equal(walk_all(len, &n), KOSH_PCI_NOT_FOUND);
	assert_int_equal(n, 0);
}

/* Fills a list of 48 capabilities (the most that fit), all distinct. */
static void test_longest_list_is_walked(void **state)
{
	uint32_t n;
	memset(cfg, 0, sizeof(cfg));
	cfg[0x06] = 0x10;
	cfg[0x34] = 0x40;
	for (uint32_t p = 0x40; p < 0x100; p += 4) {
		cfg[p] = 0x09;
		cfg[p + 1] = (uint8_t)(p + 4 < 0x100 ? p + 4 : 0);
	}
	assert_int_equal(walk_all(KOSH_PCI_CFG_SIZE, &n), KOSH_PCI_NOT_FOUND);
	assert_int_equal(n, 48);
}

static void test_unusable_virtio_capabilities_are_ignored(void **state)
{
	struct kosh_pci_virtio v;
	size_t len = load("1af4-1042");
	cfg[0x40 + 4] = 6; /* the common structure in a reserved BAR */
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_NOT_FOUND);
	assert_false(v.common.present);
	load("1af4-1042");
	cfg[0x40 + 2] = 8; /* cap_len shorter than struct virtio_pci_cap */
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_NOT_FOUND);
	load("1af4-1042");
	cfg[0x70 + 16] = 3; /* a notify multiplier that is no power of 2 */
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_NOT_FOUND);
	assert_false(v.notify.present);
	load("1af4-1042");
	memset(cfg + 0x40 + 8, 0xff, 8); /* offset + length wraps */
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_NOT_FOUND);
	/* A second common structure after a good one: the first wins. */
	load("1af4-1042");
	cfg[0x84 + 3] = 1;
	cfg[0x84 + 8] = 0x10;
	cfg[0x84 + 12] = 0x38;
	assert_int_equal(kosh_pci_virtio(cfg, len, &v), KOSH_PCI_OK);
	assert_int_equal(v.common.offset, 0);
}

static void test_msix_refusals(void **state)
{
	struct kosh_pci_msix m;
	size_t len = load("1af4-1042");
	cfg[0x98 + 4] |= 7; /* table in "BAR 7" */
	assert_int_equal(kosh_pci_msix(cfg, len, &m), KOSH_PCI_BAD_CAP);
	load("1af4-1042");
	assert_int_equal(kosh_pci_msix(cfg, 0xa0, &m), KOSH_PCI_BAD_CAP); /* cut inside it */
	load("1af4-1041");
	cfg[0x34] = 0;
	assert_int_equal(kosh_pci_msix(cfg, len, &m), KOSH_PCI_NOT_FOUND);
}

static void test_extended_capabilities(void **state)
{
	struct kosh_pci_ext_walk x = {0};
	uint16_t id;
	uint8_t version;
	memset(cfg, 0, sizeof(cfg));
	/* AER (1) v2 at 0x100 -> ARI (0x0e) v1 at 0x148 -> SR-IOV (0x10) v1 at 0x160, end. */
	uint32_t caps[][3] = { { 0x100, 0x0001, 0x148 }, { 0x148, 0x000e, 0x160 }, { 0x160, 0x0010, 0 } };
	for (size_t i = 0; i < 3; i++) {
		uint32_t h = caps[i][1] | (i == 0 ? 2u : 1u) << 16 | caps[i][2] << 20;
		memcpy(cfg + caps[i][0], &h, 4);
	}
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(kosh_pci_ext_cap_next(cfg, KOSH_PCI_CFG_EXT_SIZE, &x, &id, &version),
				 KOSH_PCI_OK);
		assert_int_equal(x.pos, caps[i][0]);
		assert_int_equal(id, caps[i][1]);
		assert_int_equal(version, i == 0 ? 2 : 1);
	}
	assert_int_equal(kosh_pci_ext_cap_next(cfg, KOSH_PCI_CFG_EXT_SIZE, &x, &id, &version),
			 KOSH_PCI_NOT_FOUND);
	/* A loop back to the first, a pointer into the conventional space, a 256-byte copy. */
	uint32_t h = 0x0010u | 1u << 16 | 0x100u << 20;
	memcpy(cfg + 0x160, &h, 4);
	memset(&x, 0, sizeof(x));
	enum kosh_pci_error e;
	while ((e = kosh_pci_ext_cap_next(cfg, KOSH_PCI_CFG_EXT_SIZE, &x, &id, &version)) == KOSH_PCI_OK)
		;
	assert_int_equal(e, KOSH_PCI_LOOP);
	h = 0x0010u | 1u << 16 | 0x40u << 20;
	memcpy(cfg + 0x160, &h, 4);
	memset(&x, 0, sizeof(x));
	while ((e = kosh_pci_ext_cap_next(cfg, KOSH_PCI_CFG_EXT_SIZE, &x, &id, &version)) == KOSH_PCI_OK)
		;
	assert_int_equal(e, KOSH_PCI_BAD_POINTER);
	memset(&x, 0, sizeof(x));
	assert_int_equal(kosh_pci_ext_cap_next(cfg, KOSH_PCI_CFG_SIZE, &x, &id, &version),
			 KOSH_PCI_NOT_FOUND);
}

/* Every byte of the capability area set to every value: every walk ends, in bounds. */
static void test_every_single_byte_damage(void **state)
{
	static uint8_t orig[KOSH_PCI_CFG_SIZE];
	size_t len = load("1af4-1042");
	memcpy(orig, cfg, sizeof(orig));
	for (uint32_t at = 0x34; at < KOSH_PCI_CFG_SIZE; at++) {
		for (uint32_t v = 0; v < 256; v++) {
			struct kosh_pci_virtio vi;
			struct kosh_pci_msix m;
			uint32_t n;
			memcpy(cfg, orig, sizeof(orig));
			cfg[at] = (uint8_t)v;
			enum kosh_pci_error e = walk_all(len, &n);
			assert_true(n <= 48);
			assert_true(e == KOSH_PCI_NOT_FOUND || e == KOSH_PCI_LOOP || e == KOSH_PCI_BAD_POINTER);
			(void)kosh_pci_virtio(cfg, len, &vi);
			if (vi.notify.present)
				assert_true(vi.notify_multiplier == 0 || (vi.notify_multiplier & (vi.notify_multiplier - 1)) == 0);
			if (kosh_pci_msix(cfg, len, &m) == KOSH_PCI_OK)
				assert_true(m.table_bar < 6 && m.pba_bar < 6 && m.table_size >= 1 && m.table_size <= 2048);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_of_virtio_block),
		cmocka_unit_test(test_capability_list_of_virtio_block),
		cmocka_unit_test(test_virtio_regions_of_virtio_block),
		cmocka_unit_test(test_msix_of_virtio_block),
		cmocka_unit_test(test_every_virtio_function),
		cmocka_unit_test(test_host_bridge_has_no_capabilities),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_damaged_capability_lists),
		cmocka_unit_test(test_longest_list_is_walked),
		cmocka_unit_test(test_unusable_virtio_capabilities_are_ignored),
		cmocka_unit_test(test_msix_refusals),
		cmocka_unit_test(test_extended_capabilities),
		cmocka_unit_test(test_every_single_byte_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
