/* SPDX-License-Identifier: MIT */
/*
 * The checks of the file protocol (<kosh/proto/vfs.h>, docs/vfs.md), made by
 * every side: a server decodes each request with kosh_vfs_decode before it looks
 * at a field, vfsd splits URIs with kosh_vfs_uri_split, the C library joins names
 * with kosh_vfs_uri_join, clients walk READDIR replies with kosh_vfs_dirent_next.
 *
 * Everything here reads untrusted bytes: only inside the lengths given, never
 * past them, and nothing is written beyond an output's size. A path that comes
 * out of here is valid UTF-8 without NUL or control bytes, so it may be logged
 * and compared as it is.
 */
#include <kosh/proto/vfs.h>
#include <kosh/string.h>

/* ---- paths ---- */

/*
 * Length of the UTF-8 sequence at s[0 .. len), or 0 if it is malformed (overlong,
 * a surrogate, above U+10FFFF, cut short) or a control character (C0, DEL).
 * C1 controls (U+0080 .. U+009F) are refused too: terminals act on them.
 */
static uint32_t utf8_char(const unsigned char *s, uint32_t len)
{
	uint32_t n, cp, min;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1fu, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0fu, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (uint32_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0u) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return n;
}

/* Bytes that may appear in a path at all: valid UTF-8 without controls. 0 or EINVAL. */
static uint32_t text_check(const char *s, uint32_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (uint32_t i = 0; i < len;) {
		uint32_t n = utf8_char(p + i, len - i);
		if (n == 0)
			return KOSH_VFS_EINVAL;
		i += n;
	}
	return 0;
}

