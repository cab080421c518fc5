/* SPDX-License-Identifier: MIT */
/*
 * The client side of the file protocol (<kosh/file.h>, <kosh/proto/vfs.h>).
 *
 * Every operation is one call: the label is the operation, words 0 .. 3 go in
 * registers, bytes (paths, data) from word 4 in the calling thread's IPC buffer
 * (kosh_ipc_buffer()). Replies are checked before anything is taken from them:
 * a byte count larger than asked or than the words sent, a missing capability,
 * is KOSH_VFS_EPROTO. Capabilities a reply brings that the operation does not
 * take (an error reply's, extra ones) are closed, so a misbehaving server
 * cannot fill our table.
 */
#include <stddef.h>

#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define CLOSE_TIMEOUT (5ull * 1000 * 1000 * 1000) /* a server that does not answer CLOSE is left */
#define LOAD_MAX      (256ull << 20)              /* kosh_file_load: larger files are EFBIG */

/* Bytes of a request after the register words: one piece, or two back to back (RENAME). */
struct bytes {
	const void *a;
	uint32_t alen;
	const void *b;
	uint32_t blen;
};

static uint32_t ipc_error(kosh_err_t err)
{
	switch (err) {
	case KOSH_E_BAD_HANDLE:
	case KOSH_E_WRONG_TYPE:
	case KOSH_E_ACCESS_DENIED:
		return KOSH_VFS_EBADF;
	case KOSH_E_NO_MEMORY:
		return KOSH_VFS_ENOMEM;
	default:
		return KOSH_VFS_EIO;
	}
}

static uint32_t data_words(uint64_t bytes)
{
	return (uint32_t)((bytes + 7) / 8);
}

/* Close the capabilities of a reply from index keep on. */
static void drop_caps(struct kosh_ipc_buffer *ipc, uint64_t tag, uint32_t keep)
{
	for (uint32_t i = keep; i < KOSH_MSG_CAPS(tag) && i < KOSH_MSG_CAPS_MAX; i++)
		kosh_handle_close(ipc->caps[i]);
}

/*
 * One call on h: op with words w[0 .. 3], the bytes of b (may be NULL), caps
 * capabilities already put in the IPC buffer's caps[] (copied). Returns 0 with
 * the reply in *reply (label 0), or the error; the reply's first keep_caps
 * capabilities are left to the caller on success, all others are closed.
 */
static uint32_t call(kosh_handle_t h, uint32_t op, const uint64_t w[KOSH_MSG_WORDS_REG],
		     const struct bytes *b, uint32_t caps, uint32_t keep_caps, uint64_t timeout,
		     struct kosh_msg *reply)
{
	struct kosh_ipc_buffer *ipc = kosh_ipc_buffer();
	uint32_t nbytes = b ? b->alen + b->blen : 0;
	struct kosh_msg m = { .tag = kosh_msg_tag(op, KOSH_MSG_WORDS_REG + data_words(nbytes), caps, 0) };
	if (!h)
		return KOSH_VFS_EBADF;
	memcpy(m.words, w, sizeof(m.words));
	if (b) {
		char *data = (char *)&ipc->words[KOSH_MSG_WORDS_REG];
		memcpy(data, b->a, b->alen);
		if (b->blen)
			memcpy(data + b->alen, b->b, b->blen);
	}
	kosh_err_t err = kosh_call(h, &m, reply, timeout);
	if (err)
		return ipc_error(err);
	uint32_t label = KOSH_MSG_LABEL(reply->tag);
	if (label) {
		drop_caps(ipc, reply->tag, 0);
		return label;
	}
	if (KOSH_MSG_CAPS(reply->tag) < keep_caps) {
		drop_caps(ipc, reply->tag, 0);
		return KOSH_VFS_EPROTO;
	}
	drop_caps(ipc, reply->tag, keep_caps);
	return 0;
}

