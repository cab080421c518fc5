/* SPDX-License-Identifier: MIT */
/*
 * The portable machine description (see platform.h), assembled from the ACPI
 * MADT, HPET, FADT, GTDT and MCFG, or from the device tree's /cpus, GIC, timer,
 * PSCI and ECAM nodes.
 *
 * Invariants: every array is filled through a bounded append that records an
 * overflow in p->truncated instead of writing past the end; a CPU appears once
 * per hardware id, and only if it is enabled or online-capable; p->ic is set only
 * once the frames its kind needs are known (LAPIC base; GICD and GICC, or GICD
 * and redistributors). A source that fails leaves nothing of itself behind but
 * its *_status and *_error fields.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <kosh/fmt.h>
#include <kosh/string.h>

#include "platform.h"

#include "acpi.h"
#include "fdt.h"
#include "firmware.h"

#define MPIDR_AFFINITY 0xff00ffffffull /* Aff3 (bits 32-39), Aff2..Aff0 (bits 0-23) */
#define LAPIC_ID_NONE  0xffu           /* an xAPIC id no CPU can have */
#define X2APIC_ID_NONE 0xffffffffu

#define SEEN_APIC     0x1u /* LAPIC, x2APIC or I/O APIC structures */
#define SEEN_GIC      0x2u /* GICC, GICD, GICR or ITS structures */
#define SEEN_GICD     0x4u
#define SEEN_TWO_GICD 0x8u /* the specification allows one */

#define LINE_SIZE     200u /* fits a kernel log record with its prefix */
#define LIST_MAX      16u  /* CPU ids, ISOs and ECAM windows named in a summary */
#define ECAM_SCAN_MAX 64u  /* ECAM windows looked at: each look re-reads the table */

/* A MADT walk in progress. */
struct madt_walk {
	struct platform *p;
	uint32_t seen; /* SEEN_* */
};

typedef void (*madt_handler)(struct madt_walk *w, const struct acpi_madt_entry *e);

/* A line of summary text being built. */
struct text {
	char buf[LINE_SIZE];
	size_t len;
	size_t head; /* length of the line's heading */
};

/* Append one element to an array with room for max, or note the overflow. */
static int room(struct platform *p, uint32_t count, uint32_t max, uint32_t part)
{
	if (count < max)
		return 1;
	p->truncated |= part;
	return 0;
}

static int cpu_listed(const struct platform *p, uint64_t hw_id)
{
	uint32_t i;

	for (i = 0; i < p->cpu_count; i++)
		if (p->cpus[i].hw_id == hw_id)
			return 1;
	return 0;
}

/* A CPU that can never run (neither enabled nor online-capable) is left out. */
static void add_cpu(struct platform *p, const struct fw_cpu *cpu)
{
	if (!(cpu->flags & (FW_CPU_ENABLED | FW_CPU_ONLINE_CAPABLE)) || cpu_listed(p, cpu->hw_id))
		return;
	if (room(p, p->cpu_count, PLATFORM_MAX_CPUS, PLATFORM_PART_CPUS))
		p->cpus[p->cpu_count++] = *cpu;
}

static uint8_t cpu_flags(uint32_t flags, uint32_t enabled, uint32_t online_capable)
{
	if (flags & enabled)
		return FW_CPU_ENABLED;
	return flags & online_capable ? FW_CPU_ONLINE_CAPABLE : 0;
}

/* A LAPIC or x2APIC structure; firmware often lists a CPU in both. */
static void add_lapic(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	uint32_t none = e->type == ACPI_MADT_LAPIC ? LAPIC_ID_NONE : X2APIC_ID_NONE;
	struct fw_cpu cpu = { .hw_id = e->lapic.apic_id, .acpi_uid = e->lapic.uid };

	w->seen |= SEEN_APIC;
	if (e->lapic.apic_id == none)
		return;
	cpu.flags = cpu_flags(e->lapic.flags, ACPI_CPU_ENABLED, ACPI_CPU_ONLINE_CAPABLE);
	add_cpu(w->p, &cpu);
}

