/* SPDX-License-Identifier: MIT */
/*
 * Virtio 1.x (modern, non-legacy) structures shared between drivers and host tests:
 * device status bits, reserved feature bits, the split-virtqueue layout and the
 * PCI transport's capabilities and common configuration. Section numbers are
 * those of virtio 1.2 (in 1.1 the split-virtqueue sections are 2.6.x, not 2.7.x).
 *
 * The names are the specification's own (VIRTIO_, VIRTQ_, struct virtq_desc …)
 * rather than kosh_-prefixed, so that the code reads side by side with the
 * specification. Every field is little-endian on the wire (virtio 1.x, §1.4); both
 * Kosh architectures are little-endian, so fields are plain integers here and a
 * big-endian build fails below rather than misreading the device.
 */
#ifndef KOSH_VIRTIO_H
#define KOSH_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio 1.x structures are little-endian");

/* §2.1 Device Status Field. */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1u
#define VIRTIO_STATUS_DRIVER		 2u
#define VIRTIO_STATUS_DRIVER_OK		 4u
#define VIRTIO_STATUS_FEATURES_OK	 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED		 128u

/*
 * §6 Reserved Feature Bits (bit numbers; VIRTIO_FEATURE(bit) is the mask). Bits
 * 0–23 and 50–127 are device-specific; 24–49 belong to the transport and queues.
 */
#define VIRTIO_FEATURE(bit)		(1ull << (bit))
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34
#define VIRTIO_F_IN_ORDER		35
#define VIRTIO_F_ORDER_PLATFORM		36
#define VIRTIO_F_SR_IOV			37
#define VIRTIO_F_NOTIFICATION_DATA	38
#define VIRTIO_F_NOTIF_CONFIG_DATA	39
#define VIRTIO_F_RING_RESET		40
#define VIRTIO_TRANSPORT_FEATURES_FIRST 24
#define VIRTIO_TRANSPORT_FEATURES_LAST	49
#define VIRTIO_TRANSPORT_FEATURES_MASK                                                             \
	(((1ull << (VIRTIO_TRANSPORT_FEATURES_LAST + 1)) - 1) &                                    \
	 ~((1ull << VIRTIO_TRANSPORT_FEATURES_FIRST) - 1))

/* §5 Device Types: the virtio device ids Kosh has drivers for. */
#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG	4
#define VIRTIO_ID_INPUT 18

/*
 * §2.7 Split Virtqueues. A queue of size N (a power of two, 1..32768) is three
 * parts, each physically contiguous: the descriptor table (Descriptor Area, 16-byte
 * aligned, 16·N bytes), the available ring (Driver Area, 2-byte aligned, 6 + 2·N
 * bytes) and the used ring (Device Area, 4-byte aligned, 6 + 8·N bytes).
 */
#define VIRTQ_SIZE_MAX	    32768u
#define VIRTQ_DESC_ALIGN    16u
#define VIRTQ_AVAIL_ALIGN   2u
#define VIRTQ_USED_ALIGN    4u
#define VIRTQ_DESC_SIZE(n)  (16u * (uint32_t)(n))
#define VIRTQ_AVAIL_SIZE(n) (6u + 2u * (uint32_t)(n))
#define VIRTQ_USED_SIZE(n)  (6u + 8u * (uint32_t)(n))

/* §2.7.5 The Virtqueue Descriptor Table. */
#define VIRTQ_DESC_F_NEXT     1u /* the chain continues in .next */
#define VIRTQ_DESC_F_WRITE    2u /* device-writable (else device-readable) */
#define VIRTQ_DESC_F_INDIRECT 4u /* the buffer is a table of descriptors (§2.7.5.3) */

