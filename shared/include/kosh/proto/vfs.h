/* SPDX-License-Identifier: MIT */
/*
 * The file protocol (DESIGN.md §8, docs/vfs.md): what vfsd, every scheme server
 * (initfs, fs, log, proc, svc, console, pipe) and every file capability speak.
 *
 * Three kinds of endpoint handle carry it:
 *  - the namespace, vfsd's endpoint ("vfs" in the start page): path operations on
 *    full URIs ("fs:///home/a"), which vfsd routes to the scheme's server and
 *    whose replies (a file capability included) it passes back; and, from the
 *    holder of the admin badge only (init), KOSH_VFS_REGISTER;
 *  - a scheme server's endpoint as vfsd holds it (badge 0): the same path
 *    operations with the path inside the scheme ("/home/a");
 *  - a file: a badged copy of the scheme server's endpoint, made by OPEN; the
 *    badge names the open file. Clients use it directly (vfsd is not on the data
 *    path) for READ, WRITE, SEEK, STAT, READDIR, TRUNCATE, SYNC, the terminal
 *    calls, CLOSE and DUP (CLOSE ends the open file for every holder of the
 *    handle, so a file handed to another process is a DUP or moved).
 *
 * Messages. The label is the operation. Word 0 .. 3 are in registers; bytes
 * (paths, data, records) start at word 4, KOSH_VFS_DATA_OFFSET bytes into the
 * words, and the message's word count covers them (rounded up to whole words).
 * Paths are given with their length and no NUL. A reply's label is 0 on success
 * or one of the KOSH_VFS_E* errors (the numbers of the Linux ABI's errno, which
 * musl uses on both architectures), and nothing else of a failed reply is
 * meaningful. Every field a server receives is checked (shared/lib/vfs.c).
 */
#ifndef KOSH_PROTO_VFS_H
#define KOSH_PROTO_VFS_H

#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>

/* Operations (the label of a request). */
enum kosh_vfs_op {
	/*
	 * Path operations: namespace (full URI) and scheme root (path in the scheme).
	 * OPEN's reply: cap 0 the file (moved), w0 type, w1 size; OPEN of pipe://
	 * (path "/" at pipesrv) answers with two: cap 0 the read end, cap 1 the write end.
	 */
	KOSH_VFS_OPEN = 1,   /* w0 flags, w1 path bytes; path | reply: see above */
	KOSH_VFS_STATP = 2,  /* w1 path bytes; path | reply: struct kosh_vfs_stat as data */
	KOSH_VFS_MKDIR = 3,  /* w1 path bytes; path | reply: - */
	KOSH_VFS_UNLINK = 4, /* w0 KOSH_VFS_UNLINK_DIR for rmdir, else 0; w1 path bytes; path */
	KOSH_VFS_RENAME = 5, /* w1 bytes of the old path, w2 of the new one; old then new (same scheme and mount) */
	KOSH_VFS_STATFS = 6, /* w1 path bytes; path | reply: struct kosh_vfs_statfs as data (of the mount holding path) */
	/* The namespace only, from the admin badge: word 1 the scheme's bytes, then the scheme; cap 0 its endpoint. */
	KOSH_VFS_REGISTER = 8,
	/*
	 * Mounts (docs/vfs.md, "Mounts"). At the namespace, from the admin badge only:
	 * MOUNT puts the server of cap 0 at a URI ("fs:///boot"), over whatever
	 * served that path before (the newest mount of a point wins; REGISTER is
	 * the scheme's first, bottom mount at "/"); UNMOUNT takes the newest mount
	 * of exactly that URI away (vfsd closes its endpoint). At a scheme
	 * server's root (badge 0), UNMOUNT with path "/" asks the server to write
	 * everything back, mark its volume clean and exit after the reply.
	 */
	KOSH_VFS_MOUNT = 9,   /* w0 KOSH_VFS_MOUNT_* flags, w1 URI bytes; URI; cap 0 the endpoint */
	KOSH_VFS_UNMOUNT = 10, /* w1 URI (namespace) or path (server) bytes; the URI or "/" */
	/* The namespace, anyone: the mount points, one per call, oldest first. */
	KOSH_VFS_MOUNTS = 11, /* w0 index (0: the first) | reply: w0 URI bytes, w1 next index, w2 1 if it was the last; URI as data */
	/* A file. */
	KOSH_VFS_READ = 16,     /* w0 most bytes wanted (more: KOSH_VFS_IO_MAX) | reply: w0 bytes; data (0: end of file) */
	KOSH_VFS_WRITE = 17,    /* w0 bytes; data | reply: w0 bytes taken */
	KOSH_VFS_SEEK = 18,     /* w0 offset (two's complement), w1 KOSH_VFS_SEEK_* | reply: w0 new position */
	KOSH_VFS_STAT = 19,     /* - | reply: struct kosh_vfs_stat as data */
	KOSH_VFS_READDIR = 20,  /* w0 cookie (0: from the start) | reply: w0 bytes, w1 next cookie, w2 1 at the end; records */
	KOSH_VFS_TRUNCATE = 21, /* w0 new size */
	KOSH_VFS_SYNC = 22,     /* - : what was written reaches the backing store */
	KOSH_VFS_CLOSE = 23,    /* - : the server forgets the open file; the client then closes its handle */
	KOSH_VFS_DUP = 24,      /* - | reply: cap 0 a new open file on the same node (moved), w0 type: its own CLOSE and position */
	/* A terminal (console files); others answer KOSH_VFS_ENOTTY. */
	KOSH_VFS_TTY_GET = 32,  /* - | reply: w0 KOSH_VFS_TTY_* mode, w1 rows, w2 columns */
	KOSH_VFS_TTY_SET = 33,  /* w0 mode */
	KOSH_VFS_TTY_FOREGROUND = 34, /* w0 bits; cap 0 a notification (signal right): Ctrl-C signals bits there; no cap: none */
};

