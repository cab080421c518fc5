/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space parsing (<kosh/pci.h>). Freestanding; every offset
 * read is checked against the buffer first.
 */
#include <kosh/pci.h>
#include <kosh/virtio.h>

#define CFG_STATUS	   0x06u
#define CFG_STATUS_CAPS	   0x10u
#define CFG_CAP_PTR	   0x34u
#define CFG_HEADER_END	   0x40u
#define CFG_EXT_START	   0x100u
#define CAPS_MAX	   ((KOSH_PCI_CFG_SIZE - CFG_HEADER_END) / 4u)
#define EXT_CAPS_MAX	   ((KOSH_PCI_CFG_EXT_SIZE - CFG_EXT_START) / 4u)
#define VIRTIO_CAP_LEN	   16u
#define VIRTIO_NOTIFY_LEN  20u
#define MSIX_CAP_LEN	   12u

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The conventional space is the first 256 bytes, whatever the buffer holds. */
static size_t conventional(size_t len)
{
	return len < KOSH_PCI_CFG_SIZE ? len : KOSH_PCI_CFG_SIZE;
}

enum kosh_pci_error kosh_pci_header(const uint8_t *cfg, size_t len, struct kosh_pci_header *out)
{
	*out = (struct kosh_pci_header){0};
	if (len < CFG_HEADER_END)
		return KOSH_PCI_SHORT;
	out->vendor = le16(cfg + 0x00);
	out->device = le16(cfg + 0x02);
	if (out->vendor == 0xffff)
		return KOSH_PCI_ABSENT;
	out->command = le16(cfg + 0x04);
	out->status = le16(cfg + CFG_STATUS);
	out->revision = cfg[0x08];
	out->prog_if = cfg[0x09];
	out->subclass = cfg[0x0a];
	out->class_code = cfg[0x0b];
	out->header_type = cfg[0x0e] & 0x7f;
	out->multifunction = cfg[0x0e] >> 7;
	out->interrupt_line = cfg[0x3c];
	out->interrupt_pin = cfg[0x3d];
	if (out->header_type != 0)
		return KOSH_PCI_NOT_TYPE0;
	for (uint32_t i = 0; i < KOSH_PCI_BARS; i++)
		out->bar[i] = le32(cfg + 0x10 + 4 * i);
	out->subsystem_vendor = le16(cfg + 0x2c);
	out->subsystem = le16(cfg + 0x2e);
	return KOSH_PCI_OK;
}

/*
 * The two low bits of every capability pointer are reserved and masked (PCI
 * 3.0 §6.7); what is left must lie after the header, with room for the id and
 * the next pointer, and must not have been visited.
 */
enum kosh_pci_error kosh_pci_cap_next(const uint8_t *cfg, size_t len, struct kosh_pci_walk *w,
				      uint8_t *id)
{
	size_t end = conventional(len);
	uint32_t ptr;
	if (len < CFG_HEADER_END)
		return KOSH_PCI_SHORT;
	if (w->pos == 0) {
		if (!(le16(cfg + CFG_STATUS) & CFG_STATUS_CAPS))
			return KOSH_PCI_NOT_FOUND;
		ptr = cfg[CFG_CAP_PTR] & 0xfcu;
	} else {
		ptr = cfg[w->pos + 1] & 0xfcu;
	}
	if (ptr == 0)
		return KOSH_PCI_NOT_FOUND;
	if (ptr < CFG_HEADER_END || ptr + 2 > end)
		return KOSH_PCI_BAD_POINTER;
	if (w->seen[ptr / 32] & (1u << (ptr / 4 % 8)) || ++w->count > CAPS_MAX)
		return KOSH_PCI_LOOP;
	w->seen[ptr / 32] |= (uint8_t)(1u << (ptr / 4 % 8));
	w->pos = ptr;
	*id = cfg[ptr];
	return KOSH_PCI_OK;
}

enum kosh_pci_error kosh_pci_ext_cap_next(const uint8_t *cfg, size_t len,
					  struct kosh_pci_ext_walk *w, uint16_t *id,
					  uint8_t *version)
{
	uint32_t ptr;
	if (len < KOSH_PCI_CFG_EXT_SIZE)
		return KOSH_PCI_NOT_FOUND; /* no extended space (not PCI Express, or not through ECAM) */
	if (w->pos == 0) {
		uint32_t first = le32(cfg + CFG_EXT_START);
		if (first == 0 || first == 0xffffffffu)
			return KOSH_PCI_NOT_FOUND; /* PCIe 3.0 §7.9.1: no extended capabilities */
		ptr = CFG_EXT_START;
	} else {
		ptr = (le32(cfg + w->pos) >> 20) & 0xffcu;
		if (ptr == 0)
			return KOSH_PCI_NOT_FOUND;
	}
	if (ptr < CFG_EXT_START || ptr + 4 > KOSH_PCI_CFG_EXT_SIZE)
		return KOSH_PCI_BAD_POINTER;
	if (w->seen[ptr / 32] & (1u << (ptr / 4 % 8)) || ++w->count > EXT_CAPS_MAX)
		return KOSH_PCI_LOOP;
	w->seen[ptr / 32] |= (uint8_t)(1u << (ptr / 4 % 8));
	w->pos = ptr;
	*id = le16(cfg + ptr);
	*version = (uint8_t)(cfg[ptr + 2] & 0xf);
	return KOSH_PCI_OK;
}

