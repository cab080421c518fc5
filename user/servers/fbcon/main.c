/* SPDX-License-Identifier: MIT */
/*
 * fbcon: the framebuffer console (docs/console.md). It owns the GOP
 * framebuffer, which init gives it ("grant = framebuffer": "rootinfo", a copy
 * of the root info whose fb field describes the framebuffer, and "fb<i>", the
 * frame of rootinfo->frames[i], of kind KOSH_ROOT_FRAME_FRAMEBUFFER), takes it
 * from the kernel's own console (log_console), and serves the write side of
 * the serial protocol on "fb": the console sends it every byte of output, as
 * it does to the serial port.
 *
 * The bytes go through the terminal model (shared/lib/term.c) and the renderer
 * (render.c) draws the changed rows into a shadow buffer in RAM; the rows that
 * changed go out to the framebuffer at most every FLUSH_NS while output keeps
 * coming, and as soon as it pauses for IDLE_NS, so a burst of output costs one
 * copy of the screen, not one per line.
 *
 * Without a framebuffer (AArch64 without ramfb, most boards), or with one in a
 * format it cannot draw, fbcon says so and exits 0: init does not restart it
 * (restart = on-failure) and the console carries on with the serial line alone.
 */
#include <stdint.h>

#include <kosh/bootinfo.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/proto/serial.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/server.h>
#include <kosh/start.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/term.h>

#include "render.h"

#define FLUSH_NS (30ull * 1000 * 1000) /* the longest output waits to be seen */
#define IDLE_NS	 (5ull * 1000 * 1000)  /* a pause this long shows the output at once */

/* log_console's flags (docs/abi.md): take the framebuffer from the kernel. */
#define LOG_CONSOLE_TAKE_FRAMEBUFFER (KOSH_LOG_CONSOLE_FRAMEBUFFER | KOSH_LOG_CONSOLE_GIVE)

struct fbcon {
	struct kosh_framebuffer fb;
	uint8_t *pixels; /* the framebuffer, mapped */
	struct render render;
	struct kosh_term term;
	int pending;   /* output not yet on the screen */
	int64_t since; /* when the oldest of it came */
};

static struct fbcon con;

/* ---- finding the framebuffer ---- */

/*
 * The framebuffer's description and its frame: 0, or 1 when there is none to
 * use (said in the log), or -1 on an error.
 */
