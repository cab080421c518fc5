/* SPDX-License-Identifier: MIT */
/*
 * The server side of the file protocol (<kosh/fileserver.h>, docs/vfs.md): one
 * loop for every scheme server. Each message is checked by kosh_vfs_decode
 * before anything looks at it, paths are checked and normalised before the
 * server sees them, and a badge is looked up by slot and generation, so a
 * server's operations only ever see well-formed requests on files it opened.
 *
 * Capabilities that come with a request belong to the library until the
 * operation takes one with kosh_fsrv_cap; the rest are closed once the request
 * is handled, so a client cannot fill a server's table by sending handles.
 */
#include <kosh/fileserver.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define SERVERS_MAX    KOSH_FSRV_SERVERS_MAX
#define BADGE_SLOT(b)  ((uint32_t)((b)&0xffffu))
#define BADGE_GEN(b)   ((uint32_t)((b) >> 16) & 0xffffu)
#define BADGE_EPOCH(b) ((uint32_t)((b) >> 32))
#define FILE_RIGHTS    (KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)
#define REPLY_CAPS_MAX KOSH_MSG_CAPS_MAX

_Static_assert(KOSH_FSRV_FILES_MAX < 0xffff, "a slot fits the badge's low 16 bits");

struct kosh_fsrv {
	struct kosh_fsrv_config cfg;
	struct kosh_ipc_buffer *ipc; /* the serving thread's */
	uint32_t epoch;              /* of this run of the server: in every badge */
	struct kosh_fsrv_file files[KOSH_FSRV_FILES_MAX];
	uint16_t gen[KOSH_FSRV_FILES_MAX]; /* of each slot; moves on when it is freed */
	uint8_t used[KOSH_FSRV_FILES_MAX];
	/* The request being handled. */
	kosh_handle_t caps[KOSH_MSG_CAPS_MAX]; /* received, not yet taken (0: taken) */
	uint32_t ncaps;
	int deferred; /* the reply was saved: nothing to answer now */
	int stopping; /* UNMOUNT succeeded: the loop answers it and returns */
	kosh_handle_t reply_caps[REPLY_CAPS_MAX];
	uint32_t nreply_caps;
	int handling;		  /* inside handle(): open_local records its slots */
	int made[REPLY_CAPS_MAX]; /* slots of the files this request made */
	uint32_t nmade;
	/* Normalised paths of the request. */
	char path[KOSH_VFS_PATH_MAX + 1];
	char path2[KOSH_VFS_PATH_MAX + 1];
};

static struct kosh_fsrv servers[SERVERS_MAX];
static uint32_t servers_used;

static void *data_of(struct kosh_fsrv *s)
{
	return &s->ipc->words[KOSH_MSG_WORDS_REG];
}

kosh_err_t kosh_fsrv_init(struct kosh_fsrv **out, const struct kosh_fsrv_config *cfg)
{
	struct kosh_handle_info info;
	struct kosh_fsrv *s;
	uint32_t need = KOSH_RIGHT_READ | KOSH_RIGHT_DUPLICATE;

	if (!cfg->ops || !cfg->endpoint)
		return KOSH_E_INVALID_ARGUMENT;
	/* Every file is a badged copy of the endpoint: we must be able to make them. */
	if (kosh_info(cfg->endpoint, &info) != KOSH_OK || info.type != KOSH_OBJ_ENDPOINT)
		return KOSH_E_WRONG_TYPE;
	need |= cfg->file_rights ? cfg->file_rights : FILE_RIGHTS;
	if ((info.rights & need) != need) {
		kosh_printf("%s: the endpoint handle lacks rights (has 0x%x, needs 0x%x)",
			    cfg->name ? cfg->name : "fileserver", info.rights, need);
		return KOSH_E_ACCESS_DENIED;
	}
	uint32_t i = __atomic_fetch_add(&servers_used, 1, __ATOMIC_RELAXED);
	if (i >= SERVERS_MAX)
		return KOSH_E_NO_MEMORY;
	s = &servers[i];
	s->cfg = *cfg;
	if (!s->cfg.file_rights)
		s->cfg.file_rights = FILE_RIGHTS;
	if (!s->cfg.name)
		s->cfg.name = "fileserver";
	s->ipc = cfg->ipc; /* NULL: the loop's thread's, found when it runs */
	/* The clock when the server started: badges of an earlier run do not match. */
	uint64_t now = (uint64_t)kosh_clock_get();
	s->epoch = (uint32_t)(now ^ now >> 32) | 1u;
	*out = s;
	return KOSH_OK;
}

