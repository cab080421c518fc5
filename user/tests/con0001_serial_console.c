/* SPDX-License-Identifier: MIT */
/*
 * CON0001: the serial driver and the console (docs/console.md), end to end,
 * without fighting the kernel for the line. The test starts the machine's
 * driver (x86-64: sbin/drivers/uart16550 on COM1's ports and IRQ 4; AArch64:
 * sbin/drivers/pl011 on the MMIO frame of the page at 0x9000000, which must
 * be exactly that page, and INTID 33) in "loopback", where written bytes come
 * back as received ones instead of reaching the wire, and sbin/console on top
 * of it. Through a console file it then types and reads: the line discipline
 * over IPC (editing, Ctrl-C with the foreground notification and EINTR,
 * Ctrl-D, raw mode), deferred READs answered in order, a READ failed by
 * CLOSE, and the serial protocol's refusals. The driver is killed and a new
 * one started on the same endpoint: the console keeps working. The console
 * is killed and restarted: old files are EBADF, new ones work.
 *
 * log_console: flags above 1 and a handle without MANAGE are refused; the
 * test takes the UART and gives it back, then takes it once more and exits
 * holding it, so the kernel must take it back by itself when the holder dies
 * — or bootstrap's next lines never reach the boot-test harness.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/proto/serial.h>
#include <kosh/proto/vfs.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>
#include <kosh/thread.h>

#include <arch/test_device.h>

#include "check.h"
#include "helper.h"

#define CHILD_QUOTA (1ull << 20) /* as etc/services gives them */
#define IRQ_BIT	    1u
#define FG_BITS	    0x30u
#define PL011_PHYS  0x09000000ull
#define PL011_IRQ   33
#define COM1	    0x3f8
#define COM1_IRQ    4
#define TIMEOUT	    (5 * TEST_SECOND)

struct machine {
	kosh_handle_t serial, console; /* the two endpoints (every right) */
	kosh_handle_t irq, notify;     /* the UART's line and its notification */
	kosh_handle_t hw;	       /* ioport0 or mmio0 */
	const char *irq_name;
	struct kosh_child driver, con;
};

static struct machine mc;

/* A program of the initfs: its image. */
static void find_program(const char *path, const void **image, uint64_t *size)
{
	const void *archive;
	uint64_t archive_size;
	struct kosh_tar_entry e;
	CHECK_EQ(kosh_initfs(&archive, &archive_size), KOSH_OK);
	if (kosh_tar_find(archive, archive_size, path, &e) != KOSH_TAR_OK)
		check_fail(__FILE_NAME__, __LINE__, "no %s in the initfs", path);
	*image = e.data;
	*size = e.size;
}

static void start(const char *path, const char *name, const char *const *argv, uint32_t argc,
		  const struct kosh_spawn_handle *give, uint32_t count, struct kosh_child *out)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_spawn_handle all[KOSH_SPAWN_HANDLES_MAX];
	CHECK(count + 2 <= KOSH_SPAWN_HANDLES_MAX);
	all[0] = (struct kosh_spawn_handle){ "klog", self->log, 0, 0 };
	kosh_handle_t quota = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, CHILD_QUOTA));
	all[1] = (struct kosh_spawn_handle){ "quota", quota, KOSH_GIVE_MOVE, CHILD_QUOTA };
	memcpy(&all[2], give, count * sizeof(*give));
	struct kosh_spawn s = { .name = name, .argv = argv, .argc = argc, .handles = all,
				.handle_count = count + 2, .quota = quota };
	find_program(path, &s.image, &s.image_size);
	CHECK_EQ(kosh_spawn(&s, out), KOSH_OK);
}

