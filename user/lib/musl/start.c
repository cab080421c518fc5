/* SPDX-License-Identifier: MIT */
/*
 * The start of a program linked with musl, and the few pieces of musl that
 * would issue a Linux system-call instruction themselves instead of going
 * through syscall_arch.h. cmake/KoshUser.cmake compiles this file into every
 * program built with LIBC, as an object of the program: an object's
 * definitions come before libc.a's archive members, so these replace musl's
 * and its assembly is never linked.
 *
 * kosh_runtime_enter (the runtime's weak one runs main directly) enters
 * musl's __libc_start_main with the vector the runtime built: argv, envp and
 * the auxiliary vector (AT_PHDR for PT_TLS, AT_PAGESZ, AT_RANDOM). musl then
 * sets up the thread pointer and TLS (__init_tls), stdio and environ, runs the
 * constructors and main, and exit() flushes stdio and runs atexit handlers
 * before exit_group reaches the system layer.
 */
#include <kosh/posix.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

typedef int (*libc_main_fn)(int, char **, char **);
int __libc_start_main(libc_main_fn main_fn, int argc, char **argv, void (*init)(void),
		      void (*fini)(void), void (*ldso)(void));
long __kosh_linux_syscall(long n, long a, long b, long c, long d, long e, long f);
int *__errno_location(void);

int kosh_runtime_enter(int argc, char **argv)
{
	return __libc_start_main((libc_main_fn)(void *)main, argc, argv, 0, 0, 0);
}

/* The thread pointer (x86-64: musl's arch_prctl; AArch64: msr tpidr_el0): thread_set_tls. */
int __set_thread_area(void *p)
{
	return kosh_thread_set_tls(kosh_self()->thread, (uint64_t)(uintptr_t)p) < 0 ? -1 : 0;
}

/* Cancellable calls: no cancellation without threads, a plain call. */
long __syscall_cp_asm(volatile int *cancel, long nr, long u, long v, long w, long x, long y,
		      long z)
{
	(void)cancel;
	return __kosh_linux_syscall(nr, u, v, w, x, y, z);
}

/* Marks pthread_cancel's signal handler compares against; no signal ever comes. */
void __cp_begin(void)
{
}

void __cp_end(void)
{
}

void __cp_cancel(void)
{
	__builtin_trap();
}

/* No threads or processes of our own making: pthread_create, posix_spawn … fail with ENOSYS. */
int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	(void)fn, (void)stack, (void)flags, (void)arg;
	return -LINUX_ENOSYS;
}

int vfork(void)
{
	*__errno_location() = LINUX_ENOSYS;
	return -1;
}

/* Only a detached thread's exit uses it: with one thread, the process ends. */
__attribute__((noreturn)) void __unmapself(void *base, unsigned long size)
{
	const long status[6] = { 0 };
	(void)base, (void)size;
	posix_sys_exit_group(status);
	kosh_terminate(0);
}

/* A signal handler's return: signals are never delivered, so this never runs. */
void __restore_rt(void)
{
	__builtin_trap();
}

void __restore(void)
{
	__builtin_trap();
}
