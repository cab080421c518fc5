/* SPDX-License-Identifier: MIT */
/*
 * Hardware authority for drivers: the IRQ-control and I/O-port-control
 * capabilities the root task starts with, and what is derived from them:
 * interrupt lines bound to notifications, and I/O-port ranges.
 *
 * An interrupt line is routed to the boot CPU and masked after every arrival;
 * the handler (interrupt context, no lock) marks it pending and leaves the
 * delivery — a signal of the bound notification — to the scheduler's work,
 * under the big lock. The driver's irq_ack unmasks it, so a level-triggered
 * device cannot storm before the driver has served it. A line belongs to one
 * IRQ object at a time; its destruction masks the line again.
 *
 * A message-signalled interrupt (irq_create_msi) is an IRQ object too, on a
 * vector (x86-64) or GICv2m SPI (AArch64) of its own that the architecture
 * allocates: edge-triggered, so it is never masked; each arrival signals the
 * bits, and irq_ack on it succeeds and changes nothing. Its destruction gives
 * the vector or SPI back.
 *
 * An I/O-port range opens its ports to every thread of the process that
 * enables it, through the x86-64 TSS I/O bitmap (the process's bitmap is
 * copied in when one of its threads is switched to).
 */
#include "arch.h"
#include "cpu.h"
#include "ipc.h"
#include "irq.h"
#include "kheap.h"
#include "process.h"
#include "quota.h"
#include "sched.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"

#include <kosh/string.h>

#include "sys_irq.h"

struct ioport_range {
	struct kobject obj; /* KOSH_OBJ_IOPORT */
	uint32_t base, count;
	struct quota *quota;
};

static struct kobject irq_control = { .type = KOSH_OBJ_IRQ_CONTROL, .refs = 1 };
static struct kobject ioport_control = { .type = KOSH_OBJ_IOPORT_CONTROL, .refs = 1 };

struct kobject *irq_control_object(void)
{
	kobject_get(&irq_control);
	return &irq_control;
}

struct kobject *ioport_control_object(void)
{
	if (!arch_has_ioports())
		return NULL;
	kobject_get(&ioport_control);
	return &ioport_control;
}

#define IRQ_LINES_MAX 64 /* lines bound at once */

struct irq_line {
	struct kobject obj; /* KOSH_OBJ_IRQ */
	uint32_t line;      /* the platform's number (arch_irq_line_route) */
	uint32_t slot;      /* index in lines[] and bit in pending */
	uint32_t irq;       /* what irq_handle() is called with */
	struct notification *ntf; /* a reference */
	uint64_t bits;
	struct quota *quota;
	uint8_t msi;        /* a message-signalled interrupt: line is unused */
};

static struct irq_line *lines[IRQ_LINES_MAX];
/* What the interrupt handler reads: never freed, so a late interrupt is harmless. */
static uint32_t slot_line[IRQ_LINES_MAX];
static uint64_t pending; /* bit per slot, set from interrupt context */

static void irq_arrived(uint32_t irq, void *ctx)
{
	uint32_t slot = (uint32_t)(uintptr_t)ctx;
	arch_irq_line_mask(slot_line[slot], 1);
	__atomic_fetch_or(&pending, 1ull << slot, __ATOMIC_RELEASE);
	sched_post_work(SCHED_WORK_IRQ);
}

/* An MSI is edge-triggered: nothing to mask, every arrival is one more signal. */
static void msi_arrived(uint32_t irq, void *ctx)
{
	uint32_t slot = (uint32_t)(uintptr_t)ctx;
	__atomic_fetch_or(&pending, 1ull << slot, __ATOMIC_RELEASE);
	sched_post_work(SCHED_WORK_IRQ);
}

void irqobj_deliver_pending(void)
{
	uint64_t bits = __atomic_exchange_n(&pending, 0, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; bits; i++, bits >>= 1)
		if ((bits & 1) && lines[i])
			notification_signal(lines[i]->ntf, lines[i]->bits);
}

