/* SPDX-License-Identifier: MIT */
/*
 * bin/bench-server: the other process of bin/bench's figures.
 *
 *   bench-server serve CPU   pin the first thread to CPU, then answer every call
 *                            on the endpoint given as "ep" with the message it
 *                            brought (same tag, same words: the words past the
 *                            four in registers are still in our IPC buffer, so
 *                            a long message goes back as it came), until a call
 *                            labelled BENCH_LABEL_QUIT, which is answered too. A
 *                            call labelled BENCH_LABEL_STAMP gets the counter
 *                            as read on its arrival in word 0.
 *   bench-server exit        return 0 at once (the tiny program of process_cycle).
 *
 * Exit status 0, or 1 if something failed (bench then reports the failure).
 */
#include <kosh/abi.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "bench.h"

static int serve(const char *cpu_arg)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ep = kosh_start_handle("ep", NULL);
	uint64_t cpu = 0;
	for (const char *p = cpu_arg; *p >= '0' && *p <= '9'; p++)
		cpu = cpu * 10 + (uint64_t)(*p - '0');
	if (!ep || cpu >= 64) {
		kosh_printf("bench-server: no endpoint, or a bad CPU '%s'", cpu_arg);
		return 1;
	}
	int64_t e = kosh_thread_set_affinity(self->thread, 1ull << cpu);
	if (e < 0) {
		kosh_printf("bench-server: cannot pin to CPU %llu: %s", (unsigned long long)cpu,
			    kosh_strerror((kosh_err_t)e));
		return 1;
	}
	struct kosh_msg m;
	kosh_err_t err = kosh_recv(ep, &m, NULL, KOSH_TIMEOUT_NEVER);
	while (!err && KOSH_MSG_LABEL(m.tag) != BENCH_LABEL_QUIT) {
		if (KOSH_MSG_LABEL(m.tag) == BENCH_LABEL_STAMP)
			m.words[0] = bench_counter();
		err = kosh_reply_recv(ep, &m, &m, NULL, KOSH_TIMEOUT_NEVER);
	}
	if (err) {
		kosh_printf("bench-server: receive failed: %s", kosh_strerror(err));
		return 1;
	}
	/* Answer the quit message; timeout 0: do not wait for another. */
	err = kosh_reply_recv(ep, &m, &m, NULL, 0);
	return err == KOSH_E_TIMED_OUT || err == KOSH_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "exit") == 0)
		return 0;
	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2]);
	kosh_printf("bench-server: usage: bench-server serve CPU | exit");
	return 2;
}
