/* SPDX-License-Identifier: MIT */
/*
 * console: serves console:// (docs/console.md), the terminal on the serial
 * line and the framebuffer, through the file-server library. "console:///" is
 * the terminal (a KOSH_VFS_TTY file); every open of it shares one line
 * discipline (ldisc.c).
 *
 * Up to five threads. The main one runs the file-server loop: READ, WRITE
 * and the terminal calls, and the notification bound to the endpoint. A
 * receiver thread per input sits in a blocking SERIAL_READ on its driver
 * ("serial"; "kbd", the PS/2 keyboard, and "input", virtio-input, when the
 * start page has them) and hands what arrives over through its own
 * single-producer ring, signalling the input's bit; when the driver dies it
 * calls again, and its restarted successor, on the same endpoint, answers. All
 * inputs feed the one line discipline. Only the main thread touches the line
 * discipline and writes to the serial driver.
 *
 * Output (echo included) goes to the serial driver and, when the start page
 * has "fb", to the framebuffer console (sbin/fbcon) as well: through a bounded
 * queue (outq.c) to a writer thread that sends it on, so a slow, dead or
 * absent fbcon never holds the main thread up (a full queue drops screen
 * output only).
 *
 * A READ that finds nothing is deferred; deferred READs are answered in the
 * order they came, each as soon as a line (raw mode: a byte) is there. A
 * Ctrl-C answers every deferred READ with EINTR (a shell at its prompt then
 * prompts again) and signals the foreground notification (TTY_FOREGROUND).
 */
#include <stdint.h>

#include <kosh/fileserver.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/serial.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/thread.h>

#include "ldisc.h"
#include "outq.h"

#define RX_BIT	    1u /* serial input; the keyboard's is RX_BIT << 1, input's RX_BIT << 2 */
#define INPUTS	    3u
#define RING_SIZE   4096u /* power of two */
#define READ_CHUNK  512u
#define READERS_MAX 32u
#define WRITE_TIMEOUT_NS                                                                           \
	(1000ull * 1000 * 1000) /* a driver that is gone for good costs 1 s a write */
#define RETRY_NS (100ull * 1000 * 1000)
/* A WRITE fbcon has not taken after this is given up, with what is queued behind it. */
#define SCREEN_TIMEOUT_NS (1000ull * 1000 * 1000)
#define ROWS	 24u
#define COLUMNS	 80u

/* A deferred READ. */
struct reader {
	kosh_handle_t reply;
	uint32_t want;
	const struct kosh_fsrv_file *file;
};

/*
 * One input: a driver speaking the serial protocol, its receiver thread and the
 * ring from that thread (head) to the main one (tail).
 */
struct input {
	struct console *con;
	kosh_handle_t driver, room; /* room: the main thread made room in the ring */
	uint64_t bit;		    /* signalled on the endpoint's notification */
	uint8_t ring[RING_SIZE];
	uint32_t ring_head, ring_tail; /* free-running */
	struct kosh_thread receiver;
};

/* The output to fbcon: the queue and the thread that empties it. */
struct screen {
	kosh_handle_t driver, wake; /* wake: the main thread queued bytes */
	struct outq q;
	struct kosh_thread writer;
};

struct console {
	struct kosh_fsrv *srv;
	kosh_handle_t endpoint, serial, notify;
	struct ldisc ld;
	struct ldisc_echo echo;
	struct reader readers[READERS_MAX];
	uint32_t reader_count;
	kosh_handle_t fg; /* the foreground's notification (0: none) */
	uint64_t fg_bits;
	struct input in[INPUTS]; /* serial, keyboard, virtio-input (those given) */
	uint32_t input_count;
	struct screen screen; /* used when screen.driver */
	uint8_t out[2 * KOSH_VFS_IO_MAX]; /* output after newline translation */
	uint8_t data[KOSH_VFS_IO_MAX];	  /* a READ's answer */
};

static struct console con;

/* ---- the serial side ---- */

/* Send len bytes to the driver; the bytes are lost if it does not take them. */
static void serial_send(struct console *c, const uint8_t *bytes, uint32_t len)
{
	uint8_t *data = (uint8_t *)&kosh_self()->ipc_buffer->words[4];
	while (len) {
		uint32_t n = len < KOSH_SERIAL_IO_MAX ? len : KOSH_SERIAL_IO_MAX;
		struct kosh_msg m = { kosh_msg_tag(KOSH_SERIAL_WRITE, kosh_serial_words(n), 0, 0),
				     { n, 0, 0, 0 } };
		memcpy(data, bytes, n);
		if (kosh_call(c->serial, &m, &m, WRITE_TIMEOUT_NS) != KOSH_OK ||
		    KOSH_MSG_LABEL(m.tag) != 0)
			return;
		bytes += n;
		len -= n;
	}
}

