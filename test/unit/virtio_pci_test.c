/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the virtio PCI transport (user/lib/virtio_pci.c), compiled for
 * the host over stubs of the system calls it makes: the start handles are
 * memory here — devinfo, the configuration space of a real virtio-blk function
 * (test/unit/data/pci/1af4-1042.bin, BAR 0 holding every structure and the
 * MSI-X table), and BAR 0 itself, whose registers are plain memory (a passive
 * device: a register reads back what was last written, except where a test
 * sets what the device "says").
 *
 * Covered: a good open (regions, MSI-X table entries and enable bits, the
 * command register, the reset); every devinfo check (magic, version, names,
 * bus, vendor, device type — modern and transitional ids —, interrupt count,
 * BAR sizes); a configuration space that is not devinfo's function; structures
 * and the MSI-X table outside their BAR; negotiation with and without
 * VERSION_1; queue set-up (sizes that are not powers of two or 0, a queue
 * enabled already, beyond num_queues, a notify offset past the notify
 * structure, vectors); the device configuration's bounds; interrupt events for
 * MSI-X, INTx and polling; DRIVER_OK, DEVICE_NEEDS_RESET and FAILED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/virtio_pci.h>

#define BAR_SIZE    0x80000u
#define H_DEVINFO   1u
#define H_CFG	    2u
#define H_BAR0	    3u
#define H_IRQS	    4u
#define H_IRQ0	    5u
#define H_IRQ1	    6u
#define H_FRAME	    100u /* frames made by frame_create: H_FRAME + i */
#define FRAMES_MAX  16

static struct kosh_dev_info devinfo;
static uint8_t cfg[4096] __attribute__((aligned(4096)));
static uint8_t *bar0;
static uint8_t *frames[FRAMES_MAX];
static uint64_t frame_sizes[FRAMES_MAX];
static int nframes;
static int irqs_given = 1;
static uint64_t acked;
static uint64_t clock_ns;
static char logbuf[8192];

/* --- the stubs ------------------------------------------------------------ */

int kosh_printf(const char *fmt, ...)
{
	va_list ap;
	size_t used = strlen(logbuf);
	va_start(ap, fmt);
	int n = vsnprintf(logbuf + used, sizeof(logbuf) - used - 1, fmt, ap);
	va_end(ap);
	strncat(logbuf, "\n", sizeof(logbuf) - strlen(logbuf) - 1);
	return n;
}

const struct kosh_self *kosh_self(void)
{
	static struct kosh_self self = { .quota = 77 };
	return &self;
}

kosh_handle_t kosh_start_handle(const char *name, uint64_t *value)
{
	static const struct {
		const char *name;
		kosh_handle_t h;
		uint64_t value;
	} table[] = {
	    { "devinfo", H_DEVINFO, 4096 }, { "cfg", H_CFG, 4096 },  { "bar0", H_BAR0, BAR_SIZE },
	    { "irqs", H_IRQS, 0 },	    { "irq0", H_IRQ0, 0 },   { "irq1", H_IRQ1, 0 },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0) {
			if (!irqs_given && table[i].h >= H_IRQS)
				return 0;
			if (value)
				*value = table[i].value;
			return table[i].h;
		}
	return 0;
}

void *kosh_frame_map(kosh_handle_t frame, uint64_t offset, uint64_t size, uint32_t rights,
		     kosh_err_t *err)
{
	uint8_t *base = NULL;
	uint64_t limit = 0;
	if (frame == H_DEVINFO)
		base = (uint8_t *)&devinfo, limit = 4096;
	else if (frame == H_CFG)
		base = cfg, limit = sizeof(cfg);
	else if (frame == H_BAR0)
		base = bar0, limit = BAR_SIZE;
	else if (frame >= H_FRAME && frame < H_FRAME + (kosh_handle_t)nframes)
		base = frames[frame - H_FRAME], limit = frame_sizes[frame - H_FRAME];
	if (!base || offset + size > limit) {
		if (err)
			*err = KOSH_E_OUT_OF_RANGE;
		return NULL;
	}
	if (err)
		*err = KOSH_OK;
	return base + offset;
}

kosh_err_t kosh_frame_unmap(void *va, uint64_t size)
{
	return KOSH_OK;
}

static void *pages[64];
static int npages;

void *kosh_page_alloc(uint64_t size)
{
	if (npages == 64)
		return NULL;
	void *p = aligned_alloc(4096, kosh_page_round(size));
	memset(p, 0, kosh_page_round(size));
	return pages[npages++] = p;
}

