/* SPDX-License-Identifier: MIT */
/*
 * Flattened device tree reader (see fdt.h for what it offers).
 *
 * Invariants: every read is bounded by the structure or strings block as the
 * header gives them, and read_blocks() has checked that both lie inside
 * totalsize, which fdt_check() has checked against the caller's size. Fields are
 * assembled byte by byte (big endian, any alignment). read_token() is the one
 * place that decodes a token; it validates the token in full and always yields a
 * next offset greater than the one it was given, so every walk ends. Offsets are
 * ints: totalsize is refused above INT32_MAX.
 */
#include <stddef.h>
#include <stdint.h>
#include <kosh/string.h>

#include "fdt.h"

/* Header fields (big endian 32-bit words) */
#define HDR_MAGIC        0
#define HDR_TOTALSIZE    4
#define HDR_OFF_STRUCT   8
#define HDR_OFF_STRINGS  12
#define HDR_OFF_RSVMAP   16
#define HDR_VERSION      20
#define HDR_LAST_COMP    24
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT  36 /* version >= 17 */
#define HDR_SIZE_V16     36u
#define HDR_SIZE_V17     40u

#define RSVMAP_ENTRY_SIZE 16u
#define BLOB_MAX          0x7fffffffu

/* Structure block tokens */
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

#define FDT_MAX_CELLS 4u

struct blocks {
	const uint8_t *structs;
	uint32_t struct_size;
	const uint8_t *strings;
	uint32_t strings_size;
};

struct token {
	uint32_t tag;
	int next;             /* offset of the following token */
	const char *name;     /* BEGIN_NODE: the node's name; PROP: the property's */
	const uint8_t *value; /* PROP */
	uint32_t len;         /* PROP: length of value */
};

/* A UART a console driver knows, by "compatible" entry. */
struct uart_kind {
	const char *compatible;
	uint32_t type;     /* enum fw_uart_type */
	uint32_t raw_type; /* the SPCR interface type it corresponds to */
};

static const struct uart_kind uart_kinds[] = {
	{ "arm,pl011", FW_UART_PL011, FW_SPCR_PL011 },
	{ "arm,sbsa-uart", FW_UART_PL011, FW_SPCR_SBSA },
	{ "ns16550a", FW_UART_16550, FW_SPCR_16550 },
	{ "ns16550", FW_UART_16550, FW_SPCR_16550 },
};

static const char *const psci_compatibles[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Length of the string at s, or max if there is no NUL in s[0..max). */
static uint32_t str_len(const void *s, uint32_t max)
{
	const uint8_t *p = s;
	uint32_t n = 0;

	while (n < max && p[n] != 0)
		n++;
	return n;
}

static int has_char(const char *s, uint32_t len, char c)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (s[i] == c)
			return 1;
	return 0;
}

/* Whether [off, off + size) lies inside [0, total). */
static int inside(uint32_t off, uint32_t size, uint32_t total)
{
	return off <= total && size <= total - off;
}

/* Locate the blocks from a header whose first 40 bytes are readable; check their layout. */
static int read_blocks(const uint8_t *h, struct blocks *b)
{
	uint32_t total = be32(h + HDR_TOTALSIZE);
	uint32_t version = be32(h + HDR_VERSION);
	uint32_t off_struct = be32(h + HDR_OFF_STRUCT);
	uint32_t off_strings = be32(h + HDR_OFF_STRINGS);
	uint32_t off_rsvmap = be32(h + HDR_OFF_RSVMAP);
	uint32_t header = version >= 17 ? HDR_SIZE_V17 : HDR_SIZE_V16;

	if (be32(h + HDR_MAGIC) != FDT_MAGIC)
		return FDT_E_MAGIC;
	if (version < 16 || be32(h + HDR_LAST_COMP) > 17)
		return FDT_E_VERSION;
	if (total < HDR_SIZE_V17 || total > BLOB_MAX)
		return FDT_E_LAYOUT;
	/* A version 16 header has no size_dt_struct: the block runs to the end. */
	b->struct_size = version >= 17 ? be32(h + HDR_SIZE_STRUCT) :
	    off_struct <= total ? total - off_struct : 0;
	b->strings_size = be32(h + HDR_SIZE_STRINGS);
	if (off_struct < header || off_struct % 4 || !inside(off_struct, b->struct_size, total))
		return FDT_E_LAYOUT;
	if (off_strings < header || !inside(off_strings, b->strings_size, total))
		return FDT_E_LAYOUT;
	if (off_rsvmap < header || !inside(off_rsvmap, RSVMAP_ENTRY_SIZE, total))
		return FDT_E_LAYOUT;
	b->structs = h + off_struct;
	b->strings = h + off_strings;
	return 0;
}

static int set_next(const struct blocks *b, uint32_t end, struct token *t)
{
	end = (end + 3) & ~3u;
	if (end > b->struct_size)
		return FDT_E_STRUCT;
	t->next = (int)end;
	return 0;
}

static int read_begin_node(const struct blocks *b, uint32_t at, struct token *t)
{
	uint32_t room = b->struct_size - at - 4;
	uint32_t n = str_len(b->structs + at + 4, room);

	if (n == room)
		return FDT_E_NAME;
	t->name = (const char *)b->structs + at + 4;
	return set_next(b, at + 4 + n + 1, t);
}

