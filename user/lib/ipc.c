/* SPDX-License-Identifier: MIT */
/*
 * Typed helpers over the multi-result system calls (<kosh/ipc.h>). The register
 * layout is the ABI's: endpoint_call(ep, tag, m0..m3, timeout) returns the
 * status with the reply's tag in r1 and words in r2..r5; a receive also leaves
 * the sender's badge in r6.
 */
#include <kosh/ipc.h>
#include <kosh/proto/proc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

static void msg_from_results(struct kosh_msg *m, const uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	m->tag = r[1];
	for (int i = 0; i < KOSH_MSG_WORDS_REG; i++)
		m->words[i] = r[2 + i];
}

static void msg_to_args(uint64_t r[KOSH_SYSCALL_ARGS_MAX], kosh_handle_t ep,
			const struct kosh_msg *m, uint64_t timeout)
{
	r[0] = ep;
	r[1] = m->tag;
	for (int i = 0; i < KOSH_MSG_WORDS_REG; i++)
		r[2 + i] = m->words[i];
	r[6] = timeout;
}

kosh_err_t kosh_call(kosh_handle_t ep, const struct kosh_msg *msg, struct kosh_msg *reply,
		     uint64_t timeout)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	msg_to_args(r, ep, msg, timeout);
	int64_t err = kosh_syscall(KOSH_SYS_endpoint_call, r);
	if (err < 0)
		return (kosh_err_t)err;
	msg_from_results(reply, r);
	return KOSH_OK;
}

kosh_err_t kosh_recv(kosh_handle_t ep, struct kosh_msg *msg, uint64_t *badge, uint64_t timeout)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { ep, timeout };
	int64_t err = kosh_syscall(KOSH_SYS_endpoint_recv, r);
	if (err < 0)
		return (kosh_err_t)err;
	msg_from_results(msg, r);
	if (badge)
		*badge = r[6];
	return KOSH_OK;
}

kosh_err_t kosh_reply_recv(kosh_handle_t ep, const struct kosh_msg *reply, struct kosh_msg *msg,
			   uint64_t *badge, uint64_t timeout)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX];
	msg_to_args(r, ep, reply, timeout);
	int64_t err = kosh_syscall(KOSH_SYS_endpoint_reply_recv, r);
	if (err < 0)
		return (kosh_err_t)err;
	msg_from_results(msg, r);
	if (badge)
		*badge = r[6];
	return KOSH_OK;
}

kosh_err_t kosh_reply_send_msg(kosh_handle_t reply, const struct kosh_msg *msg)
{
	return (kosh_err_t)kosh_reply_send(reply, msg->tag, msg->words[0], msg->words[1],
					   msg->words[2], msg->words[3]);
}

kosh_err_t kosh_reply_answer(kosh_handle_t reply, const struct kosh_msg *msg, uint32_t fallback)
{
	kosh_err_t err = kosh_reply_send_msg(reply, msg);
	if (err == KOSH_OK || err == KOSH_E_PEER_CLOSED)
		return err; /* the handle is used up */
	const struct kosh_msg bare = { .tag = kosh_msg_tag(fallback, 0, 0, 0) };
	if (kosh_reply_send_msg(reply, &bare) != KOSH_OK)
		(void)kosh_handle_close(reply); /* the caller gets KOSH_E_PEER_CLOSED */
	return err;
}

/* A call on handle h (and one more argument) whose one further result comes back in r1. */
static kosh_err_t call_r1(uint64_t nr, kosh_handle_t h, uint64_t arg, uint64_t *out)
{
	uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { h, arg };
	int64_t err = kosh_syscall(nr, r);
	if (err < 0)
		return (kosh_err_t)err;
	*out = r[1];
	return KOSH_OK;
}

kosh_err_t kosh_notify_wait(kosh_handle_t n, uint64_t timeout, uint64_t *bits)
{
	return call_r1(KOSH_SYS_notification_wait, n, timeout, bits);
}

kosh_err_t kosh_notify_poll(kosh_handle_t n, uint64_t *bits)
{
	return call_r1(KOSH_SYS_notification_poll, n, 0, bits);
}

kosh_err_t kosh_wait(kosh_handle_t p, uint64_t timeout, uint64_t *status)
{
	return call_r1(KOSH_SYS_process_wait, p, timeout, status);
}

kosh_err_t kosh_proc_info(kosh_handle_t p, struct kosh_process_info *out)
{
	return (kosh_err_t)kosh_process_info(p, (uint64_t)(uintptr_t)out);
}

kosh_err_t kosh_proc_register(kosh_handle_t procreg, kosh_handle_t process, kosh_handle_t quota,
			      uint64_t parent_id, uint64_t timeout, uint64_t *id)
{
	struct kosh_handle_info hi;
	kosh_err_t err = kosh_info(process, &hi);
	int64_t p, q = 0;

	if (err != KOSH_OK)
		return err;
	p = kosh_handle_dup(process, (hi.rights & (KOSH_RIGHT_READ | KOSH_RIGHT_MANAGE)) | KOSH_RIGHT_TRANSFER, 0);
	if (p < 0)
		return (kosh_err_t)p;
	if (quota)
		q = kosh_handle_dup(quota, KOSH_RIGHT_READ | KOSH_RIGHT_TRANSFER, 0);
	if (q < 0) {
		kosh_handle_close((kosh_handle_t)p);
		return (kosh_err_t)q;
	}
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t ncaps = q ? 2 : 1;
	ipc->caps[0] = (kosh_handle_t)p;
	ipc->caps[1] = (kosh_handle_t)q;
	struct kosh_msg m = { kosh_msg_tag(KOSH_PROC_REGISTER, 2, ncaps, (1u << ncaps) - 1), { parent_id, 0 } };
	struct kosh_msg r;
	/* Moved caps leave our table even when the call fails: nothing to close after it. */
	err = kosh_call(procreg, &m, &r, timeout);
	if (err != KOSH_OK)
		return err;
	if (id)
		*id = KOSH_MSG_LABEL(r.tag) ? KOSH_MSG_LABEL(r.tag) : r.words[0];
	return KOSH_MSG_LABEL(r.tag) ? KOSH_E_INVALID_ARGUMENT : KOSH_OK;
}

kosh_err_t kosh_info(kosh_handle_t h, struct kosh_handle_info *out)
{
	return (kosh_err_t)kosh_handle_info(h, (uint64_t)(uintptr_t)out);
}

const char *kosh_fault_name(uint64_t kind)
{
	switch (kind) {
	case KOSH_FAULT_PAGE:
		return "page fault";
	case KOSH_FAULT_UNDEFINED:
		return "undefined instruction";
	case KOSH_FAULT_ALIGNMENT:
		return "alignment fault";
	case KOSH_FAULT_BAD_SYSCALL:
		return "bad system call";
	case KOSH_FAULT_ARITHMETIC:
		return "arithmetic fault";
	case KOSH_FAULT_PROTECTION:
		return "protection fault";
	case KOSH_FAULT_BREAKPOINT:
		return "breakpoint";
	case KOSH_FAULT_OTHER:
		return "other fault";
	default:
		return "unknown fault";
	}
}
