/* SPDX-License-Identifier: MIT */
/*
 * proc:// (procd.h), with the fileserver library:
 *
 *   /                 a directory: meminfo, uptime, and one directory per
 *                     registered process that has not exited, named by its
 *                     kernel id
 *   /meminfo          "total_kib: N\nused_kib: N\nfree_kib: N\n": the root quota
 *                     ("quota-root", read) if procd was given one, else its own
 *   /uptime           "S.UUUUUU\n": seconds of the monotonic clock
 *   /<id>/status      "key: value" lines: name, id, parent, state (running,
 *                     exiting, exited), threads, cpu_ms, memory_kib and
 *                     limit_kib (of the quota its spawner registered, else 0),
 *                     exit (once exited: a number, "killed" or "faulted: …")
 *   /<id>/ctl         write "kill" (a trailing newline is fine): process_kill
 *                     with KOSH_PROC_KILL_STATUS; EACCES if procd was not given
 *                     the manage right, EINVAL for anything else
 *
 * A text file is made when it is opened (a snapshot: stat gives its size, and
 * reads and seeks work on it); a directory is listed as it is at each READDIR.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/fileserver.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include "procd.h"

#define TEXT_MAX 512u

enum kind { ROOT, MEMINFO, UPTIME, PROC_DIR, STATUS, CTL };

/* An open file: what it is, and its text when it is a text file. */
struct pfile {
	int used;
	enum kind kind;
	uint64_t id; /* PROC_DIR, STATUS, CTL */
	uint32_t len;
	char text[TEXT_MAX];
};

static struct pfile pfiles[KOSH_FSRV_FILES_MAX];
static kosh_handle_t meminfo_quota;

static struct pfile *pfile_new(void)
{
	for (size_t i = 0; i < KOSH_FSRV_FILES_MAX; i++) {
		if (!pfiles[i].used) {
			memset(&pfiles[i], 0, sizeof(pfiles[i]));
			pfiles[i].used = 1;
			return &pfiles[i];
		}
	}
	return NULL;
}

/* A copy of the entry of process id, or 0 if it is not registered. */
static int entry_of(uint64_t id, struct proc_entry *out)
{
	registry_lock();
	struct proc_entry *e = registry_find(id);
	if (e)
		*out = *e;
	registry_unlock();
	return e != NULL;
}

/* A registered process that has not exited. */
static int live(uint64_t id, struct proc_entry *e)
{
	struct kosh_process_info info;
	return entry_of(id, e) && kosh_proc_info(e->process, &info) == KOSH_OK &&
	       info.state != KOSH_PROCESS_EXITED;
}

/* Decimal digits at p (len bytes, no leading zero) as *id: 1, or 0 if they are not. */
static int parse_id(const char *p, uint32_t len, uint64_t *id)
{
	uint64_t v = 0;
	if (len == 0 || len > 19 || (p[0] == '0'))
		return 0;
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*id = v;
	return 1;
}

static int is(const char *p, uint32_t len, const char *name)
{
	return len == strlen(name) && memcmp(p, name, len) == 0;
}

/* What a normalised path names: 0, or ENOENT. */
static uint32_t resolve(const char *path, uint32_t len, enum kind *kind, uint64_t *id)
{
	struct proc_entry e;
	if (len == 1) {
		*kind = ROOT;
		return 0;
	}
	path++, len--; /* past the leading '/' */
	if (is(path, len, "meminfo") || is(path, len, "uptime")) {
		*kind = path[0] == 'm' ? MEMINFO : UPTIME;
		return 0;
	}
	uint32_t n = 0;
	while (n < len && path[n] != '/')
		n++;
	if (!parse_id(path, n, id) || !live(*id, &e))
		return KOSH_VFS_ENOENT;
	if (n == len) {
		*kind = PROC_DIR;
		return 0;
	}
	const char *rest = path + n + 1;
	uint32_t rest_len = len - n - 1;
	if (is(rest, rest_len, "status"))
		*kind = STATUS;
	else if (is(rest, rest_len, "ctl"))
		*kind = CTL;
	else
		return KOSH_VFS_ENOENT;
	return 0;
}

static const char *state_name(uint32_t state)
{
	return state == KOSH_PROCESS_RUNNING   ? "running"
	       : state == KOSH_PROCESS_EXITING ? "exiting"
					       : "exited";
}

static void exit_text(uint64_t status, char *buf, size_t size)
{
	if (status & KOSH_EXIT_FAULTED)
		kosh_snprintf(buf, size, "faulted: %s", kosh_fault_name(status & 0xffffffffu));
	else if (status & KOSH_EXIT_KILLED)
		kosh_snprintf(buf, size, "killed");
	else
		kosh_snprintf(buf, size, "%llu", (unsigned long long)(status & 0xffffffffu));
}