static int read_prop(const struct blocks *b, uint32_t at, struct token *t)
{
	uint32_t name_off, room;

	if (b->struct_size - at < 12)
		return FDT_E_STRUCT;
	t->len = be32(b->structs + at + 4);
	name_off = be32(b->structs + at + 8);
	if (t->len > b->struct_size - at - 12)
		return FDT_E_STRUCT;
	if (name_off >= b->strings_size)
		return FDT_E_NAME;
	room = b->strings_size - name_off;
	if (str_len(b->strings + name_off, room) == room)
		return FDT_E_NAME;
	t->name = (const char *)b->strings + name_off;
	t->value = b->structs + at + 12;
	return set_next(b, at + 12 + t->len, t);
}

/* Decode and validate the token at offset. */
static int read_token(const struct blocks *b, int offset, struct token *t)
{
	uint32_t at = (uint32_t)offset;

	if (offset < 0 || at % 4)
		return FDT_E_BADOFFSET;
	if (at > b->struct_size || b->struct_size - at < 4)
		return FDT_E_NO_END;
	t->tag = be32(b->structs + at);
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		return read_begin_node(b, at, t);
	case FDT_PROP:
		return read_prop(b, at, t);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return set_next(b, at + 4, t);
	default:
		return FDT_E_BADTAG;
	}
}

/* Walk every token once: nodes balanced, one root, bounded depth, FDT_END at the end. */
static int check_structure(const struct blocks *b)
{
	struct token t = { .next = 0 };
	int depth = 0, roots = 0, err;

	for (;;) {
		err = read_token(b, t.next, &t);
		if (err)
			return err;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && roots++ > 0)
				return FDT_E_NESTING; /* a second root */
			if (++depth > FDT_MAX_DEPTH)
				return FDT_E_DEPTH;
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return FDT_E_NESTING;
			break;
		case FDT_PROP:
			if (depth == 0)
				return FDT_E_NESTING;
			break;
		case FDT_END:
			return depth == 0 && roots == 1 ? 0 : FDT_E_NESTING;
		}
	}
}

int fdt_check(const void *blob, uint64_t size)
{
	struct blocks b;
	int err;

	if (!blob)
		return FDT_E_INVALID;
	if (size < HDR_SIZE_V17)
		return FDT_E_TRUNCATED;
	err = read_blocks(blob, &b);
	if (err)
		return err;
	if (be32((const uint8_t *)blob + HDR_TOTALSIZE) > size)
		return FDT_E_TRUNCATED;
	return check_structure(&b);
}

/* The blocks and the BEGIN_NODE token at node; anything else there is FDT_E_BADOFFSET. */
static int read_node(const void *blob, int node, struct blocks *b, struct token *t)
{
	int err;

	if (!blob)
		return FDT_E_INVALID;
	err = read_blocks(blob, b);
	if (err)
		return err;
	if (read_token(b, node, t) != 0 || t->tag != FDT_BEGIN_NODE)
		return FDT_E_BADOFFSET;
	return 0;
}

int fdt_next_node(const void *blob, int offset, int *depth)
{
	struct blocks b;
	struct token t = { .next = 0 };
	int d = depth ? *depth : 0;
	int err = 0;

	if (offset < 0) {
		d = -1; /* the root will be depth 0 */
		err = blob ? read_blocks(blob, &b) : FDT_E_INVALID;
	} else {
		err = read_node(blob, offset, &b, &t);
	}
	while (!err) {
		offset = t.next;
		err = read_token(&b, offset, &t);
		if (err)
			break;
		if (t.tag == FDT_BEGIN_NODE) {
			d++;
			break;
		}
		if (t.tag == FDT_END)
			err = FDT_E_NOTFOUND;
		d -= t.tag == FDT_END_NODE;
	}
	if (depth)
		*depth = d;
	return err ? err : offset;
}

const char *fdt_node_name(const void *blob, int node)
{
	struct blocks b;
	struct token t;

	if (read_node(blob, node, &b, &t) != 0)
		return NULL;
	return t.name;
}

/* The property name[0..name_len) of node; NULL with the error in *len if none. */
static const void *find_prop(const void *blob, int node, const char *name, uint32_t name_len,
			     int *len)
{
	struct blocks b;
	struct token t;
	int err = read_node(blob, node, &b, &t);

	while (!err) {
		err = read_token(&b, t.next, &t);
		if (err || t.tag == FDT_NOP)
			continue;
		if (t.tag != FDT_PROP) {
			err = FDT_E_NOTFOUND; /* properties precede subnodes */
		} else if (strlen(t.name) == name_len && memcmp(t.name, name, name_len) == 0) {
			*len = (int)t.len;
			return t.value;
		}
	}
	*len = err;
	return NULL;
}

const void *fdt_get_prop(const void *blob, int node, const char *name, int *len)
{
	int dummy;

	if (!len)
		len = &dummy;
	if (!name) {
		*len = FDT_E_INVALID;
		return NULL;
	}
	return find_prop(blob, node, name, (uint32_t)strlen(name), len);
}

/* The property's first string, or NULL if absent or unterminated. */
static const char *prop_string(const void *blob, int node, const char *name)
{
	int len;
	const char *s = fdt_get_prop(blob, node, name, &len);

	if (!s || len < 1 || str_len(s, (uint32_t)len) == (uint32_t)len)
		return NULL;
	return s;
}

