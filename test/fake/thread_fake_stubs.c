/* SPDX-License-Identifier: MIT */
/*
 * For the host tests of threads and IPC (test/unit/kernel_threads.cmake): the
 * system-call handlers of the parts those tests do not link (memory objects,
 * interrupts and I/O ports, the log), which the generated dispatch table
 * (kernel/syscall.c) still names, answer KOSH_E_NOT_SUPPORTED; no interrupt
 * line is ever pending. And strlcpy, which the host C library may lack.
 */
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "sys_irq.h"
#include "syscall.h"

#define NOT_HERE(name)                                                                             \
	int64_t sys_##name(struct thread *self, uint64_t r[KOSH_SYSCALL_ARGS_MAX])                 \
	{                                                                                          \
		return KOSH_E_NOT_SUPPORTED;                                                       \
	}

NOT_HERE(frame_create)
NOT_HERE(space_create)
NOT_HERE(space_map)
NOT_HERE(space_unmap)
NOT_HERE(space_protect)
NOT_HERE(irq_create)
NOT_HERE(irq_ack)
NOT_HERE(ioport_create)
NOT_HERE(ioport_enable)
NOT_HERE(log_read)
NOT_HERE(log_write)
NOT_HERE(log_console)
NOT_HERE(debug_print)
NOT_HERE(frame_phys)
NOT_HERE(mmio_create)
NOT_HERE(irq_create_msi)

void irqobj_deliver_pending(void) {}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = 0;
	while (src[n])
		n++;
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		for (size_t i = 0; i < k; i++)
			dst[i] = src[i];
		dst[k] = 0;
	}
	return n;
}
