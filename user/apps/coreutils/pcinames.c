/* SPDX-License-Identifier: MIT */
/* Names of PCI classes, vendors and devices for lspci and lsdev (see pcinames.h). */
#include "pcinames.h"

#include <stddef.h>

struct subclass_name {
	uint8_t class_code, subclass;
	const char *name;
};

static const char *const class_names[] = {
    [0x00] = "Unclassified device",
    [0x01] = "Mass storage controller",
    [0x02] = "Network controller",
    [0x03] = "Display controller",
    [0x04] = "Multimedia controller",
    [0x05] = "Memory controller",
    [0x06] = "Bridge",
    [0x07] = "Communication controller",
    [0x08] = "Generic system peripheral",
    [0x09] = "Input device controller",
    [0x0a] = "Docking station",
    [0x0b] = "Processor",
    [0x0c] = "Serial bus controller",
    [0x0d] = "Wireless controller",
    [0x0e] = "Intelligent controller",
    [0x0f] = "Satellite communications controller",
    [0x10] = "Encryption controller",
    [0x11] = "Signal processing controller",
    [0x12] = "Processing accelerators",
    [0x13] = "Non-Essential Instrumentation",
};

static const struct subclass_name subclass_names[] = {
    {0x01, 0x01, "IDE interface"},
    {0x01, 0x06, "SATA controller"},
    {0x01, 0x08, "Non-Volatile memory controller"},
    {0x02, 0x00, "Ethernet controller"},
    {0x03, 0x00, "VGA compatible controller"},
    {0x06, 0x00, "Host bridge"},
    {0x06, 0x01, "ISA bridge"},
    {0x06, 0x04, "PCI bridge"},
    {0x07, 0x00, "Serial controller"},
    {0x08, 0x80, "System peripheral"},
    {0x09, 0x00, "Keyboard controller"},
    {0x0c, 0x03, "USB controller"},
    {0x0c, 0x05, "SMBus"},
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
	for (size_t i = 0; i < sizeof(subclass_names) / sizeof(subclass_names[0]); i++)
		if (subclass_names[i].class_code == class_code &&
		    subclass_names[i].subclass == subclass)
			return subclass_names[i].name;
	if (class_code < sizeof(class_names) / sizeof(class_names[0]) && class_names[class_code])
		return class_names[class_code];
	return class_code == 0xff ? "Unassigned class" : "Unknown class";
}

const char *pci_vendor_name(uint16_t vendor)
{
	switch (vendor) {
	case 0x1af4:
		return "Red Hat, Inc.";
	case 0x1b36:
		return "Red Hat, Inc.";
	case 0x8086:
		return "Intel Corporation";
	case 0x1234:
		return "QEMU";
	case 0x10de:
		return "NVIDIA Corporation";
	case 0x1022:
		return "Advanced Micro Devices, Inc.";
	default:
		return NULL;
	}
}

struct device_name {
	uint16_t vendor, device;
	const char *name;
};

static const struct device_name device_names[] = {
    {0x1af4, 0x1000, "Virtio network device"},
    {0x1af4, 0x1001, "Virtio block device"},
    {0x1af4, 0x1002, "Virtio memory balloon"},
    {0x1af4, 0x1003, "Virtio console"},
    {0x1af4, 0x1004, "Virtio SCSI"},
    {0x1af4, 0x1005, "Virtio RNG"},
    {0x1af4, 0x1009, "Virtio filesystem"},
    {0x1af4, 0x1041, "Virtio 1.0 network device"},
    {0x1af4, 0x1042, "Virtio 1.0 block device"},
    {0x1af4, 0x1043, "Virtio 1.0 console"},
    {0x1af4, 0x1044, "Virtio 1.0 RNG"},
    {0x1af4, 0x1045, "Virtio 1.0 memory balloon"},
    {0x1af4, 0x1048, "Virtio 1.0 SCSI"},
    {0x1af4, 0x1050, "Virtio 1.0 GPU"},
    {0x1af4, 0x1052, "Virtio 1.0 input"},
    {0x1af4, 0x1053, "Virtio 1.0 socket"},
    {0x1b36, 0x0008, "PCIe host bridge"},
    {0x1b36, 0x000c, "PCIe root port"},
    {0x1b36, 0x000d, "XHCI host controller"},
    {0x1234, 0x1111, "Standard VGA"},
    {0x1234, 0x11e8, "edu device"},
    {0x8086, 0x29c0, "82G33/G31/P35/P31 Express DRAM Controller"},
    {0x8086, 0x2918, "82801IB (ICH9) LPC Interface Controller"},
    {0x8086, 0x2922, "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]"},
    {0x8086, 0x2930, "82801I (ICH9 Family) SMBus Controller"},
    {0x8086, 0x10d3, "82574L Gigabit Network Connection"},
    {0x8086, 0x100e, "82540EM Gigabit Ethernet Controller"},
    {0x8086, 0x1237, "440FX - 82441FX PMC [Natoma]"},
    {0x8086, 0x7000, "82371SB PIIX3 ISA [Natoma/Triton II]"},
    {0x8086, 0x7010, "82371SB PIIX3 IDE [Natoma/Triton II]"},
    {0x8086, 0x7113, "82371AB/EB/MB PIIX4 ACPI"},
};

const char *pci_device_name(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < sizeof(device_names) / sizeof(device_names[0]); i++)
		if (device_names[i].vendor == vendor && device_names[i].device == device)
			return device_names[i].name;
	return NULL;
}
