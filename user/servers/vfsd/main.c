/* SPDX-License-Identifier: MIT */
/*
 * vfsd: the namespace (docs/vfs.md). It keeps a table of schemes, each with the
 * endpoint of the server that registered it, and routes every path operation
 * on a full URI ("fs:///home/a") to that server with the path inside the scheme
 * ("/home/a", normalised), then passes the server's reply back as it came,
 * capabilities moved (an OPEN's file), so the client talks to the file's server
 * directly from then on: vfsd is never on the data path.
 *
 * Its endpoint comes as the start handle "vfs" (read right). The badge of the
 * sender's handle says who it is: KOSH_VFS_BADGE_ADMIN (init) may REGISTER a
 * scheme, which replaces an earlier registration of the same name; everyone
 * may do path operations. A server that does not answer within the timeout
 * (argument --timeout MS, default FORWARD_TIMEOUT_MS) is EIO for that request,
 * and vfsd goes on serving; one that answers with something malformed is EIO
 * too.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define SCHEMES_MAX	   32
#define FORWARD_TIMEOUT_MS 5000u
#define CLOSE_TIMEOUT	   (1ull * 1000000000ull)

struct scheme {
	char name[KOSH_VFS_SCHEME_MAX + 1]; /* "" : a free entry */
	kosh_handle_t ep;		    /* the server's endpoint (write, transfer) */
};

static struct scheme schemes[SCHEMES_MAX];
static kosh_handle_t endpoint;
static struct kosh_ipc_buffer *ipc;
static uint64_t forward_timeout = FORWARD_TIMEOUT_MS * 1000000ull; /* ns */

/* Bytes of the path(s) being forwarded, normalised. */
static char path1[KOSH_VFS_PATH_MAX + 1], path2[KOSH_VFS_PATH_MAX + 1];

static struct scheme *scheme_find(const char *name, uint32_t len)
{
	for (int i = 0; i < SCHEMES_MAX; i++)
		if (schemes[i].name[0] && strlen(schemes[i].name) == len &&
		    memcmp(schemes[i].name, name, len) == 0)
			return &schemes[i];
	return NULL;
}

/* REGISTER: the scheme is the request's path, its endpoint cap 0 (taken here). */
static uint32_t vfsd_handle_register(const struct kosh_vfs_request *req, uint64_t badge,
				     kosh_handle_t cap)
{
	struct kosh_handle_info info;
	struct scheme *s;

	if (badge != KOSH_VFS_BADGE_ADMIN)
		return KOSH_VFS_EPERM;
	if (kosh_info(cap, &info) != KOSH_OK || info.type != KOSH_OBJ_ENDPOINT ||
	    !(info.rights & KOSH_RIGHT_WRITE))
		return KOSH_VFS_EINVAL;
	s = scheme_find(req->path, req->path_len);
	for (int i = 0; i < SCHEMES_MAX && !s; i++)
		if (!schemes[i].name[0])
			s = &schemes[i];
	if (!s)
		return KOSH_VFS_ENFILE;
	if (s->ep)
		kosh_handle_close(s->ep);
	memcpy(s->name, req->path, req->path_len);
	s->name[req->path_len] = '\0';
	s->ep = cap;
	kosh_printf("%s:// registered", s->name);
	return 0;
}

/* Split a URI of the request into its scheme's entry and the normalised inner path. */
static uint32_t route(const char *uri, uint32_t len, char *path, struct scheme **out)
{
	char name[KOSH_VFS_SCHEME_MAX + 1];
	uint32_t err = kosh_vfs_uri_split(uri, len, name, path, KOSH_VFS_PATH_MAX + 1);

	if (err != 0)
		return err;
	*out = scheme_find(name, (uint32_t)strlen(name));
	return *out ? 0 : KOSH_VFS_ENOENT;
}

/*
 * A reply from a server as we may pass it on: a label that is a result, caps
 * only with a successful OPEN, data no larger than the operation's.
 */
static int reply_ok(uint32_t op, const struct kosh_msg *r)
{
	uint32_t label = KOSH_MSG_LABEL(r->tag), caps = KOSH_MSG_CAPS(r->tag);

	if (((uint32_t)r->tag & KOSH_MSG_TAG_RESERVED) != 0 || label >= 4096)
		return 0;
	if (caps > (op == KOSH_VFS_OPEN && label == 0 ? 2u : 0u))
		return 0;
	if (op == KOSH_VFS_OPEN && label == 0 && caps == 0)
		return 0; /* a successful OPEN without its file */
	if (op == KOSH_VFS_STATP && label == 0)
		return KOSH_MSG_WORDS(r->tag) ==
		       KOSH_MSG_WORDS_REG + sizeof(struct kosh_vfs_stat) / 8;
	return KOSH_MSG_WORDS(r->tag) <= KOSH_MSG_WORDS_REG;
}

/*
 * A path operation: route it, call the server with the inner path(s) and pass
 * its reply back in *r (capabilities, already in our IPC buffer, moved on).
 */
