/* SPDX-License-Identifier: MIT */
/*
 * Starting drivers (docs/devices.md, "devmgr"): each device is matched with
 * etc/drivers, named ("vda"), given exactly the handles <kosh/proto/dev.h>
 * lists, and registered with init on drvreg (<kosh/proto/drv.h>), which starts
 * and supervises it. A driver registered by an earlier devmgr (this one
 * restarted) is found again with LOOKUP and nothing is built twice.
 *
 * The handles: devinfo (a read-only page), cfg (the function's 4 KiB of
 * ECAM), bar<i> (memory BARs, write-combining when prefetchable), ioport<i>
 * (I/O BARs, x86-64), and the interrupts: MSI-X vectors (irq_create_msi) when
 * the function has MSI-X, else its INTx line when the device tree's
 * interrupt-map routes it, else none (the driver polls); irq<k> and the
 * notification irqs they signal (bit k). Every handle carries transfer and
 * duplicate: init keeps them and gives copies at each start.
 */
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "devmgr.h"

#define KEEP	     (KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define CALL_TIMEOUT (5ull * 1000 * 1000 * 1000)
#define HANDLES_MAX  KOSH_DRV_HANDLES_MAX

/* The handles being built for one driver. */
struct kit {
	kosh_handle_t h[HANDLES_MAX];
	char names[HANDLES_MAX][KOSH_DRV_HNAME_MAX];
	uint64_t values[HANDLES_MAX];
	uint32_t n;
	const char *why; /* the first failure, for the log */
};

static void kit_add(struct kit *k, const char *name, int64_t h, uint64_t value)
{
	if (h < 0) {
		if (!k->why)
			k->why = name;
		kosh_printf("%s: %s", name, kosh_strerror((kosh_err_t)h));
		return;
	}
	if (k->n == HANDLES_MAX) {
		kosh_handle_close((kosh_handle_t)h);
		return;
	}
	strlcpy(k->names[k->n], name, KOSH_DRV_HNAME_MAX);
	k->h[k->n] = (kosh_handle_t)h;
	k->values[k->n++] = value;
}

static void kit_close(struct kit *k)
{
	for (uint32_t i = 0; i < k->n; i++)
		if (k->h[i])
			kosh_handle_close(k->h[i]);
	k->n = 0;
}

/* ---- drvreg ---- */

/* One call on drvreg: 0, or a KOSH_DRV_E_* error (KOSH_DRV_E_PROTO when init does not answer). */
static uint32_t drv_call(struct kosh_msg *m, struct kosh_msg *reply)
{
	kosh_err_t err = kosh_call(devmgr.drvreg, m, reply, CALL_TIMEOUT);
	if (err) {
		kosh_printf("drvreg: %s", kosh_strerror(err));
		return KOSH_DRV_E_PROTO;
	}
	return KOSH_MSG_LABEL(reply->tag);
}

/*
 * drvreg is one conversation at a time at init (BEGIN … COMMIT is a state of
 * init's), and devmgr talks on it from two threads: start-up and the mount
 * thread. Held from a conversation's first message to its last.
 */
static int drv_lock_word;

static void drv_lock(void)
{
	while (__atomic_exchange_n(&drv_lock_word, 1, __ATOMIC_ACQUIRE))
		kosh_yield();
}

static void drv_unlock(void)
{
	__atomic_store_n(&drv_lock_word, 0, __ATOMIC_RELEASE);
}

/* LOOKUP name: a send copy of its endpoint (and *index, if asked), or 0. */
static kosh_handle_t drv_lookup_locked(const char *name, uint32_t *index)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	struct kosh_msg m = {kosh_msg_tag(KOSH_DRV_LOOKUP,
					  KOSH_MSG_WORDS_REG + KOSH_DRV_NAME_MAX / 8, 0, 0),
			     {0}},
			r;
	memset(&ipc->words[KOSH_MSG_WORDS_REG], 0, KOSH_DRV_NAME_MAX);
	strlcpy((char *)&ipc->words[KOSH_MSG_WORDS_REG], name, KOSH_DRV_NAME_MAX);
	if (drv_call(&m, &r) || KOSH_MSG_CAPS(r.tag) != 1)
		return 0;
	if (index)
		*index = (uint32_t)r.words[0];
	return ipc->caps[0];
}

