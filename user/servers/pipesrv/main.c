/* SPDX-License-Identifier: MIT */
/*
 * pipesrv: pipes (docs/vfs.md), served as pipe://. OPEN of "/" makes a pipe
 * and answers with two files: cap 0 the read end, cap 1 the write end. Each
 * pipe has a ring of RING_SIZE bytes.
 *
 *  - READ of an empty pipe waits (a deferred reply) while a write end is open;
 *    with none left it is the end of the file (0 bytes).
 *  - WRITE takes what fits in the ring (maybe less than sent: the client
 *    writes the rest again); to a full pipe it waits, its bytes kept here, until
 *    a READ makes room; with no read end left it is EPIPE, and so is a waiting
 *    WRITE when the last read end goes.
 *  - An end is open until its CLOSE. DUP makes another file on the same end
 *    (its own CLOSE), for handing an end to another process.
 *
 * Clients that die: the kernel does not tell a server when the last handle to
 * one of its files is gone, so an end whose holder died without CLOSE stays
 * open (the C library's exit CLOSEs every file; a process killed by a fault
 * does not). What pipesrv does notice is a waiting READ or WRITE whose caller
 * is gone, when it answers (KOSH_E_PEER_CLOSED): that answer is dropped, the
 * bytes a dead reader would have taken stay in the pipe for the next READ,
 * and those of a dead writer are not added.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fileserver.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define PIPES_MAX   32
#define RING_SIZE   8192u
#define WAITERS_MAX 8 /* waiting READs, and waiting WRITEs, per pipe */

enum end { END_READ = 0, END_WRITE = 1 };

struct waiter {
	kosh_handle_t reply;
	uint32_t len;  /* a READ: most bytes wanted; a WRITE: bytes in data */
	uint8_t *data; /* a WRITE's bytes (kosh_page_alloc) */
};

struct pipe {
	int used;
	uint8_t *ring;
	uint32_t head, count;	   /* the oldest byte, and how many are in */
	uint32_t readers, writers; /* open files on each end */
	struct waiter rq[WAITERS_MAX], wq[WAITERS_MAX];
	uint32_t nr, nw;
	uint64_t ino;
};

static struct pipe pipes[PIPES_MAX];
static uint64_t next_ino = 1;
static uint8_t chunk[KOSH_VFS_IO_MAX]; /* bytes on their way to a waiting reader */

/* ---- the ring ---- */

static uint32_t ring_room(const struct pipe *p)
{
	return RING_SIZE - p->count;
}

/* Copy up to n of the oldest bytes to out without taking them. */
static uint32_t ring_peek(const struct pipe *p, uint8_t *out, uint32_t n)
{
	if (n > p->count)
		n = p->count;
	for (uint32_t i = 0; i < n; i++)
		out[i] = p->ring[(p->head + i) % RING_SIZE];
	return n;
}

static void ring_drop(struct pipe *p, uint32_t n)
{
	p->head = (p->head + n) % RING_SIZE;
	p->count -= n;
}

static uint32_t ring_put(struct pipe *p, const uint8_t *in, uint32_t n)
{
	if (n > ring_room(p))
		n = ring_room(p);
	for (uint32_t i = 0; i < n; i++)
		p->ring[(p->head + p->count + i) % RING_SIZE] = in[i];
	p->count += n;
	return n;
}

static void queue_pop(struct waiter *q, uint32_t *n)
{
	memmove(q, q + 1, (*n - 1) * sizeof(*q));
	(*n)--;
}

/* ---- waking the waiting ---- */

/* Give waiting READs what the ring holds; at the end of the file, 0 bytes. */
static void feed_readers(struct kosh_fsrv *s, struct pipe *p)
{
	while (p->nr > 0 && (p->count > 0 || p->writers == 0)) {
		struct waiter *w = &p->rq[0];
		uint32_t n = ring_peek(p, chunk, w->len);
		kosh_err_t err = kosh_fsrv_answer_read(s, w->reply, 0, chunk, n);
		/* A reader that is gone takes nothing. */
		if (err == KOSH_OK)
			ring_drop(p, n);
		queue_pop(p->rq, &p->nr);
	}
}

/* Move the bytes of waiting WRITEs into the ring as room allows. */
static void feed_writers(struct kosh_fsrv *s, struct pipe *p)
{
	while (p->nw > 0 && ring_room(p) > 0) {
		struct waiter *w = &p->wq[0];
		uint32_t n = w->len < ring_room(p) ? w->len : ring_room(p);
		uint64_t words[KOSH_MSG_WORDS_REG] = {n};
		/* Answered first: the bytes of a writer that is gone are not added. */
		if (kosh_fsrv_answer(s, w->reply, 0, words) == KOSH_OK)
			ring_put(p, w->data, n);
		kosh_page_free(w->data);
		queue_pop(p->wq, &p->nw);
	}
}

/* The last read end went: every waiting WRITE is EPIPE. */
static void fail_writers(struct kosh_fsrv *s, struct pipe *p)
{
	while (p->nw > 0) {
		kosh_fsrv_answer(s, p->wq[0].reply, KOSH_VFS_EPIPE, NULL);
		kosh_page_free(p->wq[0].data);
		queue_pop(p->wq, &p->nw);
	}
}

/* ---- operations ---- */

