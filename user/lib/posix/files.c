/* SPDX-License-Identifier: MIT */
/*
 * Files, directories and the working directory of the system layer
 * (<kosh/posix.h>), on the file protocol (<kosh/file.h>).
 *
 * Names: every path musl passes is made a full URI first (posix_path:
 * kosh_vfs_uri_join against the working directory, or against the directory a
 * dirfd names) and goes to the namespace, the start page's "vfs" handle (or
 * the one kosh_posix_set_namespace gave); without one, nothing exists (ENOENT). The working directory is a full URI
 * kept here, taken from the environment variable PWD at start ("fs:///" if
 * unset or not a URI or absolute path).
 *
 * Descriptors 0, 1 and 2 are the start page's "stdin", "stdout" and "stderr"
 * file handles (their value: the file's KOSH_VFS_* type, 0 if unknown). A
 * program without "stdout" or "stderr" writes there to the kernel log instead,
 * a line at a time (POSIX_FILE_LOG); one without "stdin" has no descriptor 0
 * (EBADF). Handles given under two of these names with the same badge are one
 * open file. Every open file is this process's own: when its last descriptor is
 * closed, and for all of them at exit, CLOSE goes to its server — so a spawner
 * gives each child a file of its own (a fresh OPEN, or moves its handle).
 */
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/posix.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/linux.h>

void *malloc(size_t size);
void free(void *p);

#define URI_SIZE (KOSH_VFS_PATH_MAX + 1)

/* Linux's file types in st_mode and d_type. */
#define S_IFIFO	 0010000
#define S_IFCHR	 0020000
#define S_IFDIR	 0040000
#define S_IFREG	 0100000
#define DT_FIFO	 1
#define DT_CHR	 2
#define DT_DIR	 4
#define DT_REG	 8

