/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables that describe the machine rather than boot it: the MADT (CPUs,
 * APICs, GIC), HPET, MCFG and GTDT (see acpi.h for what each function offers).
 *
 * Invariants: each table comes from acpi_find(), so its signature, length and
 * checksum are right and every byte below its length is mapped. Every field read
 * is below a length checked first: a fixed table's minimum size, or for the MADT
 * the length of the structure, which acpi_madt_next() has checked against the
 * minimum size of its type and against the end of the table before decoding it.
 * A structure of length 0 is an error, so every walk advances and ends.
 */
#include <stddef.h>
#include <stdint.h>
#include <kosh/string.h>

#include "acpi.h"
#include "acpi_bytes.h"

#define HDR_REVISION 8

/* MADT */
#define MADT_LAPIC_ADDRESS 36
#define MADT_FLAGS         40
#define MADT_ENTRIES       44u
#define MADT_KINDS         16u /* types 0x0-0xf have a row in madt_kinds */

/* HPET */
#define HPET_BLOCK_ID 36
#define HPET_BASE     40 /* GAS */
#define HPET_NUMBER   52
#define HPET_MIN_TICK 53
#define HPET_SIZE     56u

/* MCFG */
#define MCFG_ENTRIES    44u
#define MCFG_ENTRY_SIZE 16u
#define ECAM_BUS_SHIFT  20 /* 1 MiB of configuration space per bus */

/* GTDT */
#define GTDT_CNT_CONTROL_BASE 36
#define GTDT_SECURE_EL1       48 /* each timer: GSIV (4 bytes), then flags (4 bytes) */
#define GTDT_NONSECURE_EL1    56
#define GTDT_VIRTUAL_EL1      64
#define GTDT_EL2              72
#define GTDT_V1_SIZE          80u /* through the EL2 timer's flags */
#define GTDT_CNT_READ_BASE    80
#define GTDT_VIRTUAL_EL2      96  /* revision 3 (ACPI 6.3) */
#define GTDT_V3_SIZE          104u
#define GTDT_NO_FRAME         0xffffffffffffffffull /* CntControlBase / CntReadBase absent */

#define GTDT_EDGE        0x1u
#define GTDT_ACTIVE_LOW  0x2u
#define GTDT_ALWAYS_ON   0x4u

/* MPS INTI flags: polarity in bits 0-1, trigger mode in bits 2-3 (2 is reserved). */
#define INTI_FIELD_HIGH_OR_EDGE 1u
#define INTI_FIELD_LOW_OR_LEVEL 3u

typedef void (*madt_decoder)(const uint8_t *p, struct acpi_madt_entry *e);

/* What a structure type needs: its minimum length and a decoder. */
struct madt_kind {
	uint8_t min_length;
	madt_decoder decode;
};

/* An MPS INTI flags field: 1 means the first of the pair, 3 the second, else conforms. */
static uint8_t inti_field(uint32_t bits, uint8_t first, uint8_t second)
{
	if (bits == INTI_FIELD_HIGH_OR_EDGE)
		return first;
	return bits == INTI_FIELD_LOW_OR_LEVEL ? second : 0;
}

static void inti_irq(uint32_t intid, uint16_t flags, struct fw_irq *out)
{
	out->intid = intid;
	out->polarity = inti_field(flags & 3u, FW_POLARITY_HIGH, FW_POLARITY_LOW);
	out->trigger = inti_field(flags >> 2 & 3u, FW_TRIGGER_EDGE, FW_TRIGGER_LEVEL);
}

static void decode_lapic(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->lapic.uid = p[2];
	e->lapic.apic_id = p[3];
	e->lapic.flags = acpi_le32(p + 4);
}

static void decode_ioapic(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->ioapic.id = p[2];
	e->ioapic.address = acpi_le32(p + 4);
	e->ioapic.gsi_base = acpi_le32(p + 8);
}

static void decode_iso(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->iso.bus = p[2];
	e->iso.source = p[3];
	inti_irq(acpi_le32(p + 4), acpi_le16(p + 8), &e->iso.gsi);
}

static void decode_nmi_source(const uint8_t *p, struct acpi_madt_entry *e)
{
	inti_irq(acpi_le32(p + 4), acpi_le16(p + 2), &e->nmi_source.gsi);
}

static void decode_lapic_nmi(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->lapic_nmi.uid = p[2];
	inti_irq(p[5], acpi_le16(p + 3), &e->lapic_nmi.pin);
}

static void decode_lapic_override(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->lapic_override.address = acpi_le64(p + 4);
}

static void decode_x2apic(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->lapic.apic_id = acpi_le32(p + 4);
	e->lapic.flags = acpi_le32(p + 8);
	e->lapic.uid = acpi_le32(p + 12);
}

static void decode_x2apic_nmi(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->lapic_nmi.uid = acpi_le32(p + 4);
	inti_irq(p[8], acpi_le16(p + 2), &e->lapic_nmi.pin);
}

