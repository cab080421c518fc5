/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/platform.c: the description built from the ACPI tables
 * and device trees QEMU generates (test/unit/data), from broken copies of them,
 * and from small hand-made MADTs for the cases QEMU never produces.
 *
 * ACPI tables are laid out at odd addresses in a fake physical memory of exactly
 * its buffer's size, under an XSDT and an RSDP built here; device trees sit in
 * heap buffers of exactly their size. AddressSanitizer sees any stray read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acpi.h"
#include "fdt.h"
#include "firmware.h"
#include "platform.h"

#define DATA_DIR KOSH_SOURCE_DIR "/test/unit/data/"
#define MEM_BASE 0x40001000ull
#define MEM_SIZE 0x4000u
#define MAX_LINES 16

static struct {
	uint8_t *bytes;
	uint64_t next;
} m;

static struct platform plat;
static struct firmware fw;
static uint8_t *dtb;
static char lines[MAX_LINES][256];
static int line_count;

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
	uint64_t off = phys - MEM_BASE;

	(void)ctx;
	if (phys < MEM_BASE || off > MEM_SIZE || len > MEM_SIZE - off)
		return NULL;
	return m.bytes + off;
}

static int setup(void **state)
{
	(void)state;
	m.bytes = calloc(1, MEM_SIZE);
	m.next = MEM_BASE + 1;
	memset(&fw, 0, sizeof(fw));
	memset(&plat, 0xa5, sizeof(plat));
	dtb = NULL;
	line_count = 0;
	return m.bytes ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(m.bytes);
	free(dtb);
	return 0;
}

static uint8_t *at(uint64_t phys)
{
	assert_true(phys >= MEM_BASE && phys - MEM_BASE < MEM_SIZE);
	return m.bytes + (phys - MEM_BASE);
}

static uint64_t alloc(uint32_t len)
{
	uint64_t phys = m.next | 1;

	assert_true(phys + len <= MEM_BASE + MEM_SIZE);
	m.next = phys + len + 2;
	return phys;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fix_sum(uint8_t *p, uint32_t len, uint32_t at_byte)
{
	uint8_t s = 0;

	p[at_byte] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[at_byte] = (uint8_t)-s;
}

static void fix_checksum(uint64_t phys)
{
	fix_sum(at(phys), get32(at(phys) + 4), 9);
}

/* A table of len bytes with a header; the caller fills it and fixes the checksum. */
static uint64_t table(const char *sig, uint8_t revision, uint32_t len)
{
	uint64_t phys = alloc(len);

	memset(at(phys), 0, len);
	memcpy(at(phys), sig, 4);
	put32(at(phys) + 4, len);
	at(phys)[8] = revision;
	return phys;
}

static uint64_t fixture(const char *machine, const char *sig)
{
	char path[512];
	uint64_t phys;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), DATA_DIR "acpi/%s/%s.dat", machine, sig);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 36 && len < 4096);
	rewind(f);
	phys = alloc((uint32_t)len);
	assert_int_equal(fread(at(phys), 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return phys;
}

/* An XSDT over tables and an RSDP pointing at it; fw then has ACPI. */
static void acpi_over(const uint64_t *tables, uint32_t n)
{
	uint64_t xsdt = table("XSDT", 1, 36 + 8 * n), rsdp = alloc(36);
	uint8_t *r = at(rsdp);

	for (uint32_t i = 0; i < n; i++)
		put64(at(xsdt) + 36 + 8 * i, tables[i]);
	fix_checksum(xsdt);
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	r[15] = 2;
	put32(r + 20, 36);
	put64(r + 24, xsdt);
	fix_sum(r, 20, 8);
	fix_sum(r, 36, 32);
	assert_int_equal(acpi_init(&fw.acpi, rsdp, fake_map, NULL), ACPI_OK);
	fw.have_acpi = 1;
}

/* The tables of a QEMU machine present in test/unit/data/acpi/<machine>. */
static void acpi_machine(const char *machine)
{
	static const char *const sigs[] = { "APIC", "FACP", "HPET", "MCFG", "GTDT", "SPCR" };
	uint64_t tables[6];
	uint32_t n = 0;
	char path[512];

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), DATA_DIR "acpi/%s/%s.dat", machine, sigs[i]);
		f = fopen(path, "rb");
		if (!f)
			continue;
		fclose(f);
		tables[n++] = fixture(machine, sigs[i]);
	}
	acpi_over(tables, n);
}

