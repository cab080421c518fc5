/* SPDX-License-Identifier: MIT */
/*
 * The serial drivers' shared loop (serial_server.h). One thread: the IRQ's
 * notification is bound to the endpoint, so a receive returns either a
 * request or the interrupt's bits. Received bytes go into a ring; a READ that
 * finds it empty is saved (reply_save) and answered, in arrival order, when
 * the interrupt brings bytes. Bytes leave the ring only once a reply carrying
 * them reached its caller.
 *
 * Interrupts: the line stays masked from its signal until irq_ack. The chip
 * is drained, its interrupt cleared, the line acknowledged, and the chip
 * looked at once more: an edge-triggered line (ISA IRQ 4) that rose again
 * while masked would otherwise never fire again.
 */
#include "serial_server.h"

#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/proto/serial.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/start.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#define RX_PER_IRQ 4096 /* bytes read per interrupt at most, against a stuck chip */

struct reader {
	kosh_handle_t reply;
	uint32_t want;
};

struct server {
	struct serial_chip *chip;
	kosh_handle_t endpoint, irq, notify, quota;
	uint8_t rx[SERIAL_RX_BUFFER];
	uint32_t rx_head, rx_len; /* a ring */
	uint64_t dropped;	  /* received with the ring full */
	struct reader readers[KOSH_SERIAL_READERS_MAX];
	uint32_t reader_count;
};

static struct server srv;

/* The IRQ handle the start page names "irq<N>" (the first one), or 0. */
static kosh_handle_t find_irq(uint32_t *line)
{
	const struct kosh_start *st = kosh_self()->start;
	for (uint32_t i = 0; st && i < st->handle_count && i < KOSH_START_HANDLES_MAX; i++) {
		const char *name = st->handles[i].name;
		if (name[0] != 'i' || name[1] != 'r' || name[2] != 'q' || name[3] < '0' ||
		    name[3] > '9')
			continue;
		uint32_t n = 0;
		for (const char *p = name + 3; *p >= '0' && *p <= '9' && n < 100000; p++)
			n = n * 10 + (uint32_t)(*p - '0');
		*line = n;
		return st->handles[i].handle;
	}
	return 0;
}

static void ring_put(struct server *s, uint8_t c)
{
	if (s->rx_len == SERIAL_RX_BUFFER) {
		s->dropped++;
		return;
	}
	s->rx[(s->rx_head + s->rx_len) % SERIAL_RX_BUFFER] = c;
	s->rx_len++;
}

/* Copy up to want buffered bytes to out without taking them; how many. */
static uint32_t ring_peek(const struct server *s, uint8_t *out, uint32_t want)
{
	uint32_t n = want < s->rx_len ? want : s->rx_len;
	for (uint32_t i = 0; i < n; i++)
		out[i] = s->rx[(s->rx_head + i) % SERIAL_RX_BUFFER];
	return n;
}

static void ring_take(struct server *s, uint32_t n)
{
	s->rx_head = (s->rx_head + n) % SERIAL_RX_BUFFER;
	s->rx_len -= n;
}

/* The data part of the IPC buffer (words 4 ...). */
static uint8_t *ipc_data(void)
{
	return (uint8_t *)&kosh_self()->ipc_buffer->words[4];
}

/*
 * Clear the chip's receive interrupt first, then read everything it holds, then
 * acknowledge the line. In this order a byte that arrives at any moment is either
 * read now or raises the interrupt again; clearing after the reading would lose
 * the interrupt of a byte that came in between (a PL011 only raises it again
 * when its FIFO fills to the trigger level, so the port would stall).
 */
static void handle_irq(struct server *s)
{
	struct serial_chip *chip = s->chip;
	uint8_t c;
	if (chip->irq_clear)
		chip->irq_clear(chip->ctx);
	for (int n = 0; n < RX_PER_IRQ && chip->rx(chip->ctx, &c); n++)
		ring_put(s, c);
	if (s->irq)
		(void)kosh_irq_ack(s->irq);
}

