/* SPDX-License-Identifier: MIT */
/*
 * The one interface every architecture port implements (arch-<arch>/kernel/).
 * Generic kernel code calls only these hooks; a missing hook is a link error.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdint.h>

/* enum kosh_arch of this port. */
uint32_t arch_id(void);

/* The ELF e_machine of this port's programs (KOSH_EM_*): what the root task must be. */
uint16_t arch_elf_machine(void);

/* First thing in kmain: the kernel's own descriptor tables / exception vectors. */
void arch_early_init(void);

/* The boot counter the loader also read (TSC / CNTVCT). */
uint64_t arch_ticks(void);

/* Port I/O (x86-64); on ports without an I/O space reads give 0xff.. and writes vanish. */
uint8_t arch_port_in8(uint16_t port);
void arch_port_out8(uint16_t port, uint8_t value);
void arch_port_out16(uint16_t port, uint16_t value);
void arch_port_out32(uint16_t port, uint32_t value);

/* The console UART to use when firmware tables name none (0 type: none). */
void arch_default_uart(uint32_t *type, uint8_t *space, uint64_t *base);

/*
 * A PSCI call (function id, three arguments) through hvc (use_hvc) or smc.
 * Returns the PSCI result; -1 (NOT_SUPPORTED) on ports without PSCI.
 */
int64_t arch_psci_call(int use_hvc, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2);

/* This CPU's index (0 for the boot CPU, then in bring-up order). */
uint32_t arch_cpu_index(void);

/* A hint inside spin loops (pause / yield). */
void arch_cpu_relax(void);

/* Mask interrupts on this CPU, returning the previous state for arch_irq_restore. */
uint64_t arch_irq_save(void);
void arch_irq_restore(uint64_t flags);

/* Log every register of a trap frame (klog_error lines). */
struct trap_frame;
void arch_trap_dump_regs(const struct trap_frame *f);

/*
 * This CPU's one-shot timer: interrupt once clock_ns() reaches deadline_ns
 * (at once if it already has), then call timer_interrupt(); 0 disarms it.
 */
void arch_timer_set(uint64_t deadline_ns);

/* ---- Every CPU: per-CPU data, interrupt controller, timer, start-up ---- */

struct cpu;
struct platform;

/*
 * First thing on every CPU (the boot CPU in kmain, others in smp_ap_main):
 * load this CPU's descriptor tables / vectors and make c its per-CPU data
 * (GS base / TPIDR_EL1), so arch_cpu_index() returns c->index.
 */
void arch_cpu_init(struct cpu *c);

/* The calling CPU's hardware id: the local (x2)APIC id, or MPIDR_EL1 & 0xff00ffffff. */
uint64_t arch_cpu_hwid(void);

/*
 * The interrupt controller and the timer. arch_platform_init runs once on the
 * boot CPU after arch_cpu_init: it takes over the controller the platform
 * describes (masking the legacy PIC on x86), measures what needs measuring
 * (x86: TSC and LAPIC timer against HPET or the ACPI PM timer) and returns the
 * counter frequency for clock_init, or 0 on failure (logged). Interrupts stay
 * masked. arch_platform_init_cpu does this CPU's share on every other CPU.
 */
uint64_t arch_platform_init(const struct platform *p);
int arch_platform_init_cpu(void);

/* Unmask interrupts on this CPU (the controller is set up). */
void arch_irq_enable(void);

/* Send an IPI (enum ipi_kind) to CPU c; it calls smp_ipi_handle(kind) there. */
void arch_ipi_send(const struct cpu *c, unsigned kind);

/*
 * Start CPU c (c->hwid) so that it runs smp_ap_main(c) on the stack whose top
 * is c->stack_top, with the kernel's address space and interrupts masked.
 * 0 when the start was requested; the CPU reports online by itself.
 */
int arch_cpu_start(struct cpu *c);

/* Wait for an interrupt with interrupts enabled (sti; hlt / wfi). */
void arch_idle(void);

/*
 * The port's own boot self-checks (run under kosh.test after the portable ones),
 * e.g. IOAPIC routing or both GIC versions: each returns 1, or 0 with the
 * reason in why. *count gets how many there are.
 */
struct arch_selftest {
	const char *id;   /* stable, e.g. "X86-0001" */
	const char *name;
	int (*fn)(char *why, unsigned long len);
};
const struct arch_selftest *arch_selftests(unsigned *count);

