/* SPDX-License-Identifier: MIT */
/*
 * ISO0001: a process cannot reach another's memory or the kernel's. A child
 * (bin/tests/helpers/probe) reading or writing the address of a page of ours
 * faults (the address means nothing in its space), as does a read of the
 * kernel half; and the value of our frame handle means nothing in its table:
 * whatever that number names there, it does not map our page.
 */
#include <stddef.h>

#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"
#include "helper.h"

#define MAGIC 0x15017a7e15017a7eull

static void expect_fault(const char *mode, uint64_t address)
{
	char hex[24];
	kosh_snprintf(hex, sizeof(hex), "%llx", (unsigned long long)address);
	const char *args[] = { mode, hex };
	struct kosh_child child;
	test_spawn("probe", "expected-fault-iso", args, 2, NULL, 0, &child);
	uint64_t status = test_wait(&child, 10 * TEST_SECOND);
	if (status != (KOSH_EXIT_FAULTED | KOSH_FAULT_PAGE))
		check_fail(__FILE_NAME__, __LINE__, "%s at 0x%llx: exit status 0x%llx", mode,
			   (unsigned long long)address, (unsigned long long)status);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	/* Far from anything the child's own runtime will allocate. */
	CHECK(kosh_va_reserve(1ull << 30) != 0);
	kosh_handle_t frame = (kosh_handle_t)CHECK_OK(kosh_frame_new(self->quota, KOSH_PAGE_SIZE));
	kosh_err_t err;
	volatile uint64_t *page = kosh_frame_map(frame, 0, KOSH_PAGE_SIZE,
						 KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	CHECK(page != NULL);
	page[0] = MAGIC;
	uint64_t va = (uint64_t)(uintptr_t)page;
	expect_fault("read", va);
	expect_fault("write", va);
	CHECK_EQ(page[0], MAGIC);
	expect_fault("read", 0xffff800000000000ull);     /* x86-64 HHDM / kernel half */
	expect_fault("read", 0xffffffff80000000ull);     /* the kernel image */
	expect_fault("write", 0xffffffff80000000ull);

	char h[24], m[24];
	kosh_snprintf(h, sizeof(h), "%x", frame);
	kosh_snprintf(m, sizeof(m), "%llx", (unsigned long long)MAGIC);
	const char *args[] = { "steal", h, m };
	struct kosh_child child;
	test_spawn("probe", "probe-iso", args, 3, NULL, 0, &child);
	CHECK_EQ(test_wait(&child, 10 * TEST_SECOND), 0);
	(void)self;
	return 0;
}
