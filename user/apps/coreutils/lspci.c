/* SPDX-License-Identifier: MIT */
/*
 * lspci: the PCI functions the driver manager found, from dev:///pci
 * (docs/devices.md, "dev://"), one line each as Linux's lspci prints them,
 * with the driver and device name that own it:
 *
 *   00:02.0 Mass storage controller [0100]: Red Hat, Inc. Virtio block device [1af4:1042]
 * (virtio-blk vda)
 *
 * lspci -n: numbers only. The segment is shown when it is not 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcinames.h"
#include "util.h"

#define TEXT_MAX (64u << 10)

static void print_line(const char *line, int numeric)
{
	unsigned seg, bus, dev, fn, vendor, device, cls, sub, pif;
	char driver[64], name[32];
	if (sscanf(line, "%x:%x:%x.%u %x:%x %x:%x:%x %63s %31s", &seg, &bus, &dev, &fn, &vendor,
		   &device, &cls, &sub, &pif, driver, name) != 11) {
		util_say("lspci: a line I cannot read: %s", line);
		return;
	}
	if (seg)
		printf("%04x:", seg);
	printf("%02x:%02x.%u ", bus, dev, fn);
	const char *vname = pci_vendor_name((uint16_t)vendor);
	const char *dname = pci_device_name((uint16_t)vendor, (uint16_t)device);
	if (numeric)
		printf("%02x%02x: %04x:%04x", cls, sub, vendor, device);
	else
		printf("%s [%02x%02x]: %s%s%s [%04x:%04x]",
		       pci_class_name((uint8_t)cls, (uint8_t)sub), cls, sub,
		       vname ? vname : "Device", dname ? " " : "", dname ? dname : "", vendor,
		       device);
	if (strcmp(driver, "-") != 0)
		printf(" (%s%s%s)", driver, strcmp(name, "-") ? " " : "",
		       strcmp(name, "-") ? name : "");
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned char flags[128];
	size_t len;
	int i = util_options(argc, argv, "lspci", "n", "[-n]", flags);
	if (i != argc)
		util_usage("[-n]", "no arguments expected");
	char *text = util_read_file("dev:///pci", TEXT_MAX, &len);
	if (!text) {
		util_error("dev:///pci", errno);
		return UTIL_FAIL;
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		print_line(line, flags['n']);
	free(text);
	return 0;
}