static void add_ioapic(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct platform_apic *apic = &w->p->apic;
	struct platform_ioapic *io;

	w->seen |= SEEN_APIC;
	if (!room(w->p, apic->ioapic_count, PLATFORM_MAX_IOAPICS, PLATFORM_PART_IOAPICS))
		return;
	io = &apic->ioapics[apic->ioapic_count++];
	io->id = e->ioapic.id;
	io->base = e->ioapic.address;
	io->gsi_base = e->ioapic.gsi_base;
}

static void add_iso(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct platform_apic *apic = &w->p->apic;
	struct platform_iso *iso;

	if (!room(w->p, apic->iso_count, PLATFORM_MAX_ISOS, PLATFORM_PART_ISOS))
		return;
	iso = &apic->isos[apic->iso_count++];
	iso->bus = e->iso.bus;
	iso->source = e->iso.source;
	iso->gsi = e->iso.gsi;
}

static void add_nmi_source(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct platform_apic *apic = &w->p->apic;

	if (room(w->p, apic->nmi_gsi_count, PLATFORM_MAX_NMI_GSIS, PLATFORM_PART_NMIS))
		apic->nmi_gsis[apic->nmi_gsi_count++] = e->nmi_source.gsi;
}

/* A LAPIC or x2APIC NMI structure; "every processor" becomes FW_CPU_NO_UID. */
static void add_lapic_nmi(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct platform_apic *apic = &w->p->apic;
	uint32_t all = e->type == ACPI_MADT_LAPIC_NMI ? ACPI_UID_ALL_8 : ACPI_UID_ALL_32;
	struct platform_lapic_nmi *nmi;

	if (!room(w->p, apic->lapic_nmi_count, PLATFORM_MAX_LAPIC_NMIS, PLATFORM_PART_NMIS))
		return;
	nmi = &apic->lapic_nmis[apic->lapic_nmi_count++];
	nmi->acpi_uid = e->lapic_nmi.uid == all ? FW_CPU_NO_UID : e->lapic_nmi.uid;
	nmi->pin = e->lapic_nmi.pin;
}

static void add_lapic_override(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	if (e->lapic_override.address)
		w->p->apic.lapic_base = e->lapic_override.address;
}

/* The CPU interface frames and maintenance interrupt, from the first GICC giving them. */
static void gicc_frames(struct fw_gic *gic, const struct acpi_madt_entry *e)
{
	if (!gic->gicc && e->gicc.gicc_base) {
		gic->gicc = e->gicc.gicc_base;
		gic->gich = e->gicc.gich_base;
		gic->gicv = e->gicc.gicv_base;
	}
	if (!gic->maintenance.intid && e->gicc.vgic_gsiv) {
		gic->maintenance.intid = e->gicc.vgic_gsiv;
		gic->maintenance.trigger =
			e->gicc.flags & ACPI_GICC_VGIC_EDGE ? FW_TRIGGER_EDGE : FW_TRIGGER_LEVEL;
		gic->maintenance.polarity = FW_POLARITY_HIGH;
	}
}

static void add_gicc(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct fw_cpu cpu = {
		.hw_id = e->gicc.mpidr & MPIDR_AFFINITY,
		.gicr_base = e->gicc.gicr_base,
		.acpi_uid = e->gicc.uid,
		.gic_iface = e->gicc.iface,
	};

	w->seen |= SEEN_GIC;
	cpu.flags = cpu_flags(e->gicc.flags, ACPI_GICC_ENABLED, ACPI_GICC_ONLINE_CAPABLE);
	/* The parking protocol, unless the FADT says PSCI (acpi_optional() decides). */
	if (e->gicc.parking_version && e->gicc.parked_address) {
		cpu.start = FW_CPU_START_PARKING;
		cpu.start_addr = e->gicc.parked_address;
	}
	add_cpu(w->p, &cpu);
	gicc_frames(&w->p->gic, e);
}

static void add_gicd(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	if (w->seen & SEEN_GICD)
		w->seen |= SEEN_TWO_GICD;
	w->seen |= SEEN_GIC | SEEN_GICD;
	w->p->gic.gicd = e->gicd.base;
	w->p->gic.version = e->gicd.version;
}

static void add_gicr(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct fw_gic *gic = &w->p->gic;

	w->seen |= SEEN_GIC;
	if (!room(w->p, gic->gicr_count, FW_GICR_MAX, PLATFORM_PART_GIC))
		return;
	gic->gicr[gic->gicr_count].base = e->gicr.base;
	gic->gicr[gic->gicr_count++].size = e->gicr.length;
}

