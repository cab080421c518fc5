/* SPDX-License-Identifier: MIT */
/* The text of dev:///pci and dev:///devices (see text.h). */
#include "text.h"

#include <kosh/fmt.h>
#include <kosh/string.h>

struct out {
	char *buf;
	uint32_t size, len;
};

static void emit(struct out *o, const char *line)
{
	uint32_t n = (uint32_t)strlen(line);
	if (o->len + 1 >= o->size)
		return;
	if (n > o->size - 1 - o->len)
		n = o->size - 1 - o->len;
	memcpy(o->buf + o->len, line, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* " DRIVER NAME [why]\n" of d. */
static void owner(const struct devmgr_device *d, const struct drivers *drivers, char *tail,
		  uint32_t size)
{
	const char *driver = d->driver >= 0 && (uint32_t)d->driver < drivers->count
				 ? drivers->entries[d->driver].name
				 : "-";
	kosh_snprintf(tail, size, " %s %s%s%s\n", driver, d->name[0] ? d->name : "-",
		      d->status[0] ? " " : "", d->status);
}

uint32_t devmgr_text_pci(const struct devmgr_device *const *devs, uint32_t n,
			 const struct drivers *drivers, char *buf, uint32_t size)
{
	struct out o = {buf, size, 0};
	char line[160], tail[96];
	if (size)
		buf[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		const struct devmgr_device *d = devs[i];
		if (d->bus != DEVMGR_PCI)
			continue;
		owner(d, drivers, tail, sizeof(tail));
		kosh_snprintf(line, sizeof(line), "%04x:%02x:%02x.%u %04x:%04x %02x:%02x:%02x%s",
			      d->segment, d->pci_bus, d->pci_device, d->pci_function, d->hdr.vendor,
			      d->hdr.device, d->hdr.class_code, d->hdr.subclass, d->hdr.prog_if,
			      tail);
		emit(&o, line);
	}
	return o.len;
}

uint32_t devmgr_text_devices(const struct devmgr_device *const *devs, uint32_t n,
			     const struct drivers *drivers, char *buf, uint32_t size)
{
	struct out o = {buf, size, 0};
	char line[192], tail[96];
	if (size)
		buf[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		const struct devmgr_device *d = devs[i];
		owner(d, drivers, tail, sizeof(tail));
		if (d->bus == DEVMGR_PCI)
			kosh_snprintf(line, sizeof(line), "pci %04x:%02x:%02x.%u %04x:%04x%s",
				      d->segment, d->pci_bus, d->pci_device, d->pci_function,
				      d->hdr.vendor, d->hdr.device, tail);
		else if (d->bus == DEVMGR_PLATFORM)
			kosh_snprintf(line, sizeof(line), "platform %s %s%s",
				      d->where[0] ? d->where : "-",
				      d->compatible[0] ? d->compatible : "-", tail);
		else
			kosh_snprintf(line, sizeof(line), "none - -%s", tail);
		emit(&o, line);
	}
	return o.len;
}
