/* SPDX-License-Identifier: MIT */
/*
 * The client side of the file protocol (<kosh/proto/vfs.h>), under musl's
 * system layer and for programs that talk to files without the C library
 * (servers, init). Every call returns 0 or a KOSH_VFS_E* error; an IPC failure
 * (the server is gone, a timeout) is KOSH_VFS_EIO, a bad handle KOSH_VFS_EBADF.
 * URIs are full ("fs:///a", "initfs:///etc/services") or bare "/a" (fs:///a);
 * relative names are the C library's business (it keeps the working directory).
 */
#ifndef KOSH_USER_FILE_H
#define KOSH_USER_FILE_H

#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/proto/vfs.h>

/* The namespace: the start page's "vfs" handle (0 when not given). */
kosh_handle_t kosh_vfs(void);

/* Path operations through the namespace ns (normally kosh_vfs()). */
uint32_t kosh_file_open(kosh_handle_t ns, const char *uri, uint32_t flags, kosh_handle_t *file,
			uint32_t *type, uint64_t *size);
uint32_t kosh_file_statp(kosh_handle_t ns, const char *uri, struct kosh_vfs_stat *st);
uint32_t kosh_file_mkdir(kosh_handle_t ns, const char *uri);
uint32_t kosh_file_unlink(kosh_handle_t ns, const char *uri, uint32_t flags);
uint32_t kosh_file_rename(kosh_handle_t ns, const char *from, const char *to);
/* A pipe: OPEN of "pipe://", whose reply brings the read end, then the write end. */
uint32_t kosh_file_pipe(kosh_handle_t ns, kosh_handle_t *read_end, kosh_handle_t *write_end);
/* The admin badge only (init): scheme is served on endpoint ep (a copy is sent). */
uint32_t kosh_file_register(kosh_handle_t ns, const char *scheme, kosh_handle_t ep);

/*
 * Mounts (docs/vfs.md, "Mounts"). STATFS of a full URI at the namespace (the
 * filesystem of the mount holding it), or of "/" at a scheme server's root
 * endpoint; the reply must be exactly the struct (else EPROTO) and its
 * strings come back NUL-terminated (cut at their last byte if they were not).
 */
uint32_t kosh_file_statfs(kosh_handle_t ns, const char *uri, struct kosh_vfs_statfs *st);
/* The admin badge only: the server of endpoint ep at uri ("fs:///boot"); a copy of ep is sent (ep stays ours). */
uint32_t kosh_file_mount(kosh_handle_t ns, const char *uri, kosh_handle_t ep);
/*
 * The admin badge only: the newest mount of exactly uri goes. At a scheme
 * server's root endpoint with uri "/": it writes back, answers and exits.
 */
uint32_t kosh_file_unmount(kosh_handle_t ns, const char *uri);
/*
 * Mount point number index (0: the oldest), as "scheme:///path" with a NUL in
 * uri (size bytes: ENAMETOOLONG if it does not fit); *next the index of the
 * following one, *last 1 if this was the last (either may be NULL). ENOENT
 * past the end.
 */
uint32_t kosh_file_mounts(kosh_handle_t ns, uint64_t index, char *uri, uint32_t size,
			  uint64_t *next, int *last);

/* Operations on an open file. READ and WRITE move at most KOSH_VFS_IO_MAX bytes a call. */
uint32_t kosh_file_read(kosh_handle_t f, void *buf, uint32_t len, uint32_t *got);
uint32_t kosh_file_write(kosh_handle_t f, const void *buf, uint32_t len, uint32_t *done);
uint32_t kosh_file_seek(kosh_handle_t f, int64_t off, uint32_t whence, uint64_t *pos);
uint32_t kosh_file_stat(kosh_handle_t f, struct kosh_vfs_stat *st);
/* Records (kosh_vfs_dirent_next) from cookie into buf; size must be >= KOSH_VFS_IO_MAX. */
uint32_t kosh_file_readdir(kosh_handle_t f, uint64_t cookie, void *buf, uint32_t size,
			   uint32_t *used, uint64_t *next, int *end);
uint32_t kosh_file_truncate(kosh_handle_t f, uint64_t size);
uint32_t kosh_file_sync(kosh_handle_t f);
/* DUP: a new open file on the same node, with its own position and CLOSE (to hand to another process). */
uint32_t kosh_file_dup(kosh_handle_t f, kosh_handle_t *out);
/* CLOSE, then close the handle (both even if the server is gone). */
uint32_t kosh_file_close(kosh_handle_t f);

/* The terminal calls (console files). */
uint32_t kosh_file_tty_get(kosh_handle_t f, uint32_t *mode, uint32_t *rows, uint32_t *cols);
uint32_t kosh_file_tty_set(kosh_handle_t f, uint32_t mode);
uint32_t kosh_file_tty_foreground(kosh_handle_t f, kosh_handle_t notification, uint64_t bits);

/* A whole file into pages of our own (kosh_page_alloc); free with kosh_page_free. An
 * empty file gives *data NULL and *size 0. */
uint32_t kosh_file_load(kosh_handle_t ns, const char *uri, void **data, uint64_t *size);

/*
 * The wall clock as an offset from the monotonic clock (ns since 1970 minus
 * kosh_clock_get()), read from time:///now through ns, the reading taken as
 * made halfway through the READ; 0 when there is none (no time://, an answer
 * that is not "<seconds>.<9 digits>\n", a wall clock before the boot).
 */
uint64_t kosh_file_realtime_offset(kosh_handle_t ns);

#endif