/* The MMIO frame bootstrap lists at exactly base, checked to be one page. */
static kosh_handle_t frame_at(uint64_t base)
{
	char name[8] = "mmio0";
	for (unsigned i = 0; i < 10; i++) {
		uint64_t value = 0;
		name[4] = (char)('0' + i);
		kosh_handle_t h = kosh_start_handle(name, &value);
		if (!h || value != base)
			continue;
		kosh_err_t err;
		void *two = kosh_frame_map(h, 0, 2 * KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
		CHECK(two == NULL); /* exactly the UART's page, nothing after it */
		volatile uint32_t *regs =
		    kosh_frame_map(h, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ, &err);
		CHECK(regs != NULL);
		/* The PL011's peripheral id: 0x11, 0x10, then its revision and 0x00. */
		CHECK_EQ(regs[0xfe0 / 4] & 0xff, 0x11);
		CHECK_EQ(regs[0xfe4 / 4] & 0xff, 0x10);
		CHECK_EQ(kosh_frame_unmap((void *)regs, KOSH_PAGE_SIZE), KOSH_OK);
		return h;
	}
	check_fail(__FILE_NAME__, __LINE__, "no MMIO frame at 0x%llx (the console UART)",
		   (unsigned long long)base);
}

/* The machine's UART: its line, and its ports or registers. */
static void claim_uart(struct machine *m)
{
	const struct kosh_self *self = kosh_self();
	kosh_handle_t ctl = kosh_start_handle("irq_control", NULL);
	CHECK(ctl != 0);
	m->notify = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	if (ARCH_HAS_PORT_IO) { /* a PC: COM1 */
		kosh_handle_t io = kosh_start_handle("ioport_control", NULL);
		m->hw = (kosh_handle_t)CHECK_OK(kosh_ioport_create(io, COM1, 8));
		m->irq =
		    (kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, COM1_IRQ, m->notify, IRQ_BIT));
		m->irq_name = "irq4";
	} else { /* QEMU virt: the PL011 */
		m->hw = frame_at(PL011_PHYS);
		m->irq =
		    (kosh_handle_t)CHECK_OK(kosh_irq_create(ctl, PL011_IRQ, m->notify, IRQ_BIT));
		m->irq_name = "irq33";
	}
}

static void start_driver(struct machine *m)
{
	static const char *const u16550[] = { "uart16550", "0x3f8", "loopback" };
	static const char *const pl011[] = { "pl011", "loopback" };
	struct kosh_spawn_handle give[] = {
		{ "serial", m->serial, 0, 0 },
		{ "irq-notify", m->notify, 0, 0 },
		{ m->irq_name, m->irq, 0, 0 },
		{ ARCH_HAS_PORT_IO ? "ioport0" : "mmio0", m->hw, 0, KOSH_PAGE_SIZE },
	};
	if (ARCH_HAS_PORT_IO)
		start("sbin/drivers/uart16550", "uart16550", u16550, 3, give, 4, &m->driver);
	else
		start("sbin/drivers/pl011", "pl011", pl011, 2, give, 4, &m->driver);
}

static void start_console(struct machine *m)
{
	static const char *const argv[] = { "console" };
	struct kosh_spawn_handle give[] = {
		{ "console", m->console, 0, 0 },
		{ "serial", m->serial, 0, 0 },
	};
	start("sbin/console", "console", argv, 1, give, 2, &m->con);
}

static void stop(struct kosh_child *c)
{
	uint64_t status;
	CHECK_EQ(kosh_process_kill(c->process, 9), KOSH_OK);
	CHECK_EQ(kosh_wait(c->process, TIMEOUT, &status), KOSH_OK);
	kosh_handle_close(c->process);
	kosh_handle_close(c->thread);
}

/* ---- the file protocol, by hand ---- */

static uint8_t *ipc_data(void)
{
	return (uint8_t *)&kosh_self()->ipc_buffer->words[4];
}

static kosh_handle_t open_terminal(kosh_handle_t console)
{
	struct kosh_msg m = { kosh_msg_tag(KOSH_VFS_OPEN, 5, 0, 0),
			     { KOSH_VFS_O_READ | KOSH_VFS_O_WRITE, 1, 0, 0 } };
	ipc_data()[0] = '/';
	CHECK_EQ(kosh_call(console, &m, &m, TIMEOUT), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), 0);
	CHECK_EQ(KOSH_MSG_CAPS(m.tag), 1);
	CHECK_EQ(m.words[0], KOSH_VFS_TTY);
	return kosh_self()->ipc_buffer->caps[0];
}

