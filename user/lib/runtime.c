/* SPDX-License-Identifier: MIT */
/*
 * The runtime's start (<kosh/runtime.h>). crt0 passes the thread's start
 * argument: the root info for the root task (<kosh/rootinfo.h>), the start page
 * for every other process (<kosh/start.h>); the magic at that address tells
 * which. We take our handles and arguments from it, check what we read (a
 * spawner's page is checked like any input), run main, and return its status.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/start.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/user.h>

/* Exit statuses of a process whose start argument makes no sense. */
#define START_BAD_ARGUMENT 125

static struct kosh_self self;
static char *args[KOSH_START_ARGS_MAX + 1];
static char root_name[] = "sbin/bootstrap";
static const void *initfs_base;
static uint64_t initfs_size;

const struct kosh_self *kosh_self(void)
{
	return &self;
}

void kosh_terminate(uint64_t status)
{
	for (;;)
		kosh_exit(status);
}

static int has_nul(const char *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] == '\0')
			return 1;
	return 0;
}

/* 1 if a NUL-terminated string starts at va inside the start region's used part. */
static int start_string_ok(const struct kosh_start *s, uint64_t va)
{
	if (va < KOSH_START_VA + sizeof(*s) || va >= KOSH_START_VA + s->size)
		return 0;
	const char *p = (const char *)(uintptr_t)va;
	return has_nul(p, KOSH_START_VA + s->size - va);
}

static int start_page_ok(const struct kosh_start *s)
{
	if (s->version != KOSH_START_VERSION || s->size > KOSH_START_SIZE ||
	    s->size < sizeof(*s) || s->argc > KOSH_START_ARGS_MAX ||
	    s->handle_count > KOSH_START_HANDLES_MAX)
		return 0;
	for (uint32_t i = 0; i < s->argc; i++)
		if (!start_string_ok(s, s->argv[i]))
			return 0;
	return 1;
}

kosh_handle_t kosh_start_handle(const char *name, uint64_t *value)
{
	const struct kosh_start *s = self.start;
	for (uint32_t i = 0; s && i < s->handle_count; i++) {
		const struct kosh_start_handle *h = &s->handles[i];
		if (strncmp(h->name, name, KOSH_START_NAME_MAX) == 0 &&
		    h->name[KOSH_START_NAME_MAX - 1] == '\0') {
			if (value)
				*value = h->value;
			return h->handle;
		}
	}
	return 0;
}

static void start_from_page(const struct kosh_start *s)
{
	self.start = s;
	self.process = kosh_start_handle("process", NULL);
	self.space = kosh_start_handle("space", NULL);
	self.thread = kosh_start_handle("thread", NULL);
	self.quota = kosh_start_handle("quota", NULL);
	self.log = kosh_start_handle("log", NULL);
	self.ipc_buffer = (struct kosh_ipc_buffer *)(uintptr_t)s->ipc_buffer;
	for (uint32_t i = 0; i < s->argc; i++)
		args[i] = (char *)(uintptr_t)s->argv[i];
	self.argc = (int)s->argc;
	self.argv = args;
}

static void start_from_root(const struct kosh_root_info *info)
{
	self.root = info;
	self.process = info->process;
	self.space = info->space;
	self.thread = info->thread;
	self.quota = info->quota;
	self.log = info->log;
	self.ipc_buffer = (struct kosh_ipc_buffer *)(uintptr_t)KOSH_ROOT_IPC_VA;
	initfs_base = (const void *)(uintptr_t)KOSH_ROOT_INITFS_VA;
	initfs_size = info->initfs_size;
	args[0] = root_name;
	self.argc = 1;
	self.argv = args;
}

int64_t kosh_runtime_start(uint64_t arg)
{
	if (arg == KOSH_ROOT_INFO_VA &&
	    ((const struct kosh_root_info *)(uintptr_t)arg)->magic == KOSH_ROOT_INFO_MAGIC) {
		start_from_root((const struct kosh_root_info *)(uintptr_t)arg);
	} else if (arg == KOSH_START_VA &&
		   ((const struct kosh_start *)(uintptr_t)arg)->magic == KOSH_START_MAGIC &&
		   start_page_ok((const struct kosh_start *)(uintptr_t)arg)) {
		start_from_page((const struct kosh_start *)(uintptr_t)arg);
	} else {
		return START_BAD_ARGUMENT;
	}
	return main(self.argc, self.argv);
}

kosh_err_t kosh_initfs(const void **archive, uint64_t *size)
{
	if (!initfs_base) {
		uint64_t bytes = 0;
		kosh_handle_t h = kosh_start_handle("initfs", &bytes);
		kosh_err_t err = KOSH_E_NOT_FOUND;
		if (!h || !bytes)
			return err;
		void *p = kosh_frame_map(h, 0, bytes, KOSH_RIGHT_READ, &err);
		if (!p)
			return err;
		initfs_base = p;
		initfs_size = bytes;
	}
	*archive = initfs_base;
	*size = initfs_size;
	return KOSH_OK;
}
