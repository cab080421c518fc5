/* SPDX-License-Identifier: MIT */
/*
 * Parser for kosh.cfg, the loader's configuration file.
 *
 * Lines are "key = value"; blank lines and lines starting with '#' are ignored;
 * spaces and tabs around keys and values are trimmed; CRLF is accepted. Keys:
 * kernel, initfs, cmdline, video ("WxH"). Every key is optional and may appear at
 * most once. Anything else (unknown key, missing '=', empty value, control or
 * non-ASCII bytes, a value too long, a malformed video mode) is an error naming
 * the line, and the configuration is then left as it was.
 */
#ifndef KOSH_CFG_H
#define KOSH_CFG_H

#include <stdint.h>
#include <kosh/bootinfo.h>

#define KOSH_CFG_PATH_MAX 128
#define KOSH_CFG_FILE_MAX 65536 /* larger files are refused */

struct kosh_cfg {
	char kernel[KOSH_CFG_PATH_MAX]; /* relative to the loader's directory */
	char initfs[KOSH_CFG_PATH_MAX];
	char cmdline[KOSH_CMDLINE_MAX];
	uint32_t video_width; /* 0: keep the firmware's mode */
	uint32_t video_height;
};

struct kosh_cfg_error {
	uint32_t line;       /* 1-based line of the problem, 0 for the whole file */
	const char *message; /* static English text */
};

/* Fill *cfg with the defaults: the given kernel file name, "initfs.tar", no cmdline. */
void kosh_cfg_defaults(struct kosh_cfg *cfg, const char *kernel_name);

/* Parse text[0..len) over *cfg. 0 on success; -1 with *err filled otherwise. */
__attribute__((warn_unused_result)) int kosh_cfg_parse(const char *text, uint64_t len,
							 struct kosh_cfg *cfg,
							 struct kosh_cfg_error *err);

#endif