static void add_its(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct fw_gic *gic = &w->p->gic;

	w->seen |= SEEN_GIC;
	if (room(w->p, gic->its_count, FW_ITS_MAX, PLATFORM_PART_GIC))
		gic->its[gic->its_count++] = e->its.base;
}

/* ACPI 6.5 table 5.31: flags bit 0 says the SPI base and count here are valid. */
#define MADT_MSI_FRAME_SPI_SELECT 0x1u

static void add_v2m(struct madt_walk *w, const struct acpi_madt_entry *e)
{
	struct fw_gic *gic = &w->p->gic;

	w->seen |= SEEN_GIC;
	if (!e->msi_frame.base || !room(w->p, gic->v2m_count, FW_V2M_MAX, PLATFORM_PART_GIC))
		return;
	struct fw_v2m *v = &gic->v2m[gic->v2m_count++];
	v->base = e->msi_frame.base;
	if (e->msi_frame.flags & MADT_MSI_FRAME_SPI_SELECT) {
		v->spi_base = e->msi_frame.spi_base;
		v->spi_count = e->msi_frame.spi_count;
	}
}

static const madt_handler madt_handlers[] = {
	[ACPI_MADT_LAPIC] = add_lapic,
	[ACPI_MADT_IOAPIC] = add_ioapic,
	[ACPI_MADT_ISO] = add_iso,
	[ACPI_MADT_NMI_SOURCE] = add_nmi_source,
	[ACPI_MADT_LAPIC_NMI] = add_lapic_nmi,
	[ACPI_MADT_LAPIC_OVERRIDE] = add_lapic_override,
	[ACPI_MADT_X2APIC] = add_lapic,
	[ACPI_MADT_X2APIC_NMI] = add_lapic_nmi,
	[ACPI_MADT_GICC] = add_gicc,
	[ACPI_MADT_GICD] = add_gicd,
	[ACPI_MADT_GICR] = add_gicr,
	[ACPI_MADT_GIC_ITS] = add_its,
	[ACPI_MADT_GIC_MSI] = add_v2m,
};

static int fail_acpi(struct platform *p, int status, int error)
{
	p->acpi_status = status;
	p->acpi_error = error;
	return status;
}

static int fail_dtb(struct platform *p, int status, int error)
{
	p->dtb_status = status;
	p->dtb_error = error;
	return status;
}

/* Every structure of the MADT into p; the first malformed one fails the walk. */
static int walk_madt(struct madt_walk *w, const struct acpi_madt *m)
{
	struct acpi_madt_entry e;
	uint32_t cursor = 0;
	int more;

	w->p->apic.lapic_base = m->lapic_base;
	if (m->flags & ACPI_MADT_PCAT_COMPAT)
		w->p->legacy |= PLATFORM_LEGACY_PIC;
	while ((more = acpi_madt_next(m, &cursor, &e)) > 0)
		if (e.type < sizeof(madt_handlers) / sizeof(madt_handlers[0]) &&
		    madt_handlers[e.type])
			madt_handlers[e.type](w, &e);
	return more;
}

static int every_cpu_has_gicr(const struct platform *p)
{
	uint32_t i;

	for (i = 0; i < p->cpu_count; i++)
		if (!p->cpus[i].gicr_base)
			return 0;
	return 1;
}

/* GICv2 or v3 by the GICD's version, or by the frames present when it gives none. */
static int finish_gic(struct platform *p)
{
	int redistributors = p->gic.gicr_count > 0 || every_cpu_has_gicr(p);
	uint8_t version = p->gic.version;

	if (!p->gic.gicd)
		return PLATFORM_E_NO_IC;
	if (version == 0)
		version = redistributors ? 3 : 2;
	if (version >= 3 && !redistributors)
		return PLATFORM_E_NO_IC;
	if (version < 3 && !p->gic.gicc)
		return PLATFORM_E_NO_IC;
	p->ic = version >= 3 ? PLATFORM_IC_GICV3 : PLATFORM_IC_GICV2;
	return 0;
}

