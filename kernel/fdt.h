/* SPDX-License-Identifier: MIT */
/*
 * A reader of flattened device trees (DTB, devicetree specification v0.4, blob
 * versions 16 and 17), enough to find the console, PSCI, memory, the CPUs, the
 * GIC, the generic timer and PCIe ECAM windows.
 *
 * The blob is untrusted. fdt_check() validates the header and walks the whole
 * structure block once: every token, name and property length inside its block,
 * property names inside the strings block, nodes balanced and nested at most
 * FDT_MAX_DEPTH deep, FDT_END present. The other functions take a blob that passed
 * fdt_check() and still bound every read by the header's block sizes, so a bad
 * offset gives an error, never a stray read. Nodes are named by offsets into the
 * structure block (the root is 0). Nothing recurses; every loop advances.
 */
#ifndef KOSH_FDT_H
#define KOSH_FDT_H

#include <stdint.h>

#include "fw.h"

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 64 /* nesting levels, the root being the first */

enum fdt_error {
	FDT_OK = 0,
	FDT_E_INVALID = -1,    /* a NULL argument */
	FDT_E_TRUNCATED = -2,  /* the blob is shorter than its header or totalsize */
	FDT_E_MAGIC = -3,      /* not 0xd00dfeed */
	FDT_E_VERSION = -4,    /* version < 16 or last_comp_version > 17 */
	FDT_E_LAYOUT = -5,     /* a block lies outside totalsize, or is misaligned */
	FDT_E_STRUCT = -6,     /* a token or property runs past the structure block */
	FDT_E_BADTAG = -7,     /* an unknown token */
	FDT_E_NAME = -8,       /* an unterminated node name or bad property name offset */
	FDT_E_NESTING = -9,    /* unbalanced nodes, a property outside a node, two roots */
	FDT_E_DEPTH = -10,     /* nodes nested deeper than FDT_MAX_DEPTH */
	FDT_E_NO_END = -11,    /* the structure block ends without FDT_END */
	FDT_E_NOTFOUND = -12,  /* no such node or property */
	FDT_E_BADOFFSET = -13, /* the offset is not a node (or has no parent) */
	FDT_E_BADCELLS = -14,  /* #address-cells or #size-cells out of range */
	FDT_E_BADVALUE = -15,  /* a property has the wrong size or content */
	FDT_E_COUNT = -16
};

/* Validate the blob's header and structure; 0 or enum fdt_error. */
__attribute__((warn_unused_result)) int fdt_check(const void *blob, uint64_t size);

/*
 * The node after offset in document order (the root if offset < 0), adding 1 to
 * *depth per level descended and subtracting 1 per level ascended (the root is
 * depth 0 when started from -1). FDT_E_NOTFOUND after the last node.
 */
__attribute__((warn_unused_result)) int fdt_next_node(const void *blob, int offset, int *depth);

/* The node's name ("" for the root, "uart@9000000" ...), or NULL. */
const char *fdt_node_name(const void *blob, int node);

/* The value of the node's property name, its length in *len; NULL and an error in *len if none. */
const void *fdt_get_prop(const void *blob, int node, const char *name, int *len);

/* The node at an absolute path, or whose path starts with an alias; a negative error if none. */
__attribute__((warn_unused_result)) int fdt_find_path(const void *blob, const char *path);

/* The first node after start (from the root if start < 0) listing compat in "compatible". */
__attribute__((warn_unused_result)) int fdt_find_compatible(const void *blob, int start,
							    const char *compat);

/* #address-cells and #size-cells of the node's parent (2 and 1 when absent). */
__attribute__((warn_unused_result)) int fdt_parent_cells(const void *blob, int node,
							 uint32_t *address_cells,
							 uint32_t *size_cells);

/* The index-th (address, size) of the node's "reg", untranslated; addr or size may be NULL. */
__attribute__((warn_unused_result)) int fdt_reg(const void *blob, int node, uint32_t index,
						uint64_t *addr, uint64_t *size);

/* The console: /chosen's stdout-path if it names a known UART, else the first known UART. */
__attribute__((warn_unused_result)) int fdt_stdout_uart(const void *blob, uint64_t size,
							struct fw_uart *out);

/* Whether PSCI is reached by HVC (1) or SMC (0); FDT_E_NOTFOUND without a PSCI node. */
__attribute__((warn_unused_result)) int fdt_psci(const void *blob, uint64_t size, int *use_hvc);

/* The index-th (base, size) over the "reg" of every enabled device_type "memory" node. */
__attribute__((warn_unused_result)) int fdt_memory(const void *blob, uint32_t index,
						   struct fw_range *out);

/*
 * The CPU node after prev (the first if prev < 0): a child of /cpus whose
 * device_type is "cpu". Fills *out (hw_id from "reg", flags from "status", start
 * from "enable-method") and returns the node, FDT_E_NOTFOUND after the last, or
 * FDT_E_BADVALUE for a CPU without "reg" or a spin-table without a release address.
 */
__attribute__((warn_unused_result)) int fdt_next_cpu(const void *blob, int prev,
						     struct fw_cpu *out);

/*
 * The GIC (the root's interrupt-parent if it is one, else the first enabled GIC):
 * GICv2 ("arm,gic-400", "arm,cortex-a15-gic", ...) with GICD and GICC, or GICv3
 * ("arm,gic-v3") with GICD and #redistributor-regions GICR ranges; its maintenance
 * interrupt and ITS frames. FDT_E_NOTFOUND, or FDT_E_BADVALUE for a missing frame.
 */
__attribute__((warn_unused_result)) int fdt_gic(const void *blob, struct fw_gic *out);

/*
 * The generic timer ("arm,armv8-timer" or "arm,armv7-timer"): its 2 to 5 PPIs in
 * binding order (secure, non-secure, virtual, hyp physical, hyp virtual), routed
 * to a GIC. FDT_E_NOTFOUND, or FDT_E_BADVALUE for a bad interrupt specifier.
 */
__attribute__((warn_unused_result)) int fdt_timer(const void *blob, struct fw_arm_timer *out);

/* The index-th enabled "pci-host-ecam-generic" window. FDT_E_NOTFOUND or _BADVALUE. */
__attribute__((warn_unused_result)) int fdt_ecam(const void *blob, uint32_t index,
						 struct fw_ecam *out);

/* A short English description of an fdt_error value. */
const char *fdt_strerror(int err);

#endif
