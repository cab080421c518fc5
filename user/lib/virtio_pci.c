/* SPDX-License-Identifier: MIT */
/*
 * Virtio 1.x over PCI (<kosh/virtio_pci.h>, docs/virtio.md "The PCI
 * transport"). The device's registers are reached through volatile pointers
 * into the BAR frames devmgr gave us, each access of its field's own width
 * (§4.1.3.1); the configuration space through the cfg frame, read once into
 * a copy that shared/lib/pci.c walks.
 */
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/virtio_pci.h>

#define BAR_MAP_MAX	(64ull << 20) /* larger BARs are not mapped (virtio's are KiBs) */
#define COMMON_LEN_MIN	56u	      /* a 1.0/1.1 common configuration (1.2 adds 4 bytes) */
#define PCI_COMMAND	0x04u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u
#define PCI_COMMAND_INTX_DISABLE 0x0400u
#define MSIX_CONTROL_ENABLE 0x8000u
#define MSIX_CONTROL_MASK   0x4000u
#define MSIX_ENTRY_WORDS    4u /* address low, high, data, vector control */
#define MSIX_VECTOR_MASKED  1u

static const char *const errors[] = {
	[0] = "success",
	[1] = "a start handle is missing",
	[2] = "devinfo does not describe this virtio PCI device",
	[3] = "a frame could not be mapped",
	[4] = "no usable virtio capabilities",
	[5] = "the device did not finish its reset",
	[6] = "feature negotiation failed",
	[7] = "bad queue",
	[8] = "out of memory",
	[9] = "the interrupts cannot be set up",
	[10] = "call out of order",
	[11] = "device configuration access out of range",
	[12] = "the device needs a reset",
	[13] = "timed out",
	[14] = "the device broke the virtqueue protocol",
};

const char *virtio_pci_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(errors) / sizeof(errors[0])))
		return "unknown error";
	return errors[-err];
}

/* Log "<device>: <text>" and return err. */
static int fail(struct virtio_pci *d, int err, const char *what)
{
	kosh_printf("%s: %s: %s", d->name[0] ? d->name : "virtio", what, virtio_pci_strerror(err));
	return err;
}

/*
 * Register access. A full fence around each access keeps them in program order
 * and unmerged even if a BAR was mapped write-combining (devmgr maps
 * prefetchable BARs so, and virtio's BAR often is one): on x86-64 mfence drains
 * the write-combining buffers, on AArch64 dmb orders Normal non-cacheable
 * accesses. Registers are touched a handful of times per request, so the cost
 * does not show.
 */