/* The reply's data: n bytes from word 4, if the reply's word count covers them. */
static const void *reply_data(const struct kosh_msg *reply, uint64_t n)
{
	if (n > KOSH_VFS_IO_MAX ||
	    KOSH_MSG_WORDS(reply->tag) < KOSH_MSG_WORDS_REG + data_words(n))
		return NULL;
	return &kosh_ipc_buffer()->words[KOSH_MSG_WORDS_REG];
}

/* The struct kosh_vfs_stat a STAT or STATP reply carries. */
static uint32_t stat_reply(const struct kosh_msg *reply, struct kosh_vfs_stat *st)
{
	const void *data = reply_data(reply, sizeof(*st));
	if (!data)
		return KOSH_VFS_EPROTO;
	memcpy(st, data, sizeof(*st));
	return 0;
}

/* Length of a URI or path argument, or an error (empty: ENOENT; too long: ENAMETOOLONG). */
static uint32_t uri_len(const char *uri, uint32_t *len)
{
	uint32_t n = 0;
	if (!uri)
		return KOSH_VFS_EINVAL;
	while (n <= KOSH_VFS_PATH_MAX && uri[n])
		n++;
	if (n == 0)
		return KOSH_VFS_ENOENT;
	if (n > KOSH_VFS_PATH_MAX)
		return KOSH_VFS_ENAMETOOLONG;
	*len = n;
	return 0;
}

/* A path operation: op with w0 = arg0, w1 = the URI's length, the URI as bytes. */
static uint32_t path_call(kosh_handle_t ns, uint32_t op, const char *uri, uint64_t arg0,
			  uint32_t keep_caps, struct kosh_msg *reply)
{
	uint32_t len = 0, err = uri_len(uri, &len);
	if (err)
		return err;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { arg0, len };
	const struct bytes b = { uri, len, NULL, 0 };
	return call(ns, op, w, &b, 0, keep_caps, KOSH_TIMEOUT_NEVER, reply);
}

kosh_handle_t kosh_vfs(void)
{
	return kosh_start_handle("vfs", NULL);
}

uint32_t kosh_file_open(kosh_handle_t ns, const char *uri, uint32_t flags, kosh_handle_t *file,
			uint32_t *type, uint64_t *size)
{
	struct kosh_msg reply;
	if (flags & ~KOSH_VFS_O_ALL)
		return KOSH_VFS_EINVAL;
	uint32_t err = path_call(ns, KOSH_VFS_OPEN, uri, flags, 1, &reply);
	if (err)
		return err;
	*file = kosh_ipc_buffer()->caps[0];
	if (type)
		*type = (uint32_t)reply.words[0];
	if (size)
		*size = reply.words[1];
	return 0;
}

uint32_t kosh_file_pipe(kosh_handle_t ns, kosh_handle_t *read_end, kosh_handle_t *write_end)
{
	struct kosh_msg reply;
	uint32_t err = path_call(ns, KOSH_VFS_OPEN, "pipe://", KOSH_VFS_O_READ | KOSH_VFS_O_WRITE, 2,
				 &reply);
	if (err)
		return err;
	*read_end = kosh_ipc_buffer()->caps[0];
	*write_end = kosh_ipc_buffer()->caps[1];
	return 0;
}

uint32_t kosh_file_statp(kosh_handle_t ns, const char *uri, struct kosh_vfs_stat *st)
{
	struct kosh_msg reply;
	uint32_t err = path_call(ns, KOSH_VFS_STATP, uri, 0, 0, &reply);
	if (err)
		return err;
	return stat_reply(&reply, st);
}

uint32_t kosh_file_mkdir(kosh_handle_t ns, const char *uri)
{
	struct kosh_msg reply;
	return path_call(ns, KOSH_VFS_MKDIR, uri, 0, 0, &reply);
}

uint32_t kosh_file_unlink(kosh_handle_t ns, const char *uri, uint32_t flags)
{
	struct kosh_msg reply;
	if (flags != 0 && flags != KOSH_VFS_UNLINK_DIR)
		return KOSH_VFS_EINVAL;
	return path_call(ns, KOSH_VFS_UNLINK, uri, flags, 0, &reply);
}