void *kosh_fsrv_ctx(struct kosh_fsrv *s)
{
	return s->cfg.ctx;
}

kosh_handle_t kosh_fsrv_cap(struct kosh_fsrv *s, uint32_t i)
{
	kosh_handle_t h;

	if (i >= s->ncaps)
		return 0;
	h = s->caps[i];
	s->caps[i] = 0;
	return h;
}

kosh_err_t kosh_fsrv_reply_cap(struct kosh_fsrv *s, kosh_handle_t h)
{
	if (s->nreply_caps >= REPLY_CAPS_MAX)
		return KOSH_E_TOO_BIG;
	s->reply_caps[s->nreply_caps++] = h;
	return KOSH_OK;
}

/* ---- the table of open files ---- */

static int slot_alloc(struct kosh_fsrv *s)
{
	for (int i = 0; i < KOSH_FSRV_FILES_MAX; i++) {
		if (!s->used[i]) {
			s->used[i] = 1;
			memset(&s->files[i], 0, sizeof(s->files[i]));
			return i;
		}
	}
	return -1;
}

static void slot_free(struct kosh_fsrv *s, int i)
{
	s->used[i] = 0;
	/* Generation 0 is never used, so badge 0 stays the root's. */
	s->gen[i] = (uint16_t)(s->gen[i] + 1 == 0xffff ? 1 : s->gen[i] + 1);
}

static uint64_t slot_badge(struct kosh_fsrv *s, int i)
{
	if (s->gen[i] == 0)
		s->gen[i] = 1;
	return (uint64_t)(i + 1) | (uint64_t)s->gen[i] << 16 | (uint64_t)s->epoch << 32;
}

/* The open file a badge names, or NULL (stale, forged, the root). */
static struct kosh_fsrv_file *file_of(struct kosh_fsrv *s, uint64_t badge, int *slot)
{
	uint32_t i = BADGE_SLOT(badge);

	if (i == 0 || i > KOSH_FSRV_FILES_MAX || BADGE_EPOCH(badge) != s->epoch)
		return NULL;
	i--;
	if (!s->used[i] || s->gen[i] != BADGE_GEN(badge))
		return NULL;
	if (slot)
		*slot = (int)i;
	return &s->files[i];
}

/* A new badged handle for slot i. */
static kosh_err_t slot_handle(struct kosh_fsrv *s, int i, kosh_handle_t *out)
{
	int64_t h = kosh_handle_dup(s->cfg.endpoint, s->cfg.file_rights, slot_badge(s, i));

	if (h < 0)
		return (kosh_err_t)h;
	*out = (kosh_handle_t)h;
	return KOSH_OK;
}

kosh_err_t kosh_fsrv_open_local(struct kosh_fsrv *s, const struct kosh_fsrv_file *f,
				kosh_handle_t *out)
{
	int i = slot_alloc(s);
	kosh_err_t err;

	if (i < 0)
		return KOSH_E_NO_SLOTS;
	s->files[i] = *f;
	err = slot_handle(s, i, out);
	if (err != KOSH_OK)
		slot_free(s, i);
	else if (s->handling && s->nmade < REPLY_CAPS_MAX)
		s->made[s->nmade++] = i;
	return err;
}

/* ---- replies ---- */

static uint64_t words_for(uint32_t bytes)
{
	return KOSH_MSG_WORDS_REG + (bytes + 7u) / 8u;
}

kosh_err_t kosh_fsrv_defer(struct kosh_fsrv *s, kosh_handle_t *reply)
{
	int64_t h = kosh_reply_save(s->cfg.quota);

	if (h < 0)
		return (kosh_err_t)h;
	*reply = (kosh_handle_t)h;
	s->deferred = 1;
	return KOSH_OK;
}

/*
 * Answer a saved reply. If the kernel refuses the message itself (the handle
 * then stays), the caller gets EIO instead, or at worst, the handle closed,
 * KOSH_E_PEER_CLOSED: it is never left waiting.
 */
static kosh_err_t send_saved(kosh_handle_t reply, uint64_t tag,
			     const uint64_t w[KOSH_MSG_WORDS_REG])
{
	const struct kosh_msg m = { tag, { w[0], w[1], w[2], w[3] } };
	return kosh_reply_answer(reply, &m, KOSH_VFS_EIO);
}