/* A call on a file; the reply's label (0 or a KOSH_VFS_E*). */
static uint32_t file_call(kosh_handle_t f, uint32_t op, uint64_t w0, struct kosh_msg *reply)
{
	struct kosh_msg m = { kosh_msg_tag(op, 4, 0, 0), { w0, 0, 0, 0 } };
	CHECK_EQ(kosh_call(f, &m, reply, TIMEOUT), KOSH_OK);
	return KOSH_MSG_LABEL(reply->tag);
}

/* Type s: written to the terminal, looped back by the driver, read as keys. */
static void type(kosh_handle_t f, const char *s)
{
	struct kosh_msg m = { 0 };
	uint32_t n = (uint32_t)strlen(s);
	memcpy(ipc_data(), s, n);
	m.tag = kosh_msg_tag(KOSH_VFS_WRITE, 4 + (n + 7) / 8, 0, 0);
	m.words[0] = n;
	CHECK_EQ(kosh_call(f, &m, &m, TIMEOUT), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), 0);
	CHECK_EQ(m.words[0], n);
}

/*
 * One READ from the thread whose IPC buffer is ipc: its error (0 or
 * KOSH_VFS_E*); the bytes into out, NUL-terminated.
 */
static uint32_t read_into(kosh_handle_t f, const struct kosh_ipc_buffer *ipc, char *out,
			  uint32_t size)
{
	struct kosh_msg m;
	uint32_t err = file_call(f, KOSH_VFS_READ, size - 1, &m);
	out[0] = 0;
	if (err)
		return err;
	CHECK(m.words[0] < size);
	memcpy(out, &ipc->words[4], m.words[0]);
	out[m.words[0]] = 0;
	return 0;
}

static void expect_read(kosh_handle_t f, const char *want)
{
	char got[64];
	CHECK_EQ(read_into(f, kosh_self()->ipc_buffer, got, sizeof(got)), 0);
	if (strcmp(got, want) != 0)
		check_fail(__FILE_NAME__, __LINE__, "read '%s', expected '%s'", got, want);
}

/* A READ on another thread (it waits: the console defers it). */
struct pending {
	kosh_handle_t file, done;
	uint32_t bit, err;
	char text[64];
	struct kosh_thread thread;
};

static void pending_run(void *arg)
{
	struct pending *p = arg;
	p->err = read_into(p->file, p->thread.ipc, p->text, sizeof(p->text));
	CHECK_EQ(kosh_notification_signal(p->done, p->bit), KOSH_OK);
}

static void sleep_ms(kosh_handle_t n, uint64_t ms)
{
	uint64_t bits;
	CHECK_ERR(kosh_notify_wait(n, ms * TEST_MS, &bits), KOSH_E_TIMED_OUT);
}

static void start_pending(struct pending *p, kosh_handle_t f, kosh_handle_t done, uint32_t bit)
{
	*p = (struct pending){.file = f, .done = done, .bit = bit};
	CHECK_EQ(kosh_thread_spawn(&p->thread, pending_run, p, 0), KOSH_OK);
	sleep_ms(done, 100); /* it is waiting in the console now, and still is */
}

static void wait_pending(kosh_handle_t done, uint32_t bits)
{
	uint64_t got = 0;
	while ((got & bits) != bits) {
		uint64_t more;
		CHECK_EQ(kosh_notify_wait(done, TIMEOUT, &more), KOSH_OK);
		got |= more;
	}
}

/* ---- the checks ---- */