static uint32_t status_text(uint64_t id, char *buf, uint32_t size)
{
	struct proc_entry e;
	struct kosh_process_info info;
	struct kosh_quota_info q = {0, 0};
	char ex[48] = "";
	if (!entry_of(id, &e) || kosh_proc_info(e.process, &info) != KOSH_OK)
		return 0;
	if (e.quota)
		(void)kosh_quota_info(e.quota, (uint64_t)(uintptr_t)&q);
	if (info.state == KOSH_PROCESS_EXITED)
		exit_text(info.exit_status, ex, sizeof(ex));
	info.name[sizeof(info.name) - 1] = 0;
	int n = kosh_snprintf(
	    buf, size,
	    "name: %s\nid: %llu\nparent: %llu\nstate: %s\nthreads: %u\n"
	    "cpu_ms: %llu\nmemory_kib: %llu\nlimit_kib: %llu\n%s%s%s",
	    info.name, (unsigned long long)info.id, (unsigned long long)e.parent,
	    state_name(info.state), info.threads, (unsigned long long)(info.cpu_ns / 1000000),
	    (unsigned long long)(q.used >> 10), (unsigned long long)(q.limit >> 10),
	    ex[0] ? "exit: " : "", ex, ex[0] ? "\n" : "");
	return n < 0 ? 0 : (uint32_t)n < size ? (uint32_t)n : size - 1;
}

static uint32_t meminfo_text(char *buf, uint32_t size)
{
	struct kosh_quota_info q = {0, 0};
	(void)kosh_quota_info(meminfo_quota, (uint64_t)(uintptr_t)&q);
	int n =
	    kosh_snprintf(buf, size, "total_kib: %llu\nused_kib: %llu\nfree_kib: %llu\n",
			  (unsigned long long)(q.limit >> 10), (unsigned long long)(q.used >> 10),
			  (unsigned long long)((q.limit - q.used) >> 10));
	return n < 0 ? 0 : (uint32_t)n;
}

static uint32_t uptime_text(char *buf, uint32_t size)
{
	uint64_t us = (uint64_t)kosh_clock_get() / 1000;
	int n = kosh_snprintf(buf, size, "%llu.%06llu\n", (unsigned long long)(us / 1000000),
			      (unsigned long long)(us % 1000000));
	return n < 0 ? 0 : (uint32_t)n;
}

/* The text of a text file as it is now (0 bytes for a directory and ctl). */
static uint32_t make_text(enum kind kind, uint64_t id, char *buf, uint32_t size)
{
	switch (kind) {
	case MEMINFO:
		return meminfo_text(buf, size);
	case UPTIME:
		return uptime_text(buf, size);
	case STATUS:
		return status_text(id, buf, size);
	default:
		return 0;
	}
}

static uint64_t ino_of(enum kind kind, uint64_t id)
{
	return kind == ROOT	 ? 1
	       : kind == MEMINFO ? 2
	       : kind == UPTIME	 ? 3
				 : 16 + id * 4 +
				      (kind == STATUS ? 1
				       : kind == CTL  ? 2
						      : 0);
}

static int is_dir(enum kind kind)
{
	return kind == ROOT || kind == PROC_DIR;
}

static void fill_stat(enum kind kind, uint64_t id, uint32_t len, struct kosh_vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->type = is_dir(kind) ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	st->mode = is_dir(kind) ? 0555 : kind == CTL ? 0200 : 0444;
	st->size = len;
	st->ino = ino_of(kind, id);
	st->nlink = is_dir(kind) ? 2 : 1;
	st->blksize = KOSH_VFS_IO_MAX;
}

static uint32_t proc_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			  struct kosh_fsrv_file *f)
{
	enum kind kind;
	uint64_t id = 0;
	uint32_t err = resolve(path, len, &kind, &id);
	int writes = (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_TRUNC)) != 0;
	if (err != 0)
		return err;
	if ((flags & KOSH_VFS_O_CREATE) && (flags & KOSH_VFS_O_EXCL))
		return KOSH_VFS_EEXIST;
	if (is_dir(kind) && writes)
		return KOSH_VFS_EISDIR;
	if ((flags & KOSH_VFS_O_DIRECTORY) && !is_dir(kind))
		return KOSH_VFS_ENOTDIR;
	if (kind != CTL && writes)
		return KOSH_VFS_EACCES;
	struct pfile *p = pfile_new();
	if (!p)
		return KOSH_VFS_ENFILE;
	p->kind = kind;
	p->id = id;
	p->len = make_text(kind, id, p->text, sizeof(p->text));
	f->node = p;
	f->type = is_dir(kind) ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	f->seekable = !is_dir(kind) && kind != CTL;
	return 0;
}