struct linux_iovec {
	void *base;
	size_t len;
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
#define DIRENT64_NAME 19 /* offset of d_name */

/* getdents64's state: the last READDIR reply and how far it was handed out. */
struct posix_dir {
	uint64_t cookie;       /* where the reply in buf started */
	uint64_t next;         /* the cookie after it */
	int end;               /* the reply was the last */
	uint32_t used, pos;    /* bytes in buf, bytes handed out */
	uint64_t buf[KOSH_VFS_IO_MAX / 8];
};

static char cwd[URI_SIZE];
static kosh_handle_t namespace_set; /* kosh_posix_set_namespace; 0: the start page's */

/* ---- errors and small helpers ---- */

static long vfs_err(uint32_t err)
{
	return -(long)err; /* the protocol's errors are Linux's errno values */
}

static kosh_handle_t namespace(void)
{
	return namespace_set ? namespace_set : kosh_vfs();
}

void kosh_posix_set_namespace(kosh_handle_t ns)
{
	namespace_set = ns;
}

static uint32_t mode_of(uint32_t type)
{
	switch (type) {
	case KOSH_VFS_DIR:
		return S_IFDIR;
	case KOSH_VFS_TTY:
	case KOSH_VFS_DEV:
		return S_IFCHR;
	case KOSH_VFS_PIPE:
		return S_IFIFO;
	default:
		return S_IFREG;
	}
}

static uint8_t dtype_of(uint32_t type)
{
	switch (type) {
	case KOSH_VFS_DIR:
		return DT_DIR;
	case KOSH_VFS_TTY:
	case KOSH_VFS_DEV:
		return DT_CHR;
	case KOSH_VFS_PIPE:
		return DT_FIFO;
	default:
		return DT_REG;
	}
}

static void stat_fill(struct arch_linux_stat *out, const struct kosh_vfs_stat *st)
{
	*out = (struct arch_linux_stat){ 0 };
	out->st_dev = 1;
	out->st_ino = st->ino;
	out->st_nlink = st->nlink ? st->nlink : 1;
	out->st_mode = mode_of(st->type) | (st->mode & 07777);
	out->st_size = (int64_t)st->size;
	out->st_blksize = st->blksize ? st->blksize : 4096;
	out->st_blocks = (int64_t)((st->size + 511) / 512);
	out->st_mtime_sec = (int64_t)(st->mtime_ns / 1000000000u);
	out->st_mtime_nsec = (int64_t)(st->mtime_ns % 1000000000u);
	out->st_atime_sec = out->st_mtime_sec;
	out->st_atime_nsec = out->st_mtime_nsec;
	out->st_ctime_sec = (int64_t)(st->ctime_ns / 1000000000u);
	out->st_ctime_nsec = (int64_t)(st->ctime_ns % 1000000000u);
}

/* ---- the working directory and names ---- */

/* 1 if s starts with "scheme://". */
static int has_scheme(const char *s)
{
	int i = 0;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
		i++;
	return i > 0 && s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/';
}

static void cwd_setup(void)
{
	if (cwd[0])
		return;
	const char *pwd = kosh_getenv("PWD");
	if (!pwd || kosh_vfs_uri_join("fs:///", pwd, cwd, sizeof(cwd)) != 0)
		strlcpy(cwd, "fs:///", sizeof(cwd));
}

const char *kosh_posix_cwd(void)
{
	cwd_setup();
	return cwd;
}

long posix_path(int dirfd, const char *path, char *out, uint32_t size)
{
	const char *base = kosh_posix_cwd();
	if (!path)
		return -LINUX_EFAULT;
	if (dirfd != LINUX_AT_FDCWD && path[0] != '/' && !has_scheme(path)) {
		struct posix_file *f = posix_fd_get(dirfd);
		if (!f)
			return -LINUX_EBADF;
		if (!f->uri)
			return -LINUX_ENOTDIR;
		base = f->uri;
	}
	return vfs_err(kosh_vfs_uri_join(base, path, out, size));
}

/* ---- descriptors 0, 1, 2 ---- */

static uint64_t badge_of(kosh_handle_t h)
{
	struct kosh_handle_info info;
	if (kosh_info(h, &info) || info.type != KOSH_OBJ_ENDPOINT)
		return UINT64_MAX;
	return info.badge;
}

void posix_fd_setup(void)
{
	static const char *const names[3] = { "stdin", "stdout", "stderr" };
	struct posix_file *given[3] = { NULL, NULL, NULL };
	for (int fd = 0; fd < 3; fd++) {
		uint64_t type = 0;
		kosh_handle_t h = kosh_start_handle(names[fd], &type);
		for (int j = 0; h && j < fd; j++) {
			if (given[j] && given[j]->kind == POSIX_FILE_VFS && badge_of(h) != UINT64_MAX &&
			    badge_of(given[j]->handle) == badge_of(h)) {
				/* The same open file twice ("2>&1"): one open file, one CLOSE. */
				given[fd] = given[j];
				if ((given[j]->flags & LINUX_O_ACCMODE) != (fd == 0 ? 0 : LINUX_O_WRONLY))
					given[j]->flags = LINUX_O_RDWR; /* the server checks access */
				kosh_handle_close(h);
				break;
			}
		}
		if (!given[fd] && (h || fd > 0)) {
			struct posix_file *f = posix_file_new();
			if (!f)
				continue;
			f->kind = h ? POSIX_FILE_VFS : POSIX_FILE_LOG;
			f->handle = h;
			f->type = type <= KOSH_VFS_DEV ? (uint32_t)type : 0;
			f->flags = fd == 0 ? 0 : LINUX_O_WRONLY;
			given[fd] = f;
		}
		if (given[fd])
			posix_fd_set(fd, given[fd], 0);
	}
}

void posix_file_release(struct posix_file *f)
{
	if (f->kind == POSIX_FILE_VFS && f->handle)
		kosh_file_close(f->handle);
	if (f->kind == POSIX_FILE_LOG && f->line_len)
		kosh_log_line(f->line, f->line_len);
	free(f->uri);
	free(f->dir);
}

/* ---- the kernel log as stdout ---- */

static long log_write(struct posix_file *f, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			f->line[f->line_len++] = buf[i];
		if (buf[i] == '\n' || f->line_len == sizeof(f->line)) {
			kosh_log_line(f->line, f->line_len);
			f->line_len = 0;
		}
	}
	return (long)len;
}

void posix_log_flush(void)
{
	for (int fd = 1; fd < 3; fd++) {
		struct posix_file *f = posix_fd_get(fd);
		if (f && f->kind == POSIX_FILE_LOG && f->line_len) {
			kosh_log_line(f->line, f->line_len);
			f->line_len = 0;
		}
	}
}

