/* SPDX-License-Identifier: MIT */
/*
 * initfs://, read-only, from the archive the kernel mapped into the root task:
 * the tree and the path rules are initfs.c's, the protocol loop is the
 * fileserver library's (<kosh/fileserver.h>). It runs on a thread of its own,
 * so bootstrap's first thread is free to start init and wait for it. Files are
 * seekable; directories list their entries (READDIR); every way of writing is
 * EROFS. Nothing here allocates after the index is built.
 */
#include "bootstrap.h"
#include "initfs.h"

#include <kosh/fileserver.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/tar.h>
#include <kosh/thread.h>

#define SERVER_STACK (64u << 10)

static struct initfs tree;
static kosh_handle_t serve_ep;

static uint32_t node_of(const struct kosh_fsrv_file *f)
{
	return (uint32_t)f->priv;
}

static uint32_t initfs_handle_open(struct kosh_fsrv *s, const char *path, uint32_t len,
				   uint32_t flags, struct kosh_fsrv_file *f)
{
	uint32_t node, err = initfs_open(&tree, path, len, flags, &node);
	if (err)
		return err;
	f->node = &tree.nodes[node];
	f->priv = node;
	f->type = tree.nodes[node].type;
	f->seekable = f->type == KOSH_VFS_FILE;
	return 0;
}

static uint32_t initfs_handle_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
				    struct kosh_vfs_stat *st)
{
	uint32_t node, err = initfs_open(&tree, path, len, 0, &node);
	if (err == 0)
		initfs_stat(&tree, node, st);
	return err;
}

static uint32_t initfs_handle_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
				   void *buf, uint32_t want, uint32_t *got)
{
	return initfs_read(&tree, node_of(f), off, buf, want, got);
}

static uint32_t initfs_handle_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
				   struct kosh_vfs_stat *st)
{
	initfs_stat(&tree, node_of(f), st);
	return 0;
}

static uint32_t initfs_handle_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
				      uint64_t cookie, void *buf, uint32_t size, uint32_t *used,
				      uint64_t *next, int *end)
{
	return initfs_readdir(&tree, node_of(f), cookie, buf, size, used, next, end);
}

static uint32_t initfs_handle_read_only(struct kosh_fsrv *s, const char *path, uint32_t len)
{
	return KOSH_VFS_EROFS;
}

static uint32_t initfs_handle_unlink(struct kosh_fsrv *s, const char *path, uint32_t len,
				     uint32_t flags)
{
	return KOSH_VFS_EROFS;
}

static uint32_t initfs_handle_rename(struct kosh_fsrv *s, const char *from, uint32_t from_len,
				     const char *to, uint32_t to_len)
{
	return KOSH_VFS_EROFS;
}

static uint32_t initfs_handle_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
				    const void *buf, uint32_t len, uint32_t *taken)
{
	return KOSH_VFS_EBADF; /* never opened for writing */
}

static uint32_t initfs_handle_truncate(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t size)
{
	return KOSH_VFS_EROFS;
}

static const struct kosh_fsrv_ops initfs_ops = {
    .open = initfs_handle_open,
    .statp = initfs_handle_statp,
    .mkdir = initfs_handle_read_only,
    .unlink = initfs_handle_unlink,
    .rename = initfs_handle_rename,
    .read = initfs_handle_read,
    .write = initfs_handle_write,
    .stat = initfs_handle_stat,
    .readdir = initfs_handle_readdir,
    .truncate = initfs_handle_truncate,
};

static void serve(void *arg)
{
	struct kosh_fsrv_config cfg = {
	    .name = "initfs",
	    .endpoint = serve_ep,
	    .quota = kosh_self()->quota,
	    .ops = &initfs_ops,
	    .ipc = kosh_ipc_buffer(),
	};
	struct kosh_fsrv *s;
	kosh_err_t err = kosh_fsrv_init(&s, &cfg);
	if (err == KOSH_OK)
		err = kosh_fsrv_run(s);
	kosh_printf("initfs: the server stopped: %s", kosh_strerror(err));
}

kosh_err_t bootstrap_serve_initfs(kosh_handle_t ep, const void *archive, uint64_t size)
{
	static struct kosh_thread thread;
	int r = initfs_build(&tree, archive, size);
	if (r) {
		kosh_printf("initfs: cannot index the archive: %s",
			    r == -100 ? "more entries than the index holds" : kosh_tar_strerror(r));
		return KOSH_E_INVALID_ARGUMENT;
	}
	if (tree.skipped)
		kosh_printf("initfs: %u archive entries left out (bad names, links, clashes)",
			    tree.skipped);
	serve_ep = ep;
	kosh_err_t err = kosh_thread_spawn(&thread, serve, NULL, SERVER_STACK);
	if (err)
		kosh_printf("initfs: cannot start the server thread: %s", kosh_strerror(err));
	return err;
}