static uint32_t proc_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			   struct kosh_vfs_stat *st)
{
	enum kind kind;
	uint64_t id = 0;
	char text[TEXT_MAX];
	uint32_t err = resolve(path, len, &kind, &id);
	if (err == 0)
		fill_stat(kind, id, make_text(kind, id, text, sizeof(text)), st);
	return err;
}

static uint32_t proc_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	struct pfile *p = f->node;
	fill_stat(p->kind, p->id, p->len, st);
	return 0;
}

static uint32_t proc_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			  uint32_t want, uint32_t *got)
{
	struct pfile *p = f->node;
	return kosh_fsrv_read_text(p->text, p->len, off, buf, want, got);
}

static uint32_t proc_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			   const void *buf, uint32_t len, uint32_t *taken)
{
	struct pfile *p = f->node;
	struct proc_entry e;
	const char *t = buf;
	uint32_t n = len;
	if (p->kind != CTL)
		return KOSH_VFS_EACCES;
	while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
		n--;
	if (!is(t, n, "kill"))
		return KOSH_VFS_EINVAL;
	if (!entry_of(p->id, &e))
		return KOSH_VFS_ENOENT; /* gone since it was opened */
	int64_t r = kosh_process_kill(e.process, KOSH_PROC_KILL_STATUS);
	if (r == KOSH_E_ACCESS_DENIED)
		return KOSH_VFS_EACCES;
	if (r < 0)
		return KOSH_VFS_EIO;
	*taken = len;
	return 0;
}

/* Put one record; 0, or ENOSPC when the buffer is full. */
static uint32_t put(void *buf, uint32_t size, uint32_t *used, uint64_t ino, uint32_t type,
		    const char *name)
{
	return kosh_vfs_dirent_put(buf, size, used, ino, type, name, (uint32_t)strlen(name));
}

/* Root records: cookie 0 meminfo, 1 uptime, 2 + i the process in registry slot i. */
static uint32_t root_readdir(void *buf, uint32_t size, uint32_t *used, uint64_t cookie,
			     uint64_t *next, int *end)
{
	static const char *const fixed[] = {"meminfo", "uptime"};
	for (; cookie < 2; cookie++) {
		if (put(buf, size, used, cookie + 2, KOSH_VFS_FILE, fixed[cookie]))
			goto full;
	}
	for (; cookie - 2 < KOSH_PROC_MAX; cookie++) {
		struct proc_entry e;
		char name[24];
		registry_lock();
		e = registry[cookie - 2];
		registry_unlock();
		if (!e.used || !live(e.id, &e))
			continue;
		kosh_snprintf(name, sizeof(name), "%llu", (unsigned long long)e.id);
		if (put(buf, size, used, ino_of(PROC_DIR, e.id), KOSH_VFS_DIR, name))
			goto full;
	}
	*next = cookie;
	*end = 1;
	return 0;
full:
	*next = cookie;
	*end = 0;
	return *used ? 0 : KOSH_VFS_EINVAL; /* not even one record fits */
}

static uint32_t proc_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
			     void *buf, uint32_t size, uint32_t *used, uint64_t *next, int *end)
{
	struct pfile *p = f->node;
	static const char *const entries[] = {"status", "ctl"};
	*used = 0;
	if (p->kind == ROOT)
		return root_readdir(buf, size, used, cookie, next, end);
	for (; cookie < 2; cookie++) {
		enum kind k = cookie == 0 ? STATUS : CTL;
		if (put(buf, size, used, ino_of(k, p->id), KOSH_VFS_FILE, entries[cookie]))
			break;
	}
	*next = cookie;
	*end = cookie >= 2;
	return 0;
}

static void proc_close(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct pfile *p = f->node;
	if (p)
		p->used = 0;
}

static uint32_t proc_dup(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct pfile *from = f->node, *p = pfile_new();
	if (!p)
		return KOSH_VFS_ENFILE;
	memcpy(p, from, sizeof(*p));
	f->node = p;
	return 0;
}

static const struct kosh_fsrv_ops proc_ops = {
    .open = proc_open,
    .statp = proc_statp,
    .read = proc_read,
    .write = proc_write,
    .stat = proc_stat,
    .readdir = proc_readdir,
    .close = proc_close,
    .dup = proc_dup,
};

kosh_err_t files_serve(kosh_handle_t ep, kosh_handle_t root_quota)
{
	struct kosh_fsrv *srv;
	struct kosh_fsrv_config cfg = {
	    .name = "procd",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &proc_ops,
	};
	meminfo_quota = root_quota ? root_quota : kosh_self()->quota;
	kosh_err_t err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK)
		return err;
	return kosh_fsrv_run(srv);
}
