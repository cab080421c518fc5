/* SPDX-License-Identifier: MIT */
/*
 * lsdev: every device the driver manager found (PCI functions, the device
 * tree's and the ACPI tables' devices) and the driver that owns it, from
 * dev:///devices (docs/devices.md, "dev://"):
 *
 *   BUS       WHERE            DEVICE                    DRIVER        NAME
 *   pci       00:02.0          Virtio 1.0 block device   virtio-blk    vda
 *   platform  /pl031@9010000   arm,pl031                 -             -
 *   none      -                -                         virtio-rng    rng0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcinames.h"
#include "util.h"

#define TEXT_MAX (64u << 10)

static void print_line(char *line)
{
	char bus[16], where[48], id[72], driver[64], name[32], what[80];
	int used = 0;
	unsigned seg, b, d, f, vendor, device;
	if (sscanf(line, "%15s %47s %71s %63s %31s%n", bus, where, id, driver, name, &used) != 5) {
		util_say("lsdev: a line I cannot read: %s", line);
		return;
	}
	snprintf(what, sizeof(what), "%s", id);
	if (strcmp(bus, "pci") == 0 && sscanf(where, "%x:%x:%x.%u", &seg, &b, &d, &f) == 4 &&
	    sscanf(id, "%x:%x", &vendor, &device) == 2) {
		const char *dname = pci_device_name((uint16_t)vendor, (uint16_t)device);
		if (!seg)
			snprintf(where, sizeof(where), "%02x:%02x.%u", b, d, f);
		if (dname)
			snprintf(what, sizeof(what), "%s", dname);
	}
	if (strlen(what) > 36)
		strcpy(what + 33, "...");
	printf("%-9s %-20s %-36s %-13s %s%s\n", bus, where, what, driver, name, line + used);
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	size_t len;
	int i = util_options(argc, argv, "lsdev", "", "", flags);
	if (i != argc)
		util_usage("", "no arguments expected");
	char *text = util_read_file("dev:///devices", TEXT_MAX, &len);
	if (!text) {
		util_error("dev:///devices", errno);
		return UTIL_FAIL;
	}
	printf("%-9s %-20s %-36s %-13s %s\n", "BUS", "WHERE", "DEVICE", "DRIVER", "NAME");
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		print_line(line);
	free(text);
	return 0;
}