kosh_err_t kosh_fsrv_answer_read(struct kosh_fsrv *s, kosh_handle_t reply, uint32_t err,
				 const void *data, uint32_t len)
{
	uint64_t w[KOSH_MSG_WORDS_REG] = {len, 0, 0, 0};

	if (err != 0)
		return send_saved(reply, kosh_msg_tag(err, 0, 0, 0), (uint64_t[4]){0});
	if (len > KOSH_VFS_IO_MAX)
		len = KOSH_VFS_IO_MAX, w[0] = len;
	memmove(data_of(s), data, len);
	return send_saved(reply, kosh_msg_tag(0, (uint32_t)words_for(len), 0, 0), w);
}

kosh_err_t kosh_fsrv_answer(struct kosh_fsrv *s, kosh_handle_t reply, uint32_t err,
			    const uint64_t words[KOSH_MSG_WORDS_REG])
{
	static const uint64_t none[KOSH_MSG_WORDS_REG];

	(void)s;
	if (err != 0)
		return send_saved(reply, kosh_msg_tag(err, 0, 0, 0), none);
	return send_saved(reply, kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 0, 0), words ? words : none);
}

/* ---- operations ---- */

/* A path of the request, checked as a path inside the scheme and normalised into out. */
static uint32_t take_path(const char *p, uint32_t len, char *out)
{
	char scheme[KOSH_VFS_SCHEME_MAX + 1];
	uint32_t err = kosh_vfs_path_check(p, len);

	if (err == 0)
		err = kosh_vfs_uri_split(p, len, scheme, out, KOSH_VFS_PATH_MAX + 1);
	return err;
}

static uint32_t do_open(struct kosh_fsrv *s, const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	uint32_t flags = (uint32_t)req->arg[0], err;
	struct kosh_vfs_stat st;
	struct kosh_fsrv_file *f;
	kosh_handle_t h;
	int i;

	if (!s->cfg.ops->open)
		return KOSH_VFS_ENOSYS;
	i = slot_alloc(s);
	if (i < 0)
		return KOSH_VFS_ENFILE;
	f = &s->files[i];
	f->flags = flags;
	err = s->cfg.ops->open(s, s->path, (uint32_t)strlen(s->path), flags, f);
	if (err == 0 && slot_handle(s, i, &h) != KOSH_OK) {
		if (s->cfg.ops->close)
			s->cfg.ops->close(s, f);
		err = KOSH_VFS_ENFILE;
	}
	if (err != 0) {
		slot_free(s, i);
		return err;
	}
	r->words[0] = f->type;
	if (s->cfg.ops->stat && s->cfg.ops->stat(s, f, &st) == 0)
		r->words[1] = st.size;
	if (s->nmade < REPLY_CAPS_MAX)
		s->made[s->nmade++] = i;
	/* The file goes first, then whatever the open added (a pipe's write end). */
	memmove(s->reply_caps + 1, s->reply_caps, s->nreply_caps * sizeof(kosh_handle_t));
	s->reply_caps[0] = h;
	s->nreply_caps++;
	return 0;
}

static uint32_t do_path(struct kosh_fsrv *s, const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	const struct kosh_fsrv_ops *ops = s->cfg.ops;
	uint32_t err = take_path(req->path, req->path_len, s->path), len;

	if (err != 0)
		return err;
	len = (uint32_t)strlen(s->path);
	switch (req->op) {
	case KOSH_VFS_OPEN:
		return do_open(s, req, r);
	case KOSH_VFS_STATP: {
		struct kosh_vfs_stat st = {0};
		if (!ops->statp)
			return KOSH_VFS_ENOSYS;
		err = ops->statp(s, s->path, len, &st);
		if (err == 0) {
			memcpy(data_of(s), &st, sizeof(st));
			r->tag = kosh_msg_tag(0, (uint32_t)words_for(sizeof(st)), 0, 0);
		}
		return err;
	}
	case KOSH_VFS_MKDIR:
		return ops->mkdir ? ops->mkdir(s, s->path, len) : KOSH_VFS_ENOSYS;
	case KOSH_VFS_UNLINK:
		return ops->unlink ? ops->unlink(s, s->path, len, (uint32_t)req->arg[0])
				   : KOSH_VFS_ENOSYS;
	case KOSH_VFS_RENAME:
		err = take_path(req->path2, req->path2_len, s->path2);
		if (err != 0)
			return err;
		return ops->rename
			   ? ops->rename(s, s->path, len, s->path2, (uint32_t)strlen(s->path2))
			   : KOSH_VFS_ENOSYS;
	case KOSH_VFS_STATFS: {
		struct kosh_vfs_statfs st = {0};
		if (!ops->statfs)
			return KOSH_VFS_ENOSYS;
		err = ops->statfs(s, s->path, len, &st);
		if (err == 0) {
			/* The strings go out terminated whatever the server left in them. */
			st.type[sizeof(st.type) - 1] = '\0';
			st.source[sizeof(st.source) - 1] = '\0';
			memcpy(data_of(s), &st, sizeof(st));
			r->tag = kosh_msg_tag(0, (uint32_t)words_for(sizeof(st)), 0, 0);
		}
		return err;
	}
	case KOSH_VFS_UNMOUNT:
		/* Only the whole volume is unmounted: the root, "/" once normalised. */
		if (len != 1)
			return KOSH_VFS_EINVAL;
		if (!ops->unmount)
			return KOSH_VFS_ENOSYS;
		err = ops->unmount(s);
		if (err == 0)
			s->stopping = 1;
		return err;
	default:
		return KOSH_VFS_ENOSYS;
	}
}

