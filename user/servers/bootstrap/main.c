/* SPDX-License-Identifier: MIT */
/*
 * bootstrap: the root task. The kernel starts it out of the initfs with every
 * authority there is (<kosh/rootinfo.h>). For now it checks what the kernel
 * handed it, says so in one line, and, when the command line has the word
 * kosh.test, runs the in-OS test suite: every program under bin/tests/ of the
 * initfs, in name order, each as its own process with a log handle, a quota of
 * its own and a read-only view of the initfs, reported as TAP. It then exits
 * 0 if everything passed, else 1; the kernel logs the status and powers off.
 * With kosh.bench instead it runs bin/bench, the benchmarks (scripts/bench.sh).
 *
 * Otherwise it serves initfs:// from the archive on a thread of its own
 * (serve.c), starts init with its share of the authority (start.c), and waits:
 * should init ever end, bootstrap logs why and exits with 1, and the kernel
 * powers the machine off (the system without init is not supervised any more).
 */
#include <stddef.h>
#include <stdint.h>

#include <kosh/abi.h>
#include <kosh/fmt.h>
#include <kosh/ipc.h>
#include <kosh/log.h>
#include <kosh/memmap.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/string.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include <arch/user.h>

#include "bootstrap.h"

#define TEST_DIR        "bin/tests/"
#define TESTS_MAX       128
#define TEST_PATH_MAX   96
#define TEST_QUOTA      (16ull << 20)
#define TEST_TIMEOUT_NS (20ull * 1000000000ull)
#define BENCH_PATH      "bin/bench"
#define BENCH_TIMEOUT_NS (600ull * 1000000000ull)

struct test {
	char path[TEST_PATH_MAX]; /* "bin/tests/SYS0001-null-call" */
	const uint8_t *image;
	uint64_t size;
};

/* What every test is given besides its own process, space and thread. */
struct suite {
	const struct kosh_root_info *info;
	kosh_handle_t initfs;  /* the initfs frame (0: none to give) */
	uint32_t passed;
};

static struct test tests[TESTS_MAX];

/* 1 if word is one of the space-separated words of the command line. */
static int has_word(const char *cmdline, size_t max, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < max && cmdline[i];) {
		size_t len = 0;
		while (i + len < max && cmdline[i + len] && cmdline[i + len] != ' ')
			len++;
		if (len == n && memcmp(cmdline + i, word, n) == 0)
			return 1;
		i += len ? len : 1;
	}
	return 0;
}

static int check_root_info(const struct kosh_root_info *info)
{
	if (info->version != KOSH_ROOT_INFO_VERSION) {
		kosh_printf("refusing the root info: version %u, expected %u", info->version,
			    KOSH_ROOT_INFO_VERSION);
		return -1;
	}
	if (info->arch != ARCH_USER_KOSH_ARCH) {
		kosh_printf("refusing the root info: it is for %s, bootstrap for %s",
			    kosh_arch_name(info->arch), ARCH_USER_NAME);
		return -1;
	}
	if (info->frame_count > KOSH_ROOT_FRAMES_MAX || info->cmdline[sizeof(info->cmdline) - 1]) {
		kosh_printf("refusing the root info: %u frames, or an unterminated command line",
			    info->frame_count);
		return -1;
	}
	return 0;
}

static void banner(const struct kosh_root_info *info)
{
	kosh_printf("Kosh %s root task on %s, %u CPU%s, %llu MiB, initfs %llu KiB, %u frame%s",
		    KOSH_VERSION, kosh_arch_name(info->arch), info->cpu_count,
		    info->cpu_count == 1 ? "" : "s", (unsigned long long)(info->memory_bytes >> 20),
		    (unsigned long long)((info->initfs_size + 1023) >> 10), info->frame_count,
		    info->frame_count == 1 ? "" : "s");
}

static int has_slash(const char *s)
{
	for (; *s; s++)
		if (*s == '/')
			return 1;
	return 0;
}

/* Regular files directly in bin/tests/ (not in its subfolders), sorted by name. */
static uint32_t find_tests(const void *archive, uint64_t size)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	uint32_t n = 0;
	size_t dir = strlen(TEST_DIR);
	kosh_tar_iter_init(&it, archive, size);
	while (kosh_tar_next(&it, &e) == 1 && n < TESTS_MAX) {
		const char *name = e.name + (strncmp(e.name, "./", 2) == 0 ? 2 : 0);
		size_t len = strlen(name);
		if (e.type != '0' || len <= dir || len >= TEST_PATH_MAX ||
		    strncmp(name, TEST_DIR, dir) != 0 || has_slash(name + dir))
			continue;
		struct test t = { .image = e.data, .size = e.size };
		memcpy(t.path, name, len + 1);
		uint32_t i = n++;
		for (; i > 0 && strcmp(tests[i - 1].path, t.path) > 0; i--)
			tests[i] = tests[i - 1];
		tests[i] = t;
	}
	return n;
}