static void decode_gicc(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->gicc.iface = acpi_le32(p + 4);
	e->gicc.uid = acpi_le32(p + 8);
	e->gicc.flags = acpi_le32(p + 12);
	e->gicc.parking_version = acpi_le32(p + 16);
	e->gicc.perf_gsiv = acpi_le32(p + 20);
	e->gicc.parked_address = acpi_le64(p + 24);
	e->gicc.gicc_base = acpi_le64(p + 32);
	e->gicc.gicv_base = acpi_le64(p + 40);
	e->gicc.gich_base = acpi_le64(p + 48);
	e->gicc.vgic_gsiv = acpi_le32(p + 56);
	e->gicc.gicr_base = acpi_le64(p + 60);
	e->gicc.mpidr = acpi_le64(p + 68);
}

static void decode_gicd(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->gicd.id = acpi_le32(p + 4);
	e->gicd.base = acpi_le64(p + 8);
	e->gicd.version = p[20];
}

static void decode_msi_frame(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->msi_frame.id = acpi_le32(p + 4);
	e->msi_frame.base = acpi_le64(p + 8);
	e->msi_frame.flags = acpi_le32(p + 16);
	e->msi_frame.spi_count = acpi_le16(p + 20);
	e->msi_frame.spi_base = acpi_le16(p + 22);
}

static void decode_gicr(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->gicr.base = acpi_le64(p + 4);
	e->gicr.length = acpi_le32(p + 12);
}

static void decode_its(const uint8_t *p, struct acpi_madt_entry *e)
{
	e->its.id = acpi_le32(p + 4);
	e->its.base = acpi_le64(p + 8);
}

/*
 * Minimum lengths are the sizes the ACPI specification gives each structure,
 * except the GICC: 76 bytes (ACPI 5.1, which added GICR base and MPIDR) is
 * accepted, the later fields (efficiency class, SPE and TRBE interrupts) unused.
 */
static const struct madt_kind madt_kinds[MADT_KINDS] = {
	[ACPI_MADT_LAPIC] = { 8, decode_lapic },
	[ACPI_MADT_IOAPIC] = { 12, decode_ioapic },
	[ACPI_MADT_ISO] = { 10, decode_iso },
	[ACPI_MADT_NMI_SOURCE] = { 8, decode_nmi_source },
	[ACPI_MADT_LAPIC_NMI] = { 6, decode_lapic_nmi },
	[ACPI_MADT_LAPIC_OVERRIDE] = { 12, decode_lapic_override },
	[ACPI_MADT_X2APIC] = { 16, decode_x2apic },
	[ACPI_MADT_X2APIC_NMI] = { 12, decode_x2apic_nmi },
	[ACPI_MADT_GICC] = { 76, decode_gicc },
	[ACPI_MADT_GICD] = { 24, decode_gicd },
	[ACPI_MADT_GIC_MSI] = { 24, decode_msi_frame },
	[ACPI_MADT_GICR] = { 16, decode_gicr },
	[ACPI_MADT_GIC_ITS] = { 20, decode_its },
};

/* The row for a type; unknown types only need their type and length bytes. */
static struct madt_kind madt_kind(uint8_t type)
{
	static const struct madt_kind unknown = { 2, NULL };

	if (type < MADT_KINDS && madt_kinds[type].decode)
		return madt_kinds[type];
	return unknown;
}

int acpi_madt_open(const struct acpi *a, struct acpi_madt *m)
{
	const uint8_t *t;
	uint32_t len;

	if (!a || !m)
		return ACPI_E_INVALID;
	memset(m, 0, sizeof(*m));
	t = acpi_find(a, "APIC", 0, &len);
	if (!t)
		return ACPI_E_NOT_FOUND;
	if (len < MADT_ENTRIES)
		return ACPI_E_SHORT;
	m->table = t;
	m->len = len;
	m->lapic_base = acpi_le32(t + MADT_LAPIC_ADDRESS);
	m->flags = acpi_le32(t + MADT_FLAGS);
	return 0;
}

int acpi_madt_next(const struct acpi_madt *m, uint32_t *cursor, struct acpi_madt_entry *e)
{
	struct madt_kind kind;
	const uint8_t *p;
	uint32_t at;

	if (!m || !m->table || !cursor || !e)
		return ACPI_E_INVALID;
	at = *cursor < MADT_ENTRIES ? MADT_ENTRIES : *cursor;
	if (at >= m->len)
		return 0;
	if (m->len - at < 2)
		return ACPI_E_ENTRY_OVERRUN; /* not even a type and a length */
	p = m->table + at;
	kind = madt_kind(p[0]);
	if (p[1] < kind.min_length)
		return ACPI_E_ENTRY_LENGTH;
	if (p[1] > m->len - at)
		return ACPI_E_ENTRY_OVERRUN;
	memset(e, 0, sizeof(*e));
	e->type = p[0];
	e->length = p[1];
	if (kind.decode)
		kind.decode(p, e);
	*cursor = at + p[1];
	return 1;
}

