/* SPDX-License-Identifier: MIT */
/*
 * The text of svc:// (see svctext.h). The table is read while the supervisor
 * may be changing it (svc.c runs on its own thread): each field is read once,
 * and the state with an atomic load, so a line is never worse than half old.
 */
#include <kosh/fmt.h>

#include "svctext.h"

static enum init_state state_of(const struct service_run *run)
{
	return __atomic_load_n(&run->sup.state, __ATOMIC_RELAXED);
}

/* "-" for nothing yet. */
static const char *last_exit(const struct service_run *run)
{
	return run->last_exit[0] ? run->last_exit : "-";
}

/* What kosh_snprintf wrote (or wanted to) at buf + used, kept within size. */
static uint32_t advance(uint32_t used, int n, uint32_t size)
{
	uint64_t end = (uint64_t)used + (n > 0 ? (uint32_t)n : 0);
	return end < size ? (uint32_t)end : size - 1;
}

uint32_t svc_text_list(const struct service_run *runs, const uint8_t *order, uint32_t count,
		       char *buf, uint32_t size)
{
	uint32_t n = advance(0,
			     kosh_snprintf(buf, size, "%-19s %-19s %6s %8s  %s\n", "NAME", "STATE",
					   "PID", "RESTARTS", "LAST EXIT"),
			     size);
	for (uint32_t k = 0; k < count; k++) {
		const struct service_run *run = &runs[order[k]];
		enum init_state state = state_of(run);
		char pid[24] = "-";
		if (!run->here)
			continue;
		if (state == INIT_STATE_RUNNING)
			kosh_snprintf(pid, sizeof(pid), "%llu", (unsigned long long)run->pid);
		n = advance(n,
			    kosh_snprintf(buf + n, size - n, "%-19s %-19s %6s %8u  %s\n",
					  run->svc->name, init_state_name(state), pid,
					  run->sup.restarts, last_exit(run)),
			    size);
	}
	return n;
}

uint32_t svc_text_one(const struct service_run *run, char *buf, uint32_t size)
{
	enum init_state state = state_of(run);
	uint32_t n = advance(
	    0,
	    kosh_snprintf(buf, size,
			  "name %s\nstate %s\npid %llu\nrestarts %u\nlast-exit %s\nbinary %s\n",
			  run->svc->name, init_state_name(state),
			  state == INIT_STATE_RUNNING ? (unsigned long long)run->pid : 0ull,
			  run->sup.restarts, last_exit(run), run->svc->binary),
	    size);
	if (run->last_error[0])
		n = advance(n, kosh_snprintf(buf + n, size - n, "last-error %s\n", run->last_error),
			    size);
	return n;
}
