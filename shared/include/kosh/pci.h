/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space, read from a copy of it (shared/lib/pci.c): the
 * type-0 header, the capability list and the PCI Express extended capabilities,
 * and the two capabilities the drivers need, MSI-X and virtio's (virtio 1.2
 * §4.1.4). The bytes come from a device, so every pointer is checked (after
 * masking the two reserved low bits, as the specification says): a list that
 * points into the header, outside the space, or back at itself ends the walk
 * with an error, never a read out of bounds or a loop. devmgr reads a device's space through ECAM into a buffer and hands it
 * here; the host tests hand it dumps of real devices (test/unit/data/pci/).
 */
#ifndef KOSH_PCI_H
#define KOSH_PCI_H

#include <stddef.h>
#include <stdint.h>

#define KOSH_PCI_CFG_SIZE     256u  /* conventional configuration space */
#define KOSH_PCI_CFG_EXT_SIZE 4096u /* PCI Express, through ECAM */
#define KOSH_PCI_BARS	      6u

/* Capability ids (PCI Local Bus 3.0 / PCI Code and ID Assignment). */
#define KOSH_PCI_CAP_MSI    0x05u
#define KOSH_PCI_CAP_VENDOR 0x09u
#define KOSH_PCI_CAP_PCIE   0x10u
#define KOSH_PCI_CAP_MSIX   0x11u

enum kosh_pci_error {
	KOSH_PCI_OK = 0,
	KOSH_PCI_SHORT,       /* the buffer is shorter than a header */
	KOSH_PCI_ABSENT,      /* vendor 0xffff: no function there */
	KOSH_PCI_NOT_TYPE0,   /* a bridge or another header layout */
	KOSH_PCI_BAD_POINTER, /* a capability pointer into the header, past the end, or unaligned */
	KOSH_PCI_LOOP,        /* a capability list that comes back to itself */
	KOSH_PCI_BAD_CAP,     /* a capability too short or with impossible fields */
	KOSH_PCI_NOT_FOUND,
};

struct kosh_pci_header {
	uint16_t vendor, device;
	uint8_t revision, prog_if, subclass, class_code;
	uint8_t header_type;  /* without the multi-function bit */
	uint8_t multifunction;
	uint16_t command, status;
	uint16_t subsystem_vendor, subsystem;
	uint8_t interrupt_line, interrupt_pin; /* pin 0: none, 1..4: INTA..INTD */
	uint32_t bar[KOSH_PCI_BARS];           /* as read (type-0 headers only) */
};

/* The header of a configuration space of len bytes (>= 64). */
enum kosh_pci_error kosh_pci_header(const uint8_t *cfg, size_t len, struct kosh_pci_header *out);

/*
 * Walking the capability list: start with *pos = 0; each call gives the next
 * capability's offset in *pos and its id, until KOSH_PCI_NOT_FOUND at the end or
 * an error. seen must be zeroed before the first call (a loop guard).
 */
struct kosh_pci_walk {
	uint32_t pos;
	uint32_t count;
	uint8_t seen[KOSH_PCI_CFG_SIZE / 32]; /* a bit per dword of the space */
};
enum kosh_pci_error kosh_pci_cap_next(const uint8_t *cfg, size_t len, struct kosh_pci_walk *w,
				      uint8_t *id);

/* The same for the extended capabilities at 0x100 and up (len 4096): 16-bit ids. */
struct kosh_pci_ext_walk {
	uint32_t pos;
	uint32_t count;
	uint8_t seen[KOSH_PCI_CFG_EXT_SIZE / 32];
};
enum kosh_pci_error kosh_pci_ext_cap_next(const uint8_t *cfg, size_t len,
					  struct kosh_pci_ext_walk *w, uint16_t *id,
					  uint8_t *version);

/* The first capability with this id: its offset in *pos. */
enum kosh_pci_error kosh_pci_find_cap(const uint8_t *cfg, size_t len, uint8_t id, uint32_t *pos);

struct kosh_pci_msix {
	uint32_t pos;        /* of the capability */
	uint16_t table_size; /* vectors, 1 .. 2048 */
	uint8_t table_bar, pba_bar;
	uint32_t table_offset, pba_offset;
	uint8_t enabled, masked;
};
enum kosh_pci_error kosh_pci_msix(const uint8_t *cfg, size_t len, struct kosh_pci_msix *out);

/* Where one virtio structure lives: in BAR bar, at offset, length bytes. */
struct kosh_pci_virtio_region {
	uint8_t present;
	uint8_t bar;
	uint32_t offset, length;
};

/* virtio's vendor capabilities (virtio 1.2 §4.1.4): the first usable one of each type. */
struct kosh_pci_virtio {
	struct kosh_pci_virtio_region common, notify, isr, device;
	uint32_t notify_multiplier; /* bytes between queues' notify addresses */
};
/* KOSH_PCI_NOT_FOUND unless common, notify and isr are all there. */
enum kosh_pci_error kosh_pci_virtio(const uint8_t *cfg, size_t len, struct kosh_pci_virtio *out);

/* English text of an error. */
const char *kosh_pci_strerror(enum kosh_pci_error e);

#endif