int64_t kosh_frame_create(uint64_t quota, uint64_t size, uint64_t flags)
{
	if (nframes == FRAMES_MAX)
		return KOSH_E_NO_MEMORY;
	frames[nframes] = aligned_alloc(4096, size);
	memset(frames[nframes], 0, size);
	frame_sizes[nframes] = size;
	return H_FRAME + nframes++;
}

int64_t kosh_frame_phys(uint64_t frame)
{
	/* The device sees the same addresses (identity). */
	return (int64_t)(uintptr_t)frames[frame - H_FRAME];
}

int64_t kosh_handle_close(uint64_t h)
{
	return KOSH_OK;
}

int64_t kosh_clock_get(void)
{
	return (int64_t)(clock_ns += 1000000);
}

int64_t kosh_yield(void)
{
	return KOSH_OK;
}

int64_t kosh_notification_create(uint64_t quota)
{
	return KOSH_E_NO_MEMORY; /* nap() then yields */
}

kosh_err_t kosh_notify_wait(kosh_handle_t n, uint64_t timeout, uint64_t *bits)
{
	*bits = 0;
	return KOSH_E_TIMED_OUT;
}

int64_t kosh_irq_ack(uint64_t irq)
{
	acked |= 1ull << (irq - H_IRQ0);
	return KOSH_OK;
}

/* --- the device ---------------------------------------------------------- */

static volatile struct virtio_pci_common_cfg *common(void)
{
	return (volatile struct virtio_pci_common_cfg *)bar0;
}

static void load_cfg(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/test/unit/data/pci/1af4-1042.bin", KOSH_SOURCE_DIR);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	memset(cfg, 0, sizeof(cfg));
	assert_int_equal(fread(cfg, 1, 256, f), 256);
	fclose(f);
}

/* A fresh machine: a virtio-blk function with 2 MSI-X vectors and one queue of 256. */
static int setup(void **state)
{
	load_cfg();
	free(bar0);
	bar0 = aligned_alloc(4096, BAR_SIZE);
	memset(bar0, 0, BAR_SIZE);
	memset(&devinfo, 0, sizeof(devinfo));
	devinfo.magic = KOSH_DEV_INFO_MAGIC;
	devinfo.version = KOSH_DEV_INFO_VERSION;
	devinfo.bus = KOSH_DEV_BUS_PCI;
	strcpy(devinfo.name, "vda");
	devinfo.vendor = 0x1af4;
	devinfo.device = 0x1042;
	devinfo.subsystem = 0x1100;
	devinfo.bars[0] = (struct kosh_dev_bar){ 0xfe000000, BAR_SIZE, KOSH_DEV_BAR_MEM, 0 };
	devinfo.irq_kind = KOSH_DEV_IRQ_MSIX;
	devinfo.irq_count = 2;
	devinfo.msi[0] = (struct kosh_dev_msi){ 0xfee00000, 0x41, 0 };
	devinfo.msi[1] = (struct kosh_dev_msi){ 0xfee01000, 0x42, 0 };
	common()->num_queues = 1;
	common()->queue_size = 256;
	common()->device_feature = 1; /* the passive device: bit 0 of both halves (VERSION_1) */
	for (int i = 0; i < nframes; i++)
		free(frames[i]);
	nframes = 0;
	irqs_given = 1;
	acked = 0;
	logbuf[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < nframes; i++)
		free(frames[i]);
	nframes = 0;
	for (int i = 0; i < npages; i++)
		free(pages[i]);
	npages = 0;
	return 0;
}

/* What a real device does at reset that plain memory does not. */
static void device_reset(void)
{
	common()->queue_enable = 0;
	common()->queue_msix_vector = 0;
	common()->config_msix_vector = 0;
}

static struct virtio_pci d;

/* --- the tests ------------------------------------------------------------ */

