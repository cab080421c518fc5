/* SPDX-License-Identifier: MIT */
/*
 * procd: serves proc:// (files.c) from the registry of processes their
 * spawners tell it about (registry.c, <kosh/proto/proc.h>). Start handles:
 * "proc", the file endpoint (read and duplicate rights); "procreg", the
 * registration endpoint (read); "quota-root", optional, a read-only handle to
 * the quota meminfo shows (else procd's own). Registrations are served on a
 * thread of their own, the files on the main thread.
 */
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "procd.h"

static void registrations(void *arg)
{
	registry_serve((kosh_handle_t)(uintptr_t)arg);
}

int main(int argc, char **argv)
{
	struct kosh_thread reg;
	kosh_handle_t ep = kosh_start_handle("proc", NULL);
	kosh_handle_t reg_ep = kosh_start_handle(KOSH_PROC_REGISTER_ENDPOINT, NULL);
	kosh_handle_t root_quota = kosh_start_handle("quota-root", NULL);

	if (!ep) {
		kosh_printf("no \"proc\" endpoint given");
		return 1;
	}
	if (reg_ep) {
		kosh_err_t err =
		    kosh_thread_spawn(&reg, registrations, (void *)(uintptr_t)reg_ep, 0);
		if (err != KOSH_OK)
			kosh_printf("no registrations: %s", kosh_strerror(err));
	} else {
		kosh_printf("no \"%s\" endpoint given: nothing can register",
			    KOSH_PROC_REGISTER_ENDPOINT);
	}
	kosh_printf("serving proc://");
	kosh_err_t err = files_serve(ep, root_quota);
	kosh_printf("stops: %s", kosh_strerror(err));
	return 1;
}
