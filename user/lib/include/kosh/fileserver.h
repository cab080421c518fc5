/* SPDX-License-Identifier: MIT */
/*
 * The server side of the file protocol (<kosh/proto/vfs.h>), shared by every
 * scheme server: bootstrap's initfs, ramfs, logd, procd, init's svc://, the
 * console, the pipe server. The library owns the loop (receive, check with
 * kosh_vfs_decode, dispatch, reply), the table of open files and their badges,
 * the position of seekable files, and deferred replies; a server supplies the
 * operations it has (NULL: the operation answers ENOSYS, or for a file that is
 * not a directory ENOTDIR …).
 *
 * A file's badge is (slot + 1) | generation << 16 | epoch << 32, the epoch
 * taken from the clock when the server starts, so a stale or forged badge
 * (after CLOSE, after a restart of the server) is EBADF, never another file.
 * Badge 0 is the scheme root, where only the path operations (STATFS and
 * UNMOUNT included) are accepted; REGISTER, MOUNT and MOUNTS are ENOSYS
 * anywhere (they are the namespace's).
 * The loop is single-threaded: operations run one at a time on its thread.
 */
#ifndef KOSH_USER_FILESERVER_H
#define KOSH_USER_FILESERVER_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/proto/vfs.h>

struct kosh_ipc_buffer;

#define KOSH_FSRV_FILES_MAX   256	  /* open files per server */
#define KOSH_FSRV_SERVERS_MAX 4		  /* servers per process (the library's static storage) */
#define KOSH_FSRV_DEFER	      0xffffffffu /* an operation's result: the reply is deferred (below) */

struct kosh_fsrv;

/* One open file. The server keeps its own state in node and priv. */
struct kosh_fsrv_file {
	void *node;	/* set by open */
	uint64_t priv;	/* the server's, free to use */
	uint64_t pos;	/* position of a seekable file, kept by the library */
	uint32_t flags; /* KOSH_VFS_O_* as opened */
	uint32_t type;	/* enum kosh_vfs_type, set by open */
	int seekable;	/* set by open: the library keeps pos, SEEK works (else ESPIPE) */
};

struct kosh_fsrv_ops {
	/* Path operations (path normalised, inside the scheme, not NUL-terminated). */
	uint32_t (*open)(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			 struct kosh_fsrv_file *f);
	uint32_t (*statp)(struct kosh_fsrv *s, const char *path, uint32_t len,
			  struct kosh_vfs_stat *st);
	uint32_t (*mkdir)(struct kosh_fsrv *s, const char *path, uint32_t len);
	uint32_t (*unlink)(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags);
	uint32_t (*rename)(struct kosh_fsrv *s, const char *from, uint32_t from_len, const char *to,
			   uint32_t to_len);
	/*
	 * STATFS: what the filesystem holding path is (the library answers with the
	 * 96-byte struct, its strings cut to their last byte if unterminated).
	 * NULL: ENOSYS.
	 */
	uint32_t (*statfs)(struct kosh_fsrv *s, const char *path, uint32_t len,
			   struct kosh_vfs_statfs *st);
	/*
	 * UNMOUNT of "/" at the root (any other path: EINVAL): write everything
	 * back and mark the volume clean. Returning 0, the library sends the reply
	 * and kosh_fsrv_run returns KOSH_OK, for the server to exit (anything sent
	 * after it gets no answer: KOSH_E_PEER_CLOSED once the process is gone);
	 * an error is the reply, and serving goes on. NULL: ENOSYS.
	 */
	uint32_t (*unmount)(struct kosh_fsrv *s);
	/* File operations. off is f->pos for seekable files, 0 otherwise. */
	uint32_t (*read)(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			 uint32_t want, uint32_t *got);
	uint32_t (*write)(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			  const void *buf, uint32_t len, uint32_t *taken);
	uint32_t (*stat)(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st);
	/* Fill buf (size bytes) with records from cookie (kosh_vfs_dirent_put); *next, *end. */
	uint32_t (*readdir)(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t cookie,
			    void *buf, uint32_t size, uint32_t *used, uint64_t *next, int *end);
	uint32_t (*truncate)(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t size);
	uint32_t (*sync)(struct kosh_fsrv *s, struct kosh_fsrv_file *f);
	/* The file is forgotten (CLOSE); the library frees the slot afterwards. */
	void (*close)(struct kosh_fsrv *s, struct kosh_fsrv_file *f);
	/*
	 * Any other operation on a file (the terminal calls): req is checked, reply
	 * words[0 .. 3] are sent back with label 0 when the result is 0. A received
	 * capability is at kosh_fsrv_cap(s, 0).
	 */
	uint32_t (*other)(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
			  const struct kosh_vfs_request *req, uint64_t reply[KOSH_MSG_WORDS_REG]);
	/* Bits of the notification bound to the endpoint (interrupts, timers, exits). */
	void (*notify)(struct kosh_fsrv *s, uint64_t bits);
	/*
	 * DUP made f, a copy of an open file (node, priv, flags, type, pos): take
	 * the reference close will drop. NULL: DUP copies the file as it is if the
	 * server has no close (nothing to count), else answers ENOSYS.
	 */
	uint32_t (*dup)(struct kosh_fsrv *s, struct kosh_fsrv_file *f);
};