static uint32_t vfsd_handle_path(const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	struct scheme *s, *s2;
	uint32_t err = route(req->path, req->path_len, path1, &s);
	uint32_t len1, len2 = 0;
	struct kosh_msg m;
	kosh_err_t e;

	if (err != 0)
		return err;
	len1 = (uint32_t)strlen(path1);
	if (req->op == KOSH_VFS_RENAME) {
		err = route(req->path2, req->path2_len, path2, &s2);
		if (err != 0)
			return err;
		if (s2 != s)
			return KOSH_VFS_EXDEV;
		len2 = (uint32_t)strlen(path2);
	}
	/* The request's bytes are in our IPC buffer: build the new ones from copies. */
	char *data = (char *)&ipc->words[KOSH_MSG_WORDS_REG];
	memcpy(data, path1, len1);
	memcpy(data + len1, path2, len2);
	m.tag = kosh_msg_tag(req->op, KOSH_MSG_WORDS_REG + (len1 + len2 + 7) / 8, 0, 0);
	m.words[0] = req->arg[0];
	m.words[1] = len1;
	m.words[2] = len2;
	m.words[3] = 0;
	e = kosh_call(s->ep, &m, r, forward_timeout);
	if (e != KOSH_OK) {
		kosh_printf("%s:// did not answer: %s", s->name, kosh_strerror(e));
		return KOSH_VFS_EIO;
	}
	if (!reply_ok(req->op, r)) {
		kosh_printf("%s:// answered a malformed reply (tag 0x%llx)", s->name,
			    (unsigned long long)r->tag);
		for (uint32_t i = 0; i < KOSH_MSG_CAPS(r->tag) && i < KOSH_MSG_CAPS_MAX; i++)
			kosh_handle_close(ipc->caps[i]);
		return KOSH_VFS_EIO;
	}
	if (KOSH_MSG_LABEL(r->tag) != 0)
		r->tag = kosh_msg_tag(KOSH_MSG_LABEL(r->tag), 0, 0, 0);
	else
		r->tag = kosh_msg_tag(0, KOSH_MSG_WORDS(r->tag), KOSH_MSG_CAPS(r->tag),
				      (1u << KOSH_MSG_CAPS(r->tag)) - 1);
	return 0;
}

/*
 * Pass on a reply that carries files (an OPEN's) through a saved reply, so
 * that if the client is gone (it timed out, it died) the files are CLOSEd at
 * their server instead of staying open there for nobody. 0: no reply could be
 * saved, the loop answers the ordinary way (and a lost answer loses the files).
 */
static int deliver_files(const struct kosh_msg *r)
{
	int64_t reply = kosh_reply_save(kosh_self()->quota);
	uint32_t caps = KOSH_MSG_CAPS(r->tag);
	kosh_handle_t files[KOSH_MSG_CAPS_MAX];

	for (uint32_t i = 0; i < caps; i++)
		files[i] = ipc->caps[i];
	if (reply < 0)
		return 0;
	if (kosh_reply_answer((kosh_handle_t)reply, r, KOSH_VFS_EIO) == KOSH_OK)
		return 1;
	for (uint32_t i = 0; i < caps; i++) {
		struct kosh_msg c = {kosh_msg_tag(KOSH_VFS_CLOSE, 0, 0, 0), {0}};
		kosh_call(files[i], &c, &c, CLOSE_TIMEOUT);
		kosh_handle_close(files[i]);
	}
	return 1;
}

static void vfsd_handle(const struct kosh_msg *m, uint64_t badge, struct kosh_msg *r)
{
	struct kosh_vfs_request req;
	uint32_t caps = KOSH_MSG_CAPS(m->tag), err;
	kosh_handle_t got[KOSH_MSG_CAPS_MAX] = {0};

	for (uint32_t i = 0; i < caps && i < KOSH_MSG_CAPS_MAX; i++)
		got[i] = ipc->caps[i];
	*r = (struct kosh_msg){kosh_msg_tag(0, 0, 0, 0), {0}};
	err = kosh_vfs_decode(m->tag, m->words, &ipc->words[KOSH_MSG_WORDS_REG], &req);
	if (err == 0 && badge != KOSH_VFS_BADGE_ADMIN && badge != KOSH_VFS_BADGE_CLIENT)
		err = KOSH_VFS_EPERM;
	if (err == 0) {
		if (req.op == KOSH_VFS_REGISTER) {
			err = vfsd_handle_register(&req, badge, got[0]);
			if (err == 0)
				got[0] = 0; /* kept */
		} else if (req.op <= KOSH_VFS_RENAME) {
			err = vfsd_handle_path(&req, r);
		} else {
			err = KOSH_VFS_EBADF; /* a file operation: vfsd has no files */
		}
	}
	for (uint32_t i = 0; i < KOSH_MSG_CAPS_MAX; i++)
		if (got[i])
			kosh_handle_close(got[i]);
	if (err != 0)
		*r = (struct kosh_msg){kosh_msg_tag(err, 0, 0, 0), {0}};
}

/* A message: its reply goes with the next receive, unless files go with it (deliver_files). */
static int on_message(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *r)
{
	(void)ctx;
	vfsd_handle(m, badge, r);
	return KOSH_MSG_CAPS(r->tag) == 0 || !deliver_files(r) ? KOSH_SERVE_REPLY : KOSH_SERVE_NO_REPLY;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i += 2) {
		uint64_t ms = 0;
		const char *p = i + 1 < argc ? argv[i + 1] : "";
		while (*p >= '0' && *p <= '9' && ms < 3600000)
			ms = ms * 10 + (uint64_t)(*p++ - '0');
		if (strcmp(argv[i], "--timeout") != 0 || *p || ms == 0 || ms >= 3600000) {
			kosh_printf("usage: vfsd [--timeout MS] (1 .. 3599999)");
			return 2;
		}
		forward_timeout = ms * 1000000ull;
	}
	endpoint = kosh_start_handle("vfs", NULL);
	ipc = kosh_self()->ipc_buffer;
	if (!endpoint) {
		kosh_printf("no \"vfs\" endpoint given");
		return 1;
	}
	const struct kosh_serve loop = {
		.name = "vfsd",
		.endpoint = endpoint,
		.other = on_message,
	};
	kosh_serve_run(&loop);
	return 1;
}
