/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the kosh.cfg parser (shared/lib/cfg.c).
 *
 * Every error is checked together with the line it names, and every failing parse
 * must leave the configuration byte for byte as it was. The parser is always
 * handed exactly len bytes, copied to the heap without a terminating NUL, so
 * AddressSanitizer catches a read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kosh/cfg.h>

/* Parses len bytes of text over *cfg from an exact-size heap copy. */
static int parse_n(const char *text, size_t len, struct kosh_cfg *cfg,
		   struct kosh_cfg_error *err)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	int r = kosh_cfg_parse(copy, len, cfg, err);
	free(copy);
	return r;
}

static int parse(const char *text, struct kosh_cfg *cfg, struct kosh_cfg_error *err)
{
	return parse_n(text, strlen(text), cfg, err);
}

static void defaults(struct kosh_cfg *cfg)
{
	kosh_cfg_defaults(cfg, "kernel-x86_64.elf");
}

/* Parses text, which must fail at line with message containing word. */
static void expect_error_n(const char *text, size_t len, uint32_t line, const char *word)
{
	struct kosh_cfg cfg, before;
	struct kosh_cfg_error err = { 12345, NULL };
	defaults(&cfg);
	before = cfg;
	assert_int_equal(parse_n(text, len, &cfg, &err), -1);
	assert_non_null(err.message);
	if (!strstr(err.message, word))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, word);
	assert_int_equal(err.line, line);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void expect_error(const char *text, uint32_t line, const char *word)
{
	expect_error_n(text, strlen(text), line, word);
}

static void test_cfg_defaults(void **state)
{
	struct kosh_cfg cfg;
	memset(&cfg, 0xaa, sizeof(cfg));
	kosh_cfg_defaults(&cfg, "kernel-aarch64.elf");
	assert_string_equal(cfg.kernel, "kernel-aarch64.elf");
	assert_string_equal(cfg.initfs, "initfs.tar");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.video_width, 0);
	assert_int_equal(cfg.video_height, 0);
}

static void test_cfg_defaults_truncate_long_kernel_name(void **state)
{
	char name[300];
	struct kosh_cfg cfg;
	memset(name, 'k', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	kosh_cfg_defaults(&cfg, name);
	assert_int_equal(strlen(cfg.kernel), KOSH_CFG_PATH_MAX - 1);
}

static void test_cfg_empty_file_keeps_defaults(void **state)
{
	struct kosh_cfg cfg, before;
	struct kosh_cfg_error err;
	defaults(&cfg);
	before = cfg;
	assert_int_equal(parse("", &cfg, &err), 0);
	assert_int_equal(kosh_cfg_parse(NULL, 0, &cfg, &err), 0);
	assert_int_equal(parse("\n\n  \t\n# only comments\n", &cfg, &err), 0);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_cfg_parses_every_key(void **state)
{
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("# Kosh boot configuration\n"
			       "kernel = kosh/kernel-test.elf\n"
			       "\n"
			       "\tinitfs\t=\tkosh\\initfs-debug.tar  \n"
			       "cmdline = log=debug  smp=2 init=/sbin/init\n"
			       "   # indented comment\n"
			       "video=1280x720\n",
			       &cfg, &err),
			 0);
	assert_string_equal(cfg.kernel, "kosh/kernel-test.elf");
	assert_string_equal(cfg.initfs, "kosh\\initfs-debug.tar");
	assert_string_equal(cfg.cmdline, "log=debug  smp=2 init=/sbin/init");
	assert_int_equal(cfg.video_width, 1280);
	assert_int_equal(cfg.video_height, 720);
}

static void test_cfg_keeps_defaults_for_missing_keys(void **state)
{
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("cmdline = quiet\n", &cfg, &err), 0);
	assert_string_equal(cfg.kernel, "kernel-x86_64.elf");
	assert_string_equal(cfg.initfs, "initfs.tar");
	assert_string_equal(cfg.cmdline, "quiet");
	assert_int_equal(cfg.video_width, 0);
}

static void test_cfg_accepts_crlf_and_missing_final_newline(void **state)
{
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("kernel = k.elf\r\n# c\r\n\r\ncmdline = a b\r\nvideo = 800x600",
			       &cfg, &err),
			 0);
	assert_string_equal(cfg.kernel, "k.elf");
	assert_string_equal(cfg.cmdline, "a b");
	assert_int_equal(cfg.video_width, 800);
	assert_int_equal(cfg.video_height, 600);
	defaults(&cfg);
	assert_int_equal(parse("cmdline = x\r", &cfg, &err), 0);
	assert_string_equal(cfg.cmdline, "x");
}

static void test_cfg_skips_utf8_bom(void **state)
{
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("\xef\xbb\xbf" "kernel = bom.elf\n", &cfg, &err), 0);
	assert_string_equal(cfg.kernel, "bom.elf");
	/* Only at the very start. */
	expect_error("kernel = a.elf\n\xef\xbb\xbf" "cmdline = x\n", 2, "character");
}

