/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/fdt.c: QEMU's own device trees (test/unit/data, dumped with
 * "qemu-system-aarch64 -M virt[,gic-version=N][,virtualization=on],dumpdtb=..."
 * [-smp 4] and packed to their content), and hand-built blobs for each class of
 * malformed input.
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
	uint8_t b[128];

	assert_true(n <= 32);
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

static void assert_irq(const struct fw_irq *irq, uint32_t intid, uint8_t trigger,
		       uint8_t polarity)
{
	assert_int_equal(irq->intid, intid);
	assert_int_equal(irq->trigger, trigger);
	assert_int_equal(irq->polarity, polarity);
}

/* The four CPUs of QEMU's -smp 4 trees: MPIDR 0-3, started through PSCI. */
static void assert_qemu_cpus(const uint8_t *blob)
{
	struct fw_cpu cpu;
	int node = -1, n = 0;

	while ((node = fdt_next_cpu(blob, node, &cpu)) >= 0) {
		assert_int_equal(cpu.hw_id, n);
		assert_int_equal(cpu.flags, FW_CPU_ENABLED);
		assert_int_equal(cpu.start, FW_CPU_START_PSCI);
		assert_int_equal(cpu.acpi_uid, FW_CPU_NO_UID);
		n++;
	}
	assert_int_equal(node, FDT_E_NOTFOUND);
	assert_int_equal(n, 4);
}