static uint32_t do_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
			const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	uint32_t got = 0, want, err;

	if (!(f->flags & KOSH_VFS_O_READ))
		return KOSH_VFS_EBADF;
	if (f->type == KOSH_VFS_DIR)
		return KOSH_VFS_EISDIR;
	if (!s->cfg.ops->read)
		return KOSH_VFS_ENOSYS;
	/* More than a reply holds is taken as all it holds. */
	want = req->arg[0] < KOSH_VFS_IO_MAX ? (uint32_t)req->arg[0] : KOSH_VFS_IO_MAX;
	err = s->cfg.ops->read(s, f, f->seekable ? f->pos : 0, data_of(s), want, &got);
	if (err != 0)
		return err;
	if (got > want)
		got = want;
	if (f->seekable)
		f->pos += got;
	r->tag = kosh_msg_tag(0, (uint32_t)words_for(got), 0, 0);
	r->words[0] = got;
	return 0;
}

/* The current size of a file (for APPEND and SEEK_END): 0 without a stat. */
static uint32_t file_size(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t *size)
{
	struct kosh_vfs_stat st = {0};
	uint32_t err = s->cfg.ops->stat ? s->cfg.ops->stat(s, f, &st) : KOSH_VFS_ENOSYS;

	*size = st.size;
	return err;
}

static uint32_t do_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
			 const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	uint32_t taken = 0, err;
	uint64_t off = f->pos;

	if (!(f->flags & KOSH_VFS_O_WRITE))
		return KOSH_VFS_EBADF;
	if (f->type == KOSH_VFS_DIR)
		return KOSH_VFS_EISDIR;
	if (!s->cfg.ops->write)
		return KOSH_VFS_ENOSYS;
	if (f->seekable && (f->flags & KOSH_VFS_O_APPEND)) {
		err = file_size(s, f, &off);
		if (err != 0)
			return err;
	}
	err = s->cfg.ops->write(s, f, f->seekable ? off : 0, req->data, (uint32_t)req->arg[0],
				&taken);
	if (err != 0)
		return err;
	if (taken > req->arg[0])
		taken = (uint32_t)req->arg[0];
	if (f->seekable)
		f->pos = off + taken;
	r->words[0] = taken;
	return 0;
}

static uint32_t do_seek(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
			const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	int64_t off = (int64_t)req->arg[0], base;
	uint64_t size;
	uint32_t err;

	if (!f->seekable)
		return KOSH_VFS_ESPIPE;
	switch (req->arg[1]) {
	case KOSH_VFS_SEEK_SET:
		base = 0;
		break;
	case KOSH_VFS_SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	default:
		err = file_size(s, f, &size);
		if (err != 0)
			return err;
		base = (int64_t)size;
		break;
	}
	if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0)
		return KOSH_VFS_EINVAL;
	f->pos = (uint64_t)(base + off);
	r->words[0] = f->pos;
	return 0;
}

static uint32_t do_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_msg *r)
{
	struct kosh_vfs_stat st = {0};
	uint32_t err;

	if (!s->cfg.ops->stat)
		return KOSH_VFS_ENOSYS;
	err = s->cfg.ops->stat(s, f, &st);
	if (err == 0) {
		memcpy(data_of(s), &st, sizeof(st));
		r->tag = kosh_msg_tag(0, (uint32_t)words_for(sizeof(st)), 0, 0);
	}
	return err;
}