uint32_t kosh_file_rename(kosh_handle_t ns, const char *from, const char *to)
{
	struct kosh_msg reply;
	uint32_t flen = 0, tlen = 0, err = uri_len(from, &flen);
	if (!err)
		err = uri_len(to, &tlen);
	if (err)
		return err;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0, flen, tlen };
	const struct bytes b = { from, flen, to, tlen };
	return call(ns, KOSH_VFS_RENAME, w, &b, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
}

uint32_t kosh_file_register(kosh_handle_t ns, const char *scheme, kosh_handle_t ep)
{
	struct kosh_msg reply;
	uint32_t len = 0;
	while (len <= KOSH_VFS_SCHEME_MAX && scheme && scheme[len])
		len++;
	if (len == 0 || len > KOSH_VFS_SCHEME_MAX || !ep)
		return KOSH_VFS_EINVAL;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0, len };
	const struct bytes b = { scheme, len, NULL, 0 };
	kosh_ipc_buffer()->caps[0] = ep;
	return call(ns, KOSH_VFS_REGISTER, w, &b, 1, 0, KOSH_TIMEOUT_NEVER, &reply);
}

uint32_t kosh_file_statfs(kosh_handle_t ns, const char *uri, struct kosh_vfs_statfs *st)
{
	struct kosh_msg reply;
	uint32_t err = path_call(ns, KOSH_VFS_STATFS, uri, 0, 0, &reply);
	if (err)
		return err;
	/* Exactly the struct: a server that sends more or less is not speaking STATFS. */
	const void *data = reply_data(&reply, sizeof(*st));
	if (!data || KOSH_MSG_WORDS(reply.tag) != KOSH_MSG_WORDS_REG + data_words(sizeof(*st)))
		return KOSH_VFS_EPROTO;
	memcpy(st, data, sizeof(*st));
	/* Strings that are not terminated are cut at their last byte. */
	st->type[sizeof(st->type) - 1] = '\0';
	st->source[sizeof(st->source) - 1] = '\0';
	return 0;
}

uint32_t kosh_file_mount(kosh_handle_t ns, const char *uri, kosh_handle_t ep)
{
	struct kosh_msg reply;
	uint32_t len = 0, err = uri_len(uri, &len);
	if (err)
		return err;
	if (!ep)
		return KOSH_VFS_EINVAL;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0, len };
	const struct bytes b = { uri, len, NULL, 0 };
	kosh_ipc_buffer()->caps[0] = ep;
	return call(ns, KOSH_VFS_MOUNT, w, &b, 1, 0, KOSH_TIMEOUT_NEVER, &reply);
}

uint32_t kosh_file_unmount(kosh_handle_t ns, const char *uri)
{
	struct kosh_msg reply;
	return path_call(ns, KOSH_VFS_UNMOUNT, uri, 0, 0, &reply);
}

uint32_t kosh_file_mounts(kosh_handle_t ns, uint64_t index, char *uri, uint32_t size,
			  uint64_t *next, int *last)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { index };
	if (!uri || size == 0)
		return KOSH_VFS_EINVAL;
	uint32_t err = call(ns, KOSH_VFS_MOUNTS, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	uint64_t n = reply.words[0];
	const char *data = reply_data(&reply, n);
	/* A URI of its words, of sane length, without NUL; the last flag 0 or 1. */
	if (!data || n == 0 || n > KOSH_VFS_PATH_MAX || reply.words[2] > 1)
		return KOSH_VFS_EPROTO;
	for (uint64_t i = 0; i < n; i++)
		if (data[i] == '\0')
			return KOSH_VFS_EPROTO;
	if (n + 1 > size)
		return KOSH_VFS_ENAMETOOLONG;
	memcpy(uri, data, n);
	uri[n] = '\0';
	if (next)
		*next = reply.words[1];
	if (last)
		*last = (int)reply.words[2];
	return 0;
}

