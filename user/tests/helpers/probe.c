/* SPDX-License-Identifier: MIT */
/*
 * bin/tests/helpers/probe: a child process the tests drive (not a test
 * itself). argv[1] says what to do; with a notification handle "go" it first
 * waits for it (so the parent can set a fault endpoint on its thread):
 *   fault modes (FLT0002): null-read, ro-write, exec-nx, undefined, misaligned,
 *     bad-syscall, breakpoint, ioport, privileged, divide —
 *     each must stop the process; if it does not, the helper exits 77.
 *   read <hex address>, write <hex address> (ISO0001): the same, for an address
 *     the parent names.
 *   steal <hex handle> <hex magic> (ISO0001): a handle value of the parent's
 *     means nothing here; exit 0 unless it maps a frame holding magic (3).
 *   server-die (IPC0004): receive one call on "ep", exit without replying.
 *   server <n> (IPC0005): answer n calls on "ep" (words + 1, label + 1), exit 0.
 * Spawned under a name starting with "expected-fault" when it is meant to die.
 */
#include <stdint.h>

#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/page.h>
#include <kosh/runtime.h>
#include <kosh/string.h>
#include <kosh/syscall.h>

#include <arch/test_faults.h>

#define SURVIVED      77
#define NOT_SUPPORTED 78
#define STOLEN        3

static const uint64_t constant = 0x1234;
static uint8_t data_code[64] __attribute__((aligned(64)));

static uint64_t hex(const char *s)
{
	uint64_t v = 0;
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s && *s; s++) {
		char c = *s;
		uint64_t d = c >= '0' && c <= '9' ? (uint64_t)(c - '0') :
			     c >= 'a' && c <= 'f' ? (uint64_t)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (uint64_t)(c - 'A' + 10) : 0;
		v = v << 4 | d;
	}
	return v;
}

/*
 * The faults that need an instruction of their own, from the port
 * (<arch/test_faults.h>): SURVIVED if it came back, NOT_SUPPORTED if this
 * architecture has no such fault, -1 for a mode nobody knows.
 */
static int arch_fault(const char *mode)
{
	for (unsigned i = 0; i < ARCH_TEST_FAULT_COUNT; i++) {
		const struct arch_test_fault *f = &arch_test_faults[i];
		if (strcmp(mode, f->mode) != 0)
			continue;
		if (!f->provoke)
			return NOT_SUPPORTED;
		f->provoke();
		return SURVIVED;
	}
	return -1;
}

static int fault(const char *mode)
{
	volatile uint64_t *volatile null = 0;
	if (strcmp(mode, "null-read") == 0) {
		uint64_t v = *null;
		kosh_printf("# read 0x%llx through NULL", (unsigned long long)v);
	} else if (strcmp(mode, "ro-write") == 0) {
		*(volatile uint64_t *)&constant = 0x5678;
	} else if (strcmp(mode, "exec-nx") == 0) {
		void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;
		fn();
	} else if (strcmp(mode, "bad-syscall") == 0) {
		uint64_t r[KOSH_SYSCALL_ARGS_MAX] = { 0 };
		kosh_syscall(0x7777, r);
	} else {
		int r = arch_fault(mode);
		if (r == NOT_SUPPORTED)
			return r;
		if (r < 0) {
			kosh_printf("# unknown mode '%s'", mode);
			return 2;
		}
	}
	kosh_printf("# %s did not stop the process", mode);
	return SURVIVED;
}

static int steal(uint64_t h, uint64_t magic)
{
	struct kosh_handle_info info;
	if (kosh_info((kosh_handle_t)h, &info) != KOSH_OK || info.type != KOSH_OBJ_FRAME)
		return 0; /* nothing of that number here, or not a frame */
	kosh_err_t err;
	volatile uint64_t *p = kosh_frame_map((kosh_handle_t)h, 0, KOSH_PAGE_SIZE, KOSH_RIGHT_READ,
					      &err);
	if (p && *p == magic) {
		kosh_printf("# handle 0x%llx maps the parent's page", (unsigned long long)h);
		return STOLEN;
	}
	return 0;
}

static int serve(kosh_handle_t ep, uint64_t n)
{
	struct kosh_msg m, reply;
	uint64_t badge;
	if (kosh_recv(ep, &m, &badge, 10 * 1000000000ull) != KOSH_OK)
		return 4;
	for (uint64_t i = 0;; i++) {
		reply = (struct kosh_msg){ kosh_msg_tag(KOSH_MSG_LABEL(m.tag) + 1, 4, 0, 0),
					   { m.words[0] + 1, m.words[1] + 1, m.words[2] + 1,
					     m.words[3] + 1 } };
		if (i + 1 == n)
			return kosh_reply_recv(ep, &reply, &m, &badge, 0) == KOSH_E_TIMED_OUT ? 0 : 5;
		if (kosh_reply_recv(ep, &reply, &m, &badge, 10 * 1000000000ull) != KOSH_OK)
			return 6;
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	kosh_handle_t go = kosh_start_handle("go", NULL);
	uint64_t bits;
	if (go && kosh_notify_wait(go, 10 * 1000000000ull, &bits) != KOSH_OK)
		return 9;
	if (strcmp(mode, "read") == 0 && argc > 2) {
		uint64_t v = *(volatile uint64_t *)(uintptr_t)hex(argv[2]);
		kosh_printf("# read 0x%llx at %s", (unsigned long long)v, argv[2]);
		return SURVIVED;
	}
	if (strcmp(mode, "write") == 0 && argc > 2) {
		*(volatile uint64_t *)(uintptr_t)hex(argv[2]) = 0xbad;
		kosh_printf("# wrote at %s", argv[2]);
		return SURVIVED;
	}
	if (strcmp(mode, "steal") == 0 && argc > 3)
		return steal(hex(argv[2]), hex(argv[3]));
	if (strcmp(mode, "server-die") == 0) {
		struct kosh_msg m;
		uint64_t badge;
		if (kosh_recv(kosh_start_handle("ep", NULL), &m, &badge, 10 * 1000000000ull))
			return 4;
		return 0; /* exit owing the reply */
	}
	if (strcmp(mode, "server") == 0 && argc > 2)
		return serve(kosh_start_handle("ep", NULL), hex(argv[2]));
	return fault(mode);
}
