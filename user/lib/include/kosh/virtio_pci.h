/* SPDX-License-Identifier: MIT */
/*
 * Virtio 1.x over PCI for userspace drivers (docs/virtio.md, "The PCI
 * transport"): the device devmgr gave the driver (<kosh/proto/dev.h>: the start
 * handles devinfo, cfg, bar<i>, irqs, irq<k>), its capabilities, the status
 * handshake, feature negotiation, split virtqueues in DMA memory, MSI-X
 * vectors, INTx through the ISR, or polling. The ring logic is
 * shared/lib/virtqueue.c and the capability walk shared/lib/pci.c: a driver
 * lists both among its SOURCES.
 *
 * The device is not trusted: everything devinfo, the configuration space and the
 * device's registers say is checked before it is used (a capability outside its
 * BAR, a queue size that is not a power of two, a notify offset past the notify
 * region, a status that does not take …), and the virtqueues check every index
 * and length the device writes. A device that breaks the protocol is reported by
 * name (virtio_pci_strerror, virtq_strerror) and the driver stops or resets it.
 *
 * Order of use (virtio 1.2 §3.1.1):
 *
 *	struct virtio_pci d;
 *	virtio_pci_open(&d, VIRTIO_ID_BLOCK);         maps, checks, resets
 *	virtio_pci_negotiate(&d, wanted, &agreed);    ACKNOWLEDGE, DRIVER, FEATURES_OK
 *	virtio_pci_config_read(&d, off, &v, sizeof v); the device's own configuration
 *	virtio_pci_queue_setup(&d, 0, 128, &q);       each queue, in index order
 *	virtio_pci_ready(&d);                         DRIVER_OK
 *	... virtq_add(&q->vq, ...); virtio_pci_notify(&d, q);
 *	... virtio_pci_wait(&d, timeout, &events)     or, with the notification bound
 *	    to a server's endpoint, virtio_pci_events(&d, bits) on its bits;
 *	    then virtq_get_used(&q->vq, ...) on each queue events names.
 *
 * A restarted driver finds its device as the dead one left it: virtio_pci_open
 * resets it first. One thread uses a struct virtio_pci at a time.
 *
 * Every function returns 0 (or a count) on success, a negative enum
 * virtio_pci_err otherwise, and logs (kosh_printf) why it failed.
 */
#ifndef KOSH_USER_VIRTIO_PCI_H
#define KOSH_USER_VIRTIO_PCI_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/pci.h>
#include <kosh/proto/dev.h>
#include <kosh/virtio.h>
#include <kosh/virtqueue.h>

#define VIRTIO_PCI_QUEUES_MAX 8		      /* queues one driver sets up */
#define VIRTIO_PCI_QUEUE_SIZE_MAX 1024u	      /* a queue's size is capped at this */
#define VIRTIO_PCI_POLL_NS (200u * 1000u)     /* polling: how often the queues are looked at */
#define VIRTIO_PCI_RESET_TIMEOUT_NS 1000000000ull /* a reset that does not finish: an error */

/* What virtio_pci_wait and virtio_pci_events report. */
#define VIRTIO_PCI_EVENT_QUEUE(i) (1ull << (i)) /* queue i may have used buffers */
#define VIRTIO_PCI_EVENT_CONFIG	  (1ull << 62)	/* the device configuration changed */
#define VIRTIO_PCI_EVENT_QUEUES	  ((1ull << VIRTIO_PCI_QUEUES_MAX) - 1)