static void test_open(void **state)
{
	bar0[0x14] = 0x0f; /* a status the last driver left */
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_string_equal(d.name, "vda");
	assert_ptr_equal((void *)d.common, bar0);
	assert_ptr_equal((void *)d.isr, bar0 + 0x2000);
	assert_ptr_equal((void *)d.device_cfg, bar0 + 0x4000);
	assert_ptr_equal((void *)d.notify_base, bar0 + 0x6000);
	assert_int_equal(d.notify_multiplier, 4);
	assert_int_equal(d.num_queues, 1);
	assert_int_equal(common()->device_status, 0); /* reset */
	/* Memory space, bus mastering, INTx off. */
	uint16_t command;
	memcpy(&command, cfg + 4, 2);
	assert_int_equal(command & 0x0406, 0x0406);
	/* MSI-X: two entries from devinfo, unmasked; enabled, not function-masked. */
	uint32_t *table = (uint32_t *)(bar0 + 0x8000);
	assert_int_equal(table[0], 0xfee00000);
	assert_int_equal(table[1], 0);
	assert_int_equal(table[2], 0x41);
	assert_int_equal(table[3], 0);
	assert_int_equal(table[4], 0xfee01000);
	assert_int_equal(table[6], 0x42);
	assert_int_equal(table[7], 0);
	uint16_t control;
	memcpy(&control, cfg + 0x98 + 2, 2);
	assert_int_equal(control & 0xc000, 0x8000);
	assert_int_equal(d.irq_kind, KOSH_DEV_IRQ_MSIX);
	assert_int_equal(d.irq_count, 2);
	assert_int_equal(virtio_pci_notification(&d), H_IRQS);
}

static void expect_open_fails(int want, const char *log_has)
{
	logbuf[0] = '\0';
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), want);
	if (log_has && !strstr(logbuf, log_has)) {
		print_error("log: %s\n", logbuf);
		fail_msg("the log does not say %s", log_has);
	}
}

static void test_devinfo_checks(void **state)
{
	struct kosh_dev_info good = devinfo;
	devinfo.magic ^= 1;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "magic");
	devinfo = good, devinfo.version = 2;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "magic or version");
	devinfo = good, strcpy(devinfo.name, "VDA");
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "devinfo name");
	devinfo = good, memset(devinfo.name, 'a', sizeof(devinfo.name));
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "devinfo name");
	devinfo = good, devinfo.name[0] = '\0';
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "devinfo name");
	devinfo = good, devinfo.bus = KOSH_DEV_BUS_PLATFORM;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "not a virtio PCI function");
	devinfo = good, devinfo.vendor = 0x8086;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "not a virtio PCI function");
	devinfo = good, devinfo.irq_count = KOSH_DEV_IRQS_MAX + 1;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "interrupts");
	devinfo = good, devinfo.irq_kind = 7;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "interrupts");
	devinfo = good, devinfo.bars[0].size = 0x30000;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "power of two");
	/* Another device type than the driver's. */
	devinfo = good;
	logbuf[0] = '\0';
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_NET), VIRTIO_PCI_E_DEVINFO);
	assert_non_null(strstr(logbuf, "is not virtio type 1"));
	/* devinfo's ids must be those of the configuration space. */
	devinfo = good, devinfo.device = 0x1001, devinfo.subsystem = VIRTIO_ID_BLOCK;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "not devinfo's function");
	/* A transitional id is accepted when its subsystem is the type. */
	devinfo = good, devinfo.device = 0x1001, devinfo.subsystem = VIRTIO_ID_BLOCK;
	cfg[2] = 0x01, cfg[3] = 0x10;
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	devinfo.subsystem = VIRTIO_ID_NET;
	expect_open_fails(VIRTIO_PCI_E_DEVINFO, "is not virtio type 2");
}

static void test_regions_outside_their_bar(void **state)
{
	/* The notify structure (0x6000) lies past a 16 KiB BAR. */
	devinfo.bars[0].size = 0x4000;
	expect_open_fails(VIRTIO_PCI_E_CAPS, "notify structure");
	/* No BAR 0 at all. */
	devinfo.bars[0].size = 0;
	expect_open_fails(VIRTIO_PCI_E_CAPS, "common structure");
	/* An I/O BAR is not mapped. */
	devinfo.bars[0] = (struct kosh_dev_bar){ 0xc000, 0x80000, KOSH_DEV_BAR_IO, 0 };
	expect_open_fails(VIRTIO_PCI_E_CAPS, "not inside a memory BAR");
	/* The MSI-X table (0x8000, 2 entries) past a 32 KiB BAR. */
	devinfo.bars[0] = (struct kosh_dev_bar){ 0xfe000000, 0x8000, KOSH_DEV_BAR_MEM, 0 };
	expect_open_fails(VIRTIO_PCI_E_IRQ, "MSI-X table");
	/* A frame smaller than the BAR devinfo describes. */
	devinfo.bars[0].size = 0x100000;
	expect_open_fails(VIRTIO_PCI_E_CAPS, "bar0 is 524288 bytes");
}

static void test_interrupt_handles(void **state)
{
	irqs_given = 0;
	expect_open_fails(VIRTIO_PCI_E_HANDLES, "no irqs");
	/* No interrupt at all: polling, every queue reported. */
	devinfo.irq_kind = KOSH_DEV_IRQ_NONE;
	devinfo.irq_count = 0;
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_int_equal(virtio_pci_notification(&d), 0);
	uint16_t command;
	memcpy(&command, cfg + 4, 2);
	assert_int_equal(command & 0x0400, 0x0400);
}