static int finish_madt(struct platform *p, uint32_t seen)
{
	if ((seen & SEEN_APIC && seen & SEEN_GIC) || seen & SEEN_TWO_GICD)
		return PLATFORM_E_IC_CONFLICT;
	if (p->cpu_count == 0)
		return PLATFORM_E_NO_CPUS;
	if (seen & SEEN_GIC)
		return finish_gic(p);
	if (!p->apic.lapic_base)
		return PLATFORM_E_NO_IC;
	p->ic = PLATFORM_IC_APIC;
	return 0;
}

/* An optional part's result: absent is fine, malformed is noted and left out. */
static int optional(struct platform *p, int err, int not_found, uint32_t part)
{
	if (err && err != not_found)
		p->ignored |= part;
	return err == 0;
}

static void acpi_timers(struct platform *p, const struct acpi *a)
{
	struct platform_timers *t = &p->timers;
	struct acpi_hpet hpet;
	int is_32bit;

	if (optional(p, acpi_hpet(a, &hpet), ACPI_E_NOT_FOUND, PLATFORM_PART_HPET)) {
		t->hpet_base = hpet.base.address;
		t->hpet_block_id = hpet.block_id;
		t->hpet_min_tick = hpet.min_tick;
	}
	if (optional(p, acpi_pm_timer(a, &t->pm_timer, &is_32bit), ACPI_E_NOT_FOUND,
		     PLATFORM_PART_PM_TIMER))
		t->pm_timer_32bit = (uint8_t)is_32bit;
	else
		memset(&t->pm_timer, 0, sizeof(t->pm_timer));
	if (!optional(p, acpi_gtdt(a, &t->arm), ACPI_E_NOT_FOUND, PLATFORM_PART_TIMER))
		memset(&t->arm, 0, sizeof(t->arm));
}

/* PSCI from the FADT; with it, every CPU is started through PSCI. */
static void acpi_psci_cpus(struct platform *p, const struct acpi *a)
{
	int present, hvc;
	uint32_t i;

	if (!optional(p, acpi_psci(a, &present, &hvc), ACPI_E_NOT_FOUND, PLATFORM_PART_PSCI) ||
	    !present || p->ic == PLATFORM_IC_APIC)
		return;
	p->psci = 1;
	p->psci_hvc = (uint8_t)hvc;
	for (i = 0; i < p->cpu_count; i++) {
		p->cpus[i].start = FW_CPU_START_PSCI;
		p->cpus[i].start_addr = 0;
	}
}

static void acpi_legacy(struct platform *p, const struct acpi *a)
{
	uint16_t iapc;

	if (acpi_boot_flags(a, &iapc) != 0)
		return;
	p->legacy |= iapc & ACPI_IAPC_LEGACY_DEVICES ? PLATFORM_LEGACY_DEVICES : 0;
	p->legacy |= iapc & ACPI_IAPC_8042 ? PLATFORM_LEGACY_I8042 : 0;
	p->legacy |= iapc & ACPI_IAPC_NO_VGA ? PLATFORM_LEGACY_NO_VGA : 0;
	p->legacy |= iapc & ACPI_IAPC_NO_CMOS_RTC ? PLATFORM_LEGACY_NO_CMOS : 0;
}

/* The MCFG's windows; a bad one is left out, a short table ends the scan. */
static void acpi_ecam(struct platform *p, const struct acpi *a)
{
	struct fw_ecam e;
	uint32_t i;
	int err = 0;

	for (i = 0; i < ECAM_SCAN_MAX && err != ACPI_E_NOT_FOUND && err != ACPI_E_SHORT; i++) {
		err = acpi_mcfg(a, i, &e);
		if (optional(p, err, ACPI_E_NOT_FOUND, PLATFORM_PART_ECAM) &&
		    room(p, p->ecam_count, PLATFORM_MAX_ECAM, PLATFORM_PART_ECAM))
			p->ecam[p->ecam_count++] = e;
	}
}

static int from_acpi(struct platform *p, const struct acpi *a)
{
	struct madt_walk w = { .p = p };
	struct acpi_madt m;
	int err = acpi_madt_open(a, &m);

	if (err)
		return fail_acpi(p, PLATFORM_E_NO_MADT, err);
	err = walk_madt(&w, &m);
	if (err)
		return fail_acpi(p, PLATFORM_E_MADT, err);
	err = finish_madt(p, w.seen);
	if (err)
		return fail_acpi(p, err, 0);
	acpi_timers(p, a);
	acpi_psci_cpus(p, a);
	acpi_legacy(p, a);
	acpi_ecam(p, a);
	p->source = PLATFORM_SOURCE_ACPI;
	return 0;
}