enum virtio_pci_err {
	VIRTIO_PCI_OK = 0,
	VIRTIO_PCI_E_HANDLES = -1,     /* a start handle is missing (devinfo, cfg, a BAR, irqs …) */
	VIRTIO_PCI_E_DEVINFO = -2,     /* devinfo is not a PCI virtio device's, or is inconsistent */
	VIRTIO_PCI_E_MAP = -3,	       /* a frame could not be mapped (or is smaller than said) */
	VIRTIO_PCI_E_CAPS = -4,	       /* no usable virtio capabilities, or one outside its BAR */
	VIRTIO_PCI_E_RESET = -5,       /* the device did not finish its reset */
	VIRTIO_PCI_E_FEATURES = -6,    /* no VERSION_1, or FEATURES_OK did not take */
	VIRTIO_PCI_E_QUEUE = -7,       /* no such queue, size 0 or not a power of two, bad notify offset */
	VIRTIO_PCI_E_NO_MEMORY = -8,   /* DMA memory or a frame could not be had */
	VIRTIO_PCI_E_IRQ = -9,	       /* the interrupts devinfo describes cannot be set up */
	VIRTIO_PCI_E_STATE = -10,      /* a call out of order (queue after DRIVER_OK …) */
	VIRTIO_PCI_E_RANGE = -11,      /* a device-configuration access outside its region */
	VIRTIO_PCI_E_NEEDS_RESET = -12, /* the device set DEVICE_NEEDS_RESET (or FAILED) */
	VIRTIO_PCI_E_TIMED_OUT = -13,  /* virtio_pci_wait: nothing within the timeout */
	VIRTIO_PCI_E_BROKEN = -14,     /* a queue is broken: the device broke the protocol */
};

/* DMA memory: physically contiguous, zeroed, mapped read/write (cached: virtio is coherent). */
struct virtio_dma {
	void *virt;
	uint64_t phys;
	uint64_t size;	     /* bytes, whole pages (the frame may be larger: a power of two) */
	kosh_handle_t frame; /* 0: none */
};

/* One virtqueue. */
struct virtio_pci_queue {
	struct virtq vq;	  /* the ring: virtq_add, virtq_get_used … on &q->vq */
	uint16_t index;		  /* the device's queue number */
	uint16_t size;		  /* entries (a power of two) */
	uint16_t vector;	  /* MSI-X vector, or VIRTIO_PCI_NO_VECTOR */
	uint16_t notify_data;	  /* what is written to notify (the queue index) */
	volatile uint16_t *notify; /* its notify address */
	struct virtio_dma ring;	  /* the three parts of the ring */
	struct virtq_slot *slots; /* private, from kosh_page_alloc */
	int active;
};

struct virtio_pci {
	char name[KOSH_DEV_NAME_MAX]; /* devinfo's name, "vda" */
	const struct kosh_dev_info *info;
	uint32_t device_id; /* the virtio device id (VIRTIO_ID_*) */
	/* Mappings. */
	volatile uint8_t *cfg;			 /* the 4 KiB ECAM configuration space */
	volatile uint8_t *bar[KOSH_DEV_BARS];	 /* memory BARs (NULL: none) */
	uint64_t bar_size[KOSH_DEV_BARS];
	volatile struct virtio_pci_common_cfg *common;
	volatile uint8_t *isr;
	volatile uint8_t *notify_base;
	uint32_t notify_len, notify_multiplier;
	volatile uint8_t *device_cfg; /* NULL: the device has none */
	uint32_t device_cfg_len;
	struct kosh_pci_virtio caps;
	/* Interrupts. */
	uint32_t irq_kind;			 /* enum kosh_dev_irq_kind as used (NONE: polling) */
	uint32_t irq_count;			 /* handles in irq[] */
	kosh_handle_t irqs;			 /* devinfo's notification (0: polling) */
	kosh_handle_t irq[KOSH_DEV_IRQS_MAX];	 /* irq<k>: acknowledged after each signal */
	uint32_t msix_pos;			 /* MSI-X capability in cfg (0: none used) */
	volatile uint32_t *msix_table;
	uint16_t msix_size;
	uint16_t config_vector;			 /* MSI-X vector of config changes, or NO_VECTOR */
	uint64_t vector_events[KOSH_DEV_IRQS_MAX]; /* bit k of irqs: the events it stands for */
	kosh_handle_t sleeper;			 /* polling: a notification nothing signals */
	/* State. */
	uint64_t features; /* agreed */
	uint16_t num_queues;
	uint8_t status; /* the status bits we set */
	int ready;	/* DRIVER_OK was set */
	struct virtio_pci_queue queue[VIRTIO_PCI_QUEUES_MAX];
};

/*
 * Find the device from the start handles, check devinfo (magic, version, a PCI
 * virtio function of device type device_id — modern id 0x1040 + id or
 * transitional), map cfg and the memory BARs, find the virtio capabilities in a
 * copy of cfg, check every region lies inside its BAR, enable memory space and
 * bus mastering, reset the device and wait for the reset to finish, and set up
 * the interrupts devinfo describes (MSI-X table entries written and enabled,
 * INTx, or polling when there are none).
 */
