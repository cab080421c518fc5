/* SPDX-License-Identifier: MIT */
/*
 * TIM0001: the firmware's clock reaches userspace. The loader reads UEFI's
 * GetTime before ExitBootServices, the kernel passes it on in the root info
 * with the monotonic time of the reading, and the RTC driver (sbin/drivers/rtc)
 * given neither a PL031 nor the CMOS ports serves that time advanced by the
 * monotonic clock. Checked: the root info bootstrap gives us ("rootinfo")
 * holds a plausible reading (QEMU's firmware clock is the host's, so after
 * 2024); time:///now of a driver started with only that page lies exactly
 * between the reading advanced to just before and just after the read; and a
 * root info whose time is damaged (month 13) makes every read EIO rather than
 * a wild date.
 */
#include <stddef.h>

#include <kosh/bootinfo.h>
#include <kosh/file.h>
#include <kosh/ipc.h>
#include <kosh/page.h>
#include <kosh/proto/vfs.h>
#include <kosh/rootinfo.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"
#include "helper.h"
#include "rtctime.h"

#define RTC_PATH     "sbin/drivers/rtc"
#define YEAR_AFTER   2024u
#define PAGE_RIGHTS  (KOSH_RIGHT_READ | KOSH_RIGHT_MAP | KOSH_RIGHT_TRANSFER)
#define SERVE_RIGHTS (KOSH_RIGHT_READ | KOSH_RIGHT_WRITE | KOSH_RIGHT_TRANSFER | KOSH_RIGHT_DUPLICATE)

/* Start the driver on a new endpoint with page as its "rootinfo" (moved); the endpoint. */
static kosh_handle_t start_rtc(kosh_handle_t page, struct kosh_child *child)
{
	kosh_handle_t ep = (kosh_handle_t)CHECK_OK(kosh_endpoint_create(kosh_self()->quota));
	kosh_handle_t serve = (kosh_handle_t)CHECK_OK(kosh_handle_dup(ep, SERVE_RIGHTS, 0));
	const struct kosh_spawn_handle give[] = {
		{ "time", serve, KOSH_GIVE_MOVE, 0 },
		{ "rootinfo", page, KOSH_GIVE_MOVE, KOSH_PAGE_SIZE },
	};
	test_spawn_program(RTC_PATH, "rtc-firmware", NULL, 0, give, 2, child);
	return ep;
}

/* time:///now of the driver on ep: its nanoseconds since 1970, or the error. */
static uint32_t read_now(kosh_handle_t ep, uint64_t *ns)
{
	char text[40];
	kosh_handle_t f;
	uint32_t got = 0, err = kosh_file_open(ep, "/now", KOSH_VFS_O_READ, &f, NULL, NULL);
	if (err)
		return err;
	err = kosh_file_read(f, text, sizeof(text) - 1, &got);
	CHECK_EQ(kosh_file_close(f), 0);
	if (err)
		return err;
	text[got] = 0;
	uint64_t secs = 0, frac = 0;
	const char *p = text;
	for (; *p >= '0' && *p <= '9'; p++)
		secs = secs * 10 + (uint64_t)(*p - '0');
	CHECK(*p++ == '.');
	for (int i = 0; i < 9; i++, p++) {
		CHECK(*p >= '0' && *p <= '9');
		frac = frac * 10 + (uint64_t)(*p - '0');
	}
	CHECK(p[0] == '\n' && p[1] == 0);
	*ns = secs * RTC_NSEC + frac;
	return 0;
}

static void stop(struct kosh_child *child)
{
	CHECK_EQ(kosh_process_kill(child->process, 0), KOSH_OK);
	test_wait(child, 5 * TEST_SECOND);
}

int main(int argc, char **argv)
{
	kosh_err_t err;
	uint64_t secs, ns, before, after;
	uint32_t nsec;
	struct rtc_tm tm;
	struct kosh_child child;
	kosh_handle_t ours = kosh_start_handle("rootinfo", NULL);
	CHECK(ours != 0);
	const struct kosh_root_info *info = kosh_frame_map(ours, 0, KOSH_PAGE_SIZE,
							   KOSH_RIGHT_READ, &err);
	CHECK(info != NULL);
	CHECK_EQ(info->magic, KOSH_ROOT_INFO_MAGIC);
	CHECK(info->boot_flags & KOSH_BOOT_EFI_TIME);
	CHECK_EQ(rtc_efi_decode(&info->efi_time, &secs, &nsec), 0);
	CHECK_EQ(rtc_from_unix(secs, &tm), 0);
	CHECK(tm.year > YEAR_AFTER);
	CHECK(info->efi_time_ns > 0 && info->efi_time_ns <= (uint64_t)kosh_clock_get());
	uint64_t efi = secs * RTC_NSEC + nsec, efi_mono = info->efi_time_ns;

	/* The driver with that page alone: the reading, advanced exactly. */
	kosh_handle_t ep = start_rtc((kosh_handle_t)CHECK_OK(kosh_handle_dup(ours, PAGE_RIGHTS, 0)),
				     &child);
	for (int i = 0; i < 3; i++) {
		before = (uint64_t)kosh_clock_get();
		CHECK_EQ(read_now(ep, &ns), 0);
		after = (uint64_t)kosh_clock_get();
		CHECK(ns >= efi + (before - efi_mono));
		CHECK(ns <= efi + (after - efi_mono));
	}
	stop(&child);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);

	/* A damaged reading: every read EIO, the driver keeps serving. */
	kosh_handle_t page = (kosh_handle_t)CHECK_OK(kosh_frame_new(kosh_self()->quota,
								    KOSH_PAGE_SIZE));
	struct kosh_root_info *bad = kosh_frame_map(page, 0, KOSH_PAGE_SIZE,
						    KOSH_RIGHT_READ | KOSH_RIGHT_WRITE, &err);
	CHECK(bad != NULL);
	*bad = *info;
	bad->efi_time.month = 13;
	kosh_frame_unmap(bad, KOSH_PAGE_SIZE);
	ep = start_rtc((kosh_handle_t)CHECK_OK(kosh_handle_dup(page, PAGE_RIGHTS, 0)), &child);
	CHECK_EQ(read_now(ep, &ns), KOSH_VFS_EIO);
	CHECK_EQ(read_now(ep, &ns), KOSH_VFS_EIO);
	stop(&child);
	CHECK_EQ(kosh_handle_close(ep), KOSH_OK);
	CHECK_EQ(kosh_handle_close(page), KOSH_OK);
	kosh_frame_unmap((void *)info, KOSH_PAGE_SIZE);
	return 0;
}