static void dtb_file(const char *name)
{
	char path[512];
	FILE *f;
	long len;

	snprintf(path, sizeof(path), DATA_DIR "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	free(dtb);
	dtb = malloc((size_t)len);
	assert_non_null(dtb);
	assert_int_equal(fread(dtb, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_int_equal(fdt_check(dtb, (uint64_t)len), FDT_OK);
	fw.dtb = dtb;
	fw.dtb_size = (uint64_t)len;
}

static void record_line(const char *text)
{
	assert_true(line_count < MAX_LINES);
	assert_true(strlen(text) < 200);
	snprintf(lines[line_count++], sizeof(lines[0]), "%s", text);
	printf("    %s\n", text);
}

static void describe(void)
{
	line_count = 0;
	platform_describe(&plat, record_line);
}

static int has_line(const char *text)
{
	for (int i = 0; i < line_count; i++)
		if (strcmp(lines[i], text) == 0)
			return 1;
	return 0;
}

static void assert_line(const char *text)
{
	if (!has_line(text))
		fail_msg("no summary line \"%s\"", text);
}

static void assert_irq(const struct fw_irq *irq, uint32_t intid, uint8_t trigger,
		       uint8_t polarity)
{
	assert_int_equal(irq->intid, intid);
	assert_int_equal(irq->trigger, trigger);
	assert_int_equal(irq->polarity, polarity);
}

static void assert_cpus(uint32_t acpi_uid_step, uint8_t start)
{
	assert_int_equal(plat.cpu_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(plat.cpus[i].hw_id, i);
		assert_int_equal(plat.cpus[i].acpi_uid, acpi_uid_step ? i : FW_CPU_NO_UID);
		assert_int_equal(plat.cpus[i].flags, FW_CPU_ENABLED);
		assert_int_equal(plat.cpus[i].start, start);
		assert_int_equal(plat.cpus[i].start_addr, 0);
	}
}

static void assert_clean(uint8_t source)
{
	assert_int_equal(plat.source, source);
	assert_int_equal(plat.ignored, 0);
	assert_int_equal(plat.truncated, 0);
	assert_int_equal(plat.acpi_status, 0);
	assert_int_equal(plat.dtb_status, 0);
}

static void test_platform_acpi_q35(void **state)
{
	const struct platform_apic *a = &plat.apic;

	(void)state;
	acpi_machine("q35-smp4");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_clean(PLATFORM_SOURCE_ACPI);
	assert_cpus(1, FW_CPU_START_NONE);
	assert_int_equal(plat.ic, PLATFORM_IC_APIC);
	assert_int_equal(a->lapic_base, 0xfee00000);
	assert_int_equal(a->ioapic_count, 1);
	assert_int_equal(a->ioapics[0].id, 0);
	assert_int_equal(a->ioapics[0].base, 0xfec00000);
	assert_int_equal(a->ioapics[0].gsi_base, 0);
	assert_int_equal(a->iso_count, 5);
	assert_int_equal(a->isos[0].source, 0);
	assert_irq(&a->isos[0].gsi, 2, FW_TRIGGER_CONFORMS, FW_POLARITY_CONFORMS);
	assert_irq(&a->isos[1].gsi, 5, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_int_equal(a->lapic_nmi_count, 1);
	assert_int_equal(a->lapic_nmis[0].acpi_uid, FW_CPU_NO_UID);
	assert_int_equal(a->lapic_nmis[0].pin.intid, 1);
	assert_int_equal(a->nmi_gsi_count, 0);
	assert_int_equal(plat.timers.hpet_base, 0xfed00000);
	assert_int_equal(plat.timers.pm_timer.space, FW_SPACE_IO);
	assert_int_equal(plat.timers.pm_timer.address, 0x608);
	assert_int_equal(plat.timers.pm_timer_32bit, 0);
	assert_int_equal(plat.timers.arm.phys.intid, 0);
	assert_int_equal(plat.psci, 0);
	assert_int_equal(plat.ecam_count, 1);
	assert_int_equal(plat.ecam[0].base, 0xb0000000);
	assert_int_equal(plat.ecam[0].bus_end, 255);
	assert_int_equal(plat.legacy, PLATFORM_LEGACY_PIC | PLATFORM_LEGACY_I8042);
	describe();
	assert_line("platform: 4 CPUs from ACPI (APIC ids 0 1 2 3)");
	assert_line("platform: LAPIC at 0xfee00000, IOAPIC 0 at 0xfec00000 GSI base 0, 8259 PICs");
	assert_line("platform: ISA IRQ overrides: 0->GSI 2, 5->GSI 5 level high, 9->GSI 9 level "
		    "high, 10->GSI 10 level high, 11->GSI 11 level high");
	assert_line("platform: timers: HPET at 0xfed00000, PM timer port 0x608 (24-bit)");
	assert_line("platform: PSCI absent, ECAM 0xb0000000 segment 0 buses 0-255");
}

static void assert_arm_timer(void)
{
	const struct fw_arm_timer *t = &plat.timers.arm;

	assert_irq(&t->secure_phys, 29, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&t->phys, 30, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&t->virt, 27, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_irq(&t->hyp_phys, 26, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_int_equal(t->hyp_virt.intid, 0);
	assert_int_equal(t->always_on, 1);
}

static void assert_virt_common(uint8_t ic, int hvc)
{
	assert_int_equal(plat.ic, ic);
	assert_int_equal(plat.gic.gicd, 0x08000000);
	assert_int_equal(plat.psci, 1);
	assert_int_equal(plat.psci_hvc, hvc);
	assert_int_equal(plat.ecam_count, 1);
	assert_int_equal(plat.ecam[0].base, 0x4010000000ull);
	assert_int_equal(plat.ecam[0].segment, 0);
	assert_int_equal(plat.ecam[0].bus_start, 0);
	assert_int_equal(plat.ecam[0].bus_end, 255);
	assert_int_equal(plat.legacy, 0);
	assert_int_equal(plat.timers.hpet_base, 0);
	assert_int_equal(plat.timers.pm_timer.address, 0);
	assert_arm_timer();
}

static void test_platform_acpi_virt_gicv2(void **state)
{
	(void)state;
	acpi_machine("virt-gicv2-smp4");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_clean(PLATFORM_SOURCE_ACPI);
	assert_cpus(1, FW_CPU_START_PSCI);
	assert_virt_common(PLATFORM_IC_GICV2, 1);
	assert_int_equal(plat.gic.version, 2);
	assert_int_equal(plat.gic.gicc, 0x08010000);
	assert_int_equal(plat.gic.gich, 0x08030000);
	assert_int_equal(plat.gic.gicv, 0x08040000);
	assert_int_equal(plat.gic.gicr_count, 0);
	assert_int_equal(plat.gic.maintenance.intid, 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(plat.cpus[i].gic_iface, i);
	/* The GIC MSI frame (MADT type 0xd), its SPIs given (flags bit 0): 80-143. */
	assert_int_equal(plat.gic.v2m_count, 1);
	assert_int_equal(plat.gic.v2m[0].base, 0x08020000);
	assert_int_equal(plat.gic.v2m[0].spi_base, 80);
	assert_int_equal(plat.gic.v2m[0].spi_count, 64);
	describe();
	assert_line("platform: 4 CPUs from ACPI (MPIDR 0x0 0x1 0x2 0x3)");
	assert_line("platform: GICv2 GICD 0x8000000 GICC 0x8010000 V2M 0x8020000");
	assert_line("platform: timers: generic timer PPIs 30 27 26 (phys virt hyp) always-on");
	assert_line("platform: PSCI hvc, ECAM 0x4010000000 segment 0 buses 0-255");
}

static void test_platform_acpi_virt_gicv3(void **state)
{
	(void)state;
	acpi_machine("virt-gicv3-smp4");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_clean(PLATFORM_SOURCE_ACPI);
	assert_cpus(1, FW_CPU_START_PSCI);
	assert_virt_common(PLATFORM_IC_GICV3, 1);
	assert_int_equal(plat.gic.version, 3);
	assert_int_equal(plat.gic.gicc, 0);
	assert_int_equal(plat.gic.gicr_count, 1);
	assert_int_equal(plat.gic.gicr[0].base, 0x080a0000);
	assert_int_equal(plat.gic.gicr[0].size, 0xf60000);
	assert_int_equal(plat.gic.its_count, 1);
	assert_int_equal(plat.gic.its[0], 0x08080000);
	assert_int_equal(plat.gic.maintenance.intid, 0);
	describe();
	assert_line("platform: GICv3 GICD 0x8000000 GICR 0x80a0000+0xf60000 ITS 0x8080000");
}

static void test_platform_acpi_virt_el2(void **state)
{
	(void)state;
	acpi_machine("virt-gicv3-el2-smp4");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_clean(PLATFORM_SOURCE_ACPI);
	assert_cpus(1, FW_CPU_START_PSCI);
	assert_virt_common(PLATFORM_IC_GICV3, 0);
	assert_irq(&plat.gic.maintenance, 25, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	describe();
	assert_line("platform: GICv3 GICD 0x8000000 GICR 0x80a0000+0xf60000 ITS 0x8080000, "
		    "maintenance IRQ 25");
	assert_line("platform: PSCI smc, ECAM 0x4010000000 segment 0 buses 0-255");
}

static void test_platform_dtb_virt_gicv2(void **state)
{
	(void)state;
	dtb_file("qemu-virt-gicv2-smp4.dtb");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_clean(PLATFORM_SOURCE_DTB);
	assert_cpus(0, FW_CPU_START_PSCI);
	assert_virt_common(PLATFORM_IC_GICV2, 1);
	assert_int_equal(plat.gic.version, 2);
	assert_int_equal(plat.gic.gicc, 0x08010000);
	assert_int_equal(plat.gic.gich, 0);
	assert_int_equal(plat.gic.its_count, 0);
	/* QEMU's v2m node has no arm,msi-base-spi: the SPIs come from MSI_TYPER. */
	assert_int_equal(plat.gic.v2m_count, 1);
	assert_int_equal(plat.gic.v2m[0].base, 0x08020000);
	assert_int_equal(plat.gic.v2m[0].spi_count, 0);
	describe();
	assert_line("platform: 4 CPUs from the device tree (MPIDR 0x0 0x1 0x2 0x3)");
	assert_line("platform: GICv2 GICD 0x8000000 GICC 0x8010000 V2M 0x8020000");
	assert_line("platform: timers: generic timer PPIs 30 27 26 (phys virt hyp) always-on");
}

static void test_platform_dtb_virt_gicv3(void **state)
{
	static const char *const trees[] = { "qemu-virt-gicv3-smp4.dtb",
					     "qemu-virt-gicv3-el2-smp4.dtb" };

	(void)state;
	for (int el2 = 0; el2 < 2; el2++) {
		dtb_file(trees[el2]);
		assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
		assert_clean(PLATFORM_SOURCE_DTB);
		assert_cpus(0, FW_CPU_START_PSCI);
		assert_virt_common(PLATFORM_IC_GICV3, !el2);
		assert_int_equal(plat.gic.gicr_count, 1);
		assert_int_equal(plat.gic.gicr[0].base, 0x080a0000);
		assert_int_equal(plat.gic.gicr[0].size, 0xf60000);
		assert_int_equal(plat.gic.its_count, 1);
		assert_int_equal(plat.gic.its[0], 0x08080000);
		assert_int_equal(plat.gic.maintenance.intid, el2 ? 25 : 0);
		describe();
		assert_line(el2 ? "platform: GICv3 GICD 0x8000000 GICR 0x80a0000+0xf60000 ITS "
				  "0x8080000, maintenance IRQ 25"
				: "platform: GICv3 GICD 0x8000000 GICR 0x80a0000+0xf60000 ITS "
				  "0x8080000");
	}
}

/* The older one-CPU trees: GICv2, and GICv2 with virtualization (GICH, GICV). */
static void test_platform_dtb_virt_single_cpu(void **state)
{
	(void)state;
	dtb_file("qemu-virt-el2.dtb");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(plat.cpu_count, 1);
	assert_int_equal(plat.ic, PLATFORM_IC_GICV2);
	assert_int_equal(plat.gic.gich, 0x08030000);
	assert_int_equal(plat.gic.gicv, 0x08040000);
	assert_irq(&plat.gic.maintenance, 25, FW_TRIGGER_LEVEL, FW_POLARITY_HIGH);
	assert_arm_timer();
	assert_int_equal(plat.psci_hvc, 0);
	dtb_file("qemu-virt.dtb");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(plat.cpu_count, 1);
	assert_int_equal(plat.gic.maintenance.intid, 0);
}

static void test_platform_prefers_acpi(void **state)
{
	(void)state;
	acpi_machine("virt-gicv3-smp4");
	dtb_file("qemu-virt-gicv2-smp4.dtb");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(plat.source, PLATFORM_SOURCE_ACPI);
	assert_int_equal(plat.ic, PLATFORM_IC_GICV3);
}

/* The first structure of the machine's MADT, copied into memory, given length len. */
static uint64_t madt_with_first_length(const char *machine, uint8_t len)
{
	uint64_t t = fixture(machine, "APIC");

	at(t)[45] = len;
	fix_checksum(t);
	return t;
}

static void test_platform_bad_madt_falls_back_to_dtb(void **state)
{
	uint64_t t = madt_with_first_length("virt-gicv3-smp4", 0);

	(void)state;
	acpi_over(&t, 1);
	dtb_file("qemu-virt-gicv3-smp4.dtb");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(plat.source, PLATFORM_SOURCE_DTB);
	assert_int_equal(plat.acpi_status, PLATFORM_E_MADT);
	assert_int_equal(plat.acpi_error, ACPI_E_ENTRY_LENGTH);
	assert_int_equal(plat.ic, PLATFORM_IC_GICV3);
	assert_int_equal(plat.cpu_count, 4);
	describe();
	assert_line("platform: ACPI not used: malformed MADT structure (structure length is 0 "
		    "or too short for its type)");
	/* Without a device tree to fall back on, the MADT's error is the result. */
	fw.dtb = NULL;
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_MADT);
	assert_int_equal(plat.source, PLATFORM_SOURCE_NONE);
	assert_int_equal(plat.cpu_count, 0);
}

static void test_platform_bad_madt_variants(void **state)
{
	static const struct {
		const char *machine;
		uint8_t len;
		int acpi_error;
	} cases[] = {
		{ "q35-smp4", 0, ACPI_E_ENTRY_LENGTH },
		{ "q35-smp4", 7, ACPI_E_ENTRY_LENGTH },
		{ "q35-smp4", 200, ACPI_E_ENTRY_OVERRUN },
		{ "virt-gicv2-smp4", 23, ACPI_E_ENTRY_LENGTH },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t t;

		m.next = MEM_BASE + 1;
		t = madt_with_first_length(cases[i].machine, cases[i].len);
		acpi_over(&t, 1);
		assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_MADT);
		assert_int_equal(plat.acpi_error, cases[i].acpi_error);
		assert_int_equal(plat.cpu_count, 0);
		assert_int_equal(plat.ic, PLATFORM_IC_NONE);
	}
}

static void test_platform_bad_checksum_means_no_madt(void **state)
{
	uint64_t t = fixture("q35-smp4", "APIC");

	(void)state;
	at(t)[60] ^= 0x40;
	acpi_over(&t, 1);
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_NO_MADT);
	assert_int_equal(plat.acpi_error, ACPI_E_NOT_FOUND);
}

/* An MADT holding body; platform_init over it alone. */
static int init_madt(uint32_t lapic_base, const uint8_t *body, uint32_t len)
{
	uint64_t t = table("APIC", 5, 44 + len);

	put32(at(t) + 36, lapic_base);
	if (len)
		memcpy(at(t) + 44, body, len);
	fix_checksum(t);
	acpi_over(&t, 1);
	return platform_init(&plat, &fw);
}

#define LAPIC(uid, id, flags) 0x00, 8, uid, id, flags, 0, 0, 0
#define GICD(version) 0x0c, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, \
		      version, 0, 0, 0
#define GICR 0x0e, 16, 0, 0, 0, 0, 0x0a, 0x08, 0, 0, 0, 0, 0, 0, 0xf6, 0

/* A GICC (ACPI 5.1 size, 76 bytes) for MPIDR mpidr, with a GICC base or a GICR base. */
static uint32_t gicc(uint8_t *p, uint8_t mpidr, uint32_t flags, uint32_t gicc_base,
		     uint32_t gicr_base)
{
	memset(p, 0, 76);
	p[0] = 0x0b;
	p[1] = 76;
	p[8] = mpidr;
	put32(p + 12, flags);
	put32(p + 32, gicc_base);
	put32(p + 60, gicr_base);
	p[68] = mpidr;
	return 76;
}

static void test_platform_acpi_not_enough(void **state)
{
	static const uint8_t ioapic_only[] = { 0x01, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
	static const uint8_t unusable[] = { LAPIC(0, 0, 0), LAPIC(1, 0xff, 1) };
	static const uint8_t both[] = { LAPIC(0, 0, 1), GICD(2) };
	static const uint8_t two_gicd[] = { GICD(3), GICD(3), GICR };
	static const uint8_t lapic[] = { LAPIC(0, 0, 1) };
	uint64_t facp;

	(void)state;
	facp = table("FACP", 6, 276);
	fix_checksum(facp);
	acpi_over(&facp, 1);
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_NO_MADT);
	assert_int_equal(init_madt(0xfee00000, ioapic_only, sizeof(ioapic_only)),
			 PLATFORM_E_NO_CPUS);
	/* Neither enabled nor online-capable; an xAPIC id of 0xff. */
	assert_int_equal(init_madt(0xfee00000, unusable, sizeof(unusable)), PLATFORM_E_NO_CPUS);
	assert_int_equal(init_madt(0xfee00000, both, sizeof(both)), PLATFORM_E_IC_CONFLICT);
	assert_int_equal(init_madt(0, two_gicd, sizeof(two_gicd)), PLATFORM_E_IC_CONFLICT);
	assert_int_equal(init_madt(0, lapic, sizeof(lapic)), PLATFORM_E_NO_IC);
	assert_int_equal(init_madt(0xfee00000, NULL, 0), PLATFORM_E_NO_CPUS);
	assert_int_equal(plat.acpi_status, PLATFORM_E_NO_CPUS);
}

/* A GIC MSI frame (MADT type 0xd, 24 bytes) at base; flags bit 0: spi_base and count valid. */
static uint32_t msi_frame(uint8_t *p, uint32_t base, uint32_t flags, uint16_t count,
			  uint16_t spi_base)
{
	memset(p, 0, 24);
	p[0] = 0x0d;
	p[1] = 24;
	put64(p + 8, base);
	put32(p + 16, flags);
	p[20] = (uint8_t)count, p[21] = (uint8_t)(count >> 8);
	p[22] = (uint8_t)spi_base, p[23] = (uint8_t)(spi_base >> 8);
	return 24;
}

static void test_platform_acpi_gic_msi_frames(void **state)
{
	uint8_t body[24 + 76 + (FW_V2M_MAX + 1) * 24];
	uint32_t n;

	(void)state;
	memcpy(body, (uint8_t[]){ GICD(2) }, 24);
	n = 24 + gicc(body + 24, 0, 1, 0x08010000, 0);
	n += msi_frame(body + n, 0x08020000, 0, 64, 80);  /* flag clear: read MSI_TYPER */
	n += msi_frame(body + n, 0x08021000, 1, 32, 144); /* given here */
	n += msi_frame(body + n, 0, 1, 32, 176);	  /* no base: left out */
	assert_int_equal(init_madt(0, body, n), PLATFORM_OK);
	assert_int_equal(plat.gic.v2m_count, 2);
	assert_int_equal(plat.gic.v2m[0].base, 0x08020000);
	assert_int_equal(plat.gic.v2m[0].spi_base, 0);
	assert_int_equal(plat.gic.v2m[0].spi_count, 0);
	assert_int_equal(plat.gic.v2m[1].base, 0x08021000);
	assert_int_equal(plat.gic.v2m[1].spi_base, 144);
	assert_int_equal(plat.gic.v2m[1].spi_count, 32);
	/* More frames than kept: the rest are dropped and the truncation is reported. */
	n = 24 + gicc(body + 24, 0, 1, 0x08010000, 0);
	for (uint32_t i = 0; i < FW_V2M_MAX + 1; i++)
		n += msi_frame(body + n, 0x08020000 + i * 0x1000, 0, 0, 0);
	assert_int_equal(init_madt(0, body, n), PLATFORM_OK);
	assert_int_equal(plat.gic.v2m_count, FW_V2M_MAX);
	assert_true(plat.truncated & PLATFORM_PART_GIC);
}

static void test_platform_acpi_gic_frames(void **state)
{
	uint8_t body[24 + 16 + 2 * 76];
	uint32_t n;

	(void)state;
	/* GICv3 without redistributors anywhere; then with them per CPU only. */
	memcpy(body, (uint8_t[]){ GICD(3) }, 24);
	n = 24 + gicc(body + 24, 0, 1, 0, 0);
	assert_int_equal(init_madt(0, body, n), PLATFORM_E_NO_IC);
	n = 24 + gicc(body + 24, 0, 1, 0, 0x080a0000);
	n += gicc(body + n, 1, 1, 0, 0x080c0000);
	assert_int_equal(init_madt(0, body, n), PLATFORM_OK);
	assert_int_equal(plat.ic, PLATFORM_IC_GICV3);
	assert_int_equal(plat.cpus[1].gicr_base, 0x080c0000);
	/* GICv2 without a CPU interface; a GICC without a GICD. */
	memcpy(body, (uint8_t[]){ GICD(2) }, 24);
	n = 24 + gicc(body + 24, 0, 1, 0, 0);
	assert_int_equal(init_madt(0, body, n), PLATFORM_E_NO_IC);
	n = gicc(body, 0, 1, 0x08010000, 0);
	assert_int_equal(init_madt(0, body, n), PLATFORM_E_NO_IC);
	/* No version in the GICD: GICR ranges make it a v3, a GICC base a v2. */
	memcpy(body, (uint8_t[]){ GICD(0), GICR }, 40);
	n = 40 + gicc(body + 40, 0, 1, 0, 0);
	assert_int_equal(init_madt(0, body, n), PLATFORM_OK);
	assert_int_equal(plat.ic, PLATFORM_IC_GICV3);
	memcpy(body, (uint8_t[]){ GICD(0) }, 24);
	n = 24 + gicc(body + 24, 0, 1, 0x08010000, 0);
	/* A second CPU, online-capable only (ACPI 6.5 GICC flag bit 3). */
	n += gicc(body + n, 1, 8, 0x08010000, 0);
	assert_int_equal(init_madt(0, body, n), PLATFORM_OK);
	assert_int_equal(plat.ic, PLATFORM_IC_GICV2);
	assert_int_equal(plat.cpu_count, 2);
	assert_int_equal(plat.cpus[1].flags, FW_CPU_ONLINE_CAPABLE);
	assert_int_equal(plat.psci, 0); /* no FADT: PSCI not described */
}

static void test_platform_acpi_x2apic_dedup_and_override(void **state)
{
	uint8_t body[8 * 2 + 16 * 2 + 12];
	uint32_t n = 0;

	(void)state;
	memcpy(body, (uint8_t[]){ LAPIC(0, 0, 1), LAPIC(1, 1, 2) }, 16);
	n = 16;
	/* x2APIC structures for id 1 (again) and 0x100 */
	memcpy(body + n, (uint8_t[]){ 0x09, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 }, 16);
	n += 16;
	memcpy(body + n,
	       (uint8_t[]){ 0x09, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0 }, 16);
	n += 16;
	memcpy(body + n, (uint8_t[]){ 0x05, 12, 0, 0, 0, 0, 0xe0, 0xfe, 1, 0, 0, 0 }, 12);
	n += 12;
	assert_int_equal(init_madt(0xfee00000, body, n), PLATFORM_OK);
	assert_int_equal(plat.cpu_count, 3);
	assert_int_equal(plat.cpus[1].flags, FW_CPU_ONLINE_CAPABLE);
	assert_int_equal(plat.cpus[2].hw_id, 0x100);
	assert_int_equal(plat.cpus[2].acpi_uid, 9);
	assert_int_equal(plat.apic.lapic_base, 0x1fee00000ull);
	assert_int_equal(plat.legacy, 0);
	describe();
	assert_line("platform: 3 CPUs from ACPI (APIC ids 0 1 (offline) 256)");
}

static void test_platform_acpi_truncates_arrays(void **state)
{
	static uint8_t body[300 * 8 + 10 * 12];
	uint32_t n = 0;

	(void)state;
	for (uint32_t i = 0; i < 300; i++, n += 8)
		memcpy(body + n, (uint8_t[]){ LAPIC(i & 0xff, (uint8_t)(i % 255), 1) }, 8);
	for (uint32_t i = 0; i < 10; i++, n += 12)
		memcpy(body + n, (uint8_t[]){ 0x01, 12, (uint8_t)i, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 },
		       12);
	assert_int_equal(init_madt(0xfee00000, body, n), PLATFORM_OK);
	assert_int_equal(plat.cpu_count, 255); /* ids 0-254: the rest repeat them */
	assert_int_equal(plat.apic.ioapic_count, PLATFORM_MAX_IOAPICS);
	assert_int_equal(plat.truncated, PLATFORM_PART_IOAPICS);
	describe();
	assert_int_equal(strlen(lines[1]), 199); /* the IOAPIC list, cut */
	assert_string_equal(lines[1] + 196, "...");
	assert_line("platform: left out: malformed parts 0x0, overflowing parts 0x2 "
		    "(PLATFORM_PART_*)");
}

static void test_platform_optional_tables_malformed(void **state)
{
	uint64_t tables[3];

	(void)state;
	tables[0] = fixture("virt-gicv3-smp4", "APIC");
	tables[1] = table("GTDT", 2, 79); /* too short */
	fix_checksum(tables[1]);
	tables[2] = table("MCFG", 1, 60); /* a window at address 0 */
	fix_checksum(tables[2]);
	acpi_over(tables, 3);
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(plat.ignored, PLATFORM_PART_TIMER | PLATFORM_PART_ECAM);
	assert_int_equal(plat.timers.arm.phys.intid, 0);
	assert_int_equal(plat.ecam_count, 0);
	assert_int_equal(plat.psci, 0);
	/* No PSCI: the CPUs keep no start method (no parking protocol either). */
	assert_int_equal(plat.cpus[1].start, FW_CPU_START_NONE);
	describe();
	assert_line("platform: timers: none described");
	assert_line("platform: PSCI absent");
}

/* Rename the property old of the node at path to new (a string already in the blob). */
static void rename_prop(const char *path, const char *old, const char *new_name)
{
	uint32_t off_struct = (uint32_t)dtb[8] << 24 | dtb[9] << 16 | dtb[10] << 8 | dtb[11];
	uint32_t off_strings = (uint32_t)dtb[12] << 24 | dtb[13] << 16 | dtb[14] << 8 | dtb[15];
	uint32_t size_strings = (uint32_t)dtb[32] << 24 | dtb[33] << 16 | dtb[34] << 8 | dtb[35];
	int node = fdt_find_path(dtb, path);
	const char *strs = (const char *)dtb + off_strings;
	uint8_t *p;
	uint32_t new_off = 0;

	assert_true(node >= 0);
	while (new_off < size_strings && strcmp(strs + new_off, new_name) != 0)
		new_off += (uint32_t)strlen(strs + new_off) + 1;
	assert_true(new_off < size_strings);
	p = dtb + off_struct + node + 4;
	p += (strlen((const char *)p) + 1 + 3) & ~3u;
	for (;;) {
		uint32_t tag = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
		uint32_t len = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
		uint32_t name = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];

		assert_int_equal(tag, 3); /* FDT_PROP: the property must be found */
		if (strcmp(strs + name, old) == 0) {
			for (int i = 0; i < 4; i++)
				p[8 + i] = (uint8_t)(new_off >> (24 - 8 * i));
			return;
		}
		p += 12 + ((len + 3) & ~3u);
	}
}

static void test_platform_dtb_broken_nodes(void **state)
{
	(void)state;
	/* A CPU without "reg". */
	dtb_file("qemu-virt-gicv3-smp4.dtb");
	rename_prop("/cpus/cpu@2", "reg", "bank-width");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_DTB);
	assert_int_equal(plat.dtb_status, PLATFORM_E_DTB);
	assert_int_equal(plat.dtb_error, FDT_E_BADVALUE);
	assert_int_equal(plat.cpu_count, 0);
	describe();
	assert_line("platform: device tree not used: malformed device tree node (property "
		    "value malformed)");
	/* A GIC without "reg". */
	dtb_file("qemu-virt-gicv2-smp4.dtb");
	rename_prop("/intc@8000000", "reg", "bank-width");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_DTB);
	assert_int_equal(plat.dtb_error, FDT_E_BADVALUE);
	/* No interrupt controller at all. */
	dtb_file("qemu-virt-gicv2-smp4.dtb");
	rename_prop("/intc@8000000", "interrupt-controller", "dma-coherent");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_NO_IC);
	/* No CPU node: device_type renamed everywhere under /cpus. */
	dtb_file("qemu-virt.dtb");
	rename_prop("/cpus/cpu@0", "device_type", "model");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_NO_CPUS);
}