static void assert_qemu_timer_and_ecam(const uint8_t *blob)
{
	struct fw_arm_timer t;
	struct fw_ecam e;
	struct fw_range r;

	memset(&t, 0xa5, sizeof(t));
	assert_int_equal(fdt_timer(blob, &t), FDT_OK);
	assert_irq(&t.secure_phys, 29, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&t.phys, 30, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&t.virt, 27, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&t.hyp_phys, 26, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_int_equal(t.hyp_virt.intid, 0);
	assert_int_equal(t.always_on, 1);
	assert_int_equal(t.cnt_control_base, 0);
	assert_int_equal(fdt_ecam(blob, 0, &e), FDT_OK);
	assert_int_equal(e.base, 0x4010000000ull);
	assert_int_equal(e.segment, 0);
	assert_int_equal(e.bus_start, 0);
	assert_int_equal(e.bus_end, 255);
	assert_int_equal(fdt_ecam(blob, 1, &e), FDT_E_NOTFOUND);
	assert_int_equal(fdt_memory(blob, 0, &r), FDT_OK);
	assert_int_equal(r.base, 0x40000000);
	assert_int_equal(r.size, 512u << 20);
	assert_int_equal(fdt_memory(blob, 1, &r), FDT_E_NOTFOUND);
}

static void test_fdt_qemu_virt_gicv2_smp4(void **state)
{
	uint32_t size;
	uint8_t *blob = load(DATA_DIR "qemu-virt-gicv2-smp4.dtb", &size);
	struct fw_gic g;

	(void)state;
	assert_int_equal(fdt_check(blob, size), FDT_OK);
	assert_qemu_cpus(blob);
	memset(&g, 0xa5, sizeof(g));
	assert_int_equal(fdt_gic(blob, &g), FDT_OK);
	assert_int_equal(g.version, 2);
	assert_int_equal(g.gicd, 0x08000000);
	assert_int_equal(g.gicc, 0x08010000);
	assert_int_equal(g.gich, 0);
	assert_int_equal(g.gicv, 0);
	assert_int_equal(g.gicr_count, 0);
	assert_int_equal(g.its_count, 0); /* a v2m frame is no ITS */
	assert_int_equal(g.v2m_count, 1);
	assert_int_equal(g.v2m[0].base, 0x08020000);
	assert_int_equal(g.v2m[0].spi_base, 0); /* no arm,msi-base-spi: MSI_TYPER says */
	assert_int_equal(g.v2m[0].spi_count, 0);
	assert_int_equal(g.maintenance.intid, 0);
	assert_qemu_timer_and_ecam(blob);
	free(blob);
}

static void test_fdt_qemu_virt_gicv3_smp4(void **state)
{
	static const char *const files[] = { DATA_DIR "qemu-virt-gicv3-smp4.dtb",
					     DATA_DIR "qemu-virt-gicv3-el2-smp4.dtb" };
	struct fw_gic g;

	(void)state;
	for (int el2 = 0; el2 < 2; el2++) {
		uint32_t size;
		uint8_t *blob = load(files[el2], &size);

		assert_int_equal(fdt_check(blob, size), FDT_OK);
		assert_qemu_cpus(blob);
		assert_int_equal(fdt_gic(blob, &g), FDT_OK);
		assert_int_equal(g.version, 3);
		assert_int_equal(g.gicd, 0x08000000);
		assert_int_equal(g.gicr_count, 1);
		assert_int_equal(g.gicr[0].base, 0x080a0000);
		assert_int_equal(g.gicr[0].size, 0xf60000);
		assert_int_equal(g.gicc, 0);
		assert_int_equal(g.its_count, 1);
		assert_int_equal(g.its[0], 0x08080000);
		if (el2)
			assert_irq(&g.maintenance, 25, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
		else
			assert_int_equal(g.maintenance.intid, 0);
		assert_qemu_timer_and_ecam(blob);
		free(blob);
	}
}

/* The GICv2 with virtualization of the one-CPU EL2 tree: GICH, GICV, maintenance PPI 9. */
static void test_fdt_qemu_virt_el2_gicv2(void **state)
{
	uint32_t size;
	uint8_t *blob = load(DATA_DIR "qemu-virt-el2.dtb", &size);
	struct fw_gic g;
	struct fw_cpu cpu;

	(void)state;
	assert_int_equal(fdt_gic(blob, &g), FDT_OK);
	assert_int_equal(g.version, 2);
	assert_int_equal(g.gicc, 0x08010000);
	assert_int_equal(g.gich, 0x08030000);
	assert_int_equal(g.gicv, 0x08040000);
	assert_irq(&g.maintenance, 25, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_true(fdt_next_cpu(blob, -1, &cpu) > 0);
	assert_int_equal(cpu.hw_id, 0);
	free(blob);
}

/*
 * / { #address-cells = <2>; #size-cells = <2>; [interrupt-parent = <root_parent>;]
 *     intc@8000000 { compatible; interrupt-controller; #interrupt-cells = <3>;
 *                    phandle = <1>; reg = <gic_reg...>; }
 *     timer { compatible = "arm,armv8-timer"; [interrupts = <timer...>;] }
 */
struct gic_tree {
	const char *compat;
	uint32_t root_parent;     /* 0: no interrupt-parent */
	const uint32_t *reg;      /* cells, 4 per (address, size) */
	uint32_t reg_cells;
	int32_t regions;          /* #redistributor-regions; -1: absent */
	uint32_t interrupt_cells; /* of the GIC */
	const uint32_t *timer;    /* the timer's interrupts; NULL: none */
	uint32_t timer_cells;
	const uint32_t *maint;    /* the GIC's own interrupts; NULL: none */
};

static const uint32_t v2_reg[] = { 0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000 };
static const uint32_t qemu_timer[] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 };

static void gic_tree(const struct gic_tree *t)
{
	reset();
	begin("");
	prop_u32("#address-cells", 2);
	prop_u32("#size-cells", 2);
	if (t->root_parent)
		prop_u32("interrupt-parent", t->root_parent);
	begin("intc@8000000");
	prop_str("compatible", t->compat);
	prop("interrupt-controller", "", 0);
	prop_u32("#interrupt-cells", t->interrupt_cells);
	prop_u32("phandle", 1);
	if (t->reg_cells)
		prop_cells("reg", t->reg_cells, t->reg);
	if (t->regions >= 0)
		prop_u32("#redistributor-regions", (uint32_t)t->regions);
	if (t->maint)
		prop_cells("interrupts", 3, t->maint);
	end();
	begin("timer");
	prop_str("compatible", "arm,armv8-timer");
	if (t->timer)
		prop_cells("interrupts", t->timer_cells, t->timer);
	end();
	end();
	finish();
}

static const struct gic_tree v2_tree = { "arm,gic-400", 1, v2_reg, 8, -1, 3, qemu_timer, 12,
					 NULL };

static int timer_with(const uint32_t *cells, uint32_t n, struct fw_arm_timer *out)
{
	struct gic_tree t = v2_tree;

	t.timer = cells;
	t.timer_cells = n;
	gic_tree(&t);
	memset(out, 0xa5, sizeof(*out));
	return fdt_timer(d.blob, out);
}

static void test_fdt_timer_specifiers(void **state)
{
	static const uint32_t five[] = { 1, 13, 8, 1, 14, 1, 1, 11, 2, 1, 10, 0, 3, 4, 4 };
	static const uint32_t eppi[] = { 1, 13, 4, 3, 63, 4 };
	struct fw_arm_timer t;

	(void)state;
	assert_int_equal(timer_with(five, 15, &t), FDT_OK);
	assert_irq(&t.secure_phys, 29, FW_TRIGGER_LEVEL, FW_POLARITY_LOW);
	assert_irq(&t.phys, 30, FW_TRIGGER_EDGE, FW_POLARITY_HIGH);
	assert_irq(&t.virt, 27, FW_TRIGGER_EDGE, FW_POLARITY_LOW);
	assert_irq(&t.hyp_phys, 26, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS);
	assert_irq(&t.hyp_virt, 1060, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH); /* extended PPI 4 */
	assert_int_equal(t.always_on, 0);
	assert_int_equal(timer_with(eppi, 6, &t), FDT_OK);
	assert_int_equal(t.phys.intid, 1119);
	assert_int_equal(t.virt.intid, 0);
}

static void test_fdt_timer_bad_specifiers(void **state)
{
	static const struct {
		uint32_t cells[18];
		uint32_t n;
	} bad[] = {
		{ { 1, 13, 4 }, 3 },                                   /* one interrupt only */
		{ { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4, 1, 9, 4, 1, 8, 4 }, 18 }, /* six */
		{ { 1, 13, 4, 1, 14, 4, 1, 11 }, 8 },                  /* a partial specifier */
		{ { 1, 13, 4, 0, 14, 4 }, 6 },                         /* an SPI */
		{ { 1, 13, 4, 2, 14, 4 }, 6 },                         /* an extended SPI */
		{ { 1, 13, 4, 4, 14, 4 }, 6 },                         /* type 4: none such */
		{ { 1, 16, 4, 1, 14, 4 }, 6 },                         /* PPI 16: past the 16 */
		{ { 3, 64, 4, 1, 14, 4 }, 6 },                         /* extended PPI 64 */
		{ { 1, 13, 3, 1, 14, 4 }, 6 },                         /* both edges */
		{ { 1, 13, 0x14, 1, 14, 4 }, 6 },                      /* an undefined flag */
		{ { 0 }, 0 },                                          /* empty interrupts */
	};
	struct fw_arm_timer t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(timer_with(bad[i].cells, bad[i].n, &t), FDT_E_BADVALUE);
		assert_int_equal(t.phys.intid, 0); /* nothing half-filled */
	}
	/* Without "interrupts" the timer node is malformed too. */
	assert_int_equal(timer_with(NULL, 0, &t), FDT_E_BADVALUE);
}

static void test_fdt_timer_interrupt_parent(void **state)
{
	struct gic_tree t = v2_tree;
	struct fw_arm_timer timer;

	(void)state;
	/* No interrupt-parent anywhere; a phandle nothing has; the reserved ones. */
	t.root_parent = 0;
	gic_tree(&t);
	assert_int_equal(fdt_timer(d.blob, &timer), FDT_E_BADVALUE);
	t.root_parent = 2;
	gic_tree(&t);
	assert_int_equal(fdt_timer(d.blob, &timer), FDT_E_BADVALUE);
	t.root_parent = 0xffffffff;
	gic_tree(&t);
	assert_int_equal(fdt_timer(d.blob, &timer), FDT_E_BADVALUE);
	/* A GIC with #interrupt-cells = <2>, or <4> (its first three cells are used). */
	t = v2_tree;
	t.interrupt_cells = 2;
	gic_tree(&t);
	assert_int_equal(fdt_timer(d.blob, &timer), FDT_E_BADVALUE);
	t.interrupt_cells = 4;
	t.timer = (const uint32_t[]){ 1, 14, 4, 0, 1, 11, 4, 0 };
	t.timer_cells = 8;
	gic_tree(&t);
	assert_int_equal(fdt_timer(d.blob, &timer), FDT_OK);
	assert_int_equal(timer.secure_phys.intid, 30);
	assert_int_equal(timer.phys.intid, 27);
	/* A parent that is not a GIC. */
	t = v2_tree;
	t.compat = "vendor,intc";
	gic_tree(&t);
	assert_int_equal(fdt_timer(d.blob, &timer), FDT_E_BADVALUE);
}

/* The timer's own interrupt-parent wins over its ancestors', and linux,phandle counts. */
static void test_fdt_interrupt_parent_nearest(void **state)
{
	struct fw_arm_timer t;

	(void)state;
	reset();
	begin("");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 1);
	prop_u32("interrupt-parent", 5); /* a controller that is no GIC */
	begin("pic");
	prop_str("compatible", "vendor,pic");
	prop("interrupt-controller", "", 0);
	prop_u32("#interrupt-cells", 3);
	prop_u32("phandle", 5);
	end();
	begin("gic@1000");
	prop_str("compatible", "arm,cortex-a15-gic");
	prop("interrupt-controller", "", 0);
	prop_u32("#interrupt-cells", 3);
	prop_u32("linux,phandle", 7);
	prop_cells("reg", 4, (uint32_t[]){ 0x1000, 0x1000, 0x2000, 0x2000 });
	end();
	begin("soc");
	prop_u32("interrupt-parent", 7);
	begin("timer");
	prop_str("compatible", "arm,armv7-timer");
	prop_cells("interrupts", 12, qemu_timer);
	prop("always-on", "", 0);
	end();
	end();
	end();
	finish();
	assert_int_equal(fdt_timer(d.blob, &t), FDT_OK);
	assert_int_equal(t.phys.intid, 30);
	assert_int_equal(t.always_on, 1);
}

