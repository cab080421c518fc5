/* SPDX-License-Identifier: MIT */
/*
 * RGT0001: the rights matrix, end to end, generated from syscalls.def. For
 * every call whose row names an object type and a right, with arguments that
 * are otherwise good:
 *   - a handle to each object of every other type (all its rights):
 *     KOSH_E_WRONG_TYPE;
 *   - a handle of the right type with every right but the one the row names
 *     (duplicated down): KOSH_E_ACCESS_DENIED;
 *   - a handle with only the right the row names passes the check (any
 *     result but a handle error);
 *   - a closed handle, a handle whose slot was reused, forged values (0, a
 *     huge slot, a wrong generation, wider than 32 bits): KOSH_E_BAD_HANDLE.
 * handle_dup needs the duplicate right on any type; the calls that take a
 * second handle check its type and right too (space_map's frame,
 * process_create's space, the fault endpoint, notification_bind's endpoint,
 * irq_create's notification, process_give's handle).
 * The process and thread the calls act on belong to a dummy process with an
 * empty address space (its thread, once started, faults at once: it is
 * named expected-fault-rgt).
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include <arch/test_device.h>

#include "check.h"

#define VA 0x0000200000000000ull /* where space_map maps in the scratch space */
#define IRQ_LINE ARCH_TEST_IRQ_LINE /* the PIT's ISA IRQ 0, the PL031's SPI 34 */

struct row {
	uint32_t nr;
	const char *name;
	uint32_t object;
	uint32_t right;
};

static const struct row rows[] = {
#define KOSH_SYSCALL(number, name, args, object, right, text) \
	{ number, #name, KOSH_OBJ_##object, right },
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
};

/* One handle with all its rights per object type (0: none on this machine). */
static kosh_handle_t pool[KOSH_OBJ_COUNT];
static kosh_handle_t scratch_space; /* mapped into by space_map */
static struct kosh_log_record record;
static struct kosh_quota_info quota_out;
static const char dummy_name[] = "expected-fault-rgt";
static const char extra_name[] = "rgt-extra";

static uint32_t rights_of(kosh_handle_t h)
{
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info(h, &info), KOSH_OK);
	return info.rights;
}

static kosh_handle_t dup(kosh_handle_t h, uint32_t rights)
{
	return (kosh_handle_t)CHECK_OK(kosh_handle_dup(h, rights, 0));
}

/* Good arguments for row nr with h as its first handle. */
static void args_for(uint32_t nr, uint64_t h, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	for (int i = 0; i < KOSH_SYSCALL_ARGS_MAX; i++)
		r[i] = 0;
	r[0] = h;
	switch (nr) {
	case KOSH_SYS_frame_create:
		r[1] = 4096;
		break;
	case KOSH_SYS_space_map:
		r[1] = pool[KOSH_OBJ_FRAME];
		r[3] = VA;
		r[4] = 4096;
		r[5] = KOSH_RIGHT_READ;
		break;
	case KOSH_SYS_space_unmap:
		r[1] = VA;
		r[2] = 4096;
		break;
	case KOSH_SYS_space_protect:
		r[1] = VA;
		r[2] = 4096;
		r[3] = KOSH_RIGHT_READ;
		break;
	case KOSH_SYS_process_create:
		r[1] = scratch_space;
		r[2] = (uint64_t)(uintptr_t)extra_name;
		r[3] = sizeof(extra_name) - 1;
		break;
	case KOSH_SYS_thread_start:
		r[1] = 0x400000;
		r[2] = 0x7fff0000;
		break;
	case KOSH_SYS_thread_set_priority:
		r[1] = 1;
		break;
	case KOSH_SYS_thread_set_affinity:
		r[1] = 1;
		break;
	case KOSH_SYS_thread_set_fault_endpoint:
		r[1] = pool[KOSH_OBJ_ENDPOINT];
		break;
	case KOSH_SYS_endpoint_call:
	case KOSH_SYS_endpoint_reply_recv:
		r[1] = kosh_msg_tag(1, 0, 0, 0);
		break;
	case KOSH_SYS_notification_signal:
		r[1] = 1;
		break;
	case KOSH_SYS_notification_bind:
		r[1] = pool[KOSH_OBJ_ENDPOINT];
		break;
	case KOSH_SYS_irq_create:
		r[1] = IRQ_LINE;
		r[2] = pool[KOSH_OBJ_NOTIFICATION];
		r[3] = 1;
		break;
	case KOSH_SYS_ioport_create:
		r[1] = 0x80;
		r[2] = 1;
		break;
	case KOSH_SYS_quota_create:
		r[1] = 4096;
		break;
	case KOSH_SYS_log_read:
		r[2] = (uint64_t)(uintptr_t)&record;
		r[3] = sizeof(record);
		break;
	case KOSH_SYS_log_write:
		r[1] = (uint64_t)(uintptr_t)"# rgt";
		r[2] = 5;
		break;
	case KOSH_SYS_process_give:
		r[1] = pool[KOSH_OBJ_ENDPOINT];
		break;
	case KOSH_SYS_quota_info:
		r[1] = (uint64_t)(uintptr_t)&quota_out;
		break;
	case KOSH_SYS_process_kill:
		r[1] = 5;
		break;
	default:
		break;
	}
}

