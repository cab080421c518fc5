/* SPDX-License-Identifier: MIT */
/*
 * LEAK0001: 1000 process create/exit cycles give back everything. Each cycle
 * makes an address space, maps a shared page of code (three instructions,
 * exit(7), from <arch/test_code.h>), makes a process and a thread, starts it,
 * waits for status 7 and closes the handles (all on CPU 0: TCG makes cross-CPU
 * wake-ups slow). Afterwards the child quota everything was charged to
 * and our own quota (threads are charged to the creator) are used exactly as
 * much as before the first cycle. (The machine's free memory is not visible
 * to a test; the quotas are the kernel's own accounting of it.)
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/test_code.h>

#include "check.h"
#include "helper.h"

#define CYCLES  1000
#define CODE_VA 0x400000ull
#define STATUS  ARCH_TEST_CODE_EXIT_STATUS

static uint64_t used(kosh_handle_t q)
{
	struct kosh_quota_info i;
	CHECK_EQ(kosh_quota_info(q, (uint64_t)(uintptr_t)&i), KOSH_OK);
	return i.used;
}

static void cycle(kosh_handle_t q, kosh_handle_t frame, uint32_t i)
{
	static const char name[] = "leak-cycle";
	kosh_handle_t s = (kosh_handle_t)CHECK_OK(kosh_space_create(q));
	CHECK_EQ(kosh_space_map(s, frame, 0, CODE_VA, KOSH_PAGE_SIZE,
				KOSH_RIGHT_READ | KOSH_RIGHT_EXECUTE), KOSH_OK);
	kosh_handle_t p = (kosh_handle_t)CHECK_OK(
		kosh_process_create(q, s, (uint64_t)(uintptr_t)name, sizeof(name) - 1));
	kosh_handle_t t = (kosh_handle_t)CHECK_OK(kosh_thread_create(p));
	CHECK_EQ(kosh_thread_set_affinity(t, 1), KOSH_OK); /* our CPU: no IPI per cycle */
	CHECK_EQ(kosh_thread_start(t, CODE_VA, 0, 0, 0), KOSH_OK);
	uint64_t status = 0;
	CHECK_EQ(kosh_wait(p, 5 * TEST_SECOND, &status), KOSH_OK);
	if (status != STATUS)
		check_fail(__FILE_NAME__, __LINE__, "cycle %u: exit status 0x%llx", i,
			   (unsigned long long)status);
	CHECK_EQ(kosh_handle_close(t), KOSH_OK);
	CHECK_EQ(kosh_handle_close(p), KOSH_OK);
	CHECK_EQ(kosh_handle_close(s), KOSH_OK);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	CHECK_EQ(kosh_thread_set_affinity(self->thread, 1), KOSH_OK);
	kosh_handle_t frame = (kosh_handle_t)CHECK_OK(kosh_frame_new(self->quota, KOSH_PAGE_SIZE));
	kosh_err_t err;
	uint8_t *p = kosh_frame_map(frame, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE,
				    &err);
	CHECK(p != NULL);
	/* space_map makes it visible to instruction fetches when it maps it executable. */
	memcpy(p, arch_test_code_exit, sizeof(arch_test_code_exit));
	CHECK_EQ(kosh_frame_unmap(p, KOSH_PAGE_SIZE), KOSH_OK);

	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, 1u << 20));
	uint64_t q0 = used(q), own0 = used(self->quota);
	cycle(q, frame, 0); /* the first may grow caches; count from after it too */
	uint64_t q1 = used(q), own1 = used(self->quota);
	CHECK_EQ(q1, q0);
	CHECK_EQ(own1, own0);
	int64_t t0 = kosh_clock_get();
	for (uint32_t i = 1; i < CYCLES; i++) {
		cycle(q, frame, i);
		if (i == 100)
			check_note("the first 100 cycles took %lld ms",
				   (long long)(kosh_clock_get() - t0) / 1000000);
	}
	check_note("%u process cycles in %lld ms; quota used %llu -> %llu, own %llu -> %llu",
		   CYCLES, (long long)(kosh_clock_get() - t0) / 1000000, (unsigned long long)q0,
		   (unsigned long long)used(q), (unsigned long long)own0,
		   (unsigned long long)used(self->quota));
	CHECK_EQ(used(q), q0);
	CHECK_EQ(used(self->quota), own0);
	CHECK_EQ(kosh_handle_close(q), KOSH_OK);
	CHECK_EQ(kosh_handle_close(frame), KOSH_OK);
	return 0;
}
