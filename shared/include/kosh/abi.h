/* SPDX-License-Identifier: MIT */
/*
 * The Kosh system-call ABI, expanded from its tables: errors.def, objects.def,
 * rights.def and syscalls.def are the only place each error, object type, right
 * and system call is listed. Adding a call is one row there and one handler in
 * the kernel. Shared by the kernel, userspace and the host tests.
 */
#ifndef KOSH_ABI_H
#define KOSH_ABI_H

#include <stdint.h>

/* A handle: slot index (low 20 bits) plus a generation count (high 12 bits). */
typedef uint32_t kosh_handle_t;
#define KOSH_HANDLE_INVALID 0u
#define KOSH_HANDLE_SLOT_BITS 20
#define KOSH_HANDLE_SLOT(h) ((h) & ((1u << KOSH_HANDLE_SLOT_BITS) - 1))
#define KOSH_HANDLE_GEN(h) ((h) >> KOSH_HANDLE_SLOT_BITS)

/* An error: KOSH_OK (0) or a negative KOSH_E_*. */
typedef int32_t kosh_err_t;

enum kosh_error {
#define KOSH_ERROR(name, value, text) KOSH_E_##name = (value),
#include <kosh/errors.def>
#undef KOSH_ERROR
};
#define KOSH_OK KOSH_E_OK

enum kosh_obj_type {
#define KOSH_OBJECT(name, value, text) KOSH_OBJ_##name = (value),
#include <kosh/objects.def>
#undef KOSH_OBJECT
	KOSH_OBJ_COUNT
};

enum kosh_right {
#define KOSH_RIGHT(name, bit, text) KOSH_RIGHT_##name = 1u << (bit),
#include <kosh/rights.def>
#undef KOSH_RIGHT
	KOSH_RIGHTS_ALL = 0
#define KOSH_RIGHT(name, bit, text) | (1u << (bit))
#include <kosh/rights.def>
#undef KOSH_RIGHT
};

enum kosh_syscall {
#define KOSH_SYSCALL(number, name, args, object, right, text) KOSH_SYS_##name = (number),
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
};

/* How many rows syscalls.def has; numbers run 0 .. KOSH_SYSCALL_COUNT - 1 (abi.c checks). */
enum kosh_syscall_rows {
#define KOSH_SYSCALL(number, name, args, object, right, text) KOSH_SYSCALL_ROW_##name,
#include <kosh/syscalls.def>
#undef KOSH_SYSCALL
	KOSH_SYSCALL_COUNT
};

/*
 * Registers. A call's number and up to 7 arguments:
 *   x86-64:  number in rax; arguments in rdi rsi rdx r10 r8 r9 r12; `syscall`.
 *   AArch64: number in x8;  arguments in x0 .. x6;                   `svc #0`.
 * The result is in rax / x0: a kosh_err_t, or for calls that return a value (a
 * handle, a clock reading, a byte count) that value, which is never negative.
 * Calls with more results leave them in argument registers 1 .. 6 (rsi rdx r10
 * r8 r9 r12 / x1 .. x6). All other registers are kept, except rcx and r11 on
 * x86-64, which `syscall` itself overwrites.
 */
#define KOSH_SYSCALL_ARGS_MAX 7

/* Timeouts of blocking calls: relative nanoseconds. 0 never blocks. */
#define KOSH_TIMEOUT_NEVER UINT64_MAX

/*
 * IPC messages (DESIGN.md §5). A message is a tag, up to KOSH_MSG_WORDS_MAX
 * words and up to KOSH_MSG_CAPS_MAX capabilities. Words 0 .. 3 travel in
 * registers (arguments 2 .. 5 of endpoint_call / reply_recv, results 2 .. 5);
 * words 4 .. n-1 in the thread's IPC buffer at words[4 .. n-1]; capabilities as
 * handles in the IPC buffer's caps[], each copied, or moved when its bit in the
 * tag's move mask is set. The receiver finds the words and the new handles at the
 * same places in its own IPC buffer, and the badge of the sender's handle in
 * result 6.
 *
 * Tag: label (bits 32-63, the protocol's operation), words (bits 0-9), caps
 * (bits 12-14), move mask (bits 16-19).
 */
