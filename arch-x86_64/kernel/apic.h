/* SPDX-License-Identifier: MIT */
/*
 * The x86 APIC family's encodings and the timing arithmetic of the port, as
 * pure functions: no register is touched here, so test/unit/x86_test.c runs
 * them on the host. irq.c, timer.c and smp.c do the accesses.
 *
 * Interrupt signalling follows ACPI: a "conforms" trigger or polarity means
 * the bus's default, and the only bus these functions know is ISA (edge,
 * active high); PCI routes come from AML with both spelled out.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdint.h>

#include "platform.h"

/* IOAPIC redirection entry and local APIC ICR / LVT bits. */
#define APIC_DELIVERY_FIXED   (0u << 8)
#define APIC_DELIVERY_NMI     (4u << 8)
#define APIC_DELIVERY_INIT    (5u << 8)
#define APIC_DELIVERY_STARTUP (6u << 8)
#define APIC_DELIVERY_EXTINT  (7u << 8)
#define APIC_DELIVERY_PENDING (1u << 12) /* xAPIC ICR: the last IPI is not yet sent */
#define APIC_ACTIVE_LOW       (1u << 13)
#define APIC_LEVEL_ASSERT     (1u << 14) /* ICR */
#define APIC_TRIGGER_LEVEL    (1u << 15)
#define APIC_MASKED           (1u << 16)

/* Local APIC registers by xAPIC offset; in x2APIC mode MSR 0x800 + offset / 16. */
#define LAPIC_ID            0x020
#define LAPIC_VERSION       0x030 /* bits 23:16: the highest LVT entry */
#define LAPIC_TPR           0x080
#define LAPIC_EOI           0x0b0
#define LAPIC_SVR           0x0f0
#define LAPIC_ISR           0x100 /* 8 registers, 0x10 apart */
#define LAPIC_ESR           0x280
#define LAPIC_LVT_CMCI      0x2f0 /* when the highest LVT entry is >= 6 */
#define LAPIC_ICR_LOW       0x300 /* x2APIC: one 64-bit MSR, destination in 63:32 */
#define LAPIC_ICR_HIGH      0x310
#define LAPIC_LVT_TIMER     0x320
#define LAPIC_LVT_THERMAL   0x330 /* >= 5 */
#define LAPIC_LVT_PERF      0x340 /* >= 4 */
#define LAPIC_LVT_LINT0     0x350
#define LAPIC_LVT_LINT1     0x360
#define LAPIC_LVT_ERROR     0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE  0x3e0

#define LAPIC_SVR_ENABLE         (1u << 8)
#define LAPIC_TIMER_ONESHOT      (0u << 17)
#define LAPIC_TIMER_TSC_DEADLINE (2u << 17)
#define LAPIC_DIVIDE_16          0x3u

#define APIC_FS_PER_SECOND 1000000000000000ull
#define APIC_NS_PER_SECOND 1000000000ull

/*
 * ISA IRQ irq as the IOAPICs see it: the GSI, trigger and polarity of its
 * interrupt source override when the platform lists one (bus 0), else GSI irq;
 * "conforms" is resolved to edge and active high either way.
 */
struct fw_irq apic_isa_irq(const struct platform_iso *isos, uint32_t count, uint8_t irq);

/*
 * The 64-bit IOAPIC redirection entry delivering irq (its trigger and polarity;
 * "conforms" taken as edge, active high) as vector, fixed delivery, to the CPU
 * with physical APIC id dest (8 bits: larger ids need interrupt remapping).
 */
uint64_t apic_redirection(const struct fw_irq *irq, uint8_t vector, uint8_t dest, int masked);

/* The ICR's low word for an IPI: vector (or the SIPI page) with delivery mode. */
uint32_t apic_icr_low(uint32_t delivery, uint8_t vector);

/*
 * a * b / c without overflow in between, rounded down or up; UINT64_MAX when
 * c is 0 or the quotient does not fit in 64 bits.
 */
uint64_t apic_mul_div(uint64_t a, uint64_t b, uint64_t c, int round_up);

/*
 * The rate in Hz of a counter that advanced by count while a reference
 * advanced by ref_ticks ticks of ref_period_fs femtoseconds each; 0 for an
 * empty window.
 */
uint64_t apic_rate_hz(uint64_t count, uint64_t ref_ticks, uint64_t ref_period_fs);

/* Ticks of a hz counter covering at least ns nanoseconds (rounded up). */
uint64_t apic_ns_to_ticks(uint64_t ns, uint64_t hz);

/* How far a bits-wide up-counter moved from then to now, across one wrap. */
uint64_t apic_counter_delta(uint64_t then, uint64_t now, unsigned bits);

#endif