/* Sizes. */
#define KOSH_VFS_DATA_OFFSET 32u                                  /* bytes: data starts at word 4 */
#define KOSH_VFS_IO_MAX	     ((KOSH_MSG_WORDS_MAX - 4u) * 8u)      /* 4064 bytes per READ / WRITE */
#define KOSH_VFS_PATH_MAX    1024u                                 /* bytes of a path or URI, no NUL */
#define KOSH_VFS_NAME_MAX    255u                                  /* bytes of one path component */
#define KOSH_VFS_SCHEME_MAX  15u                                   /* bytes of a scheme name: a-z 0-9 */

/* OPEN flags (word 0): the access mode in the low two bits, as O_RDONLY … */
#define KOSH_VFS_O_READ	     0x1u
#define KOSH_VFS_O_WRITE     0x2u
#define KOSH_VFS_O_CREATE    0x4u  /* create a regular file if missing */
#define KOSH_VFS_O_EXCL	     0x8u  /* with CREATE: fail if it exists */
#define KOSH_VFS_O_TRUNC     0x10u /* cut to 0 bytes (needs WRITE) */
#define KOSH_VFS_O_APPEND    0x20u /* every WRITE goes to the end */
#define KOSH_VFS_O_DIRECTORY 0x40u /* fail unless a directory */
#define KOSH_VFS_O_ALL	     0x7fu

#define KOSH_VFS_UNLINK_DIR 1u

/* MOUNT flags (word 0): none are defined yet (0); the mounted server says what it is in STATFS. */
#define KOSH_VFS_MOUNT_ALL 0x0u

enum kosh_vfs_seek { KOSH_VFS_SEEK_SET = 0, KOSH_VFS_SEEK_CUR = 1, KOSH_VFS_SEEK_END = 2 };

/* Node types (stat.type, dirent.type, OPEN's reply w0). */
enum kosh_vfs_type {
	KOSH_VFS_FILE = 1,
	KOSH_VFS_DIR = 2,
	KOSH_VFS_TTY = 3,  /* a terminal */
	KOSH_VFS_PIPE = 4, /* one end of a pipe */
	KOSH_VFS_DEV = 5,  /* anything else that streams (rng://) */
};