/* ---- User memory ---- */

/* The end of the user half (exclusive): 2^47 on x86-64, 2^48 on AArch64. */
uint64_t arch_user_top(void);

/*
 * Copy len bytes where a fault on either side is expected (a user address):
 * 0, or -1 if the copy faulted (part of it may have been done). The trap
 * handlers resume a fault inside this routine at its error return; anywhere
 * else a kernel fault stays a panic.
 */
int arch_copy_user(void *dst, const void *src, uint64_t len);

/* The error return for a fault at pc inside arch_copy_user, or 0 if pc is elsewhere. */
uint64_t arch_copy_user_fixup(uint64_t pc);

/* ---- Threads and user mode (kernel/thread.c, kernel/sched.c, kernel/syscall.c) ---- */

/*
 * Each port's <arch/types.h> defines struct arch_context (a thread's saved
 * kernel registers) and struct arch_thread (its user-visible state kept outside
 * the trap frame: FPU/SIMD registers, TLS base, x86 I/O bitmap use …), both
 * embedded in struct thread, and the trap-frame accessors of <arch/trap.h>:
 *   trap_frame_from_user(f)     1 if f was taken from user mode
 *   trap_frame_sysnr(f)         the system-call number register
 *   trap_frame_sysarg(f, i)     pointer to argument register i (0 .. 6)
 *   trap_frame_sysret(f)        pointer to the result register
 * A user thread's trap frame sits at the very top of its kernel stack: every
 * entry from user mode (system call, exception, interrupt) saves the user
 * registers there and every return to user mode restores them from there.
 */
struct thread;
struct arch_context;
struct arch_thread;

/*
 * Make ctx run fn(arg) on the stack below stack_top the first time it is
 * switched to (with interrupts masked); fn never returns.
 */
void arch_context_init(struct arch_context *ctx, uint64_t stack_top, void (*fn)(void *arg),
		       void *arg);

/*
 * Save the callee-saved registers and stack pointer into from, load to's, and
 * return into to's thread. Interrupts are masked on both sides. from is NULL
 * when the old context is dropped for good.
 */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

/* A fresh user state: zeroed registers, default FPU/SIMD control words, no TLS base. */
void arch_thread_init(struct arch_thread *t);

/*
 * Set up the trap frame at the top of t's kernel stack (kstack_top) to enter
 * user mode at pc with stack pointer sp and first argument arg (rdi / x0),
 * every other register 0, interrupts enabled. Returns the frame.
 */
struct trap_frame *arch_user_frame_init(uint64_t kstack_top, uint64_t pc, uint64_t sp,
					uint64_t arg);

/* Return to user mode through frame f (at the top of the running thread's stack). */
__attribute__((noreturn)) void arch_return_to_user(struct trap_frame *f);

/*
 * This CPU leaves thread prev (NULL: the idle thread or none) for next (NULL:
 * idle), just before arch_context_switch: save prev's FPU/SIMD state and load
 * next's (never leaking one thread's registers to another), make next's kernel
 * stack the one user-mode entries land on (x86 TSS.rsp0 and the syscall stack),
 * load its TLS base, its I/O-port permissions (x86-64), and clear the exclusive
 * monitor (AArch64). The address space is switched separately.
 */
void arch_thread_switch(struct thread *prev, struct thread *next);

/*
 * Set the user thread-pointer register of a thread (x86-64: the FS base;
 * AArch64: TPIDR_EL0) to value, a user-half address the caller checked; at
 * once when it is the running thread (current), else at its next switch in.
 */
void arch_thread_set_tls(struct arch_thread *t, uint64_t value, int current);

/*
 * Make root (a user space's root table from vm_space_create; 0: none, only the
 * kernel half) this CPU's lower half, dropping the old one's TLB entries.
 */
void arch_mmu_switch_user(uint64_t root);

/*
 * x86-64: the I/O ports [base, base + count) become usable (allow) or unusable
 * from user mode for the threads of the process whose bitmap this is; bitmap
 * has ARCH_IOPORT_BITMAP_BYTES bytes (bit set: port refused), NULL-safe on ports
 * without I/O ports (returns -1 there). Takes effect at the next switch to a
 * thread using it (arch_thread_switch) or at once on this CPU if in use here.
 */