static kosh_handle_t drv_lookup(const char *name)
{
	drv_lock();
	kosh_handle_t h = drv_lookup_locked(name, NULL);
	drv_unlock();
	return h;
}

kosh_handle_t devmgr_drv_lookup(const char *name, uint32_t *index)
{
	drv_lock();
	kosh_handle_t h = drv_lookup_locked(name, index);
	drv_unlock();
	return h;
}

/*
 * BEGIN, HANDLES (4 at a time), COMMIT: 0 with *serve the driver's endpoint
 * and *index its index at init, or the error (logged; CANCEL sent).
 */
static uint32_t drv_register_locked(const struct kosh_drv_spec *spec, kosh_handle_t quota,
				    struct kit *k, kosh_handle_t *serve, uint32_t *index)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	struct kosh_msg m, r;
	uint32_t err;
	memcpy(&ipc->words[KOSH_MSG_WORDS_REG], spec, sizeof(*spec));
	ipc->caps[0] = quota;
	m = (struct kosh_msg){
	    kosh_msg_tag(KOSH_DRV_BEGIN, KOSH_MSG_WORDS_REG + sizeof(*spec) / 8, 1, 1), {0}};
	err = drv_call(&m, &r);
	for (uint32_t i = 0; i < k->n && !err; i += KOSH_DRV_CAPS_PER_MSG) {
		struct kosh_drv_handles hs;
		uint32_t count =
		    k->n - i < KOSH_DRV_CAPS_PER_MSG ? k->n - i : KOSH_DRV_CAPS_PER_MSG;
		memset(&hs, 0, sizeof(hs));
		for (uint32_t j = 0; j < count; j++) {
			memcpy(hs.names[j], k->names[i + j], KOSH_DRV_HNAME_MAX);
			hs.values[j] = k->values[i + j];
			ipc->caps[j] = k->h[i + j];
		}
		memcpy(&ipc->words[KOSH_MSG_WORDS_REG], &hs, sizeof(hs));
		m = (struct kosh_msg){kosh_msg_tag(KOSH_DRV_HANDLES,
						   KOSH_MSG_WORDS_REG + sizeof(hs) / 8, count,
						   (1u << count) - 1),
				      {count, 0, 0, 0}};
		err = drv_call(&m, &r);
		for (uint32_t j = 0; j < count; j++)
			k->h[i + j] = 0; /* moved, whatever became of them */
	}
	if (!err) {
		m = (struct kosh_msg){kosh_msg_tag(KOSH_DRV_COMMIT, 0, 0, 0), {0}};
		err = drv_call(&m, &r);
		if (!err && KOSH_MSG_CAPS(r.tag) == 1) {
			*serve = ipc->caps[0];
			*index = (uint32_t)r.words[0];
			return 0;
		}
		if (!err) {
			for (uint32_t j = 0; j < KOSH_MSG_CAPS(r.tag) && j < KOSH_MSG_CAPS_MAX; j++)
				kosh_handle_close(ipc->caps[j]);
			err = KOSH_DRV_E_PROTO;
		}
	}
	kosh_printf("init refused driver %s: %s", spec->name, kosh_drv_strerror(err));
	m = (struct kosh_msg){kosh_msg_tag(KOSH_DRV_CANCEL, 0, 0, 0), {0}};
	(void)drv_call(&m, &r);
	return err;
}

static kosh_handle_t drv_register(const struct kosh_drv_spec *spec, kosh_handle_t quota,
				  struct kit *k)
{
	kosh_handle_t serve = 0;
	uint32_t index;
	drv_lock();
	(void)drv_register_locked(spec, quota, k, &serve, &index);
	drv_unlock();
	return serve;
}

uint32_t devmgr_drv_add(const struct kosh_drv_spec *spec, kosh_handle_t quota, const char *hname,
			kosh_handle_t handle, kosh_handle_t *serve, uint32_t *index)
{
	struct kit k = {.n = 0};
	uint32_t err;
	kit_add(&k, hname, handle, 0);
	drv_lock();
	err = drv_register_locked(spec, quota, &k, serve, index);
	drv_unlock();
	kit_close(&k); /* those not moved */
	return err;
}