int acpi_hpet(const struct acpi *a, struct acpi_hpet *out)
{
	const uint8_t *t;
	uint32_t len;
	int err;

	if (!a || !out)
		return ACPI_E_INVALID;
	memset(out, 0, sizeof(*out));
	t = acpi_find(a, "HPET", 0, &len);
	if (!t)
		return ACPI_E_NOT_FOUND;
	if (len < HPET_SIZE)
		return ACPI_E_SHORT;
	acpi_read_gas(t + HPET_BASE, &out->base);
	err = acpi_check_register(&out->base);
	if (err)
		return err;
	if (out->base.space != FW_SPACE_MEMORY)
		return ACPI_E_SPACE; /* the HPET's registers are memory-mapped */
	out->block_id = acpi_le32(t + HPET_BLOCK_ID);
	out->number = t[HPET_NUMBER];
	out->min_tick = acpi_le16(t + HPET_MIN_TICK);
	return 0;
}

/*
 * An MCFG base address is that of bus 0 of the segment, even when the window
 * starts at a later bus; fw_ecam.base is that of bus_start, as a device tree's
 * "reg" gives it.
 */
static int mcfg_entry(const uint8_t *p, struct fw_ecam *out)
{
	uint64_t base = acpi_le64(p);
	uint8_t start = p[10], end = p[11];
	uint64_t past_end = (uint64_t)(end + 1u) << ECAM_BUS_SHIFT;

	if (base == 0)
		return ACPI_E_NO_ADDRESS;
	if (end < start || base + past_end < base)
		return ACPI_E_BAD_VALUE;
	out->base = base + ((uint64_t)start << ECAM_BUS_SHIFT);
	out->segment = acpi_le16(p + 8);
	out->bus_start = start;
	out->bus_end = end;
	return 0;
}

int acpi_mcfg(const struct acpi *a, uint32_t index, struct fw_ecam *out)
{
	const uint8_t *t;
	uint32_t len;

	if (!a || !out)
		return ACPI_E_INVALID;
	memset(out, 0, sizeof(*out));
	t = acpi_find(a, "MCFG", 0, &len);
	if (!t)
		return ACPI_E_NOT_FOUND;
	if (len < MCFG_ENTRIES)
		return ACPI_E_SHORT;
	if (index >= (len - MCFG_ENTRIES) / MCFG_ENTRY_SIZE)
		return ACPI_E_NOT_FOUND;
	return mcfg_entry(t + MCFG_ENTRIES + index * MCFG_ENTRY_SIZE, out);
}

/* A GTDT timer: GSIV then flags; GSIV 0 means the timer is not described. */
static void gtdt_irq(const uint8_t *p, struct fw_irq *out)
{
	uint32_t flags = acpi_le32(p + 4);

	out->intid = acpi_le32(p);
	if (!out->intid)
		return;
	out->trigger = flags & GTDT_EDGE ? FW_TRIGGER_EDGE : FW_TRIGGER_LEVEL;
	out->polarity = flags & GTDT_ACTIVE_LOW ? FW_POLARITY_LOW : FW_POLARITY_HIGH;
}

static uint64_t gtdt_frame(const uint8_t *p)
{
	uint64_t base = acpi_le64(p);

	return base == GTDT_NO_FRAME ? 0 : base;
}

/* always_on is the non-secure EL1 timer's flag, the timer a kernel at EL1 uses. */
int acpi_gtdt(const struct acpi *a, struct fw_arm_timer *out)
{
	const uint8_t *t;
	uint32_t len;

	if (!a || !out)
		return ACPI_E_INVALID;
	memset(out, 0, sizeof(*out));
	t = acpi_find(a, "GTDT", 0, &len);
	if (!t)
		return ACPI_E_NOT_FOUND;
	if (len < GTDT_V1_SIZE)
		return ACPI_E_SHORT;
	out->cnt_control_base = gtdt_frame(t + GTDT_CNT_CONTROL_BASE);
	gtdt_irq(t + GTDT_SECURE_EL1, &out->secure_phys);
	gtdt_irq(t + GTDT_NONSECURE_EL1, &out->phys);
	gtdt_irq(t + GTDT_VIRTUAL_EL1, &out->virt);
	gtdt_irq(t + GTDT_EL2, &out->hyp_phys);
	out->always_on = (acpi_le32(t + GTDT_NONSECURE_EL1 + 4) & GTDT_ALWAYS_ON) != 0;
	if (len >= GTDT_CNT_READ_BASE + 8)
		out->cnt_read_base = gtdt_frame(t + GTDT_CNT_READ_BASE);
	if (t[HDR_REVISION] >= 3 && len >= GTDT_V3_SIZE)
		gtdt_irq(t + GTDT_VIRTUAL_EL2, &out->hyp_virt);
	return 0;
}