static int gic_with(const char *compat, const uint32_t *reg, uint32_t cells, int32_t regions,
		    struct fw_gic *out)
{
	struct gic_tree t = v2_tree;

	t.compat = compat;
	t.reg = reg;
	t.reg_cells = cells;
	t.regions = regions;
	gic_tree(&t);
	memset(out, 0xa5, sizeof(*out));
	return fdt_gic(d.blob, out);
}

static void test_fdt_gic_v3_regions(void **state)
{
	static const uint32_t reg[] = {
		0, 0x2f000000, 0, 0x10000,   /* GICD */
		0, 0x2f100000, 0, 0x100000,  /* GICR 0 */
		1, 0x00000000, 0, 0x200000,  /* GICR 1 */
		0, 0x2c000000, 0, 0x2000,    /* GICC */
		0, 0x2c010000, 0, 0x2000,    /* GICH */
		0, 0x2c02f000, 0, 0x2000,    /* GICV */
	};
	struct fw_gic g;

	(void)state;
	assert_int_equal(gic_with("arm,gic-v3", reg, 24, 2, &g), FDT_OK);
	assert_int_equal(g.version, 3);
	assert_int_equal(g.gicd, 0x2f000000);
	assert_int_equal(g.gicr_count, 2);
	assert_int_equal(g.gicr[1].base, 0x100000000ull);
	assert_int_equal(g.gicr[1].size, 0x200000);
	assert_int_equal(g.gicc, 0x2c000000);
	assert_int_equal(g.gich, 0x2c010000);
	assert_int_equal(g.gicv, 0x2c02f000);
	/* One region by default: then the second GICR is taken for the GICC. */
	assert_int_equal(gic_with("arm,gic-v3", reg, 24, -1, &g), FDT_OK);
	assert_int_equal(g.gicr_count, 1);
	assert_int_equal(g.gicc, 0x100000000ull);
	/* More regions than reg holds; none; GICD alone. */
	assert_int_equal(gic_with("arm,gic-v3", reg, 24, 6, &g), FDT_E_BADVALUE);
	assert_int_equal(gic_with("arm,gic-v3", reg, 24, 0, &g), FDT_E_BADVALUE);
	assert_int_equal(gic_with("arm,gic-v3", reg, 4, -1, &g), FDT_E_BADVALUE);
}

