/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/fdt.c: QEMU's own device trees (test/unit/data, dumped with
 * "qemu-system-aarch64 -M virt[,virtualization=on],dumpdtb=..." and packed to
 * their content), and hand-built blobs for each class of malformed input.
 *
 * Blobs live in heap buffers of exactly their size, so AddressSanitizer catches
 * any read past them; some tests move a blob to an odd address for UBSan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fdt.h"

#define DATA_DIR KOSH_SOURCE_DIR "/test/unit/data/"

/* Header fields */
#define H_TOTALSIZE    4
#define H_OFF_STRUCT   8
#define H_OFF_STRINGS  12
#define H_OFF_RSVMAP   16
#define H_VERSION      20
#define H_LAST_COMP    24
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT  36

#define BEGIN_NODE 1u
#define END_NODE   2u
#define PROP       3u
#define END        9u

/* The blob builder: structure and strings blocks, then finish() lays them out. */
static struct {
	uint8_t st[16384];
	uint32_t st_len;
	char strs[1024];
	uint32_t strs_len;
	uint8_t *blob;
	uint32_t size;
} d;

/* Start a new blob. */
static void reset(void)
{
	free(d.blob);
	memset(&d, 0, sizeof(d));
}

static int setup(void **state)
{
	(void)state;
	memset(&d, 0, sizeof(d));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(d.blob);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void w32(uint32_t v)
{
	assert_true(d.st_len + 4 <= sizeof(d.st));
	put32(d.st + d.st_len, v);
	d.st_len += 4;
}

static void wbytes(const void *p, uint32_t len)
{
	assert_true(d.st_len + len + 3 <= sizeof(d.st));
	memcpy(d.st + d.st_len, p, len);
	d.st_len = (d.st_len + len + 3) & ~3u;
}

static uint32_t string(const char *s)
{
	uint32_t len = (uint32_t)strlen(s) + 1, off;

	for (off = 0; off < d.strs_len; off += (uint32_t)strlen(d.strs + off) + 1)
		if (strcmp(d.strs + off, s) == 0)
			return off;
	assert_true(d.strs_len + len <= sizeof(d.strs));
	memcpy(d.strs + d.strs_len, s, len);
	d.strs_len += len;
	return off;
}

static void begin(const char *name)
{
	w32(BEGIN_NODE);
	wbytes(name, (uint32_t)strlen(name) + 1);
}

static void end(void)
{
	w32(END_NODE);
}

static void prop(const char *name, const void *value, uint32_t len)
{
	w32(PROP);
	w32(len);
	w32(string(name));
	wbytes(value, len);
}

static void prop_str(const char *name, const char *s)
{
	prop(name, s, (uint32_t)strlen(s) + 1);
}

static void prop_u32(const char *name, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	prop(name, b, 4);
}

static void prop_cells(const char *name, uint32_t n, const uint32_t *cells)
{
	uint8_t b[64];

	assert_true(n <= 16);
	for (uint32_t i = 0; i < n; i++)
		put32(b + 4 * i, cells[i]);
	prop(name, b, 4 * n);
}

/* Lay out header, reserve map, structure and strings; with_end appends FDT_END first. */
static void finish_blob(int with_end)
{
	uint32_t off_struct = 40 + 16, off_strings;

	if (with_end)
		w32(END);
	off_strings = off_struct + d.st_len;
	d.size = off_strings + d.strs_len;
	free(d.blob);
	d.blob = calloc(1, d.size);
	assert_non_null(d.blob);
	put32(d.blob, FDT_MAGIC);
	put32(d.blob + H_TOTALSIZE, d.size);
	put32(d.blob + H_OFF_STRUCT, off_struct);
	put32(d.blob + H_OFF_STRINGS, off_strings);
	put32(d.blob + H_OFF_RSVMAP, 40);
	put32(d.blob + H_VERSION, 17);
	put32(d.blob + H_LAST_COMP, 16);
	put32(d.blob + H_SIZE_STRINGS, d.strs_len);
	put32(d.blob + H_SIZE_STRUCT, d.st_len);
	memcpy(d.blob + off_struct, d.st, d.st_len);
	memcpy(d.blob + off_strings, d.strs, d.strs_len);
}

static void finish(void)
{
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_OK);
}

