/* SPDX-License-Identifier: MIT */
/*
 * The start protocol: what a spawned process finds when its first thread
 * starts (docs/userspace.md). The spawner maps a read-only start page at
 * KOSH_START_VA and passes its address as the thread's argument; the stack ends
 * at KOSH_START_STACK_TOP and the IPC buffer is at KOSH_START_IPC_VA. The page
 * holds the argument and environment strings ("NAME=value"), a list of named
 * handles already in the new process's table: "process", "space" and "thread"
 * (its own), and whatever the spawner gives ("klog", "quota", "vfs", "stdin",
 * …), and a copy of the program's ELF program headers (so the C library finds
 * PT_TLS, as a Linux program does through AT_PHDR). The root task is started by the
 * kernel instead, with <kosh/rootinfo.h>; the runtime tells the two apart by
 * the magic at the argument.
 */
#ifndef KOSH_START_H
#define KOSH_START_H

#include <stdint.h>

#include <kosh/abi.h>

#define KOSH_START_MAGIC   0x5452545348534f4bull /* "KOSHSTRT" */
#define KOSH_START_VERSION 3

/* Where a spawned process's pieces are (the same places the root task's are). */
#define KOSH_START_VA         0x00007ffffe000000ull /* the start page(s), read-only */
#define KOSH_START_SIZE       16384u
#define KOSH_START_IPC_VA     0x00007ffffff00000ull /* the first thread's IPC buffer */
#define KOSH_START_STACK_TOP  0x00007fffffff0000ull /* its stack ends here */
#define KOSH_START_STACK_SIZE (256u << 10)          /* the default stack size */

#define KOSH_START_ARGS_MAX    32
#define KOSH_START_ENV_MAX     32 /* environment strings */
#define KOSH_START_PHDRS_MAX   16 /* program headers copied (more: none are) */
#define KOSH_START_PHDR_SIZE   56 /* bytes of one ELF64 program header */
#define KOSH_START_HANDLES_MAX 32 /* a driver has ~14, init more */
#define KOSH_START_NAME_MAX    16 /* a handle's name with its NUL */

struct kosh_start_handle {
	char name[KOSH_START_NAME_MAX]; /* NUL-terminated: "klog", "quota" … */
	kosh_handle_t handle;           /* in the new process's own table */
	uint32_t reserved;              /* 0 */
	uint64_t value;                 /* what goes with it (a frame's size in bytes), else 0 */
};
_Static_assert(sizeof(struct kosh_start_handle) == 32, "kosh_start_handle layout");

struct kosh_start {
	uint64_t magic;        /* KOSH_START_MAGIC */
	uint32_t version;      /* KOSH_START_VERSION */
	uint32_t size;         /* bytes in use from KOSH_START_VA: this header and the strings */
	uint64_t ipc_buffer;   /* the first thread's IPC buffer (KOSH_START_IPC_VA) */
	uint64_t stack_top;    /* its stack: [stack_top - stack_size, stack_top) */
	uint64_t stack_size;
	uint32_t argc;         /* at most KOSH_START_ARGS_MAX */
	uint32_t handle_count; /* at most KOSH_START_HANDLES_MAX */
	/* Addresses of NUL-terminated strings in the page; argv[argc] = 0. */
	uint64_t argv[KOSH_START_ARGS_MAX + 1];
	struct kosh_start_handle handles[KOSH_START_HANDLES_MAX];
	uint32_t envc;         /* at most KOSH_START_ENV_MAX */
	uint32_t phnum;        /* program headers at phdr (0: none given) */
	uint64_t phdr;         /* address in the page of phnum ELF64 program headers, 8-aligned */
	/* Addresses of NUL-terminated "NAME=value" strings in the page; envp[envc] = 0. */
	uint64_t envp[KOSH_START_ENV_MAX + 1];
	/* the program headers and the strings follow, up to KOSH_START_SIZE */
};
_Static_assert(__builtin_offsetof(struct kosh_start, ipc_buffer) == 16, "kosh_start layout");
_Static_assert(__builtin_offsetof(struct kosh_start, argc) == 40, "kosh_start layout");
_Static_assert(__builtin_offsetof(struct kosh_start, argv) == 48, "kosh_start layout");
_Static_assert(__builtin_offsetof(struct kosh_start, handles) == 312, "kosh_start layout");
_Static_assert(__builtin_offsetof(struct kosh_start, envc) == 1336, "kosh_start layout");
_Static_assert(__builtin_offsetof(struct kosh_start, phdr) == 1344, "kosh_start layout");
_Static_assert(__builtin_offsetof(struct kosh_start, envp) == 1352, "kosh_start layout");
_Static_assert(sizeof(struct kosh_start) == 1616, "kosh_start layout");
_Static_assert(sizeof(struct kosh_start) + KOSH_START_PHDRS_MAX * KOSH_START_PHDR_SIZE <
		       KOSH_START_SIZE,
	       "room for the program headers and the strings");

#endif
