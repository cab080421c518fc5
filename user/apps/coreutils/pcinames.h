/* SPDX-License-Identifier: MIT */
/*
 * Names for what lspci and lsdev print: PCI class codes (PCI Code and ID
 * Assignment 1.11), a few vendors, and the devices QEMU and virtio give us.
 * Anything not listed is printed by number only.
 */
#ifndef KOSH_COREUTILS_PCINAMES_H
#define KOSH_COREUTILS_PCINAMES_H

#include <stdint.h>

/* "Mass storage controller", or the class's generic name, or "Unknown class". */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);

/* "Red Hat, Inc.", or NULL. */
const char *pci_vendor_name(uint16_t vendor);

/* "Virtio block device", or NULL. */
const char *pci_device_name(uint16_t vendor, uint16_t device);

#endif
