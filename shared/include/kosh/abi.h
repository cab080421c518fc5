/* SPDX-License-Identifier: MIT */
/*
 * The Kosh system-call ABI, expanded from its tables: errors.def, objects.def,
 * rights.def and syscalls.def are the only place each error, object type, right
 * and system call is listed. Adding a call is one row there and one handler in
 * the kernel. Shared by the kernel, userspace and the host tests.
 */
#ifndef KOSH_ABI_H
#define KOSH_ABI_H

#include <stdint.h>

/* A handle: slot index (low 20 bits) plus a generation count (high 12 bits). */
typedef uint32_t kosh_handle_t;
#define KOSH_HANDLE_INVALID 0u
#define KOSH_HANDLE_SLOT_BITS 20
#define KOSH_HANDLE_SLOT(h) ((h) & ((1u << KOSH_HANDLE_SLOT_BITS) - 1))
#define KOSH_HANDLE_GEN(h) ((h) >> KOSH_HANDLE_SLOT_BITS)

/* An error: KOSH_OK (0) or a negative KOSH_E_*. */
typedef int32_t kosh_err_t;

enum kosh_error {
#define KOSH_ERROR(name, value, text) KOSH_E_##name = (value),
#include <kosh/errors.def>
#undef KOSH_ERROR
};
#define KOSH_OK KOSH_E_OK

enum kosh_obj_type {
#define KOSH_OBJECT(name, value, text) KOSH_OBJ_##name = (value),
#include <kosh/objects.def>
#undef KOSH_OBJECT
	KOSH_OBJ_COUNT
};

enum kosh_right {
#define KOSH_RIGHT(name, bit, text) KOSH_RIGHT_##name = 1u << (bit),
#include <kosh/rights.def>
#undef KOSH_RIGHT
	KOSH_RIGHTS_ALL = 0
#define KOSH_RIGHT(name, bit, text) | (1u << (bit))
#include <kosh/rights.def>
#undef KOSH_RIGHT
};

enum kosh_syscall {
#define KOSH_SYSCALL(number, name, args, object, right, text) KOSH_SYS_##name = (number),
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
};

/* How many rows syscalls.def has; numbers run 0 .. KOSH_SYSCALL_COUNT - 1 (abi.c checks). */
enum kosh_syscall_rows {
#define KOSH_SYSCALL(number, name, args, object, right, text) KOSH_SYSCALL_ROW_##name,
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
	KOSH_SYSCALL_COUNT
};

/* English text of an error ("no such handle …"), "unknown error" otherwise. */
const char *kosh_strerror(kosh_err_t err);

/* The name of a system call ("endpoint_call"), an object type, or NULL if none. */
const char *kosh_syscall_name(uint32_t number);
const char *kosh_object_name(uint32_t type);

/* Argument count of a system call, or -1 if there is none with that number. */
int kosh_syscall_args(uint32_t number);

#endif