static uint32_t do_readdir(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
			   const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	uint32_t used = 0, err;
	uint64_t next = 0;
	int end = 0;

	if (f->type != KOSH_VFS_DIR)
		return KOSH_VFS_ENOTDIR;
	if (!(f->flags & KOSH_VFS_O_READ))
		return KOSH_VFS_EBADF;
	if (!s->cfg.ops->readdir)
		return KOSH_VFS_ENOSYS;
	err =
	    s->cfg.ops->readdir(s, f, req->arg[0], data_of(s), KOSH_VFS_IO_MAX, &used, &next, &end);
	if (err != 0)
		return err;
	if (used > KOSH_VFS_IO_MAX)
		return KOSH_VFS_EIO;
	r->tag = kosh_msg_tag(0, (uint32_t)words_for(used), 0, 0);
	r->words[0] = used;
	r->words[1] = next;
	r->words[2] = end ? 1 : 0;
	return 0;
}

/* DUP: a second open file on the same node, for a client to hand to another process. */
static uint32_t do_dup(struct kosh_fsrv *s, int slot, struct kosh_msg *r)
{
	const struct kosh_fsrv_ops *ops = s->cfg.ops;
	uint32_t err = 0;
	kosh_handle_t h;
	int i;

	if (!ops->dup && ops->close)
		return KOSH_VFS_ENOSYS;
	i = slot_alloc(s);
	if (i < 0)
		return KOSH_VFS_ENFILE;
	s->files[i] = s->files[slot];
	if (ops->dup)
		err = ops->dup(s, &s->files[i]);
	if (err == 0 && slot_handle(s, i, &h) != KOSH_OK) {
		if (ops->close)
			ops->close(s, &s->files[i]);
		err = KOSH_VFS_ENFILE;
	}
	if (err != 0) {
		slot_free(s, i);
		return err;
	}
	r->words[0] = s->files[i].type;
	s->reply_caps[s->nreply_caps++] = h;
	s->made[s->nmade++] = i;
	return 0;
}

/* A file operation: the badge names the file. */
static uint32_t do_file(struct kosh_fsrv *s, uint64_t badge, const struct kosh_vfs_request *req,
			struct kosh_msg *r)
{
	const struct kosh_fsrv_ops *ops = s->cfg.ops;
	int slot;
	struct kosh_fsrv_file *f = file_of(s, badge, &slot);

	if (!f)
		return KOSH_VFS_EBADF;
	switch (req->op) {
	case KOSH_VFS_READ:
		return do_read(s, f, req, r);
	case KOSH_VFS_WRITE:
		return do_write(s, f, req, r);
	case KOSH_VFS_SEEK:
		return do_seek(s, f, req, r);
	case KOSH_VFS_STAT:
		return do_stat(s, f, r);
	case KOSH_VFS_READDIR:
		return do_readdir(s, f, req, r);
	case KOSH_VFS_TRUNCATE:
		if (!(f->flags & KOSH_VFS_O_WRITE))
			return KOSH_VFS_EBADF;
		if (f->type == KOSH_VFS_DIR)
			return KOSH_VFS_EISDIR;
		return ops->truncate ? ops->truncate(s, f, req->arg[0]) : KOSH_VFS_ENOSYS;
	case KOSH_VFS_SYNC:
		return ops->sync ? ops->sync(s, f) : 0; /* nothing is behind us to reach */
	case KOSH_VFS_CLOSE:
		if (ops->close)
			ops->close(s, f);
		slot_free(s, slot);
		return 0;
	case KOSH_VFS_DUP:
		return do_dup(s, slot, r);
	default:
		if (ops->other)
			return ops->other(s, f, req, r->words);
		return KOSH_VFS_ENOTTY;
	}
}

/*
 * A reply that carries new files (OPEN, DUP) goes out through a saved reply, so
 * that if the caller is gone (vfsd gave up waiting, the client died) we learn
 * it and forget the files at once rather than keep them open for nobody. If
 * the reply cannot be saved it goes the ordinary way.
 */
static void send_files(struct kosh_fsrv *s, const struct kosh_msg *r)
{
	int64_t reply = s->cfg.quota ? kosh_reply_save(s->cfg.quota) : KOSH_E_BAD_HANDLE;
	kosh_err_t err;

	if (reply < 0)
		return;
	s->deferred = 1;
	err = send_saved((kosh_handle_t)reply, r->tag, r->words);
	if (err == KOSH_OK)
		return;
	/* Not delivered: the capabilities are still ours. */
	for (uint32_t i = 0; i < s->nreply_caps; i++)
		kosh_handle_close(s->reply_caps[i]);
	for (uint32_t i = 0; i < s->nmade; i++) {
		if (s->cfg.ops->close)
			s->cfg.ops->close(s, &s->files[s->made[i]]);
		slot_free(s, s->made[i]);
	}
}