/* "SYS0001-null-call" -> id "SYS0001", what "null-call" (the part after the first '-'). */
static void split_name(const char *file, char *id, size_t id_size, const char **what)
{
	size_t n = 0;
	while (file[n] && file[n] != '-' && n + 1 < id_size) {
		id[n] = file[n];
		n++;
	}
	id[n] = '\0';
	*what = file[n] == '-' ? file + n + 1 : file + n;
}

/* Why a test failed, from its exit status. */
static void describe(uint64_t status, char *buf, size_t size)
{
	if (status & KOSH_EXIT_FAULTED)
		kosh_snprintf(buf, size, "faulted: %s", kosh_fault_name(status & 0xffffffffu));
	else if (status & KOSH_EXIT_KILLED)
		kosh_snprintf(buf, size, "ended without exit (every thread stopped)");
	else
		kosh_snprintf(buf, size, "exit status %llu", (unsigned long long)status);
}

/* The initfs frame the kernel gave us, or 0. */
static kosh_handle_t initfs_frame(const struct kosh_root_info *info)
{
	for (uint32_t i = 0; i < info->frame_count; i++)
		if (info->frames[i].kind == KOSH_ROOT_FRAME_INITFS)
			return info->frames[i].handle;
	return 0;
}

/*
 * The machine's hardware authority, for the tests that drive a device
 * (IRQ0001, MSI0001): copies of the IRQ-control, I/O-port-control (x86-64
 * only) and MMIO-control handles and of the MMIO frames the kernel listed,
 * each named "mmio<i>" with its physical base as the value. Returns how many
 * were added.
 */
static uint32_t give_hardware(const struct kosh_root_info *info, struct kosh_spawn_handle *give,
			      uint32_t room)
{
	static char names[KOSH_SPAWN_HANDLES_MAX][KOSH_START_NAME_MAX];
	uint32_t n = 0, mmio = 0;
	if (info->irq_control && n < room)
		give[n++] = (struct kosh_spawn_handle){ "irq_control", info->irq_control, 0, 0 };
	if (info->ioport_control && n < room)
		give[n++] = (struct kosh_spawn_handle){ "ioport_control", info->ioport_control, 0,
							0 };
	if (info->mmio_control && n < room)
		give[n++] = (struct kosh_spawn_handle){ "mmio_control", info->mmio_control, 0, 0 };
	for (uint32_t i = 0; i < info->frame_count && n < room; i++) {
		if (info->frames[i].kind != KOSH_ROOT_FRAME_MMIO)
			continue;
		kosh_snprintf(names[mmio], sizeof(names[mmio]), "mmio%u", mmio);
		give[n++] = (struct kosh_spawn_handle){ names[mmio], info->frames[i].handle, 0,
							info->frames[i].phys };
		mmio++;
	}
	return n;
}

/*
 * Start test t with its own quota (moved to it), a copy of our log handle, a
 * read-only handle to the initfs frame, a copy of the root info without frames
 * ("rootinfo") and the hardware handles
 * (give_hardware); wait for it. KOSH_OK and *status, or the error that kept it
 * from running or ending (KOSH_E_TIMED_OUT).
 */
static kosh_err_t run_program(const struct suite *suite, const struct test *t, const char *file,
			      uint64_t timeout_ns, uint64_t *status)
{
	const struct kosh_self *self = kosh_self();
	struct kosh_spawn_handle give[KOSH_SPAWN_HANDLES_MAX];
	uint32_t n = 0;
	int64_t quota = kosh_quota_create(self->quota, TEST_QUOTA);
	if (quota < 0)
		return (kosh_err_t)quota;
	give[n++] = (struct kosh_spawn_handle){ "klog", self->log, 0, 0 };
	give[n++] = (struct kosh_spawn_handle){ "quota", (kosh_handle_t)quota, KOSH_GIVE_MOVE,
						TEST_QUOTA };
	int64_t initfs = suite->initfs ? kosh_handle_dup(suite->initfs, KOSH_RIGHT_READ |
							 KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER, 0)
				       : KOSH_E_NOT_FOUND;
	if (initfs >= 0)
		give[n++] = (struct kosh_spawn_handle){ "initfs", (kosh_handle_t)initfs,
							KOSH_GIVE_MOVE, suite->info->initfs_size };
	/* The boot facts (TIM0001 reads the firmware's clock there), without frames. */
	int64_t rootinfo = bootstrap_root_info_copy(suite->info, NULL, 0);
	if (rootinfo >= 0)
		give[n++] = (struct kosh_spawn_handle){ "rootinfo", (kosh_handle_t)rootinfo,
							KOSH_GIVE_MOVE, KOSH_PAGE_SIZE };
	n += give_hardware(suite->info, give + n, KOSH_SPAWN_HANDLES_MAX - n);
	const char *argv[] = { t->path };
	struct kosh_spawn s = {
		.name = file, .image = t->image, .image_size = t->size, .argv = argv, .argc = 1,
		.handles = give, .handle_count = n, .quota = (kosh_handle_t)quota,
	};
	struct kosh_child child;
	kosh_err_t err = kosh_spawn(&s, &child);
	if (err)
		return err;
	err = kosh_wait(child.process, timeout_ns, status);
	if (err == KOSH_E_TIMED_OUT)
		kosh_process_kill(child.process, 1);
	kosh_handle_close(child.thread);
	kosh_handle_close(child.process);
	return err;
}

