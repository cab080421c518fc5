/* SPDX-License-Identifier: MIT */
/*
 * Names and texts of the ABI, generated from the same tables as the numbers
 * (see <kosh/abi.h>), so they cannot drift apart.
 */
#include <kosh/abi.h>

#include <stddef.h>

const char *kosh_strerror(kosh_err_t err)
{
	switch (err) {
#define KOSH_ERROR(name, value, text) \
	case (value):                 \
		return text;
#include <kosh/errors.def>
#undef KOSH_ERROR
	default:
		return "unknown error";
	}
}

static const struct {
	const char *name;
	int args;
} syscalls[KOSH_SYSCALL_COUNT] = {
#define KOSH_SYSCALL(number, name, args, object, right, text) [number] = { #name, args },
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
};

/* Every number below the row count and no number twice: then 0 .. COUNT-1 are all used. */
#define KOSH_SYSCALL(number, name, args, object, right, text) \
	_Static_assert((number) < KOSH_SYSCALL_COUNT, "syscalls.def: " #name " numbered past the rows");
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL

const char *kosh_syscall_name(uint32_t number)
{
	return number < KOSH_SYSCALL_COUNT ? syscalls[number].name : NULL;
}

int kosh_syscall_args(uint32_t number)
{
	return number < KOSH_SYSCALL_COUNT && syscalls[number].name ? syscalls[number].args : -1;
}

const char *kosh_object_name(uint32_t type)
{
	switch (type) {
#define KOSH_OBJECT(name, value, text) \
	case (value):                  \
		return text;
#include <kosh/objects.def>
#undef KOSH_OBJECT
	default:
		return NULL;
	}
}