static void test_negotiate(void **state)
{
	uint64_t agreed;
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, NULL), VIRTIO_PCI_E_STATE);
	/* Device: bit 0 and bit 32 (the passive register reads the same for both halves). */
	assert_int_equal(virtio_pci_negotiate(&d, 1, &agreed), 0);
	assert_int_equal(agreed, VIRTIO_FEATURE(VIRTIO_F_VERSION_1) | 1);
	assert_int_equal(common()->device_status,
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(common()->config_msix_vector, 0);
	/* Without VERSION_1 (a legacy device): refused, FAILED set. */
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	common()->device_feature = 0;
	logbuf[0] = '\0';
	assert_int_equal(virtio_pci_negotiate(&d, 1, &agreed), VIRTIO_PCI_E_FEATURES);
	assert_true(common()->device_status & VIRTIO_STATUS_FAILED);
}

static void test_queue_setup(void **state)
{
	struct virtio_pci_queue *q;
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_int_equal(virtio_pci_negotiate(&d, 0, NULL), 0);
	/* A size that is not a power of two: the largest one below it. */
	common()->queue_size = 100;
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 1000, &q), 0);
	assert_int_equal(q->size, 64);
	assert_int_equal(common()->queue_size, 64);
	assert_int_equal(common()->queue_enable, 1);
	assert_int_equal(common()->queue_desc, q->ring.phys);
	assert_int_equal(common()->queue_driver, (uint64_t)(uintptr_t)q->vq.avail);
	assert_int_equal(common()->queue_device, (uint64_t)(uintptr_t)q->vq.used);
	/* Two vectors: config on 0, the queue on 1. */
	assert_int_equal(q->vector, 1);
	assert_int_equal(common()->queue_msix_vector, 1);
	assert_ptr_equal((void *)q->notify, bar0 + 0x6000);
	/* Enabled already, beyond num_queues, size 0, a notify offset past the structure. */
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), VIRTIO_PCI_E_QUEUE);
	assert_int_equal(virtio_pci_queue_setup(&d, 1, 16, &q), VIRTIO_PCI_E_QUEUE);
	assert_int_equal(virtio_pci_queue_setup(&d, VIRTIO_PCI_QUEUES_MAX, 16, &q),
			 VIRTIO_PCI_E_QUEUE);
	common()->queue_enable = 0;
	common()->queue_size = 0;
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), VIRTIO_PCI_E_QUEUE);
	common()->queue_size = 256;
	common()->queue_notify_off = 0x4000; /* · 4 = 0x10000: past the notify structure */
	logbuf[0] = '\0';
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), VIRTIO_PCI_E_QUEUE);
	assert_non_null(strstr(logbuf, "notify offset"));
	common()->queue_notify_off = 1;
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), 0);
	assert_ptr_equal((void *)q->notify, bar0 + 0x6004);
	assert_int_equal(q->size, 16);
	/* DRIVER_OK, then nothing more may be set up. */
	assert_int_equal(virtio_pci_ready(&d), 0);
	assert_true(common()->device_status & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), VIRTIO_PCI_E_STATE);
	assert_int_equal(virtio_pci_negotiate(&d, 0, NULL), VIRTIO_PCI_E_STATE);
	assert_false(virtio_pci_needs_reset(&d));
	common()->device_status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	assert_true(virtio_pci_needs_reset(&d));
}

static void test_config_bounds(void **state)
{
	uint64_t v64;
	uint32_t v32;
	uint8_t buf[8];
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	uint32_t len = d.device_cfg_len;
	assert_true(len >= 8);
	uint64_t capacity = 0x123456789abcull;
	memcpy(bar0 + 0x4000, &capacity, 8);
	assert_int_equal(virtio_pci_config_read(&d, 0, &v64, 8), 0);
	assert_int_equal(v64, capacity);
	assert_int_equal(virtio_pci_config_read(&d, 1, buf, 7), 0); /* unaligned: narrower accesses */
	assert_memory_equal(buf, (uint8_t *)&capacity + 1, 7);
	assert_int_equal(virtio_pci_config_read(&d, len - 4, &v32, 4), 0);
	assert_int_equal(virtio_pci_config_read(&d, len - 3, &v32, 4), VIRTIO_PCI_E_RANGE);
	assert_int_equal(virtio_pci_config_read(&d, 0xfffffffeu, &v32, 4), VIRTIO_PCI_E_RANGE);
	assert_int_equal(virtio_pci_config_read(&d, 0, &v32, 0), VIRTIO_PCI_E_RANGE);
	v32 = 0xdeadbeef;
	assert_int_equal(virtio_pci_config_write(&d, 4, &v32, 4), 0);
	assert_memory_equal(bar0 + 0x4004, &v32, 4);
	assert_int_equal(virtio_pci_config_write(&d, len, &v32, 1), VIRTIO_PCI_E_RANGE);
}