static void test_fdt_gic_missing_frames(void **state)
{
	static const char *const v2[] = { "arm,gic-400", "arm,cortex-a15-gic", "arm,gic-v2",
					  "arm,cortex-a7-gic", "arm,pl390" };
	struct gic_tree t = v2_tree;
	struct fw_gic g;

	(void)state;
	for (size_t i = 0; i < sizeof(v2) / sizeof(v2[0]); i++) {
		assert_int_equal(gic_with(v2[i], v2_reg, 8, -1, &g), FDT_OK);
		assert_int_equal(g.version, 2);
		assert_int_equal(g.gicc, 0x08010000);
	}
	/* No reg at all; a GICD without a GICC; a reg of the wrong size. */
	assert_int_equal(gic_with("arm,gic-400", v2_reg, 0, -1, &g), FDT_E_BADVALUE);
	assert_int_equal(gic_with("arm,gic-400", v2_reg, 4, -1, &g), FDT_E_BADVALUE);
	assert_int_equal(gic_with("arm,gic-400", v2_reg, 3, -1, &g), FDT_E_BADVALUE);
	/* An unknown controller is no GIC at all. */
	assert_int_equal(gic_with("arm,gic-v5", v2_reg, 8, -1, &g), FDT_E_NOTFOUND);
	/* A bad maintenance interrupt (an SPI number past the range). */
	t.maint = (const uint32_t[]){ 0, 988, 4 };
	gic_tree(&t);
	assert_int_equal(fdt_gic(d.blob, &g), FDT_E_BADVALUE);
	t.maint = (const uint32_t[]){ 0, 987, 1 };
	gic_tree(&t);
	assert_int_equal(fdt_gic(d.blob, &g), FDT_OK);
	assert_irq(&g.maintenance, 1019, FW_TRIGGER_EDGE, FW_POLARITY_HIGH);
}

