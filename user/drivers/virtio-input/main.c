/* SPDX-License-Identifier: MIT */
/*
 * virtio-input: a virtio keyboard as typed text (docs/virtio.md,
 * "virtio-input"). devmgr starts it per virtio input device with init's
 * "input" endpoint as its "serve": it answers the serial protocol there
 * (<kosh/proto/serial.h>) as the PS/2 keyboard does on "kbd", receive-only:
 * READ gives typed text (waiting for it unless NOWAIT), INFO the counts,
 * WRITE is ENOSYS. The console reads it.
 *
 * The device's event queue (0) holds EVENT_BUFFERS posted 8-byte buffers; each
 * used one is an evdev event (§5.8.6.1: type, code, value). EV_KEY events go
 * through the shared keymap (<kosh/keymap.h>: Shift, Ctrl, Caps Lock, US
 * layout) into a ring of text, and the buffer is posted again. Devices
 * that are not keyboards (tablets, mice: no letter keys in their EV_KEY
 * bitmap) are logged and left alone (reset, no queue), and the driver then
 * waits for ever without receiving on its endpoint: it neither exits (to be
 * restarted over and over) nor takes READs it could never answer, so a
 * keyboard's driver receiving on the same endpoint gets them all.
 *
 * A READ that finds no text is saved and answered, oldest first, when keys
 * arrive; at most KOSH_SERIAL_READERS_MAX wait, the oldest making room with
 * EAGAIN. Text leaves the ring only in a reply that reached its reader.
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/ipc.h>
#include <kosh/keymap.h>
#include <kosh/log.h>
#include <kosh/proto/serial.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/virtio_pci.h>

/* §5.8.4 Device configuration layout. */
#define CFG_SELECT		 0
#define CFG_SUBSEL		 1
#define CFG_SIZE		 2
#define CFG_DATA		 8
#define CFG_DATA_MAX		 128u
#define VIRTIO_INPUT_CFG_ID_NAME 0x01
#define VIRTIO_INPUT_CFG_EV_BITS 0x11

/* evdev (Linux input-event-codes.h). */
#define EV_KEY	  1
#define KEY_Q	  16
#define KEY_A	  30
#define KEY_ENTER 28

#define QUEUE_EVENTS  0
#define EVENT_BUFFERS 64u
#define TEXT_BUFFER   1024u	  /* typed bytes kept until a READ takes them */
#define POLL_NS	      10000000ull /* without an interrupt: keys are looked for every 10 ms */

struct virtio_input_event {
	uint16_t type;
	uint16_t code;
	uint32_t value;
};
_Static_assert(sizeof(struct virtio_input_event) == 8, "§5.8.6.1 event layout");

struct reader {
	kosh_handle_t reply;
	uint32_t want;
};

static struct {
	struct virtio_pci dev;
	struct virtio_pci_queue *q;
	struct virtio_dma events;
	struct kosh_keymap map;
	kosh_handle_t endpoint;
	uint8_t text[TEXT_BUFFER];
	uint32_t head, len;
	uint64_t dropped, keys, typed; /* keys: EV_KEY events; typed: those that made text */
	struct reader readers[KOSH_SERIAL_READERS_MAX];
	uint32_t reader_count;
} in;

/* ---- the device ---- */

static int cfg_select(uint8_t select, uint8_t subsel, uint8_t *size)
{
	struct virtio_pci *d = &in.dev;
	int err = virtio_pci_config_write(d, CFG_SELECT, &select, 1);
	if (!err)
		err = virtio_pci_config_write(d, CFG_SUBSEL, &subsel, 1);
	if (!err)
		err = virtio_pci_config_read(d, CFG_SIZE, size, 1);
	if (!err && *size > CFG_DATA_MAX)
		*size = CFG_DATA_MAX; /* the union is 128 bytes; a device saying more lies */
	return err;
}

/* The device's name (for the log) into name[CFG_DATA_MAX + 1]. */
static void device_name(char *name)
{
	uint8_t size = 0;
	name[0] = 0;
	if (cfg_select(VIRTIO_INPUT_CFG_ID_NAME, 0, &size) || !size)
		return;
	for (uint8_t i = 0; i < size; i++) {
		uint8_t c;
		if (virtio_pci_config_read(&in.dev, CFG_DATA + i, &c, 1))
			c = '?';
		if (!c)
			size = i; /* the string ends at a NUL, if the device counts one */
		else
			name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	name[size] = 0;
}

/* A keyboard has the letter keys and Enter among its EV_KEY codes. */
static int is_keyboard(void)
{
	uint8_t size = 0, bits[CFG_DATA_MAX] = {0};
	if (cfg_select(VIRTIO_INPUT_CFG_EV_BITS, EV_KEY, &size))
		return 0;
	for (uint8_t i = 0; i < size; i++)
		if (virtio_pci_config_read(&in.dev, CFG_DATA + i, &bits[i], 1))
			return 0;
	static const uint16_t need[] = {KEY_Q, KEY_A, KEY_ENTER};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i] / 8 >= size || !(bits[need[i] / 8] & (1u << (need[i] % 8))))
			return 0;
	return 1;
}