static void test_cfg_value_may_contain_equals_and_hash(void **state)
{
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("cmdline = a=b # not a comment\nkernel=k#1.elf\n", &cfg, &err),
			 0);
	assert_string_equal(cfg.cmdline, "a=b # not a comment");
	assert_string_equal(cfg.kernel, "k#1.elf");
}

static void test_cfg_rejects_unknown_key(void **state)
{
	expect_error("kernel = k.elf\n\nkernal = typo.elf\n", 3, "unknown key");
	expect_error("Kernel = k.elf\n", 1, "unknown key");
	expect_error("kernel x = k.elf\n", 1, "unknown key");
	expect_error("video_mode = 1x1\n", 1, "unknown key");
}

static void test_cfg_rejects_missing_equals(void **state)
{
	expect_error("# comment\nkernel k.elf\n", 2, "'='");
	expect_error("kernel\n", 1, "'='");
	expect_error("cmdline = ok\n   junk   \n", 2, "'='");
}

static void test_cfg_rejects_empty_key(void **state)
{
	expect_error("= value\n", 1, "empty key");
	expect_error("\n\t  =  x\n", 2, "empty key");
}

static void test_cfg_rejects_empty_value(void **state)
{
	expect_error("kernel =\n", 1, "empty value");
	expect_error("video = \t \r\n", 1, "empty value");
	expect_error("kernel = a\ncmdline=\n", 2, "empty value");
}

static void test_cfg_rejects_duplicate_key(void **state)
{
	expect_error("kernel = a.elf\ncmdline = x\nkernel = b.elf\n", 3, "duplicate");
	expect_error("video = 1x1\nvideo = 1x1\n", 2, "duplicate");
	/* A key that failed does not count as seen: the error is on the first line. */
	expect_error("video = 0x0\nvideo = 1x1\n", 1, "video");
}

static void test_cfg_limits_path_length(void **state)
{
	char text[512];
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	char path[KOSH_CFG_PATH_MAX + 1];
	memset(path, 'p', KOSH_CFG_PATH_MAX - 1);
	path[KOSH_CFG_PATH_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "initfs = %s\n", path);
	defaults(&cfg);
	assert_int_equal(parse(text, &cfg, &err), 0);
	assert_string_equal(cfg.initfs, path);
	strcat(path, "p");
	snprintf(text, sizeof(text), "\ninitfs = %s\n", path);
	expect_error(text, 2, "too long");
	snprintf(text, sizeof(text), "kernel = %s\n", path);
	expect_error(text, 1, "too long");
}

static void test_cfg_limits_cmdline_length(void **state)
{
	char text[600];
	char cmdline[KOSH_CMDLINE_MAX + 1];
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	memset(cmdline, 'c', KOSH_CMDLINE_MAX - 1);
	cmdline[KOSH_CMDLINE_MAX - 1] = '\0';
	cmdline[10] = ' ';
	snprintf(text, sizeof(text), "cmdline = %s\n", cmdline);
	defaults(&cfg);
	assert_int_equal(parse(text, &cfg, &err), 0);
	assert_string_equal(cfg.cmdline, cmdline);
	strcat(cmdline, "c");
	snprintf(text, sizeof(text), "cmdline = %s\n", cmdline);
	expect_error(text, 1, "too long");
}

static void test_cfg_rejects_bad_path_characters(void **state)
{
	static const char *const bad[] = { "k\"x.elf", "k*.elf", "c:kernel.elf", "k<.elf", "k>.elf",
					   "k?.elf", "k|x.elf", "k\tx.elf" };
	char text[64];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "cmdline = ok\nkernel = %s\n", bad[i]);
		expect_error(text, 2, "path");
	}
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("kernel = My Kernels/k (1).elf\n", &cfg, &err), 0);
	assert_string_equal(cfg.kernel, "My Kernels/k (1).elf");
}

static void test_cfg_rejects_absolute_paths(void **state)
{
	expect_error("kernel = /EFI/kosh/kernel.elf\n", 1, "relative");
	expect_error("initfs = \\EFI\\initfs.tar\n", 1, "relative");
}

static void test_cfg_rejects_control_and_non_ascii_bytes(void **state)
{
	expect_error_n("kernel = a\nkernel\0= b\n", 22, 2, "character");
	expect_error("# caf\xc3\xa9\n", 1, "character");
	expect_error("kernel = k.elf\ncmdline = a\x01" "b\n", 2, "character");
	expect_error("cmdline = a\rb\n", 1, "character"); /* a CR not before LF */
	expect_error("cmdline = a\x7f\n", 1, "character");
	expect_error("\n\n\x1b[31m\n", 3, "character");
	expect_error_n("\0", 1, 1, "character");
	/* Tabs around values are blanks, inside the cmdline they are not allowed. */
	expect_error("cmdline = a\tb\n", 1, "character");
}