/* Two GICs: the root's interrupt-parent names the primary; a disabled one is skipped. */
static void test_fdt_gic_primary(void **state)
{
	struct fw_gic g;

	(void)state;
	for (int root_parent = 0; root_parent <= 2; root_parent++) {
		reset();
		begin("");
		prop_u32("#address-cells", 1);
		prop_u32("#size-cells", 1);
		if (root_parent)
			prop_u32("interrupt-parent", (uint32_t)root_parent);
		begin("gic@1000");
		prop_str("compatible", "arm,gic-400");
		prop("interrupt-controller", "", 0);
		prop_u32("phandle", 1);
		prop_cells("reg", 4, (uint32_t[]){ 0x1000, 0x1000, 0x2000, 0x2000 });
		if (root_parent == 2)
			prop_str("status", "disabled");
		end();
		begin("gic@5000");
		prop_str("compatible", "arm,gic-v3");
		prop("interrupt-controller", "", 0);
		prop_u32("phandle", 2);
		prop_cells("reg", 4, (uint32_t[]){ 0x5000, 0x1000, 0x6000, 0x20000 });
		end();
		end();
		finish();
		assert_int_equal(fdt_gic(d.blob, &g), FDT_OK);
		assert_int_equal(g.gicd, root_parent == 2 ? 0x5000 : 0x1000);
	}
}

static void cpu(const char *name, const uint32_t *reg, uint32_t cells, const char *status,
		const char *method)
{
	begin(name);
	prop_str("device_type", "cpu");
	if (reg)
		prop_cells("reg", cells, reg);
	if (status)
		prop_str("status", status);
	if (method)
		prop_str("enable-method", method);
	if (method && strcmp(method, "spin-table") == 0)
		prop_cells("cpu-release-addr", 2, (uint32_t[]){ 0x1, 0x8000fff8 });
	end();
}

static void test_fdt_cpus_variants(void **state)
{
	struct fw_cpu c;
	int node;

	(void)state;
	reset();
	begin("");
	begin("cpus");
	prop_u32("#address-cells", 2);
	prop_u32("#size-cells", 0);
	begin("cpu-map");
	begin("cluster0");
	end();
	end();
	cpu("cpu@0", (uint32_t[]){ 0, 0 }, 2, "okay", "psci");
	begin("l2-cache0");
	prop_str("compatible", "cache");
	end();
	cpu("cpu@100000000", (uint32_t[]){ 1, 0x0 }, 2, "disabled", "spin-table");
	cpu("cpu@2", (uint32_t[]){ 0, 2 }, 2, "fail", NULL);
	cpu("cpu@3", (uint32_t[]){ 0, 3 }, 2, NULL, "vendor,method");
	end();
	end();
	finish();
	node = fdt_next_cpu(d.blob, -1, &c);
	assert_true(node > 0);
	assert_int_equal(c.hw_id, 0);
	assert_int_equal(c.flags, FW_CPU_ENABLED);
	assert_int_equal(c.start, FW_CPU_START_PSCI);
	node = fdt_next_cpu(d.blob, node, &c);
	assert_int_equal(c.hw_id, 0x100000000ull);
	assert_int_equal(c.flags, FW_CPU_ONLINE_CAPABLE);
	assert_int_equal(c.start, FW_CPU_START_SPIN_TABLE);
	assert_int_equal(c.start_addr, 0x18000fff8ull);
	node = fdt_next_cpu(d.blob, node, &c);
	assert_int_equal(c.hw_id, 2);
	assert_int_equal(c.flags, 0);
	node = fdt_next_cpu(d.blob, node, &c);
	assert_int_equal(c.hw_id, 3);
	assert_int_equal(c.flags, FW_CPU_ENABLED);
	assert_int_equal(c.start, FW_CPU_START_NONE);
	assert_int_equal(fdt_next_cpu(d.blob, node, &c), FDT_E_NOTFOUND);
	assert_int_equal(fdt_next_cpu(d.blob, -1, NULL), FDT_E_INVALID);
}

