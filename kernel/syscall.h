/* SPDX-License-Identifier: MIT */
/*
 * System-call handlers. The dispatcher (syscall.c) is generated from
 * syscalls.def: for row `name` it calls
 *
 *     int64_t sys_name(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);
 *
 * with r[] holding the argument registers. The return value goes to the result
 * register (a kosh_err_t, or a non-negative value); a handler with more results
 * writes them to r[1 .. 6], which are copied back to the argument registers
 * (entries it leaves alone come back unchanged). A row without a handler is a
 * link error. Handlers run under the big kernel lock with interrupts masked,
 * and check every argument: a handle with cap_get (type and rights at once), a
 * user pointer with copy_from_user / copy_to_user, numbers against their range.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>

#include <kosh/abi.h>

struct kobject;
struct thread;

#define KOSH_SYSCALL(number, name, args, object, right, text) \
	int64_t sys_##name(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX]);
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL

/*
 * Look up handle h of the calling thread's process: type and rights together
 * (cap.h's cap_get). On success *out holds a reference the caller drops.
 */
kosh_err_t sys_get(struct thread *self, uint64_t h, uint32_t type, uint32_t rights,
		   struct kobject **out, uint64_t *badge);

/* Put o (taking over the caller's reference) into the caller's table: the handle, or an error (o dropped). */
int64_t sys_insert(struct thread *self, struct kobject *o, uint32_t rights, uint64_t badge);

#endif