static int prop_u32(const void *blob, int node, const char *name, uint32_t *out)
{
	int len;
	const uint8_t *v = fdt_get_prop(blob, node, name, &len);

	if (!v)
		return len;
	if (len != 4)
		return FDT_E_BADVALUE;
	*out = be32(v);
	return 0;
}

/* A path component matches a name exactly, or the name without its "@unit-address". */
static int name_matches(const char *name, const char *comp, uint32_t len)
{
	if (strncmp(name, comp, len) != 0)
		return 0;
	/* comp has no NUL in [0, len), so name has at least len characters. */
	return name[len] == '\0' || (name[len] == '@' && !has_char(comp, len, '@'));
}

/* The child of parent named comp[0..len), which holds no NUL. */
static int find_child(const void *blob, int parent, const char *comp, uint32_t len)
{
	int depth = 0, node = parent;
	const char *name;

	for (;;) {
		node = fdt_next_node(blob, node, &depth);
		if (node < 0)
			return node;
		if (depth <= 0)
			return FDT_E_NOTFOUND;
		name = fdt_node_name(blob, node);
		if (depth == 1 && name && name_matches(name, comp, len))
			return node;
	}
}

/* Follow the components of path[0..len) from node; '/' separators may repeat. */
static int follow_path(const void *blob, int node, const char *path, uint32_t len)
{
	uint32_t at = 0, comp;

	while (node >= 0 && at < len) {
		if (path[at] == '/') {
			at++;
			continue;
		}
		for (comp = 0; at + comp < len && path[at + comp] != '/'; comp++)
			;
		node = find_child(blob, node, path + at, comp);
		at += comp;
	}
	return node;
}

/* The node an alias (name[0..len)) in /aliases stands for; its value must be a full path. */
static int resolve_alias(const void *blob, int root, const char *name, uint32_t len)
{
	int aliases = find_child(blob, root, "aliases", 7);
	const char *target;
	int target_len;
	uint32_t n;

	if (aliases < 0)
		return aliases;
	target = find_prop(blob, aliases, name, len, &target_len);
	if (!target)
		return target_len;
	n = str_len(target, (uint32_t)target_len);
	if (n == (uint32_t)target_len || n == 0 || target[0] != '/')
		return FDT_E_BADVALUE;
	return follow_path(blob, root, target, n);
}

/* The node at path[0..len): absolute, or "alias[/more]". path holds no NUL in [0, len). */
static int find_path(const void *blob, const char *path, uint32_t len)
{
	int root = fdt_next_node(blob, -1, NULL);
	uint32_t comp;

	if (root < 0 || len == 0)
		return root < 0 ? root : FDT_E_NOTFOUND;
	if (path[0] == '/')
		return follow_path(blob, root, path, len);
	for (comp = 0; comp < len && path[comp] != '/'; comp++)
		;
	return follow_path(blob, resolve_alias(blob, root, path, comp), path + comp, len - comp);
}

int fdt_find_path(const void *blob, const char *path)
{
	if (!path)
		return FDT_E_INVALID;
	return find_path(blob, path, (uint32_t)strlen(path));
}

/* Whether s is one of the NUL-terminated strings of the node's property name. */
static int list_has(const void *blob, int node, const char *name, const char *s)
{
	int len;
	const char *list = fdt_get_prop(blob, node, name, &len);
	uint32_t want = (uint32_t)strlen(s), at = 0, n;

	if (!list)
		return 0;
	while (at < (uint32_t)len) {
		n = str_len(list + at, (uint32_t)len - at);
		if (n == want && n < (uint32_t)len - at && memcmp(list + at, s, n) == 0)
			return 1;
		at += n + 1;
	}
	return 0;
}

/* Whether compat is one of the strings of the node's "compatible" list. */
static int is_compatible(const void *blob, int node, const char *compat)
{
	return list_has(blob, node, "compatible", compat);
}

/* Whether the node's "status" is absent, "okay" or "ok". */
static int is_enabled(const void *blob, int node)
{
	int len;
	const char *status = fdt_get_prop(blob, node, "status", &len);
	uint32_t n;

	if (!status)
		return len == FDT_E_NOTFOUND;
	n = str_len(status, (uint32_t)len);
	return (n == 4 && memcmp(status, "okay", 4) == 0) ||
	       (n == 2 && memcmp(status, "ok", 2) == 0);
}

int fdt_find_compatible(const void *blob, int start, const char *compat)
{
	int depth = 0, node = start < 0 ? -1 : start;

	if (!compat)
		return FDT_E_INVALID;
	for (;;) {
		node = fdt_next_node(blob, node, &depth);
		if (node < 0 || is_compatible(blob, node, compat))
			return node;
	}
}

/* The parent of node, found by walking from the root with a stack of ancestors. */
static int find_parent(const void *blob, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0, cur = -1;

	for (;;) {
		cur = fdt_next_node(blob, cur, &depth);
		if (cur < 0)
			return cur == FDT_E_NOTFOUND ? FDT_E_BADOFFSET : cur;
		if (depth < 0 || depth >= FDT_MAX_DEPTH)
			return FDT_E_DEPTH;
		stack[depth] = cur;
		if (cur >= node)
			break;
	}
	return cur == node && depth > 0 ? stack[depth - 1] : FDT_E_BADOFFSET;
}

