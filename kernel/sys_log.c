/* SPDX-License-Identifier: MIT */
/*
 * System calls on the kernel log (syscalls.def rows 34-36 and 46) and the log
 * object (see sys_log.h). A line from userspace is at most KOSH_LOG_TEXT_MAX
 * bytes, copied in with copy_from_user, every byte that is not printable ASCII
 * replaced by '?' (so no process can forge a line or drive a terminal), and
 * logged at info level as "<process name>: <text>". Under the big kernel lock.
 *
 * log_console hands the UART to the calling process (the console driver): log
 * lines stop going to the UART for as long as that process lives, so a driver
 * that dies — before its restart silences the kernel again — never leaves the
 * machine mute, and its death is reported on the UART. The framebuffer is
 * handed over the same way (LOG_CONSOLE_FRAMEBUFFER, to sbin/fbcon), each of
 * the two to its own holder.
 */
#include "sys_log.h"

#include "cap.h"
#include "fbcon.h"
#include "klog.h"
#include "process.h"
#include "spinlock.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"

#include <kosh/string.h>

#ifdef KOSH_DEBUG
#include "console.h"
#endif

/* One reference is the kernel's own and is never dropped: the object is never released. */
static struct kobject log_obj = { .type = KOSH_OBJ_LOG, .refs = 1 };

struct kobject *log_object(void)
{
	kobject_get(&log_obj);
	return &log_obj;
}

/* Replace what is not printable ASCII; a trailing newline is dropped. The new length. */
static size_t sanitize(char *text, size_t len)
{
	if (len && text[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			text[i] = '?';
	return len;
}

/* log_write(log, buf, len) */
int64_t sys_log_write(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	char text[KOSH_LOG_TEXT_MAX + 1], name[sizeof(self->proc->name) + 1];
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_LOG, KOSH_RIGHT_WRITE, &o, NULL);
	if (err)
		return err;
	kobject_put(o); /* the log object is never released */
	if (r[2] > KOSH_LOG_TEXT_MAX)
		return KOSH_E_TOO_BIG;
	err = copy_from_user(text, user_ptr(r[1]), r[2]);
	if (err)
		return err;
	text[sanitize(text, r[2])] = 0;
	memcpy(name, self->proc->name, sizeof(self->proc->name));
	name[sizeof(self->proc->name)] = 0; /* the formatter has no precision */
	klog_info("%s: %s", name, text);
	return KOSH_OK;
}

/*
 * log_console's flags (<kosh/abi.h>): bit 0 gives (1) or takes back (0);
 * KOSH_LOG_CONSOLE_FRAMEBUFFER names the framebuffer instead of the UART. Flags
 * 0 and 1 are the UART's, as they always were.
 */
#define LOG_CONSOLE_GIVE	KOSH_LOG_CONSOLE_GIVE
#define LOG_CONSOLE_FRAMEBUFFER KOSH_LOG_CONSOLE_FRAMEBUFFER

/* A kernel console a process may hold: the UART or the framebuffer. */
struct console_holder {
	const char *what;
	struct process *proc; /* a reference, or NULL */
};

/*
 * The lock keeps a console write from looking at a holder that log_console is
 * letting go.
 */
static struct console_holder uart_holder = { "the UART", NULL };
static struct console_holder fb_holder = { "the framebuffer", NULL };
static struct spinlock holder_lock = SPINLOCK_INIT;

static int held(const struct console_holder *h)
{
	uint64_t flags = spin_lock_irqsave(&holder_lock);
	const struct process *p = h->proc;
	int given = p && __atomic_load_n(&p->state, __ATOMIC_RELAXED) == PROCESS_ALIVE;
	spin_unlock_irqrestore(&holder_lock, flags);
	return given;
}

int log_uart_given(void)
{
	return held(&uart_holder);
}

/* 1 while a live process holds the framebuffer: kernel/fbcon.c asks before drawing. */
static int log_fb_given(void)
{
	return held(&fb_holder);
}

/* now (a process or NULL) holds h from here on. */
static void hand_over(struct console_holder *h, struct process *now)
{
	if (now && now != h->proc)
		klog_info("kosh: %s is given to %s; the log keeps every line", h->what, now->name);
	if (now)
		kobject_get(&now->obj);
	uint64_t flags = spin_lock_irqsave(&holder_lock);
	struct process *old = h->proc;
	h->proc = now;
	spin_unlock_irqrestore(&holder_lock, flags);
	if (old && !now)
		klog_info("kosh: %s is back from %s", h->what, old->name);
	if (old)
		kobject_put(&old->obj); /* no console write looks at it any more */
}

/*
 * log_console(log, flags): 1 gives the UART to the calling process, 0 takes it
 * back; 0x101 and 0x100 do the same with the framebuffer.
 */
int64_t sys_log_console(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_LOG, KOSH_RIGHT_MANAGE, &o, NULL);
	if (err)
		return err;
	kobject_put(o);
	if (r[1] & ~(uint64_t)(LOG_CONSOLE_GIVE | LOG_CONSOLE_FRAMEBUFFER))
		return KOSH_E_INVALID_ARGUMENT;
	struct process *now = r[1] & LOG_CONSOLE_GIVE ? self->proc : NULL;
	if (r[1] & LOG_CONSOLE_FRAMEBUFFER) {
		fbcon_set_given(log_fb_given); /* the same every time: idempotent */
		hand_over(&fb_holder, now);
	} else {
		hand_over(&uart_holder, now);
	}
	return KOSH_OK;
}

/* The user-visible form of r. */
static size_t record_from(struct kosh_log_record *out, const struct klog_record *r)
{
	memset(out, 0, sizeof(*out));
	out->seq = r->seq;
	out->time_ns = r->time_ns;
	out->level = r->level;
	while (out->len < sizeof(out->text) - 1 && r->text[out->len])
		out->len++;
	memcpy(out->text, r->text, out->len);
	return offsetof(struct kosh_log_record, text) + out->len + 1;
}

/* log_read(log, seq, buf, len) -> bytes copied, r[1] = next seq */
int64_t sys_log_read(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	struct klog_record kr;
	struct kosh_log_record rec;
	kosh_err_t err = sys_get(self, r[0], KOSH_OBJ_LOG, KOSH_RIGHT_READ, &o, NULL);
	if (err)
		return err;
	kobject_put(o);
	if (r[3] < sizeof(rec))
		return KOSH_E_INVALID_ARGUMENT;
	if (!klog_read(r[1], &kr))
		return KOSH_E_WOULD_BLOCK;
	size_t size = record_from(&rec, &kr);
	err = copy_to_user(user_ptr(r[2]), &rec, size);
	if (err)
		return err;
	r[1] = kr.seq + 1;
	return (int64_t)size;
}

/* debug_print(buf, len): debug builds only */
int64_t sys_debug_print(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
#ifdef KOSH_DEBUG
	char text[256];
	if (r[1] > sizeof(text))
		return KOSH_E_TOO_BIG;
	kosh_err_t err = copy_from_user(text, user_ptr(r[0]), r[1]);
	if (err)
		return err;
	console_write(text, r[1]);
	return KOSH_OK;
#else
	return KOSH_E_NOT_SUPPORTED;
#endif
}
