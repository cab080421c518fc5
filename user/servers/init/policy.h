/* SPDX-License-Identifier: MIT */
/*
 * init's supervision decisions, as pure functions (host-tested in
 * test/unit/init_policy_test.c): what an exit status means, whether a service
 * is started again under its restart policy, and after how long.
 *
 * Back-off: the first restart waits the service's initial delay, each further
 * one twice the last, up to its cap; a service that ran INIT_BACKOFF_RESET_NS
 * before it ended starts over from the initial delay.
 */
#ifndef KOSH_INIT_POLICY_H
#define KOSH_INIT_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/services.h>

#define INIT_BACKOFF_RESET_NS (30ull * 1000 * 1000 * 1000) /* 30 s of uptime */

enum init_state {
	INIT_STATE_IDLE, /* not started yet */
	INIT_STATE_RUNNING,
	INIT_STATE_WAITING, /* waiting to restart (restart_at_ns) */
	INIT_STATE_STOPPED, /* ended, and its policy keeps it down */
	INIT_STATE_FAILED,  /* ended badly, or cannot be started, and stays down */
};

struct init_supervision {
	enum init_state state;
	uint32_t starts;	/* successful starts */
	uint32_t restarts;	/* starts after the first */
	uint32_t backoff_ms;	/* the next delay; 0: the initial one */
	uint64_t started_ns;	/* clock at the last start */
	uint64_t restart_at_ns; /* WAITING: when to start again */
	uint64_t last_status;	/* of the last exit */
	int exited;		/* last_status is meaningful */
};

/* 1 if status is a failure: a fault, a kill, or a non-zero exit. */
int init_exit_failed(uint64_t status);

/* "exit 3", "exit 0", "page fault", "killed" … into buf (size bytes, NUL-terminated). */
void init_exit_describe(uint64_t status, char *buf, size_t size);

/* 1 if a service with this policy is started again after ending with status. */
int init_should_restart(enum kosh_service_restart policy, uint64_t status);

/* The service was started at now. */
void init_started(struct init_supervision *s, uint64_t now);

/*
 * The service ended with status at now: WAITING (returns the delay in ms, the
 * restart due at s->restart_at_ns), or STOPPED / FAILED (returns -1).
 */
int64_t init_exited(struct init_supervision *s, const struct kosh_service *svc, uint64_t status,
		    uint64_t now);

/*
 * A start failed at now (no memory, a busy IRQ line, a server not up yet):
 * unless the policy is never or the failure is permanent (no such binary, not
 * an executable), WAITING with the back-off as after a failure (returns the
 * delay); else FAILED (-1).
 */
int64_t init_start_failed(struct init_supervision *s, const struct kosh_service *svc, uint64_t now,
			  int permanent);

/* 1 if s is WAITING and its time has come. */
int init_restart_due(const struct init_supervision *s, uint64_t now);

/* "running", "waiting to restart", "stopped", "failed", "not started". */
const char *init_state_name(enum init_state state);

#endif