#define KOSH_MSG_WORDS_REG 4
#define KOSH_MSG_WORDS_MAX 512
#define KOSH_MSG_CAPS_MAX 4

static inline uint64_t kosh_msg_tag(uint32_t label, uint32_t words, uint32_t caps,
				    uint32_t move_mask)
{
	return (uint64_t)label << 32 | (move_mask & 0xfu) << 16 | (caps & 7u) << 12 |
	       (words & 0x3ffu);
}
#define KOSH_MSG_LABEL(tag) ((uint32_t)((tag) >> 32))
#define KOSH_MSG_WORDS(tag) ((uint32_t)(tag) & 0x3ffu)
#define KOSH_MSG_CAPS(tag) (((uint32_t)(tag) >> 12) & 7u)
#define KOSH_MSG_MOVE(tag) (((uint32_t)(tag) >> 16) & 0xfu)
#define KOSH_MSG_TAG_RESERVED 0xfff08c00u /* low-half bits that must be 0 */

/* The IPC buffer: registered per thread at thread_start; page-aligned. */
struct kosh_ipc_buffer {
	uint64_t words[KOSH_MSG_WORDS_MAX]; /* words[0 .. 3] are unused: they go in registers */
	kosh_handle_t caps[KOSH_MSG_CAPS_MAX];
	uint64_t user[15]; /* the runtime's own (thread pointer, …); the kernel never reads it */
};
#define KOSH_IPC_BUFFER_SIZE 8192u
_Static_assert(sizeof(struct kosh_ipc_buffer) <= KOSH_IPC_BUFFER_SIZE, "IPC buffer size");

/* Labels the kernel sends with. Protocol labels are below KOSH_LABEL_KERNEL. */
#define KOSH_LABEL_KERNEL 0xffff0000u
#define KOSH_LABEL_FAULT  0xffff0001u /* words: kind, address, pc, detail */
#define KOSH_LABEL_NOTIFY 0xffff0002u /* a bound notification: word 0 holds its bits */

/*
 * Faults, as the fault message's word 0 (and in an exit status). Replying to a
 * fault message with label 0 resumes the thread (after the supervisor fixed the
 * cause); any other label, or the fault endpoint's loss, kills the process.
 */
enum kosh_fault {
	KOSH_FAULT_PAGE = 1,        /* detail: KOSH_FAULT_WRITE / _EXEC / _PRESENT */
	KOSH_FAULT_UNDEFINED = 2,   /* an undefined or privileged instruction */
	KOSH_FAULT_ALIGNMENT = 3,
	KOSH_FAULT_BAD_SYSCALL = 4, /* detail: the number */
	KOSH_FAULT_ARITHMETIC = 5,  /* divide error, floating-point exception */
	KOSH_FAULT_PROTECTION = 6,  /* general protection (x86-64) */
	KOSH_FAULT_BREAKPOINT = 7,
	KOSH_FAULT_OTHER = 8,
};
#define KOSH_FAULT_WRITE   1u
#define KOSH_FAULT_EXEC    2u
#define KOSH_FAULT_PRESENT 4u

/*
 * A process's exit status: the low 32 bits of exit()'s argument, or, when the
 * kernel killed the process, KOSH_EXIT_FAULTED | the fault kind.
 */
#define KOSH_EXIT_FAULTED (1ull << 32)
#define KOSH_EXIT_KILLED  (2ull << 32) /* every thread exited or was stopped for good */

/* handle_info's result. */
struct kosh_handle_info {
	uint32_t type;   /* enum kosh_obj_type */
	uint32_t rights;
	uint64_t badge;
};

/* quota_info's result: bytes the quota may hold, and bytes charged to it (children's limits included). */
struct kosh_quota_info {
	uint64_t limit;
	uint64_t used;
};
_Static_assert(sizeof(struct kosh_quota_info) == 16, "kosh_quota_info size");