/* Answer saved READs, oldest first, while bytes are buffered. */
static void answer_readers(struct server *s)
{
	while (s->reader_count && s->rx_len) {
		struct reader r = s->readers[0];
		uint32_t n = ring_peek(s, ipc_data(), r.want);
		const struct kosh_msg m = { kosh_msg_tag(0, kosh_serial_words(n), 0, 0), { n } };
		if (kosh_reply_answer(r.reply, &m, KOSH_SERIAL_EIO) == KOSH_OK)
			ring_take(s, n);
		memmove(&s->readers[0], &s->readers[1], --s->reader_count * sizeof(s->readers[0]));
	}
}

/* Send a WRITE's bytes; how many the transmitter took. */
static uint32_t transmit(struct server *s, const uint8_t *data, uint32_t len)
{
	if (s->chip->loopback) {
		for (uint32_t i = 0; i < len; i++)
			ring_put(s, data[i]);
		return len;
	}
	for (uint32_t i = 0; i < len; i++)
		if (!s->chip->tx(s->chip->ctx, data[i]))
			return i;
	return len;
}

/* Answer the oldest saved READ with EAGAIN (its caller asks again) and forget it. */
static void push_out_oldest(struct server *s)
{
	const struct kosh_msg m = { kosh_msg_tag(KOSH_SERIAL_EAGAIN, 0, 0, 0), { 0 } };
	(void)kosh_reply_answer(s->readers[0].reply, &m, KOSH_SERIAL_EIO);
	memmove(&s->readers[0], &s->readers[1], --s->reader_count * sizeof(s->readers[0]));
}

/* Save the reply a READ is owed; the oldest saved one makes room if need be. 0, or an error. */
static uint32_t defer_read(struct server *s, uint32_t want)
{
	if (s->reader_count == KOSH_SERIAL_READERS_MAX)
		push_out_oldest(s);
	int64_t reply = kosh_reply_save(s->quota);
	if (reply < 0)
		return KOSH_SERIAL_EAGAIN; /* answered now: the caller tries again */
	s->readers[s->reader_count++] = (struct reader){ (kosh_handle_t)reply, want };
	return 0;
}

/*
 * One request: fills *reply and returns 1 if it is to be answered now, 0 if
 * its reply was saved.
 */
static int handle_request(struct server *s, const struct kosh_msg *m, struct kosh_msg *reply)
{
	uint32_t label = KOSH_MSG_LABEL(m->tag), words = KOSH_MSG_WORDS(m->tag);
	memset(reply, 0, sizeof(*reply));
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(m->tag) && i < KOSH_MSG_CAPS_MAX; i++)
		(void)kosh_handle_close(kosh_self()->ipc_buffer->caps[i]); /* none are taken */
	if (KOSH_MSG_CAPS(m->tag)) {
		reply->tag = kosh_msg_tag(KOSH_SERIAL_EPROTO, 0, 0, 0);
		return 1;
	}
	switch (label) {
	case KOSH_SERIAL_WRITE:
		if (!s->chip->tx && !s->chip->loopback) { /* a chip that only receives */
			reply->tag = kosh_msg_tag(KOSH_SERIAL_ENOSYS, 0, 0, 0);
			return 1;
		}
		if (m->words[0] > KOSH_SERIAL_IO_MAX ||
		    words < kosh_serial_words((uint32_t)m->words[0])) {
			reply->tag = kosh_msg_tag(KOSH_SERIAL_EINVAL, 0, 0, 0);
			return 1;
		}
		reply->words[0] = transmit(s, ipc_data(), (uint32_t)m->words[0]);
		reply->tag =
		    kosh_msg_tag(reply->words[0] || !m->words[0] ? 0 : KOSH_SERIAL_EIO, 4, 0, 0);
		return 1;
	case KOSH_SERIAL_READ: {
		uint32_t want = (uint32_t)m->words[0], flags = (uint32_t)m->words[1];
		if (!want || want > KOSH_SERIAL_IO_MAX ||
		    m->words[1] & ~(uint64_t)KOSH_SERIAL_READ_NOWAIT) {
			reply->tag = kosh_msg_tag(KOSH_SERIAL_EINVAL, 0, 0, 0);
			return 1;
		}
		/* Saved readers exist only while the ring is empty (answer_readers). */
		if (!s->rx_len && !(flags & KOSH_SERIAL_READ_NOWAIT)) {
			if (defer_read(s, want) == 0)
				return 0;
			reply->tag = kosh_msg_tag(KOSH_SERIAL_EAGAIN, 0, 0, 0);
			return 1;
		}
		uint32_t n = ring_peek(s, ipc_data(), want);
		ring_take(s, n); /* lost only if the caller dies in the next instant */
		reply->words[0] = n;
		reply->tag = kosh_msg_tag(0, kosh_serial_words(n), 0, 0);
		return 1;
	}
	case KOSH_SERIAL_INFO:
		reply->words[0] = s->chip->baud;
		reply->words[1] = s->rx_len;
		reply->words[2] = s->dropped;
		reply->tag = kosh_msg_tag(0, 4, 0, 0);
		return 1;
	default:
		reply->tag = kosh_msg_tag(KOSH_SERIAL_ENOSYS, 0, 0, 0);
		return 1;
	}
}

