/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the etc/drivers parser (user/servers/devmgr/drivers.c):
 * on success every string is terminated and printable within its array, every
 * count within its array, every quota whole pages, every entry has a binary and
 * a first device name that fits, and matching and naming stay in bounds; on
 * failure the result is empty and the error names a line of the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static struct drivers drv;

static void check_string(const char *s, size_t cap)
{
	CHECK(memchr(s, '\0', cap) != NULL);
	for (; *s; s++)
		CHECK(*s >= 0x20 && *s <= 0x7e);
}

static void check_entry(const struct drivers_entry *e)
{
	char name[KOSH_DEV_NAME_MAX];
	check_string(e->name, sizeof(e->name));
	CHECK(e->name[0] != '\0');
	check_string(e->binary, sizeof(e->binary));
	CHECK(strncmp(e->binary, "initfs:///", 10) == 0 || strncmp(e->binary, "fs:///", 6) == 0);
	CHECK(e->arg_count <= KOSH_DRV_ARGS_MAX);
	CHECK(e->pci_count <= DRIVERS_MATCH_MAX && e->class_count <= DRIVERS_MATCH_MAX &&
	      e->compatible_count <= DRIVERS_MATCH_MAX);
	for (uint32_t k = 0; k < e->compatible_count; k++)
		check_string(e->compatible[k], DRIVERS_COMPAT_MAX);
	check_string(e->scheme, sizeof(e->scheme));
	check_string(e->endpoint, sizeof(e->endpoint));
	CHECK(e->quota && e->quota % 4096 == 0);
	CHECK(e->first_suffix == 'a' || e->first_suffix == '0');
	CHECK(drivers_device_name(e, 0, name) == 0);
	check_string(name, sizeof(name));
	CHECK(e->nodevice <= DRIVERS_NODEVICE_START && e->restart <= 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drivers_error err;
	if (drivers_parse((const char *)data, size, &drv, &err) != 0) {
		static const struct drivers zero;
		CHECK(memcmp(&drv, &zero, sizeof(drv)) == 0);
		check_string(err.message, sizeof(err.message));
		CHECK(strncmp(err.message, "line ", 5) == 0);
		return 0;
	}
	CHECK(drv.count <= DRIVERS_MAX);
	for (uint32_t i = 0; i < drv.count; i++)
		check_entry(&drv.entries[i]);
	struct drivers_device dev = {.pci = 1, .vendor = 0x1af4, .device = 0x1042, .class_code = 1};
	int m = drivers_match(&drv, &dev);
	CHECK(m >= -1 && m < (int)drv.count);
	return 0;
}