static struct virtio_input_event *event_buffer(uint32_t i)
{
	return (struct virtio_input_event *)in.events.virt + i;
}

static __attribute__((noreturn)) void device_broken(int err)
{
	virtio_pci_report_broken(&in.dev, in.q, err);
	kosh_printf("%s: exiting: init restarts the driver", in.dev.name);
	kosh_terminate(3);
}

static void post(uint32_t i)
{
	struct virtq_buf b = {in.events.phys + (uint64_t)i * sizeof(struct virtio_input_event),
			      sizeof(struct virtio_input_event)};
	int head = virtq_add(&in.q->vq, &b, 0, 1, (void *)(uintptr_t)(i + 1));
	if (head < 0)
		device_broken(head);
}

/* 0 serving a keyboard; 1 not a keyboard (left alone); -1 an error. */
static int device_start(void)
{
	struct virtio_pci *d = &in.dev;
	char name[CFG_DATA_MAX + 1];
	int err = virtio_pci_open(d, VIRTIO_ID_INPUT);
	if (!err)
		err = virtio_pci_negotiate(d, 0, NULL);
	if (err) {
		kosh_printf("%s: cannot start the input device: %s", d->name[0] ? d->name : "input",
			    virtio_pci_strerror(err));
		return -1;
	}
	device_name(name);
	if (!is_keyboard()) {
		kosh_printf("%s: \"%s\" is not a keyboard: ignored", d->name, name);
		(void)virtio_pci_reset(d);
		return 1;
	}
	if (!err)
		err = virtio_pci_queue_setup(d, QUEUE_EVENTS, EVENT_BUFFERS, &in.q);
	if (!err)
		err =
		    virtio_dma_alloc(EVENT_BUFFERS * sizeof(struct virtio_input_event), &in.events);
	if (err) {
		kosh_printf("%s: cannot set up the event queue: %s", d->name,
			    virtio_pci_strerror(err));
		return -1;
	}
	for (uint32_t i = 0; i < in.q->size && i < EVENT_BUFFERS; i++)
		post(i);
	if ((err = virtio_pci_ready(d))) {
		kosh_printf("%s: DRIVER_OK: %s", d->name, virtio_pci_strerror(err));
		return -1;
	}
	virtio_pci_notify(d, in.q);
	kosh_printf("%s: serving the keyboard \"%s\" (%s)", d->name, name,
		    virtio_pci_notification(d) ? "interrupts" : "polling");
	return 0;
}

static void text_put(const uint8_t *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (in.len == TEXT_BUFFER) {
			in.dropped++;
			continue;
		}
		in.text[(in.head + in.len++) % TEXT_BUFFER] = t[i];
	}
}

/* Used event buffers through the keymap; each posted again. */
static void drain_events(void)
{
	int posted = 0;
	for (;;) {
		void *token;
		uint32_t len;
		int r = virtq_get_used(&in.q->vq, &token, &len);
		if (r < 0)
			device_broken(r);
		if (r == 0)
			break;
		uint32_t i = (uint32_t)(uintptr_t)token - 1;
		struct virtio_input_event ev = *event_buffer(i); /* one copy: then checked */
		if (len == sizeof(ev) && ev.type == EV_KEY) {
			uint8_t t[KOSH_KEYMAP_OUT_MAX];
			uint32_t n = kosh_keymap_evdev(&in.map, ev.code, ev.value, t);
			if (n && !in.typed++) /* once, to show keys arrive; never what they are */
				kosh_printf("%s: the first typed key", in.dev.name);
			text_put(t, n);
			in.keys++;
		}
		post(i);
		posted = 1;
	}
	if (posted)
		virtio_pci_notify(&in.dev, in.q);
}

static void service_device(uint64_t events)
{
	if (events & VIRTIO_PCI_EVENT_QUEUE(QUEUE_EVENTS))
		drain_events();
	if (virtq_enable_interrupts(&in.q->vq) > 0)
		drain_events();
}

/* ---- the serial protocol ---- */

static uint8_t *ipc_data(void)
{
	return (uint8_t *)&kosh_ipc_buffer()->words[4];
}

static uint32_t text_peek(uint8_t *out, uint32_t want)
{
	uint32_t n = want < in.len ? want : in.len;
	for (uint32_t i = 0; i < n; i++)
		out[i] = in.text[(in.head + i) % TEXT_BUFFER];
	return n;
}

static void text_take(uint32_t n)
{
	in.head = (in.head + n) % TEXT_BUFFER;
	in.len -= n;
}

static void drop_reader(void)
{
	memmove(&in.readers[0], &in.readers[1], --in.reader_count * sizeof(in.readers[0]));
}

static void answer_readers(void)
{
	while (in.reader_count && in.len) {
		struct reader r = in.readers[0];
		uint32_t n = text_peek(ipc_data(), r.want);
		const struct kosh_msg m = {kosh_msg_tag(0, kosh_serial_words(n), 0, 0), {n}};
		if (kosh_reply_answer(r.reply, &m, KOSH_SERIAL_EIO) == KOSH_OK)
			text_take(n);
		drop_reader();
	}
}

