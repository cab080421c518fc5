/* SPDX-License-Identifier: MIT */
/*
 * CAP0002: a closed handle is refused (KOSH_E_BAD_HANDLE), and stays refused
 * once its slot holds a new object: the generation count tells the two apart.
 * Forged handles (0, a slot past any table, a live slot with the wrong
 * generation, a value wider than 32 bits) are refused too, and none of this
 * disturbs the live handle.
 */
#include <kosh/ipc.h>
#include <kosh/runtime.h>
#include <kosh/syscall.h>

#include "check.h"

#define TRIES 512

static kosh_handle_t new_notification(void)
{
	return (kosh_handle_t)CHECK_OK(kosh_notification_create(kosh_self()->quota));
}

static void check_refused(kosh_handle_t h)
{
	struct kosh_handle_info info;
	CHECK_ERR(kosh_info(h, &info), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_notification_signal(h, 1), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_handle_dup(h, KOSH_RIGHT_WAIT, 0), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_handle_close(h), KOSH_E_BAD_HANDLE);
}

int main(int argc, char **argv)
{
	kosh_handle_t old = new_notification();
	CHECK_EQ(kosh_handle_close(old), KOSH_OK);
	check_refused(old);

	/* Find the slot again under a new generation (the table may hand out others first). */
	kosh_handle_t spare[TRIES], reused = 0;
	int n = 0;
	while (n < TRIES) {
		kosh_handle_t h = new_notification();
		if (KOSH_HANDLE_SLOT(h) == KOSH_HANDLE_SLOT(old)) {
			reused = h;
			break;
		}
		spare[n++] = h;
	}
	if (reused) {
		CHECK(KOSH_HANDLE_GEN(reused) != KOSH_HANDLE_GEN(old));
		check_refused(old);
		uint64_t bits = 0;
		CHECK_EQ(kosh_notification_signal(reused, 4), KOSH_OK);
		CHECK_EQ(kosh_notify_poll(reused, &bits), KOSH_OK);
		CHECK_EQ(bits, 4);
	} else {
		check_note("slot %u not reused in %d creations; stale-generation part skipped",
			   KOSH_HANDLE_SLOT(old), TRIES);
	}

	kosh_handle_t live = reused ? reused : new_notification();
	uint32_t slot = KOSH_HANDLE_SLOT(live), gen = KOSH_HANDLE_GEN(live);
	struct kosh_handle_info info;
	CHECK_ERR(kosh_info(0, &info), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_info((1u << KOSH_HANDLE_SLOT_BITS) - 1, &info), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_info(0xffffffffu, &info), KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_info(slot | ((gen + 1) & 0xfffu) << KOSH_HANDLE_SLOT_BITS, &info),
		  KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_info(slot | ((gen + 0x7ffu) & 0xfffu) << KOSH_HANDLE_SLOT_BITS, &info),
		  KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_handle_info((1ull << 32) | live, (uint64_t)(uintptr_t)&info),
		  KOSH_E_BAD_HANDLE);
	CHECK_ERR(kosh_handle_close((1ull << 40) | live), KOSH_E_BAD_HANDLE);

	/* The live handle still works after all the forgeries. */
	CHECK_EQ(kosh_info(live, &info), KOSH_OK);
	CHECK_EQ(info.type, KOSH_OBJ_NOTIFICATION);
	CHECK_EQ(kosh_handle_close(live), KOSH_OK);
	for (int i = 0; i < n; i++)
		CHECK_EQ(kosh_handle_close(spare[i]), KOSH_OK);
	return 0;
}