/* Terminal modes (TTY_GET / TTY_SET word 0). Default: ECHO | CANON. */
#define KOSH_VFS_TTY_ECHO  0x1u /* typed characters are echoed */
#define KOSH_VFS_TTY_CANON 0x2u /* lines: READ returns whole lines, backspace edits, Ctrl-D ends input */
#define KOSH_VFS_TTY_ALL   0x3u

struct kosh_vfs_stat {
	uint32_t type;      /* enum kosh_vfs_type */
	uint32_t mode;      /* permission bits as st_mode's low 12 (0644, 0755 …) */
	uint64_t size;      /* bytes (a directory: its entries) */
	uint64_t mtime_ns;  /* last change, ns since 1970 (0: unknown) */
	uint64_t ctime_ns;  /* creation, ns since 1970 (0: unknown) */
	uint64_t ino;       /* unique within the scheme */
	uint32_t nlink;
	uint32_t blksize;
};
_Static_assert(sizeof(struct kosh_vfs_stat) == 48, "kosh_vfs_stat layout");

/*
 * STATFS's answer: the filesystem of the mount that holds the path. A server
 * without one answers ENOSYS.
 */
#define KOSH_VFS_STATFS_READ_ONLY 0x1u /* mounted read-only (asked, or forced by damage) */
#define KOSH_VFS_STATFS_DAMAGED	  0x2u /* damage was found: read-only until repaired */
#define KOSH_VFS_STATFS_WAS_DIRTY 0x4u /* not cleanly unmounted last time */
#define KOSH_VFS_FSTYPE_MAX	  16u	/* bytes of type, with its NUL */
#define KOSH_VFS_SOURCE_MAX	  48u	/* bytes of source, with its NUL */
struct kosh_vfs_statfs {
	uint64_t block_size;		  /* bytes of an allocation unit (a FAT cluster, a page) */
	uint64_t blocks;		  /* units the filesystem has for data */
	uint64_t blocks_free;		  /* units free */
	uint32_t flags;			  /* KOSH_VFS_STATFS_* */
	uint32_t name_max;		  /* bytes of a name (255) */
	char type[KOSH_VFS_FSTYPE_MAX];	  /* "fat32", "ramfs" …, NUL-terminated */
	char source[KOSH_VFS_SOURCE_MAX]; /* "dev:///vda1", or "" (memory), NUL-terminated */
};
_Static_assert(sizeof(struct kosh_vfs_statfs) == 96, "kosh_vfs_statfs layout");

/*
 * READDIR records, packed one after another in the reply's data: each starts on
 * an 8-byte boundary and is KOSH_VFS_DIRENT_SIZE(namelen) bytes long. "." and
 * ".." are not listed.
 */
struct kosh_vfs_dirent {
	uint64_t ino;
	uint8_t type;      /* enum kosh_vfs_type */
	uint8_t reserved;  /* 0 */
	uint16_t namelen;  /* 1 .. KOSH_VFS_NAME_MAX */
	char name[];       /* namelen bytes, then a NUL */
};
#define KOSH_VFS_DIRENT_SIZE(namelen) ((12u + (uint32_t)(namelen) + 1u + 7u) & ~7u)

/* vfsd's badges on its own endpoint: init keeps ADMIN; every other holder has CLIENT. */
#define KOSH_VFS_BADGE_CLIENT 1u
#define KOSH_VFS_BADGE_ADMIN  2u