struct kosh_fsrv_config {
	const char *name; /* for log lines */
	/*
	 * Received on; its badged copies are the files, so it needs read, duplicate
	 * and file_rights (write, transfer, duplicate), and no badge of its own.
	 */
	kosh_handle_t endpoint;
	kosh_handle_t notification; /* 0, or bound to the endpoint: ops->notify gets its bits */
	kosh_handle_t quota;	    /* for deferred replies */
	const struct kosh_fsrv_ops *ops;
	void *ctx;	      /* the server's, kosh_fsrv_ctx() */
	uint32_t file_rights; /* rights of a file handle: default WRITE | TRANSFER | DUPLICATE */
	struct kosh_ipc_buffer
	    *ipc; /* the loop's thread's IPC buffer; NULL: found by kosh_fsrv_run */
};

/* Set up a server (in the library's static storage; KOSH_E_NO_MEMORY past KOSH_FSRV_SERVERS_MAX).
 */
kosh_err_t kosh_fsrv_init(struct kosh_fsrv **out, const struct kosh_fsrv_config *cfg);

/*
 * Serve; returns when the endpoint is gone (the error), or KOSH_OK after a
 * successful UNMOUNT was answered (ops->unmount).
 */
kosh_err_t kosh_fsrv_run(struct kosh_fsrv *s);

void *kosh_fsrv_ctx(struct kosh_fsrv *s);

/*
 * A capability that came with the request being handled (i < its caps), or 0.
 * The caller owns it from then on (a second call gives 0); the library closes
 * those nobody took once the operation returns.
 */
kosh_handle_t kosh_fsrv_cap(struct kosh_fsrv *s, uint32_t i);

/*
 * Send h (moved) with the successful reply to the request being handled, after
 * the library's own (an OPEN's file is cap 0, so a pipe's write end is cap 1).
 * Closed instead if the request fails. KOSH_E_TOO_BIG past KOSH_MSG_CAPS_MAX.
 */
kosh_err_t kosh_fsrv_reply_cap(struct kosh_fsrv *s, kosh_handle_t h);

/*
 * Deferring: an operation that cannot answer now (a READ of an empty pipe, of a
 * console without a line) calls kosh_fsrv_defer, keeps the returned reply
 * handle, and returns KOSH_FSRV_DEFER. Later, kosh_fsrv_answer_read sends the
 * data (or an error) for a deferred READ, kosh_fsrv_answer for anything else;
 * each consumes the reply handle. If the client is gone, the answer is dropped
 * and the result is KOSH_E_PEER_CLOSED (so a pipe keeps the data it would have
 * sent). Only files that are not seekable defer (the library moves pos only for
 * answers it sends itself). The answers use the calling thread's IPC buffer
 * (cfg.ipc): call them from the loop's thread, e.g. inside an operation.
 */
kosh_err_t kosh_fsrv_defer(struct kosh_fsrv *s, kosh_handle_t *reply);
kosh_err_t kosh_fsrv_answer_read(struct kosh_fsrv *s, kosh_handle_t reply, uint32_t err,
				 const void *data, uint32_t len);
kosh_err_t kosh_fsrv_answer(struct kosh_fsrv *s, kosh_handle_t reply, uint32_t err,
			    const uint64_t words[KOSH_MSG_WORDS_REG]);

/*
 * Open a file of this server without a request (a pipe's two ends, the
 * console's first file): a new badged handle in our own table for f's copy.
 * Made inside an operation that then fails, the file is forgotten again
 * (without close: the operation undoes its own state). A reply carrying files
 * made by OPEN, DUP or this goes out as a saved reply (cfg.quota); if its
 * caller is gone, those files are closed (ops->close) at once.
 */
kosh_err_t kosh_fsrv_open_local(struct kosh_fsrv *s, const struct kosh_fsrv_file *f,
				kosh_handle_t *out);

/*
 * A READ of a file whose contents are text[0 .. len): the bytes at off (at
 * most want) into buf and their count into *got, none at or past the end.
 * Returns 0, for a read handler to return.
 */
uint32_t kosh_fsrv_read_text(const void *text, uint64_t len, uint64_t off, void *buf,
			     uint32_t want, uint32_t *got);

#endif
