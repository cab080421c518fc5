/* SPDX-License-Identifier: MIT */
/*
 * AArch64 CPU basics: the exception vectors, per-CPU data, the counter, PSCI
 * calls, interrupt masking, idling and halting.
 *
 * Per-CPU data: TPIDR_EL1 holds the CPU's struct cpu, so arch_cpu_index() is one
 * register read and one load. The boot CPU points it at cpus[0] in
 * arch_early_init, before anything can log (klog stamps every line with the
 * CPU index): cpus[0] is zeroed, so its index is 0, and it is the entry that
 * machine_init's first cpu_add() hands the boot CPU anyway. Firmware leaves
 * TPIDR_EL1 UNKNOWN, so "0 means not set yet" would not be safe; a fixed
 * early value keeps the read path free of a test. Other CPUs get theirs in
 * ap_entry.S before they run any C, and again in arch_cpu_init.
 *
 * What EL0 may do is set here too, on every CPU (user_state_init): FP/SIMD
 * without traps (the kernel itself never touches those registers, so a
 * thread's stay live in them: context.c), the EL0 conveniences Linux also
 * grants (cache-type and cache-maintenance instructions, DC ZVA, WFI/WFE,
 * SP alignment checks), the virtual counter readable but no timer register,
 * and no EL0 thread-pointer value left from firmware.
 */
#include "arch.h"
#include "cpu.h"
#include "sysreg.h"
#include "traps_arm.h"

#include <kosh/bootinfo.h>
#include <kosh/elf.h>

static void set_this_cpu(struct cpu *c)
{
	__asm__ volatile("msr tpidr_el1, %0" ::"r"(c) : "memory");
}

#define CPACR_FPEN_ALL (3ull << 20) /* no FP/SIMD traps at EL0 or EL1 */
#define SCTLR_SA0      (1ull << 4)  /* SP alignment check at EL0 */
#define SCTLR_UMA      (1ull << 9)  /* EL0 may write DAIF: never */
#define SCTLR_DZE      (1ull << 14) /* DC ZVA at EL0 */
#define SCTLR_UCT      (1ull << 15) /* CTR_EL0 at EL0 */
#define SCTLR_NTWI     (1ull << 16) /* WFI at EL0 not trapped */
#define SCTLR_NTWE     (1ull << 18) /* WFE at EL0 not trapped */
#define SCTLR_UCI      (1ull << 26) /* DC CVAU/CIVAC/CVAC, IC IVAU at EL0 */
#define SCTLR_EL0      (SCTLR_SA0 | SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE | SCTLR_UCI)
#define CNTKCTL_EL0VCTEN (1ull << 1) /* CNTVCT_EL0 at EL0; timers and CNTPCT stay EL1's */

static void user_state_init(void)
{
	sysreg_write(cpacr_el1, CPACR_FPEN_ALL);
	sysreg_write(sctlr_el1, (sysreg_read(sctlr_el1) & ~SCTLR_UMA) | SCTLR_EL0);
	sysreg_write(cntkctl_el1, CNTKCTL_EL0VCTEN);
	sysreg_write(tpidr_el0, 0);
	sysreg_write(tpidrro_el0, 0);
	isb();
}

void arch_early_init(void)
{
	set_this_cpu(&cpus[0]);
	aarch64_traps_init();
	user_state_init();
}

void arch_cpu_init(struct cpu *c)
{
	set_this_cpu(c);
	aarch64_traps_init();
	user_state_init();
}

uint64_t arch_cpu_hwid(void)
{
	uint64_t mpidr;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return mpidr & 0xff00ffffffull; /* Aff3, Aff2, Aff1, Aff0 */
}

/* ID_AA64MMFR0_EL1.PARange (bits 3:0): 32, 36, 40, 42, 44, 48 or 52 bits. */
unsigned arch_phys_addr_bits(void)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t mmfr0;
	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	unsigned pa = (unsigned)(mmfr0 & 0xf);
	return pa < sizeof(bits) / sizeof(bits[0]) ? bits[pa] : 48;
}

uint32_t arch_id(void)
{
	return KOSH_ARCH_AARCH64;
}

uint16_t arch_elf_machine(void)
{
	return KOSH_EM_AARCH64;
}

uint64_t arch_ticks(void)
{
	uint64_t t;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
	return t;
}

/* AArch64 has no I/O port space. */
uint8_t arch_port_in8(uint16_t port)
{
	return 0xff;
}

void arch_port_out8(uint16_t port, uint8_t value) {}
void arch_port_out16(uint16_t port, uint16_t value) {}
void arch_port_out32(uint16_t port, uint32_t value) {}

/* No UART is safe to guess on Arm: only firmware tables name one. */
void arch_default_uart(uint32_t *type, uint8_t *space, uint64_t *base)
{
	*type = 0;
	*space = 0;
	*base = 0;
}

int64_t arch_psci_call(int use_hvc, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a0;
	register uint64_t x2 __asm__("x2") = a1;
	register uint64_t x3 __asm__("x3") = a2;
	if (use_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf; wfi");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield");
}

uint64_t arch_irq_save(void)
{
	uint64_t daif;
	__asm__ volatile("mrs %0, daif; msr daifset, #0x3" : "=r"(daif) : : "memory");
	return daif;
}

void arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

uint32_t arch_cpu_index(void)
{
	const struct cpu *c;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c->index;
}

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

/*
 * wfi wakes for a pending interrupt even while it is masked, so a caller that
 * checked for work with interrupts masked cannot miss the wake-up (the sti; hlt
 * pair of x86-64); the interrupt is then taken once they are unmasked.
 */
void arch_idle(void)
{
	__asm__ volatile("dsb sy; wfi; msr daifclr, #2; isb" ::: "memory");
}

void arch_call_on_stack(uint64_t top, void (*fn)(void *arg), void *arg)
{
	register void *x0 __asm__("x0") = arg;
	__asm__ volatile("mov sp, %0\n\t"
			 "mov x29, xzr\n\t"
			 "mov x30, xzr\n\t"
			 "blr %1\n\t"
			 "brk #0"
			 :
			 : "r"(top), "r"(fn), "r"(x0)
			 : "memory");
	__builtin_unreachable();
}