/* Handle one request; *r is the reply (label 0, 4 words) unless it is deferred. */
static void handle(struct kosh_fsrv *s, const struct kosh_msg *m, uint64_t badge,
		   struct kosh_msg *r)
{
	struct kosh_vfs_request req;
	uint32_t err;

	s->ncaps = KOSH_MSG_CAPS(m->tag) <= KOSH_MSG_CAPS_MAX ? KOSH_MSG_CAPS(m->tag) : 0;
	for (uint32_t i = 0; i < s->ncaps; i++)
		s->caps[i] = s->ipc->caps[i];
	s->nreply_caps = 0;
	s->nmade = 0;
	s->deferred = 0;
	s->handling = 1;
	*r = (struct kosh_msg){kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 0, 0), {0}};
	err = kosh_vfs_decode(m->tag, m->words, data_of(s), &req);
	if (err == 0) {
		if (req.op >= KOSH_VFS_READ)
			err = do_file(s, badge, &req, r);
		else if (req.op == KOSH_VFS_REGISTER || req.op == KOSH_VFS_MOUNT ||
			 req.op == KOSH_VFS_MOUNTS)
			err = KOSH_VFS_ENOSYS; /* the namespace's, not a scheme server's */
		else if (badge != 0)
			err = KOSH_VFS_EBADF; /* path operations are the root's */
		else
			err = do_path(s, &req, r);
	}
	/* Received capabilities nobody took are not ours to keep. */
	for (uint32_t i = 0; i < s->ncaps; i++)
		if (s->caps[i])
			kosh_handle_close(s->caps[i]);
	s->ncaps = 0;
	s->handling = 0;
	if (err == KOSH_FSRV_DEFER && s->deferred)
		return;
	if (err == KOSH_FSRV_DEFER)
		err = KOSH_VFS_EIO; /* deferred without a saved reply: a server bug */
	if (err != 0) {
		/* Files an operation made before it failed are its business; we only forget them.
		 */
		for (uint32_t i = 0; i < s->nmade; i++)
			slot_free(s, s->made[i]);
		for (uint32_t i = 0; i < s->nreply_caps; i++)
			kosh_handle_close(s->reply_caps[i]);
		s->nreply_caps = 0;
		*r = (struct kosh_msg){kosh_msg_tag(err, 0, 0, 0), {0}};
		return;
	}
	for (uint32_t i = 0; i < s->nreply_caps; i++)
		s->ipc->caps[i] = s->reply_caps[i];
	if (s->nreply_caps) {
		r->tag = kosh_msg_tag(0, KOSH_MSG_WORDS(r->tag), s->nreply_caps,
				      (1u << s->nreply_caps) - 1);
		send_files(s, r);
	}
}

static int on_message(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *r)
{
	struct kosh_fsrv *s = ctx;
	handle(s, m, badge, r);
	if (s->stopping) {
		kosh_printf("%s: unmounted", s->cfg.name);
		return KOSH_SERVE_REPLY_STOP;
	}
	return s->deferred ? KOSH_SERVE_NO_REPLY : KOSH_SERVE_REPLY;
}

static void on_notify(void *ctx, uint64_t bits)
{
	struct kosh_fsrv *s = ctx;
	if (s->cfg.ops->notify)
		s->cfg.ops->notify(s, bits);
}

kosh_err_t kosh_fsrv_run(struct kosh_fsrv *s)
{
	if (!s->ipc)
		s->ipc = kosh_ipc_buffer();
	const struct kosh_serve loop = {
		.name = s->cfg.name,
		.endpoint = s->cfg.endpoint,
		.other = on_message,
		.notify = on_notify,
		.ctx = s,
	};
	return kosh_serve_run(&loop);
}

uint32_t kosh_fsrv_read_text(const void *text, uint64_t len, uint64_t off, void *buf,
			     uint32_t want, uint32_t *got)
{
	uint64_t left = off < len ? len - off : 0;
	*got = left < want ? (uint32_t)left : want;
	if (*got)
		memcpy(buf, (const char *)text + off, *got);
	return 0;
}