static int returns_handle(uint32_t nr)
{
	switch (nr) {
	case KOSH_SYS_frame_create:
	case KOSH_SYS_space_create:
	case KOSH_SYS_process_create:
	case KOSH_SYS_thread_create:
	case KOSH_SYS_endpoint_create:
	case KOSH_SYS_notification_create:
	case KOSH_SYS_irq_create:
	case KOSH_SYS_irq_create_msi:
	case KOSH_SYS_mmio_create:
	case KOSH_SYS_ioport_create:
	case KOSH_SYS_quota_create:
	case KOSH_SYS_handle_dup:
		return 1;
	default:
		return 0;
	}
}

static int64_t call(uint32_t nr, uint64_t h)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	args_for(nr, h, r);
	return kosh_syscall(nr, r);
}

static void expect(const struct row *row, uint64_t h, int64_t want, const char *what)
{
	int64_t got = call(row->nr, h);
	if (got != want)
		check_fail(__FILE_NAME__, __LINE__, "%s with %s (0x%llx): expected %s, got %s",
			   row->name, what, (unsigned long long)h, kosh_strerror((kosh_err_t)want),
			   check_result_text(got));
	if (got > 0 && returns_handle(row->nr))
		CHECK_EQ(kosh_handle_close((uint64_t)got), KOSH_OK);
}

static int is_handle_error(int64_t r)
{
	return r == KOSH_E_BAD_HANDLE || r == KOSH_E_WRONG_TYPE || r == KOSH_E_ACCESS_DENIED;
}

/* Handles that name nothing: closed, slot reused, forged. */
static void bad_handles(uint64_t out[6])
{
	kosh_handle_t n = pool[KOSH_OBJ_NOTIFICATION];
	kosh_handle_t closed = dup(n, KOSH_RIGHTS_ALL & rights_of(n));
	CHECK_EQ(kosh_handle_close(closed), KOSH_OK);
	kosh_handle_t reused = dup(n, rights_of(n)); /* likely the same slot, a new generation */
	kosh_handle_t stale = reused == closed ? 0 : closed;
	out[0] = stale ? stale : closed;
	out[1] = 0;
	out[2] = (1u << KOSH_HANDLE_SLOT_BITS) - 1; /* a slot nobody has */
	out[3] = reused ^ (1u << KOSH_HANDLE_SLOT_BITS); /* right slot, wrong generation */
	out[4] = (uint64_t)reused | 1ull << 32;          /* wider than 32 bits */
	out[5] = UINT64_MAX;
	CHECK(reused != closed); /* a closed handle's value is never handed out again at once */
}

static void row_matrix(const struct row *row, const uint64_t bad[6])
{
	for (int i = 0; i < 6; i++)
		expect(row, bad[i], KOSH_E_BAD_HANDLE, "a bad handle");
	if (row->object == KOSH_OBJ_NONE)
		return;
	for (uint32_t t = 1; t < KOSH_OBJ_COUNT; t++)
		if (t != row->object && pool[t])
			expect(row, pool[t], KOSH_E_WRONG_TYPE, kosh_object_name(t));
	kosh_handle_t h = pool[row->object];
	if (!h) {
		check_note("%s: no %s on this machine; wrong-type and bad-handle cases only",
			   row->name, kosh_object_name(row->object));
		return;
	}
	uint32_t all = rights_of(h);
	CHECK(all & row->right);
	kosh_handle_t less = dup(h, all & ~row->right);
	expect(row, less, KOSH_E_ACCESS_DENIED, "every right but the one needed");
	CHECK_EQ(kosh_handle_close(less), KOSH_OK);
	kosh_handle_t just = dup(h, row->right);
	int64_t got = call(row->nr, just);
	if (is_handle_error(got))
		check_fail(__FILE_NAME__, __LINE__, "%s with only the right it needs: %s",
			   row->name, check_result_text(got));
	if (got > 0 && returns_handle(row->nr))
		CHECK_EQ(kosh_handle_close((uint64_t)got), KOSH_OK);
	CHECK_EQ(kosh_handle_close(just), KOSH_OK);
}