static int dtb_cpus(struct platform *p, const void *blob)
{
	struct fw_cpu cpu;
	int node = -1;

	while ((node = fdt_next_cpu(blob, node, &cpu)) >= 0)
		add_cpu(p, &cpu);
	if (node != FDT_E_NOTFOUND)
		return fail_dtb(p, PLATFORM_E_DTB, node);
	return p->cpu_count ? 0 : fail_dtb(p, PLATFORM_E_NO_CPUS, 0);
}

static int dtb_gic(struct platform *p, const void *blob)
{
	int err = fdt_gic(blob, &p->gic);

	if (err == FDT_E_NOTFOUND)
		return fail_dtb(p, PLATFORM_E_NO_IC, err);
	if (err)
		return fail_dtb(p, PLATFORM_E_DTB, err);
	p->ic = p->gic.version == 3 ? PLATFORM_IC_GICV3 : PLATFORM_IC_GICV2;
	return 0;
}

static void dtb_optional(struct platform *p, const void *blob, uint64_t size)
{
	struct fw_ecam e;
	uint32_t i;
	int err, hvc;

	if (!optional(p, fdt_timer(blob, &p->timers.arm), FDT_E_NOTFOUND, PLATFORM_PART_TIMER))
		memset(&p->timers.arm, 0, sizeof(p->timers.arm));
	if (optional(p, fdt_psci(blob, size, &hvc), FDT_E_NOTFOUND, PLATFORM_PART_PSCI)) {
		p->psci = 1;
		p->psci_hvc = (uint8_t)hvc;
	}
	for (i = 0, err = 0; i < ECAM_SCAN_MAX && err != FDT_E_NOTFOUND; i++) {
		err = fdt_ecam(blob, i, &e);
		if (optional(p, err, FDT_E_NOTFOUND, PLATFORM_PART_ECAM) &&
		    room(p, p->ecam_count, PLATFORM_MAX_ECAM, PLATFORM_PART_ECAM))
			p->ecam[p->ecam_count++] = e;
	}
}

static int from_dtb(struct platform *p, const void *blob, uint64_t size)
{
	int err = dtb_cpus(p, blob);

	if (!err)
		err = dtb_gic(p, blob);
	if (err)
		return err;
	dtb_optional(p, blob, size);
	p->source = PLATFORM_SOURCE_DTB;
	return 0;
}

/* Forget a failed attempt's partial description, keeping the reasons it failed. */
static void reset(struct platform *p)
{
	int acpi_status = p->acpi_status, acpi_error = p->acpi_error;
	int dtb_status = p->dtb_status, dtb_error = p->dtb_error;

	memset(p, 0, sizeof(*p));
	p->acpi_status = acpi_status;
	p->acpi_error = acpi_error;
	p->dtb_status = dtb_status;
	p->dtb_error = dtb_error;
}

int platform_init(struct platform *p, const struct firmware *fw)
{
	int err = PLATFORM_E_NO_FIRMWARE;

	if (!p || !fw)
		return PLATFORM_E_INVALID;
	memset(p, 0, sizeof(*p));
	if (fw->have_acpi) {
		err = from_acpi(p, &fw->acpi);
		if (err == 0)
			return 0;
		reset(p);
	}
	if (fw->dtb) {
		int dtb_err = from_dtb(p, fw->dtb, fw->dtb_size);

		if (dtb_err == 0)
			return 0;
		reset(p);
		err = fw->have_acpi ? err : dtb_err;
	}
	return err;
}

int platform_mark_boot_cpu(struct platform *p, uint64_t hw_id)
{
	int found = PLATFORM_E_NOT_LISTED;
	uint32_t i;

	if (!p)
		return PLATFORM_E_INVALID;
	for (i = 0; i < p->cpu_count; i++) {
		p->cpus[i].flags &= (uint8_t)~FW_CPU_BOOT;
		if (p->cpus[i].hw_id == hw_id) {
			p->cpus[i].flags |= FW_CPU_BOOT;
			found = (int)i;
		}
	}
	return found;
}

