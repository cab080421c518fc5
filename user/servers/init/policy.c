/* SPDX-License-Identifier: MIT */
/*
 * init's supervision decisions (see policy.h). No system calls: the clock is
 * an argument, so test/unit/init_policy_test.c can run every schedule.
 */
#include "policy.h"

#include <kosh/abi.h>
#include <kosh/fmt.h>

/* The fault kinds of <kosh/abi.h>, named as kosh_fault_name names them (user/lib/ipc.c). */
static const char *const fault_names[] = {
    [KOSH_FAULT_PAGE] = "page fault",
    [KOSH_FAULT_UNDEFINED] = "undefined instruction",
    [KOSH_FAULT_ALIGNMENT] = "alignment fault",
    [KOSH_FAULT_BAD_SYSCALL] = "bad system call",
    [KOSH_FAULT_ARITHMETIC] = "arithmetic fault",
    [KOSH_FAULT_PROTECTION] = "protection fault",
    [KOSH_FAULT_BREAKPOINT] = "breakpoint",
    [KOSH_FAULT_OTHER] = "other fault",
};

int init_exit_failed(uint64_t status)
{
	return status != 0;
}

void init_exit_describe(uint64_t status, char *buf, size_t size)
{
	uint64_t kind = status & 0xffffffffu;
	if (status & KOSH_EXIT_FAULTED)
		kosh_snprintf(buf, size, "%s",
			      kind < sizeof(fault_names) / sizeof(fault_names[0]) &&
				      fault_names[kind]
				  ? fault_names[kind]
				  : "unknown fault");
	else if (status & KOSH_EXIT_KILLED)
		kosh_snprintf(buf, size, "killed");
	else
		kosh_snprintf(buf, size, "exit %u", (unsigned)kind);
}

int init_should_restart(enum kosh_service_restart policy, uint64_t status)
{
	switch (policy) {
	case KOSH_SERVICE_RESTART_ALWAYS:
		return 1;
	case KOSH_SERVICE_RESTART_ON_FAILURE:
		return init_exit_failed(status);
	default:
		return 0;
	}
}

void init_started(struct init_supervision *s, uint64_t now)
{
	if (s->starts)
		s->restarts++;
	s->starts++;
	s->state = INIT_STATE_RUNNING;
	s->started_ns = now;
	s->restart_at_ns = 0;
}

/* The delay for this restart, and the next one doubled up to the cap. */
static uint32_t next_delay(struct init_supervision *s, const struct kosh_service *svc)
{
	uint32_t delay = s->backoff_ms ? s->backoff_ms : svc->backoff_initial_ms;
	uint64_t twice = (uint64_t)delay * 2;
	if (delay > svc->backoff_max_ms)
		delay = svc->backoff_max_ms;
	s->backoff_ms = twice > svc->backoff_max_ms ? svc->backoff_max_ms : (uint32_t)twice;
	return delay;
}

/* WAITING for the next delay from now; the delay in ms. */
static int64_t wait_restart(struct init_supervision *s, const struct kosh_service *svc,
			    uint64_t now)
{
	uint32_t delay = next_delay(s, svc);
	s->state = INIT_STATE_WAITING;
	s->restart_at_ns = now + (uint64_t)delay * 1000000u;
	return delay;
}

int64_t init_exited(struct init_supervision *s, const struct kosh_service *svc, uint64_t status,
		    uint64_t now)
{
	s->last_status = status;
	s->exited = 1;
	if (now - s->started_ns >= INIT_BACKOFF_RESET_NS)
		s->backoff_ms = 0; /* it ran long enough: this is a new failure, not a loop */
	if (!init_should_restart(svc->restart, status)) {
		s->state = init_exit_failed(status) ? INIT_STATE_FAILED : INIT_STATE_STOPPED;
		return -1;
	}
	return wait_restart(s, svc, now);
}

int64_t init_start_failed(struct init_supervision *s, const struct kosh_service *svc, uint64_t now,
			  int permanent)
{
	if (permanent || svc->restart == KOSH_SERVICE_RESTART_NEVER) {
		s->state = INIT_STATE_FAILED;
		return -1;
	}
	return wait_restart(s, svc, now);
}

int init_restart_due(const struct init_supervision *s, uint64_t now)
{
	return s->state == INIT_STATE_WAITING && now >= s->restart_at_ns;
}

const char *init_state_name(enum init_state state)
{
	switch (state) {
	case INIT_STATE_RUNNING:
		return "running";
	case INIT_STATE_WAITING:
		return "waiting to restart";
	case INIT_STATE_STOPPED:
		return "stopped";
	case INIT_STATE_FAILED:
		return "failed";
	default:
		return "not started";
	}
}