/* handle_dup, handle_close, handle_info take any type; dup needs the duplicate right. */
static void any_type_calls(void)
{
	for (uint32_t t = 1; t < KOSH_OBJ_COUNT; t++) {
		if (!pool[t])
			continue;
		uint32_t all = rights_of(pool[t]);
		kosh_handle_t nodup = dup(pool[t], all & ~KOSH_RIGHT_DUPLICATE);
		CHECK_ERR(kosh_handle_dup(nodup, 0, 0), KOSH_E_ACCESS_DENIED);
		struct kosh_handle_info info;
		CHECK_EQ(kosh_info(nodup, &info), KOSH_OK);
		CHECK_EQ(info.type, t);
		CHECK_EQ(info.rights, all & ~KOSH_RIGHT_DUPLICATE);
		CHECK_EQ(kosh_handle_close(nodup), KOSH_OK);
		CHECK_ERR(kosh_handle_close(nodup), KOSH_E_BAD_HANDLE);
	}
}

/* The second handle of the calls that take two. */
static void second_handles(void)
{
	kosh_handle_t frame = pool[KOSH_OBJ_FRAME], ep = pool[KOSH_OBJ_ENDPOINT];
	kosh_handle_t n = pool[KOSH_OBJ_NOTIFICATION], t = pool[KOSH_OBJ_THREAD];
	kosh_handle_t q = pool[KOSH_OBJ_QUOTA], p = pool[KOSH_OBJ_PROCESS];
	kosh_handle_t s = scratch_space;
	uint32_t fr = rights_of(frame);
	kosh_handle_t nomap = dup(frame, fr & ~KOSH_RIGHT_MAP);
	kosh_handle_t ro = dup(frame, fr & ~KOSH_RIGHT_WRITE);
	uint64_t va = VA + 0x100000;
	CHECK_ERR(kosh_space_map(s, nomap, 0, va, 4096, KOSH_RIGHT_READ), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_space_map(s, ro, 0, va, 4096, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE),
		  KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_space_map(s, ep, 0, va, 4096, KOSH_RIGHT_READ), KOSH_E_WRONG_TYPE);
	CHECK_ERR(kosh_space_map(s, 0, 0, va, 4096, KOSH_RIGHT_READ), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_space_unmap(s, va, 4096), KOSH_E_NOT_FOUND); /* nothing was mapped */

	kosh_handle_t s_nomanage = dup(s, rights_of(s) & ~KOSH_RIGHT_MANAGE);
	uint64_t name = (uint64_t)(uintptr_t)extra_name, len = sizeof(extra_name) - 1;
	CHECK_ERR(kosh_process_create(q, s_nomanage, name, len), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_process_create(q, frame, name, len), KOSH_E_WRONG_TYPE);

	kosh_handle_t ep_nowrite = dup(ep, rights_of(ep) & ~KOSH_RIGHT_WRITE);
	kosh_handle_t ep_noread = dup(ep, rights_of(ep) & ~KOSH_RIGHT_READ);
	CHECK_ERR(kosh_thread_set_fault_endpoint(t, ep_nowrite), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_thread_set_fault_endpoint(t, n), KOSH_E_WRONG_TYPE);
	kosh_handle_t n2 = (kosh_handle_t)CHECK_OK(kosh_notification_create(q));
	kosh_handle_t ep2 = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(q));
	kosh_handle_t ep2_noread = dup(ep2, rights_of(ep2) & ~KOSH_RIGHT_READ);
	CHECK_ERR(kosh_notification_bind(n2, ep2_noread), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_notification_bind(n2, frame), KOSH_E_WRONG_TYPE);
	CHECK_EQ(kosh_notification_bind(n2, ep2), KOSH_OK); /* the refusals bound nothing */

	kosh_handle_t ctl = pool[KOSH_OBJ_IRQ_CONTROL];
	kosh_handle_t n_nosignal = dup(n2, rights_of(n2) & ~KOSH_RIGHT_SIGNAL);
	CHECK_ERR(kosh_irq_create(ctl, IRQ_LINE, n_nosignal, 1), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_irq_create(ctl, IRQ_LINE, ep, 1), KOSH_E_WRONG_TYPE);

	kosh_handle_t ep_notransfer = dup(ep, rights_of(ep) & ~KOSH_RIGHT_TRANSFER);
	CHECK_ERR(kosh_process_give(p, ep_notransfer, 0), KOSH_E_ACCESS_DENIED);
	CHECK_ERR(kosh_process_give(p, 0, 0), KOSH_E_BAD_HANDLE);
	CHECK(ep_noread && ep_nowrite);
	kosh_handle_t list[] = { nomap, ro, s_nomanage, ep_nowrite, ep_noread, n2, ep2,
				 ep2_noread, n_nosignal, ep_notransfer };
	for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		CHECK_EQ(kosh_handle_close(list[i]), KOSH_OK);
}

