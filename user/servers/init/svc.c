/* SPDX-License-Identifier: MIT */
/*
 * svc://, init's view of its services (docs/services.md, "svc://"), served
 * read-only with the fileserver library on a thread of its own, so that a
 * client of svc:// never waits for the supervisor (and the supervisor, which
 * calls vfsd, never waits for a vfsd that is forwarding to svc://):
 *
 *   svc:///         a directory: "list", then one file per service of this machine
 *   svc:///list     a table, one line per service: name, state, pid, restarts, last exit
 *   svc:///NAME     the same for one service as "key value" lines
 *
 * The text is made afresh for every READ and STAT from the table init keeps
 * (init.h), so a file read in several pieces may straddle a change (the
 * services and the drivers of drvreg: up to 64 lines, two READs).
 */
#include <kosh/fileserver.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/thread.h>

#include "init.h"
#include "svctext.h"

#define SVC_STACK (64u << 10)
#define SVC_DIR	  0xffffffffu /* priv of the directory */
#define SVC_LIST  0xfffffffeu /* priv of svc:///list; a service's file is its index */

static char text[2 * KOSH_VFS_IO_MAX + 1]; /* the list of 64 services and drivers */

static uint32_t render(uint64_t what)
{
	if (what == SVC_LIST)
		return svc_text_list(init.runs, init.order,
				     __atomic_load_n(&init.run_count, __ATOMIC_ACQUIRE), text,
				     sizeof(text));
	return svc_text_one(&init.runs[what], text, sizeof(text));
}

/* The node of a normalised path: SVC_DIR, SVC_LIST or a service's index; ENOENT. */
static uint32_t lookup(const char *path, uint32_t len, uint64_t *what)
{
	if (len == 1 && path[0] == '/') {
		*what = SVC_DIR;
		return 0;
	}
	if (len == 5 && memcmp(path, "/list", 5) == 0) {
		*what = SVC_LIST;
		return 0;
	}
	uint32_t count = __atomic_load_n(&init.run_count, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < count; i++) {
		const char *name = init.runs[i].svc->name;
		if (init.runs[i].here && strlen(name) == len - 1 &&
		    memcmp(path + 1, name, len - 1) == 0) {
			*what = i;
			return 0;
		}
	}
	return KOSH_VFS_ENOENT;
}

static void stat_of(uint64_t what, struct kosh_vfs_stat *st)
{
	uint32_t entries = 1, count = __atomic_load_n(&init.run_count, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < count; i++)
		entries += init.runs[i].here ? 1 : 0;
	*st = (struct kosh_vfs_stat){
	    .type = what == SVC_DIR ? KOSH_VFS_DIR : KOSH_VFS_FILE,
	    .mode = what == SVC_DIR ? 0555 : 0444,
	    .size = what == SVC_DIR ? entries : render(what),
	    .ino = what == SVC_DIR    ? 1
		   : what == SVC_LIST ? 2
				      : 3 + what,
	    .nlink = 1,
	    .blksize = KOSH_VFS_IO_MAX,
	};
}

static uint32_t svc_handle_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
				struct kosh_fsrv_file *f)
{
	uint64_t what;
	uint32_t err = lookup(path, len, &what);
	if (err)
		return (flags & KOSH_VFS_O_CREATE) ? KOSH_VFS_EROFS : err;
	if (flags & (KOSH_VFS_O_WRITE | KOSH_VFS_O_CREATE | KOSH_VFS_O_TRUNC | KOSH_VFS_O_APPEND))
		return what == SVC_DIR ? KOSH_VFS_EISDIR : KOSH_VFS_EROFS;
	if ((flags & KOSH_VFS_O_DIRECTORY) && what != SVC_DIR)
		return KOSH_VFS_ENOTDIR;
	f->priv = what;
	f->type = what == SVC_DIR ? KOSH_VFS_DIR : KOSH_VFS_FILE;
	f->seekable = what != SVC_DIR;
	return 0;
}

static uint32_t svc_handle_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
				 struct kosh_vfs_stat *st)
{
	uint64_t what;
	uint32_t err = lookup(path, len, &what);
	if (err == 0)
		stat_of(what, st);
	return err;
}

static uint32_t svc_handle_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
				void *buf, uint32_t want, uint32_t *got)
{
	return kosh_fsrv_read_text(text, render(f->priv), off, buf, want, got);
}

static uint32_t svc_handle_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
				struct kosh_vfs_stat *st)
{
	stat_of(f->priv, st);
	return 0;
}

/* Cookie 0: "list"; cookie 1 + i: service i (of this machine). */
static uint32_t svc_handle_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
				   void *buf, uint32_t size, uint32_t *used, uint64_t *next,
				   int *end)
{
	uint64_t c = cookie;
	uint32_t count = __atomic_load_n(&init.run_count, __ATOMIC_ACQUIRE);
	*used = 0;
	for (; c <= count; c++) {
		const char *name = c == 0 ? "list" : init.runs[c - 1].svc->name;
		if (c > 0 && !init.runs[c - 1].here)
			continue;
		if (kosh_vfs_dirent_put(buf, size, used, c == 0 ? 2 : 2 + c, KOSH_VFS_FILE, name,
					(uint32_t)strlen(name))) {
			*next = c;
			*end = 0;
			return *used ? 0 : KOSH_VFS_EINVAL;
		}
	}
	*next = c;
	*end = 1;
	return 0;
}

static uint32_t svc_handle_read_only(struct kosh_fsrv *s, const char *path, uint32_t len)
{
	return KOSH_VFS_EROFS;
}

static uint32_t svc_handle_unlink(struct kosh_fsrv *s, const char *path, uint32_t len,
				  uint32_t flags)
{
	return KOSH_VFS_EROFS;
}

static uint32_t svc_handle_rename(struct kosh_fsrv *s, const char *from, uint32_t from_len,
				  const char *to, uint32_t to_len)
{
	return KOSH_VFS_EROFS;
}

static const struct kosh_fsrv_ops svc_ops = {
    .open = svc_handle_open,
    .statp = svc_handle_statp,
    .mkdir = svc_handle_read_only,
    .unlink = svc_handle_unlink,
    .rename = svc_handle_rename,
    .read = svc_handle_read,
    .stat = svc_handle_stat,
    .readdir = svc_handle_readdir,
};

static void serve(void *arg)
{
	struct kosh_fsrv_config cfg = {
	    .name = "svc",
	    .endpoint = init.svc,
	    .quota = init.quota,
	    .ops = &svc_ops,
	    .ipc = kosh_ipc_buffer(),
	};
	struct kosh_fsrv *s;
	kosh_err_t err = kosh_fsrv_init(&s, &cfg);
	if (err == KOSH_OK)
		err = kosh_fsrv_run(s);
	kosh_printf("svc://: the server stopped: %s", kosh_strerror(err));
}

kosh_err_t init_serve_svc(void)
{
	static struct kosh_thread thread;
	kosh_err_t err = kosh_thread_spawn(&thread, serve, NULL, SVC_STACK);
	if (err)
		kosh_printf("cannot start the svc:// thread: %s", kosh_strerror(err));
	return err;
}