static void header_set(uint32_t field, uint32_t v)
{
	put32(d.blob + field, v);
}

static const char pl011_compat[] = "arm,pl011\0arm,primecell";

/*
 * / { #address-cells = <2>; #size-cells = <2>;
 *     aliases { serial0 = "/soc/serial@1000"; serial1 = "/soc/serial@2000"; relative = "soc"; };
 *     chosen { stdout-path = <stdout or absent>; };
 *     soc { #address-cells = <1>; #size-cells = <1>;
 *           serial@1000 { pl011, status = "disabled" };
 *           serial@2000 { ns16550a, reg-shift = <2>, current-speed = <9600> };
 *           serial@3000 { pl011, status = "okay" }; };
 *     psci { compatible = "arm,psci-1.0", "arm,psci-0.2"; method = <method>; }; };
 */
static void board_tree(const char *stdout_path, const char *method)
{
	reset();
	begin("");
	prop_u32("#address-cells", 2);
	prop_u32("#size-cells", 2);
	begin("aliases");
	prop_str("serial0", "/soc/serial@1000");
	prop_str("serial1", "/soc/serial@2000");
	prop_str("relative", "soc");
	end();
	begin("chosen");
	if (stdout_path)
		prop_str("stdout-path", stdout_path);
	end();
	begin("soc");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 1);
	begin("serial@1000");
	prop("compatible", pl011_compat, sizeof(pl011_compat));
	prop_cells("reg", 2, (uint32_t[]){ 0x1000, 0x100 });
	prop_str("status", "disabled");
	end();
	begin("serial@2000");
	prop_str("compatible", "ns16550a");
	prop_cells("reg", 2, (uint32_t[]){ 0x2000, 0x100 });
	prop_u32("reg-shift", 2);
	prop_u32("current-speed", 9600);
	end();
	begin("serial@3000");
	prop("compatible", pl011_compat, sizeof(pl011_compat));
	prop_cells("reg", 2, (uint32_t[]){ 0x3000, 0x100 });
	prop_str("status", "okay");
	end();
	end();
	if (method) {
		begin("psci");
		prop("compatible", "arm,psci-1.0\0arm,psci-0.2", 26);
		prop_str("method", method);
		end();
	}
	end();
	finish();
}

/* A QEMU tree from test/unit/data, in a heap buffer of its exact size. */
static uint8_t *load(const char *name, uint32_t *size)
{
	FILE *f = fopen(name, "rb");
	uint8_t *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 40 && len < (1 << 20));
	rewind(f);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (uint32_t)len;
	return buf;
}

static void test_fdt_qemu_virt_walk(void **state)
{
	uint32_t size;
	uint8_t *blob = load(DATA_DIR "qemu-virt.dtb", &size);
	int depth = 0, node = -1, nodes = 0, max_depth = 0;

	(void)state;
	assert_int_equal(fdt_check(blob, size), FDT_OK);
	while ((node = fdt_next_node(blob, node, &depth)) >= 0) {
		if (nodes++ == 0) {
			assert_int_equal(node, 0);
			assert_int_equal(depth, 0);
			assert_string_equal(fdt_node_name(blob, node), "");
		} else {
			assert_true(depth >= 1);
		}
		max_depth = depth > max_depth ? depth : max_depth;
	}
	assert_int_equal(node, FDT_E_NOTFOUND);
	assert_true(nodes > 20);
	assert_true(max_depth >= 2);
	free(blob);
}

static void test_fdt_qemu_virt_stdout_pl011(void **state)
{
	static const char *const files[] = { DATA_DIR "qemu-virt.dtb",
					     DATA_DIR "qemu-virt-el2.dtb" };
	struct fw_uart u;

	(void)state;
	for (int i = 0; i < 2; i++) {
		uint32_t size;
		uint8_t *blob = load(files[i], &size);

		memset(&u, 0xa5, sizeof(u));
		assert_int_equal(fdt_stdout_uart(blob, size, &u), FDT_OK);
		assert_int_equal(u.type, FW_UART_PL011);
		assert_int_equal(u.raw_type, FW_SPCR_PL011);
		assert_int_equal(u.space, FW_SPACE_MEMORY);
		assert_int_equal(u.base, 0x9000000);
		assert_int_equal(u.reg_shift, 0);
		assert_int_equal(u.baud, 0);
		free(blob);
	}
}