/*
 * process_info's result. state is KOSH_PROCESS_RUNNING, _EXITING (killed, its
 * threads stopping) or _EXITED; exit_status is final (and non-zero only) once
 * EXITED. threads counts the started threads not yet gone; cpu_ns is the CPU
 * time of all its threads, the exited ones included. name is the name given at
 * process_create, NUL-terminated.
 */
#define KOSH_PROCESS_RUNNING 0u
#define KOSH_PROCESS_EXITING 1u
#define KOSH_PROCESS_EXITED  2u
#define KOSH_PROCESS_NAME_MAX 32
struct kosh_process_info {
	uint64_t id;          /* the kernel's process id: increasing, never reused */
	uint32_t state;
	uint32_t threads;
	uint64_t cpu_ns;
	uint64_t exit_status; /* see KOSH_EXIT_FAULTED */
	uint64_t created_ns;  /* monotonic clock at process_create */
	char name[KOSH_PROCESS_NAME_MAX];
};
_Static_assert(sizeof(struct kosh_process_info) == 72, "kosh_process_info size");
_Static_assert(__builtin_offsetof(struct kosh_process_info, name) == 40, "kosh_process_info name");

/*
 * log_read's result: one kernel log record. text holds len bytes and a NUL;
 * the call copies the record up to and including that NUL.
 */
#define KOSH_LOG_TEXT_MAX 240
struct kosh_log_record {
	uint64_t seq;     /* its sequence number (a gap: records were overwritten) */
	uint64_t time_ns; /* monotonic clock when it was logged */
	uint32_t level;   /* 0 debug, 1 info, 2 warning, 3 error */
	uint32_t len;     /* bytes of text, without the NUL */
	char text[KOSH_LOG_TEXT_MAX];
};
_Static_assert(sizeof(struct kosh_log_record) == 264, "kosh_log_record size");
_Static_assert(__builtin_offsetof(struct kosh_log_record, text) == 24, "kosh_log_record text");

/* Scheduling priorities: 0 (lowest) .. 63 (highest). */
#define KOSH_PRIORITY_MAX 63
#define KOSH_PRIORITY_ROOT 48 /* the root task's; a thread may set at most its own */

/* space_map: rights of a mapping are KOSH_RIGHT_READ | _WRITE | _EXECUTE (never W+X). */
#define KOSH_MAP_RIGHTS (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_EXECUTE)

/* process_give flags: copy the handle (it needs KOSH_RIGHT_TRANSFER), or move it. */
#define KOSH_GIVE_MOVE 1u

/* frame_create flags. */
#define KOSH_FRAME_LOW32 1u /* below 4 GiB (for 32-bit DMA) */

/*
 * log_console's flags: bit 0 gives the console to the caller (1) or takes it
 * back (0); KOSH_LOG_CONSOLE_FRAMEBUFFER names the framebuffer rather than the
 * UART.
 */
#define KOSH_LOG_CONSOLE_GIVE	     0x1u
#define KOSH_LOG_CONSOLE_FRAMEBUFFER 0x100u

/* mmio_create's cache argument: how the device memory is mapped. */
#define KOSH_MMIO_UNCACHED 0u /* registers: uncached, strongly ordered (device) */
#define KOSH_MMIO_WC	   1u /* write-combining (framebuffers, prefetchable BARs) */

/*
 * irq_create_msi's result: what the driver writes into its device's MSI or
 * MSI-X entry so that the device's message raises the interrupt (x86-64: a
 * local APIC vector; AArch64: an SPI through a GICv2m frame).
 */
struct kosh_msi {
	uint64_t address;
	uint32_t data;
	uint32_t irq; /* the kernel's interrupt number, for logs */
};
_Static_assert(sizeof(struct kosh_msi) == 16, "kosh_msi size");

/* English text of an error ("no such handle …"), "unknown error" otherwise. */
const char *kosh_strerror(kosh_err_t err);

/* The name of a system call ("endpoint_call"), an object type, or NULL if none. */
const char *kosh_syscall_name(uint32_t number);
const char *kosh_object_name(uint32_t type);

/* Argument count of a system call, or -1 if there is none with that number. */
int kosh_syscall_args(uint32_t number);

#endif
