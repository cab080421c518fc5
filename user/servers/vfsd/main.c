/* SPDX-License-Identifier: MIT */
/*
 * vfsd: the namespace (docs/vfs.md). It keeps a table of mounts, each a URI
 * ("fs:///", "fs:///boot") with the endpoint of the server of everything below
 * it, a scheme's registration being its bottom mount at "/", and routes every
 * path operation on a full URI ("fs:///boot/efi/a") to the server of the mount
 * with the longest prefix, with the rest of the path ("/efi/a", normalised),
 * then passes the server's reply back as it came,
 * capabilities moved (an OPEN's file), so the client talks to the file's server
 * directly from then on: vfsd is never on the data path.
 *
 * Its endpoint comes as the start handle "vfs" (read right). The badge of the
 * sender's handle says who it is: KOSH_VFS_BADGE_ADMIN (init) may REGISTER a
 * scheme, which replaces an earlier registration of the same name, MOUNT and
 * UNMOUNT; everyone may do path operations and list MOUNTS. A server that
 * does not answer within the timeout (argument --timeout MS, default
 * FORWARD_TIMEOUT_MS) is EIO for that request, and vfsd goes on serving; one
 * that answers with something malformed is EIO too.
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

#define MOUNTS_MAX	   32 /* mounts and registrations in all */
#define FORWARD_TIMEOUT_MS 5000u
#define CLOSE_TIMEOUT	   (1ull * 1000000000ull)

/*
 * The mount table, oldest first (MOUNTS lists it in this order; a removed
 * entry closes the gap). A registration is its scheme's bottom mount at "/":
 * REGISTER again replaces it in place, and it loses to every mount at the
 * same point, however old.
 */
struct mount {
	char scheme[KOSH_VFS_SCHEME_MAX + 1];
	char path[KOSH_VFS_PATH_MAX + 1]; /* normalised: "/" or "/boot" … */
	uint32_t path_len;
	int bottom;	  /* the scheme's registration */
	kosh_handle_t ep; /* the server's endpoint (write, transfer) */
};

static struct mount mounts[MOUNTS_MAX];
static uint32_t nmounts;
static kosh_handle_t endpoint;
static struct kosh_ipc_buffer *ipc;
static uint64_t forward_timeout = FORWARD_TIMEOUT_MS * 1000000ull; /* ns */

/* Bytes of the path(s) being forwarded, normalised. */
static char path1[KOSH_VFS_PATH_MAX + 1], path2[KOSH_VFS_PATH_MAX + 1];

/* The endpoint of a REGISTER or MOUNT: an endpoint we may send on. */
static int endpoint_ok(kosh_handle_t cap)
{
	struct kosh_handle_info info;

	return kosh_info(cap, &info) == KOSH_OK && info.type == KOSH_OBJ_ENDPOINT &&
	       (info.rights & KOSH_RIGHT_WRITE);
}

/* A new entry at the end of the table (the newest), or NULL when it is full. */
static struct mount *mount_add(const char *scheme, uint32_t scheme_len, const char *path,
			       uint32_t path_len, kosh_handle_t ep)
{
	struct mount *m;

	if (nmounts >= MOUNTS_MAX)
		return NULL;
	m = &mounts[nmounts++];
	memcpy(m->scheme, scheme, scheme_len);
	m->scheme[scheme_len] = '\0';
	memcpy(m->path, path, path_len);
	m->path[path_len] = '\0';
	m->path_len = path_len;
	m->bottom = 0;
	m->ep = ep;
	return m;
}

/* REGISTER: the scheme is the request's path, its endpoint cap 0 (taken here). */
static uint32_t vfsd_handle_register(const struct kosh_vfs_request *req, uint64_t badge,
				     kosh_handle_t cap)
{
	struct mount *m = NULL;

	if (badge != KOSH_VFS_BADGE_ADMIN)
		return KOSH_VFS_EPERM;
	if (!endpoint_ok(cap))
		return KOSH_VFS_EINVAL;
	for (uint32_t i = 0; i < nmounts && !m; i++)
		if (mounts[i].bottom && strlen(mounts[i].scheme) == req->path_len &&
		    memcmp(mounts[i].scheme, req->path, req->path_len) == 0)
			m = &mounts[i];
	if (m) {
		kosh_handle_close(m->ep); /* replaced in place: later mounts stay over it */
		m->ep = cap;
	} else {
		m = mount_add(req->path, req->path_len, "/", 1, cap);
		if (!m)
			return KOSH_VFS_ENFILE;
		m->bottom = 1;
	}
	kosh_printf("%s:// registered", m->scheme);
	return 0;
}

