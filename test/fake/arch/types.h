/* SPDX-License-Identifier: MIT */
/*
 * <arch/types.h> of the fake port (test/fake/): what struct thread and struct
 * cpu embed. A kernel context is a host ucontext (test/fake/thread_fake.c
 * switches them for real, on host stacks); the user-visible thread state is a
 * couple of words the fake records. Tests of kernel objects that never switch
 * use test/fake/kobj/arch/types.h instead.
 */
#ifndef TEST_FAKE_ARCH_TYPES_H
#define TEST_FAKE_ARCH_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#define PAGE_SIZE 4096u

struct arch_context {
	ucontext_t uc;
	void *stack_base; /* the host stack it runs on (for the sanitizers) */
	size_t stack_size;
	void (*fn)(void *arg); /* a fresh context's first function */
	void *arg;
	uint32_t magic; /* ARCH_FAKE_CONTEXT_MAGIC once initialised */
};

#define ARCH_FAKE_CONTEXT_MAGIC 0x6b637478u

struct arch_thread {
	uint64_t tls_base;
	uint64_t inits; /* arch_thread_init calls */
};

#endif
