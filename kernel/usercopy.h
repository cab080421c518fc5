/* SPDX-License-Identifier: MIT */
/*
 * Copying to and from user memory. The kernel never dereferences a user
 * pointer: handlers receive user addresses as struct user_ptr, which only these
 * functions accept. A range outside the user half, wrapping, or touching an
 * unmapped page gives KOSH_E_BAD_ADDRESS — never a kernel fault: the copy runs
 * in an architecture routine whose faults resume at an error return.
 */
#ifndef KERNEL_USERCOPY_H
#define KERNEL_USERCOPY_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>

struct user_ptr {
	uint64_t addr;
};

static inline struct user_ptr user_ptr(uint64_t addr)
{
	return (struct user_ptr){ addr };
}

/* 1 if [addr, addr + len) lies in the user half without wrapping. */
int user_range_ok(uint64_t addr, size_t len);

__attribute__((warn_unused_result)) kosh_err_t copy_from_user(void *dst, struct user_ptr src,
							      size_t len);
__attribute__((warn_unused_result)) kosh_err_t copy_to_user(struct user_ptr dst, const void *src,
							    size_t len);

#endif
