/* SPDX-License-Identifier: MIT */
/*
 * The kernel log as a capability object (KOSH_OBJ_LOG): one object, never
 * destroyed. A handle with KOSH_RIGHT_WRITE adds lines (log_write), one with
 * KOSH_RIGHT_READ reads records by sequence number (log_read), one with
 * KOSH_RIGHT_MANAGE hands the UART to a userspace driver (log_console).
 */
#ifndef KERNEL_SYS_LOG_H
#define KERNEL_SYS_LOG_H

struct kobject;

/* The log object, with a new reference for the caller (the root task's handle). */
struct kobject *log_object(void);

/*
 * 1 while a live process holds the UART (log_console): the console's question
 * before each write to it (console_set_uart_given). Safe from any context.
 */
int log_uart_given(void);

#endif
