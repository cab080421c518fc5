/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ustar reader: walking, validating and searching any
 * input must stay inside it, and every entry returned must describe bytes of it.
 * Each input is tried as is, and again with the magic and checksum of every
 * header repaired, so that the fuzzer gets past them to the numbers and names.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kosh/tar.h>

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

static void check_archive(const uint8_t *data, size_t size)
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
	if (walked)
		CHECK(kosh_tar_find(data, size, first, &found) == KOSH_TAR_OK);
	(void)kosh_tar_find(data, size, "./sbin/init", &found);
}

/* Gives the header at h the POSIX magic and a correct checksum. */
static void repair(uint8_t *h)
{
	unsigned sum = 0;
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	for (int i = 5; i >= 0; i--, sum >>= 3)
		h[148 + i] = (uint8_t)('0' + (sum & 7));
	h[154] = '\0';
}

static void check_repaired(const uint8_t *data, size_t size)
{
	struct kosh_tar_iter it;
	struct kosh_tar_entry e;
	uint8_t *copy = malloc(size ? size : 1);
	CHECK(copy != NULL);
	memcpy(copy, data, size);
	kosh_tar_iter_init(&it, copy, size);
	for (int fixes = 0; fixes < 64;) {
		int r = kosh_tar_next(&it, &e);
		if (r == KOSH_TAR_E_MAGIC || r == KOSH_TAR_E_CHECKSUM) {
			repair(copy + it.offset);
			fixes++;
		} else if (r != 1) {
			break;
		}
	}
	check_archive(copy, size);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_archive(data, size);
	check_repaired(data, size);
	return 0;
}