static kosh_err_t run_test(const struct suite *suite, const struct test *t, uint64_t *status)
{
	return run_program(suite, t, t->path + strlen(TEST_DIR), TEST_TIMEOUT_NS, status);
}

/* kosh.bench: run bin/bench (scripts/bench.sh reads what it prints). */
static int run_bench(const struct kosh_root_info *info)
{
	struct suite suite = { .info = info, .initfs = initfs_frame(info) };
	struct kosh_tar_entry e;
	struct test t = { .path = BENCH_PATH };
	uint64_t status = 0;
	const void *archive;
	uint64_t size;
	if (kosh_initfs(&archive, &size) != KOSH_OK ||
	    kosh_tar_find(archive, size, BENCH_PATH, &e) != KOSH_TAR_OK) {
		kosh_printf("no %s in the initfs", BENCH_PATH);
		return 1;
	}
	t.image = e.data;
	t.size = e.size;
	kosh_err_t err = run_program(&suite, &t, "bench", BENCH_TIMEOUT_NS, &status);
	if (err || status)
		kosh_printf("bench: failed (%s, status %llu)", err ? kosh_strerror(err) : "ran",
			    (unsigned long long)status);
	return err || status ? 1 : 0;
}

static void report(struct suite *suite, uint32_t k, const struct test *t, kosh_err_t err,
		   uint64_t status)
{
	char id[24], why[96];
	const char *what;
	split_name(t->path + strlen(TEST_DIR), id, sizeof(id), &what);
	if (!err && status == 0) {
		kosh_printf("ok %u - %s %s", k, id, what);
		suite->passed++;
		return;
	}
	if (err == KOSH_E_TIMED_OUT)
		kosh_snprintf(why, sizeof(why), "timed out after %llu s",
			      (unsigned long long)(TEST_TIMEOUT_NS / 1000000000ull));
	else if (err)
		kosh_snprintf(why, sizeof(why), "could not run: %s", kosh_strerror(err));
	else
		describe(status, why, sizeof(why));
	kosh_printf("not ok %u - %s %s # %s", k, id, what, why);
}

static int run_suite(const struct kosh_root_info *info)
{
	struct suite suite = { .info = info, .initfs = initfs_frame(info) };
	const void *archive;
	uint64_t size;
	if (kosh_initfs(&archive, &size) != KOSH_OK)
		return 1;
	uint32_t n = find_tests(archive, size);
	kosh_printf("1..%u", n);
	if (n == 0) {
		kosh_printf("# no tests in %s of the initfs", TEST_DIR);
		return 1;
	}
	int64_t start = kosh_clock_get();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t status = 0;
		kosh_err_t err = run_test(&suite, &tests[i], &status);
		report(&suite, i + 1, &tests[i], err, status);
	}
	int64_t ms = (kosh_clock_get() - start) / 1000000;
	kosh_printf("# %u of %u tests passed in %lld ms", suite.passed, n, (long long)ms);
	return suite.passed == n ? 0 : 1;
}

/* The system: initfs:// served, init started and waited for. */
static int run_system(const struct kosh_root_info *info)
{
	const void *archive;
	uint64_t size, status = 0;
	kosh_handle_t init;
	char why[96];
	int64_t ep = kosh_endpoint_create(kosh_self()->quota);
	if (ep < 0) {
		kosh_printf("no endpoint for initfs://: %s", kosh_strerror((kosh_err_t)ep));
		return 1;
	}
	if (kosh_initfs(&archive, &size) != KOSH_OK ||
	    bootstrap_serve_initfs((kosh_handle_t)ep, archive, size) != KOSH_OK ||
	    bootstrap_start_init(info, (kosh_handle_t)ep, &init) != KOSH_OK)
		return 1;
	kosh_err_t err = kosh_wait(init, KOSH_TIMEOUT_NEVER, &status);
	if (err)
		kosh_snprintf(why, sizeof(why), "cannot wait for it: %s", kosh_strerror(err));
	else
		describe(status, why, sizeof(why));
	kosh_printf("init ended (%s); nothing supervises the system any more, powering off", why);
	return 1;
}

int main(int argc, char **argv)
{
	const struct kosh_root_info *info = kosh_self()->root;
	if (!info) {
		kosh_printf("not started as the root task");
		return 1;
	}
	if (check_root_info(info))
		return 1;
	banner(info);
	if (has_word(info->cmdline, sizeof(info->cmdline), "kosh.test"))
		return run_suite(info);
	if (has_word(info->cmdline, sizeof(info->cmdline), "kosh.bench"))
		return run_bench(info);
	return run_system(info);
}
