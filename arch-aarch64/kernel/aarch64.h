/* SPDX-License-Identifier: MIT */
/*
 * What the AArch64 port's interrupt, timer and SMP files share among themselves
 * (not part of arch.h): this port's view of struct cpu's arch_data, the GIC
 * driver each version provides (gicv2.c, gicv3.c) to irq.c, the generic
 * timer's hooks (timer.c), and context.S's FP/SIMD helpers.
 */
#ifndef ARCH_AARCH64_AARCH64_H
#define ARCH_AARCH64_AARCH64_H

#include <stdint.h>

#include "cpu.h"

struct arch_thread;
struct fw_cpu;
struct platform;

/* struct cpu's arch_data on this port; written by the CPU itself while it starts. */
struct aarch64_cpu {
	uint64_t gic_target; /* GICv2: this CPU's interface mask (ITARGETSR byte) */
	uint64_t gicr;       /* GICv3: its redistributor's RD_base, kernel-virtual */
	uint64_t cntfrq;     /* CNTFRQ_EL0 as it read it */
	uint64_t enabled;    /* its SGI/PPI enable bits, read back after set-up */
	uint64_t el;         /* the exception level it runs the kernel at */
};
_Static_assert(sizeof(struct aarch64_cpu) <= sizeof(((struct cpu *)0)->arch_data),
	       "struct aarch64_cpu must fit in struct cpu's arch_data");

static inline struct aarch64_cpu *aarch64_cpu(struct cpu *c)
{
	return (struct aarch64_cpu *)(void *)c->arch_data;
}

static inline const struct aarch64_cpu *aarch64_cpu_const(const struct cpu *c)
{
	return (const struct aarch64_cpu *)(const void *)c->arch_data;
}

/* The distributor-wide facts the version drivers work from. */
struct gic_info {
	const struct platform *plat;
	unsigned version; /* 2, 3 or 4, as the hardware's PIDR2 says (or the platform) */
	uintptr_t gicd;   /* kernel-virtual */
	uintptr_t gicc;   /* GICv2 CPU interface, kernel-virtual */
	uint32_t lines;
	uint32_t timer_ppi;
	int timer_edge;   /* the timer PPI is edge-triggered (else level) */
	uint32_t sgi_mask; /* the SGIs in use: one per enum ipi_kind */
};

/* One GIC architecture version's driver. */
struct gic_driver {
	const char *name;
	/* The distributor, once, on the boot CPU: every SPI masked, routed to it. 0 or -1. */
	int (*init)(struct gic_info *g);
	/* This CPU's interface (and redistributor); records in *ac. 0 or -1 (logged). */
	int (*init_cpu)(const struct gic_info *g, struct cpu *c, struct aarch64_cpu *ac);
	uint32_t (*ack)(const struct gic_info *g);            /* the IAR value */
	void (*eoi)(const struct gic_info *g, uint32_t iar);
	void (*send_sgi)(const struct gic_info *g, const struct cpu *to, unsigned sgi);
	/* A line for the boot log, e.g. "4 redistributors". */
	void (*describe)(const struct gic_info *g, char *buf, unsigned long len);
	/* The SGI/PPI enable bits of CPU c, read now (GICv2: only of the calling CPU). */
	int (*read_enabled)(const struct gic_info *g, struct cpu *c, uint32_t *bits);
};

extern const struct gic_driver gicv2_driver;
extern const struct gic_driver gicv3_driver;

/* Map [phys, phys + size) of device registers; its kernel-virtual address, or 0. */
uintptr_t aarch64_map_device(uint64_t phys, uint64_t size);

/* Wait until (*reg & bits) == want, at most timeout_ns of the clock: 0, or -1. */
int aarch64_mmio_wait(uintptr_t reg, uint32_t bits, uint32_t want, uint64_t timeout_ns);

/* The firmware's entry for the CPU with MPIDR affinity hwid, or NULL. */
const struct fw_cpu *aarch64_fw_cpu(const struct platform *p, uint64_t hwid);

/* The interrupt controller as irq.c set it up (for the self-checks). */
const struct gic_info *aarch64_gic(void);
const struct gic_driver *aarch64_gic_driver(void);

/*
 * The generic timer. aarch64_timer_select (boot CPU) picks CNTP or CNTV and its
 * PPI from the platform and returns CNTFRQ_EL0 (0: unusable, logged);
 * aarch64_timer_init_cpu leaves this CPU's timer disarmed.
 */
uint64_t aarch64_timer_select(const struct platform *p, uint32_t *ppi, int *edge);
void aarch64_timer_init_cpu(void);
const char *aarch64_timer_name(void); /* "CNTP" or "CNTV" */

/* Save this CPU's q0..q31, FPCR and FPSR into t / load them all from t (context.S). */
void aarch64_fp_save(struct arch_thread *t);
void aarch64_fp_load(const struct arch_thread *t);

#endif
