/* SPDX-License-Identifier: MIT */
/*
 * PTR0001: a bad user pointer is an error return (KOSH_E_BAD_ADDRESS), never a
 * kernel fault, for calls that write to user memory (handle_info, quota_info)
 * and one that reads it (log_write): NULL, an unmapped page, the kernel half, a
 * range that crosses the top of the user half, a read-only page as an output.
 * The same calls with good pointers then work, so the refusals were about the
 * pointers.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include <arch/user.h>

#include "check.h"

#define KERNEL_HALF 0xffff800000000000ull

static const char text[] = "# log_write from read-only data works";

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	/* Addresses that are not writable (or not there) for us. */
	uint64_t unmapped = kosh_va_reserve(KOSH_PAGE_SIZE); /* reserved, never mapped */
	uint64_t bad[] = {
		0, 8, unmapped, KERNEL_HALF, 0xffffffff80000000ull, ARCH_USER_TOP - 8,
		ARCH_USER_TOP, UINT64_MAX - 7,
	};
	CHECK(unmapped != 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_ERR(kosh_handle_info(self->log, bad[i]), KOSH_E_BAD_ADDRESS);
		CHECK_ERR(kosh_quota_info(self->quota, bad[i]), KOSH_E_BAD_ADDRESS);
		CHECK_ERR(kosh_log_write(self->log, bad[i], 16), KOSH_E_BAD_ADDRESS);
	}
	/* A range that starts in mapped memory and runs off the end of the mapping. */
	char *page = kosh_page_alloc(KOSH_PAGE_SIZE);
	CHECK(page != NULL);
	CHECK_ERR(kosh_handle_info(self->log, (uint64_t)(uintptr_t)(page + KOSH_PAGE_SIZE - 8)),
		  KOSH_E_BAD_ADDRESS);
	CHECK_ERR(kosh_log_write(self->log, (uint64_t)(uintptr_t)(page + KOSH_PAGE_SIZE - 8), 16),
		  KOSH_E_BAD_ADDRESS);
	/* Read-only memory (our own rodata) is readable but not an output. */
	CHECK_ERR(kosh_handle_info(self->log, (uint64_t)(uintptr_t)text), KOSH_E_BAD_ADDRESS);
	CHECK_ERR(kosh_quota_info(self->quota, (uint64_t)(uintptr_t)text), KOSH_E_BAD_ADDRESS);
	CHECK_EQ(kosh_log_write(self->log, (uint64_t)(uintptr_t)text, sizeof(text) - 1), KOSH_OK);

	/* Good pointers work, right up to the end of the mapping. */
	struct kosh_handle_info *info =
		(struct kosh_handle_info *)(page + KOSH_PAGE_SIZE - sizeof(*info));
	CHECK_EQ(kosh_handle_info(self->log, (uint64_t)(uintptr_t)info), KOSH_OK);
	CHECK_EQ(info->type, KOSH_OBJ_LOG);
	struct kosh_quota_info q = { 0 };
	CHECK_EQ(kosh_quota_info(self->quota, (uint64_t)(uintptr_t)&q), KOSH_OK);
	CHECK(q.limit > 0 && q.used <= q.limit);
	check_note("quota: %llu of %llu KiB used", (unsigned long long)(q.used >> 10),
		   (unsigned long long)(q.limit >> 10));
	kosh_page_free(page);
	return 0;
}