/* Lengths of paths and URIs: empty is ENOENT (as open("") is), too long ENAMETOOLONG. */
static uint32_t length_check(uint32_t len)
{
	if (len == 0)
		return KOSH_VFS_ENOENT;
	if (len > KOSH_VFS_PATH_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	return 0;
}

uint32_t kosh_vfs_path_check(const char *path, uint32_t len)
{
	uint32_t err = length_check(len);
	uint32_t start;

	if (err != 0)
		return err;
	if (path[0] != '/')
		return KOSH_VFS_EINVAL;
	err = text_check(path, len);
	if (err != 0)
		return err;
	start = 1;
	for (uint32_t i = 1; i <= len; i++) {
		if (i == len || path[i] == '/') {
			if (i - start > KOSH_VFS_NAME_MAX)
				return KOSH_VFS_ENAMETOOLONG;
			start = i + 1;
		}
	}
	return 0;
}

/* The length of a scheme at the start of s[0 .. len) followed by "://", or 0 if there is none. */
static uint32_t scheme_prefix(const char *s, uint32_t len)
{
	uint32_t i = 0;

	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	if (i == 0 || len - i < 3 || s[i] != ':' || s[i + 1] != '/' || s[i + 2] != '/')
		return 0;
	return i;
}

/*
 * Append path[0 .. len) to out, which holds an absolute normalised path of *used
 * bytes (at least "/"): components one by one, "." dropped, ".." removing the
 * last one (and nothing at the root), empty ones (repeated '/') skipped.
 */
static uint32_t path_append(char *out, uint32_t out_size, uint32_t *used, const char *path,
			    uint32_t len)
{
	uint32_t i = 0;

	while (i < len) {
		uint32_t start, n;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		n = i - start;
		if (n == 0 || (n == 1 && path[start] == '.'))
			continue;
		if (n > KOSH_VFS_NAME_MAX)
			return KOSH_VFS_ENAMETOOLONG;
		if (n == 2 && path[start] == '.' && path[start + 1] == '.') {
			while (*used > 1 && out[*used - 1] != '/')
				(*used)--;
			if (*used > 1)
				(*used)--; /* the '/' before the removed component */
			continue;
		}
		/* A '/' (unless at the root), the component, and room for the NUL. */
		if (*used + (*used > 1) + n + 1 > out_size ||
		    *used + (*used > 1) + n > KOSH_VFS_PATH_MAX)
			return KOSH_VFS_ENAMETOOLONG;
		if (*used > 1)
			out[(*used)++] = '/';
		memcpy(out + *used, path + start, n);
		*used += n;
	}
	return 0;
}

/* Split uri[0 .. len) into scheme (NUL-terminated) and its normalised path in out. */
static uint32_t split(const char *uri, uint32_t len, char *scheme, char *out, uint32_t out_size,
		      uint32_t *used)
{
	uint32_t err = length_check(len);
	uint32_t n;

	if (err != 0)
		return err;
	if (out_size < 2)
		return KOSH_VFS_ENAMETOOLONG;
	err = text_check(uri, len);
	if (err != 0)
		return err;
	if (uri[0] == '/') {
		memcpy(scheme, "fs", 3);
	} else {
		n = scheme_prefix(uri, len);
		if (n == 0)
			return KOSH_VFS_EINVAL; /* relative: the caller joins it first */
		if (n > KOSH_VFS_SCHEME_MAX)
			return KOSH_VFS_ENAMETOOLONG;
		memcpy(scheme, uri, n);
		scheme[n] = '\0';
		/* "pipe://" is the root, and "x://a" is taken as "x:///a". */
		uri += n + 3;
		len -= n + 3;
	}
	out[0] = '/';
	*used = 1;
	err = path_append(out, out_size, used, uri, len);
	if (err != 0)
		return err;
	out[*used] = '\0';
	return 0;
}

uint32_t kosh_vfs_uri_split(const char *uri, uint32_t len, char *scheme, char *out,
			    uint32_t out_size)
{
	uint32_t used;

	return split(uri, len, scheme, out, out_size, &used);
}

/* strlen, but stopping at max (so an unterminated string is merely too long). */
static uint32_t bounded_len(const char *s, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

uint32_t kosh_vfs_uri_join(const char *cwd, const char *path, char *out, uint32_t out_size)
{
	uint32_t plen = bounded_len(path, KOSH_VFS_PATH_MAX + 1);
	char scheme[KOSH_VFS_SCHEME_MAX + 1];
	char inner[KOSH_VFS_PATH_MAX + 1];
	uint32_t used, slen, err;

	err = length_check(plen);
	if (err == 0)
		err = text_check(path, plen);
	if (err != 0)
		return err;
	if (path[0] == '/' || scheme_prefix(path, plen) != 0) {
		err = split(path, plen, scheme, inner, sizeof(inner), &used);
	} else {
		err = split(cwd, bounded_len(cwd, KOSH_VFS_PATH_MAX + 1), scheme, inner,
			    sizeof(inner), &used);
		if (err == 0)
			err = path_append(inner, sizeof(inner), &used, path, plen);
	}
	if (err != 0)
		return err;
	slen = (uint32_t)strlen(scheme);
	if (slen + 3 + used > KOSH_VFS_PATH_MAX || slen + 3 + used + 1 > out_size)
		return KOSH_VFS_ENAMETOOLONG;
	memcpy(out, scheme, slen);
	memcpy(out + slen, "://", 3);
	memcpy(out + slen + 3, inner, used);
	out[slen + 3 + used] = '\0';
	return 0;
}

/* ---- directory records ---- */

uint32_t kosh_vfs_dirent_put(void *buf, uint32_t size, uint32_t *used, uint64_t ino, uint32_t type,
			     const char *name, uint32_t namelen)
{
	struct kosh_vfs_dirent d;
	uint32_t rec = KOSH_VFS_DIRENT_SIZE(namelen);
	unsigned char *p;

	if (namelen == 0 || namelen > KOSH_VFS_NAME_MAX || type == 0 || type > 0xff)
		return KOSH_VFS_EINVAL;
	if ((*used & 7u) != 0 || *used > size || size - *used < rec)
		return KOSH_VFS_ENOSPC;
	p = (unsigned char *)buf + *used;
	d.ino = ino;
	d.type = (uint8_t)type;
	d.reserved = 0;
	d.namelen = (uint16_t)namelen;
	memset(p, 0, rec);
	memcpy(p, &d, 12);
	memcpy(p + 12, name, namelen);
	*used += rec;
	return 0;
}

const struct kosh_vfs_dirent *kosh_vfs_dirent_next(const void *data, uint32_t len, uint32_t *pos)
{
	const unsigned char *p = data;
	const struct kosh_vfs_dirent *d;
	uint32_t rec;

	/* Records are read in place: the buffer must be 8-aligned as a reply's data is. */
	if (((uintptr_t)data & 7u) != 0 || (*pos & 7u) != 0 || *pos >= len || len - *pos < 16)
		return NULL;
	d = (const struct kosh_vfs_dirent *)(p + *pos);
	if (d->namelen == 0 || d->namelen > KOSH_VFS_NAME_MAX || d->type == 0 || d->reserved != 0)
		return NULL;
	rec = KOSH_VFS_DIRENT_SIZE(d->namelen);
	if (len - *pos < rec || d->name[d->namelen] != '\0')
		return NULL;
	/* A name is one component: no NUL or '/', not "." or "..", valid text. */
	for (uint32_t i = 0; i < d->namelen; i++)
		if (d->name[i] == '/')
			return NULL;
	if (text_check(d->name, d->namelen) != 0 ||
	    (d->name[0] == '.' && (d->namelen == 1 || (d->namelen == 2 && d->name[1] == '.'))))
		return NULL;
	*pos += rec;
	return d;
}

/* ---- requests ---- */

/* What an operation carries: its argument words, its byte strings, its capabilities. */
enum shape {
	BYTES_NONE,
	BYTES_PATH,   /* w1 path bytes */
	BYTES_RENAME, /* w1 + w2 bytes: the old path then the new one, back to back */
	BYTES_SCHEME, /* w1 scheme bytes */
	BYTES_URI,    /* w1 bytes of a whole URI "scheme:///path" (MOUNT) */
	BYTES_TARGET, /* w1 bytes of a whole URI (the namespace) or a path (a server): UNMOUNT */
	BYTES_DATA,   /* w0 data bytes */
};

struct op_shape {
	uint8_t known;	  /* 1: an operation (the table has gaps) */
	uint8_t args;	  /* argument words the operation reads (0 .. 3) */
	uint8_t bytes;	  /* enum shape */
	uint8_t caps_min; /* capabilities it must / may carry */
	uint8_t caps_max;
};

static const struct op_shape shapes[] = {
    [KOSH_VFS_OPEN] = {1, 2, BYTES_PATH, 0, 0},
    [KOSH_VFS_STATP] = {1, 2, BYTES_PATH, 0, 0},
    [KOSH_VFS_MKDIR] = {1, 2, BYTES_PATH, 0, 0},
    [KOSH_VFS_UNLINK] = {1, 2, BYTES_PATH, 0, 0},
    [KOSH_VFS_RENAME] = {1, 3, BYTES_RENAME, 0, 0},
    [KOSH_VFS_STATFS] = {1, 2, BYTES_PATH, 0, 0},
    [KOSH_VFS_REGISTER] = {1, 2, BYTES_SCHEME, 1, 1},
    [KOSH_VFS_MOUNT] = {1, 2, BYTES_URI, 1, 1},
    [KOSH_VFS_UNMOUNT] = {1, 2, BYTES_TARGET, 0, 0},
    [KOSH_VFS_MOUNTS] = {1, 1, BYTES_NONE, 0, 0},
    [KOSH_VFS_READ] = {1, 1, BYTES_NONE, 0, 0},
    [KOSH_VFS_WRITE] = {1, 1, BYTES_DATA, 0, 0},
    [KOSH_VFS_SEEK] = {1, 2, BYTES_NONE, 0, 0},
    [KOSH_VFS_STAT] = {1, 0, BYTES_NONE, 0, 0},
    [KOSH_VFS_READDIR] = {1, 1, BYTES_NONE, 0, 0},
    [KOSH_VFS_TRUNCATE] = {1, 1, BYTES_NONE, 0, 0},
    [KOSH_VFS_SYNC] = {1, 0, BYTES_NONE, 0, 0},
    [KOSH_VFS_CLOSE] = {1, 0, BYTES_NONE, 0, 0},
    [KOSH_VFS_DUP] = {1, 0, BYTES_NONE, 0, 0},
    [KOSH_VFS_TTY_GET] = {1, 0, BYTES_NONE, 0, 0},
    [KOSH_VFS_TTY_SET] = {1, 1, BYTES_NONE, 0, 0},
    [KOSH_VFS_TTY_FOREGROUND] = {1, 1, BYTES_NONE, 0, 1},
};
#define SHAPES_COUNT (sizeof(shapes) / sizeof(shapes[0]))

/* The message's word count for nbytes of bytes after the registers. */
static uint64_t words_for(uint64_t nbytes)
{
	return KOSH_MSG_WORDS_REG + (nbytes + 7u) / 8u;
}

/*
 * A whole URI as MOUNT and UNMOUNT name a mount point: a scheme (a-z 0-9, at
 * most SCHEME_MAX bytes), "://", then a path as kosh_vfs_path_check has it
 * ("fs:///boot"; "fs://boot" and "/boot" are not). It need not be normalised:
 * vfsd normalises it as it does every URI.
 */
static uint32_t uri_check(const char *uri, uint32_t len)
{
	uint32_t n = scheme_prefix(uri, len);

	if (n == 0)
		return KOSH_VFS_EINVAL;
	if (n > KOSH_VFS_SCHEME_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	if (len == n + 3)
		return KOSH_VFS_EINVAL; /* "fs://": no path at all */
	return kosh_vfs_path_check(uri + n + 3, len - n - 3);
}

/* The byte strings of a request: lengths against the word count, then the text itself. */
static uint32_t decode_bytes(const struct op_shape *sh, uint32_t words, const void *data,
			     struct kosh_vfs_request *req)
{
	uint64_t n1 = req->arg[1], n2 = sh->bytes == BYTES_RENAME ? req->arg[2] : 0;
	uint32_t err;

	if (sh->bytes == BYTES_DATA) {
		if (req->arg[0] > KOSH_VFS_IO_MAX || words != words_for(req->arg[0]))
			return KOSH_VFS_EPROTO;
		req->data = data;
		return 0;
	}
	/* Each length is checked before the sum, which then cannot overflow. */
	if (n1 > KOSH_VFS_PATH_MAX || n2 > KOSH_VFS_PATH_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	if (words != words_for(n1 + n2))
		return KOSH_VFS_EPROTO;
	req->path = data;
	req->path_len = (uint32_t)n1;
	if (sh->bytes == BYTES_SCHEME) {
		if (n1 == 0 || n1 > KOSH_VFS_SCHEME_MAX)
			return KOSH_VFS_EINVAL;
		for (uint32_t i = 0; i < n1; i++) {
			char c = req->path[i];
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
				return KOSH_VFS_EINVAL;
		}
		return 0;
	}
	err = length_check((uint32_t)n1);
	if (err != 0)
		return err;
	if (sh->bytes == BYTES_URI || (sh->bytes == BYTES_TARGET && req->path[0] != '/'))
		return uri_check(req->path, (uint32_t)n1);
	if (sh->bytes == BYTES_TARGET)
		return kosh_vfs_path_check(req->path, (uint32_t)n1);
	err = text_check(req->path, (uint32_t)n1);
	if (err != 0 || sh->bytes != BYTES_RENAME)
		return err;
	req->path2 = req->path + n1;
	req->path2_len = (uint32_t)n2;
	err = length_check((uint32_t)n2);
	if (err == 0)
		err = text_check(req->path2, (uint32_t)n2);
	return err;
}

/* Checks of the argument words themselves (flags, whence, modes). */
static uint32_t decode_args(const struct kosh_vfs_request *req)
{
	uint64_t flags = req->arg[0];

	switch (req->op) {
	case KOSH_VFS_OPEN:
		if ((flags & ~(uint64_t)KOSH_VFS_O_ALL) != 0 ||
		    (flags & (KOSH_VFS_O_READ | KOSH_VFS_O_WRITE)) == 0)
			return KOSH_VFS_EINVAL;
		if ((flags & KOSH_VFS_O_TRUNC) != 0 && (flags & KOSH_VFS_O_WRITE) == 0)
			return KOSH_VFS_EINVAL;
		if ((flags & KOSH_VFS_O_CREATE) != 0 && (flags & KOSH_VFS_O_DIRECTORY) != 0)
			return KOSH_VFS_EINVAL;
		return 0;
	case KOSH_VFS_UNLINK:
		return flags == 0 || flags == KOSH_VFS_UNLINK_DIR ? 0 : KOSH_VFS_EINVAL;
	case KOSH_VFS_MOUNT:
		return (flags & ~(uint64_t)KOSH_VFS_MOUNT_ALL) == 0 ? 0 : KOSH_VFS_EINVAL;
	case KOSH_VFS_SEEK:
		return req->arg[1] <= KOSH_VFS_SEEK_END ? 0 : KOSH_VFS_EINVAL;
	case KOSH_VFS_TRUNCATE:
		/* Sizes are off_t on the client side: the top bit would be negative. */
		return flags >> 63 == 0 ? 0 : KOSH_VFS_EINVAL;
	case KOSH_VFS_TTY_SET:
		return (flags & ~(uint64_t)KOSH_VFS_TTY_ALL) == 0 ? 0 : KOSH_VFS_EINVAL;
	default:
		return 0;
	}
}

uint32_t kosh_vfs_decode(uint64_t tag, const uint64_t words[KOSH_MSG_WORDS_REG], const void *data,
			 struct kosh_vfs_request *req)
{
	uint32_t op = KOSH_MSG_LABEL(tag), nwords = KOSH_MSG_WORDS(tag), caps = KOSH_MSG_CAPS(tag);
	const struct op_shape *sh;
	uint32_t err;

	memset(req, 0, sizeof(*req));
	req->op = op;
	req->caps = caps;
	if (((uint32_t)tag & KOSH_MSG_TAG_RESERVED) != 0 || nwords > KOSH_MSG_WORDS_MAX ||
	    caps > KOSH_MSG_CAPS_MAX)
		return KOSH_VFS_EPROTO;
	if (op >= SHAPES_COUNT || !shapes[op].known)
		return KOSH_VFS_ENOSYS;
	sh = &shapes[op];
	if (caps < sh->caps_min || caps > sh->caps_max)
		return KOSH_VFS_EPROTO;
	/* Words past the count were not sent: they read as 0. */
	for (uint32_t i = 0; i < sh->args; i++)
		req->arg[i] = i < nwords ? words[i] : 0;
	if (sh->bytes == BYTES_NONE) {
		if (nwords < sh->args || nwords > KOSH_MSG_WORDS_REG)
			return KOSH_VFS_EPROTO;
	} else {
		err = decode_bytes(sh, nwords, data, req);
		if (err != 0)
			return err;
	}
	return decode_args(req);
}

/* ---- errors ---- */

static const char *const error_texts[] = {
    [KOSH_VFS_EPERM] = "operation not permitted",
    [KOSH_VFS_ENOENT] = "no such file or directory",
    [KOSH_VFS_EINTR] = "interrupted",
    [KOSH_VFS_EIO] = "input/output error",
    [KOSH_VFS_EBADF] = "bad file handle",
    [KOSH_VFS_EAGAIN] = "try again",
    [KOSH_VFS_ENOMEM] = "out of memory",
    [KOSH_VFS_EACCES] = "permission denied",
    [KOSH_VFS_EBUSY] = "busy",
    [KOSH_VFS_EEXIST] = "file exists",
    [KOSH_VFS_EXDEV] = "cross-scheme rename",
    [KOSH_VFS_ENODEV] = "no such device",
    [KOSH_VFS_ENOTDIR] = "not a directory",
    [KOSH_VFS_EISDIR] = "is a directory",
    [KOSH_VFS_EINVAL] = "invalid argument",
    [KOSH_VFS_ENFILE] = "too many open files",
    [KOSH_VFS_ENOTTY] = "not a terminal",
    [KOSH_VFS_EFBIG] = "file too large",
    [KOSH_VFS_ENOSPC] = "no space left",
    [KOSH_VFS_ESPIPE] = "not seekable",
    [KOSH_VFS_EROFS] = "read-only file system",
    [KOSH_VFS_EPIPE] = "broken pipe",
    [KOSH_VFS_ENAMETOOLONG] = "name too long",
    [KOSH_VFS_ENOSYS] = "operation not supported",
    [KOSH_VFS_ENOTEMPTY] = "directory not empty",
    [KOSH_VFS_EPROTO] = "malformed message",
};

const char *kosh_vfs_strerror(uint32_t err)
{
	if (err == 0)
		return "success";
	if (err >= sizeof(error_texts) / sizeof(error_texts[0]) || !error_texts[err])
		return "unknown error";
	return error_texts[err];
}
