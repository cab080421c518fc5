/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/fdt.c, and kernel/platform.c over what it accepts:
 * any input is a candidate device tree blob. Whatever fdt_check() accepts is then
 * walked with every reader, including at offsets taken from the input, since
 * after fdt_check() none of them may read outside the blob or fail to return.
 * QEMU's trees from test/unit/data seed the run (LLVMFuzzerInitialize adds them
 * as -seed_inputs).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "firmware.h"
#include "platform.h"

#define DEEP_NODES 32 /* nodes given the O(n) per-call readers, to keep runs fast */
#define INDEX_READS 4 /* memory ranges and ECAM windows asked for */
#define MAX_CPUS   1024 /* a bound the CPU walk must stay under */
#define DATA       KOSH_SOURCE_DIR "/test/unit/data/"
#define SEED_VIRT  DATA "qemu-virt.dtb"
#define SEED_EL2   DATA "qemu-virt-el2.dtb"
#define SEED_V2    DATA "qemu-virt-gicv2-smp4.dtb"
#define SEED_V3    DATA "qemu-virt-gicv3-smp4.dtb"
#define SEED_V3EL2 DATA "qemu-virt-gicv3-el2-smp4.dtb"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int readable(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return 0;
	fclose(f);
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char seeds[] =
		"-seed_inputs=" SEED_VIRT "," SEED_EL2 "," SEED_V2 "," SEED_V3 "," SEED_V3EL2;
	char **args;

	if (!readable(SEED_VIRT) || !readable(SEED_EL2) || !readable(SEED_V2) ||
	    !readable(SEED_V3) || !readable(SEED_V3EL2))
		return 0; /* libFuzzer refuses missing seed files */
	args = calloc((size_t)*argc + 2, sizeof(*args));
	if (!args)
		return 0;
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	args[(*argc)++] = seeds;
	*argv = args; /* kept for the whole run */
	return 0;
}

static void read_node(const void *blob, int node, int deep)
{
	uint64_t addr, size;
	uint32_t ac, sc;
	int len;

	if (!fdt_node_name(blob, node))
		abort(); /* fdt_next_node returned something that is not a node */
	(void)fdt_get_prop(blob, node, "compatible", &len);
	(void)fdt_get_prop(blob, node, "no-such-property", &len);
	if (!deep)
		return;
	(void)fdt_parent_cells(blob, node, &ac, &sc);
	for (uint32_t i = 0; i < 3; i++)
		(void)fdt_reg(blob, node, i, &addr, &size);
}

static void no_line(const char *text)
{
	(void)text;
}

/* The machine readers, and the platform description built from the tree. */
static void read_machine(const uint8_t *blob, size_t size)
{
	static struct platform plat;
	static struct firmware fw;
	struct fw_arm_timer timer;
	struct fw_range range;
	struct fw_ecam ecam;
	struct fw_gic gic;
	struct fw_cpu cpu;
	int node = -1, cpus = 0;

	while ((node = fdt_next_cpu(blob, node, &cpu)) >= 0)
		if (++cpus > MAX_CPUS)
			abort(); /* the walk does not end */
	(void)fdt_gic(blob, &gic);
	(void)fdt_timer(blob, &timer);
	for (uint32_t i = 0; i < INDEX_READS; i++) {
		(void)fdt_memory(blob, i, &range);
		(void)fdt_ecam(blob, i, &ecam);
	}
	memset(&fw, 0, sizeof(fw));
	fw.dtb = blob;
	fw.dtb_size = size;
	if (platform_init(&plat, &fw) == 0 && (plat.cpu_count == 0 || plat.ic == 0))
		abort(); /* success promises CPUs and an interrupt controller */
	platform_describe(&plat, no_line);
}

static void read_tree(const uint8_t *blob, size_t size)
{
	int depth = 0, node = -1, count = 0;
	struct fw_uart uart;
	int hvc;

	while ((node = fdt_next_node(blob, node, &depth)) >= 0)
		read_node(blob, node, count++ < DEEP_NODES);
	(void)fdt_find_path(blob, "/chosen");
	(void)fdt_find_path(blob, "serial0/x");
	(void)fdt_find_path(blob, "//a@1//b");
	(void)fdt_find_compatible(blob, -1, "arm,pl011");
	(void)fdt_stdout_uart(blob, size, &uart);
	(void)fdt_psci(blob, size, &hvc);
	read_machine(blob, size);
	/* Offsets that are not nodes must be refused, not followed. */
	for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
		int offset = (int)(blob[size - 1 - i] | blob[size - 2 - i] << 8);
		uint32_t ac, sc;

		(void)fdt_node_name(blob, offset);
		(void)fdt_get_prop(blob, offset, "reg", NULL);
		(void)fdt_next_node(blob, offset, &depth);
		(void)fdt_parent_cells(blob, offset, &ac, &sc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_uart uart;
	int hvc;

	if (fdt_check(data, size) == 0)
		read_tree(data, size);
	/* These check the blob themselves. */
	(void)fdt_stdout_uart(data, size, &uart);
	(void)fdt_psci(data, size, &hvc);
	(void)fdt_strerror(fdt_check(data, size));
	return 0;
}
