/* SPDX-License-Identifier: MIT */
/*
 * More threads in the calling process: each with its own stack and IPC buffer
 * from the page allocator, started at fn(arg). When fn returns the thread ends
 * (thread_exit); the process ends when any thread calls exit.
 */
#ifndef KOSH_USER_THREAD_H
#define KOSH_USER_THREAD_H

#include <stdint.h>

#include <kosh/abi.h>

struct kosh_thread {
	kosh_handle_t handle;           /* the thread object */
	void *stack;                    /* [stack, stack + stack_size) */
	uint64_t stack_size;
	struct kosh_ipc_buffer *ipc;    /* its IPC buffer (KOSH_IPC_BUFFER_SIZE bytes) */
};

/* Start fn(arg) on a new thread with a stack of stack_size bytes (0: 64 KiB). */
kosh_err_t kosh_thread_spawn(struct kosh_thread *t, void (*fn)(void *arg), void *arg,
			     uint64_t stack_size);

/*
 * kosh_thread_spawn in two steps, so the caller can set the thread's priority,
 * affinity or fault endpoint (t->handle) before it runs: prepare makes the
 * thread, its stack and IPC buffer; launch starts it at fn(arg).
 */
kosh_err_t kosh_thread_prepare(struct kosh_thread *t, void (*fn)(void *arg), void *arg,
			       uint64_t stack_size);
kosh_err_t kosh_thread_launch(struct kosh_thread *t);

/* Once the thread has ended: close its handle, free its stack and IPC buffer. */
void kosh_thread_release(struct kosh_thread *t);

#endif