/* A #address-cells / #size-cells value, def when absent, within [min, FDT_MAX_CELLS]. */
static int read_cells(const void *blob, int node, const char *name, uint32_t def, uint32_t min,
		      uint32_t *out)
{
	int err = prop_u32(blob, node, name, out);

	if (err == FDT_E_NOTFOUND) {
		*out = def;
		return 0;
	}
	if (err)
		return err == FDT_E_BADVALUE ? FDT_E_BADCELLS : err;
	return *out < min || *out > FDT_MAX_CELLS ? FDT_E_BADCELLS : 0;
}

int fdt_parent_cells(const void *blob, int node, uint32_t *address_cells, uint32_t *size_cells)
{
	int parent, err;

	if (!address_cells || !size_cells)
		return FDT_E_INVALID;
	parent = find_parent(blob, node);
	if (parent < 0)
		return parent;
	err = read_cells(blob, parent, "#address-cells", 2, 1, address_cells);
	if (!err)
		err = read_cells(blob, parent, "#size-cells", 1, 0, size_cells);
	return err;
}

/* A big-endian number of cells (at most 2) cells. */
static uint64_t cells_value(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/*
 * The address is in the parent bus's space: "ranges" of buses between the node
 * and the root are not applied. That is right for devices on the root or on a
 * simple-bus with identity (or empty) ranges, as on QEMU virt.
 */
int fdt_reg(const void *blob, int node, uint32_t index, uint64_t *addr, uint64_t *size)
{
	uint32_t ac, sc, entry;
	const uint8_t *reg;
	int len, err;

	err = fdt_parent_cells(blob, node, &ac, &sc);
	if (err)
		return err;
	if (ac > 2 || sc > 2)
		return FDT_E_BADCELLS; /* would not fit 64 bits */
	reg = fdt_get_prop(blob, node, "reg", &len);
	if (!reg)
		return len;
	entry = (ac + sc) * 4;
	if (index >= (uint32_t)len / entry)
		return FDT_E_NOTFOUND;
	reg += index * entry;
	if (addr)
		*addr = cells_value(reg, ac);
	if (size)
		*size = cells_value(reg + 4 * ac, sc);
	return 0;
}

static const struct uart_kind *uart_kind(const void *blob, int node)
{
	size_t i;

	for (i = 0; i < sizeof(uart_kinds) / sizeof(uart_kinds[0]); i++)
		if (is_compatible(blob, node, uart_kinds[i].compatible))
			return &uart_kinds[i];
	return NULL;
}

static int is_usable_uart(const void *blob, int node)
{
	return uart_kind(blob, node) && is_enabled(blob, node);
}

/* The leading decimal number of stdout-path options ("115200n8"), 0 if none or absurd. */
static uint32_t parse_baud(const char *s)
{
	uint32_t v = 0, n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 9)
			return 0;
		v = v * 10 + (uint32_t)(s[n] - '0');
	}
	return v;
}

/* The node /chosen's stdout-path names; the baud rate of its options into *baud. */
static int stdout_node(const void *blob, uint32_t *baud)
{
	int chosen = fdt_find_path(blob, "/chosen");
	const char *path;
	uint32_t len;

	if (chosen < 0)
		return chosen;
	path = prop_string(blob, chosen, "stdout-path");
	if (!path)
		path = prop_string(blob, chosen, "linux,stdout-path");
	if (!path)
		return FDT_E_NOTFOUND;
	for (len = 0; path[len] && path[len] != ':'; len++)
		;
	if (path[len] == ':')
		*baud = parse_baud(path + len + 1);
	return find_path(blob, path, len);
}

/* The first node after node (from the root if node < 0), in document order, that match()es. */
static int next_match(const void *blob, int node, int (*match)(const void *blob, int node))
{
	for (;;) {
		node = fdt_next_node(blob, node, NULL);
		if (node < 0 || match(blob, node))
			return node;
	}
}

static int first_node(const void *blob, int (*match)(const void *blob, int node))
{
	return next_match(blob, -1, match);
}

static int describe_uart(const void *blob, int node, uint32_t baud, struct fw_uart *out)
{
	const struct uart_kind *kind = uart_kind(blob, node);
	uint32_t shift = 0;
	uint64_t base;
	int err = fdt_reg(blob, node, 0, &base, NULL);

	if (err)
		return err;
	if (!kind)
		return FDT_E_BADVALUE;
	if (kind->type == FW_UART_16550) {
		err = prop_u32(blob, node, "reg-shift", &shift);
		if ((err && err != FDT_E_NOTFOUND) || shift > 3)
			return FDT_E_BADVALUE;
	}
	if (baud == 0 && prop_u32(blob, node, "current-speed", &baud) != 0)
		baud = 0;
	memset(out, 0, sizeof(*out));
	out->type = kind->type;
	out->raw_type = kind->raw_type;
	out->space = FW_SPACE_MEMORY;
	out->reg_shift = (uint8_t)shift;
	out->base = base;
	out->baud = baud;
	return 0;
}

/*
 * A stdout-path that cannot be resolved, or names a disabled node or a UART of
 * a type Kosh does not know, is passed over for the first known UART.
 */
