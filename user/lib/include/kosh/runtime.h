/* SPDX-License-Identifier: MIT */
/*
 * The runtime's view of its own process: the handles it started with, its
 * arguments and environment, and for the root task the root info. The program
 * provides main(argc, argv); its return value is the process's exit status.
 */
#ifndef KOSH_USER_RUNTIME_H
#define KOSH_USER_RUNTIME_H

#include <stdint.h>

#include <kosh/abi.h>

struct kosh_start;
struct kosh_root_info;
struct kosh_ipc_buffer;

struct kosh_self {
	kosh_handle_t process, space, thread; /* its own objects (0: not given) */
	kosh_handle_t quota;                  /* what the runtime allocates from (0: none) */
	kosh_handle_t log;                    /* where kosh_printf writes (0: debug_print) */
	struct kosh_ipc_buffer *ipc_buffer;   /* the first thread's */
	const struct kosh_start *start;       /* the start page; NULL in the root task */
	const struct kosh_root_info *root;    /* the root info; NULL except in the root task */
	int argc;
	char **argv;                          /* argv[argc] = NULL */
	int envc;
	char **envp;                          /* "NAME=value" strings, envp[envc] = NULL */
};

/* The program's entry, called by the runtime. */
int main(int argc, char **argv);

/* The calling process's handles and arguments. */
const struct kosh_self *kosh_self(void);

/* The value of environment variable name as the process started with it, or NULL. */
const char *kosh_getenv(const char *name);

/* The calling thread's IPC buffer (the first thread's, or one kosh_thread_spawn made). */
struct kosh_ipc_buffer *kosh_ipc_buffer(void);

/* A handle the start page names (and its value in *value if not NULL), or 0. */
kosh_handle_t kosh_start_handle(const char *name, uint64_t *value);

/* The initfs archive, read-only: the root task's, or the frame given as "initfs". */
kosh_err_t kosh_initfs(const void **archive, uint64_t *size);

/* End the process with status (exit); never returns. */
__attribute__((noreturn)) void kosh_terminate(uint64_t status);

/* crt0's C side: set up the runtime from the start argument, run main. */
int64_t kosh_runtime_start(uint64_t arg);

/*
 * What kosh_runtime_start runs once the runtime is set up: main(argc, argv)
 * (weak), or in programs linked with the C library musl's __libc_start_main
 * (user/lib/musl/start.c). argv[argc] is NULL, then the environment, NULL and
 * the auxiliary vector follow, as on a Linux process's stack.
 */
int kosh_runtime_enter(int argc, char **argv);

#endif