/* Output: to the serial line, and queued for the screen. */
static void output(struct console *c, const uint8_t *bytes, uint32_t len)
{
	if (c->screen.driver && len) {
		outq_put(&c->screen.q, bytes, len);
		(void)kosh_notification_signal(c->screen.wake, 1);
	}
	serial_send(c, bytes, len);
}

static void flush_echo(struct console *c)
{
	if (c->echo.len)
		output(c, c->echo.buf, c->echo.len);
	c->echo.len = 0;
}

/*
 * The screen's writer thread: sends what is queued to fbcon, a WRITE at a
 * time. A WRITE that fails (fbcon is gone: exited for want of a framebuffer,
 * or restarting) drops everything queued with it, so a screen that comes back
 * does not replay stale output, and a missing fbcon costs this thread a
 * timeout per burst of output, nothing more.
 */
static void screen_loop(void *arg)
{
	struct screen *sc = arg;
	uint8_t *data = (uint8_t *)&sc->writer.ipc->words[4];
	uint64_t bits;
	for (;;) {
		uint32_t n = outq_peek(&sc->q, data, KOSH_SERIAL_IO_MAX);
		if (!n) {
			(void)kosh_notify_wait(sc->wake, KOSH_TIMEOUT_NEVER, &bits);
			continue;
		}
		struct kosh_msg m = { kosh_msg_tag(KOSH_SERIAL_WRITE, kosh_serial_words(n), 0, 0),
				     { n, 0, 0, 0 } };
		kosh_err_t err = kosh_call(sc->driver, &m, &m, SCREEN_TIMEOUT_NS);
		outq_consume(&sc->q, err == KOSH_OK ? n : outq_used(&sc->q));
	}
}

/*
 * An input's receiver thread: a READ on its driver at a time, what comes back
 * into its ring. With the ring full it waits for the main thread to make room.
 * A driver nobody serves yet (the keyboard on AArch64) keeps it waiting in the
 * call, which costs nothing.
 */
static void receive_loop(void *arg)
{
	struct input *in = arg;
	uint8_t *data = (uint8_t *)&in->receiver.ipc->words[4];
	uint64_t bits;
	for (;;) {
		uint32_t used = in->ring_head - __atomic_load_n(&in->ring_tail, __ATOMIC_ACQUIRE);
		uint32_t room = RING_SIZE - used;
		if (!room) {
			(void)kosh_notify_wait(in->room, KOSH_TIMEOUT_NEVER, &bits);
			continue;
		}
		struct kosh_msg m = { kosh_msg_tag(KOSH_SERIAL_READ, 4, 0, 0),
				     { room < READ_CHUNK ? room : READ_CHUNK, 0, 0, 0 } };
		kosh_err_t err = kosh_call(in->driver, &m, &m, KOSH_TIMEOUT_NEVER);
		if (err == KOSH_OK && KOSH_MSG_LABEL(m.tag) == KOSH_SERIAL_EAGAIN)
			continue; /* pushed out by other readers: ask again */
		if (err != KOSH_OK || KOSH_MSG_LABEL(m.tag) != 0) {
			/* The driver died (its successor answers on the same endpoint), or refused. */
			(void)kosh_notify_wait(in->room, RETRY_NS, &bits);
			continue;
		}
		uint32_t n = m.words[0] < room ? (uint32_t)m.words[0] : room;
		for (uint32_t i = 0; i < n; i++)
			in->ring[(in->ring_head + i) % RING_SIZE] = data[i];
		__atomic_store_n(&in->ring_head, in->ring_head + n, __ATOMIC_RELEASE);
		(void)kosh_notification_signal(in->con->notify, in->bit);
	}
}

/* ---- readers ---- */

static void drop_reader(struct console *c, uint32_t i)
{
	memmove(&c->readers[i], &c->readers[i + 1],
		(c->reader_count - i - 1) * sizeof(c->readers[0]));
	c->reader_count--;
}

/* Answer deferred READs, oldest first, while the line discipline has something. */
static void answer_readers(struct console *c)
{
	while (c->reader_count && ldisc_readable(&c->ld)) {
		struct reader *r = &c->readers[0];
		int32_t n = ldisc_peek(&c->ld, c->data, r->want);
		kosh_err_t err = kosh_fsrv_answer_read(c->srv, r->reply, 0, c->data, (uint32_t)n);
		if (err == KOSH_OK) /* the answer uses the reply handle up, whatever happens */
			ldisc_consume(&c->ld, (uint32_t)n);
		drop_reader(c, 0); /* a reader that died waiting takes nothing */
	}
}

