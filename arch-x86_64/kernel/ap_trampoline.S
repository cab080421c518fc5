/* SPDX-License-Identifier: MIT */
/*
 * Where a started CPU begins (x86-64). ap_trampoline_start..ap_trampoline_end
 * is never run where it is linked: smp.c copies it to a page below 1 MiB,
 * fills in its parameter block (cpu_x86.h) and sends the page number as the
 * SIPI vector, so the CPU starts here in real mode with CS = page >> 4, IP = 0.
 *
 * Real mode: caches on (INIT sets CR0.CD and NW), mark the block "started",
 * load the block's GDT, set CR0.PE. Protected mode: CR4.PAE|PGE, the
 * temporary PML4 (below 4 GiB: CR3 is written from 32-bit code), EFER.LME and
 * NXE (the kernel's tables carry NX bits, reserved without it), then
 * CR0.PG|WP. A far jump enters 64-bit mode, still on the identity-mapped
 * trampoline page, and an indirect jump leaves it for x86_ap_entry in the
 * kernel half, which the temporary tables share with the kernel's.
 *
 * x86_ap_entry switches to the kernel's own tables and its own GDT, so nothing
 * refers to the trampoline page or the temporary tables any more; only then
 * does it claim the struct cpu the boot CPU left in x86_ap_cpu (an atomic
 * exchange with 0: a CPU that finds 0, because the boot CPU gave up on it,
 * halts). The claim tells the boot CPU it may free the page and the tables.
 * With GS pointing at the struct and rsp at its stack_top, it calls
 * x86_ap_start(c).
 */
#include "cpu_x86.h"

#define CR0_PE  (1 << 0)
#define CR0_ET  (1 << 4)
#define CR0_NE  (1 << 5)
#define CR0_WP  (1 << 16)
#define CR0_NW  (1 << 29)
#define CR0_CD  (1 << 30)
#define CR0_PG  (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)

/* A parameter's offset from the start of the page. */
#define PARAM(x) (ap_trampoline_params - ap_trampoline_start + X86_TRAMP_##x)

	/* Copied, never executed in place: read-only data of the kernel image. */
	.section .rodata, "a"
	.balign 16
	.globl ap_trampoline_start
ap_trampoline_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx			/* ebx: the page's physical address */
	movl	%cr0, %eax
	andl	$~(CR0_CD | CR0_NW), %eax	/* caches on: INIT leaves them off */
	movl	%eax, %cr0
	movl	$1, PARAM(STARTED)
	lgdtl	PARAM(GDT_POINTER)
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*PARAM(PM_JUMP)

	.code32
	.globl ap_trampoline_32
ap_trampoline_32:
	movw	$X86_KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	PARAM(CR3)(%ebx), %eax
	movl	%eax, %cr3
	movl	$X86_MSR_EFER, %ecx
	rdmsr
	orl	PARAM(EFER)(%ebx), %eax
	wrmsr
	movl	$(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE), %eax
	movl	%eax, %cr0
	ljmpl	*PARAM(LM_JUMP)(%ebx)

	.code64
	.globl ap_trampoline_64
ap_trampoline_64:
	movl	%ebx, %ebx			/* upper halves are undefined after the switch */
	jmpq	*PARAM(ENTRY)(%rbx)

	.balign 16
	.globl ap_trampoline_params
ap_trampoline_params:
	.space	X86_TRAMP_SIZE
	.globl ap_trampoline_end
ap_trampoline_end:

	/* The kernel half: on the temporary tables, no stack, interrupts masked. */
	.text
	.code64
	.globl x86_ap_entry
x86_ap_entry:
	lgdt	ap_gdt_pointer(%rip)
	movq	x86_ap_cr3(%rip), %rax
	movq	%rax, %cr3
	xorl	%eax, %eax
	xchgq	%rax, x86_ap_cpu(%rip)		/* claim the struct cpu (xchg is locked) */
	testq	%rax, %rax
	jz	1f
	movq	%rax, %rdi
	movl	$X86_MSR_GS_BASE, %ecx
	movq	%rdi, %rdx
	shrq	$32, %rdx
	wrmsr					/* GS base = edx:eax, the pointer */
	movq	X86_CPU_STACK_TOP(%rdi), %rsp
	xorl	%ebp, %ebp
	call	x86_ap_start
1:	cli
	hlt
	jmp	1b

	/* Until the CPU loads its own in arch_cpu_init; descriptors marked accessed (no writes). */
	.section .rodata
	.balign 8
ap_gdt:
	.quad	0
	.quad	0x00af9b000000ffff		/* X86_KERNEL_CS: 64-bit code */
	.quad	0x00cf93000000ffff		/* X86_KERNEL_DS */
ap_gdt_end:
	.balign 2
ap_gdt_pointer:
	.word	ap_gdt_end - ap_gdt - 1
	.quad	ap_gdt