static void test_fdt_qemu_virt_psci(void **state)
{
	uint32_t size;
	uint8_t *virt = load(DATA_DIR "qemu-virt.dtb", &size);
	uint32_t el2_size;
	uint8_t *el2 = load(DATA_DIR "qemu-virt-el2.dtb", &el2_size);
	int hvc = -1;

	(void)state;
	assert_int_equal(fdt_psci(virt, size, &hvc), FDT_OK);
	assert_int_equal(hvc, 1);
	assert_int_equal(fdt_psci(el2, el2_size, &hvc), FDT_OK);
	assert_int_equal(hvc, 0);
	free(virt);
	free(el2);
}

static void test_fdt_qemu_virt_paths_and_reg(void **state)
{
	uint32_t size, ac, sc;
	uint8_t *blob = load(DATA_DIR "qemu-virt.dtb", &size);
	uint64_t addr, len;
	int node, plen;
	const char *path;

	(void)state;
	node = fdt_find_path(blob, "/memory");
	assert_true(node > 0);
	assert_string_equal(fdt_node_name(blob, node), "memory@40000000");
	assert_int_equal(fdt_parent_cells(blob, node, &ac, &sc), FDT_OK);
	assert_int_equal(ac, 2);
	assert_int_equal(sc, 2);
	assert_int_equal(fdt_reg(blob, node, 0, &addr, &len), FDT_OK);
	assert_int_equal(addr, 0x40000000);
	assert_int_equal(len, 0x8000000);
	assert_int_equal(fdt_reg(blob, node, 1, &addr, &len), FDT_E_NOTFOUND);
	path = fdt_get_prop(blob, fdt_find_path(blob, "/chosen"), "stdout-path", &plen);
	assert_non_null(path);
	assert_string_equal(path, "/pl011@9000000");
	assert_int_equal(plen, (int)sizeof("/pl011@9000000"));
	assert_int_equal(fdt_find_path(blob, path), fdt_find_compatible(blob, -1, "arm,pl011"));
	assert_int_equal(fdt_find_compatible(blob, -1, "arm,pl01"), FDT_E_NOTFOUND);
	free(blob);
}

/* The QEMU tree at every alignment, and cut short at every interesting size. */
static void test_fdt_qemu_virt_unaligned_and_truncated(void **state)
{
	uint32_t size;
	uint8_t *blob = load(DATA_DIR "qemu-virt.dtb", &size);
	struct fw_uart u;
	int hvc;

	(void)state;
	for (uint32_t shift = 1; shift < 8; shift += 2) {
		uint8_t *buf = malloc(size + shift);

		assert_non_null(buf);
		memcpy(buf + shift, blob, size);
		assert_int_equal(fdt_stdout_uart(buf + shift, size, &u), FDT_OK);
		assert_int_equal(u.base, 0x9000000);
		assert_int_equal(fdt_psci(buf + shift, size, &hvc), FDT_OK);
		free(buf);
	}
	for (uint32_t cut = 0; cut < size; cut += cut < 64 ? 1 : 997) {
		uint8_t *buf = malloc(cut ? cut : 1);

		memcpy(buf, blob, cut);
		assert_int_equal(fdt_check(buf, cut), FDT_E_TRUNCATED);
		assert_int_equal(fdt_stdout_uart(buf, cut, &u), FDT_E_TRUNCATED);
		free(buf);
	}
	free(blob);
}

static void test_fdt_check_bad_magic(void **state)
{
	(void)state;
	board_tree(NULL, NULL);
	d.blob[3] ^= 1;
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_MAGIC);
	assert_int_equal(fdt_check(NULL, d.size), FDT_E_INVALID);
	assert_int_equal(fdt_check(d.blob, 39), FDT_E_TRUNCATED);
}