int virtio_pci_open(struct virtio_pci *d, uint32_t device_id);

/*
 * ACKNOWLEDGE, DRIVER, then features: *agreed = the device's ∩ wanted (with the
 * transport bits virtqueue.c implements; VIRTIO_F_VERSION_1 is added to wanted
 * and required), FEATURES_OK written and read back. agreed may be NULL
 * (d->features holds it).
 */
int virtio_pci_negotiate(struct virtio_pci *d, uint64_t wanted, uint64_t *agreed);

/*
 * The device's own configuration (§4.1.4.6): len bytes at offset, read with
 * accesses of the field's width (len 1, 2, 4; 8 as two 4-byte reads), repeated
 * until config_generation is stable. VIRTIO_PCI_E_RANGE outside the region.
 */
int virtio_pci_config_read(struct virtio_pci *d, uint32_t offset, void *out, uint32_t len);
int virtio_pci_config_write(struct virtio_pci *d, uint32_t offset, const void *in, uint32_t len);

/*
 * Set up queue index (after negotiate, before ready) with at most max_size
 * entries (the device's size if smaller; capped at VIRTIO_PCI_QUEUE_SIZE_MAX):
 * DMA memory for the ring, virtq_init, its MSI-X vector, the addresses, enable.
 * *out is &d->queue[index] (index < VIRTIO_PCI_QUEUES_MAX).
 */
int virtio_pci_queue_setup(struct virtio_pci *d, uint16_t index, uint32_t max_size,
			   struct virtio_pci_queue **out);

/* DRIVER_OK: the device is live. */
int virtio_pci_ready(struct virtio_pci *d);

/* Notify the device of the chains added to q, if virtq_need_notify says so. */
void virtio_pci_notify(struct virtio_pci *d, struct virtio_pci_queue *q);

/*
 * The notification the device's interrupts arrive on (devinfo's irqs): a server
 * binds it to its endpoint (KOSH_E_ALREADY_EXISTS from a restart is fine) and
 * passes the bits it receives to virtio_pci_events. 0 when the device has no
 * interrupt (KOSH_DEV_IRQ_NONE): the server then polls, calling
 * virtio_pci_events(d, 0) from its loop's idle hook (idle_ns =
 * VIRTIO_PCI_POLL_NS) and after each message.
 */
kosh_handle_t virtio_pci_notification(const struct virtio_pci *d);

/*
 * What bits of the notification mean: VIRTIO_PCI_EVENT_QUEUE(i) for each queue
 * that may have used buffers, VIRTIO_PCI_EVENT_CONFIG. Reads the ISR for INTx
 * (which clears it) and acknowledges the interrupts (irq_ack). When polling,
 * every queue set up, whatever bits are. Interrupts are hints: the driver
 * drains each queue named, finding nothing is fine.
 */
uint64_t virtio_pci_events(struct virtio_pci *d, uint64_t bits);

/*
 * Wait up to timeout_ns for an interrupt (or a poll tick) and give its events in
 * *events: 0, VIRTIO_PCI_E_TIMED_OUT, or VIRTIO_PCI_E_NEEDS_RESET when the
 * device asked to be reset.
 */
int virtio_pci_wait(struct virtio_pci *d, uint64_t timeout_ns, uint64_t *events);

/*
 * A queue is broken (a virtq call returned a negative error): log the named
 * error and the offending values, mark the device FAILED. The driver then
 * exits (init restarts it) or calls virtio_pci_reset and sets up again.
 */
void virtio_pci_report_broken(struct virtio_pci *d, struct virtio_pci_queue *q, int err);

/*
 * Reset the device (device_status 0, waited for) so it no longer touches the
 * rings; the queues stay allocated for virtq_reclaim, and a set-up starts over
 * at virtio_pci_negotiate (queue_setup reuses their memory).
 */
int virtio_pci_reset(struct virtio_pci *d);

/* 1 if the device set DEVICE_NEEDS_RESET or FAILED. */
int virtio_pci_needs_reset(struct virtio_pci *d);

/* DMA memory of size bytes from the process's quota (physically contiguous). */
int virtio_dma_alloc(uint64_t size, struct virtio_dma *out);
void virtio_dma_free(struct virtio_dma *dma);

/* English text of an enum virtio_pci_err. */
const char *virtio_pci_strerror(int err);

#endif
