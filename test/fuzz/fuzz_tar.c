/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ustar reader: walking, validating and searching any
 * input must stay inside it, and every entry returned must describe bytes of it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/tar.h>

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e, found;
	uint32_t count = 0, walked = 0;
	char first[KOSH_TAR_NAME_MAX] = "";
	int r;
	kosh_tar_iter_init(&it, data, size);
	while ((r = kosh_tar_next(&it, &e)) == 1) {
		CHECK(strlen(e.name) > 0 && strlen(e.name) < KOSH_TAR_NAME_MAX);
		CHECK(e.data >= data + 512 && e.data <= data + size);
		CHECK(e.size <= (uint64_t)(data + size - e.data));
		if (!walked++)
			memcpy(first, e.name, sizeof(first));
	}
	CHECK(r <= 0 && r >= KOSH_TAR_E_NOT_FOUND && kosh_tar_strerror(r) != NULL);
	enum kosh_tar_error err = kosh_tar_validate(data, size, &count);
	CHECK((int)err == r);
	CHECK(err != KOSH_TAR_OK || count == walked);
	if (walked) {
		err = kosh_tar_find(data, size, first, &found);
		CHECK(err == KOSH_TAR_OK);
	}
	(void)kosh_tar_find(data, size, "./sbin/init", &found);
	return 0;
}