uint32_t kosh_file_read(kosh_handle_t f, void *buf, uint32_t len, uint32_t *got)
{
	struct kosh_msg reply;
	if (len > KOSH_VFS_IO_MAX)
		len = KOSH_VFS_IO_MAX;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { len };
	uint32_t err = call(f, KOSH_VFS_READ, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	uint64_t n = reply.words[0];
	const void *data = reply_data(&reply, n);
	if (n > len || !data)
		return KOSH_VFS_EPROTO;
	memcpy(buf, data, n);
	*got = (uint32_t)n;
	return 0;
}

uint32_t kosh_file_write(kosh_handle_t f, const void *buf, uint32_t len, uint32_t *done)
{
	struct kosh_msg reply;
	if (len > KOSH_VFS_IO_MAX)
		len = KOSH_VFS_IO_MAX;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { len };
	const struct bytes b = { buf, len, NULL, 0 };
	uint32_t err = call(f, KOSH_VFS_WRITE, w, &b, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	if (reply.words[0] > len)
		return KOSH_VFS_EPROTO;
	*done = (uint32_t)reply.words[0];
	return 0;
}

uint32_t kosh_file_seek(kosh_handle_t f, int64_t off, uint32_t whence, uint64_t *pos)
{
	struct kosh_msg reply;
	if (whence > KOSH_VFS_SEEK_END)
		return KOSH_VFS_EINVAL;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { (uint64_t)off, whence };
	uint32_t err = call(f, KOSH_VFS_SEEK, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	if (pos)
		*pos = reply.words[0];
	return 0;
}

uint32_t kosh_file_stat(kosh_handle_t f, struct kosh_vfs_stat *st)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0 };
	uint32_t err = call(f, KOSH_VFS_STAT, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	return stat_reply(&reply, st);
}

uint32_t kosh_file_readdir(kosh_handle_t f, uint64_t cookie, void *buf, uint32_t size,
			   uint32_t *used, uint64_t *next, int *end)
{
	struct kosh_msg reply;
	/* The request cannot say how much fits: a reply may hold KOSH_VFS_IO_MAX bytes. */
	if (size < KOSH_VFS_IO_MAX)
		return KOSH_VFS_EINVAL;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { cookie };
	uint32_t err = call(f, KOSH_VFS_READDIR, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	uint64_t n = reply.words[0];
	const void *data = reply_data(&reply, n);
	if (!data || reply.words[2] > 1)
		return KOSH_VFS_EPROTO;
	memcpy(buf, data, n);
	*used = (uint32_t)n;
	*next = reply.words[1];
	*end = (int)reply.words[2];
	return 0;
}

uint32_t kosh_file_truncate(kosh_handle_t f, uint64_t size)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { size };
	return call(f, KOSH_VFS_TRUNCATE, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
}

uint32_t kosh_file_sync(kosh_handle_t f)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0 };
	return call(f, KOSH_VFS_SYNC, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
}

uint32_t kosh_file_dup(kosh_handle_t f, kosh_handle_t *out)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0 };
	uint32_t err = call(f, KOSH_VFS_DUP, w, NULL, 0, 1, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	*out = kosh_ipc_buffer()->caps[0];
	return 0;
}

uint32_t kosh_file_close(kosh_handle_t f)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0 };
	if (!f)
		return KOSH_VFS_EBADF;
	uint32_t err = call(f, KOSH_VFS_CLOSE, w, NULL, 0, 0, CLOSE_TIMEOUT, &reply);
	kosh_err_t herr = (kosh_err_t)kosh_handle_close(f);
	if (herr && !err)
		err = ipc_error(herr);
	return err;
}

uint32_t kosh_file_tty_get(kosh_handle_t f, uint32_t *mode, uint32_t *rows, uint32_t *cols)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { 0 };
	uint32_t err = call(f, KOSH_VFS_TTY_GET, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
	if (err)
		return err;
	if (mode)
		*mode = (uint32_t)reply.words[0];
	if (rows)
		*rows = (uint32_t)reply.words[1];
	if (cols)
		*cols = (uint32_t)reply.words[2];
	return 0;
}

