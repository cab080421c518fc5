/* SPDX-License-Identifier: MIT */
/*
 * Power-off (see power.h).
 */
#include "power.h"

#include "arch.h"
#include "fdt.h"
#include "firmware.h"

#include <kosh/bootinfo.h>
#include <kosh/fmt.h>

#define PSCI_SYSTEM_OFF 0x84000008u
#define SLP_EN_PM1 (1u << 13)
#define SLP_EN_HW_REDUCED (1u << 5)
#define SETTLE_SPINS 10000000

static void try_psci(const struct firmware *fw)
{
	int present = 0, use_hvc = 0;
	if (fw->have_acpi) {
		if (acpi_psci(&fw->acpi, &present, &use_hvc) != 0)
			present = 0;
	} else if (fw->dtb) {
		present = fdt_psci(fw->dtb, fw->dtb_size, &use_hvc) == 0;
	}
	if (present)
		arch_psci_call(use_hvc, PSCI_SYSTEM_OFF, 0, 0, 0);
}

static void gas_write(const struct firmware *fw, const struct fw_gas *g, uint32_t v)
{
	if (!g->address)
		return;
	if (g->space == 1) {
		if (g->bit_width == 8)
			arch_port_out8((uint16_t)g->address, (uint8_t)v);
		else
			arch_port_out16((uint16_t)g->address, (uint16_t)v);
		return;
	}
	volatile void *p = (volatile void *)(uintptr_t)(fw->bi->hhdm_base + g->address);
	if (g->bit_width == 8)
		*(volatile uint8_t *)p = (uint8_t)v;
	else
		*(volatile uint16_t *)p = (uint16_t)v;
}

static int try_acpi_s5(const struct firmware *fw)
{
	struct acpi_sleep s;
	if (!fw->have_acpi || acpi_s5(&fw->acpi, &s) != 0)
		return -1;
	if (s.hw_reduced) {
		gas_write(fw, &s.sleep_control, ((s.slp_typa & 7u) << 2) | SLP_EN_HW_REDUCED);
	} else {
		gas_write(fw, &s.pm1a_cnt, ((s.slp_typa & 7u) << 10) | SLP_EN_PM1);
		gas_write(fw, &s.pm1b_cnt, ((s.slp_typb & 7u) << 10) | SLP_EN_PM1);
	}
	return 0;
}

void power_off(const struct firmware *fw, char *why, size_t len)
{
	try_psci(fw);
	int acpi = try_acpi_s5(fw);
	for (volatile int i = 0; i < SETTLE_SPINS; i++)
		;
	kosh_snprintf(why, len, "%s", acpi ? "no PSCI and no ACPI S5 state" :
				     "PSCI/ACPI S5 did not switch the machine off");
}