static void check_log_console(void)
{
	kosh_handle_t log = kosh_self()->log;
	struct kosh_handle_info info;
	CHECK_EQ(kosh_info(log, &info), KOSH_OK);
	CHECK(info.rights & KOSH_RIGHT_MANAGE);
	CHECK_ERR(kosh_log_console(log, 2), KOSH_E_INVALID_ARGUMENT);
	kosh_handle_t weak =
	    (kosh_handle_t)CHECK_OK(kosh_handle_dup(log, info.rights & ~KOSH_RIGHT_MANAGE, 0));
	CHECK_ERR(kosh_log_console(weak, 1), KOSH_E_ACCESS_DENIED);
	CHECK_EQ(kosh_handle_close(weak), KOSH_OK);
	CHECK_EQ(kosh_log_console(log, 1), KOSH_OK);
	check_note("this line is in the log, not on the UART");
	CHECK_EQ(kosh_log_console(log, 0), KOSH_OK);
	CHECK_EQ(kosh_log_console(log, 0), KOSH_OK); /* nobody holds it: nothing changes */
}

static void check_serial_protocol(kosh_handle_t serial)
{
	struct kosh_msg m = { kosh_msg_tag(KOSH_SERIAL_INFO, 4, 0, 0), { 0 } };
	CHECK_EQ(kosh_call(serial, &m, &m, TIMEOUT), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), 0);
	check_note("driver: baud %llu, %llu bytes buffered", (unsigned long long)m.words[0],
		   (unsigned long long)m.words[1]);
	m = (struct kosh_msg){ kosh_msg_tag(KOSH_SERIAL_READ, 4, 0, 0),
			      { 8, KOSH_SERIAL_READ_NOWAIT, 0, 0 } };
	CHECK_EQ(kosh_call(serial, &m, &m, TIMEOUT), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(m.tag), 0); /* nothing typed: 0 bytes, at once */
	CHECK_EQ(m.words[0], 0);
	uint64_t bad[][3] = {
		{ KOSH_SERIAL_READ, 0, KOSH_SERIAL_EINVAL },
		{ KOSH_SERIAL_READ, KOSH_SERIAL_IO_MAX + 1, KOSH_SERIAL_EINVAL },
		{ KOSH_SERIAL_WRITE, KOSH_SERIAL_IO_MAX + 1, KOSH_SERIAL_EINVAL },
		{ KOSH_SERIAL_WRITE, 100, KOSH_SERIAL_EINVAL }, /* more bytes than the message has */
		{ 77, 0, KOSH_SERIAL_ENOSYS },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = (struct kosh_msg){ kosh_msg_tag((uint32_t)bad[i][0], 4, 0, 0), { bad[i][1] } };
		CHECK_EQ(kosh_call(serial, &m, &m, TIMEOUT), KOSH_OK);
		CHECK_EQ(KOSH_MSG_LABEL(m.tag), bad[i][2]);
	}
}

static void check_terminal_calls(kosh_handle_t f)
{
	struct kosh_msg m;
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_GET, 0, &m), 0);
	CHECK_EQ(m.words[0], KOSH_VFS_TTY_ECHO | KOSH_VFS_TTY_CANON);
	CHECK_EQ(m.words[1], 24);
	CHECK_EQ(m.words[2], 80);
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_SET, 0x10, &m), KOSH_VFS_EINVAL);
	CHECK_EQ(file_call(f, KOSH_VFS_SEEK, 0, &m), KOSH_VFS_ESPIPE);
	/* Echo off: looped-back echo would be typed again and again. */
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_SET, KOSH_VFS_TTY_CANON, &m), 0);
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_GET, 0, &m), 0);
	CHECK_EQ(m.words[0], KOSH_VFS_TTY_CANON);
}