/* MOUNT: the server of cap 0 (taken here) at the request's URI, over what was there. */
static uint32_t vfsd_handle_mount(const struct kosh_vfs_request *req, uint64_t badge,
				  kosh_handle_t cap)
{
	char scheme[KOSH_VFS_SCHEME_MAX + 1];
	uint32_t err;

	if (badge != KOSH_VFS_BADGE_ADMIN)
		return KOSH_VFS_EPERM;
	if (!endpoint_ok(cap))
		return KOSH_VFS_EINVAL;
	err = kosh_vfs_uri_split(req->path, req->path_len, scheme, path1, sizeof(path1));
	if (err != 0)
		return err;
	if (!mount_add(scheme, (uint32_t)strlen(scheme), path1, (uint32_t)strlen(path1), cap))
		return KOSH_VFS_ENFILE;
	kosh_printf("%s://%s mounted", scheme, path1);
	return 0;
}

/*
 * UNMOUNT: the newest mount of exactly the URI goes, and its endpoint with it.
 * Not a mount point: EINVAL (as umount(2)); only the registration there: EBUSY
 * (it goes by being replaced, never by UNMOUNT).
 */
static uint32_t vfsd_handle_unmount(const struct kosh_vfs_request *req, uint64_t badge)
{
	char scheme[KOSH_VFS_SCHEME_MAX + 1];
	uint32_t err, len, slen;
	int registered = 0;

	if (badge != KOSH_VFS_BADGE_ADMIN)
		return KOSH_VFS_EPERM;
	if (req->path[0] == '/')
		return KOSH_VFS_EINVAL; /* a whole URI, as MOUNT names it */
	err = kosh_vfs_uri_split(req->path, req->path_len, scheme, path1, sizeof(path1));
	if (err != 0)
		return err;
	len = (uint32_t)strlen(path1);
	slen = (uint32_t)strlen(scheme);
	for (uint32_t i = nmounts; i-- > 0;) {
		struct mount *m = &mounts[i];
		if (strlen(m->scheme) != slen || memcmp(m->scheme, scheme, slen) != 0 ||
		    m->path_len != len || memcmp(m->path, path1, len) != 0)
			continue;
		if (m->bottom) {
			registered = 1;
			continue;
		}
		kosh_handle_close(m->ep);
		memmove(m, m + 1, (nmounts - i - 1) * sizeof(*m));
		nmounts--;
		kosh_printf("%s://%s unmounted", scheme, path1);
		return 0;
	}
	return registered ? KOSH_VFS_EBUSY : KOSH_VFS_EINVAL;
}

/* MOUNTS: entry w0 as "scheme://path" in the reply's data. */
/* Whether mount i is hidden by another at the same point (which routing picks instead). */
static int covered(uint32_t i)
{
	const struct mount *m = &mounts[i];

	for (uint32_t j = 0; j < nmounts; j++) {
		const struct mount *o = &mounts[j];
		if (j != i && !o->bottom && (m->bottom || j > i) && o->path_len == m->path_len &&
		    strcmp(o->scheme, m->scheme) == 0 && memcmp(o->path, m->path, m->path_len) == 0)
			return 1;
	}
	return 0;
}