static void test_events(void **state)
{
	struct virtio_pci_queue *q;
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_int_equal(virtio_pci_negotiate(&d, 0, NULL), 0);
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), 0);
	/* MSI-X: bit 1 is the queue, bit 0 configuration changes; each acknowledged. */
	assert_int_equal(virtio_pci_events(&d, 2), VIRTIO_PCI_EVENT_QUEUE(0));
	assert_int_equal(acked, 2);
	assert_int_equal(virtio_pci_events(&d, 1), VIRTIO_PCI_EVENT_CONFIG);
	assert_int_equal(virtio_pci_events(&d, 1ull << 40), 0); /* bits no vector has */
	/* One vector: everything on it. */
	devinfo.irq_count = 1;
	device_reset();
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_int_equal(virtio_pci_negotiate(&d, 0, NULL), 0);
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), 0);
	assert_int_equal(q->vector, 0);
	assert_int_equal(virtio_pci_events(&d, 1),
			 VIRTIO_PCI_EVENT_QUEUE(0) | VIRTIO_PCI_EVENT_CONFIG);
	/* INTx: the ISR says which. */
	devinfo.irq_kind = KOSH_DEV_IRQ_INTX;
	device_reset();
	assert_int_equal(virtio_pci_open(&d, VIRTIO_ID_BLOCK), 0);
	assert_int_equal(virtio_pci_negotiate(&d, 0, NULL), 0);
	assert_int_equal(virtio_pci_queue_setup(&d, 0, 16, &q), 0);
	assert_int_equal(q->vector, VIRTIO_PCI_NO_VECTOR);
	acked = 0;
	bar0[0x2000] = VIRTIO_PCI_ISR_QUEUE;
	assert_int_equal(virtio_pci_events(&d, 1), VIRTIO_PCI_EVENT_QUEUE(0));
	assert_int_equal(acked, 1);
	bar0[0x2000] = VIRTIO_PCI_ISR_CONFIG;
	assert_int_equal(virtio_pci_events(&d, 1), VIRTIO_PCI_EVENT_CONFIG);
	bar0[0x2000] = 0; /* a shared line raised by another device */
	assert_int_equal(virtio_pci_events(&d, 1), 0);
	uint16_t command;
	memcpy(&command, cfg + 4, 2);
	assert_int_equal(command & 0x0400, 0);
	/* A broken queue is reported by name and the device marked FAILED. */
	logbuf[0] = '\0';
	virtio_pci_report_broken(&d, q, VIRTQ_E_USED_ID_RANGE);
	assert_non_null(strstr(logbuf, virtq_strerror(VIRTQ_E_USED_ID_RANGE)));
	assert_true(common()->device_status & VIRTIO_STATUS_FAILED);
	assert_true(virtio_pci_needs_reset(&d));
	assert_int_equal(virtio_pci_reset(&d), 0);
	assert_int_equal(common()->device_status, 0);
}

static void test_dma(void **state)
{
	struct virtio_dma dma;
	assert_int_equal(virtio_dma_alloc(0, &dma), VIRTIO_PCI_E_NO_MEMORY);
	assert_int_equal(virtio_dma_alloc(2ull << 30, &dma), VIRTIO_PCI_E_NO_MEMORY);
	assert_int_equal(virtio_dma_alloc(5000, &dma), 0);
	assert_int_equal(dma.size, 8192);
	assert_ptr_equal(dma.virt, (void *)(uintptr_t)dma.phys);
	virtio_dma_free(&dma);
	assert_int_equal(dma.frame, 0);
	assert_string_equal(virtio_pci_strerror(VIRTIO_PCI_E_BROKEN),
			    "the device broke the virtqueue protocol");
	assert_string_equal(virtio_pci_strerror(-99), "unknown error");
	assert_string_equal(virtio_pci_strerror(1), "unknown error");
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv; /* <kosh/runtime.h> declares main so */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_devinfo_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_regions_outside_their_bar, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interrupt_handles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_negotiate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_queue_setup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_bounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dma, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
