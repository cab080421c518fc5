/* SPDX-License-Identifier: MIT */
/*
 * User copies (see usercopy.h): the range check here, the fault-safe copy in
 * the architecture (arch_copy_user), whose faulting instructions the trap
 * handlers send to its error return.
 */
#include "usercopy.h"

#include "arch.h"

int user_range_ok(uint64_t addr, size_t len)
{
	uint64_t top = arch_user_top();
	return addr <= top && len <= top - addr;
}

kosh_err_t copy_from_user(void *dst, struct user_ptr src, size_t len)
{
	if (!user_range_ok(src.addr, len))
		return KOSH_E_BAD_ADDRESS;
	if (!len)
		return KOSH_OK;
	return arch_copy_user(dst, (const void *)(uintptr_t)src.addr, len) ? KOSH_E_BAD_ADDRESS
									   : KOSH_OK;
}

kosh_err_t copy_to_user(struct user_ptr dst, const void *src, size_t len)
{
	if (!user_range_ok(dst.addr, len))
		return KOSH_E_BAD_ADDRESS;
	if (!len)
		return KOSH_OK;
	return arch_copy_user((void *)(uintptr_t)dst.addr, src, len) ? KOSH_E_BAD_ADDRESS : KOSH_OK;
}
