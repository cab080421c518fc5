/* SPDX-License-Identifier: MIT */
/*
 * IPC0002: blocking IPC gives up when its timeout runs out. A call with no
 * receiver, and a receive with no sender, end with KOSH_E_TIMED_OUT after the
 * time asked for (not before, and not absurdly later); timeout 0 does not
 * block at all. The endpoint is usable afterwards.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

#define MS 1000000ull

static void timed_call(kosh_handle_t ep, uint64_t timeout)
{
	struct kosh_msg m = { kosh_msg_tag(1, 1, 0, 0), { 42 } };
	int64_t t0 = kosh_clock_get();
	CHECK_ERR(kosh_call(ep, &m, &m, timeout), KOSH_E_TIMED_OUT);
	int64_t took = kosh_clock_get() - t0;
	CHECK(took >= (int64_t)timeout);
	CHECK(took < (int64_t)(timeout + 2000 * MS));
	check_note("call with a %llu ms timeout gave up after %lld us",
		   (unsigned long long)(timeout / MS), (long long)took / 1000);
}

int main(int argc, char **argv)
{
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(kosh_self()->quota));
	struct kosh_msg m = { kosh_msg_tag(1, 0, 0, 0), { 0 } };
	uint64_t badge;

	CHECK_ERR(kosh_call(ep, &m, &m, 0), KOSH_E_TIMED_OUT);
	CHECK_ERR(kosh_recv(ep, &m, &badge, 0), KOSH_E_TIMED_OUT);
	timed_call(ep, 50 * MS);
	timed_call(ep, 200 * MS);

	int64_t t0 = kosh_clock_get();
	CHECK_ERR(kosh_recv(ep, &m, &badge, 100 * MS), KOSH_E_TIMED_OUT);
	CHECK(kosh_clock_get() - t0 >= (int64_t)(100 * MS));

	/* A timed-out caller left nothing queued behind. */
	CHECK_ERR(kosh_recv(ep, &m, &badge, 0), KOSH_E_TIMED_OUT);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
	return 0;
}
