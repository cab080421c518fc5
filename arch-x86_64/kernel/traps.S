/* SPDX-License-Identifier: MIT */
/*
 * Exception entry stubs for vectors 0-31 (x86-64). Each pushes a dummy error
 * code where the CPU pushes none, then its vector, so trap_report() sees one
 * frame layout: vector, error code, rip, cs, rflags, rsp, ss.
 */
	.text
.macro TRAP vec, has_error
	.balign 16
trap_\vec:
	.if \has_error == 0
	push	$0
	.endif
	push	$\vec
	jmp	trap_common
.endm

TRAP 0, 0
TRAP 1, 0
TRAP 2, 0
TRAP 3, 0
TRAP 4, 0
TRAP 5, 0
TRAP 6, 0
TRAP 7, 0
TRAP 8, 1
TRAP 9, 0
TRAP 10, 1
TRAP 11, 1
TRAP 12, 1
TRAP 13, 1
TRAP 14, 1
TRAP 15, 0
TRAP 16, 0
TRAP 17, 1
TRAP 18, 0
TRAP 19, 0
TRAP 20, 0
TRAP 21, 1
TRAP 22, 0
TRAP 23, 0
TRAP 24, 0
TRAP 25, 0
TRAP 26, 0
TRAP 27, 0
TRAP 28, 0
TRAP 29, 1
TRAP 30, 1
TRAP 31, 0

trap_common:
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	trap_report
1:	cli
	hlt
	jmp	1b

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	trap_\v
	.endr
