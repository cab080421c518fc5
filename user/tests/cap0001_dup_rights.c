/* SPDX-License-Identifier: MIT */
/*
 * CAP0001: handle_dup only ever takes rights away. A duplicate carries exactly
 * the rights asked for and the badge given, as handle_info shows; asking for a
 * right the original lacks is refused, a handle without the duplicate right
 * cannot be duplicated, and the rights a handle lacks are really missing (an
 * endpoint handle without write cannot call). The handles the start page names
 * are of the types their names say.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

static void check_info(kosh_handle_t h, uint32_t type, uint32_t rights, uint64_t badge)
{
	struct kosh_handle_info info = { 0 };
	CHECK_EQ(kosh_info(h, &info), KOSH_OK);
	CHECK_EQ(info.type, type);
	CHECK_EQ(info.rights, rights);
	CHECK_EQ(info.badge, badge);
}

static uint32_t type_of(kosh_handle_t h)
{
	struct kosh_handle_info info = { 0 };
	CHECK_EQ(kosh_info(h, &info), KOSH_OK);
	return info.type;
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	CHECK_EQ(type_of(self->process), KOSH_OBJ_PROCESS);
	CHECK_EQ(type_of(self->space), KOSH_OBJ_SPACE);
	CHECK_EQ(type_of(self->thread), KOSH_OBJ_THREAD);
	CHECK_EQ(type_of(self->quota), KOSH_OBJ_QUOTA);
	CHECK_EQ(type_of(self->log), KOSH_OBJ_LOG);

	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	struct kosh_handle_info info = { 0 };
	CHECK_EQ(kosh_info(ep, &info), KOSH_OK);
	CHECK_EQ(info.type, KOSH_OBJ_ENDPOINT);
	uint32_t all = info.rights;
	CHECK((all & KOSH_RIGHT_DUPLICATE) && (all & KOSH_RIGHT_READ) && (all & KOSH_RIGHT_WRITE));
	check_note("a new endpoint's rights: 0x%x", all);

	/* Exactly the rights asked for, and the badge. */
	uint32_t rd = KOSH_RIGHT_READ | KOSH_RIGHT_DUPLICATE;
	kosh_handle_t d = (kosh_handle_t)CHECK_OK(kosh_handle_dup(ep, rd, 0x55));
	CHECK(d != ep);
	check_info(d, KOSH_OBJ_ENDPOINT, rd, 0x55);

	/* Rights never grow: not from a smaller handle, not past what exists. */
	CHECK_ERR(kosh_handle_dup(d, rd | KOSH_RIGHT_WRITE, 0), KOSH_E_ACCESS_DENIED);
	CHECK_FAILS(kosh_handle_dup(ep, KOSH_RIGHTS_ALL | (1u << 30), 0));

	/* A badged handle keeps its badge; without the duplicate right nothing is duplicated. */
	kosh_handle_t r = (kosh_handle_t)CHECK_OK(kosh_handle_dup(d, KOSH_RIGHT_READ, 0x77));
	check_info(r, KOSH_OBJ_ENDPOINT, KOSH_RIGHT_READ, 0x55);
	CHECK_ERR(kosh_handle_dup(r, KOSH_RIGHT_READ, 0), KOSH_E_ACCESS_DENIED);

	/* A right a handle lacks is refused where it is needed. */
	uint64_t call[KOSH_SYSCALL_ARGS_MAX] = { r, kosh_msg_tag(1, 0, 0, 0), 0, 0, 0, 0, 0 };
	CHECK_ERR(kosh_syscall(KOSH_SYS_endpoint_call, call), KOSH_E_ACCESS_DENIED);

	/* The original is untouched by all this. */
	check_info(ep, KOSH_OBJ_ENDPOINT, all, 0);
	CHECK_EQ(kosh_handle_close(r), KOSH_OK);
	CHECK_EQ(kosh_handle_close(d), KOSH_OK);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
	return 0;
}