__attribute__((format(printf, 2, 3))) static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kosh_vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
	if (t->len >= sizeof(t->buf)) {
		t->len = sizeof(t->buf) - 1; /* truncated: say so at the end */
		memcpy(t->buf + t->len - 3, "...", 3);
	}
}

static void start(struct text *t, const char *what)
{
	t->len = 0;
	t->buf[0] = 0;
	add(t, "platform: %s", what);
	t->head = t->len;
}

/* What goes before an item of a list after the heading. */
static const char *sep(const struct text *t)
{
	return t->len > t->head ? ", " : " ";
}

static const char *trigger_name(uint8_t trigger)
{
	return trigger == FW_TRIGGER_EDGE ? "edge" : trigger == FW_TRIGGER_LEVEL ? "level" : "";
}

static const char *polarity_name(uint8_t polarity)
{
	return polarity == FW_POLARITY_HIGH ? "high" : polarity == FW_POLARITY_LOW ? "low" : "";
}

static void describe_cpus(const struct platform *p, void (*line)(const char *text))
{
	static const char *const sources[] = { "nowhere", "ACPI", "the device tree" };
	struct text t;
	uint32_t i;

	start(&t, "");
	add(&t, "%u CPUs from %s (%s", p->cpu_count, sources[p->source % 3],
	    p->ic == PLATFORM_IC_APIC ? "APIC ids" : "MPIDR");
	for (i = 0; i < p->cpu_count && i < LIST_MAX; i++)
		add(&t, p->ic == PLATFORM_IC_APIC ? " %llu%s" : " 0x%llx%s",
		    (unsigned long long)p->cpus[i].hw_id,
		    p->cpus[i].flags & FW_CPU_ENABLED ? "" : " (offline)");
	add(&t, "%s)", p->cpu_count > LIST_MAX ? " ..." : "");
	line(t.buf);
}

static void describe_apic(const struct platform *p, void (*line)(const char *text))
{
	const struct platform_apic *a = &p->apic;
	struct text t;
	uint32_t i;

	start(&t, "");
	add(&t, "LAPIC at 0x%llx", (unsigned long long)a->lapic_base);
	for (i = 0; i < a->ioapic_count; i++)
		add(&t, ", IOAPIC %u at 0x%llx GSI base %u", a->ioapics[i].id,
		    (unsigned long long)a->ioapics[i].base, a->ioapics[i].gsi_base);
	add(&t, "%s", p->legacy & PLATFORM_LEGACY_PIC ? ", 8259 PICs" : "");
	line(t.buf);
}

static void describe_isos(const struct platform_apic *a, void (*line)(const char *text))
{
	struct text t;
	uint32_t i;

	if (!a->iso_count)
		return;
	start(&t, "ISA IRQ overrides:");
	for (i = 0; i < a->iso_count && i < LIST_MAX; i++)
		add(&t, "%s%u->GSI %u%s%s%s%s", sep(&t), a->isos[i].source, a->isos[i].gsi.intid,
		    a->isos[i].gsi.trigger ? " " : "", trigger_name(a->isos[i].gsi.trigger),
		    a->isos[i].gsi.polarity ? " " : "", polarity_name(a->isos[i].gsi.polarity));
	line(t.buf);
}

static void describe_gic(const struct platform *p, void (*line)(const char *text))
{
	const struct fw_gic *g = &p->gic;
	struct text t;
	uint32_t i;

	start(&t, p->ic == PLATFORM_IC_GICV3 ? "GICv3" : "GICv2");
	add(&t, " GICD 0x%llx", (unsigned long long)g->gicd);
	if (g->gicc)
		add(&t, " GICC 0x%llx", (unsigned long long)g->gicc);
	for (i = 0; i < g->gicr_count; i++)
		add(&t, " GICR 0x%llx+0x%llx", (unsigned long long)g->gicr[i].base,
		    (unsigned long long)g->gicr[i].size);
	for (i = 0; i < g->its_count; i++)
		add(&t, " ITS 0x%llx", (unsigned long long)g->its[i]);
	for (i = 0; i < g->v2m_count; i++)
		add(&t, " V2M 0x%llx", (unsigned long long)g->v2m[i].base);
	if (g->maintenance.intid)
		add(&t, ", maintenance IRQ %u", g->maintenance.intid);
	line(t.buf);
}