uint32_t devmgr_drv_op(uint32_t op, uint32_t index, const char *uri, uint32_t *vfs_err)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t words = KOSH_MSG_WORDS_REG, err;
	struct kosh_msg m, r;
	*vfs_err = 0;
	drv_lock();
	if (uri) {
		memset(&ipc->words[KOSH_MSG_WORDS_REG], 0, KOSH_DRV_URI_MAX);
		strlcpy((char *)&ipc->words[KOSH_MSG_WORDS_REG], uri, KOSH_DRV_URI_MAX);
		words += KOSH_DRV_URI_MAX / 8;
	}
	m = (struct kosh_msg){kosh_msg_tag(op, words, 0, 0), {index, 0, 0, 0}};
	err = drv_call(&m, &r);
	if (err == KOSH_DRV_E_VFS)
		*vfs_err = (uint32_t)r.words[0];
	drv_unlock();
	return err;
}

/* ---- a device's handles ---- */

/* devinfo: a page filled here, given read-only. */
static void add_devinfo(struct kit *k, const struct kosh_dev_info *info)
{
	int64_t frame = kosh_frame_new(devmgr.quota, KOSH_PAGE_SIZE);
	kosh_err_t err;
	void *va;
	if (frame < 0) {
		kit_add(k, "devinfo", frame, 0);
		return;
	}
	va = kosh_frame_map((kosh_handle_t)frame, 0, KOSH_PAGE_SIZE,
			    KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!va) {
		kosh_handle_close((kosh_handle_t)frame);
		kit_add(k, "devinfo", err, 0);
		return;
	}
	memcpy(va, info, sizeof(*info));
	kosh_frame_unmap(va, KOSH_PAGE_SIZE);
	int64_t ro =
	    kosh_handle_dup((kosh_handle_t)frame, KOSH_RIGHT_READ | KOSH_RIGHT_MAP | KEEP, 0);
	kosh_handle_close((kosh_handle_t)frame);
	kit_add(k, "devinfo", ro, KOSH_PAGE_SIZE);
}

static int64_t mmio(uint64_t phys, uint64_t size, uint32_t cache)
{
	return kosh_mmio_create(devmgr.mmio_control, phys & ~0xfffull,
				kosh_page_round(size + (phys & 0xfff)), cache);
}

/* cfg, its BARs sized through it (devmgr_pci_size_bars). */
static void add_cfg(struct kit *k, struct devmgr_device *d)
{
	int64_t cfg = mmio(d->cfg_phys, 4096, KOSH_MMIO_UNCACHED);
	kosh_err_t err = KOSH_OK;
	volatile uint8_t *va;
	if (cfg >= 0 && d->type0) {
		va = kosh_frame_map((kosh_handle_t)cfg, 0, 4096, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE,
				    &err);
		if (!va) {
			kosh_handle_close((kosh_handle_t)cfg);
			cfg = err;
		} else {
			devmgr_pci_size_bars(va, d);
			kosh_frame_unmap((void *)va, 4096);
		}
	}
	kit_add(k, "cfg", cfg, 4096);
}

/* cfg, bar<i>, ioport<i>. */
static void add_regions(struct kit *k, struct devmgr_device *d, struct kosh_dev_info *info)
{
	char name[KOSH_DRV_HNAME_MAX];
	add_cfg(k, d);
	for (uint32_t i = 0; i < KOSH_DEV_BARS; i++) {
		const struct devmgr_bar *b = &d->bars[i];
		info->bars[i] = (struct kosh_dev_bar){b->phys, b->size, b->flags, 0};
		if (!b->size || !b->phys)
			continue; /* none, or not assigned by the firmware */
		if (b->flags & KOSH_DEV_BAR_MEM) {
			/*
			 * Uncached even when prefetchable, as Linux's ioremap does:
			 * registers live in prefetchable BARs too (virtio's do), and
			 * write-combining would merge and reorder their accesses.
			 */
			kosh_snprintf(name, sizeof(name), "bar%u", i);
			kit_add(k, name, mmio(b->phys, b->size, KOSH_MMIO_UNCACHED), b->size);
		} else if (devmgr.ioport_control && b->phys + b->size <= 0x10000) {
			kosh_snprintf(name, sizeof(name), "ioport%u", i);
			kit_add(k, name,
				kosh_ioport_create(devmgr.ioport_control, b->phys, b->size),
				b->size);
		}
	}
}