/* ---- reading and writing ---- */

/* The open file of fd for I/O in direction want (LINUX_O_WRONLY: writing), or NULL with *err. */
static struct posix_file *io_file(int fd, int writing, long *err)
{
	struct posix_file *f = posix_fd_get(fd);
	uint32_t acc = f ? f->flags & LINUX_O_ACCMODE : 0;
	*err = -LINUX_EBADF;
	if (!f || (writing && acc == 0) || (!writing && acc == LINUX_O_WRONLY))
		return NULL;
	if (f->type == KOSH_VFS_DIR) {
		*err = -LINUX_EISDIR;
		return NULL;
	}
	return f;
}

static long file_read(struct posix_file *f, uint8_t *buf, size_t len)
{
	size_t done = 0;
	if (f->kind != POSIX_FILE_VFS)
		return -LINUX_EBADF;
	/* Regular files are read in full; a pipe or terminal returns what it has. */
	do {
		uint32_t got = 0, want = len - done > KOSH_VFS_IO_MAX ? KOSH_VFS_IO_MAX
								       : (uint32_t)(len - done);
		uint32_t err = kosh_file_read(f->handle, buf + done, want, &got);
		if (err)
			return done ? (long)done : vfs_err(err);
		done += got;
		if (got < want || f->type != KOSH_VFS_FILE)
			break;
	} while (done < len);
	return (long)done;
}

static long file_write(struct posix_file *f, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	if (f->kind == POSIX_FILE_LOG)
		return log_write(f, (const char *)buf, len);
	while (done < len) {
		uint32_t took = 0, n = len - done > KOSH_VFS_IO_MAX ? KOSH_VFS_IO_MAX
								    : (uint32_t)(len - done);
		uint32_t err = kosh_file_write(f->handle, buf + done, n, &took);
		if (err)
			return done ? (long)done : vfs_err(err);
		if (took == 0)
			return done ? (long)done : -LINUX_EIO;
		done += took;
	}
	return (long)done;
}

long posix_sys_read(const long a[6])
{
	long err;
	struct posix_file *f = io_file((int)a[0], 0, &err);
	if (!f)
		return err;
	return a[2] ? file_read(f, (uint8_t *)a[1], (size_t)a[2]) : 0;
}

long posix_sys_write(const long a[6])
{
	long err;
	struct posix_file *f = io_file((int)a[0], 1, &err);
	if (!f)
		return err;
	return a[2] ? file_write(f, (const uint8_t *)a[1], (size_t)a[2]) : 0;
}