int fdt_stdout_uart(const void *blob, uint64_t size, struct fw_uart *out)
{
	uint32_t baud = 0;
	int node, err;

	if (!out)
		return FDT_E_INVALID;
	err = fdt_check(blob, size);
	if (err)
		return err;
	node = stdout_node(blob, &baud);
	if (node < 0 || !is_usable_uart(blob, node)) {
		baud = 0;
		node = first_node(blob, is_usable_uart);
	}
	if (node < 0)
		return node;
	return describe_uart(blob, node, baud, out);
}

static int is_psci(const void *blob, int node)
{
	size_t i;

	for (i = 0; i < sizeof(psci_compatibles) / sizeof(psci_compatibles[0]); i++)
		if (is_compatible(blob, node, psci_compatibles[i]))
			return is_enabled(blob, node);
	return 0;
}

int fdt_psci(const void *blob, uint64_t size, int *use_hvc)
{
	const char *method;
	int node;

	if (!use_hvc)
		return FDT_E_INVALID;
	node = fdt_check(blob, size);
	if (node == 0)
		node = first_node(blob, is_psci);
	if (node < 0)
		return node;
	method = prop_string(blob, node, "method");
	if (!method || (strcmp(method, "hvc") != 0 && strcmp(method, "smc") != 0))
		return FDT_E_BADVALUE;
	*use_hvc = strcmp(method, "hvc") == 0;
	return 0;
}

/*
 * The machine: memory, CPUs, the GIC, the generic timer, PCIe ECAM windows.
 * Interrupt specifiers are decoded only for a GIC parent (three cells: type,
 * number, flags); "interrupts-extended" and interrupt maps are not followed.
 */

static const char *const gicv2_compatibles[] = { "arm,gic-400", "arm,cortex-a15-gic",
						 "arm,cortex-a7-gic", "arm,gic-v2", "arm,pl390" };

/* INTID ranges by GIC specifier type: SPI, PPI, extended SPI, extended PPI. */
static const struct {
	uint32_t base;
	uint32_t count;
} gic_types[] = { { 32, 988 }, { 16, 16 }, { 4096, 1024 }, { 1056, 64 } };

#define GIC_SPEC_CELLS 3u /* type, number, flags */
#define GIC_FLAGS_TYPE 0xfu    /* the trigger type */
#define GIC_FLAGS_KNOWN 0xff0fu /* and bits 8-15, the GICv2 PPI CPU mask, ignored */
#define PHANDLE_NONE   0xffffffffu
#define TIMER_IRQS_MIN 2u /* secure and non-secure physical */
#define TIMER_IRQS_MAX 5u /* ... virtual, hypervisor physical, hypervisor virtual */
#define ECAM_BUS_SHIFT 20 /* 1 MiB of configuration space per bus */
#define ECAM_BUSES     256u
#define PCI_DOMAIN_MAX 0xffffu

static int has_prop(const void *blob, int node, const char *name)
{
	int len;

	return fdt_get_prop(blob, node, name, &len) != NULL;
}

/* Whether the property name holds exactly the string s. */
static int prop_is(const void *blob, int node, const char *name, const char *s)
{
	const char *v = prop_string(blob, node, name);

	return v && strcmp(v, s) == 0;
}

/* 3 for a GICv3 (or v4), 2 for a GICv2, 0 if the node is no GIC. */
static int gic_version(const void *blob, int node)
{
	size_t i;

	if (is_compatible(blob, node, "arm,gic-v3"))
		return 3;
	for (i = 0; i < sizeof(gicv2_compatibles) / sizeof(gicv2_compatibles[0]); i++)
		if (is_compatible(blob, node, gicv2_compatibles[i]))
			return 2;
	return 0;
}

static int is_gic(const void *blob, int node)
{
	return gic_version(blob, node) && has_prop(blob, node, "interrupt-controller") &&
	       is_enabled(blob, node);
}

/* The node whose "phandle" (or older "linux,phandle") is ph. */
static int find_phandle(const void *blob, uint32_t ph)
{
	int node = -1;
	uint32_t v;

	if (ph == 0 || ph == PHANDLE_NONE)
		return FDT_E_BADVALUE;
	for (;;) {
		node = fdt_next_node(blob, node, NULL);
		if (node < 0)
			return node;
		if ((prop_u32(blob, node, "phandle", &v) == 0 ||
		     prop_u32(blob, node, "linux,phandle", &v) == 0) && v == ph)
			return node;
	}
}

/* The controller of node's interrupts: the nearest "interrupt-parent" from node up. */
static int interrupt_parent(const void *blob, int node)
{
	uint32_t ph;
	int level, err;

	for (level = 0; level < FDT_MAX_DEPTH && node >= 0; level++) {
		err = prop_u32(blob, node, "interrupt-parent", &ph);
		if (err == 0)
			return find_phandle(blob, ph);
		if (err != FDT_E_NOTFOUND)
			return err;
		node = find_parent(blob, node);
	}
	return FDT_E_NOTFOUND;
}

