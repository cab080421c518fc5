/* SPDX-License-Identifier: MIT */
/*
 * CAP0003: a handle to an object of another type is refused with
 * KOSH_E_WRONG_TYPE by every call that names a type, whatever rights the
 * handle has, and the object is left as it was.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	kosh_handle_t n = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	struct kosh_quota_info quota_out;

	CHECK_ERR(kosh_notification_signal(ep, 1), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_notification_poll(ep), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_endpoint_call(n, kosh_msg_tag(1, 0, 0, 0), 0, 0, 0, 0, 0),
		  KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_endpoint_recv(n, 0), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_process_wait(ep, 0), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_thread_create(self->space), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_thread_suspend(self->process), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_frame_create(ep, 4096, 0), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_space_create(self->log), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_endpoint_create(self->space), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_space_map(self->quota, n, 0, 0x10000000, 4096, KOSH_RIGHT_READ),
		  KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_space_unmap(n, 0x10000000, 4096), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_log_write(self->quota, (uint64_t)(uintptr_t)"x", 1), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_quota_info(self->log, (uint64_t)(uintptr_t)&quota_out), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_process_give(self->thread, n, 0), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_notification_bind(ep, n), KOSH_E_WRONG_TYPE);

	/* Both objects still work. */
	uint64_t bits = 0;
	CHECK_EQ(kosh_notification_signal(n, 2), KOSH_OK);
	CHECK_EQ(kosh_notify_poll(n, &bits), KOSH_OK);
	CHECK_EQ(bits, 2);
	CHECK_ERR(kosh_endpoint_call(ep, kosh_msg_tag(1, 0, 0, 0), 0, 0, 0, 0, 0),
		  KOSH_E_TIMED_OUT);
	CHECK_EQ(kosh_handle_close(n), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
	return 0;
}