/* readv and writev: one piece after the other; a short piece ends the call. */
static long vector_io(const long a[6], int writing)
{
	long err;
	struct posix_file *f = io_file((int)a[0], writing, &err);
	const struct linux_iovec *iov = (const struct linux_iovec *)a[1];
	long total = 0;
	if (!f)
		return err;
	if (a[2] < 0 || a[2] > 1024)
		return -LINUX_EINVAL;
	for (long i = 0; i < a[2]; i++) {
		if (!iov[i].len)
			continue;
		long n = writing ? file_write(f, iov[i].base, iov[i].len)
				 : file_read(f, iov[i].base, iov[i].len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((size_t)n < iov[i].len)
			break;
	}
	return total;
}

long posix_sys_readv(const long a[6])
{
	return vector_io(a, 0);
}

long posix_sys_writev(const long a[6])
{
	return vector_io(a, 1);
}

/* pread / pwrite: seek there, do the I/O, seek back (not atomic: one thread). */
static long positioned_io(const long a[6], int writing)
{
	long err;
	struct posix_file *f = io_file((int)a[0], writing, &err);
	uint64_t old;
	if (!f)
		return err;
	if (f->kind != POSIX_FILE_VFS || (f->type && f->type != KOSH_VFS_FILE))
		return -LINUX_ESPIPE;
	if (a[3] < 0)
		return -LINUX_EINVAL;
	uint32_t e = kosh_file_seek(f->handle, 0, KOSH_VFS_SEEK_CUR, &old);
	if (!e)
		e = kosh_file_seek(f->handle, a[3], KOSH_VFS_SEEK_SET, NULL);
	if (e)
		return vfs_err(e);
	long n = writing ? file_write(f, (const uint8_t *)a[1], (size_t)a[2])
			 : file_read(f, (uint8_t *)a[1], (size_t)a[2]);
	e = kosh_file_seek(f->handle, (int64_t)old, KOSH_VFS_SEEK_SET, NULL);
	return n >= 0 && e ? vfs_err(e) : n;
}

long posix_sys_pread64(const long a[6])
{
	return positioned_io(a, 0);
}

long posix_sys_pwrite64(const long a[6])
{
	return positioned_io(a, 1);
}

static void dir_reset(struct posix_file *f, uint64_t cookie)
{
	if (f->dir)
		*f->dir = (struct posix_dir){ .cookie = cookie, .next = cookie };
}

long posix_sys_lseek(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	uint64_t pos;
	if (!f)
		return -LINUX_EBADF;
	if (a[2] < KOSH_VFS_SEEK_SET || a[2] > KOSH_VFS_SEEK_END)
		return -LINUX_EINVAL;
	if (f->kind != POSIX_FILE_VFS)
		return -LINUX_ESPIPE;
	if (f->type == KOSH_VFS_DIR) {
		/* A directory's position is a READDIR cookie: rewinddir, telldir, seekdir. */
		if (a[2] == KOSH_VFS_SEEK_CUR && a[1] == 0)
			return f->dir ? (long)f->dir->cookie : 0;
		if (a[2] != KOSH_VFS_SEEK_SET || a[1] < 0)
			return -LINUX_EINVAL;
		dir_reset(f, (uint64_t)a[1]);
		return a[1];
	}
	uint32_t err = kosh_file_seek(f->handle, a[1], (uint32_t)a[2], &pos);
	if (err)
		return vfs_err(err);
	return (long)pos;
}

/* ---- opening and closing ---- */

static long open_flags(long flags, uint32_t *vfs)
{
	uint32_t acc = flags & LINUX_O_ACCMODE;
	if (acc == LINUX_O_ACCMODE)
		return -LINUX_EINVAL;
	*vfs = acc == 0 ? KOSH_VFS_O_READ
			: acc == LINUX_O_WRONLY ? KOSH_VFS_O_WRITE : KOSH_VFS_O_READ | KOSH_VFS_O_WRITE;
	if (flags & LINUX_O_PATH)
		*vfs = KOSH_VFS_O_READ;
	if (flags & LINUX_O_CREAT)
		*vfs |= KOSH_VFS_O_CREATE;
	if ((flags & LINUX_O_EXCL) && (flags & LINUX_O_CREAT))
		*vfs |= KOSH_VFS_O_EXCL;
	if ((flags & LINUX_O_TRUNC) && acc != 0)
		*vfs |= KOSH_VFS_O_TRUNC;
	if (flags & LINUX_O_APPEND)
		*vfs |= KOSH_VFS_O_APPEND;
	if (flags & ARCH_LINUX_O_DIRECTORY) {
		if (flags & LINUX_O_CREAT)
			return -LINUX_EINVAL;
		*vfs |= KOSH_VFS_O_DIRECTORY;
	}
	return 0;
}

static char *copy_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static long do_open(int dirfd, const char *path, long flags)
{
	char uri[URI_SIZE];
	uint32_t vflags, type = 0;
	uint64_t size;
	kosh_handle_t h;
	long err = open_flags(flags, &vflags);
	if (!err)
		err = posix_path(dirfd, path, uri, sizeof(uri));
	if (err)
		return err;
	struct posix_file *f = posix_file_new();
	if (!f)
		return -LINUX_EMFILE;
	if (!namespace())
		return -LINUX_ENOENT;
	uint32_t verr = kosh_file_open(namespace(), uri, vflags, &h, &type, &size);
	if (verr)
		return vfs_err(verr);
	f->kind = POSIX_FILE_VFS;
	f->handle = h;
	f->type = type;
	f->flags = (uint32_t)(flags & (LINUX_O_ACCMODE | LINUX_O_APPEND | LINUX_O_NONBLOCK));
	if (flags & LINUX_O_PATH)
		f->flags &= ~(uint32_t)LINUX_O_ACCMODE;
	if (type == KOSH_VFS_DIR && !(f->uri = copy_string(uri))) {
		posix_file_discard(f);
		return -LINUX_ENOMEM;
	}
	long fd = posix_fd_alloc(f, 0, (flags & LINUX_O_CLOEXEC) != 0);
	if (fd < 0)
		posix_file_discard(f);
	return fd;
}

long posix_sys_open(const long a[6])
{
	return do_open(LINUX_AT_FDCWD, (const char *)a[0], a[1]);
}

long posix_sys_openat(const long a[6])
{
	return do_open((int)a[0], (const char *)a[1], a[2]);
}

long posix_sys_close(const long a[6])
{
	return posix_fd_close((int)a[0]);
}

long posix_sys_pipe2(const long a[6])
{
	int *fds = (int *)a[0];
	kosh_handle_t end[2];
	struct posix_file *f[2] = { NULL, NULL };
	if (a[1] & ~(long)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK))
		return -LINUX_EINVAL;
	if (!namespace())
		return -LINUX_ENOENT;
	uint32_t err = kosh_file_pipe(namespace(), &end[0], &end[1]);
	if (err)
		return vfs_err(err);
	for (int i = 0; i < 2; i++) {
		f[i] = posix_file_new();
		if (!f[i]) {
			kosh_file_close(end[i]);
			continue;
		}
		f[i]->kind = POSIX_FILE_VFS;
		f[i]->handle = end[i];
		f[i]->type = KOSH_VFS_PIPE;
		f[i]->flags = (i ? LINUX_O_WRONLY : 0) | (uint32_t)(a[1] & LINUX_O_NONBLOCK);
	}
	int cloexec = (a[1] & LINUX_O_CLOEXEC) != 0;
	int r = f[0] && f[1] ? posix_fd_alloc(f[0], 0, cloexec) : -LINUX_EMFILE;
	int w = r >= 0 ? posix_fd_alloc(f[1], 0, cloexec) : -LINUX_EMFILE;
	if (w < 0) {
		if (r >= 0)
			posix_fd_close(r);
		else
			posix_file_discard(f[0]);
		posix_file_discard(f[1]);
		return w;
	}
	fds[0] = r;
	fds[1] = w;
	return 0;
}