/* Every deferred READ (of file f, or all for NULL) answered with err. */
static void fail_readers(struct console *c, const struct kosh_fsrv_file *f, uint32_t err)
{
	for (uint32_t i = 0; i < c->reader_count;) {
		if (f && c->readers[i].file != f) {
			i++;
			continue;
		}
		(void)kosh_fsrv_answer_read(c->srv, c->readers[i].reply, err, NULL, 0); /* uses it up */
		drop_reader(c, i);
	}
}

static void interrupt(struct console *c)
{
	if (c->fg)
		(void)kosh_notification_signal(c->fg, c->fg_bits);
	fail_readers(c, NULL, KOSH_VFS_EINTR);
}

/* Typed bytes, from an input's ring through the line discipline. */
static void take_input(struct console *c, struct input *in)
{
	uint32_t head = __atomic_load_n(&in->ring_head, __ATOMIC_ACQUIRE);
	uint32_t events = 0;
	for (uint32_t tail = in->ring_tail; tail != head; tail++) {
		if (sizeof(c->echo.buf) - c->echo.len < LDISC_ECHO_MAX)
			flush_echo(c);
		uint32_t ev = ldisc_input(&c->ld, in->ring[tail % RING_SIZE], &c->echo);
		events |= ev;
		if (ev & LDISC_INTR) {
			flush_echo(c);
			interrupt(c);
		}
	}
	__atomic_store_n(&in->ring_tail, head, __ATOMIC_RELEASE);
	(void)kosh_notification_signal(in->room, 1);
	flush_echo(c);
	if (events & LDISC_READY)
		answer_readers(c);
}

/* ---- file operations ---- */

static int is_terminal(const char *path, uint32_t len)
{
	return len == 1 && path[0] == '/';
}

static void stat_terminal(struct kosh_vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->type = KOSH_VFS_TTY;
	st->mode = 0620;
	st->ino = 1;
	st->nlink = 1;
	st->blksize = LDISC_LINE_MAX;
}

static uint32_t con_open(struct kosh_fsrv *s, const char *path, uint32_t len, uint32_t flags,
			 struct kosh_fsrv_file *f)
{
	if (!is_terminal(path, len))
		return KOSH_VFS_ENOENT;
	if (flags & KOSH_VFS_O_DIRECTORY)
		return KOSH_VFS_ENOTDIR;
	if (flags & KOSH_VFS_O_EXCL)
		return KOSH_VFS_EEXIST;
	f->type = KOSH_VFS_TTY;
	f->seekable = 0;
	return 0;
}

static uint32_t con_statp(struct kosh_fsrv *s, const char *path, uint32_t len,
			  struct kosh_vfs_stat *st)
{
	if (!is_terminal(path, len))
		return KOSH_VFS_ENOENT;
	stat_terminal(st);
	return 0;
}

static uint32_t con_stat(struct kosh_fsrv *s, struct kosh_fsrv_file *f, struct kosh_vfs_stat *st)
{
	stat_terminal(st);
	return 0;
}

static uint32_t con_read(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off, void *buf,
			 uint32_t want, uint32_t *got)
{
	struct console *c = kosh_fsrv_ctx(s);
	if (!want) {
		*got = 0;
		return 0;
	}
	if (!c->reader_count) {
		int32_t n = ldisc_peek(&c->ld, buf, want);
		if (n >= 0) {
			ldisc_consume(&c->ld, (uint32_t)n);
			*got = (uint32_t)n;
			return 0;
		}
	}
	if (c->reader_count == READERS_MAX)
		return KOSH_VFS_EAGAIN;
	kosh_handle_t reply;
	if (kosh_fsrv_defer(s, &reply) != KOSH_OK)
		return KOSH_VFS_ENOMEM;
	c->readers[c->reader_count++] = (struct reader){ reply, want, f };
	return KOSH_FSRV_DEFER;
}

static uint32_t con_write(struct kosh_fsrv *s, struct kosh_fsrv_file *f, uint64_t off,
			  const void *buf, uint32_t len, uint32_t *taken)
{
	struct console *c = kosh_fsrv_ctx(s);
	/* buf is in our IPC buffer, which the calls to the driver reuse: translate it out first. */
	uint32_t used;
	uint32_t n = ldisc_output(buf, len, c->out, sizeof(c->out), &used);
	output(c, c->out, n);
	*taken = used;
	return 0;
}

static void con_close(struct kosh_fsrv *s, struct kosh_fsrv_file *f)
{
	fail_readers(kosh_fsrv_ctx(s), f, KOSH_VFS_EBADF);
}