/* The INTx line the interrupt-map gives the function's pin, or 0. */
static uint32_t intx_line(const struct devmgr_device *d)
{
	uint32_t unit = ((uint32_t)d->pci_bus << 16 | (uint32_t)d->pci_device << 11 |
			 (uint32_t)d->pci_function << 8) &
			devmgr.intx_mask[0];
	uint32_t pin = d->hdr.interrupt_pin & devmgr.intx_mask[1];
	if (d->hdr.interrupt_pin == 0)
		return 0;
	for (uint32_t i = 0; i < devmgr.intx_count; i++)
		if (devmgr.intx[i].devfn_bus == unit && devmgr.intx[i].pin == pin)
			return devmgr.intx[i].intid;
	return 0;
}

/* irqs and irq<k>: MSI-X vectors, else the INTx line, else none. */
static void add_irqs(struct kit *k, const struct devmgr_device *d, struct kosh_dev_info *info)
{
	char name[KOSH_DRV_HNAME_MAX];
	uint32_t line = intx_line(d), want = d->msix_vectors;
	int64_t n;
	info->irq_kind = KOSH_DEV_IRQ_NONE;
	if (!devmgr.irq_control || (!want && !line))
		return;
	n = kosh_notification_create(devmgr.quota);
	if (n < 0)
		return;
	if (want > KOSH_DEV_IRQS_MAX)
		want = KOSH_DEV_IRQS_MAX;
	for (uint32_t v = 0; v < want; v++) {
		struct kosh_msi msi;
		int64_t irq = kosh_irq_create_msi(devmgr.irq_control, (uint64_t)n, 1ull << v,
						  (uint64_t)(uintptr_t)&msi);
		if (irq < 0) {
			if (v == 0)
				kosh_printf("%s: no MSI-X (%s)", d->name,
					    kosh_strerror((kosh_err_t)irq));
			break;
		}
		kosh_snprintf(name, sizeof(name), "irq%u", v);
		kit_add(k, name, irq, v);
		info->msi[v] = (struct kosh_dev_msi){msi.address, msi.data, 0};
		info->irq_kind = KOSH_DEV_IRQ_MSIX;
		info->irq_count = v + 1;
	}
	if (info->irq_kind == KOSH_DEV_IRQ_NONE && line) {
		int64_t irq = kosh_irq_create(devmgr.irq_control, line, (uint64_t)n, 1);
		if (irq >= 0) {
			kit_add(k, "irq0", irq, line);
			info->irq_kind = KOSH_DEV_IRQ_INTX;
			info->irq_count = 1;
		}
	}
	if (info->irq_count) {
		int64_t w = kosh_handle_dup((kosh_handle_t)n, KOSH_RIGHT_WAIT | KEEP, 0);
		kit_add(k, "irqs", w, 0);
	}
	kosh_handle_close((kosh_handle_t)n);
}

static void fill_info(const struct devmgr_device *d, struct kosh_dev_info *info)
{
	memset(info, 0, sizeof(*info));
	info->magic = KOSH_DEV_INFO_MAGIC;
	info->version = KOSH_DEV_INFO_VERSION;
	strlcpy(info->name, d ? d->name : "", sizeof(info->name));
	if (!d) {
		info->bus = KOSH_DEV_BUS_NONE;
		return;
	}
	info->bus = d->bus == DEVMGR_PCI ? KOSH_DEV_BUS_PCI : KOSH_DEV_BUS_PLATFORM;
	strlcpy(info->compatible, d->compatible, sizeof(info->compatible));
	if (d->bus != DEVMGR_PCI)
		return;
	info->segment = d->segment;
	info->pci_bus = d->pci_bus;
	info->pci_device = d->pci_device;
	info->pci_function = d->pci_function;
	info->vendor = d->hdr.vendor;
	info->device = d->hdr.device;
	info->subsystem_vendor = d->hdr.subsystem_vendor;
	info->subsystem = d->hdr.subsystem;
	info->class_code = d->hdr.class_code;
	info->subclass = d->hdr.subclass;
	info->prog_if = d->hdr.prog_if;
	info->revision = d->hdr.revision;
}

static void fill_spec(const struct drivers_entry *e, const char *devname, int first,
		      struct kosh_drv_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	kosh_snprintf(spec->name, sizeof(spec->name), "%s-%s", e->name, devname);
	strlcpy(spec->binary, e->binary, sizeof(spec->binary));
	memcpy(spec->args, e->args, sizeof(spec->args));
	spec->arg_count = e->arg_count;
	spec->restart = e->restart;
	spec->quota = e->quota;
	if (first) {
		/* One scheme, one served endpoint: the first device's instance has them. */
		strlcpy(spec->scheme, e->scheme, sizeof(spec->scheme));
		strlcpy(spec->endpoint, e->endpoint, sizeof(spec->endpoint));
	}
}