static void describe_timers(const struct platform *p, void (*line)(const char *text))
{
	const struct platform_timers *tm = &p->timers;
	struct text t;

	start(&t, "timers:");
	if (tm->hpet_base)
		add(&t, "%sHPET at 0x%llx", sep(&t), (unsigned long long)tm->hpet_base);
	if (tm->pm_timer.address)
		add(&t, "%sPM timer %s 0x%llx (%s-bit)", sep(&t),
		    tm->pm_timer.space == FW_SPACE_IO ? "port" : "at",
		    (unsigned long long)tm->pm_timer.address, tm->pm_timer_32bit ? "32" : "24");
	if (tm->arm.phys.intid)
		add(&t, "%sgeneric timer PPIs %u %u %u (phys virt hyp)%s", sep(&t),
		    tm->arm.phys.intid, tm->arm.virt.intid, tm->arm.hyp_phys.intid,
		    tm->arm.always_on ? " always-on" : "");
	if (t.len == t.head)
		add(&t, " none described");
	line(t.buf);
}

static void describe_rest(const struct platform *p, void (*line)(const char *text))
{
	struct text t;
	uint32_t i;

	start(&t, "PSCI ");
	add(&t, "%s", p->psci ? (p->psci_hvc ? "hvc" : "smc") : "absent");
	for (i = 0; i < p->ecam_count && i < LIST_MAX; i++)
		add(&t, ", ECAM 0x%llx segment %u buses %u-%u", (unsigned long long)p->ecam[i].base,
		    p->ecam[i].segment, p->ecam[i].bus_start, p->ecam[i].bus_end);
	line(t.buf);
	if (!p->ignored && !p->truncated)
		return;
	start(&t, "");
	add(&t, "left out: malformed parts 0x%x, overflowing parts 0x%x (PLATFORM_PART_*)",
	    p->ignored, p->truncated);
	line(t.buf);
}

static void describe_failures(const struct platform *p, void (*line)(const char *text))
{
	struct text t;

	if (p->acpi_status) {
		start(&t, "ACPI not used: ");
		add(&t, "%s", platform_strerror(p->acpi_status));
		if (p->acpi_error)
			add(&t, " (%s)", acpi_strerror(p->acpi_error));
		line(t.buf);
	}
	if (p->dtb_status) {
		start(&t, "device tree not used: ");
		add(&t, "%s", platform_strerror(p->dtb_status));
		if (p->dtb_error)
			add(&t, " (%s)", fdt_strerror(p->dtb_error));
		line(t.buf);
	}
}

void platform_describe(const struct platform *p, void (*line)(const char *text))
{
	if (!p || !line)
		return;
	describe_failures(p, line);
	if (p->source == PLATFORM_SOURCE_NONE)
		return;
	describe_cpus(p, line);
	if (p->ic == PLATFORM_IC_APIC) {
		describe_apic(p, line);
		describe_isos(&p->apic, line);
	} else {
		describe_gic(p, line);
	}
	describe_timers(p, line);
	describe_rest(p, line);
}

const char *platform_strerror(int err)
{
	static const char *const text[] = {
		[-PLATFORM_OK] = "success",
		[-PLATFORM_E_INVALID] = "invalid argument",
		[-PLATFORM_E_NO_FIRMWARE] = "neither ACPI tables nor a device tree",
		[-PLATFORM_E_NO_MADT] = "no usable MADT",
		[-PLATFORM_E_MADT] = "malformed MADT structure",
		[-PLATFORM_E_NO_CPUS] = "no usable CPU described",
		[-PLATFORM_E_NO_IC] = "no usable interrupt controller described",
		[-PLATFORM_E_IC_CONFLICT] = "conflicting interrupt controllers described",
		[-PLATFORM_E_DTB] = "malformed device tree node",
		[-PLATFORM_E_NOT_LISTED] = "no CPU with that hardware id",
	};

	if (err > 0 || err <= PLATFORM_E_COUNT || !text[-err])
		return "unknown platform error";
	return text[-err];
}