static void test_fdt_cpus_errors(void **state)
{
	struct fw_cpu c;
	int node;

	(void)state;
	/* A CPU without reg, after a good one. */
	reset();
	begin("");
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	cpu("cpu@0", (uint32_t[]){ 0 }, 1, NULL, "psci");
	cpu("cpu@1", NULL, 0, NULL, "psci");
	end();
	end();
	finish();
	node = fdt_next_cpu(d.blob, -1, &c);
	assert_true(node > 0);
	assert_int_equal(fdt_next_cpu(d.blob, node, &c), FDT_E_BADVALUE);
	/* A spin-table without its release address; then no /cpus at all. */
	reset();
	begin("");
	begin("cpus");
	prop_u32("#address-cells", 1);
	prop_u32("#size-cells", 0);
	begin("cpu@0");
	prop_str("device_type", "cpu");
	prop_u32("reg", 0);
	prop_str("enable-method", "spin-table");
	end();
	end();
	end();
	finish();
	assert_int_equal(fdt_next_cpu(d.blob, -1, &c), FDT_E_BADVALUE);
	board_tree(NULL, NULL);
	assert_int_equal(fdt_next_cpu(d.blob, -1, &c), FDT_E_NOTFOUND);
}

static void test_fdt_memory_nodes(void **state)
{
	struct fw_range r;

	(void)state;
	reset();
	begin("");
	prop_u32("#address-cells", 2);
	prop_u32("#size-cells", 1);
	begin("memory@80000000");
	prop_str("device_type", "memory");
	prop_cells("reg", 6, (uint32_t[]){ 0, 0x80000000, 0x10000000, 8, 0, 0x40000000 });
	end();
	begin("memory@100000000");
	prop_str("device_type", "memory");
	prop_str("status", "disabled");
	prop_cells("reg", 3, (uint32_t[]){ 1, 0, 0x1000 });
	end();
	begin("sram@1000");
	prop_cells("reg", 3, (uint32_t[]){ 0, 0x1000, 0x1000 });
	end();
	begin("memory@c0000000");
	prop_str("device_type", "memory");
	prop_cells("reg", 3, (uint32_t[]){ 0, 0xc0000000, 0x20000000 });
	end();
	end();
	finish();
	assert_int_equal(fdt_memory(d.blob, 0, &r), FDT_OK);
	assert_int_equal(r.base, 0x80000000);
	assert_int_equal(r.size, 0x10000000);
	assert_int_equal(fdt_memory(d.blob, 1, &r), FDT_OK);
	assert_int_equal(r.base, 0x800000000ull);
	assert_int_equal(r.size, 0x40000000);
	assert_int_equal(fdt_memory(d.blob, 2, &r), FDT_OK);
	assert_int_equal(r.base, 0xc0000000);
	assert_int_equal(fdt_memory(d.blob, 3, &r), FDT_E_NOTFOUND);
	assert_int_equal(fdt_memory(d.blob, 0, NULL), FDT_E_INVALID);
}

/* A pci-host-ecam-generic node with reg (base, size), and bus-range unless n is 0. */
static int ecam_with(uint64_t base, uint64_t size, const uint32_t *range, uint32_t n,
		     int32_t domain, struct fw_ecam *out)
{
	reset();
	begin("");
	prop_u32("#address-cells", 2);
	prop_u32("#size-cells", 2);
	begin("pcie@0");
	prop_str("compatible", "pci-host-ecam-generic");
	prop_cells("reg", 4, (uint32_t[]){ (uint32_t)(base >> 32), (uint32_t)base,
					   (uint32_t)(size >> 32), (uint32_t)size });
	if (n)
		prop_cells("bus-range", n, range);
	if (domain >= 0)
		prop_u32("linux,pci-domain", (uint32_t)domain);
	end();
	end();
	finish();
	memset(out, 0xa5, sizeof(*out));
	return fdt_ecam(d.blob, 0, out);
}