static int find_framebuffer(struct kosh_framebuffer *fb, kosh_handle_t *frame, uint64_t *base)
{
	kosh_handle_t page = kosh_start_handle("rootinfo", NULL);
	kosh_err_t err;
	if (!page) {
		kosh_printf("no framebuffer given (init's grant \"framebuffer\"): serial only");
		return 1;
	}
	const struct kosh_root_info *ri =
	    kosh_frame_map(page, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
	if (!ri) {
		kosh_printf("cannot map rootinfo: %s", kosh_strerror(err));
		return -1;
	}
	int found = 1;
	*fb = ri->fb;
	if (ri->magic != KOSH_ROOT_INFO_MAGIC || ri->frame_count > KOSH_ROOT_FRAMES_MAX) {
		kosh_printf("rootinfo is not a root info page");
		found = -1;
	} else if (!fb->phys) {
		kosh_printf(
		    "the firmware gave no framebuffer: the console is on the serial line only");
	} else {
		for (uint32_t i = 0; i < ri->frame_count && found == 1; i++) {
			char name[KOSH_START_NAME_MAX];
			if (ri->frames[i].kind != KOSH_ROOT_FRAME_FRAMEBUFFER)
				continue;
			kosh_snprintf(name, sizeof(name), "fb%u", i);
			*frame = kosh_start_handle(name, NULL);
			*base = ri->frames[i].phys;
			if (*frame && ri->frames[i].phys <= fb->phys &&
			    fb->phys - ri->frames[i].phys + fb->size <= ri->frames[i].size)
				found = 0;
		}
		if (found)
			kosh_printf("a framebuffer at 0x%llx, but no frame of it was given (fb<i>)",
				    (unsigned long long)fb->phys);
	}
	kosh_frame_unmap((void *)ri, KOSH_PAGE_SIZE);
	return found;
}

/* ---- drawing ---- */

static void on_scroll(void *ctx, uint32_t top, uint32_t bottom, int32_t n)
{
	render_scroll(&((struct fbcon *)ctx)->render, top, bottom, n);
}

static void flush(struct fbcon *c)
{
	render_update(&c->render, &c->term);
	render_flush(&c->render, c->pixels, c->fb.pitch);
	c->pending = 0;
}

static void take_output(struct fbcon *c, const uint8_t *bytes, uint32_t len)
{
	if (!c->pending) {
		render_hide_cursor(&c->render, &c->term);
		c->pending = 1;
		c->since = kosh_clock_get();
	}
	kosh_term_write(&c->term, bytes, len);
}

/* ---- the serial protocol's write side ---- */

static int on_write(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *reply)
{
	struct fbcon *c = ctx;
	uint32_t words = KOSH_MSG_WORDS(m->tag);
	memset(reply, 0, sizeof(*reply));
	if (KOSH_MSG_CAPS(m->tag)) {
		for (uint32_t i = 0; i < KOSH_MSG_CAPS(m->tag) && i < KOSH_MSG_CAPS_MAX; i++)
			(void)kosh_handle_close(kosh_self()->ipc_buffer->caps[i]);
		reply->tag = kosh_msg_tag(KOSH_SERIAL_EPROTO, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	if (m->words[0] > KOSH_SERIAL_IO_MAX || words < kosh_serial_words((uint32_t)m->words[0])) {
		reply->tag = kosh_msg_tag(KOSH_SERIAL_EINVAL, 0, 0, 0);
		return KOSH_SERVE_REPLY;
	}
	take_output(c, (const uint8_t *)&kosh_self()->ipc_buffer->words[4], (uint32_t)m->words[0]);
	reply->words[0] = m->words[0];
	reply->tag = kosh_msg_tag(0, 4, 0, 0);
	return KOSH_SERVE_REPLY;
}

/* INFO: no baud, nothing buffered or dropped (every byte is drawn). */
static int on_info(void *ctx, const struct kosh_msg *m, uint64_t badge, struct kosh_msg *reply)
{
	memset(reply, 0, sizeof(*reply));
	reply->tag = kosh_msg_tag(0, 4, 0, 0);
	return KOSH_SERVE_REPLY;
}

/* Output that has waited FLUSH_NS goes out even while more keeps coming. */
static void after_message(void *ctx)
{
	struct fbcon *c = ctx;
	if (c->pending && kosh_clock_get() - c->since >= (int64_t)FLUSH_NS)
		flush(c);
}

static void on_idle(void *ctx)
{
	struct fbcon *c = ctx;
	if (c->pending)
		flush(c);
}

/* ---- start ---- */

/* Maps the framebuffer, allocates the shadow and the cells, starts the terminal. */
static kosh_err_t start_screen(struct fbcon *c, kosh_handle_t frame, uint64_t base)
{
	uint64_t offset = c->fb.phys - base, first = offset & ~(uint64_t)(KOSH_PAGE_SIZE - 1);
	uint64_t span = kosh_page_round(offset + c->fb.size) - first;
	kosh_err_t err;
	uint8_t *map = kosh_frame_map(frame, first, span, KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	if (!map) {
		kosh_printf("cannot map the framebuffer: %s", kosh_strerror(err));
		return err;
	}
	c->pixels = map + (offset - first);
	uint32_t *shadow = kosh_page_alloc((uint64_t)c->fb.width * c->fb.height * 4);
	uint32_t cols, rows;
	render_grid(c->fb.width, c->fb.height, &cols, &rows);
	struct kosh_term_cell *cells = kosh_page_alloc((uint64_t)cols * rows * sizeof(*cells));
	if (!shadow || !cells) {
		kosh_printf("no memory for a %ux%u screen's shadow and cells (raise its quota);"
			    " serial only",
			    c->fb.width, c->fb.height);
		return KOSH_E_NO_MEMORY;
	}
	render_init(&c->render, &c->fb, shadow);
	const struct kosh_term_ops ops = {.scroll = on_scroll, .ctx = c};
	if (kosh_term_init(&c->term, cells, cols, rows, &ops))
		return KOSH_E_INVALID_ARGUMENT;
	return KOSH_OK;
}

/* The kernel stops drawing its log on the screen while we live. */
static void take_from_kernel(void)
{
	kosh_handle_t klog = kosh_start_handle("klog-console", NULL);
	kosh_err_t err = klog ? (kosh_err_t)kosh_log_console(klog, LOG_CONSOLE_TAKE_FRAMEBUFFER)
			      : KOSH_E_NOT_FOUND;
	if (err)
		kosh_printf("log_console: %s; the kernel's log lines will cross the screen",
			    kosh_strerror(err));
}

int main(int argc, char **argv)
{
	kosh_handle_t endpoint = kosh_start_handle("fb", NULL), frame = 0;
	uint64_t base = 0;
	if (!endpoint) {
		kosh_printf("missing start handle: fb");
		return 2;
	}
	int found = find_framebuffer(&con.fb, &frame, &base);
	if (found)
		return found > 0 ? 0 : 1;
	const char *why = render_refusal(&con.fb);
	if (why) {
		kosh_printf(
		    "cannot draw on the %ux%u framebuffer (%u bpp, masks 0x%x 0x%x 0x%x): %s;"
		    " serial only",
		    con.fb.width, con.fb.height, con.fb.bpp, con.fb.red_mask, con.fb.green_mask,
		    con.fb.blue_mask, why);
		return 0;
	}
	kosh_err_t err = start_screen(&con, frame, base);
	if (err) /* no restart can find more memory than the quota has */
		return err == KOSH_E_NO_MEMORY ? 0 : 1;
	take_from_kernel();
	flush(&con);
	kosh_printf("drawing the console on the %ux%u framebuffer: %ux%u characters", con.fb.width,
		    con.fb.height, con.term.cols, con.term.rows);
	static const struct kosh_serve_handler handlers[] = {
	    {KOSH_SERIAL_WRITE, on_write},
	    {KOSH_SERIAL_INFO, on_info},
	};
	const struct kosh_serve loop = {
	    .name = "fbcon",
	    .endpoint = endpoint,
	    .handlers = handlers,
	    .handler_count = sizeof(handlers) / sizeof(handlers[0]),
	    .unknown = KOSH_SERIAL_ENOSYS,
	    .idle = on_idle,
	    .idle_ns = IDLE_NS,
	    .after = after_message,
	    .ctx = &con,
	};
	kosh_serve_run(&loop);
	return 1;
}
