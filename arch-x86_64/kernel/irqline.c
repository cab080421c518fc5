/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines for userspace (arch.h "Interrupt lines") through the IOAPIC:
 * an ISA IRQ (below 16) goes through the firmware's interrupt source
 * overrides, any other line is a GSI, level-triggered and active low as PCI
 * interrupts are. Line n gets the fixed vector X86_VECTOR_DEVICE_FIRST + n, so
 * no allocator is needed; lines past the device vectors are refused.
 *
 * Message-signalled interrupts take a vector of their own pool
 * (X86_VECTOR_MSI_FIRST .. _LAST): the device writes the vector to the local
 * APIC of the CPU named in the address (xAPIC format: physical destination,
 * fixed delivery, edge), so nothing at the IOAPIC is involved.
 */
#include "arch.h"
#include "cpu.h"
#include "cpu_x86.h"
#include "fw.h"

#include <kosh/abi.h>

#define LINES (X86_VECTOR_DEVICE_LAST - X86_VECTOR_DEVICE_FIRST + 1)

static struct fw_irq routes[LINES]; /* how each routed line is programmed */
static uint64_t dests[LINES];
static uint8_t routed[LINES];

int arch_irq_line_route(uint32_t line, const struct cpu *c)
{
	if (line >= LINES)
		return -1;
	uint8_t vector = (uint8_t)(X86_VECTOR_DEVICE_FIRST + line);
	struct fw_irq gsi = { line, FW_TRIGGER_LEVEL, FW_POLARITY_LOW };
	int err = line < 16 ? x86_irq_route_isa((uint8_t)line, vector, c->hwid, &gsi) :
			      x86_irq_route(&gsi, vector, c->hwid);
	if (err)
		return -1;
	routes[line] = gsi;
	dests[line] = c->hwid;
	routed[line] = 1;
	x86_irq_mask(gsi.intid);
	return vector;
}

void arch_irq_line_mask(uint32_t line, int masked)
{
	if (line >= LINES || !routed[line])
		return;
	if (masked)
		x86_irq_mask(routes[line].intid);
	else
		(void)x86_irq_route(&routes[line], (uint8_t)(X86_VECTOR_DEVICE_FIRST + line),
				    dests[line]);
}

#define MSI_VECTORS   (X86_VECTOR_MSI_LAST - X86_VECTOR_MSI_FIRST + 1)
#define MSI_ADDRESS   0xfee00000ull /* Intel SDM vol. 3 §11.11.1 */
#define MSI_DEST_SHIFT 12

static uint8_t msi_used[MSI_VECTORS];

int arch_msi_alloc(const struct cpu *c, uint64_t *address, uint32_t *data)
{
	/* Without interrupt remapping an MSI names an 8-bit APIC id. */
	if (c->hwid > 0xff)
		return KOSH_E_NOT_SUPPORTED;
	for (uint32_t i = 0; i < MSI_VECTORS; i++) {
		if (msi_used[i])
			continue;
		msi_used[i] = 1;
		*address = MSI_ADDRESS | c->hwid << MSI_DEST_SHIFT;
		*data = X86_VECTOR_MSI_FIRST + i; /* fixed delivery, edge */
		return (int)(X86_VECTOR_MSI_FIRST + i);
	}
	return KOSH_E_NO_SLOTS;
}

void arch_msi_free(uint32_t irq)
{
	if (irq >= X86_VECTOR_MSI_FIRST && irq <= X86_VECTOR_MSI_LAST)
		msi_used[irq - X86_VECTOR_MSI_FIRST] = 0;
}