#define FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
static inline uint8_t rd8(volatile void *p)
{
	FENCE();
	return *(volatile uint8_t *)p;
}
static inline uint16_t rd16(volatile void *p)
{
	FENCE();
	return *(volatile uint16_t *)p;
}
static inline uint32_t rd32(volatile void *p)
{
	FENCE();
	return *(volatile uint32_t *)p;
}
static inline void wr8(volatile void *p, uint8_t v)
{
	FENCE();
	*(volatile uint8_t *)p = v;
	FENCE();
}
static inline void wr16(volatile void *p, uint16_t v)
{
	FENCE();
	*(volatile uint16_t *)p = v;
	FENCE();
}
static inline void wr32(volatile void *p, uint32_t v)
{
	FENCE();
	*(volatile uint32_t *)p = v;
	FENCE();
}
/* A 64-bit field as two 32-bit halves, low first (§4.1.3.1). */
static inline void wr64(volatile void *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32((volatile uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#define COMMON(d, field) ((volatile void *)&(d)->common->field)

/* Sleep about ns: on a notification nothing signals, else by yielding. */
static void nap(struct virtio_pci *d, uint64_t ns)
{
	uint64_t bits;
	if (!d->sleeper && kosh_self()->quota) {
		int64_t h = kosh_notification_create(kosh_self()->quota);
		if (h > 0)
			d->sleeper = (kosh_handle_t)h;
	}
	if (d->sleeper) {
		kosh_err_t err = kosh_notify_wait(d->sleeper, ns, &bits);
		if (err == KOSH_E_TIMED_OUT || err == KOSH_OK)
			return;
	}
	uint64_t end = (uint64_t)kosh_clock_get() + ns;
	while ((uint64_t)kosh_clock_get() < end)
		kosh_yield();
}

static void set_status(struct virtio_pci *d, uint8_t bits)
{
	d->status |= bits;
	wr8(COMMON(d, device_status), d->status);
}

int virtio_pci_needs_reset(struct virtio_pci *d)
{
	if (!d->common)
		return 0;
	uint8_t s = rd8(COMMON(d, device_status));
	return (s & (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED)) != 0;
}

int virtio_pci_reset(struct virtio_pci *d)
{
	if (!d->common)
		return fail(d, VIRTIO_PCI_E_STATE, "reset before open");
	wr8(COMMON(d, device_status), 0);
	d->status = 0;
	d->ready = 0;
	/* §4.1.4.3.2: the reset is done when device_status reads 0. */
	uint64_t start = (uint64_t)kosh_clock_get();
	while (rd8(COMMON(d, device_status)) != 0) {
		if ((uint64_t)kosh_clock_get() - start > VIRTIO_PCI_RESET_TIMEOUT_NS)
			return fail(d, VIRTIO_PCI_E_RESET, "reset");
		nap(d, 100000);
	}
	return 0;
}

/* DMA memory. */
int virtio_dma_alloc(uint64_t size, struct virtio_dma *out)
{
	*out = (struct virtio_dma){ 0 };
	size = kosh_page_round(size);
	if (!size || size > (1ull << 30) || !kosh_self()->quota)
		return VIRTIO_PCI_E_NO_MEMORY;
	int64_t h = kosh_frame_create(kosh_self()->quota, size, 0);
	if (h < 0)
		return VIRTIO_PCI_E_NO_MEMORY;
	int64_t phys = kosh_frame_phys((kosh_handle_t)h);
	kosh_err_t err;
	void *va = phys < 0 ? NULL
			    : kosh_frame_map((kosh_handle_t)h, 0, size,
					     KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!va) {
		kosh_handle_close((kosh_handle_t)h);
		return VIRTIO_PCI_E_NO_MEMORY;
	}
	*out = (struct virtio_dma){ va, (uint64_t)phys, size, (kosh_handle_t)h };
	return 0;
}

void virtio_dma_free(struct virtio_dma *dma)
{
	if (dma->frame) {
		(void)kosh_frame_unmap(dma->virt, dma->size);
		kosh_handle_close(dma->frame);
	}
	*dma = (struct virtio_dma){ 0 };
}

/* devinfo: a PCI virtio function of this type, sane fields. */
static int check_info(struct virtio_pci *d, const struct kosh_dev_info *in, uint32_t device_id)
{
	if (in->magic != KOSH_DEV_INFO_MAGIC || in->version != KOSH_DEV_INFO_VERSION)
		return fail(d, VIRTIO_PCI_E_DEVINFO, "devinfo magic or version");
	uint32_t n = 0;
	while (n < KOSH_DEV_NAME_MAX && in->name[n])
		n++;
	if (n == 0 || n == KOSH_DEV_NAME_MAX)
		return fail(d, VIRTIO_PCI_E_DEVINFO, "devinfo name");
	for (uint32_t i = 0; i < n; i++)
		if (!((in->name[i] >= 'a' && in->name[i] <= 'z') ||
		      (in->name[i] >= '0' && in->name[i] <= '9')))
			return fail(d, VIRTIO_PCI_E_DEVINFO, "devinfo name");
	memcpy(d->name, in->name, n + 1);
	if (in->bus != KOSH_DEV_BUS_PCI || in->vendor != VIRTIO_PCI_VENDOR)
		return fail(d, VIRTIO_PCI_E_DEVINFO, "not a virtio PCI function");
	/* Modern ids are 0x1040 + type; transitional ones 0x1000.. carry the type as subsystem. */
	int modern = in->device == VIRTIO_PCI_DEVICE_MODERN(device_id);
	int transitional = in->device >= 0x1000 && in->device <= 0x103f &&
			   in->subsystem == device_id;
	if (!modern && !transitional) {
		kosh_printf("%s: device %04x (subsystem %04x) is not virtio type %u", d->name,
			    in->device, in->subsystem, device_id);
		return VIRTIO_PCI_E_DEVINFO;
	}
	if (in->irq_kind > KOSH_DEV_IRQ_LINE || in->irq_count > KOSH_DEV_IRQS_MAX)
		return fail(d, VIRTIO_PCI_E_DEVINFO, "devinfo interrupts");
	for (int i = 0; i < KOSH_DEV_BARS; i++) {
		const struct kosh_dev_bar *b = &in->bars[i];
		if (b->size && (b->size & (b->size - 1)))
			return fail(d, VIRTIO_PCI_E_DEVINFO, "a BAR size is not a power of two");
	}
	d->device_id = device_id;
	return 0;
}

/* Map size bytes of the frame the start page names with rights; NULL if absent. */
static volatile uint8_t *map_handle(struct virtio_pci *d, const char *name, uint64_t size,
				    uint32_t rights, int *err)
{
	uint64_t value = 0;
	kosh_handle_t h = kosh_start_handle(name, &value);
	if (!h) {
		*err = VIRTIO_PCI_E_HANDLES;
		return NULL;
	}
	if (value && value < size) {
		kosh_printf("%s: %s is %llu bytes, %llu expected", d->name, name,
			    (unsigned long long)value, (unsigned long long)size);
		*err = VIRTIO_PCI_E_MAP;
		return NULL;
	}
	kosh_err_t e;
	void *va = kosh_frame_map(h, 0, kosh_page_round(size), rights, &e);
	if (!va) {
		kosh_printf("%s: cannot map %s: %s", d->name, name, kosh_strerror(e));
		*err = VIRTIO_PCI_E_MAP;
		return NULL;
	}
	return va;
}

/* A virtio structure inside a mapped BAR, at least min bytes; its address or NULL. */
static volatile uint8_t *region(struct virtio_pci *d, const struct kosh_pci_virtio_region *r,
				uint32_t min, const char *what)
{
	if (!r->present)
		return NULL;
	if (r->bar >= KOSH_DEV_BARS || !d->bar[r->bar] || r->length < min ||
	    (uint64_t)r->offset + r->length > d->bar_size[r->bar]) {
		kosh_printf("%s: the %s structure (BAR %u, %u bytes at 0x%x) is not inside a "
			    "memory BAR",
			    d->name, what, r->bar, r->length, r->offset);
		return NULL;
	}
	return d->bar[r->bar] + r->offset;
}

/* MSI-X: devinfo's messages into table entries 0 .. n-1, the rest masked, enabled. */
static int setup_msix(struct virtio_pci *d, const uint8_t *copy)
{
	const struct kosh_dev_info *in = d->info;
	struct kosh_pci_msix m;
	enum kosh_pci_error pe = kosh_pci_msix(copy, KOSH_PCI_CFG_EXT_SIZE, &m);
	if (pe != KOSH_PCI_OK) {
		kosh_printf("%s: MSI-X capability: %s", d->name, kosh_pci_strerror(pe));
		return VIRTIO_PCI_E_IRQ;
	}
	uint64_t table_len = (uint64_t)m.table_size * MSIX_ENTRY_WORDS * 4;
	if (m.table_bar >= KOSH_DEV_BARS || !d->bar[m.table_bar] || (m.table_offset & 7) ||
	    (uint64_t)m.table_offset + table_len > d->bar_size[m.table_bar]) {
		kosh_printf("%s: the MSI-X table (BAR %u at 0x%x) is not inside a memory BAR",
			    d->name, m.table_bar, m.table_offset);
		return VIRTIO_PCI_E_IRQ;
	}
	uint32_t n = in->irq_count < m.table_size ? in->irq_count : m.table_size;
	d->msix_pos = m.pos;
	d->msix_size = m.table_size;
	d->msix_table = (volatile uint32_t *)(d->bar[m.table_bar] + m.table_offset);
	/* Masked as a whole while the table is written (PCI 3.0 §6.8.2). */
	volatile uint16_t *control = (volatile uint16_t *)(d->cfg + m.pos + 2);
	wr16(control, (uint16_t)((rd16(control) | MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASK)));
	for (uint32_t k = 0; k < m.table_size; k++) {
		volatile uint32_t *e = d->msix_table + k * MSIX_ENTRY_WORDS;
		if (k < n) {
			wr32(&e[0], (uint32_t)in->msi[k].address);
			wr32(&e[1], (uint32_t)(in->msi[k].address >> 32));
			wr32(&e[2], in->msi[k].data);
			wr32(&e[3], 0);
		} else {
			wr32(&e[3], MSIX_VECTOR_MASKED);
		}
	}
	wr16(control, (uint16_t)((rd16(control) | MSIX_CONTROL_ENABLE) & ~MSIX_CONTROL_MASK));
	d->irq_count = n;
	/* Config changes on vector 0; queues share the others (or vector 0 if it is alone). */
	d->config_vector = 0;
	d->vector_events[0] = VIRTIO_PCI_EVENT_CONFIG;
	return 0;
}

/* Interrupt handles and the way interrupts come, from devinfo. */
static int setup_irqs(struct virtio_pci *d, const uint8_t *copy)
{
	const struct kosh_dev_info *in = d->info;
	d->config_vector = VIRTIO_PCI_NO_VECTOR;
	d->irq_kind = in->irq_count ? in->irq_kind : KOSH_DEV_IRQ_NONE;
	if (d->irq_kind == KOSH_DEV_IRQ_LINE) /* platform devices only */
		return fail(d, VIRTIO_PCI_E_DEVINFO, "devinfo interrupts");
	if (d->irq_kind == KOSH_DEV_IRQ_NONE) {
		kosh_printf("%s: no interrupt: polling every %u us", d->name,
			    VIRTIO_PCI_POLL_NS / 1000);
		return 0;
	}
	d->irqs = kosh_start_handle("irqs", NULL);
	if (!d->irqs)
		return fail(d, VIRTIO_PCI_E_HANDLES, "no irqs");
	uint32_t count = d->irq_kind == KOSH_DEV_IRQ_INTX ? 1 : in->irq_count;
	for (uint32_t k = 0; k < count; k++) {
		char name[8] = "irq";
		name[3] = (char)('0' + k);
		d->irq[k] = kosh_start_handle(name, NULL);
		if (!d->irq[k])
			return fail(d, VIRTIO_PCI_E_HANDLES, "an irq<k> handle is missing");
	}
	d->irq_count = count;
	if (d->irq_kind == KOSH_DEV_IRQ_INTX)
		return 0;
	return setup_msix(d, copy);
}

int virtio_pci_open(struct virtio_pci *d, uint32_t device_id)
{
	int err = 0;
	*d = (struct virtio_pci){ 0 };
	for (int i = 0; i < VIRTIO_PCI_QUEUES_MAX; i++)
		d->queue[i].vector = VIRTIO_PCI_NO_VECTOR;
	const volatile uint8_t *page = map_handle(d, "devinfo", sizeof(struct kosh_dev_info),
						  KOSH_RIGHT_READ, &err);
	if (!page)
		return fail(d, err, "devinfo");
	/* A copy: the page is devmgr's to describe, ours to check once. */
	static struct kosh_dev_info info;
	memcpy(&info, (const void *)page, sizeof(info));
	d->info = &info;
	if ((err = check_info(d, &info, device_id)))
		return err;
	d->cfg = map_handle(d, "cfg", KOSH_PCI_CFG_EXT_SIZE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE,
			    &err);
	if (!d->cfg)
		return fail(d, err, "cfg");
	static uint8_t copy[KOSH_PCI_CFG_EXT_SIZE];
	for (uint32_t off = 0; off < KOSH_PCI_CFG_EXT_SIZE; off += 4) {
		uint32_t v = rd32(d->cfg + off);
		memcpy(copy + off, &v, 4);
	}
	struct kosh_pci_header hdr;
	enum kosh_pci_error pe = kosh_pci_header(copy, sizeof(copy), &hdr);
	if (pe != KOSH_PCI_OK || hdr.vendor != info.vendor || hdr.device != info.device) {
		kosh_printf("%s: the configuration space is not devinfo's function (%s)", d->name,
			    pe ? kosh_pci_strerror(pe) : "other ids");
		return VIRTIO_PCI_E_DEVINFO;
	}
	for (int i = 0; i < KOSH_DEV_BARS; i++) {
		const struct kosh_dev_bar *b = &info.bars[i];
		if (!(b->flags & KOSH_DEV_BAR_MEM) || !b->size || b->size > BAR_MAP_MAX)
			continue;
		char name[5] = "bar";
		name[3] = (char)('0' + i);
		d->bar[i] = map_handle(d, name, b->size, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
		if (!d->bar[i])
			continue; /* an error only if a structure lies there (below) */
		d->bar_size[i] = b->size;
	}
	pe = kosh_pci_virtio(copy, sizeof(copy), &d->caps);
	if (pe != KOSH_PCI_OK) {
		kosh_printf("%s: virtio capabilities: %s", d->name, kosh_pci_strerror(pe));
		return VIRTIO_PCI_E_CAPS;
	}
	d->common = (volatile struct virtio_pci_common_cfg *)region(d, &d->caps.common,
								     COMMON_LEN_MIN, "common");
	d->isr = region(d, &d->caps.isr, 1, "ISR");
	d->notify_base = region(d, &d->caps.notify, 2, "notify");
	d->notify_len = d->caps.notify.length;
	d->notify_multiplier = d->caps.notify_multiplier;
	if (d->caps.device.present) {
		d->device_cfg = region(d, &d->caps.device, 1, "device");
		d->device_cfg_len = d->device_cfg ? d->caps.device.length : 0;
	}
	if (!d->common || !d->isr || !d->notify_base ||
	    (d->caps.device.present && !d->device_cfg))
		return VIRTIO_PCI_E_CAPS;
	/* Memory space and bus mastering; INTx off unless it is what we use. */
	volatile uint16_t *command = (volatile uint16_t *)(d->cfg + PCI_COMMAND);
	uint16_t cmd = rd16(command) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (info.irq_kind == KOSH_DEV_IRQ_INTX && info.irq_count)
		cmd &= (uint16_t)~PCI_COMMAND_INTX_DISABLE;
	else
		cmd |= PCI_COMMAND_INTX_DISABLE;
	wr16(command, cmd);
	if ((err = virtio_pci_reset(d)))
		return err;
	if ((err = setup_irqs(d, copy)))
		return err;
	d->num_queues = rd16(COMMON(d, num_queues));
	return 0;
}

int virtio_pci_negotiate(struct virtio_pci *d, uint64_t wanted, uint64_t *agreed)
{
	if (!d->common || d->ready)
		return fail(d, VIRTIO_PCI_E_STATE, "negotiate");
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	wr32(COMMON(d, device_feature_select), 0);
	uint64_t device = rd32(COMMON(d, device_feature));
	wr32(COMMON(d, device_feature_select), 1);
	device |= (uint64_t)rd32(COMMON(d, device_feature)) << 32;
	uint64_t accepted;
	int r = virtio_negotiate(device, wanted | VIRTIO_FEATURE(VIRTIO_F_VERSION_1), &accepted);
	if (r) {
		set_status(d, VIRTIO_STATUS_FAILED);
		kosh_printf("%s: features 0x%llx: %s", d->name, (unsigned long long)device,
			    virtq_strerror(r));
		return VIRTIO_PCI_E_FEATURES;
	}
	wr32(COMMON(d, driver_feature_select), 0);
	wr32(COMMON(d, driver_feature), (uint32_t)accepted);
	wr32(COMMON(d, driver_feature_select), 1);
	wr32(COMMON(d, driver_feature), (uint32_t)(accepted >> 32));
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd8(COMMON(d, device_status)) & VIRTIO_STATUS_FEATURES_OK)) {
		set_status(d, VIRTIO_STATUS_FAILED);
		return fail(d, VIRTIO_PCI_E_FEATURES, "FEATURES_OK not taken");
	}
	d->features = accepted;
	if (agreed)
		*agreed = accepted;
	if (d->irq_kind == KOSH_DEV_IRQ_MSIX) {
		wr16(COMMON(d, config_msix_vector), d->config_vector);
		if (rd16(COMMON(d, config_msix_vector)) != d->config_vector) {
			kosh_printf("%s: no MSI-X vector for configuration changes", d->name);
			d->config_vector = VIRTIO_PCI_NO_VECTOR;
		}
	}
	return 0;
}

/* The largest power of two not above n (n >= 1). */
static uint32_t pow2_floor(uint32_t n)
{
	uint32_t p = 1;
	while (p <= n / 2)
		p *= 2;
	return p;
}

int virtio_pci_queue_setup(struct virtio_pci *d, uint16_t index, uint32_t max_size,
			   struct virtio_pci_queue **out)
{
	if (!d->common || d->ready || !(d->status & VIRTIO_STATUS_FEATURES_OK))
		return fail(d, VIRTIO_PCI_E_STATE, "queue set-up");
	if (index >= VIRTIO_PCI_QUEUES_MAX || index >= d->num_queues || !max_size) {
		kosh_printf("%s: queue %u: the device has %u queues", d->name, index,
			    d->num_queues);
		return VIRTIO_PCI_E_QUEUE;
	}
	struct virtio_pci_queue *q = &d->queue[index];
	wr16(COMMON(d, queue_select), index);
	uint32_t dev_size = rd16(COMMON(d, queue_size));
	if (!dev_size || rd16(COMMON(d, queue_enable))) {
		kosh_printf("%s: queue %u: size %u%s", d->name, index, dev_size,
			    dev_size ? ", already enabled" : "");
		return VIRTIO_PCI_E_QUEUE;
	}
	uint32_t size = dev_size < max_size ? dev_size : max_size;
	if (size > VIRTIO_PCI_QUEUE_SIZE_MAX)
		size = VIRTIO_PCI_QUEUE_SIZE_MAX;
	size = pow2_floor(size);
	/* The notify address: offset · multiplier must leave room for the 16-bit write. */
	uint64_t off = (uint64_t)rd16(COMMON(d, queue_notify_off)) * d->notify_multiplier;
	if (off + 2 > d->notify_len) {
		kosh_printf("%s: queue %u: notify offset %llu past the %u-byte region", d->name,
			    index, (unsigned long long)off, d->notify_len);
		return VIRTIO_PCI_E_QUEUE;
	}
	q->notify = (volatile uint16_t *)(d->notify_base + off);
	q->notify_data = index;
	/* Ring memory and slots for the largest queue we allow, kept across resets. */
	size_t bytes = virtq_layout(size, NULL, 0, NULL);
	if (q->ring.frame && q->ring.size < bytes)
		virtio_dma_free(&q->ring);
	if (!q->ring.frame && virtio_dma_alloc(bytes, &q->ring))
		return fail(d, VIRTIO_PCI_E_NO_MEMORY, "queue ring");
	if (!q->slots)
		q->slots = kosh_page_alloc(VIRTIO_PCI_QUEUE_SIZE_MAX * sizeof(struct virtq_slot));
	if (!q->slots)
		return fail(d, VIRTIO_PCI_E_NO_MEMORY, "queue slots");
	struct virtq_mem mem;
	virtq_layout(size, q->ring.virt, q->ring.phys, &mem);
	int r = virtq_init(&q->vq, size, &mem, q->slots, d->features);
	if (r) {
		kosh_printf("%s: queue %u: %s", d->name, index, virtq_strerror(r));
		return VIRTIO_PCI_E_QUEUE;
	}
	q->index = index;
	q->size = (uint16_t)size;
	wr16(COMMON(d, queue_size), (uint16_t)size);
	wr64(COMMON(d, queue_desc), mem.desc_phys);
	wr64(COMMON(d, queue_driver), mem.avail_phys);
	wr64(COMMON(d, queue_device), mem.used_phys);
	/* Its interrupt: vector 0 carries config changes; queues share 1 .. n-1. */
	q->vector = VIRTIO_PCI_NO_VECTOR;
	if (d->irq_kind == KOSH_DEV_IRQ_MSIX) {
		uint16_t v = d->irq_count > 1 ? (uint16_t)(1 + index % (d->irq_count - 1)) : 0;
		wr16(COMMON(d, queue_msix_vector), v);
		if (rd16(COMMON(d, queue_msix_vector)) != v) {
			kosh_printf("%s: queue %u: the device refused MSI-X vector %u", d->name,
				    index, v);
			return VIRTIO_PCI_E_IRQ;
		}
		q->vector = v;
		d->vector_events[v] |= VIRTIO_PCI_EVENT_QUEUE(index);
	}
	wr16(COMMON(d, queue_enable), 1);
	q->active = 1;
	if (out)
		*out = q;
	return 0;
}

int virtio_pci_ready(struct virtio_pci *d)
{
	if (!d->common || !(d->status & VIRTIO_STATUS_FEATURES_OK) || d->ready)
		return fail(d, VIRTIO_PCI_E_STATE, "DRIVER_OK");
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
	if (virtio_pci_needs_reset(d))
		return fail(d, VIRTIO_PCI_E_NEEDS_RESET, "DRIVER_OK");
	d->ready = 1;
	return 0;
}

void virtio_pci_notify(struct virtio_pci *d, struct virtio_pci_queue *q)
{
	(void)d;
	/* wr16's fence puts the ring's stores before the doorbell's. */
	if (virtq_need_notify(&q->vq) > 0)
		wr16(q->notify, q->notify_data);
}

kosh_handle_t virtio_pci_notification(const struct virtio_pci *d)
{
	return d->irq_kind == KOSH_DEV_IRQ_NONE ? 0 : d->irqs;
}

/* Every queue set up. */
static uint64_t all_queues(const struct virtio_pci *d)
{
	uint64_t ev = 0;
	for (int i = 0; i < VIRTIO_PCI_QUEUES_MAX; i++)
		if (d->queue[i].active)
			ev |= VIRTIO_PCI_EVENT_QUEUE(i);
	return ev;
}

uint64_t virtio_pci_events(struct virtio_pci *d, uint64_t bits)
{
	uint64_t ev = 0;
	switch (d->irq_kind) {
	case KOSH_DEV_IRQ_MSIX:
		for (uint32_t k = 0; k < d->irq_count; k++)
			if (bits & (1ull << k)) {
				ev |= d->vector_events[k];
				(void)kosh_irq_ack(d->irq[k]);
			}
		if (d->config_vector == VIRTIO_PCI_NO_VECTOR)
			ev &= ~VIRTIO_PCI_EVENT_CONFIG;
		break;
	case KOSH_DEV_IRQ_INTX:
		if (bits & 1) {
			/* Reading the ISR clears it and lowers the line (§4.1.4.5). */
			uint8_t isr = rd8(d->isr);
			if (isr & VIRTIO_PCI_ISR_QUEUE)
				ev |= all_queues(d);
			if (isr & VIRTIO_PCI_ISR_CONFIG)
				ev |= VIRTIO_PCI_EVENT_CONFIG;
			(void)kosh_irq_ack(d->irq[0]);
		}
		break;
	default:
		ev = all_queues(d);
		break;
	}
	return ev;
}

int virtio_pci_wait(struct virtio_pci *d, uint64_t timeout_ns, uint64_t *events)
{
	*events = 0;
	if (d->irq_kind == KOSH_DEV_IRQ_NONE) {
		nap(d, timeout_ns < VIRTIO_PCI_POLL_NS ? timeout_ns : VIRTIO_PCI_POLL_NS);
		*events = virtio_pci_events(d, 0);
	} else {
		uint64_t bits = 0;
		kosh_err_t err = kosh_notify_wait(d->irqs, timeout_ns, &bits);
		if (err == KOSH_E_TIMED_OUT)
			return virtio_pci_needs_reset(d) ? VIRTIO_PCI_E_NEEDS_RESET
							 : VIRTIO_PCI_E_TIMED_OUT;
		if (err) {
			kosh_printf("%s: waiting for an interrupt: %s", d->name, kosh_strerror(err));
			return VIRTIO_PCI_E_IRQ;
		}
		*events = virtio_pci_events(d, bits);
	}
	if ((*events & VIRTIO_PCI_EVENT_CONFIG) && virtio_pci_needs_reset(d))
		return VIRTIO_PCI_E_NEEDS_RESET;
	return 0;
}

void virtio_pci_report_broken(struct virtio_pci *d, struct virtio_pci_queue *q, int err)
{
	kosh_printf("%s: queue %u: the device broke the protocol: %s (used idx %u, id %u, len %u)",
		    d->name, q->index, virtq_strerror(err), q->vq.bad_idx, q->vq.bad_id,
		    q->vq.bad_len);
	if (d->common)
		set_status(d, VIRTIO_STATUS_FAILED);
}

/* Accesses of the field's width, inside the region (§4.1.3.1). */
static int config_access(struct virtio_pci *d, uint32_t offset, void *buf, uint32_t len, int write)
{
	if (!d->device_cfg || !len || len > d->device_cfg_len ||
	    offset > d->device_cfg_len - len)
		return VIRTIO_PCI_E_RANGE;
	volatile uint8_t *p = d->device_cfg + offset;
	uint8_t *b = buf;
	for (uint32_t i = 0; i < len;) {
		uint32_t w = (len - i >= 4 && !((offset + i) & 3))   ? 4
			     : (len - i >= 2 && !((offset + i) & 1)) ? 2
								     : 1;
		if (write) {
			if (w == 4) {
				uint32_t v;
				memcpy(&v, b + i, 4);
				wr32(p + i, v);
			} else if (w == 2) {
				uint16_t v;
				memcpy(&v, b + i, 2);
				wr16(p + i, v);
			} else {
				wr8(p + i, b[i]);
			}
		} else {
			if (w == 4) {
				uint32_t v = rd32(p + i);
				memcpy(b + i, &v, 4);
			} else if (w == 2) {
				uint16_t v = rd16(p + i);
				memcpy(b + i, &v, 2);
			} else {
				b[i] = rd8(p + i);
			}
		}
		i += w;
	}
	return 0;
}

int virtio_pci_config_read(struct virtio_pci *d, uint32_t offset, void *out, uint32_t len)
{
	/* §4.1.4.3.1: read until the generation is the same before and after. */
	for (int tries = 0; tries < 100; tries++) {
		uint8_t gen = d->common ? rd8(COMMON(d, config_generation)) : 0;
		int r = config_access(d, offset, out, len, 0);
		if (r)
			return fail(d, r, "configuration read");
		if (!d->common || rd8(COMMON(d, config_generation)) == gen)
			return 0;
	}
	return fail(d, VIRTIO_PCI_E_RANGE, "configuration keeps changing");
}

int virtio_pci_config_write(struct virtio_pci *d, uint32_t offset, const void *in, uint32_t len)
{
	int r = config_access(d, offset, (void *)in, len, 1);
	return r ? fail(d, r, "configuration write") : 0;
}