/* Save a READ's reply; 0, or an error to answer now. */
static uint32_t defer_read(uint32_t want)
{
	if (in.reader_count == KOSH_SERIAL_READERS_MAX) {
		const struct kosh_msg m = {kosh_msg_tag(KOSH_SERIAL_EAGAIN, 0, 0, 0), {0}};
		(void)kosh_reply_answer(in.readers[0].reply, &m, KOSH_SERIAL_EIO);
		drop_reader();
	}
	int64_t reply = kosh_reply_save(kosh_self()->quota);
	if (reply < 0)
		return KOSH_SERIAL_EAGAIN;
	in.readers[in.reader_count++] = (struct reader){(kosh_handle_t)reply, want};
	return 0;
}

static int handle_read(const struct kosh_msg *m, struct kosh_msg *reply)
{
	uint32_t want = (uint32_t)m->words[0];
	if (!want || want > KOSH_SERIAL_IO_MAX ||
	    m->words[1] & ~(uint64_t)KOSH_SERIAL_READ_NOWAIT) {
		reply->tag = kosh_msg_tag(KOSH_SERIAL_EINVAL, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	if (!in.len && !(m->words[1] & KOSH_SERIAL_READ_NOWAIT)) {
		uint32_t err = defer_read(want);
		if (!err)
			return KOSH_SERVE_NO_REPLY;
		reply->tag = kosh_msg_tag(err, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	uint32_t n = text_peek(ipc_data(), want);
	text_take(n);
	reply->words[0] = n;
	reply->tag = kosh_msg_tag(0, kosh_serial_words(n), 0, 0);
	return KOSH_SERVE_REPLY;
}

static int on_request(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *reply)
{
	(void)ctx, (void)badge;
	memset(reply, 0, sizeof(*reply));
	for (uint32_t i = 0; i < KOSH_MSG_CAPS(m->tag) && i < KOSH_MSG_CAPS_MAX; i++)
		kosh_handle_close(kosh_ipc_buffer()->caps[i]); /* none are taken */
	if (KOSH_MSG_CAPS(m->tag)) {
		reply->tag = kosh_msg_tag(KOSH_SERIAL_EPROTO, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	switch (KOSH_MSG_LABEL(m->tag)) {
	case KOSH_SERIAL_READ:
		return handle_read(m, reply);
	case KOSH_SERIAL_INFO:
		reply->words[0] = 0;
		reply->words[1] = in.len;
		reply->words[2] = in.dropped;
		reply->tag = kosh_msg_tag(0, KOSH_MSG_WORDS_REG, 0, 0);
		return KOSH_SERVE_REPLY;
	default: /* WRITE (a keyboard only receives), and anything else */
		reply->tag = kosh_msg_tag(KOSH_SERIAL_ENOSYS, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
}

static void on_irq(void *ctx, uint64_t bits)
{
	(void)ctx;
	service_device(virtio_pci_events(&in.dev, bits));
}

static void on_idle(void *ctx)
{
	(void)ctx;
	service_device(virtio_pci_events(&in.dev, 0));
	answer_readers();
}

static void after_message(void *ctx)
{
	(void)ctx;
	answer_readers();
}

/* Not a keyboard: stay, doing nothing, on a notification nobody signals. */
static __attribute__((noreturn)) void idle_forever(void)
{
	int64_t n = kosh_notification_create(kosh_self()->quota);
	uint64_t bits;
	while (n >= 0 &&
	       kosh_notify_wait((kosh_handle_t)n, KOSH_TIMEOUT_NEVER, &bits) != KOSH_E_BAD_HANDLE)
		;
	kosh_printf("%s: cannot wait for ever: exiting", in.dev.name);
	kosh_terminate(0);
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		kosh_printf("usage: virtio-input (the device comes from the start handles)");
		return 2;
	}
	in.endpoint = kosh_start_handle("serve", NULL);
	if (!in.endpoint)
		in.endpoint = kosh_start_handle("input", NULL);
	if (!in.endpoint) {
		kosh_printf("no endpoint given (\"serve\" or \"input\")");
		return 1;
	}
	kosh_keymap_init(&in.map);
	int r = device_start();
	if (r < 0)
		return 1;
	if (r > 0)
		idle_forever();
	kosh_handle_t irqs = virtio_pci_notification(&in.dev);
	if (irqs) {
		kosh_err_t err = (kosh_err_t)kosh_notification_bind(irqs, in.endpoint);
		if (err && err != KOSH_E_ALREADY_EXISTS) {
			kosh_printf("%s: cannot bind the interrupts to the endpoint: %s",
				    in.dev.name, kosh_strerror(err));
			return 1;
		}
	}
	const struct kosh_serve loop = {
	    .name = "virtio-input",
	    .endpoint = in.endpoint,
	    .other = on_request,
	    .notify = on_irq,
	    .idle = irqs ? NULL : on_idle,
	    .idle_ns = irqs ? 0 : POLL_NS,
	    .after = irqs ? after_message : on_idle,
	    .ctx = &in,
	};
	kosh_err_t err = kosh_serve_run(&loop);
	kosh_printf("%s: the endpoint failed: %s", in.dev.name, kosh_strerror(err));
	return 1;
}