uint32_t kosh_file_tty_set(kosh_handle_t f, uint32_t mode)
{
	struct kosh_msg reply;
	if (mode & ~KOSH_VFS_TTY_ALL)
		return KOSH_VFS_EINVAL;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { mode };
	return call(f, KOSH_VFS_TTY_SET, w, NULL, 0, 0, KOSH_TIMEOUT_NEVER, &reply);
}

uint32_t kosh_file_tty_foreground(kosh_handle_t f, kosh_handle_t notification, uint64_t bits)
{
	struct kosh_msg reply;
	const uint64_t w[KOSH_MSG_WORDS_REG] = { bits };
	if (notification)
		kosh_ipc_buffer()->caps[0] = notification;
	return call(f, KOSH_VFS_TTY_FOREGROUND, w, NULL, notification ? 1 : 0, 0,
		    KOSH_TIMEOUT_NEVER, &reply);
}

/* Read the whole of f (size bytes as OPEN said) into fresh pages. */
static uint32_t load_open(kosh_handle_t f, uint64_t size, void **data, uint64_t *got)
{
	uint8_t *p = kosh_page_alloc(size);
	if (!p)
		return KOSH_VFS_ENOMEM;
	uint64_t at = 0;
	while (at < size) {
		uint32_t n = 0, want = size - at > KOSH_VFS_IO_MAX ? KOSH_VFS_IO_MAX : (uint32_t)(size - at);
		uint32_t err = kosh_file_read(f, p + at, want, &n);
		if (err) {
			kosh_page_free(p);
			return err;
		}
		if (n == 0)
			break; /* shorter than it said: what is there */
		at += n;
	}
	*data = p;
	*got = at;
	return 0;
}

uint32_t kosh_file_load(kosh_handle_t ns, const char *uri, void **data, uint64_t *size)
{
	kosh_handle_t f;
	uint32_t type = 0;
	uint64_t bytes = 0;
	*data = NULL;
	*size = 0;
	uint32_t err = kosh_file_open(ns, uri, KOSH_VFS_O_READ, &f, &type, &bytes);
	if (err)
		return err;
	if (type == KOSH_VFS_DIR)
		err = KOSH_VFS_EISDIR;
	else if (bytes > LOAD_MAX)
		err = KOSH_VFS_EFBIG;
	else if (bytes)
		err = load_open(f, bytes, data, size);
	kosh_file_close(f);
	return err;
}

/* "<seconds>.<9 digits>\n" (time:///now) into ns; -1 if it is not exactly that. */
static int parse_now(const char *s, uint32_t len, uint64_t *ns)
{
	const uint64_t nsec = 1000000000ull;
	uint64_t secs = 0, frac = 0;
	uint32_t i = 0, digits;
	for (digits = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (secs > (UINT64_MAX / nsec - 10) / 10)
			return -1; /* past what ns can hold */
		secs = secs * 10 + (uint64_t)(s[i] - '0');
	}
	if (!digits || i == len || s[i++] != '.')
		return -1;
	for (digits = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		frac = frac * 10 + (uint64_t)(s[i] - '0');
	if (digits != 9 || i + 1 != len || s[i] != '\n')
		return -1;
	*ns = secs * nsec + frac;
	return 0;
}

uint64_t kosh_file_realtime_offset(kosh_handle_t ns)
{
	kosh_handle_t f;
	uint32_t type, got = 0;
	uint64_t size, now;
	char text[40];
	if (!ns || kosh_file_open(ns, "time:///now", KOSH_VFS_O_READ, &f, &type, &size))
		return 0;
	uint64_t before = (uint64_t)kosh_clock_get();
	uint32_t err = kosh_file_read(f, text, sizeof(text), &got);
	uint64_t after = (uint64_t)kosh_clock_get();
	kosh_file_close(f);
	if (err || got > sizeof(text) || parse_now(text, got, &now))
		return 0;
	uint64_t mono = before + (after - before) / 2;
	return now > mono ? now - mono : 0; /* a wall clock before boot: none */
}