struct virtq_desc {
	uint64_t addr; /* guest-physical address of the buffer */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(offsetof(struct virtq_desc, len) == 8, "virtq_desc.len at 8");
_Static_assert(offsetof(struct virtq_desc, flags) == 12, "virtq_desc.flags at 12");
_Static_assert(offsetof(struct virtq_desc, next) == 14, "virtq_desc.next at 14");

/*
 * §2.7.6 The Virtqueue Available Ring, written by the driver. ring[N] is followed by
 * used_event (only with VIRTIO_F_EVENT_IDX): the used index at which the driver
 * wants the next interrupt (§2.7.7).
 */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

struct virtq_avail {
	uint16_t flags;
	uint16_t idx; /* free-running: where the driver will put the next entry */
	uint16_t ring[];
};
_Static_assert(sizeof(struct virtq_avail) == 4, "virtq_avail header is 4 bytes");

/*
 * §2.7.8 The Virtqueue Used Ring, written by the device. ring[N] is followed by
 * avail_event (only with VIRTIO_F_EVENT_IDX): the available index at which the
 * device wants the next notification (§2.7.10).
 */
#define VIRTQ_USED_F_NO_NOTIFY 1u

struct virtq_used_elem {
	uint32_t id;  /* head of the chain the device has finished with */
	uint32_t len; /* bytes the device wrote into the chain's writable part */
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is 8 bytes");

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};
_Static_assert(sizeof(struct virtq_used) == 4, "virtq_used header is 4 bytes");
_Static_assert(offsetof(struct virtq_used, ring) == 4, "virtq_used.ring at 4");

/*
 * The event-index rule (§2.7.7, §2.7.10): having moved its index from old to
 * new, a side notifies the other if the other's event index lies in [old, new), all
 * in 16-bit arithmetic.
 */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/*
 * §4.1 Virtio Over PCI Bus. Vendor 0x1af4; a modern device's id is 0x1040 plus its
 * virtio device id (transitional devices use 0x1000..0x103f).
 */
#define VIRTIO_PCI_VENDOR	      0x1af4u
#define VIRTIO_PCI_DEVICE_MODERN(id)  (0x1040u + (id))
#define VIRTIO_PCI_DEVICE_MODERN_LAST 0x107fu

/* §4.1.4 Virtio Structure PCI Capabilities: vendor-specific (id 0x09) capabilities. */
#define VIRTIO_PCI_CAP_VNDR	     0x09u
#define VIRTIO_PCI_CAP_COMMON_CFG    1u
#define VIRTIO_PCI_CAP_NOTIFY_CFG    2u
#define VIRTIO_PCI_CAP_ISR_CFG	     3u
#define VIRTIO_PCI_CAP_DEVICE_CFG    4u
#define VIRTIO_PCI_CAP_PCI_CFG	     5u
#define VIRTIO_PCI_CAP_SHARED_MEMORY 8u
#define VIRTIO_PCI_CAP_VENDOR_CFG    9u

struct virtio_pci_cap {
	uint8_t cap_vndr; /* VIRTIO_PCI_CAP_VNDR */
	uint8_t cap_next; /* config-space offset of the next capability */
	uint8_t cap_len;  /* length of this capability, header included */
	uint8_t cfg_type; /* VIRTIO_PCI_CAP_* */
	uint8_t bar;	  /* 0..5; other values are reserved and must be ignored */
	uint8_t id;	  /* tells apart several capabilities of one type (1.2) */
	uint8_t padding[2];
	uint32_t offset; /* of the structure within the BAR */
	uint32_t length; /* of the structure */
};
_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap is 16 bytes");
_Static_assert(offsetof(struct virtio_pci_cap, offset) == 8, "virtio_pci_cap.offset at 8");

/* §4.1.4.4: queue q is notified at cap.offset + queue_notify_off(q) · multiplier. */
struct virtio_pci_notify_cap {
	struct virtio_pci_cap cap;
	uint32_t notify_off_multiplier;
};
_Static_assert(sizeof(struct virtio_pci_notify_cap) == 20, "virtio_pci_notify_cap is 20 bytes");

/* §4.1.4.5: reading the ISR status byte clears it. */
#define VIRTIO_PCI_ISR_QUEUE  1u
#define VIRTIO_PCI_ISR_CONFIG 2u

/* §4.1.4.3: the value of config_msix_vector/queue_msix_vector that means none. */
#define VIRTIO_PCI_NO_VECTOR 0xffffu

/*
 * §4.1.4.3 Common configuration structure layout. It lives in a BAR: access each
 * field with a single access of its own width (a 64-bit field may be written as two
 * 32-bit halves, low first), through volatile pointers; the struct gives the
 * offsets. queue_notify_data and queue_reset are new in 1.2 (they read as 0 on
 * older devices); sizeof is padded to 64, the structure itself is 60 bytes.
 */
struct virtio_pci_common_cfg {
	/* About the whole device. */
	uint32_t device_feature_select; /* selects 32 bits of device_feature */
	uint32_t device_feature;	/* read-only */
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t config_msix_vector;
	uint16_t num_queues; /* read-only */
	uint8_t device_status;
	uint8_t config_generation; /* read-only */
	/* About the queue named by queue_select. */
	uint16_t queue_select;
	uint16_t queue_size; /* the device's maximum; the driver may lower it */
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;  /* read-only */
	uint64_t queue_desc;	    /* Descriptor Area */
	uint64_t queue_driver;	    /* Driver Area: the available ring */
	uint64_t queue_device;	    /* Device Area: the used ring */
	uint16_t queue_notify_data; /* read-only (1.2) */
	uint16_t queue_reset;	    /* with VIRTIO_F_RING_RESET (1.2) */
};
#define VIRTIO_PCI_COMMON_CFG_LEN 60u
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_feature) == 4, "device_feature");
_Static_assert(offsetof(struct virtio_pci_common_cfg, driver_feature_select) == 8, "dfselect");
_Static_assert(offsetof(struct virtio_pci_common_cfg, driver_feature) == 12, "driver_feature");
_Static_assert(offsetof(struct virtio_pci_common_cfg, config_msix_vector) == 16, "msix_config");
_Static_assert(offsetof(struct virtio_pci_common_cfg, num_queues) == 18, "num_queues");
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_status) == 20, "device_status");
_Static_assert(offsetof(struct virtio_pci_common_cfg, config_generation) == 21, "cfg gen");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_select) == 22, "queue_select");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_size) == 24, "queue_size");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_msix_vector) == 26, "q msix");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_enable) == 28, "queue_enable");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_notify_off) == 30, "notify_off");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_desc) == 32, "queue_desc");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_driver) == 40, "queue_driver");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_device) == 48, "queue_device");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_notify_data) == 56, "notify_data");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_reset) == 58, "queue_reset");

#endif