/* #interrupt-cells of the GIC node's interrupts go to; FDT_E_BADVALUE if no GIC does. */
static int gic_parent_cells(const void *blob, int node, uint32_t *cells)
{
	int gic = interrupt_parent(blob, node);

	if (gic < 0)
		return gic == FDT_E_NOTFOUND ? FDT_E_BADVALUE : gic;
	if (!gic_version(blob, gic) || !has_prop(blob, gic, "interrupt-controller"))
		return FDT_E_BADVALUE;
	if (prop_u32(blob, gic, "#interrupt-cells", cells) != 0 || *cells < GIC_SPEC_CELLS ||
	    *cells > FDT_MAX_CELLS)
		return FDT_E_BADVALUE;
	return 0;
}

/* A GIC specifier's flags: 1 rising edge, 2 falling edge, 4 level high, 8 level low. */
static int gic_trigger(uint32_t flags, struct fw_irq *out)
{
	if (flags & ~GIC_FLAGS_KNOWN)
		return FDT_E_BADVALUE;
	switch (flags & GIC_FLAGS_TYPE) {
	case 0:
		return 0; /* unspecified: leave it to the controller's default */
	case 1:
	case 2:
		out->trigger = FW_TRIGGER_EDGE;
		break;
	case 4:
	case 8:
		out->trigger = FW_TRIGGER_LEVEL;
		break;
	default:
		return FDT_E_BADVALUE;
	}
	out->polarity = flags & 0xau ? FW_POLARITY_LOW : FW_POLARITY_HIGH;
	return 0;
}

/* A GIC interrupt specifier <type number flags> at cells. */
static int gic_specifier(const uint8_t *cells, struct fw_irq *out)
{
	uint32_t type = be32(cells), number = be32(cells + 4);

	memset(out, 0, sizeof(*out));
	if (type >= sizeof(gic_types) / sizeof(gic_types[0]) || number >= gic_types[type].count)
		return FDT_E_BADVALUE;
	out->intid = gic_types[type].base + number;
	return gic_trigger(be32(cells + 8), out);
}

/* The node's "interrupts", at most max, decoded into out; their number in *count. */
static int node_interrupts(const void *blob, int node, struct fw_irq *out, uint32_t max,
			   uint32_t *count)
{
	int len, err;
	const uint8_t *v = fdt_get_prop(blob, node, "interrupts", &len);
	uint32_t cells, stride, i;

	if (!v)
		return len;
	err = gic_parent_cells(blob, node, &cells);
	if (err)
		return err;
	stride = 4 * cells;
	if (len == 0 || (uint32_t)len % stride || (uint32_t)len / stride > max)
		return FDT_E_BADVALUE;
	*count = (uint32_t)len / stride;
	for (i = 0; i < *count && !err; i++)
		err = gic_specifier(v + i * stride, &out[i]);
	return err;
}

static int is_memory(const void *blob, int node)
{
	return prop_is(blob, node, "device_type", "memory") && is_enabled(blob, node);
}

int fdt_memory(const void *blob, uint32_t index, struct fw_range *out)
{
	int node = -1, err;
	uint32_t i;

	if (!out)
		return FDT_E_INVALID;
	for (;;) {
		node = next_match(blob, node, is_memory);
		if (node < 0)
			return node;
		for (i = 0; (err = fdt_reg(blob, node, i, &out->base, &out->size)) == 0; i++)
			if (index-- == 0)
				return 0;
		if (err != FDT_E_NOTFOUND)
			return err;
	}
}

/* The child of /cpus after prev (the first if prev < 0) whose device_type is "cpu". */
static int next_cpu_node(const void *blob, int prev)
{
	int depth = 1, node = prev;

	if (prev < 0) {
		node = fdt_find_path(blob, "/cpus");
		depth = 0;
	}
	while (node >= 0) {
		node = fdt_next_node(blob, node, &depth);
		if (node >= 0 && depth <= 0)
			return FDT_E_NOTFOUND;
		if (node >= 0 && depth == 1 && prop_is(blob, node, "device_type", "cpu"))
			break;
	}
	return node;
}

/* "okay": enabled; "disabled": parked until started through its enable-method. */
static uint8_t cpu_flags(const void *blob, int node)
{
	if (is_enabled(blob, node))
		return FW_CPU_ENABLED;
	return prop_is(blob, node, "status", "disabled") ? FW_CPU_ONLINE_CAPABLE : 0;
}

static int cpu_start(const void *blob, int node, struct fw_cpu *out)
{
	const uint8_t *addr;
	int len;

	if (list_has(blob, node, "enable-method", "psci")) {
		out->start = FW_CPU_START_PSCI;
		return 0;
	}
	if (!list_has(blob, node, "enable-method", "spin-table"))
		return 0;
	addr = fdt_get_prop(blob, node, "cpu-release-addr", &len);
	if (!addr || (len != 4 && len != 8))
		return FDT_E_BADVALUE;
	out->start = FW_CPU_START_SPIN_TABLE;
	out->start_addr = cells_value(addr, (uint32_t)len / 4);
	return 0;
}

int fdt_next_cpu(const void *blob, int prev, struct fw_cpu *out)
{
	int node, err;

	if (!out)
		return FDT_E_INVALID;
	node = next_cpu_node(blob, prev);
	if (node < 0)
		return node;
	memset(out, 0, sizeof(*out));
	out->acpi_uid = FW_CPU_NO_UID;
	out->flags = cpu_flags(blob, node);
	err = fdt_reg(blob, node, 0, &out->hw_id, NULL);
	if (err)
		return err == FDT_E_NOTFOUND ? FDT_E_BADVALUE : err;
	err = cpu_start(blob, node, out);
	return err ? err : node;
}