/*
 * Driver e for device d (NULL: nodevice = start): named, registered, and its
 * endpoint kept in *serve. A failure leaves *status saying why.
 */
static void start_one(struct drivers_entry *e, struct devmgr_device *d, char *devname,
		      kosh_handle_t *serve, char *status, size_t status_size)
{
	struct kosh_dev_info info;
	struct kosh_drv_spec spec;
	struct kit k = {.n = 0};
	int64_t quota;
	int first = e->instances == 0;
	if (drivers_device_name(e, e->instances++, devname)) {
		strlcpy(status, "no name left", status_size);
		return;
	}
	fill_spec(e, devname, first, &spec);
	if ((*serve = drv_lookup(spec.name))) {
		kosh_printf("%s: %s was registered before", devname, spec.name);
		return;
	}
	fill_info(d, &info);
	if (d && d->bus == DEVMGR_PCI) {
		add_regions(&k, d, &info);
		add_irqs(&k, d, &info);
	}
	add_devinfo(&k, &info);
	quota = kosh_quota_create(devmgr.quota, e->quota);
	if (k.why || quota < 0) {
		kosh_printf("%s: cannot give %s its %s", devname, spec.name,
			    k.why ? k.why : "quota");
		strlcpy(status, k.why ? "no handles" : "no quota", status_size);
		kit_close(&k);
		if (quota >= 0)
			kosh_handle_close((kosh_handle_t)quota);
		return;
	}
	*serve = drv_register(&spec, (kosh_handle_t)quota, &k);
	kit_close(&k); /* those not moved */
	if (!*serve)
		strlcpy(status, "refused by init", status_size);
	else
		kosh_printf("%s: %s (%s, %s)", devname, spec.name, e->binary,
			    info.irq_kind == KOSH_DEV_IRQ_MSIX	 ? "MSI-X"
			    : info.irq_kind == KOSH_DEV_IRQ_INTX ? "INTx"
								 : "polling");
}

/* The "nodevice = start" drivers nothing matched: one instance without a device. */
static struct devmgr_device nodevice[DRIVERS_MAX];

void devmgr_start_drivers(void)
{
	for (uint32_t i = 0; i < devmgr.device_count; i++) {
		struct devmgr_device *d = &devmgr.devices[i];
		struct drivers_device dd = {
		    .pci = d->bus == DEVMGR_PCI,
		    .vendor = d->hdr.vendor,
		    .device = d->hdr.device,
		    .class_code = d->hdr.class_code,
		    .subclass = d->hdr.subclass,
		    .prog_if = d->hdr.prog_if,
		    .compatible = d->compatible,
		};
		d->driver = drivers_match(&devmgr.drivers, &dd);
		if (d->driver < 0)
			continue;
		start_one(&devmgr.drivers.entries[d->driver], d, d->name, &d->serve, d->status,
			  sizeof(d->status));
	}
	for (uint32_t i = 0; i < devmgr.drivers.count; i++) {
		struct drivers_entry *e = &devmgr.drivers.entries[i];
		struct devmgr_device *d = &nodevice[i];
		if (e->instances || e->nodevice != DRIVERS_NODEVICE_START)
			continue;
		d->driver = (int)i;
		start_one(e, NULL, d->name, &d->serve, d->status, sizeof(d->status));
	}
}

/* The driver serving dev:///<name>…: the longest device name that prefixes path. */
const struct devmgr_device *devmgr_owner(const char *path, uint32_t len)
{
	const struct devmgr_device *best = NULL;
	size_t best_len = 0;
	for (uint32_t i = 0; i < devmgr.device_count + DRIVERS_MAX; i++) {
		const struct devmgr_device *d = i < devmgr.device_count
						    ? &devmgr.devices[i]
						    : &nodevice[i - devmgr.device_count];
		size_t n = strlen(d->name);
		if (d->serve && n && n <= len && n > best_len && memcmp(path, d->name, n) == 0) {
			best = d;
			best_len = n;
		}
	}
	return best;
}

const struct devmgr_device *devmgr_nodevice(uint32_t i)
{
	return i < DRIVERS_MAX ? &nodevice[i] : NULL;
}