static void test_platform_dtb_bad_timer_is_left_out(void **state)
{
	const uint8_t *v;
	int node, len;

	(void)state;
	dtb_file("qemu-virt-gicv3-smp4.dtb");
	node = fdt_find_path(dtb, "/timer");
	v = fdt_get_prop(dtb, node, "interrupts", &len);
	assert_non_null(v);
	((uint8_t *)v)[3] = 7; /* the first specifier's type: no such GIC type */
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(plat.ignored, PLATFORM_PART_TIMER);
	assert_int_equal(plat.timers.arm.phys.intid, 0);
}

static void test_platform_no_firmware_and_null(void **state)
{
	(void)state;
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_E_NO_FIRMWARE);
	assert_int_equal(plat.source, PLATFORM_SOURCE_NONE);
	assert_int_equal(platform_init(NULL, &fw), PLATFORM_E_INVALID);
	assert_int_equal(platform_init(&plat, NULL), PLATFORM_E_INVALID);
	describe();
	assert_int_equal(line_count, 0);
	platform_describe(NULL, record_line);
	platform_describe(&plat, NULL);
}

static void test_platform_mark_boot_cpu(void **state)
{
	(void)state;
	dtb_file("qemu-virt-gicv3-smp4.dtb");
	assert_int_equal(platform_init(&plat, &fw), PLATFORM_OK);
	assert_int_equal(platform_mark_boot_cpu(&plat, 2), 2);
	assert_int_equal(plat.cpus[2].flags, FW_CPU_ENABLED | FW_CPU_BOOT);
	assert_int_equal(platform_mark_boot_cpu(&plat, 0), 0);
	assert_int_equal(plat.cpus[2].flags, FW_CPU_ENABLED);
	assert_int_equal(plat.cpus[0].flags, FW_CPU_ENABLED | FW_CPU_BOOT);
	assert_int_equal(platform_mark_boot_cpu(&plat, 0x100), PLATFORM_E_NOT_LISTED);
	assert_int_equal(platform_mark_boot_cpu(NULL, 0), PLATFORM_E_INVALID);
}