long posix_sys_pipe(const long a[6])
{
	const long b[6] = { a[0], 0 };
	return posix_sys_pipe2(b);
}

/* ---- descriptors ---- */

long posix_sys_dup(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	return f ? posix_fd_alloc(f, 0, 0) : -LINUX_EBADF;
}

long posix_sys_dup3(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (a[0] == a[1] || (a[2] & ~(long)LINUX_O_CLOEXEC))
		return -LINUX_EINVAL;
	return posix_fd_set((int)a[1], f, (a[2] & LINUX_O_CLOEXEC) != 0);
}

long posix_sys_dup2(const long a[6])
{
	if (a[0] == a[1])
		return posix_fd_get((int)a[0]) ? a[1] : -LINUX_EBADF;
	const long b[6] = { a[0], a[1], 0 };
	return posix_sys_dup3(b);
}

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC	1

long posix_sys_fcntl(const long a[6])
{
	int fd = (int)a[0];
	struct posix_file *f = posix_fd_get(fd);
	if (!f)
		return -LINUX_EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		return posix_fd_alloc(f, (int)a[2], a[1] == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return posix_fd_cloexec(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		return posix_fd_set_cloexec(fd, a[2] & FD_CLOEXEC);
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		/* Only O_NONBLOCK changes (and is not acted on); O_APPEND stays as opened. */
		f->flags = (f->flags & ~(uint32_t)LINUX_O_NONBLOCK) | (uint32_t)(a[2] & LINUX_O_NONBLOCK);
		return 0;
	default:
		return -LINUX_EINVAL;
	}
}

/* ---- status ---- */

long posix_sys_fstat(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	struct kosh_vfs_stat st = { 0 };
	if (!f)
		return -LINUX_EBADF;
	if (f->kind == POSIX_FILE_LOG) {
		st.type = KOSH_VFS_DEV;
		st.mode = 0620;
	} else {
		uint32_t err = kosh_file_stat(f->handle, &st);
		if (err)
			return vfs_err(err);
	}
	stat_fill((struct arch_linux_stat *)a[1], &st);
	return 0;
}

static long stat_path(int dirfd, const char *path, struct arch_linux_stat *out)
{
	char uri[URI_SIZE];
	struct kosh_vfs_stat st;
	long err = posix_path(dirfd, path, uri, sizeof(uri));
	if (err)
		return err;
	if (!namespace())
		return -LINUX_ENOENT;
	uint32_t verr = kosh_file_statp(namespace(), uri, &st);
	if (verr)
		return vfs_err(verr);
	if (out)
		stat_fill(out, &st);
	return 0;
}

long posix_sys_stat(const long a[6])
{
	return stat_path(LINUX_AT_FDCWD, (const char *)a[0], (struct arch_linux_stat *)a[1]);
}

long posix_sys_lstat(const long a[6])
{
	return posix_sys_stat(a); /* no symbolic links */
}

long posix_sys_newfstatat(const long a[6])
{
	const char *path = (const char *)a[1];
	if ((a[3] & LINUX_AT_EMPTY_PATH) && path && !path[0]) {
		const long b[6] = { a[0], a[2] };
		return posix_sys_fstat(b);
	}
	return stat_path((int)a[0], path, (struct arch_linux_stat *)a[2]);
}

long posix_sys_faccessat(const long a[6])
{
	return stat_path((int)a[0], (const char *)a[1], NULL); /* no permissions: it exists */
}

long posix_sys_faccessat2(const long a[6])
{
	return posix_sys_faccessat(a);
}

long posix_sys_access(const long a[6])
{
	return stat_path(LINUX_AT_FDCWD, (const char *)a[0], NULL);
}

/* No symbolic links: a name that exists is not one (EINVAL). */
long posix_sys_readlinkat(const long a[6])
{
	long err = stat_path((int)a[0], (const char *)a[1], NULL);
	return err ? err : -LINUX_EINVAL;
}

long posix_sys_readlink(const long a[6])
{
	const long b[6] = { LINUX_AT_FDCWD, a[0], a[1], a[2] };
	return posix_sys_readlinkat(b);
}

/* ---- directories ---- */

/* Fill the state with the next READDIR reply; 0 or -errno. */
static long dir_fill(struct posix_file *f)
{
	struct posix_dir *d = f->dir;
	uint64_t next;
	int end;
	uint32_t used;
	uint32_t err = kosh_file_readdir(f->handle, d->next, d->buf, sizeof(d->buf), &used, &next, &end);
	if (err)
		return vfs_err(err);
	d->cookie = d->next;
	d->next = next;
	d->end = end;
	d->used = used;
	d->pos = 0;
	return 0;
}

long posix_sys_getdents64(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	uint8_t *out = (uint8_t *)a[1];
	size_t size = (size_t)a[2], done = 0;
	if (!f)
		return -LINUX_EBADF;
	if (f->kind != POSIX_FILE_VFS || (f->type && f->type != KOSH_VFS_DIR))
		return -LINUX_ENOTDIR;
	if (!f->dir) {
		if (!(f->dir = malloc(sizeof(*f->dir))))
			return -LINUX_ENOMEM;
		*f->dir = (struct posix_dir){ 0 };
		f->dir->end = 0;
		f->dir->used = f->dir->pos = 0;
	}
	struct posix_dir *d = f->dir;
	for (;;) {
		if (d->pos >= d->used) {
			if (d->end && d->used)
				break;
			long err = dir_fill(f);
			if (err)
				return done ? (long)done : err;
			if (d->used == 0)
				break;
		}
		uint32_t at = d->pos;
		const struct kosh_vfs_dirent *e = kosh_vfs_dirent_next(d->buf, d->used, &at);
		if (!e)
			return done ? (long)done : -LINUX_EIO; /* a damaged reply */
		size_t rec = (DIRENT64_NAME + e->namelen + 1 + 7) & ~(size_t)7;
		if (size - done < rec) {
			if (done == 0)
				return -LINUX_EINVAL;
			break;
		}
		struct linux_dirent64 *l = (struct linux_dirent64 *)(out + done);
		memset(l, 0, rec);
		l->d_ino = e->ino ? e->ino : 1;
		l->d_off = (int64_t)(at >= d->used ? d->next : d->cookie);
		l->d_reclen = (uint16_t)rec;
		l->d_type = dtype_of(e->type);
		memcpy(l->d_name, e->name, e->namelen);
		d->pos = at;
		done += rec;
	}
	return (long)done;
}

static long path_op(int dirfd, const char *path, char *uri)
{
	long err = posix_path(dirfd, path, uri, URI_SIZE);
	if (!err && !namespace())
		err = -LINUX_ENOENT;
	return err;
}

long posix_sys_mkdirat(const long a[6])
{
	char uri[URI_SIZE];
	long err = path_op((int)a[0], (const char *)a[1], uri);
	return err ? err : vfs_err(kosh_file_mkdir(namespace(), uri));
}

long posix_sys_mkdir(const long a[6])
{
	const long b[6] = { LINUX_AT_FDCWD, a[0], a[1] };
	return posix_sys_mkdirat(b);
}

long posix_sys_unlinkat(const long a[6])
{
	char uri[URI_SIZE];
	if (a[2] & ~(long)LINUX_AT_REMOVEDIR)
		return -LINUX_EINVAL;
	long err = path_op((int)a[0], (const char *)a[1], uri);
	uint32_t flags = (a[2] & LINUX_AT_REMOVEDIR) ? KOSH_VFS_UNLINK_DIR : 0;
	return err ? err : vfs_err(kosh_file_unlink(namespace(), uri, flags));
}

long posix_sys_unlink(const long a[6])
{
	const long b[6] = { LINUX_AT_FDCWD, a[0], 0 };
	return posix_sys_unlinkat(b);
}

long posix_sys_rmdir(const long a[6])
{
	const long b[6] = { LINUX_AT_FDCWD, a[0], LINUX_AT_REMOVEDIR };
	return posix_sys_unlinkat(b);
}

long posix_sys_renameat2(const long a[6])
{
	char from[URI_SIZE], to[URI_SIZE];
	if (a[4])
		return -LINUX_EINVAL; /* RENAME_NOREPLACE … */
	long err = path_op((int)a[0], (const char *)a[1], from);
	if (!err)
		err = path_op((int)a[2], (const char *)a[3], to);
	return err ? err : vfs_err(kosh_file_rename(namespace(), from, to));
}

long posix_sys_renameat(const long a[6])
{
	const long b[6] = { a[0], a[1], a[2], a[3], 0 };
	return posix_sys_renameat2(b);
}

long posix_sys_rename(const long a[6])
{
	const long b[6] = { LINUX_AT_FDCWD, a[0], LINUX_AT_FDCWD, a[1], 0 };
	return posix_sys_renameat2(b);
}

long posix_sys_chdir(const long a[6])
{
	char uri[URI_SIZE];
	struct kosh_vfs_stat st;
	long err = path_op(LINUX_AT_FDCWD, (const char *)a[0], uri);
	if (err)
		return err;
	uint32_t verr = kosh_file_statp(namespace(), uri, &st);
	if (verr)
		return vfs_err(verr);
	if (st.type != KOSH_VFS_DIR)
		return -LINUX_ENOTDIR;
	strlcpy(cwd, uri, sizeof(cwd));
	return 0;
}

long posix_sys_fchdir(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (!f->uri)
		return -LINUX_ENOTDIR;
	strlcpy(cwd, f->uri, sizeof(cwd));
	return 0;
}

/*
 * musl's getcwd() takes only a result that starts with '/': the fs scheme's
 * directories are given as their path ("/home", which open() reads as
 * fs:///home again), any other as the whole URI, which musl refuses (ENOENT).
 * kosh_posix_cwd() always has the URI.
 */
long posix_sys_getcwd(const long a[6])
{
	char *buf = (char *)a[0];
	size_t size = (size_t)a[1];
	const char *dir = kosh_posix_cwd();
	if (strncmp(dir, "fs:///", 6) == 0)
		dir += 5;
	size_t n = strlen(dir) + 1;
	if (n > size)
		return -LINUX_ERANGE;
	memcpy(buf, dir, n);
	return (long)n;
}

/* ---- the rest of the file calls ---- */

long posix_sys_ftruncate(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	if (!f || !(f->flags & LINUX_O_ACCMODE))
		return -LINUX_EBADF;
	if (a[1] < 0)
		return -LINUX_EINVAL;
	if (f->kind != POSIX_FILE_VFS)
		return -LINUX_EINVAL;
	return vfs_err(kosh_file_truncate(f->handle, (uint64_t)a[1]));
}

long posix_sys_truncate(const long a[6])
{
	long fd = do_open(LINUX_AT_FDCWD, (const char *)a[0], LINUX_O_WRONLY);
	if (fd < 0)
		return fd;
	const long b[6] = { fd, a[1] };
	long err = posix_sys_ftruncate(b);
	posix_fd_close((int)fd);
	return err;
}

long posix_sys_fsync(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	if (!f)
		return -LINUX_EBADF;
	/* A directory too: its entries (a file just made) reach the disk. */
	if (f->kind != POSIX_FILE_VFS || (f->type != KOSH_VFS_FILE && f->type != KOSH_VFS_DIR))
		return 0; /* nothing is held back on our side */
	return vfs_err(kosh_file_sync(f->handle));
}

long posix_sys_fdatasync(const long a[6])
{
	return posix_sys_fsync(a);
}

long posix_sys_fadvise64(const long a[6])
{
	return posix_fd_get((int)a[0]) ? 0 : -LINUX_EBADF;
}

long posix_sys_umask(const long a[6])
{
	(void)a;
	return 022; /* there are no owners: modes are the servers' */
}

/* ---- terminals ---- */

#define TCGETS	   0x5401
#define TCSETS	   0x5402
#define TCSETSW	   0x5403
#define TCSETSF	   0x5404
#define TIOCGWINSZ 0x5413
#define LFLAG_ICANON 0000002
#define LFLAG_ECHO   0000010
#define LFLAG_ISIG   0000001

/* The kernel's struct termios, which musl's tcgetattr passes straight through. */
struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

static long tty_get_termios(struct posix_file *f, struct linux_termios *t)
{
	uint32_t mode;
	uint32_t err = kosh_file_tty_get(f->handle, &mode, NULL, NULL);
	if (err)
		return vfs_err(err);
	static const uint8_t cc[19] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 };
	*t = (struct linux_termios){
		.c_iflag = 0000400 | 0000002,         /* ICRNL | BRKINT */
		.c_oflag = 0000001 | 0000004,         /* OPOST | ONLCR */
		.c_cflag = 0000060 | 0000200 | 0000015, /* CS8 | CREAD | B38400 */
		.c_lflag = LFLAG_ISIG | (mode & KOSH_VFS_TTY_CANON ? LFLAG_ICANON : 0) |
			   (mode & KOSH_VFS_TTY_ECHO ? LFLAG_ECHO : 0),
	};
	memcpy(t->c_cc, cc, sizeof(cc));
	return 0;
}

long posix_sys_ioctl(const long a[6])
{
	struct posix_file *f = posix_fd_get((int)a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->kind != POSIX_FILE_VFS || (f->type && f->type != KOSH_VFS_TTY))
		return -LINUX_ENOTTY;
	switch ((unsigned long)a[1] & 0xffffffffu) {
	case TIOCGWINSZ: {
		uint32_t rows, cols;
		uint32_t err = kosh_file_tty_get(f->handle, NULL, &rows, &cols);
		if (err)
			return vfs_err(err);
		*(struct linux_winsize *)a[2] = (struct linux_winsize){ (uint16_t)rows, (uint16_t)cols, 0, 0 };
		return 0;
	}
	case TCGETS:
		return tty_get_termios(f, (struct linux_termios *)a[2]);
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		const struct linux_termios *t = (const struct linux_termios *)a[2];
		uint32_t mode = (t->c_lflag & LFLAG_ICANON ? KOSH_VFS_TTY_CANON : 0) |
				(t->c_lflag & LFLAG_ECHO ? KOSH_VFS_TTY_ECHO : 0);
		return vfs_err(kosh_file_tty_set(f->handle, mode));
	}
	default:
		return -LINUX_ENOTTY;
	}
}
