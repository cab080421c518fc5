/* SPDX-License-Identifier: MIT */
/*
 * More threads in the calling process (<kosh/thread.h>). The new thread starts
 * in crt0's kosh_thread_trampoline with a pointer to a start record at the top
 * of its own stack; kosh_thread_main runs fn(arg) and ends the thread.
 *
 * Each thread's IPC buffer is found from its stack: a small table holds the
 * stack and IPC buffer of every thread made here, and kosh_ipc_buffer() looks
 * up the one whose stack holds the caller's frame (the first thread's otherwise).
 * This needs no thread pointer, which belongs to the C library where there is one.
 */
#include <stddef.h>

#include <kosh/abi.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#define THREAD_STACK_DEFAULT (64u << 10)
#define THREADS_MAX          64 /* threads whose IPC buffer kosh_ipc_buffer() finds */

struct thread_slot {
	uint64_t stack_lo, stack_hi; /* 0, 0: free */
	struct kosh_ipc_buffer *ipc;
};

static struct thread_slot slots[THREADS_MAX];

static void slot_set(const struct kosh_thread *t)
{
	uint64_t lo = (uint64_t)(uintptr_t)t->stack;
	for (int i = 0; i < THREADS_MAX; i++) {
		uint64_t none = 0;
		if (__atomic_compare_exchange_n(&slots[i].stack_lo, &none, lo, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			slots[i].ipc = t->ipc;
			__atomic_store_n(&slots[i].stack_hi, lo + t->stack_size, __ATOMIC_RELEASE);
			return;
		}
	}
	/* A full table: this thread's IPC calls through the runtime use the first thread's buffer. */
}

static void slot_clear(const struct kosh_thread *t)
{
	uint64_t lo = (uint64_t)(uintptr_t)t->stack;
	for (int i = 0; lo && i < THREADS_MAX; i++) {
		if (__atomic_load_n(&slots[i].stack_lo, __ATOMIC_ACQUIRE) == lo) {
			__atomic_store_n(&slots[i].stack_hi, 0, __ATOMIC_RELEASE);
			slots[i].ipc = NULL;
			__atomic_store_n(&slots[i].stack_lo, 0, __ATOMIC_RELEASE);
			return;
		}
	}
}

struct kosh_ipc_buffer *kosh_ipc_buffer(void)
{
	char here; /* on the calling thread's stack */
	uint64_t sp = (uint64_t)(uintptr_t)&here;
	for (int i = 0; i < THREADS_MAX; i++) {
		uint64_t hi = __atomic_load_n(&slots[i].stack_hi, __ATOMIC_ACQUIRE);
		if (hi && sp >= slots[i].stack_lo && sp < hi)
			return slots[i].ipc;
	}
	return kosh_self()->ipc_buffer;
}

struct thread_record {
	void (*fn)(void *arg);
	void *arg;
};

extern char kosh_thread_trampoline[];

__attribute__((noreturn)) void kosh_thread_main(struct thread_record *rec);

void kosh_thread_main(struct thread_record *rec)
{
	rec->fn(rec->arg);
	kosh_thread_exit();
	for (;;) /* thread_exit does not come back; if it did, the process must not go on here */
		kosh_terminate(KOSH_EXIT_KILLED);
}

kosh_err_t kosh_thread_prepare(struct kosh_thread *t, void (*fn)(void *arg), void *arg,
			       uint64_t stack_size)
{
	*t = (struct kosh_thread){ 0 };
	t->stack_size = kosh_page_round(stack_size ? stack_size : THREAD_STACK_DEFAULT);
	t->stack = kosh_page_alloc(t->stack_size);
	t->ipc = kosh_page_alloc(KOSH_IPC_BUFFER_SIZE);
	kosh_err_t err = KOSH_E_NO_MEMORY;
	if (!t->stack || !t->ipc)
		goto out_free;
	int64_t h = kosh_thread_create(kosh_self()->process);
	if (h < 0) {
		err = (kosh_err_t)h;
		goto out_free;
	}
	t->handle = (kosh_handle_t)h;
	uint64_t top = (uint64_t)(uintptr_t)t->stack + t->stack_size;
	struct thread_record *rec = (struct thread_record *)(uintptr_t)(top - 16);
	_Static_assert(sizeof(*rec) <= 16, "the record fits the top of the stack");
	*rec = (struct thread_record){ fn, arg };
	slot_set(t);
	return KOSH_OK;
out_free:
	kosh_page_free(t->ipc);
	kosh_page_free(t->stack);
	*t = (struct kosh_thread){ 0 };
	return err;
}

kosh_err_t kosh_thread_launch(struct kosh_thread *t)
{
	uint64_t top = (uint64_t)(uintptr_t)t->stack + t->stack_size;
	int64_t r = kosh_thread_start(t->handle, (uint64_t)(uintptr_t)kosh_thread_trampoline,
				      top - 16, top - 16, (uint64_t)(uintptr_t)t->ipc);
	return r < 0 ? (kosh_err_t)r : KOSH_OK;
}

kosh_err_t kosh_thread_spawn(struct kosh_thread *t, void (*fn)(void *arg), void *arg,
			     uint64_t stack_size)
{
	kosh_err_t err = kosh_thread_prepare(t, fn, arg, stack_size);
	if (err)
		return err;
	err = kosh_thread_launch(t);
	if (err)
		kosh_thread_release(t);
	return err;
}

void kosh_thread_release(struct kosh_thread *t)
{
	slot_clear(t);
	if (t->handle)
		kosh_handle_close(t->handle);
	kosh_page_free(t->ipc);
	kosh_page_free(t->stack);
	*t = (struct kosh_thread){ 0 };
}