static uint32_t pipe_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			  struct kosh_fsrv_file *f)
{
	struct pipe *p = NULL;
	kosh_handle_t w;

	(void)flags;
	if (len != 1 || path[0] != '/')
		return KOSH_VFS_ENOENT;
	for (int i = 0; i < PIPES_MAX && !p; i++)
		if (!pipes[i].used)
			p = &pipes[i];
	if (!p)
		return KOSH_VFS_ENFILE;
	memset(p, 0, sizeof(*p));
	p->ring = kosh_page_alloc(RING_SIZE);
	if (!p->ring)
		return KOSH_VFS_ENOMEM;
	p->ino = next_ino++;
	/* The write end: a file of our own, sent as cap 1 after the read end. */
	struct kosh_fsrv_file wf = {
	    .node = p, .priv = END_WRITE, .flags = KOSH_VFS_O_WRITE, .type = KOSH_VFS_PIPE};
	if (kosh_fsrv_open_local(s, &wf, &w) != KOSH_OK) {
		kosh_page_free(p->ring);
		return KOSH_VFS_ENFILE;
	}
	if (kosh_fsrv_reply_cap(s, w) != KOSH_OK) {
		kosh_handle_close(w);
		kosh_page_free(p->ring);
		return KOSH_VFS_ENFILE;
	}
	p->used = 1;
	p->readers = 1;
	p->writers = 1;
	f->node = p;
	f->priv = END_READ;
	f->flags = KOSH_VFS_O_READ;
	f->type = KOSH_VFS_PIPE;
	f->seekable = 0;
	return 0;
}

static uint32_t pipe_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			  uint32_t want, uint32_t *got)
{
	struct pipe *p = f->node;
	kosh_handle_t reply;

	(void)off;
	if (want > KOSH_VFS_IO_MAX)
		want = KOSH_VFS_IO_MAX;
	if (p->count > 0 || p->writers == 0 || want == 0) {
		*got = ring_peek(p, buf, want);
		ring_drop(p, *got);
		/* Room for the waiting writers; they add bytes after ours were taken. */
		feed_writers(s, p);
		return 0;
	}
	if (p->nr == WAITERS_MAX)
		return KOSH_VFS_EAGAIN;
	if (kosh_fsrv_defer(s, &reply) != KOSH_OK)
		return KOSH_VFS_ENOMEM;
	p->rq[p->nr++] = (struct waiter){reply, want, NULL};
	return KOSH_FSRV_DEFER;
}

static uint32_t pipe_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			   const void *buf, uint32_t len, uint32_t *taken)
{
	struct pipe *p = f->node;
	kosh_handle_t reply;
	uint8_t *copy;

	(void)off;
	if (p->readers == 0)
		return KOSH_VFS_EPIPE;
	if (len == 0 || (p->nw == 0 && ring_room(p) > 0)) {
		*taken = ring_put(p, buf, len);
		feed_readers(s, p);
		return 0;
	}
	/* Full, or others wait before us: wait too, with our bytes kept here. */
	if (p->nw == WAITERS_MAX)
		return KOSH_VFS_EAGAIN;
	copy = kosh_page_alloc(len);
	if (!copy)
		return KOSH_VFS_ENOMEM;
	memcpy(copy, buf, len);
	if (kosh_fsrv_defer(s, &reply) != KOSH_OK) {
		kosh_page_free(copy);
		return KOSH_VFS_ENOMEM;
	}
	p->wq[p->nw++] = (struct waiter){reply, len, copy};
	return KOSH_FSRV_DEFER;
}

static uint32_t pipe_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	const struct pipe *p = f->node;

	(void)s;
	*st = (struct kosh_vfs_stat){.type = KOSH_VFS_PIPE,
				     .mode = 0600,
				     .size = p->count,
				     .ino = p->ino,
				     .nlink = 1,
				     .blksize = RING_SIZE};
	return 0;
}

static uint32_t pipe_dup(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct pipe *p = f->node;

	(void)s;
	if (f->priv == END_READ)
		p->readers++;
	else
		p->writers++;
	return 0;
}

static void pipe_close(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	struct pipe *p = f->node;

	if (f->priv == END_READ) {
		if (--p->readers == 0)
			fail_writers(s, p);
	} else if (--p->writers == 0) {
		feed_readers(s, p); /* what is left, then the end of the file */
	}
	if (p->readers == 0 && p->writers == 0) {
		/* Nobody may read any more: waiting READs (of a closed end) get the end. */
		p->count = 0;
		feed_readers(s, p);
		kosh_page_free(p->ring);
		p->used = 0;
	}
}

static const struct kosh_fsrv_ops pipe_ops = {
    .open = pipe_open,
    .read = pipe_read,
    .write = pipe_write,
    .stat = pipe_stat,
    .close = pipe_close,
    .dup = pipe_dup,
};

int main(int argc, char **argv)
{
	struct kosh_fsrv *srv;
	kosh_handle_t ep = kosh_start_handle("pipe", NULL);
	kosh_err_t err;

	(void)argc, (void)argv;
	if (!ep) {
		kosh_printf("no \"pipe\" endpoint given");
		return 1;
	}
	struct kosh_fsrv_config cfg = {
	    .name = "pipesrv",
	    .endpoint = ep,
	    .quota = kosh_self()->quota,
	    .ops = &pipe_ops,
	};
	err = kosh_fsrv_init(&srv, &cfg);
	if (err != KOSH_OK) {
		kosh_printf("cannot serve: %s", kosh_strerror(err));
		return 1;
	}
	return kosh_fsrv_run(srv) == KOSH_OK ? 0 : 1;
}