static void test_fdt_check_totalsize_past_size(void **state)
{
	(void)state;
	board_tree(NULL, NULL);
	assert_int_equal(fdt_check(d.blob, d.size - 1), FDT_E_TRUNCATED);
	header_set(H_TOTALSIZE, 0x80000000u);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_LAYOUT);
	header_set(H_TOTALSIZE, 39);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_LAYOUT);
}

static void test_fdt_check_version(void **state)
{
	(void)state;
	board_tree(NULL, NULL);
	header_set(H_VERSION, 15);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_VERSION);
	header_set(H_VERSION, 17);
	header_set(H_LAST_COMP, 18);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_VERSION);
	/* Version 16 has no size_dt_struct: the block runs to totalsize. */
	header_set(H_LAST_COMP, 16);
	header_set(H_VERSION, 16);
	header_set(H_SIZE_STRUCT, 0xffffffffu);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_OK);
	assert_true(fdt_find_path(d.blob, "/soc/serial@2000") > 0);
}

static void test_fdt_check_blocks_out_of_range(void **state)
{
	static const struct {
		uint32_t field, value;
	} cases[] = {
		{ H_SIZE_STRUCT, 0xffffffffu },  /* struct block past totalsize */
		{ H_OFF_STRUCT, 0xfffffff0u },   /* offset + size wraps */
		{ H_OFF_STRUCT, 58 },            /* misaligned */
		{ H_OFF_STRUCT, 36 },            /* inside the header */
		{ H_SIZE_STRINGS, 0x10000 },     /* strings block past totalsize */
		{ H_OFF_STRINGS, 0xffffffffu },
		{ H_OFF_RSVMAP, 0xfffffff8u },   /* reserve map outside */
		{ H_OFF_RSVMAP, 8 },             /* reserve map inside the header */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		board_tree(NULL, NULL);
		header_set(cases[i].field, cases[i].value);
		assert_int_equal(fdt_check(d.blob, d.size), FDT_E_LAYOUT);
		assert_int_equal(fdt_next_node(d.blob, -1, NULL), FDT_E_LAYOUT);
	}
}

static void test_fdt_check_prop_length_past_block(void **state)
{
	(void)state;
	begin("");
	w32(PROP);
	w32(0x1000);
	w32(string("reg"));
	w32(0);
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_STRUCT);
	/* A length so large that offset + length wraps. */
	put32(d.blob + 56 + 12, 0xfffffff8u);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_STRUCT);
	/* A property header cut by the end of the block. */
	reset();
	begin("");
	w32(PROP);
	w32(0);
	finish_blob(0);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_STRUCT);
}

static void test_fdt_check_name_offset_out_of_range(void **state)
{
	(void)state;
	begin("");
	w32(PROP);
	w32(0);
	w32(0x100);
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NAME);
	/* An offset inside the block, on a name that runs off its end. */
	reset();
	string("reg");
	memcpy(d.strs + d.strs_len, "abc", 3);
	d.strs_len += 3;
	begin("");
	w32(PROP);
	w32(0);
	w32(4);
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NAME);
	put32(d.blob + 56 + 16, 0); /* nameoff -> "reg": fine */
	assert_int_equal(fdt_check(d.blob, d.size), FDT_OK);
}

static void test_fdt_check_unterminated_node_name(void **state)
{
	(void)state;
	string("compatible"); /* NULs in the strings block right after */
	w32(BEGIN_NODE);
	memcpy(d.st + d.st_len, "abcdefgh", 8);
	d.st_len += 8;
	finish_blob(0);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NAME);
}

static void test_fdt_check_missing_end(void **state)
{
	(void)state;
	begin("");
	begin("a");
	end();
	end();
	finish_blob(0);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NO_END);
}

static void nested(int levels)
{
	reset();
	begin("");
	for (int i = 1; i < levels; i++)
		begin("n");
	for (int i = 0; i < levels; i++)
		end();
	finish_blob(1);
}