/* Errors (a reply's label): the Linux ABI's errno numbers. */
#define KOSH_VFS_EPERM	      1u
#define KOSH_VFS_ENOENT	      2u
#define KOSH_VFS_EINTR	      4u
#define KOSH_VFS_EIO	      5u
#define KOSH_VFS_EBADF	      9u
#define KOSH_VFS_EAGAIN	      11u
#define KOSH_VFS_ENOMEM	      12u
#define KOSH_VFS_EACCES	      13u
#define KOSH_VFS_EBUSY	      16u
#define KOSH_VFS_EEXIST	      17u
#define KOSH_VFS_EXDEV	      18u
#define KOSH_VFS_ENODEV	      19u /* the device (or any source of what was asked) is absent */
#define KOSH_VFS_ENOTDIR      20u
#define KOSH_VFS_EISDIR	      21u
#define KOSH_VFS_EINVAL	      22u
#define KOSH_VFS_ENFILE	      23u
#define KOSH_VFS_ENOTTY	      25u
#define KOSH_VFS_EFBIG	      27u
#define KOSH_VFS_ENOSPC	      28u
#define KOSH_VFS_ESPIPE	      29u
#define KOSH_VFS_EROFS	      30u
#define KOSH_VFS_EPIPE	      32u
#define KOSH_VFS_ENAMETOOLONG 36u
#define KOSH_VFS_ENOSYS	      38u
#define KOSH_VFS_ENOTEMPTY    39u
#define KOSH_VFS_EPROTO	      71u /* a malformed message */

/*
 * shared/lib/vfs.c: the checks every side makes.
 */

/* A request as a server sees it, after kosh_vfs_decode checked it. */
struct kosh_vfs_request {
	uint32_t op;           /* enum kosh_vfs_op */
	uint64_t arg[3];       /* words 0 .. 2 as the operation defines them */
	const char *path;      /* OPEN … STATFS, REGISTER, MOUNT, UNMOUNT: the (first) path or URI, not NUL-terminated */
	uint32_t path_len;
	const char *path2;     /* RENAME: the new path */
	uint32_t path2_len;
	const void *data;      /* WRITE: arg[0] bytes */
	uint32_t caps;         /* capabilities that came with it */
};

/*
 * Check a request: tag (label, word count, caps) and the words, with the bytes
 * from word 4 at data (words - 4 words of them), against what op allows. Returns 0
 * and fills *req, or a KOSH_VFS_E* error (EPROTO for a malformed message, EINVAL
 * for bad flags or whence, ENAMETOOLONG …). Paths are checked as
 * kosh_vfs_path_check says.
 */
uint32_t kosh_vfs_decode(uint64_t tag, const uint64_t words[KOSH_MSG_WORDS_REG], const void *data,
			 struct kosh_vfs_request *req);

/* A path inside a scheme: starts with '/', valid UTF-8, no NUL or control bytes, components <= NAME_MAX. 0 or an error. */
uint32_t kosh_vfs_path_check(const char *path, uint32_t len);

/*
 * Split a URI "scheme://path" (a bare "/path" means "fs:///path"): the scheme
 * into scheme[KOSH_VFS_SCHEME_MAX + 1], the path normalised into out (".", ".."
 * and repeated '/' resolved, ".." stops at the root, no trailing '/' except the
 * root itself) of out_size bytes with a NUL. Returns 0 or an error.
 */
uint32_t kosh_vfs_uri_split(const char *uri, uint32_t len, char *scheme, char *out, uint32_t out_size);

/* Join cwd (a full URI) and a path the way open() resolves a relative name; out gets a NUL. 0 or an error. */
uint32_t kosh_vfs_uri_join(const char *cwd, const char *path, char *out, uint32_t out_size);

/* Append one READDIR record to buf (size bytes, *used so far); 0, or ENOSPC when it does not fit. */
uint32_t kosh_vfs_dirent_put(void *buf, uint32_t size, uint32_t *used, uint64_t ino, uint32_t type,
			     const char *name, uint32_t namelen);

/*
 * The next READDIR record in data[0 .. len) from *pos (then moved past it),
 * checked: inside the data, namelen 1 .. NAME_MAX, a NUL after the name and none
 * or '/' in it, not "." or "..", type not 0, reserved 0. NULL at the end or on
 * damage (*pos unmoved). data must be 8-byte aligned (NULL otherwise).
 */
const struct kosh_vfs_dirent *kosh_vfs_dirent_next(const void *data, uint32_t len, uint32_t *pos);

/* English text of a KOSH_VFS_E* error ("no such file or directory"), "unknown error" otherwise. */
const char *kosh_vfs_strerror(uint32_t err);

#endif