static void test_fdt_ecam_windows(void **state)
{
	struct fw_ecam e;

	(void)state;
	assert_int_equal(ecam_with(0x30000000, 16u << 20, (uint32_t[]){ 0x10, 0x1f }, 2, 3, &e),
			 FDT_OK);
	assert_int_equal(e.base, 0x30000000);
	assert_int_equal(e.segment, 3);
	assert_int_equal(e.bus_start, 0x10);
	assert_int_equal(e.bus_end, 0x1f);
	/* A window too small for its bus-range holds fewer buses. */
	assert_int_equal(ecam_with(0x30000000, 8u << 20, NULL, 0, -1, &e), FDT_OK);
	assert_int_equal(e.segment, 0);
	assert_int_equal(e.bus_start, 0);
	assert_int_equal(e.bus_end, 7);
	assert_int_equal(ecam_with(0x30000000, 1u << 19, NULL, 0, -1, &e), FDT_E_BADVALUE);
	assert_int_equal(ecam_with(0x30000000, 1u << 28, (uint32_t[]){ 5, 4 }, 2, -1, &e),
			 FDT_E_BADVALUE);
	assert_int_equal(ecam_with(0x30000000, 1u << 28, (uint32_t[]){ 0, 256 }, 2, -1, &e),
			 FDT_E_BADVALUE);
	assert_int_equal(ecam_with(0x30000000, 1u << 28, (uint32_t[]){ 0 }, 1, -1, &e),
			 FDT_E_BADVALUE);
	assert_int_equal(ecam_with(0x30000000, 1u << 28, NULL, 0, 0x10000, &e), FDT_E_BADVALUE);
	assert_int_equal(ecam_with(0, 1u << 28, NULL, 0, -1, &e), FDT_E_BADVALUE);
	assert_int_equal(fdt_ecam(d.blob, 1, &e), FDT_E_NOTFOUND);
}

/* Every reader over the QEMU trees cut at the structure block: errors, never a stray read. */
static void test_fdt_machine_readers_bounded(void **state)
{
	static const char *const files[] = { DATA_DIR "qemu-virt-gicv2-smp4.dtb",
					     DATA_DIR "qemu-virt-gicv3-el2-smp4.dtb" };
	struct fw_arm_timer t;
	struct fw_range r;
	struct fw_ecam e;
	struct fw_gic g;
	struct fw_cpu c;

	(void)state;
	for (int f = 0; f < 2; f++) {
		uint32_t size;
		uint8_t *blob = load(files[f], &size);

		/* A structure block that ends early: the readers must stop at its end. */
		for (uint32_t cut = 8; cut < get32(blob + H_SIZE_STRUCT); cut += 52) {
			uint8_t *copy = malloc(size);
			int node = -1;

			memcpy(copy, blob, size);
			put32(copy + H_SIZE_STRUCT, cut);
			(void)fdt_gic(copy, &g);
			(void)fdt_timer(copy, &t);
			(void)fdt_ecam(copy, 0, &e);
			(void)fdt_memory(copy, 0, &r);
			while ((node = fdt_next_cpu(copy, node, &c)) >= 0)
				;
			free(copy);
		}
		free(blob);
	}
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
		T(test_fdt_qemu_virt_gicv2_smp4),
		T(test_fdt_qemu_virt_gicv3_smp4),
		T(test_fdt_qemu_virt_el2_gicv2),
		T(test_fdt_timer_specifiers),
		T(test_fdt_timer_bad_specifiers),
		T(test_fdt_timer_interrupt_parent),
		T(test_fdt_interrupt_parent_nearest),
		T(test_fdt_gic_v3_regions),
		T(test_fdt_gic_missing_frames),
		T(test_fdt_gic_primary),
		T(test_fdt_cpus_variants),
		T(test_fdt_cpus_errors),
		T(test_fdt_memory_nodes),
		T(test_fdt_ecam_windows),
		T(test_fdt_machine_readers_bounded),
		T(test_fdt_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
