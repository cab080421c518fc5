/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the kosh.cfg parser: on success every value must be a
 * terminated string within its limit; on failure the configuration must be
 * untouched and the error must name a line of the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kosh/cfg.h>

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

static void check_string(const char *s, size_t cap)
{
	CHECK(memchr(s, '\0', cap) != NULL);
	for (; *s; s++)
		CHECK(*s >= 0x20 && *s <= 0x7e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kosh_cfg cfg, before;
	struct kosh_cfg_error err = { 0, NULL };
	uint32_t lines = 1;
	kosh_cfg_defaults(&cfg, "kernel-x86_64.elf");
	before = cfg;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (kosh_cfg_parse((const char *)data, size, &cfg, &err) == 0) {
		check_string(cfg.kernel, sizeof(cfg.kernel));
		check_string(cfg.initfs, sizeof(cfg.initfs));
		check_string(cfg.cmdline, sizeof(cfg.cmdline));
		CHECK(cfg.video_width <= 16384 && cfg.video_height <= 16384);
		CHECK((cfg.video_width == 0) == (cfg.video_height == 0));
		return 0;
	}
	CHECK(memcmp(&cfg, &before, sizeof(cfg)) == 0);
	CHECK(err.message != NULL && err.line <= lines);
	CHECK(err.line > 0 || size > KOSH_CFG_FILE_MAX);
	return 0;
}
