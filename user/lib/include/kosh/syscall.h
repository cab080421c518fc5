/* SPDX-License-Identifier: MIT */
/*
 * The system-call stubs, generated from <kosh/syscalls.def>: one function
 * kosh_<name>() per row, taking exactly the row's argument count as 64-bit
 * values in the ABI's order (the handle first) and returning the result
 * register: a kosh_err_t (< 0), KOSH_OK, or a non-negative value (a handle, a
 * clock reading, a byte count). Calls with more than one result (endpoint_*,
 * notification_wait/poll, process_wait, log_read) go through kosh_syscall() or
 * the typed helpers of <kosh/ipc.h>. Adding a row to syscalls.def adds its stub.
 */
#ifndef KOSH_USER_SYSCALL_H
#define KOSH_USER_SYSCALL_H

#include <stdint.h>

#include <kosh/abi.h>

/* The parameter list of a stub with N arguments. */
#define KOSH_STUB_PARAMS_0 void
#define KOSH_STUB_PARAMS_1 uint64_t a0
#define KOSH_STUB_PARAMS_2 uint64_t a0, uint64_t a1
#define KOSH_STUB_PARAMS_3 uint64_t a0, uint64_t a1, uint64_t a2
#define KOSH_STUB_PARAMS_4 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3
#define KOSH_STUB_PARAMS_5 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4
#define KOSH_STUB_PARAMS_6 \
	uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
#define KOSH_STUB_PARAMS_7 \
	uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6

#define KOSH_SYSCALL(number, name, args, object, right, text) \
	int64_t kosh_##name(KOSH_STUB_PARAMS_##args);
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL

/*
 * Any system call with all KOSH_SYSCALL_ARGS_MAX argument registers: r[0 .. 6]
 * go in, and on return r[0] holds the result and r[1 .. 6] results 1 .. 6.
 * Returns the result.
 */
int64_t kosh_syscall(uint64_t nr, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);

#endif