#define ARCH_IOPORT_BITMAP_BYTES 8192u
int arch_ioport_bitmap_set(uint8_t *bitmap, uint32_t base, uint32_t count, int allow);

/* The CPU's physical address width in bits (x86-64: CPUID 0x80000008; AArch64: PARange). */
unsigned arch_phys_addr_bits(void);

/* 1 if this port has an I/O-port space (x86-64). */
int arch_has_ioports(void);

/* ---- end of thread hooks ---- */

/* ---- Interrupt lines for userspace (kernel/sys_irq.c) ---- */

/*
 * Route interrupt line `line` to the CPU c, masked, and return the number
 * irq_handle() will be called with for it (a vector / the INTID), or -1 when
 * the line does not exist or cannot be routed. x86-64: a line below 16 is an ISA
 * IRQ (through the firmware's overrides), others are GSIs (level, active low).
 * AArch64: a GIC SPI INTID (32 .. 1019), level-triggered.
 */
int arch_irq_line_route(uint32_t line, const struct cpu *c);

/* Mask or unmask a routed line at the interrupt controller. */
void arch_irq_line_mask(uint32_t line, int masked);

/*
 * A message-signalled interrupt delivered to CPU c, edge-triggered and enabled
 * at the controller: x86-64 a free vector of the MSI pool (address 0xfee00000
 * with c's APIC id, data the vector); AArch64 a free SPI of a GICv2m frame
 * (address the frame's MSI_SETSPI_NS, data the INTID). What the device must
 * write goes to *address and *data. Returns the number irq_handle() is called
 * with, or a negative kosh_err_t: KOSH_E_NO_SLOTS (every one in use),
 * KOSH_E_NOT_SUPPORTED (no way to deliver MSIs to c: no GICv2m frame, an APIC
 * id an xAPIC message cannot name).
 */
int arch_msi_alloc(const struct cpu *c, uint64_t *address, uint32_t *data);

/* Disable and give back irq, a number arch_msi_alloc returned. */
void arch_msi_free(uint32_t irq);

/* ---- end of interrupt-line hooks ---- */

/* Mask interrupts and stop this CPU for good. */
__attribute__((noreturn)) void arch_halt(void);

/* ---- MMU: the kernel's page tables (kernel/vm.c, arch-<arch>/kernel/mmu.c) ---- */

/*
 * The PT_FEAT_* (kosh/pagetable.h) the kernel's tables may use on this CPU:
 * x86-64 NX, 1 GiB pages and write-combining through PAT entry 1, as CPUID
 * offers them; AArch64 needs none. arch_mmu_switch_kernel turns on what they need.
 */
uint32_t arch_mmu_features(void);

/*
 * Switch this CPU to the kernel's own tables: root_hi holds the kernel half,
 * root_lo an empty lower half (x86-64: one root, root_lo == root_hi; AArch64:
 * TTBR0 and TTBR1). Both must map the running image, stack and data exactly as
 * the current tables do. Enables what arch_mmu_features() reported (EFER.NXE,
 * the PAT entry, global pages) and drops every TLB entry of this CPU.
 */
void arch_mmu_switch_kernel(uint64_t root_lo, uint64_t root_hi);

/*
 * Page-table entries for [va, va + size) changed: drop their TLB and walk-cache
 * entries (x86-64: this CPU; AArch64: every CPU, inner shareable) before
 * returning. size 0: entries were only added; make the table writes visible to
 * the walker. va + size may wrap to 0 at the top of the address space.
 */
void arch_tlb_flush_range(uint64_t va, uint64_t size);

/*
 * Memory at kernel address kva (the HHDM view of a frame) is about to be mapped
 * executable: make the instruction fetches of every CPU see what was written
 * to it (AArch64: clean the data cache to the point of unification, invalidate
 * the instruction cache; x86-64: nothing, its caches are coherent).
 */
void arch_sync_icache(uint64_t kva, uint64_t size);

/* 1 if arch_tlb_flush_range already reaches every CPU (AArch64 TLBI ... IS). */
int arch_tlb_flush_is_broadcast(void);

/* Switch to the stack whose top is top and run fn(arg) there; never returns. */
__attribute__((noreturn)) void arch_call_on_stack(uint64_t top, void (*fn)(void *arg), void *arg);

/* ---- end of MMU hooks ---- */

#endif