/* The server loop's hooks (<kosh/server.h>). */
static int on_request(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *reply)
{
	(void)badge;
	return handle_request(ctx, m, reply) ? KOSH_SERVE_REPLY : KOSH_SERVE_NO_REPLY;
}

static void on_irq(void *ctx, uint64_t bits)
{
	(void)bits; /* irq-notify is the only notification bound: any bits */
	handle_irq(ctx);
}

static void after_message(void *ctx)
{
	answer_readers(ctx);
}

/* Bind the interrupt's notification to the endpoint; a restart finds it bound already. */
static int bind_irq(struct server *s)
{
	kosh_err_t err = (kosh_err_t)kosh_notification_bind(s->notify, s->endpoint);
	if (err && err != KOSH_E_ALREADY_EXISTS) {
		kosh_printf("cannot bind irq-notify to the endpoint: %s", kosh_strerror(err));
		return -1;
	}
	return 0;
}

int serial_server_run(struct serial_chip *chip)
{
	struct server *s = &srv;
	uint32_t line = 0;
	s->chip = chip;
	s->quota = kosh_self()->quota;
	const char *ep = chip->endpoint ? chip->endpoint : "serial";
	s->endpoint = kosh_start_handle(ep, NULL);
	s->notify = kosh_start_handle("irq-notify", NULL);
	s->irq = find_irq(&line);
	if (!s->endpoint || !s->notify || !s->irq) {
		kosh_printf("missing start handles (%s, irq-notify, irq<N>): %s%s%s%s", ep,
			    s->endpoint ? "" : "no ", s->endpoint ? "" : ep,
			    s->notify ? "" : " no irq-notify", s->irq ? "" : " no irq");
		return 2;
	}
	if (chip->start(chip->ctx)) {
		kosh_printf("the %s does not answer", chip->name);
		return 3;
	}
	if (bind_irq(s))
		return 4;
	handle_irq(s); /* bytes that came before us, and a line a dead predecessor left masked */
	kosh_handle_t console = kosh_start_handle("klog-console", NULL);
	kosh_printf("serving the %s on IRQ %u%s%s", chip->name, line,
		    chip->loopback ? " in loopback" : "",
		    console ? "; kernel log lines now go to log:// only" : "");
	if (console) {
		kosh_err_t err = (kosh_err_t)kosh_log_console(console, KOSH_LOG_CONSOLE_GIVE);
		if (err)
			kosh_printf("log_console: %s; the kernel keeps writing to the UART",
				    kosh_strerror(err));
	}
	const struct kosh_serve loop = {
		.name = chip->name,
		.endpoint = s->endpoint,
		.other = on_request,
		.notify = on_irq,
		.after = after_message,
		.ctx = s,
	};
	kosh_serve_run(&loop);
	return 1;
}
