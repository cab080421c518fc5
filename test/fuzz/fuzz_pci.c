/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pci: any bytes as a configuration space (conventional or extended):
 * every walk ends within bounds, and what is returned is within its limits.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/pci.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t cfg[KOSH_PCI_CFG_EXT_SIZE];
	size_t len = size > sizeof(cfg) ? sizeof(cfg) : size;
	struct kosh_pci_header h;
	struct kosh_pci_walk w = {0};
	struct kosh_pci_ext_walk x = {0};
	struct kosh_pci_virtio v;
	struct kosh_pci_msix m;
	uint16_t xid;
	uint8_t id, version;
	uint32_t n = 0;
	memcpy(cfg, data, len);
	(void)kosh_pci_header(cfg, len, &h);
	while (kosh_pci_cap_next(cfg, len, &w, &id) == KOSH_PCI_OK)
		if (++n > 48 || w.pos < 0x40 || w.pos + 2 > len)
			__builtin_trap();
	n = 0;
	while (kosh_pci_ext_cap_next(cfg, len, &x, &xid, &version) == KOSH_PCI_OK)
		if (++n > 960 || x.pos < 0x100 || x.pos + 4 > len)
			__builtin_trap();
	if (kosh_pci_virtio(cfg, len, &v) == KOSH_PCI_OK &&
	    (v.common.bar > 5 || v.notify.bar > 5 || v.isr.bar > 5))
		__builtin_trap();
	if (kosh_pci_msix(cfg, len, &m) == KOSH_PCI_OK && (m.table_bar > 5 || m.table_size > 2048))
		__builtin_trap();
	return 0;
}