static void test_cfg_parses_video_modes(void **state)
{
	static const struct {
		const char *text;
		uint32_t w, h;
	} good[] = {
		{ "video = 1x1", 1, 1 },
		{ "video = 16384x16384", 16384, 16384 },
		{ "video = 1920X1080", 1920, 1080 },
		{ "video = 0800x0600", 800, 600 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct kosh_cfg cfg;
		struct kosh_cfg_error err;
		defaults(&cfg);
		assert_int_equal(parse(good[i].text, &cfg, &err), 0);
		assert_int_equal(cfg.video_width, good[i].w);
		assert_int_equal(cfg.video_height, good[i].h);
	}
}

static void test_cfg_rejects_malformed_video_modes(void **state)
{
	static const char *const bad[] = {
		"1024",       "1024x",      "x768",         "0x768",          "1024x0",
		"16385x768",  "1024x16385", "-1024x768",    "+1024x768",      "1024 x 768",
		"1024x768x2", "1024*768",   "0x400x300",    "auto",           "1024.0x768",
		"4294967297x1", "99999999999999999999x1",
	};
	char text[64];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# v\nvideo = %s\n", bad[i]);
		expect_error(text, 2, "video");
	}
}

static void test_cfg_rejects_oversized_file(void **state)
{
	size_t size = KOSH_CFG_FILE_MAX + 1;
	char *text = malloc(size);
	struct kosh_cfg cfg;
	struct kosh_cfg_error err;
	assert_non_null(text);
	memset(text, '#', size);
	text[size - 1] = '\n';
	expect_error_n(text, size, 0, "too large");
	/* Exactly the limit is fine. */
	defaults(&cfg);
	assert_int_equal(parse_n(text, KOSH_CFG_FILE_MAX, &cfg, &err), 0);
	free(text);
}

static void test_cfg_reports_first_error_and_changes_nothing(void **state)
{
	struct kosh_cfg cfg, before;
	struct kosh_cfg_error err;
	defaults(&cfg);
	assert_int_equal(parse("cmdline = first\n", &cfg, &err), 0);
	before = cfg;
	assert_int_equal(parse("kernel = new.elf\ncmdline = second\nvideo = 640x480\n"
			       "initfs = new.tar\nbogus\nalso bad = 1\n",
			       &cfg, &err),
			 -1);
	assert_int_equal(err.line, 5);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_cfg_counts_lines_with_crlf(void **state)
{
	expect_error("# a\r\n\r\nkernel = k\r\nfoo = bar\r\n", 4, "unknown key");
}

static void test_cfg_messages_are_single_lines(void **state)
{
	static const char *const bad[] = { "x", "=1", "kernel=", "bogus=1", "video=1",
					   "kernel=/a", "kernel=a:b", "cmdline=\x01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kosh_cfg cfg;
		struct kosh_cfg_error err = { 0, NULL };
		defaults(&cfg);
		assert_int_equal(parse(bad[i], &cfg, &err), -1);
		assert_non_null(err.message);
		assert_true(strlen(err.message) > 5);
		assert_null(strchr(err.message, '\n'));
		assert_int_equal(err.line, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_defaults),
		cmocka_unit_test(test_cfg_defaults_truncate_long_kernel_name),
		cmocka_unit_test(test_cfg_empty_file_keeps_defaults),
		cmocka_unit_test(test_cfg_parses_every_key),
		cmocka_unit_test(test_cfg_keeps_defaults_for_missing_keys),
		cmocka_unit_test(test_cfg_accepts_crlf_and_missing_final_newline),
		cmocka_unit_test(test_cfg_skips_utf8_bom),
		cmocka_unit_test(test_cfg_value_may_contain_equals_and_hash),
		cmocka_unit_test(test_cfg_rejects_unknown_key),
		cmocka_unit_test(test_cfg_rejects_missing_equals),
		cmocka_unit_test(test_cfg_rejects_empty_key),
		cmocka_unit_test(test_cfg_rejects_empty_value),
		cmocka_unit_test(test_cfg_rejects_duplicate_key),
		cmocka_unit_test(test_cfg_limits_path_length),
		cmocka_unit_test(test_cfg_limits_cmdline_length),
		cmocka_unit_test(test_cfg_rejects_bad_path_characters),
		cmocka_unit_test(test_cfg_rejects_absolute_paths),
		cmocka_unit_test(test_cfg_rejects_control_and_non_ascii_bytes),
		cmocka_unit_test(test_cfg_parses_video_modes),
		cmocka_unit_test(test_cfg_rejects_malformed_video_modes),
		cmocka_unit_test(test_cfg_rejects_oversized_file),
		cmocka_unit_test(test_cfg_reports_first_error_and_changes_nothing),
		cmocka_unit_test(test_cfg_counts_lines_with_crlf),
		cmocka_unit_test(test_cfg_messages_are_single_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
