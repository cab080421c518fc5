/* SPDX-License-Identifier: MIT */
/*
 * Kosh's syscall_arch.h for musl, in place of musl's own
 * arch/<arch>/syscall_arch.h, which issues the Linux system-call instruction;
 * one for every architecture, since it only calls a C function.
 * Kosh's kernel has no Linux ABI: every system call musl makes is a plain call
 * to __kosh_linux_syscall (user/lib/linux_syscall.c, the system layer), with
 * the Linux number and arguments, returning the result or -errno as Linux
 * would. cmake/KoshMusl.cmake puts this directory first with -iquote, which
 * wins over musl's -I$(srcdir)/arch/<arch> for its #include "syscall_arch.h";
 * musl's tree (Debian's) is not edited.
 *
 * No VDSO_USEFUL: there is no vDSO, clock_gettime is a system call too.
 */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

long __kosh_linux_syscall(long n, long a, long b, long c, long d, long e, long f);

static __inline long __syscall0(long n)
{
	return __kosh_linux_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a)
{
	return __kosh_linux_syscall(n, a, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a, long b)
{
	return __kosh_linux_syscall(n, a, b, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a, long b, long c)
{
	return __kosh_linux_syscall(n, a, b, c, 0, 0, 0);
}

static __inline long __syscall4(long n, long a, long b, long c, long d)
{
	return __kosh_linux_syscall(n, a, b, c, d, 0, 0);
}

static __inline long __syscall5(long n, long a, long b, long c, long d, long e)
{
	return __kosh_linux_syscall(n, a, b, c, d, e, 0);
}

static __inline long __syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	return __kosh_linux_syscall(n, a, b, c, d, e, f);
}

#define IPC_64 0