static void test_platform_strerror(void **state)
{
	(void)state;
	for (int e = PLATFORM_OK; e > PLATFORM_E_COUNT; e--) {
		assert_string_not_equal(platform_strerror(e), "unknown platform error");
		for (int f = PLATFORM_OK; f > e; f--)
			assert_string_not_equal(platform_strerror(e), platform_strerror(f));
	}
	assert_string_equal(platform_strerror(PLATFORM_E_COUNT), "unknown platform error");
	assert_string_equal(platform_strerror(3), "unknown platform error");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_platform_acpi_q35),
		T(test_platform_acpi_virt_gicv2),
		T(test_platform_acpi_virt_gicv3),
		T(test_platform_acpi_virt_el2),
		T(test_platform_acpi_gic_msi_frames),
		T(test_platform_dtb_virt_gicv2),
		T(test_platform_dtb_virt_gicv3),
		T(test_platform_dtb_virt_single_cpu),
		T(test_platform_prefers_acpi),
		T(test_platform_bad_madt_falls_back_to_dtb),
		T(test_platform_bad_madt_variants),
		T(test_platform_bad_checksum_means_no_madt),
		T(test_platform_acpi_not_enough),
		T(test_platform_acpi_gic_frames),
		T(test_platform_acpi_x2apic_dedup_and_override),
		T(test_platform_acpi_truncates_arrays),
		T(test_platform_optional_tables_malformed),
		T(test_platform_dtb_broken_nodes),
		T(test_platform_dtb_bad_timer_is_left_out),
		T(test_platform_no_firmware_and_null),
		T(test_platform_mark_boot_cpu),
		T(test_platform_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