/* A "reg" entry the node must have: its absence is a malformed node. */
static int needed_reg(const void *blob, int node, uint32_t index, uint64_t *base,
		      uint64_t *size)
{
	int err = fdt_reg(blob, node, index, base, size);

	return err == FDT_E_NOTFOUND ? FDT_E_BADVALUE : err;
}

static int optional_reg(const void *blob, int node, uint32_t index, uint64_t *base)
{
	int err = fdt_reg(blob, node, index, base, NULL);

	return err == FDT_E_NOTFOUND ? 0 : err;
}

/* The optional CPU interface, hypervisor and vCPU frames, from reg entry first on. */
static int gic_cpu_frames(const void *blob, int node, uint32_t first, struct fw_gic *out)
{
	int err = optional_reg(blob, node, first, &out->gicc);

	if (!err)
		err = optional_reg(blob, node, first + 1, &out->gich);
	if (!err)
		err = optional_reg(blob, node, first + 2, &out->gicv);
	return err;
}

/* GICv3 reg: GICD, #redistributor-regions GICR ranges, then GICC, GICH, GICV. */
static int gicv3_regs(const void *blob, int node, struct fw_gic *out)
{
	uint32_t regions = 1, i;
	struct fw_range r;
	int err = prop_u32(blob, node, "#redistributor-regions", &regions);

	if (err && err != FDT_E_NOTFOUND)
		return err;
	if (regions == 0)
		return FDT_E_BADVALUE;
	/* Every listed region must be there; the loop ends at the first missing one. */
	for (i = 0; i < regions; i++) {
		err = needed_reg(blob, node, 1 + i, &r.base, &r.size);
		if (err)
			return err;
		if (out->gicr_count < FW_GICR_MAX)
			out->gicr[out->gicr_count++] = r;
	}
	return gic_cpu_frames(blob, node, 1 + regions, out);
}

/* The GIC's ITS frames: enabled children compatible with "arm,gic-v3-its". */
static void gic_its(const void *blob, int gic, struct fw_gic *out)
{
	int depth = 0, node = gic;
	uint64_t base;

	for (;;) {
		node = fdt_next_node(blob, node, &depth);
		if (node < 0 || depth <= 0 || out->its_count == FW_ITS_MAX)
			return;
		if (depth == 1 && is_compatible(blob, node, "arm,gic-v3-its") &&
		    is_enabled(blob, node) && fdt_reg(blob, node, 0, &base, NULL) == 0)
			out->its[out->its_count++] = base;
	}
}

/*
 * The GIC's GICv2m MSI frames: enabled children compatible with
 * "arm,gic-v2m-frame"; their SPIs from arm,msi-base-spi / arm,msi-num-spis, or
 * (both absent) from the frame's MSI_TYPER, read by the driver.
 */
static void gic_v2m(const void *blob, int gic, struct fw_gic *out)
{
	int depth = 0, node = gic;
	uint64_t base;
	uint32_t spi_base, count;

	for (;;) {
		node = fdt_next_node(blob, node, &depth);
		if (node < 0 || depth <= 0 || out->v2m_count == FW_V2M_MAX)
			return;
		if (depth != 1 || !is_compatible(blob, node, "arm,gic-v2m-frame") ||
		    !is_enabled(blob, node) || fdt_reg(blob, node, 0, &base, NULL) != 0)
			continue;
		struct fw_v2m *v = &out->v2m[out->v2m_count++];
		v->base = base;
		if (prop_u32(blob, node, "arm,msi-base-spi", &spi_base) == 0 &&
		    prop_u32(blob, node, "arm,msi-num-spis", &count) == 0) {
			v->spi_base = spi_base;
			v->spi_count = count;
		}
	}
}

/* The GIC the root's interrupt-parent names, else the first in document order. */
static int primary_gic(const void *blob)
{
	int root = fdt_next_node(blob, -1, NULL);
	int node = root < 0 ? root : interrupt_parent(blob, root);

	if (node >= 0 && is_gic(blob, node))
		return node;
	return first_node(blob, is_gic);
}

static int gic_describe(const void *blob, int node, struct fw_gic *out)
{
	struct fw_irq maintenance;
	uint32_t count;
	int err = needed_reg(blob, node, 0, &out->gicd, NULL);

	if (err)
		return err;
	if (out->version == 3)
		err = gicv3_regs(blob, node, out);
	else
		err = gic_cpu_frames(blob, node, 1, out); /* GICC is checked by fdt_gic() */
	if (err)
		return err;
	err = node_interrupts(blob, node, &maintenance, 1, &count);
	if (err == 0)
		out->maintenance = maintenance;
	return err == FDT_E_NOTFOUND ? 0 : err;
}

int fdt_gic(const void *blob, struct fw_gic *out)
{
	int node, err;

	if (!out)
		return FDT_E_INVALID;
	memset(out, 0, sizeof(*out));
	node = primary_gic(blob);
	if (node < 0)
		return node;
	out->version = (uint8_t)gic_version(blob, node);
	err = gic_describe(blob, node, out);
	if (err)
		return err;
	if (out->gicd == 0 || (out->version == 2 && out->gicc == 0))
		return FDT_E_BADVALUE;
	gic_its(blob, node, out);
	gic_v2m(blob, node, out);
	return 0;
}

