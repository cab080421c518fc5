/* SPDX-License-Identifier: MIT */
/*
 * The system-call stubs, expanded from <kosh/syscalls.def>: each passes its
 * arguments and zeros for the unused registers to the port's instruction
 * (<arch/syscall.h>), so there is no hand-written list to drift from the table.
 */
#include <kosh/syscall.h>

#include <arch/syscall.h>

/* The argument registers of a stub with N arguments; the rest are 0. */
#define KOSH_STUB_ARGS_0 0, 0, 0, 0, 0, 0, 0
#define KOSH_STUB_ARGS_1 a0, 0, 0, 0, 0, 0, 0
#define KOSH_STUB_ARGS_2 a0, a1, 0, 0, 0, 0, 0
#define KOSH_STUB_ARGS_3 a0, a1, a2, 0, 0, 0, 0
#define KOSH_STUB_ARGS_4 a0, a1, a2, a3, 0, 0, 0
#define KOSH_STUB_ARGS_5 a0, a1, a2, a3, a4, 0, 0
#define KOSH_STUB_ARGS_6 a0, a1, a2, a3, a4, a5, 0
#define KOSH_STUB_ARGS_7 a0, a1, a2, a3, a4, a5, a6

#define KOSH_SYSCALL(number, name, args, object, right, text)            \
	int64_t kosh_##name(KOSH_STUB_PARAMS_##args)                     \
	{                                                                \
		uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { KOSH_STUB_ARGS_##args }; \
		return arch_syscall(number, r);                          \
	}
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL

int64_t kosh_syscall(uint64_t nr, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	int64_t ret = arch_syscall(nr, r);
	r[0] = (uint64_t)ret;
	return ret;
}
