/* SPDX-License-Identifier: MIT */
/*
 * QTA0001: a quota that runs out gives KOSH_E_NO_MEMORY, never more than its
 * limit, and the system goes on: frames, endpoints, a child quota, a space
 * and a whole process (kosh_spawn) are refused from an exhausted 256 KiB
 * quota while our own quota still works; once everything is closed the
 * quota's use is back to its starting figure exactly, the same allocations
 * succeed again, and closing the quota gives our own quota back its figure.
 */
#include <stddef.h>

#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/spawn.h>
#include <kosh/syscall.h>
#include <kosh/tar.h>

#include "check.h"
#include "helper.h"

#define LIMIT   (256u << 10)
#define OBJECTS 256

static struct kosh_quota_info info(kosh_handle_t q)
{
	struct kosh_quota_info i;
	CHECK_EQ(kosh_quota_info(q, (uint64_t)(uintptr_t)&i), KOSH_OK);
	CHECK(i.used <= i.limit);
	return i;
}

/* Fill q with frames, then endpoints, until NO_MEMORY; the handles in h, the count returned. */
static uint32_t exhaust(kosh_handle_t q, kosh_handle_t *h, uint32_t *frames)
{
	uint32_t n = 0;
	int64_t r;
	while (n < OBJECTS && (r = kosh_frame_create(q, 4096, 0)) >= 0)
		h[n++] = (kosh_handle_t)r;
	CHECK_EQ(r, KOSH_E_NO_MEMORY);
	*frames = n;
	while (n < OBJECTS && (r = kosh_endpoint_create(q)) >= 0)
		h[n++] = (kosh_handle_t)r;
	CHECK_EQ(r, KOSH_E_NO_MEMORY);
	return n;
}

int main(int argc, char **argv)
{
	const struct kosh_self *self = kosh_self();
	static kosh_handle_t h[OBJECTS];
	const void *initfs;
	uint64_t size;
	CHECK_EQ(kosh_initfs(&initfs, &size), KOSH_OK); /* its mapping stays: before own0 */
	uint64_t own0 = info(self->quota).used;
	kosh_handle_t q = (kosh_handle_t)CHECK_OK(kosh_quota_create(self->quota, LIMIT));
	struct kosh_quota_info start = info(q);
	CHECK_EQ(start.limit, LIMIT);
	CHECK_ERR(kosh_quota_create(self->quota, 1ull << 40), KOSH_E_NO_MEMORY);
	CHECK_ERR(kosh_frame_create(q, LIMIT + 4096, 0), KOSH_E_NO_MEMORY);
	CHECK_EQ(info(q).used, start.used);

	uint32_t frames, n = exhaust(q, h, &frames);
	struct kosh_quota_info full = info(q);
	check_note("%u frames and %u endpoints fill %u KiB (%llu bytes used)", frames, n - frames,
		   LIMIT >> 10, (unsigned long long)full.used);
	CHECK(frames > 0 && frames <= LIMIT / 4096);
	CHECK_ERR(kosh_notification_create(q), KOSH_E_NO_MEMORY);
	CHECK_ERR(kosh_space_create(q), KOSH_E_NO_MEMORY);
	CHECK_ERR(kosh_quota_create(q, 4096), KOSH_E_NO_MEMORY);
	CHECK_EQ(info(q).used, full.used); /* the refusals charged nothing */

	/* A whole process from the exhausted quota: refused, and undone. */
	struct kosh_tar_entry e;
	CHECK_EQ(kosh_tar_find(initfs, size, "bin/tests/helpers/probe", &e), KOSH_TAR_OK);
	const char *argv_child[] = { "probe" };
	struct kosh_spawn s = { .name = "probe", .image = e.data, .image_size = e.size,
				.argv = argv_child, .argc = 1, .quota = q };
	struct kosh_child child;
	CHECK_ERR(kosh_spawn(&s, &child), KOSH_E_NO_MEMORY);
	CHECK_EQ(info(q).used, full.used);

	/* Everything else goes on: our own quota still gives. */
	kosh_handle_t mine = (kosh_handle_t)CHECK_OK(kosh_frame_create(self->quota, 65536, 0));
	CHECK_EQ(kosh_handle_close(mine), KOSH_OK);

	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ(kosh_handle_close(h[i]), KOSH_OK);
	CHECK_EQ(info(q).used, start.used);
	uint32_t frames2, n2 = exhaust(q, h, &frames2);
	CHECK_EQ(frames2, frames);
	CHECK_EQ(n2, n);
	for (uint32_t i = 0; i < n2; i++)
		CHECK_EQ(kosh_handle_close(h[i]), KOSH_OK);
	CHECK_EQ(info(q).used, start.used);
	CHECK_EQ(kosh_handle_close(q), KOSH_OK);
	CHECK_EQ(info(self->quota).used, own0);
	return 0;
}