static uint32_t set_foreground(struct console *c, struct kosh_fsrv *s, uint64_t bits)
{
	kosh_handle_t n = kosh_fsrv_cap(s, 0);
	if (n && !bits) {
		(void)kosh_handle_close(n);
		return KOSH_VFS_EINVAL;
	}
	if (c->fg)
		(void)kosh_handle_close(c->fg);
	c->fg = n;
	c->fg_bits = n ? bits : 0;
	return 0;
}

static uint32_t con_other(struct kosh_fsrv *s, struct kosh_fsrv_file *f,
			  const struct kosh_vfs_request *req, uint64_t reply[KOSH_MSG_WORDS_REG])
{
	struct console *c = kosh_fsrv_ctx(s);
	switch (req->op) {
	case KOSH_VFS_TTY_GET:
		reply[0] = c->ld.mode;
		reply[1] = ROWS;
		reply[2] = COLUMNS;
		return 0;
	case KOSH_VFS_TTY_SET:
		ldisc_set_mode(&c->ld, (uint32_t)req->arg[0]);
		answer_readers(c);
		return 0;
	case KOSH_VFS_TTY_FOREGROUND:
		return set_foreground(c, s, req->arg[0]);
	default:
		return KOSH_VFS_ENOTTY;
	}
}

static void con_notify(struct kosh_fsrv *s, uint64_t bits)
{
	struct console *c = kosh_fsrv_ctx(s);
	for (uint32_t i = 0; i < c->input_count; i++)
		if (bits & c->in[i].bit)
			take_input(c, &c->in[i]);
}

static const struct kosh_fsrv_ops ops = {
	.open = con_open,
	.statp = con_statp,
	.read = con_read,
	.write = con_write,
	.stat = con_stat,
	.close = con_close,
	.other = con_other,
	.notify = con_notify,
};

/* ---- start ---- */

static kosh_err_t setup(struct console *c)
{
	const struct kosh_self *self = kosh_self();
	int64_t h;
	c->endpoint = kosh_start_handle("console", NULL);
	c->serial = kosh_start_handle("serial", NULL);
	if (!c->endpoint || !c->serial) {
		kosh_printf("missing start handles:%s%s", c->endpoint ? "" : " console",
			    c->serial ? "" : " serial");
		return KOSH_E_NOT_FOUND;
	}
	if ((h = kosh_notification_create(self->quota)) < 0)
		return (kosh_err_t)h;
	c->notify = (kosh_handle_t)h;
	kosh_handle_t drivers[INPUTS] = { c->serial, kosh_start_handle("kbd", NULL),
					  kosh_start_handle("input", NULL) };
	for (uint32_t i = 0; i < INPUTS; i++) {
		struct input *in = &c->in[c->input_count];
		if (!drivers[i])
			continue;
		if ((h = kosh_notification_create(self->quota)) < 0)
			return (kosh_err_t)h;
		in->con = c;
		in->driver = drivers[i];
		in->room = (kosh_handle_t)h;
		in->bit = RX_BIT << i;
		c->input_count++;
	}
	c->screen.driver = kosh_start_handle("fb", NULL);
	if (c->screen.driver) {
		if ((h = kosh_notification_create(self->quota)) < 0)
			return (kosh_err_t)h;
		c->screen.wake = (kosh_handle_t)h;
	}
	kosh_err_t err = (kosh_err_t)kosh_notification_bind(c->notify, c->endpoint);
	if (err)
		return err;
	ldisc_init(&c->ld, KOSH_VFS_TTY_ECHO | KOSH_VFS_TTY_CANON);
	struct kosh_fsrv_config cfg = {
		.name = "console",
		.endpoint = c->endpoint,
		.notification = c->notify,
		.quota = self->quota,
		.ops = &ops,
		.ctx = c,
	};
	err = kosh_fsrv_init(&c->srv, &cfg);
	if (err)
		return err;
	for (uint32_t i = 0; i < c->input_count; i++)
		if ((err = kosh_thread_spawn(&c->in[i].receiver, receive_loop, &c->in[i], 0)))
			return err;
	if (c->screen.driver &&
	    (err = kosh_thread_spawn(&c->screen.writer, screen_loop, &c->screen, 0)))
		return err;
	return 0;
}

int main(int argc, char **argv)
{
	kosh_err_t err = setup(&con);
	if (err) {
		kosh_printf("cannot start: %s", kosh_strerror(err));
		return 1;
	}
	err = kosh_fsrv_run(con.srv);
	kosh_printf("stopped: %s", kosh_strerror(err));
	return 1;
}