static void irq_line_release(struct kobject *o)
{
	struct irq_line *l = (struct irq_line *)o;
	if (lines[l->slot] == l) { /* else it never got its line or vector */
		if (!l->msi)
			arch_irq_line_mask(l->line, 1);
		irq_register(l->irq, NULL, NULL);
		if (l->msi) /* after the handler is gone: the next owner's arrivals are its own */
			arch_msi_free(l->irq);
		lines[l->slot] = NULL;
	}
	kobject_put(&l->ntf->obj);
	struct quota *q = l->quota;
	kfree(l);
	quota_uncharge(q, sizeof(*l));
	kobject_put(&q->obj);
}

/* A free slot for line, or -1 (KOSH_E_BUSY when the line is taken, else no slots). */
static int find_slot(uint32_t line, kosh_err_t *why)
{
	int free_slot = -1;
	for (int i = 0; i < IRQ_LINES_MAX; i++) {
		if (lines[i] && !lines[i]->msi && lines[i]->line == line) {
			*why = KOSH_E_BUSY;
			return -1;
		}
		if (!lines[i] && free_slot < 0)
			free_slot = i;
	}
	*why = KOSH_E_NO_SLOTS;
	return free_slot;
}

/* A new IRQ object in slot for n and bits, charged to self's quota; NULL if out of memory. */
static struct irq_line *line_new(struct thread *self, int slot, struct notification *n,
				 uint64_t bits)
{
	struct quota *q = self->proc->quota;
	if (quota_charge(q, sizeof(struct irq_line)))
		return NULL;
	struct irq_line *l = kzalloc(sizeof(*l));
	if (!l) {
		quota_uncharge(q, sizeof(*l));
		return NULL;
	}
	kobject_init(&l->obj, KOSH_OBJ_IRQ, irq_line_release);
	l->slot = (uint32_t)slot;
	l->ntf = n;
	kobject_get(&n->obj);
	l->bits = bits;
	l->quota = q;
	kobject_get(&q->obj);
	return l;
}

static kosh_err_t bind_line(struct thread *self, uint32_t line, struct notification *n,
			    uint64_t bits, struct irq_line **out)
{
	kosh_err_t e;
	int slot = find_slot(line, &e);
	if (slot < 0)
		return e;
	int irq = arch_irq_line_route(line, &cpus[0]);
	if (irq < 0)
		return KOSH_E_NOT_FOUND;
	struct irq_line *l = line_new(self, slot, n, bits);
	if (!l)
		return KOSH_E_NO_MEMORY;
	l->line = line;
	l->irq = (uint32_t)irq;
	lines[slot] = l;
	slot_line[slot] = line;
	if (irq_register((uint32_t)irq, irq_arrived, (void *)(uintptr_t)slot)) {
		kobject_put(&l->obj);
		return KOSH_E_NOT_FOUND;
	}
	arch_irq_line_mask(line, 0);
	*out = l;
	return KOSH_OK;
}

int64_t sys_irq_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *ctl, *n;
	struct irq_line *l;
	if (r[1] > UINT32_MAX)
		return KOSH_E_OUT_OF_RANGE;
	if (!r[3])
		return KOSH_E_INVALID_ARGUMENT;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_IRQ_CONTROL, KOSH_RIGHT_MANAGE, &ctl, NULL);
	if (e)
		return e;
	kobject_put(ctl);
	e = sys_get(self, r[2], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_SIGNAL, &n, NULL);
	if (e)
		return e;
	e = bind_line(self, (uint32_t)r[1], (struct notification *)n, r[3], &l);
	kobject_put(n);
	return e ? e : sys_insert(self, &l->obj,
				  KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE, 0);
}

/* A message-signalled interrupt for n and bits, delivered to the boot CPU; *msi says how. */
static kosh_err_t bind_msi(struct thread *self, struct notification *n, uint64_t bits,
			   struct kosh_msi *msi, struct irq_line **out)
{
	int slot = -1;
	for (int i = 0; i < IRQ_LINES_MAX && slot < 0; i++)
		if (!lines[i])
			slot = i;
	if (slot < 0)
		return KOSH_E_NO_SLOTS;
	struct irq_line *l = line_new(self, slot, n, bits);
	if (!l)
		return KOSH_E_NO_MEMORY;
	int irq = arch_msi_alloc(&cpus[0], &msi->address, &msi->data);
	if (irq < 0) {
		kobject_put(&l->obj); /* not in lines[]: nothing to give back */
		return (kosh_err_t)irq;
	}
	l->msi = 1;
	l->irq = msi->irq = (uint32_t)irq;
	l->line = UINT32_MAX;
	lines[slot] = l;
	if (irq_register((uint32_t)irq, msi_arrived, (void *)(uintptr_t)slot)) {
		kobject_put(&l->obj);
		return KOSH_E_NOT_SUPPORTED;
	}
	*out = l;
	return KOSH_OK;
}