static void check_line_discipline(kosh_handle_t f, kosh_handle_t done)
{
	struct pending a, b;
	struct kosh_msg m;
	type(f, "ab\x7f"
		"c\r");
	expect_read(f, "ac\n");
	type(f, "x\xc3\xa9\x7fy\x15z\r");
	expect_read(f, "z\n");
	type(f, "partial\x04");
	expect_read(f, "partial");
	type(f, "\x04");
	expect_read(f, ""); /* end of file: READ returns 0 */
	/* Deferred READs are answered in the order they came. */
	start_pending(&a, f, done, 1);
	start_pending(&b, f, done, 2);
	type(f, "one\rtwo\r");
	wait_pending(done, 3);
	if (a.err || b.err || strcmp(a.text, "one\n") != 0 || strcmp(b.text, "two\n") != 0)
		check_fail(__FILE_NAME__, __LINE__, "readers got '%s' (%u) and '%s' (%u)", a.text,
			   a.err, b.text, b.err);
	/* Ctrl-C: the line is dropped, the foreground hears of it, a waiting READ gets EINTR. */
	kosh_handle_t fg = (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
	struct kosh_msg fm = { kosh_msg_tag(KOSH_VFS_TTY_FOREGROUND, 4, 1, 0), { FG_BITS } };
	kosh_self()->ipc_buffer->caps[0] = fg;
	CHECK_EQ(kosh_call(f, &fm, &fm, TIMEOUT), KOSH_OK);
	CHECK_EQ(KOSH_MSG_LABEL(fm.tag), 0);
	start_pending(&a, f, done, 1);
	type(f, "dropped\x03");
	wait_pending(done, 1);
	CHECK_EQ(a.err, KOSH_VFS_EINTR);
	uint64_t bits;
	CHECK_EQ(kosh_notify_wait(fg, TIMEOUT, &bits), KOSH_OK);
	CHECK_EQ(bits, FG_BITS);
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_FOREGROUND, 0, &m), 0); /* none any more */
	type(f, "\x03");
	CHECK_ERR(kosh_notify_wait(fg, 100 * TEST_MS, &bits), KOSH_E_TIMED_OUT);
	CHECK_EQ(kosh_handle_close(fg), KOSH_OK);
	type(f, "kept\r");
	expect_read(f, "kept\n");
	/* Raw mode: bytes as they come, Ctrl-C among them. */
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_SET, 0, &m), 0);
	type(f, "q\x03");
	expect_read(f, "q\x03");
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_SET, KOSH_VFS_TTY_CANON, &m), 0);
}

/* A READ waiting when its file is closed gets EBADF. */
static void check_close_fails_reader(kosh_handle_t console, kosh_handle_t done)
{
	struct pending p;
	struct kosh_msg m;
	kosh_handle_t f = open_terminal(console);
	start_pending(&p, f, done, 4);
	kosh_handle_t again = (kosh_handle_t)CHECK_OK(kosh_handle_dup(f, KOSH_RIGHT_WRITE, 0));
	CHECK_EQ(file_call(again, KOSH_VFS_CLOSE, 0, &m), 0);
	wait_pending(done, 4);
	CHECK_EQ(p.err, KOSH_VFS_EBADF);
	CHECK_EQ(kosh_handle_close(again), KOSH_OK);
	CHECK_EQ(kosh_handle_close(f), KOSH_OK);
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	struct machine *m = &mc;
	kosh_handle_t done = (kosh_handle_t)CHECK_OK(kosh_notification_create(self->quota));
	check_log_console();
	claim_uart(m);
	m->serial = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	m->console = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(self->quota));
	start_driver(m);
	start_console(m);
	kosh_handle_t f = open_terminal(m->console);
	check_serial_protocol(m->serial);
	check_terminal_calls(f);
	check_line_discipline(f, done);
	check_close_fails_reader(m->console, done);

	/* A new driver on the same endpoint: the console goes on. */
	stop(&m->driver);
	start_driver(m);
	type(f, "after the driver's restart\r");
	expect_read(f, "after the driver's restart\n");

	/* A new console: old files are refused, new ones work. */
	stop(&m->con);
	start_console(m);
	struct kosh_msg r;
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_GET, 0, &r), KOSH_VFS_EBADF);
	CHECK_EQ(kosh_handle_close(f), KOSH_OK);
	f = open_terminal(m->console);
	CHECK_EQ(file_call(f, KOSH_VFS_TTY_SET, KOSH_VFS_TTY_CANON, &r), 0);
	type(f, "after the console's restart\r");
	expect_read(f, "after the console's restart\n");

	stop(&m->con);
	stop(&m->driver);
	/* Exit holding the UART: the kernel takes it back when we are gone. */
	CHECK_EQ(kosh_log_console(self->log, 1), KOSH_OK);
	return 0;
}