static void make_pool(void)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, 2u << 20));
	pool[KOSH_OBJ_QUOTA] = q;
	kosh_handle_t dummy_space = (kosh_handle_t)CHECK_OK(kosh_space_create(q));
	pool[KOSH_OBJ_PROCESS] = (kosh_handle_t)CHECK_OK(kosh_process_create(
		q, dummy_space, (uint64_t)(uintptr_t)dummy_name, sizeof(dummy_name) - 1));
	CHECK_EQ(kosh_handle_close(dummy_space), KOSH_OK);
	pool[KOSH_OBJ_THREAD] = (kosh_handle_t)CHECK_OK(kosh_thread_create(pool[KOSH_OBJ_PROCESS]));
	scratch_space = (kosh_handle_t)CHECK_OK(kosh_space_create(q));
	pool[KOSH_OBJ_SPACE] = scratch_space;
	pool[KOSH_OBJ_FRAME] = (kosh_handle_t)CHECK_OK(kosh_frame_create(q, 4096, 0));
	pool[KOSH_OBJ_ENDPOINT] = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(q));
	pool[KOSH_OBJ_NOTIFICATION] = (kosh_handle_t)CHECK_OK(kosh_notification_create(q));
	pool[KOSH_OBJ_IRQ_CONTROL] = kosh_start_handle("irq_control", NULL);
	CHECK(pool[KOSH_OBJ_IRQ_CONTROL] != 0);
	pool[KOSH_OBJ_IRQ] = (kosh_handle_t)CHECK_OK(kosh_irq_create(
		pool[KOSH_OBJ_IRQ_CONTROL], IRQ_LINE, pool[KOSH_OBJ_NOTIFICATION], 1u << 20));
	pool[KOSH_OBJ_IOPORT_CONTROL] = kosh_start_handle("ioport_control", NULL);
	if (pool[KOSH_OBJ_IOPORT_CONTROL])
		pool[KOSH_OBJ_IOPORT] = (kosh_handle_t)CHECK_OK(
			kosh_ioport_create(pool[KOSH_OBJ_IOPORT_CONTROL], 0x80, 1));
	CHECK_EQ(pool[KOSH_OBJ_IOPORT_CONTROL] != 0, ARCH_HAS_PORT_IO); /* x86-64 only */
	pool[KOSH_OBJ_LOG] = self->log;
	pool[KOSH_OBJ_MMIO_CONTROL] = kosh_start_handle("mmio_control", NULL);
	CHECK(pool[KOSH_OBJ_MMIO_CONTROL] != 0);
	for (uint32_t t = 1; t < KOSH_OBJ_COUNT; t++) {
		if (!pool[t])
			continue;
		struct kosh_handle_info info;
		CHECK_EQ(kosh_info(pool[t], &info), KOSH_OK);
		CHECK_EQ(info.type, t);
		CHECK(info.rights & KOSH_RIGHT_DUPLICATE);
	}
}

int main(int argc, char **argv)
{
	uint64_t bad[6];
	make_pool();
	CHECK(pool[KOSH_OBJ_REPLY] == 0); /* reply capabilities never appear in a table */
	second_handles();
	any_type_calls();
	bad_handles(bad);
	unsigned typed = 0;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		int handle_call = row->object != KOSH_OBJ_NONE || row->nr == KOSH_SYS_handle_dup ||
				  row->nr == KOSH_SYS_handle_close || row->nr == KOSH_SYS_handle_info;
		if (!handle_call)
			continue; /* yield, exit, clock_get, debug_print, thread_exit */
		row_matrix(row, bad);
		typed += row->object != KOSH_OBJ_NONE;
	}
	check_note("%u typed calls checked against %u object types", typed,
		   (unsigned)KOSH_OBJ_COUNT - 1);
	/* The dummy process was killed by process_kill (status 5) or its thread's fault. */
	uint64_t status;
	CHECK_EQ(kosh_wait(pool[KOSH_OBJ_PROCESS], 1000000000ull, &status), KOSH_OK);
	return 0;
}