static void test_fdt_check_nesting_depth(void **state)
{
	int depth = 0, node = -1, last = -1, max_depth = 0;
	uint32_t ac, sc;

	(void)state;
	nested(FDT_MAX_DEPTH);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_OK);
	while ((node = fdt_next_node(d.blob, node, &depth)) >= 0) {
		last = node;
		max_depth = depth;
	}
	assert_int_equal(max_depth, FDT_MAX_DEPTH - 1);
	assert_int_equal(fdt_parent_cells(d.blob, last, &ac, &sc), FDT_OK);
	nested(FDT_MAX_DEPTH + 1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_DEPTH);
	nested(1000);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_DEPTH);
}

static void test_fdt_check_unbalanced(void **state)
{
	(void)state;
	begin("");
	end();
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NESTING);

	reset();
	begin("");
	begin("open");
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NESTING);

	reset();
	begin("");
	end();
	begin("");
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NESTING);

	reset();
	prop_u32("outside", 1);
	begin("");
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NESTING);

	reset();
	finish_blob(1); /* FDT_END alone: no root */
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_NESTING);

	reset();
	begin("");
	w32(7);
	end();
	finish_blob(1);
	assert_int_equal(fdt_check(d.blob, d.size), FDT_E_BADTAG);
}

static void test_fdt_stdout_skips_disabled(void **state)
{
	struct fw_uart u;

	(void)state;
	board_tree(NULL, NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	/* serial@1000 is disabled: serial@2000 is the first usable one. */
	assert_int_equal(u.type, FW_UART_16550);
	assert_int_equal(u.raw_type, FW_SPCR_16550);
	assert_int_equal(u.base, 0x2000);
	assert_int_equal(u.reg_shift, 2);
	assert_int_equal(u.baud, 9600);
	/* A stdout-path naming the disabled node is passed over too. */
	board_tree("serial0:115200n8", NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	assert_int_equal(u.base, 0x2000);
	assert_int_equal(u.baud, 9600);
}

static void test_fdt_stdout_path_with_options(void **state)
{
	struct fw_uart u;

	(void)state;
	board_tree("/soc/serial@3000:115200n8", NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	assert_int_equal(u.type, FW_UART_PL011);
	assert_int_equal(u.raw_type, FW_SPCR_PL011);
	assert_int_equal(u.space, FW_SPACE_MEMORY);
	assert_int_equal(u.base, 0x3000);
	assert_int_equal(u.baud, 115200);
	board_tree("/soc/serial@3000:", NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	assert_int_equal(u.base, 0x3000);
	assert_int_equal(u.baud, 0);
	board_tree("/soc/serial@3000:99999999999n8", NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	assert_int_equal(u.baud, 0);
}

static void test_fdt_stdout_path_via_alias(void **state)
{
	struct fw_uart u;

	(void)state;
	board_tree("serial1:57600n8", NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	assert_int_equal(u.type, FW_UART_16550);
	assert_int_equal(u.base, 0x2000);
	assert_int_equal(u.baud, 57600); /* the options win over current-speed */
	board_tree("serial1", NULL);
	assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
	assert_int_equal(u.base, 0x2000);
	assert_int_equal(u.baud, 9600);
}

static void test_fdt_stdout_path_unresolvable_falls_back(void **state)
{
	static const char *const paths[] = { "/nonexistent", "nosuchalias:9600", "relative",
					     "/soc", ":115200", "" };
	struct fw_uart u;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		board_tree(paths[i], NULL);
		assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
		assert_int_equal(u.base, 0x2000);
		assert_int_equal(u.baud, 9600);
	}
}

static void test_fdt_stdout_uart_kinds(void **state)
{
	static const struct {
		const char *compatible;
		uint32_t type, raw;
	} kinds[] = {
		{ "arm,sbsa-uart", FW_UART_PL011, FW_SPCR_SBSA },
		{ "ns16550", FW_UART_16550, FW_SPCR_16550 },
		{ "snps,dw-apb-uart", 0, 0 },
	};
	struct fw_uart u;

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		reset();
		begin("");
		begin("uart@fe001000");
		prop_str("compatible", kinds[i].compatible);
		prop_cells("reg", 4, (uint32_t[]){ 0x1, 0xfe001000, 0, 0x1000 });
		prop_str("status", "ok");
		end();
		end();
		finish();
		if (!kinds[i].type) {
			assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_E_NOTFOUND);
			continue;
		}
		assert_int_equal(fdt_stdout_uart(d.blob, d.size, &u), FDT_OK);
		assert_int_equal(u.type, kinds[i].type);
		assert_int_equal(u.raw_type, kinds[i].raw);
		assert_int_equal(u.base, 0x1fe001000ull);
		assert_int_equal(u.reg_shift, 0);
	}
}

static void test_fdt_find_compatible_matches_whole_entries(void **state)
{
	int a, b;

	(void)state;
	begin("");
	begin("a");
	prop("compatible", "arm,pl011x\0arm,primecell", 25);
	end();
	begin("b");
	prop("compatible", "vendor,uart\0arm,pl011", 21); /* last entry unterminated */
	end();
	begin("c");
	prop("compatible", "vendor,uart\0arm,pl011", 22);
	end();
	end();
	finish();
	a = fdt_find_path(d.blob, "/a");
	b = fdt_find_path(d.blob, "/c");
	assert_true(a > 0 && b > a);
	assert_int_equal(fdt_find_compatible(d.blob, -1, "arm,pl011"), b);
	assert_int_equal(fdt_find_compatible(d.blob, -1, "arm,primecell"), a);
	assert_int_equal(fdt_find_compatible(d.blob, a, "arm,primecell"), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_compatible(d.blob, -1, "vendor,uart"),
			 fdt_find_path(d.blob, "/b"));
	assert_int_equal(fdt_find_compatible(d.blob, -1, "arm"), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_compatible(d.blob, -1, ""), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_compatible(d.blob, -1, NULL), FDT_E_INVALID);
}

static void test_fdt_find_path(void **state)
{
	int s1, s2, s3, soc;

	(void)state;
	board_tree(NULL, NULL);
	soc = fdt_find_path(d.blob, "/soc");
	s1 = fdt_find_path(d.blob, "/soc/serial@1000");
	s2 = fdt_find_path(d.blob, "/soc/serial@2000");
	s3 = fdt_find_path(d.blob, "/soc/serial@3000");
	assert_true(soc > 0 && s1 > soc && s2 > s1 && s3 > s2);
	assert_int_equal(fdt_find_path(d.blob, "/"), 0);
	assert_int_equal(fdt_find_path(d.blob, "/soc/serial"), s1); /* unit address left out */
	assert_int_equal(fdt_find_path(d.blob, "//soc//serial@3000/"), s3);
	assert_int_equal(fdt_find_path(d.blob, "serial1"), s2);
	assert_int_equal(fdt_find_path(d.blob, "/soc/serial@4000"), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_path(d.blob, "/soc/serial@"), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_path(d.blob, "/serial@2000"), FDT_E_NOTFOUND); /* not a child */
	assert_int_equal(fdt_find_path(d.blob, "/so"), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_path(d.blob, ""), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_path(d.blob, "nosuch"), FDT_E_NOTFOUND);
	assert_int_equal(fdt_find_path(d.blob, "relative"), FDT_E_BADVALUE);
	assert_int_equal(fdt_find_path(d.blob, NULL), FDT_E_INVALID);
	assert_string_equal(fdt_node_name(d.blob, s2), "serial@2000");
}

static void test_fdt_parent_cells_and_reg(void **state)
{
	uint64_t addr, size;
	uint32_t ac, sc;
	int dev, wide, zero, odd, root;

	(void)state;
	begin("");
	begin("dev@10");
	prop_cells("reg", 6, (uint32_t[]){ 0, 0x10, 0x20, 1, 0x40, 0x50 });
	end();
	begin("wide");
	prop_u32("#address-cells", 3);
	begin("x");
	prop_cells("reg", 4, (uint32_t[]){ 1, 2, 3, 4 });
	end();
	end();
	begin("zero");
	prop_u32("#address-cells", 0);
	begin("x");
	end();
	end();
	begin("odd");
	prop("#size-cells", "\0\0\0\0\0\0\0\1", 8);
	begin("x");
	end();
	end();
	end();
	finish();
	root = fdt_find_path(d.blob, "/");
	dev = fdt_find_path(d.blob, "/dev");
	wide = fdt_find_path(d.blob, "/wide/x");
	zero = fdt_find_path(d.blob, "/zero/x");
	odd = fdt_find_path(d.blob, "/odd/x");
	assert_int_equal(fdt_parent_cells(d.blob, dev, &ac, &sc), FDT_OK);
	assert_int_equal(ac, 2); /* the defaults */
	assert_int_equal(sc, 1);
	assert_int_equal(fdt_reg(d.blob, dev, 0, &addr, &size), FDT_OK);
	assert_int_equal(addr, 0x10);
	assert_int_equal(size, 0x20);
	assert_int_equal(fdt_reg(d.blob, dev, 1, &addr, NULL), FDT_OK);
	assert_int_equal(addr, 0x100000040ull);
	assert_int_equal(fdt_reg(d.blob, dev, 2, &addr, &size), FDT_E_NOTFOUND);
	assert_int_equal(fdt_reg(d.blob, root, 0, &addr, &size), FDT_E_BADOFFSET);
	assert_int_equal(fdt_parent_cells(d.blob, wide, &ac, &sc), FDT_OK);
	assert_int_equal(ac, 3);
	assert_int_equal(fdt_reg(d.blob, wide, 0, &addr, &size), FDT_E_BADCELLS);
	assert_int_equal(fdt_parent_cells(d.blob, zero, &ac, &sc), FDT_E_BADCELLS);
	assert_int_equal(fdt_parent_cells(d.blob, odd, &ac, &sc), FDT_E_BADCELLS);
	assert_int_equal(fdt_reg(d.blob, fdt_find_path(d.blob, "/wide"), 0, &addr, &size),
			 FDT_E_NOTFOUND); /* no reg */
	assert_int_equal(fdt_parent_cells(d.blob, dev + 4, &ac, &sc), FDT_E_BADOFFSET);
	assert_int_equal(fdt_parent_cells(d.blob, dev, NULL, &sc), FDT_E_INVALID);
}

static void test_fdt_get_prop_and_bad_offsets(void **state)
{
	const uint8_t *v;
	int len, soc, prop_offset;

	(void)state;
	board_tree(NULL, NULL);
	soc = fdt_find_path(d.blob, "/soc");
	v = fdt_get_prop(d.blob, soc, "#size-cells", &len);
	assert_non_null(v);
	assert_int_equal(len, 4);
	assert_int_equal(get32(v), 1);
	assert_null(fdt_get_prop(d.blob, soc, "reg", &len));
	assert_int_equal(len, FDT_E_NOTFOUND);
	/* Properties of a child are not the parent's. */
	assert_null(fdt_get_prop(d.blob, soc, "compatible", &len));
	assert_int_equal(len, FDT_E_NOTFOUND);
	prop_offset = soc + 8; /* after BEGIN_NODE "soc\0": the first property's token */
	assert_int_equal(get32(d.blob + 56 + prop_offset), PROP);
	assert_null(fdt_node_name(d.blob, prop_offset));
	/* Every offset but a BEGIN_NODE (or a value that looks like one) is refused. */
	for (int offset = -4; offset < (int)d.size + 8; offset += 1) {
		if (offset >= 0 && offset % 4 == 0 && (uint32_t)offset + 4 <= d.st_len &&
		    get32(d.blob + 56 + offset) == BEGIN_NODE)
			continue;
		assert_null(fdt_get_prop(d.blob, offset, "reg", &len));
		assert_true(len == FDT_E_BADOFFSET);
		assert_null(fdt_node_name(d.blob, offset));
	}
	assert_null(fdt_get_prop(d.blob, soc, NULL, &len));
	assert_int_equal(len, FDT_E_INVALID);
	assert_null(fdt_get_prop(NULL, soc, "reg", NULL));
}

static void test_fdt_next_node_depth(void **state)
{
	static const int expect_depth[] = { 0, 1, 2, 2, 3, 1 };
	static const char *const expect_name[] = { "", "a", "b", "c", "d", "e" };
	int depth = 0, node = -1, i = 0, sub_depth = 0;

	(void)state;
	begin("");
	begin("a");
	begin("b");
	end();
	begin("c");
	begin("d");
	end();
	end();
	end();
	w32(4); /* NOP */
	begin("e");
	end();
	end();
	finish();
	while ((node = fdt_next_node(d.blob, node, &depth)) >= 0) {
		assert_true(i < 6);
		assert_int_equal(depth, expect_depth[i]);
		assert_string_equal(fdt_node_name(d.blob, node), expect_name[i]);
		i++;
	}
	assert_int_equal(i, 6);
	/* From "c": "d" one level down, then "e" one level above "c". */
	node = fdt_find_path(d.blob, "/a/c");
	node = fdt_next_node(d.blob, node, &sub_depth);
	assert_int_equal(sub_depth, 1);
	node = fdt_next_node(d.blob, node, &sub_depth);
	assert_int_equal(sub_depth, -1);
	assert_string_equal(fdt_node_name(d.blob, node), "e");
	assert_int_equal(fdt_next_node(d.blob, node, NULL), FDT_E_NOTFOUND);
}

static void test_fdt_psci_methods(void **state)
{
	int hvc = -1;

	(void)state;
	board_tree(NULL, "hvc");
	assert_int_equal(fdt_psci(d.blob, d.size, &hvc), FDT_OK);
	assert_int_equal(hvc, 1);
	board_tree(NULL, "smc");
	assert_int_equal(fdt_psci(d.blob, d.size, &hvc), FDT_OK);
	assert_int_equal(hvc, 0);
	board_tree(NULL, "svc");
	assert_int_equal(fdt_psci(d.blob, d.size, &hvc), FDT_E_BADVALUE);
	board_tree(NULL, NULL);
	assert_int_equal(fdt_psci(d.blob, d.size, &hvc), FDT_E_NOTFOUND);
	assert_int_equal(fdt_psci(d.blob, d.size, NULL), FDT_E_INVALID);

	/* "arm,psci" (0.1) counts; a disabled node does not. */
	reset();
	begin("");
	begin("psci-off");
	prop_str("compatible", "arm,psci-0.2");
	prop_str("method", "smc");
	prop_str("status", "disabled");
	end();
	begin("psci");
	prop_str("compatible", "arm,psci");
	prop_str("method", "hvc");
	end();
	end();
	finish();
	assert_int_equal(fdt_psci(d.blob, d.size, &hvc), FDT_OK);
	assert_int_equal(hvc, 1);
}

static void test_fdt_strerror(void **state)
{
	(void)state;
	for (int e = FDT_OK; e > FDT_E_COUNT; e--) {
		assert_string_not_equal(fdt_strerror(e), "unknown device tree error");
		for (int f = FDT_OK; f > e; f--)
			assert_string_not_equal(fdt_strerror(e), fdt_strerror(f));
	}
	assert_string_equal(fdt_strerror(FDT_E_COUNT), "unknown device tree error");
	assert_string_equal(fdt_strerror(3), "unknown device tree error");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fdt_qemu_virt_walk),
		T(test_fdt_qemu_virt_stdout_pl011),
		T(test_fdt_qemu_virt_psci),
		T(test_fdt_qemu_virt_paths_and_reg),
		T(test_fdt_qemu_virt_unaligned_and_truncated),
		T(test_fdt_check_bad_magic),
		T(test_fdt_check_totalsize_past_size),
		T(test_fdt_check_version),
		T(test_fdt_check_blocks_out_of_range),
		T(test_fdt_check_prop_length_past_block),
		T(test_fdt_check_name_offset_out_of_range),
		T(test_fdt_check_unterminated_node_name),
		T(test_fdt_check_missing_end),
		T(test_fdt_check_nesting_depth),
		T(test_fdt_check_unbalanced),
		T(test_fdt_stdout_skips_disabled),
		T(test_fdt_stdout_path_with_options),
		T(test_fdt_stdout_path_via_alias),
		T(test_fdt_stdout_path_unresolvable_falls_back),
		T(test_fdt_stdout_uart_kinds),
		T(test_fdt_find_compatible_matches_whole_entries),
		T(test_fdt_find_path),
		T(test_fdt_parent_cells_and_reg),
		T(test_fdt_get_prop_and_bad_offsets),
		T(test_fdt_next_node_depth),
		T(test_fdt_psci_methods),
		T(test_fdt_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
