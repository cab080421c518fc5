/* SPDX-License-Identifier: MIT */
/*
 * The runtime's start (<kosh/runtime.h>). crt0 passes the thread's start
 * argument: the root info for the root task (<kosh/rootinfo.h>), the start page
 * for every other process (<kosh/start.h>); the magic at that address tells
 * which. We take our handles, arguments and environment from it, check what we
 * read (a spawner's page is checked like any input), and build the vector a
 * Linux process finds on its stack: argv, NULL, envp, NULL, then the auxiliary
 * vector (AT_PHDR/AT_PHNUM from the page's copy of the program headers, so the
 * C library can set up PT_TLS; AT_PAGESZ; AT_RANDOM; AT_NULL). A program linked
 * with musl enters it through __libc_start_main (kosh_runtime_enter in
 * user/lib/musl/start.c); any other runs main and returns its status.
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

/* The auxiliary vector's keys (the ELF ABI's AT_* numbers, as musl reads them). */
enum {
	AUX_NULL = 0,
	AUX_PHDR = 3,
	AUX_PHENT = 4,
	AUX_PHNUM = 5,
	AUX_PAGESZ = 6,
	AUX_UID = 11,
	AUX_EUID = 12,
	AUX_GID = 13,
	AUX_EGID = 14,
	AUX_SECURE = 23,
	AUX_RANDOM = 25,
	AUX_EXECFN = 31,
};
#define AUX_PAIRS 12

static struct kosh_self self;
/* argv, NULL, envp, NULL, auxv: one vector, as on a Linux process's stack. */
static char *vector[KOSH_START_ARGS_MAX + 1 + KOSH_START_ENV_MAX + 1 + 2 * AUX_PAIRS];
static uint64_t random_bytes[2];
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

static int start_phdrs_ok(const struct kosh_start *s)
{
	if (!s->phnum)
		return s->phdr == 0;
	uint64_t end = KOSH_START_VA + s->size;
	return s->phnum <= KOSH_START_PHDRS_MAX && (s->phdr & 7) == 0 &&
	       s->phdr >= KOSH_START_VA + sizeof(*s) && s->phdr < end &&
	       (uint64_t)s->phnum * KOSH_START_PHDR_SIZE <= end - s->phdr;
}

static int start_page_ok(const struct kosh_start *s)
{
	if (s->version != KOSH_START_VERSION || s->size > KOSH_START_SIZE ||
	    s->size < sizeof(*s) || s->argc > KOSH_START_ARGS_MAX ||
	    s->envc > KOSH_START_ENV_MAX || s->handle_count > KOSH_START_HANDLES_MAX ||
	    !start_phdrs_ok(s))
		return 0;
	for (uint32_t i = 0; i < s->argc; i++)
		if (!start_string_ok(s, s->argv[i]))
			return 0;
	for (uint32_t i = 0; i < s->envc; i++)
		if (!start_string_ok(s, s->envp[i]))
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
	self.log = kosh_start_handle("klog", NULL);
	self.ipc_buffer = (struct kosh_ipc_buffer *)(uintptr_t)s->ipc_buffer;
	self.argc = (int)s->argc;
	self.envc = (int)s->envc;
	self.argv = vector;
	self.envp = vector + s->argc + 1;
	for (uint32_t i = 0; i < s->argc; i++)
		self.argv[i] = (char *)(uintptr_t)s->argv[i];
	for (uint32_t i = 0; i < s->envc; i++)
		self.envp[i] = (char *)(uintptr_t)s->envp[i];
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
	self.argc = 1;
	self.argv = vector;
	self.argv[0] = root_name;
	self.envp = vector + 2;
}

/* Not secret (there is no entropy source yet): enough for musl's malloc to vary its secret. */
static void fill_random(void)
{
	uint64_t x = kosh_clock_get() ^ (uint64_t)(uintptr_t)&x;
	for (int i = 0; i < 2; i++) {
		x += 0x9e3779b97f4a7c15ull; /* splitmix64 */
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		random_bytes[i] = z ^ (z >> 31);
	}
}

/* The auxiliary vector after envp's NULL. */
static void fill_auxv(void)
{
	uint64_t *aux = (uint64_t *)(self.envp + self.envc + 1);
	uint64_t phdr = self.start ? self.start->phdr : 0, phnum = self.start ? self.start->phnum : 0;
	const uint64_t pairs[][2] = {
		{ AUX_PHDR, phdr },
		{ AUX_PHENT, KOSH_START_PHDR_SIZE },
		{ AUX_PHNUM, phnum },
		{ AUX_PAGESZ, KOSH_PAGE_SIZE },
		{ AUX_UID, 0 },
		{ AUX_EUID, 0 },
		{ AUX_GID, 0 },
		{ AUX_EGID, 0 },
		{ AUX_SECURE, 0 },
		{ AUX_RANDOM, (uint64_t)(uintptr_t)random_bytes },
		{ AUX_EXECFN, (uint64_t)(uintptr_t)self.argv[0] },
		{ AUX_NULL, 0 },
	};
	_Static_assert(sizeof(pairs) / sizeof(pairs[0]) <= AUX_PAIRS, "auxiliary vector size");
	fill_random();
	memcpy(aux, pairs, sizeof(pairs));
}

const char *kosh_getenv(const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < self.envc; i++)
		if (strncmp(self.envp[i], name, n) == 0 && self.envp[i][n] == '=')
			return self.envp[i] + n + 1;
	return NULL;
}

/* Without the C library: main with its arguments (musl's start.c replaces this). */
__attribute__((weak)) int kosh_runtime_enter(int argc, char **argv)
{
	return main(argc, argv);
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
	fill_auxv();
	return kosh_runtime_enter(self.argc, self.argv);
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
