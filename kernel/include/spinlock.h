/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks: FIFO-fair, one cache line of state, portable C on the
 * compiler's atomics. The _irqsave variants mask interrupts on this CPU for as
 * long as the lock is held, so a lock taken from an interrupt handler cannot
 * deadlock against the code it interrupted.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>

#include "arch.h"

struct spinlock {
	uint32_t next;    /* ticket handed to the next arrival */
	uint32_t serving; /* ticket now holding the lock */
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != me)
		arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

/* 1 if the lock was free and is now ours. */
static inline int spin_trylock(struct spinlock *l)
{
	uint32_t s = __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
	uint32_t expected = s;
	return __atomic_compare_exchange_n(&l->next, &expected, s + 1, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline int spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = arch_irq_save();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

#endif