enum kosh_pci_error kosh_pci_find_cap(const uint8_t *cfg, size_t len, uint8_t id, uint32_t *pos)
{
	struct kosh_pci_walk w = {0};
	uint8_t got;
	enum kosh_pci_error e;
	while ((e = kosh_pci_cap_next(cfg, len, &w, &got)) == KOSH_PCI_OK)
		if (got == id) {
			*pos = w.pos;
			return KOSH_PCI_OK;
		}
	return e;
}

enum kosh_pci_error kosh_pci_msix(const uint8_t *cfg, size_t len, struct kosh_pci_msix *out)
{
	uint32_t pos;
	enum kosh_pci_error e = kosh_pci_find_cap(cfg, len, KOSH_PCI_CAP_MSIX, &pos);
	*out = (struct kosh_pci_msix){0};
	if (e)
		return e;
	if (pos + MSIX_CAP_LEN > conventional(len))
		return KOSH_PCI_BAD_CAP;
	uint16_t control = le16(cfg + pos + 2);
	uint32_t table = le32(cfg + pos + 4), pba = le32(cfg + pos + 8);
	if ((table & 7u) >= KOSH_PCI_BARS || (pba & 7u) >= KOSH_PCI_BARS)
		return KOSH_PCI_BAD_CAP; /* a BAR indicator of 6 or 7 is reserved */
	out->pos = pos;
	out->table_size = (uint16_t)((control & 0x7ffu) + 1);
	out->enabled = (uint8_t)(control >> 15);
	out->masked = (uint8_t)(control >> 14 & 1);
	out->table_bar = (uint8_t)(table & 7u);
	out->table_offset = table & ~7u;
	out->pba_bar = (uint8_t)(pba & 7u);
	out->pba_offset = pba & ~7u;
	return KOSH_PCI_OK;
}

/*
 * One virtio capability (struct virtio_pci_cap, virtio 1.2 §4.1.4): a
 * structure with a reserved BAR, one too short for its type, or a region that
 * wraps around is one the driver "MUST ignore"; the first usable one of each
 * type is kept.
 */
static void virtio_cap(const uint8_t *cfg, size_t end, uint32_t pos, struct kosh_pci_virtio *v)
{
	if (pos + VIRTIO_CAP_LEN > end)
		return;
	uint8_t cap_len = cfg[pos + 2], type = cfg[pos + 3], bar = cfg[pos + 4];
	struct kosh_pci_virtio_region *r;
	if (cap_len < VIRTIO_CAP_LEN || pos + cap_len > end || bar >= KOSH_PCI_BARS)
		return;
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG: r = &v->common; break;
	case VIRTIO_PCI_CAP_NOTIFY_CFG: r = &v->notify; break;
	case VIRTIO_PCI_CAP_ISR_CFG: r = &v->isr; break;
	case VIRTIO_PCI_CAP_DEVICE_CFG: r = &v->device; break;
	default: return; /* the PCI configuration access window and others: not used */
	}
	uint32_t offset = le32(cfg + pos + 8), length = le32(cfg + pos + 12);
	if (r->present || length == 0 || (uint64_t)offset + length > 0xffffffffull)
		return;
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
		if (cap_len < VIRTIO_NOTIFY_LEN)
			return;
		uint32_t m = le32(cfg + pos + 16);
		if (m & (m - 1) || m == 1)
			return; /* "an even power of 2, or 0" */
		v->notify_multiplier = m;
	}
	*r = (struct kosh_pci_virtio_region){ .present = 1, .bar = bar, .offset = offset, .length = length };
}

enum kosh_pci_error kosh_pci_virtio(const uint8_t *cfg, size_t len, struct kosh_pci_virtio *out)
{
	struct kosh_pci_walk w = {0};
	uint8_t id;
	enum kosh_pci_error e;
	*out = (struct kosh_pci_virtio){0};
	while ((e = kosh_pci_cap_next(cfg, len, &w, &id)) == KOSH_PCI_OK)
		if (id == KOSH_PCI_CAP_VENDOR)
			virtio_cap(cfg, conventional(len), w.pos, out);
	if (e != KOSH_PCI_NOT_FOUND)
		return e;
	if (!out->common.present || !out->notify.present || !out->isr.present)
		return KOSH_PCI_NOT_FOUND;
	return KOSH_PCI_OK;
}

const char *kosh_pci_strerror(enum kosh_pci_error e)
{
	switch (e) {
	case KOSH_PCI_OK: return "success";
	case KOSH_PCI_SHORT: return "configuration space too short";
	case KOSH_PCI_ABSENT: return "no function (vendor 0xffff)";
	case KOSH_PCI_NOT_TYPE0: return "not a type-0 header";
	case KOSH_PCI_BAD_POINTER: return "capability pointer outside the capability area";
	case KOSH_PCI_LOOP: return "capability list loops";
	case KOSH_PCI_BAD_CAP: return "malformed capability";
	case KOSH_PCI_NOT_FOUND: return "not found";
	}
	return "unknown error";
}