/* MOUNTS: the mount at or after index w0 that routing can reach (covered ones are skipped). */
static uint32_t vfsd_handle_mounts(const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	char *data = (char *)&ipc->words[KOSH_MSG_WORDS_REG];
	const struct mount *m;
	uint32_t slen, n, i = req->arg[0] < nmounts ? (uint32_t)req->arg[0] : nmounts, next;

	while (i < nmounts && covered(i))
		i++;
	if (i >= nmounts)
		return KOSH_VFS_ENOENT;
	for (next = i + 1; next < nmounts && covered(next); next++)
		;
	m = &mounts[i];
	slen = (uint32_t)strlen(m->scheme);
	n = slen + 3 + m->path_len; /* no longer than the URI MOUNT was given, normalised */
	memcpy(data, m->scheme, slen);
	memcpy(data + slen, "://", 3);
	memcpy(data + slen + 3, m->path, m->path_len);
	r->tag = kosh_msg_tag(0, KOSH_MSG_WORDS_REG + (n + 7) / 8, 0, 0);
	r->words[0] = n;
	r->words[1] = next;
	r->words[2] = next == nmounts;
	return 0;
}

/*
 * Route a URI of the request: the mount with the longest prefix of whole
 * components of its normalised path, at equal points the newest that is not
 * the registration; path gets the rest, "/" for the mount point itself.
 */
static uint32_t route(const char *uri, uint32_t len, char *path, struct mount **out)
{
	char name[KOSH_VFS_SCHEME_MAX + 1];
	uint32_t err = kosh_vfs_uri_split(uri, len, name, path, KOSH_VFS_PATH_MAX + 1);
	uint32_t plen, slen, best_len = 0;
	struct mount *best = NULL;

	if (err != 0)
		return err;
	plen = (uint32_t)strlen(path);
	slen = (uint32_t)strlen(name);
	for (uint32_t i = 0; i < nmounts; i++) {
		struct mount *m = &mounts[i];
		uint32_t ml = m->path_len == 1 ? 0 : m->path_len; /* "/" matches everything */
		if (strlen(m->scheme) != slen || memcmp(m->scheme, name, slen) != 0)
			continue;
		if (ml > plen || memcmp(m->path, path, ml) != 0 || (ml < plen && path[ml] != '/'))
			continue;
		/* Later entries are newer: they win ties, unless they are the registration. */
		if (!best || ml > best_len || (ml == best_len && !m->bottom)) {
			best = m;
			best_len = ml;
		}
	}
	if (!best)
		return KOSH_VFS_ENOENT;
	if (best_len > 0) {
		memmove(path, path + best_len, plen - best_len + 1);
		if (path[0] == '\0')
			memcpy(path, "/", 2);
	}
	*out = best;
	return 0;
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
	if (op == KOSH_VFS_STATFS && label == 0)
		return KOSH_MSG_WORDS(r->tag) ==
		       KOSH_MSG_WORDS_REG + sizeof(struct kosh_vfs_statfs) / 8;
	return KOSH_MSG_WORDS(r->tag) <= KOSH_MSG_WORDS_REG;
}

/*
 * A path operation: route it, call the server with the inner path(s) and pass
 * its reply back in *r (capabilities, already in our IPC buffer, moved on).
 */
static uint32_t vfsd_handle_path(const struct kosh_vfs_request *req, struct kosh_msg *r)
{
	struct mount *s, *s2;
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
			return KOSH_VFS_EXDEV; /* another scheme, or another mount */
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
		kosh_printf("%s://%s did not answer: %s", s->scheme, s->path, kosh_strerror(e));
		return KOSH_VFS_EIO;
	}
	if (!reply_ok(req->op, r)) {
		kosh_printf("%s://%s answered a malformed reply (tag 0x%llx)", s->scheme, s->path,
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
		if (req.op == KOSH_VFS_REGISTER || req.op == KOSH_VFS_MOUNT) {
			err = req.op == KOSH_VFS_REGISTER
				  ? vfsd_handle_register(&req, badge, got[0])
				  : vfsd_handle_mount(&req, badge, got[0]);
			if (err == 0)
				got[0] = 0; /* kept */
		} else if (req.op == KOSH_VFS_UNMOUNT) {
			err = vfsd_handle_unmount(&req, badge);
		} else if (req.op == KOSH_VFS_MOUNTS) {
			err = vfsd_handle_mounts(&req, r);
		} else if (req.op <= KOSH_VFS_STATFS) {
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