static int is_timer(const void *blob, int node)
{
	return (is_compatible(blob, node, "arm,armv8-timer") ||
		is_compatible(blob, node, "arm,armv7-timer")) &&
	       is_enabled(blob, node);
}

static int is_ppi(uint32_t intid)
{
	return (intid >= 16 && intid < 32) || (intid >= 1056 && intid < 1120);
}

/* The timer interrupts in binding order: secure, non-secure, virtual, hyp, hyp virtual. */
static int fill_timer(const struct fw_irq *irq, uint32_t count, struct fw_arm_timer *out)
{
	struct fw_irq *slot[TIMER_IRQS_MAX] = { &out->secure_phys, &out->phys, &out->virt,
						&out->hyp_phys, &out->hyp_virt };
	uint32_t i;

	if (count < TIMER_IRQS_MIN)
		return FDT_E_BADVALUE;
	for (i = 0; i < count; i++) {
		if (!is_ppi(irq[i].intid))
			return FDT_E_BADVALUE; /* a per-CPU timer has per-CPU interrupts */
		*slot[i] = irq[i];
	}
	return 0;
}

int fdt_timer(const void *blob, struct fw_arm_timer *out)
{
	struct fw_irq irq[TIMER_IRQS_MAX];
	uint32_t count = 0;
	int node, err;

	if (!out)
		return FDT_E_INVALID;
	memset(out, 0, sizeof(*out));
	node = first_node(blob, is_timer);
	if (node < 0)
		return node;
	err = node_interrupts(blob, node, irq, TIMER_IRQS_MAX, &count);
	if (err)
		return err == FDT_E_NOTFOUND ? FDT_E_BADVALUE : err;
	err = fill_timer(irq, count, out);
	if (err)
		memset(out, 0, sizeof(*out));
	else
		out->always_on = (uint8_t)has_prop(blob, node, "always-on");
	return err;
}

static int is_ecam(const void *blob, int node)
{
	return is_compatible(blob, node, "pci-host-ecam-generic") && is_enabled(blob, node);
}

/* bus-range (all 256 buses when absent), cut to the buses the window has room for. */
static int ecam_buses(const void *blob, int node, uint64_t size, struct fw_ecam *out)
{
	int len;
	const uint8_t *range = fdt_get_prop(blob, node, "bus-range", &len);
	uint32_t start = 0, end = ECAM_BUSES - 1;
	uint64_t room = size >> ECAM_BUS_SHIFT;

	if (range && len != 8)
		return FDT_E_BADVALUE;
	if (range) {
		start = be32(range);
		end = be32(range + 4);
	}
	if (start > end || end >= ECAM_BUSES || room == 0)
		return FDT_E_BADVALUE;
	if (end - start + 1 > room)
		end = start + (uint32_t)room - 1;
	out->bus_start = (uint8_t)start;
	out->bus_end = (uint8_t)end;
	return 0;
}

/* linux,pci-domain gives the segment; without it, windows are numbered in order. */
int fdt_ecam(const void *blob, uint32_t index, struct fw_ecam *out)
{
	uint32_t domain = index;
	uint64_t size;
	int node = -1, err;

	if (!out)
		return FDT_E_INVALID;
	memset(out, 0, sizeof(*out));
	do
		node = next_match(blob, node, is_ecam);
	while (node >= 0 && index-- > 0);
	if (node < 0)
		return node;
	err = needed_reg(blob, node, 0, &out->base, &size);
	if (!err && out->base == 0)
		err = FDT_E_BADVALUE;
	if (!err)
		err = prop_u32(blob, node, "linux,pci-domain", &domain);
	if (err && err != FDT_E_NOTFOUND)
		return err;
	if (domain > PCI_DOMAIN_MAX)
		return FDT_E_BADVALUE;
	out->segment = (uint16_t)domain;
	return ecam_buses(blob, node, size, out);
}

const char *fdt_strerror(int err)
{
	static const char *const text[] = {
		[-FDT_OK] = "success",
		[-FDT_E_INVALID] = "invalid argument",
		[-FDT_E_TRUNCATED] = "blob shorter than its header or totalsize",
		[-FDT_E_MAGIC] = "not a device tree (bad magic)",
		[-FDT_E_VERSION] = "unsupported device tree version",
		[-FDT_E_LAYOUT] = "a block lies outside the blob",
		[-FDT_E_STRUCT] = "a token or property runs past the structure block",
		[-FDT_E_BADTAG] = "unknown token in the structure block",
		[-FDT_E_NAME] = "unterminated node name or bad property name offset",
		[-FDT_E_NESTING] = "unbalanced nodes in the structure block",
		[-FDT_E_DEPTH] = "nodes nested too deeply",
		[-FDT_E_NO_END] = "structure block ends without FDT_END",
		[-FDT_E_NOTFOUND] = "not found",
		[-FDT_E_BADOFFSET] = "offset is not a node",
		[-FDT_E_BADCELLS] = "#address-cells or #size-cells out of range",
		[-FDT_E_BADVALUE] = "property value malformed",
	};

	if (err > 0 || err <= FDT_E_COUNT || !text[-err])
		return "unknown device tree error";
	return text[-err];
}