/*
 * irq_create_msi(irq_control, notification, bits, struct kosh_msi *out) -> IRQ
 * handle. The message is copied out before the handle is published; a bad
 * pointer undoes everything (the vector or SPI is free again).
 */
int64_t sys_irq_create_msi(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *ctl, *n;
	struct irq_line *l;
	struct kosh_msi msi = { 0 };
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_IRQ_CONTROL, KOSH_RIGHT_MANAGE, &ctl, NULL);
	if (e)
		return e;
	kobject_put(ctl);
	if (!r[2])
		return KOSH_E_INVALID_ARGUMENT;
	e = sys_get(self, r[1], KOSH_OBJ_NOTIFICATION, KOSH_RIGHT_SIGNAL, &n, NULL);
	if (e)
		return e;
	e = bind_msi(self, (struct notification *)n, r[2], &msi, &l);
	kobject_put(n);
	if (e)
		return e;
	e = copy_to_user(user_ptr(r[3]), &msi, sizeof(msi));
	if (e) {
		kobject_put(&l->obj);
		return e;
	}
	return sys_insert(self, &l->obj, KOSH_RIGHT_SIGNAL | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE,
			  0);
}

int64_t sys_irq_ack(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_IRQ, KOSH_RIGHT_SIGNAL, &o, NULL);
	if (e)
		return e;
	struct irq_line *l = (struct irq_line *)o;
	if (!l->msi) /* an MSI is never masked: nothing to do */
		arch_irq_line_mask(l->line, 0);
	kobject_put(o);
	return KOSH_OK;
}

static void ioport_release(struct kobject *o)
{
	struct ioport_range *io = (struct ioport_range *)o;
	struct quota *q = io->quota;
	kfree(io);
	quota_uncharge(q, sizeof(*io));
	kobject_put(&q->obj);
}

int64_t sys_ioport_create(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	if (!r[2] || r[1] > 0xffff || r[2] > 0x10000 - r[1])
		return KOSH_E_OUT_OF_RANGE;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_IOPORT_CONTROL, KOSH_RIGHT_MANAGE, &o, NULL);
	if (e)
		return e;
	kobject_put(o);
	struct quota *q = self->proc->quota;
	if (quota_charge(q, sizeof(struct ioport_range)))
		return KOSH_E_NO_MEMORY;
	struct ioport_range *io = kzalloc(sizeof(*io));
	if (!io) {
		quota_uncharge(q, sizeof(*io));
		return KOSH_E_NO_MEMORY;
	}
	kobject_init(&io->obj, KOSH_OBJ_IOPORT, ioport_release);
	io->base = (uint32_t)r[1];
	io->count = (uint32_t)r[2];
	io->quota = q;
	kobject_get(&q->obj);
	return sys_insert(self, &io->obj,
			  KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER |
				  KOSH_RIGHT_DUPLICATE,
			  0);
}

int64_t sys_ioport_enable(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])
{
	struct kobject *o;
	kosh_err_t e = sys_get(self, r[0], KOSH_OBJ_IOPORT, KOSH_RIGHT_WRITE, &o, NULL);
	if (e)
		return e;
	struct ioport_range *io = (struct ioport_range *)o;
	struct process *p = self->proc;
	if (!arch_has_ioports())
		e = KOSH_E_NOT_SUPPORTED;
	else if (!p->ioport_bitmap)
		e = process_ioport_bitmap(p);
	if (!e)
		(void)arch_ioport_bitmap_set(p->ioport_bitmap, io->base, io->count, 1);
	kobject_put(o);
	return e;
}
